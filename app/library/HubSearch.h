// Hugging Face search for the Models page: GGUF repositories matching a query, and
// the .gguf files of one repository with their sizes. Offline (no connection to the
// Hub) is a state of its own, so the page can say so while the catalog still shows.
#pragma once

#include <QAbstractListModel>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include "library/HubApi.h"

namespace hearth::library {

class HubSearch : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(Status status READ status NOTIFY statusChanged)
  Q_PROPERTY(QString errorString READ errorString NOTIFY statusChanged)
  Q_PROPERTY(QString filesRepo READ filesRepo NOTIFY filesChanged)
  // [{path, size, sha256}] of the .gguf files of filesRepo.
  Q_PROPERTY(QVariantList files READ files NOTIFY filesChanged)

public:
  enum Status { Idle = 0, Searching = 1, Ready = 2, Offline = 3, Error = 4 };
  Q_ENUM(Status)
  enum Role { RepoRole = Qt::UserRole + 1, DownloadsRole, LikesRole };

  explicit HubSearch(QObject *parent = nullptr); // hubEndpoint(), loadToken()
  HubSearch(QString endpoint, QObject *parent = nullptr);

  int rowCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  Status status() const { return m_status; }
  QString errorString() const { return m_error; }
  QString filesRepo() const { return m_filesRepo; }
  QVariantList files() const { return m_files; }

  Q_INVOKABLE void search(const QString &query);
  Q_INVOKABLE void listFiles(const QString &repo);
  void setToken(const QString &token) { m_token = token; }

signals:
  void statusChanged();
  void filesChanged();

private:
  void setStatus(Status status, const QString &error = {});
  void failed(QNetworkReply *reply);

  QString m_endpoint;
  QString m_token;
  QNetworkAccessManager m_network;
  QPointer<QNetworkReply> m_searchReply;
  QPointer<QNetworkReply> m_filesReply;
  std::vector<HubRepo> m_repos;
  Status m_status = Idle;
  QString m_error;
  QString m_filesRepo;
  QVariantList m_files;
};

} // namespace hearth::library
