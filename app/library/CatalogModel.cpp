#include "library/CatalogModel.h"

#include "library/DownloadManager.h"
#include "library/InstalledModels.h"
#include "library/ModelPaths.h"

#include <QDir>

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
  case FileStateRole:
  case DownloadRowRole:
  case DownloadProgressRole:
  case DownloadErrorRole:
  case InstalledPathRole: return fileData(e, role);
  }
  return {};
}

QVariant CatalogModel::fileData(const CatalogEntry &e, int role) const
{
  const QString local = localModelName(e.file);
  const bool installed = m_installed && !local.isEmpty() && m_installed->rowOf(local) >= 0;
  const int row = m_downloads ? m_downloads->rowOf(e.repo, e.file) : -1;
  const Download *d = m_downloads ? m_downloads->at(row) : nullptr;
  switch (role) {
  case DownloadRowRole: return row;
  case DownloadProgressRole:
    return installed ? 1.0 : d && d->total() > 0 ? double(d->received()) / double(d->total()) : 0.0;
  case DownloadErrorRole: return d && !installed ? d->errorString() : QString();
  case InstalledPathRole: return installed ? QDir(m_installed->directory()).filePath(local) : QString();
  }
  if (installed)
    return QStringLiteral("installed");
  switch (d ? d->state() : Download::State::Cancelled) {
  case Download::State::Queued:
  case Download::State::Checking:
  case Download::State::Downloading:
  case Download::State::Verifying: return QStringLiteral("downloading");
  case Download::State::Paused: return QStringLiteral("paused");
  case Download::State::Failed: return QStringLiteral("failed");
  case Download::State::Completed: // installed shows once InstalledModels has rescanned
  case Download::State::Cancelled: break;
  }
  return QStringLiteral("none");
}

void CatalogModel::track(const DownloadManager *downloads, const InstalledModels *installed)
{
  m_downloads = downloads;
  m_installed = installed;
  for (const QAbstractItemModel *source : {static_cast<const QAbstractItemModel *>(downloads),
                                           static_cast<const QAbstractItemModel *>(installed)}) {
    connect(source, &QAbstractItemModel::dataChanged, this, &CatalogModel::fileStatesChanged);
    connect(source, &QAbstractItemModel::rowsInserted, this, &CatalogModel::fileStatesChanged);
    connect(source, &QAbstractItemModel::rowsRemoved, this, &CatalogModel::fileStatesChanged);
    connect(source, &QAbstractItemModel::modelReset, this, &CatalogModel::fileStatesChanged);
  }
  fileStatesChanged();
}

void CatalogModel::fileStatesChanged()
{
  if (!m_entries.empty())
    emit dataChanged(index(0), index(rowCount() - 1),
                     {FileStateRole, DownloadRowRole, DownloadProgressRole, DownloadErrorRole, InstalledPathRole});
}

QHash<int, QByteArray> CatalogModel::roleNames() const
{
  return {{IdRole, "modelId"}, {NameRole, "name"}, {RepoRole, "repo"}, {FileRole, "file"},
          {QuantRole, "quant"}, {SizeBytesRole, "sizeBytes"}, {ParametersRole, "parameters"},
          {MaxContextRole, "maxContext"}, {LicenceRole, "licence"},
          {ArchitectureRole, "architecture"}, {DescriptionRole, "description"},
          {SupportedRole, "supported"}, {MemoryNeededRole, "memoryNeeded"}, {FitRole, "fit"},
          {FitLabelRole, "fitLabel"}, {FileStateRole, "fileState"}, {DownloadRowRole, "downloadRow"},
          {DownloadProgressRole, "downloadProgress"}, {DownloadErrorRole, "downloadError"},
          {InstalledPathRole, "installedPath"}};
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
