// A small HTTP/1.1 server on 127.0.0.1 that imitates the Hugging Face Hub for tests:
// model search, the tree API (sizes, LFS SHA-256), file downloads with Range/206 and
// X-Linked-Etag, and byte-level faults: dropped connections, 200 answering a Range
// request, wrong Content-Range, short or empty bodies, a flipped byte, throttling.
// It counts the body bytes it serves per request so tests can check what a resume
// re-fetched. Built on QTcpServer for control over every byte and every close.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTcpServer>

class QTcpSocket;

struct HubFaults {
  qint64 dropAfter = -1;        // close the connection after this many body bytes...
  int dropTimes = 0;            // ...for this many requests
  bool ignoreRange = false;     // answer Range requests with 200 and the whole file
  bool wrongContentRange = false; // 206 whose Content-Range starts 1000 bytes early
  qint64 shortBody = -1;        // send only this many bytes, with a matching Content-Length
  qint64 flipByteAt = -1;       // serve this byte XOR 0x01
  int chunkBytes = 0;           // throttle: send this many bytes...
  int chunkDelayMs = 0;         // ...every this many ms
  bool lfsInTree = true;        // tree API lists lfs.oid (else only X-Linked-Etag has it)
  bool linkedEtag = true;       // file responses carry X-Linked-Etag
  qint64 listedSize = -1;       // size the tree API reports (default: the real size)
  QString redirectTo;           // answer file requests with 302 to this base URL + the same
                                // path, X-Linked-Etag on the redirect (as the Hub does for its CDN)
};

struct ServedRequest {
  QString path;
  qint64 rangeStart = -1; // -1: no Range header
  int status = 0;
  qint64 bodyBytes = 0;   // body bytes written to the socket
  QByteArray authorization;
};

class FakeHub : public QObject {
  Q_OBJECT
public:
  explicit FakeHub(QObject *parent = nullptr);
  bool start();
  QString url() const; // http://127.0.0.1:PORT

  void addFile(const QString &repo, const QString &path, const QByteArray &content);
  HubFaults &faults(const QString &repo, const QString &path);
  void setSearchAnswer(const QByteArray &json) { m_search = json; }

  const QList<ServedRequest> &requests() const { return m_requests; }
  QList<ServedRequest> fileRequests(const QString &path) const;
  qint64 bodyBytesServed(const QString &path) const;

private:
  struct File { QByteArray content; HubFaults faults; };
  struct Transfer;
  void onConnection();
  void handle(QTcpSocket *socket, const QByteArray &head);
  void respond(QTcpSocket *socket, int status, const QByteArray &type, const QByteArray &body);
  void serveFile(QTcpSocket *socket, File &file, qint64 rangeStart, int requestIndex);
  void pump(Transfer *transfer);

  QTcpServer m_server;
  QHash<QString, File> m_files; // "repo/path"
  QByteArray m_search = "[]";
  QList<ServedRequest> m_requests;
};
