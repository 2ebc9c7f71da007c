// All downloads, as a list model for the Models page: several run at once, each with
// bytes, speed, ETA and state; pause, resume and cancel by row. Downloads left by an
// earlier run (a ".download.json" beside a ".part" in the models directory) come back
// paused.
#pragma once

#include "library/DiskBudget.h"
#include "library/Download.h"

#include <QAbstractListModel>
#include <QNetworkAccessManager>
#include <QtQml/qqmlregistration.h>

#include <memory>
#include <vector>

namespace hearth::library {

class DownloadManager : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
  Q_PROPERTY(int active READ activeCount NOTIFY activeChanged)

public:
  enum Role {
    RepoRole = Qt::UserRole + 1, FileRole, NameRole, StateRole, ReceivedRole, TotalRole,
    ProgressRole, SpeedRole, EtaRole, ErrorRole, PathRole,
  };

  struct Config {
    QString dir;       // models directory
    QString endpoint;  // Hugging Face base URL
    QString token;     // optional
  };

  explicit DownloadManager(QObject *parent = nullptr); // modelsDir(), hubEndpoint(), loadToken()
  DownloadManager(Config config, QObject *parent = nullptr);
  ~DownloadManager() override;

  int rowCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

  // Starts (or resumes) downloading `file` of `repo`; returns its row.
  Q_INVOKABLE int download(const QString &repo, const QString &file);
  Q_INVOKABLE void pause(int row);
  Q_INVOKABLE void resume(int row);
  Q_INVOKABLE void cancel(int row);         // deletes the partial file, removes the row
  Q_INVOKABLE void clearFinished();         // drops completed/failed rows from the list
  int activeCount() const;

  Download *at(int row) const;
  int rowOf(const QString &repo, const QString &file) const;

  // Test and CLI hooks (dependencies by setter, not by global switches).
  void setRetryPolicy(int maxRetries, int baseDelayMs);
  void setDiskLimit(qint64 freeBytes); // simulated free space; < 0 = the real disk
  void setToken(const QString &token) { m_env.token = token; }
  QNetworkAccessManager *network() { return &m_network; }

signals:
  void countChanged();
  void activeChanged();
  void modelInstalled(const QString &path);
  void downloadFailed(const QString &name, const QString &message);

private:
  void restore();
  int append(Download *download);
  void onChanged(Download *download);

  QNetworkAccessManager m_network;
  DiskBudget m_disk;
  DownloadEnv m_env;
  std::vector<Download *> m_downloads; // children of this
};

} // namespace hearth::library
