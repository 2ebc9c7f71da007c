// One model file being downloaded from Hugging Face into the models directory.
//
// Bytes go to "<models>/<name>.part" as they arrive and into a SHA-256 as they are
// written; "<name>.download.json" records what is being fetched (repo, file, size,
// expected SHA-256) so a later run resumes with a Range request from the part file's
// size. The expected hash comes from the Hub's file list (LFS oid) or the
// X-Linked-Etag header. The file is renamed to "<models>/<name>" only when the hash
// matches; a mismatch deletes the part file.
//
// Faults: a 200 answering a Range request restarts from zero; a Content-Range that
// does not start where asked is an error; a dropped connection or short body is
// retried (exponential backoff) from the bytes already on disk; a full disk stops
// the download with a message and keeps the part file. Everything runs on the GUI
// thread's event loop; only re-hashing an existing part file runs on a worker.
#pragma once

#include "library/DiskBudget.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <deque>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace hearth::library {

struct DownloadEnv {
  QNetworkAccessManager *network = nullptr;
  DiskBudget *disk = nullptr;
  QString endpoint;   // hub base URL
  QString token;      // optional Hugging Face token
  QString dir;        // models directory
  int maxRetries = 5;
  int retryBaseMs = 1000;
};

class Download : public QObject {
  Q_OBJECT
public:
  // Shown to QML as strings (see stateName); not stored on disk.
  enum class State { Queued, Checking, Downloading, Paused, Verifying, Completed, Failed, Cancelled };

  Download(const DownloadEnv *env, QString repo, QString file, QObject *parent = nullptr);
  ~Download() override;

  // A download found on disk from an earlier run (state file + part file); nullptr if
  // the state file is unreadable.
  static Download *restore(const DownloadEnv *env, const QString &statePath, QObject *parent);

  void start();  // also resumes
  void pause();
  void cancel(); // deletes the part and state files

  QString repo() const { return m_repo; }
  QString file() const { return m_file; }
  QString name() const { return m_name; } // local file name
  State state() const { return m_state; }
  static QString stateName(State state);
  qint64 received() const { return m_received; }
  qint64 total() const { return m_total; }
  double bytesPerSecond() const { return m_speed; }
  qint64 etaSeconds() const; // -1 when unknown
  QString errorString() const { return m_error; }
  QString finalPath() const;
  QString partPath() const;
  QString statePath() const;
  QByteArray expectedSha256() const { return m_expectedSha; }
  int attempts() const { return m_attempt; }
  int restartsFromZero() const { return m_restarts; }

signals:
  void changed();
  void finished(bool installed);

private:
  void setState(State state);
  void failWith(const QString &message, bool deletePartial = false);
  void fetchMetadata();
  void onMetadata(QNetworkReply *reply);
  void prepareFile();
  void rehashThenRequest();
  // GETs the file from the Hub, or from `redirect` (a host the Hub sent us to). The
  // token goes to the Hub's origin only: a redirect elsewhere is followed here, without it.
  void request(const QUrl &redirect = {});
  bool checkHeaders();
  void onReadyRead();
  void onFinished();
  bool writeChunk(const QByteArray &data);
  void restartFromZero();
  void scheduleRetry(const QString &reason);
  void finalize();
  void stopNetwork();
  bool saveState() const;
  void updateSpeed();

  const DownloadEnv *m_env;
  QString m_repo, m_file, m_name;
  State m_state = State::Queued;
  qint64 m_total = 0;
  qint64 m_received = 0;
  QByteArray m_expectedSha;
  QString m_error;

  QPointer<QNetworkReply> m_reply;
  QFile m_part;
  std::shared_ptr<QCryptographicHash> m_hash; // over bytes [0, m_hashed)
  qint64 m_hashed = 0;
  qint64 m_requestOffset = 0;
  bool m_headersChecked = false;
  int m_attempt = 0;
  int m_restarts = 0;
  int m_generation = 0; // invalidates a running re-hash after pause/cancel
  int m_hops = 0;       // redirects followed by hand for the current request
  QTimer m_retryTimer;

  QElapsedTimer m_clock;
  std::deque<std::pair<qint64, qint64>> m_samples; // (ms, received)
  double m_speed = 0;
};

} // namespace hearth::library
