#include "library/DownloadManager.h"

#include "library/HubApi.h"
#include "library/ModelPaths.h"

#include <QDir>

namespace hearth::library {

DownloadManager::DownloadManager(QObject *parent)
  : DownloadManager(Config{modelsDir(), hubEndpoint(), loadToken()}, parent)
{
}

DownloadManager::DownloadManager(Config config, QObject *parent)
  : QAbstractListModel(parent), m_disk(config.dir)
{
  QDir().mkpath(config.dir);
  m_network.setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
  m_env.network = &m_network;
  m_env.disk = &m_disk;
  m_env.endpoint = config.endpoint;
  m_env.token = config.token;
  m_env.dir = config.dir;
  restore();
}

DownloadManager::~DownloadManager()
{
  // Downloads are children: they abort their replies (keeping part files) as they go.
  qDeleteAll(m_downloads);
  m_downloads.clear();
}

void DownloadManager::restore()
{
  const QDir dir(m_env.dir);
  const QStringList states = dir.entryList({QStringLiteral("*.gguf.download.json")}, QDir::Files, QDir::Name);
  for (const QString &name : states)
    if (Download *d = Download::restore(&m_env, dir.filePath(name), this))
      append(d);
}

int DownloadManager::append(Download *download)
{
  const int row = int(m_downloads.size());
  beginInsertRows({}, row, row);
  m_downloads.push_back(download);
  endInsertRows();
  connect(download, &Download::changed, this, [this, download] { onChanged(download); });
  connect(download, &Download::finished, this, [this, download](bool installed) {
    if (installed)
      emit modelInstalled(download->finalPath());
    else if (download->state() == Download::State::Failed)
      emit downloadFailed(download->name(), download->errorString());
    emit activeChanged();
  });
  emit countChanged();
  return row;
}

void DownloadManager::onChanged(Download *download)
{
  const int row = int(std::find(m_downloads.begin(), m_downloads.end(), download) - m_downloads.begin());
  if (row < int(m_downloads.size()))
    emit dataChanged(index(row), index(row));
}

int DownloadManager::rowCount(const QModelIndex &parent) const
{
  return parent.isValid() ? 0 : int(m_downloads.size());
}

QVariant DownloadManager::data(const QModelIndex &index, int role) const
{
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const Download *d = m_downloads[size_t(index.row())];
  switch (role) {
  case Qt::DisplayRole:
  case NameRole: return d->name();
  case RepoRole: return d->repo();
  case FileRole: return d->file();
  case StateRole: return Download::stateName(d->state());
  case ReceivedRole: return d->received();
  case TotalRole: return d->total();
  case ProgressRole: return d->total() > 0 ? double(d->received()) / double(d->total()) : 0.0;
  case SpeedRole: return d->bytesPerSecond();
  case EtaRole: return d->etaSeconds();
  case ErrorRole: return d->errorString();
  case PathRole: return d->state() == Download::State::Completed ? d->finalPath() : QString();
  }
  return {};
}

QHash<int, QByteArray> DownloadManager::roleNames() const
{
  return {{RepoRole, "repo"}, {FileRole, "file"}, {NameRole, "name"}, {StateRole, "state"},
          {ReceivedRole, "receivedBytes"}, {TotalRole, "totalBytes"}, {ProgressRole, "progress"},
          {SpeedRole, "bytesPerSecond"}, {EtaRole, "etaSeconds"}, {ErrorRole, "errorString"},
          {PathRole, "path"}};
}

int DownloadManager::rowOf(const QString &repo, const QString &file) const
{
  for (size_t i = 0; i < m_downloads.size(); ++i)
    if (m_downloads[i]->repo() == repo && m_downloads[i]->file() == file)
      return int(i);
  return -1;
}

int DownloadManager::download(const QString &repo, const QString &file)
{
  int row = rowOf(repo, file);
  if (row < 0) {
    // One local name, one download: the same file name from two repositories would
    // share a part file.
    const QString name = localModelName(file);
    for (size_t i = 0; i < m_downloads.size(); ++i)
      if (!name.isEmpty() && m_downloads[i]->name() == name
          && m_downloads[i]->state() != Download::State::Cancelled) {
        row = int(i);
        break;
      }
  }
  if (row < 0)
    row = append(new Download(&m_env, repo, file, this));
  Download *d = m_downloads[size_t(row)];
  if (d->repo() != repo || d->file() != file)
    return row; // another download already uses this file name
  d->start();
  emit activeChanged();
  return row;
}

Download *DownloadManager::at(int row) const
{
  return row >= 0 && row < int(m_downloads.size()) ? m_downloads[size_t(row)] : nullptr;
}

void DownloadManager::pause(int row)
{
  if (Download *d = at(row)) {
    d->pause();
    emit activeChanged();
  }
}

void DownloadManager::resume(int row)
{
  if (Download *d = at(row)) {
    d->start();
    emit activeChanged();
  }
}

void DownloadManager::cancel(int row)
{
  Download *d = at(row);
  if (!d)
    return;
  d->cancel();
  beginRemoveRows({}, row, row);
  m_downloads.erase(m_downloads.begin() + row);
  endRemoveRows();
  d->deleteLater();
  emit countChanged();
  emit activeChanged();
}

void DownloadManager::clearFinished()
{
  for (int row = rowCount() - 1; row >= 0; --row) {
    Download *d = m_downloads[size_t(row)];
    if (d->state() != Download::State::Completed && d->state() != Download::State::Failed)
      continue;
    beginRemoveRows({}, row, row);
    m_downloads.erase(m_downloads.begin() + row);
    endRemoveRows();
    d->deleteLater();
  }
  emit countChanged();
}

int DownloadManager::activeCount() const
{
  int n = 0;
  for (const Download *d : m_downloads)
    n += d->state() == Download::State::Checking || d->state() == Download::State::Downloading
         || d->state() == Download::State::Verifying;
  return n;
}

void DownloadManager::setRetryPolicy(int maxRetries, int baseDelayMs)
{
  m_env.maxRetries = maxRetries;
  m_env.retryBaseMs = baseDelayMs;
}

void DownloadManager::setDiskLimit(qint64 freeBytes)
{
  m_disk.setLimit(freeBytes);
}

} // namespace hearth::library
