#include "library/CatalogModel.h"

#include <algorithm>

namespace hearth::library {

CatalogModel::CatalogModel(QObject *parent)
  : QAbstractListModel(parent)
{
  auto entries = builtinCatalog();
  if (entries)
    m_entries = std::move(*entries);
  else
    m_error = QString::fromStdString(entries.error().message);
}

CatalogModel::CatalogModel(std::vector<CatalogEntry> entries, QObject *parent)
  : QAbstractListModel(parent), m_entries(std::move(entries))
{
}

int CatalogModel::rowCount(const QModelIndex &parent) const
{
  return parent.isValid() ? 0 : int(m_entries.size());
}

uint32_t CatalogModel::contextFor(const CatalogEntry &e) const
{
  return std::min<uint32_t>(uint32_t(std::max(m_contextLength, 1)), e.contextLength);
}

FitVerdict CatalogModel::fit(int row) const
{
  const CatalogEntry &e = m_entries.at(size_t(row));
  return fitVerdict(e.memoryNeeded(contextFor(e)), uint64_t(std::max<qint64>(m_memoryBudget, 0)));
}

QVariant CatalogModel::data(const QModelIndex &index, int role) const
{
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const CatalogEntry &e = m_entries[size_t(index.row())];
  switch (role) {
  case Qt::DisplayRole:
  case NameRole: return e.name;
  case IdRole: return e.id;
  case RepoRole: return e.repo;
  case FileRole: return e.file;
  case QuantRole: return e.quant;
  case SizeBytesRole: return qint64(e.sizeBytes);
  case ParametersRole: return qint64(e.parameters);
  case MaxContextRole: return int(e.contextLength);
  case LicenceRole: return e.licence;
  case ArchitectureRole: return e.architecture;
  case DescriptionRole: return e.description;
  case SupportedRole: return e.supported();
  case MemoryNeededRole: return qint64(e.memoryNeeded(contextFor(e)));
  case FitRole: {
    static const char *const keys[] = {"unknown", "fits", "tight", "wontFit"};
    return QString::fromLatin1(keys[int(fit(index.row()))]);
  }
  case FitLabelRole: return QString::fromUtf8(fitVerdictName(fit(index.row())));
  }
  return {};
}

QHash<int, QByteArray> CatalogModel::roleNames() const
{
  return {{IdRole, "modelId"}, {NameRole, "name"}, {RepoRole, "repo"}, {FileRole, "file"},
          {QuantRole, "quant"}, {SizeBytesRole, "sizeBytes"}, {ParametersRole, "parameters"},
          {MaxContextRole, "maxContext"}, {LicenceRole, "licence"},
          {ArchitectureRole, "architecture"}, {DescriptionRole, "description"},
          {SupportedRole, "supported"}, {MemoryNeededRole, "memoryNeeded"}, {FitRole, "fit"},
          {FitLabelRole, "fitLabel"}};
}

QVariantMap CatalogModel::get(int row) const
{
  QVariantMap map;
  if (row < 0 || row >= rowCount())
    return map;
  const auto names = roleNames();
  for (auto it = names.begin(); it != names.end(); ++it)
    map.insert(QString::fromLatin1(it.value()), data(index(row), it.key()));
  return map;
}

void CatalogModel::setMemoryBudget(qint64 bytes)
{
  if (bytes == m_memoryBudget)
    return;
  m_memoryBudget = bytes;
  if (!m_entries.empty())
    emit dataChanged(index(0), index(rowCount() - 1), {FitRole, FitLabelRole});
  emit memoryBudgetChanged();
}

void CatalogModel::setContextLength(int tokens)
{
  if (tokens == m_contextLength || tokens <= 0)
    return;
  m_contextLength = tokens;
  if (!m_entries.empty())
    emit dataChanged(index(0), index(rowCount() - 1), {MemoryNeededRole, FitRole, FitLabelRole});
  emit contextLengthChanged();
}

} // namespace hearth::library
