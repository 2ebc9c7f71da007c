#include "library/InstalledModels.h"

#include "library/Fit.h"
#include "library/ModelPaths.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QSaveFile>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

namespace hearth::library {
namespace {

QString defaultFile(const QString &dir)
{
  return dir + QStringLiteral("/.default-model");
}

} // namespace

InstalledModels::InstalledModels(QObject *parent) : InstalledModels(modelsDir(), parent) {}

InstalledModels::InstalledModels(QString dir, QObject *parent)
  : QAbstractListModel(parent), m_dir(std::move(dir))
{
  QDir().mkpath(m_dir);
  QFile f(defaultFile(m_dir));
  if (f.open(QIODevice::ReadOnly))
    m_default = QString::fromUtf8(f.read(1024)).trimmed();
  refresh();
}

void InstalledModels::refresh()
{
  beginResetModel();
  m_entries.clear();
  const QDir dir(m_dir);
  for (const QString &name : dir.entryList({QStringLiteral("*.gguf")}, QDir::Files, QDir::Name | QDir::IgnoreCase)) {
    Entry e;
    e.fileName = name;
    auto facts = readModelFacts(dir.filePath(name));
    if (facts)
      e.facts = std::move(*facts);
    else
      e.error = QString::fromStdString(facts.error().message);
    e.facts.path = dir.filePath(name);
    e.facts.fileSize = QFileInfo(e.facts.path).size();
    m_entries.push_back(std::move(e));
  }
  endResetModel();
  emit countChanged();
}

int InstalledModels::rowCount(const QModelIndex &parent) const
{
  return parent.isValid() ? 0 : int(m_entries.size());
}

QVariant InstalledModels::data(const QModelIndex &index, int role) const
{
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const Entry &e = m_entries[size_t(index.row())];
  const ModelFacts &f = e.facts;
  switch (role) {
  case Qt::DisplayRole:
  case FileNameRole: return e.fileName;
  case PathRole: return f.path;
  case FileSizeRole: return f.fileSize;
  case ValidRole: return e.error.isEmpty();
  case ErrorRole: return e.error;
  case ArchitectureRole: return f.architecture;
  case ModelNameRole: return f.name.isEmpty() ? e.fileName : f.name;
  case ParametersRole: return qint64(f.parameters);
  case QuantRole: return f.quant;
  case ContextLengthRole: return int(f.contextLength);
  case SupportedRole: return e.error.isEmpty() && f.supported;
  case IsDefaultRole: return e.fileName == m_default;
  }
  return {};
}

QHash<int, QByteArray> InstalledModels::roleNames() const
{
  return {{FileNameRole, "fileName"}, {PathRole, "path"}, {FileSizeRole, "fileSize"},
          {ValidRole, "valid"}, {ErrorRole, "errorString"}, {ArchitectureRole, "architecture"},
          {ModelNameRole, "modelName"}, {ParametersRole, "parameters"}, {QuantRole, "quant"},
          {ContextLengthRole, "contextLength"}, {SupportedRole, "supported"},
          {IsDefaultRole, "isDefault"}};
}

int InstalledModels::rowOf(const QString &fileName) const
{
  for (size_t i = 0; i < m_entries.size(); ++i)
    if (m_entries[i].fileName == fileName)
      return int(i);
  return -1;
}

const ModelFacts *InstalledModels::facts(int row) const
{
  if (row < 0 || row >= rowCount() || !m_entries[size_t(row)].error.isEmpty())
    return nullptr;
  return &m_entries[size_t(row)].facts;
}

qint64 InstalledModels::memoryNeeded(int row, int contextLength) const
{
  const ModelFacts *f = facts(row);
  if (!f)
    return -1;
  const uint32_t context = contextLength > 0 ? uint32_t(contextLength) : f->contextLength;
  return qint64(library::memoryNeeded(uint64_t(f->fileSize), f->shape, context));
}

void InstalledModels::setDefaultModel(const QString &fileName)
{
  if (fileName == m_default)
    return;
  QSaveFile f(defaultFile(m_dir));
  if (f.open(QIODevice::WriteOnly)) {
    f.write(fileName.toUtf8() + '\n');
    f.commit();
  }
  m_default = fileName;
  if (!m_entries.empty())
    emit dataChanged(index(0), index(rowCount() - 1), {IsDefaultRole});
  emit defaultModelChanged();
}

Result<QString> InstalledModels::importFile(const QString &source, const QString &dir, ImportMode mode)
{
  const QFileInfo info(source);
  if (!info.isFile())
    return fail(ErrorCode::Io, "[library] {}: no such file", source.toStdString());
  const QString name = localModelName(info.fileName());
  if (name.isEmpty())
    return fail(ErrorCode::InvalidArgument, "[library] {}: not a .gguf file", source.toStdString());
  auto facts = readModelFacts(info.absoluteFilePath());
  if (!facts)
    return std::unexpected(facts.error());
  const QString target = dir + QLatin1Char('/') + name;
  if (QFileInfo::exists(target) || QFileInfo(target).isSymLink())
    return fail(ErrorCode::InvalidArgument, "[library] a model named {} is already installed", name.toStdString());
  QDir().mkpath(dir);
  bool ok = false;
  switch (mode) {
  case Link:
    ok = QFile::link(info.absoluteFilePath(), target);
    break;
  case Move:
    ok = QFile::rename(info.absoluteFilePath(), target);
    break;
  case Copy: {
    // Copy beside the target, then rename: a half-copied model never looks installed.
    const QString part = target + QStringLiteral(".part");
    QFile::remove(part);
    ok = QFile::copy(info.absoluteFilePath(), part) && QFile::rename(part, target);
    if (!ok)
      QFile::remove(part);
    break;
  }
  }
  if (!ok)
    return fail(ErrorCode::Io, "[library] cannot {} {} to {}",
                mode == Link ? "link" : mode == Move ? "move" : "copy", source.toStdString(), target.toStdString());
  return name;
}

Status InstalledModels::removeFile(const QString &dir, const QString &fileName)
{
  if (localModelName(fileName) != fileName)
    return fail(ErrorCode::InvalidArgument, "[library] '{}' is not a model file name", fileName.toStdString());
  const QString path = dir + QLatin1Char('/') + fileName;
  if (!QFileInfo::exists(path) && !QFileInfo(path).isSymLink())
    return fail(ErrorCode::InvalidArgument, "[library] no installed model named {}", fileName.toStdString());
  if (!QFile::remove(path))
    return fail(ErrorCode::Io, "[library] cannot delete {}", path.toStdString());
  return {};
}

void InstalledModels::importModel(const QString &pathOrUrl, int mode)
{
  const QUrl url(pathOrUrl);
  const QString path = url.isLocalFile() ? url.toLocalFile() : pathOrUrl;
  const auto importMode = mode == Move ? Move : mode == Link ? Link : Copy;
  auto *watcher = new QFutureWatcher<Result<QString>>(this);
  connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path] {
    watcher->deleteLater();
    const Result<QString> result = watcher->result();
    refresh();
    if (result)
      emit importFinished(*result, QString());
    else
      emit importFinished(QFileInfo(path).fileName(), QString::fromStdString(result.error().message));
  });
  watcher->setFuture(QtConcurrent::run(&InstalledModels::importFile, path, m_dir, importMode));
}

QString InstalledModels::remove(const QString &fileName)
{
  const Status status = removeFile(m_dir, fileName);
  if (!status)
    return QString::fromStdString(status.error().message);
  if (fileName == m_default)
    setDefaultModel(QString());
  refresh();
  return {};
}

void InstalledModels::reveal(const QString &fileName) const
{
  Q_UNUSED(fileName); // portable: open the folder that holds it
  QDesktopServices::openUrl(QUrl::fromLocalFile(m_dir));
}

} // namespace hearth::library
