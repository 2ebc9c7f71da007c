#include "library/HubSearch.h"

#include <QNetworkReply>

namespace hearth::library {

HubSearch::HubSearch(QObject *parent) : HubSearch(hubEndpoint(), parent)
{
  m_token = loadToken();
}

HubSearch::HubSearch(QString endpoint, QObject *parent)
  : QAbstractListModel(parent), m_endpoint(std::move(endpoint))
{
}

int HubSearch::rowCount(const QModelIndex &parent) const
{
  return parent.isValid() ? 0 : int(m_repos.size());
}

QVariant HubSearch::data(const QModelIndex &index, int role) const
{
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const HubRepo &r = m_repos[size_t(index.row())];
  switch (role) {
  case Qt::DisplayRole:
  case RepoRole: return r.id;
  case DownloadsRole: return r.downloads;
  case LikesRole: return r.likes;
  }
  return {};
}

QHash<int, QByteArray> HubSearch::roleNames() const
{
  return {{RepoRole, "repo"}, {DownloadsRole, "downloads"}, {LikesRole, "likes"}};
}

void HubSearch::setStatus(Status status, const QString &error)
{
  m_status = status;
  m_error = error;
  emit statusChanged();
}

void HubSearch::failed(QNetworkReply *reply)
{
  if (isOfflineError(reply->error()))
    setStatus(Offline, QStringLiteral("Hugging Face cannot be reached (%1); the catalog still works offline")
                           .arg(reply->errorString()));
  else
    setStatus(Error, reply->errorString());
}

void HubSearch::search(const QString &query)
{
  if (m_searchReply)
    m_searchReply->abort();
  if (query.trimmed().isEmpty()) {
    beginResetModel();
    m_repos.clear();
    endResetModel();
    setStatus(Idle);
    return;
  }
  QNetworkRequest request(searchUrl(m_endpoint, query.trimmed()));
  applyToken(request, m_token);
  request.setTransferTimeout(20000);
  QNetworkReply *reply = m_network.get(request);
  m_searchReply = reply;
  setStatus(Searching);
  connect(reply, &QNetworkReply::finished, this, [this, reply] {
    reply->deleteLater();
    if (reply != m_searchReply || reply->error() == QNetworkReply::OperationCanceledError)
      return;
    if (reply->error() != QNetworkReply::NoError) {
      failed(reply);
      return;
    }
    auto repos = parseSearch(reply->readAll());
    if (!repos) {
      setStatus(Error, QString::fromStdString(repos.error().message));
      return;
    }
    beginResetModel();
    m_repos = std::move(*repos);
    endResetModel();
    setStatus(Ready);
  });
}

void HubSearch::listFiles(const QString &repo)
{
  if (m_filesReply)
    m_filesReply->abort();
  m_filesRepo = repo;
  m_files.clear();
  emit filesChanged();
  if (!isValidRepo(repo))
    return;
  QNetworkRequest request(treeUrl(m_endpoint, repo));
  applyToken(request, m_token);
  request.setTransferTimeout(20000);
  QNetworkReply *reply = m_network.get(request);
  m_filesReply = reply;
  connect(reply, &QNetworkReply::finished, this, [this, reply] {
    reply->deleteLater();
    if (reply != m_filesReply || reply->error() == QNetworkReply::OperationCanceledError)
      return;
    if (reply->error() != QNetworkReply::NoError) {
      failed(reply);
      return;
    }
    auto files = parseTree(reply->readAll());
    if (!files) {
      setStatus(Error, QString::fromStdString(files.error().message));
      return;
    }
    for (const HubFile &f : *files)
      if (f.path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive))
        m_files.append(QVariantMap{{QStringLiteral("path"), f.path}, {QStringLiteral("size"), f.size},
                                   {QStringLiteral("sha256"), QString::fromLatin1(f.sha256)}});
    emit filesChanged();
  });
}

} // namespace hearth::library
