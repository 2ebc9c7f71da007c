#include "FakeHub.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

struct FakeHub::Transfer {
  QPointer<QTcpSocket> socket;
  QByteArray body;     // what remains to send
  qint64 dropAfter = -1;
  int chunkBytes = 0;
  int chunkDelayMs = 0;
  int requestIndex = 0;
};

FakeHub::FakeHub(QObject *parent) : QObject(parent)
{
  connect(&m_server, &QTcpServer::newConnection, this, &FakeHub::onConnection);
}

bool FakeHub::start()
{
  return m_server.listen(QHostAddress::LocalHost, 0);
}

QString FakeHub::url() const
{
  return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort());
}

void FakeHub::addFile(const QString &repo, const QString &path, const QByteArray &content)
{
  m_files[repo + QLatin1Char('/') + path].content = content;
}

HubFaults &FakeHub::faults(const QString &repo, const QString &path)
{
  return m_files[repo + QLatin1Char('/') + path].faults;
}

QList<ServedRequest> FakeHub::fileRequests(const QString &path) const
{
  QList<ServedRequest> out;
  for (const auto &r : m_requests)
    if (r.path.contains(QStringLiteral("/resolve/main/")) && r.path.endsWith(path))
      out.append(r);
  return out;
}

qint64 FakeHub::bodyBytesServed(const QString &path) const
{
  qint64 n = 0;
  for (const auto &r : fileRequests(path))
    n += r.bodyBytes;
  return n;
}

void FakeHub::onConnection()
{
  while (QTcpSocket *socket = m_server.nextPendingConnection()) {
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    auto buffer = std::make_shared<QByteArray>();
    connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer] {
      buffer->append(socket->readAll());
      const qsizetype end = buffer->indexOf("\r\n\r\n");
      if (end < 0 || socket->property("handled").toBool())
        return;
      socket->setProperty("handled", true);
      handle(socket, buffer->left(end));
    });
  }
}

void FakeHub::respond(QTcpSocket *socket, int status, const QByteArray &type, const QByteArray &body)
{
  QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + (status == 200 ? " OK" : " Error")
                    + "\r\nContent-Type: " + type + "\r\nContent-Length: " + QByteArray::number(body.size())
                    + "\r\nConnection: close\r\n\r\n";
  socket->write(head + body);
  socket->disconnectFromHost();
}

void FakeHub::handle(QTcpSocket *socket, const QByteArray &head)
{
  const QList<QByteArray> lines = head.split('\n');
  const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
  const QUrl url(QString::fromLatin1(requestLine.value(1)));
  ServedRequest served;
  served.path = url.path(QUrl::FullyDecoded);
  for (const QByteArray &line : lines) {
    const QByteArray l = line.trimmed();
    if (l.toLower().startsWith("range: bytes="))
      served.rangeStart = l.mid(13).split('-').value(0).toLongLong();
    if (l.toLower().startsWith("authorization:"))
      served.authorization = l.mid(14).trimmed();
  }
  m_requests.append(served);
  const int index = int(m_requests.size()) - 1;
  const QString path = served.path;

  if (path == QLatin1String("/api/models")) {
    m_requests[index].status = 200;
    respond(socket, 200, "application/json", m_search);
    return;
  }
  if (path.startsWith(QLatin1String("/api/models/")) && path.endsWith(QLatin1String("/tree/main"))) {
    const QString repo = path.mid(12, path.size() - 12 - 10);
    QJsonArray list;
    for (auto it = m_files.cbegin(); it != m_files.cend(); ++it) {
      if (!it.key().startsWith(repo + QLatin1Char('/')))
        continue;
      const File &f = it.value();
      const qint64 size = f.faults.listedSize >= 0 ? f.faults.listedSize : f.content.size();
      QJsonObject entry{{"type", "file"}, {"path", it.key().mid(repo.size() + 1)}, {"size", double(size)},
                        {"oid", QString::fromLatin1(QCryptographicHash::hash(f.content, QCryptographicHash::Sha1).toHex())}};
      if (f.faults.lfsInTree)
        entry.insert("lfs", QJsonObject{{"oid", QString::fromLatin1(QCryptographicHash::hash(f.content, QCryptographicHash::Sha256).toHex())},
                                        {"size", double(size)}, {"pointerSize", 134}});
      list.append(entry);
    }
    m_requests[index].status = list.isEmpty() ? 404 : 200;
    respond(socket, list.isEmpty() ? 404 : 200, "application/json", list.isEmpty() ? "{\"error\":\"Repository not found\"}" : QJsonDocument(list).toJson());
    return;
  }
  const qsizetype resolve = path.indexOf(QLatin1String("/resolve/main/"));
  if (resolve > 0) {
    const QString key = path.mid(1, resolve - 1) + QLatin1Char('/') + path.mid(resolve + 14);
    auto it = m_files.find(key);
    if (it == m_files.end()) {
      m_requests[index].status = 404;
      respond(socket, 404, "text/plain", "Entry not found");
      return;
    }
    const File &file = it.value();
    if (!file.faults.redirectTo.isEmpty()) {
      m_requests[index].status = 302;
      socket->write("HTTP/1.1 302 Found\r\nLocation: " + file.faults.redirectTo.toUtf8() + url.toEncoded()
                    + "\r\nX-Linked-Etag: \"" + QCryptographicHash::hash(file.content, QCryptographicHash::Sha256).toHex()
                    + "\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      socket->disconnectFromHost();
      return;
    }
    serveFile(socket, it.value(), served.rangeStart, index);
    return;
  }
  m_requests[index].status = 404;
  respond(socket, 404, "text/plain", "not found");
}

void FakeHub::serveFile(QTcpSocket *socket, File &file, qint64 rangeStart, int requestIndex)
{
  HubFaults &f = file.faults;
  QByteArray content = file.content;
  if (f.flipByteAt >= 0 && f.flipByteAt < content.size())
    content[f.flipByteAt] = char(content[f.flipByteAt] ^ 0x01);
  const qint64 size = content.size();
  QByteArray head;
  QByteArray body;
  const bool partial = rangeStart >= 0 && !f.ignoreRange;
  if (partial) {
    if (rangeStart >= size) {
      m_requests[requestIndex].status = 416;
      respond(socket, 416, "text/plain", "");
      return;
    }
    const qint64 shownStart = f.wrongContentRange ? std::max<qint64>(0, rangeStart - 1000) : rangeStart;
    body = content.mid(rangeStart);
    head = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + QByteArray::number(shownStart) + '-'
           + QByteArray::number(size - 1) + '/' + QByteArray::number(size) + "\r\n";
    m_requests[requestIndex].status = 206;
  } else {
    body = content;
    head = "HTTP/1.1 200 OK\r\n";
    m_requests[requestIndex].status = 200;
  }
  if (f.shortBody >= 0)
    body.truncate(f.shortBody);
  head += "Content-Length: " + QByteArray::number(body.size()) + "\r\nAccept-Ranges: bytes\r\n"
          "Content-Type: application/octet-stream\r\nConnection: close\r\n";
  if (f.linkedEtag)
    head += "X-Linked-Etag: \"" + QCryptographicHash::hash(file.content, QCryptographicHash::Sha256).toHex() + "\"\r\n";
  socket->write(head + "\r\n");

  auto *t = new Transfer;
  t->socket = socket;
  t->body = body;
  t->requestIndex = requestIndex;
  if (f.dropTimes > 0 && f.dropAfter >= 0) {
    --f.dropTimes;
    t->dropAfter = f.dropAfter - (partial ? rangeStart : 0); // drop at this absolute file offset
    if (t->dropAfter < 0)
      t->dropAfter = 0;
  }
  t->chunkBytes = f.chunkBytes;
  t->chunkDelayMs = f.chunkDelayMs;
  pump(t);
}

void FakeHub::pump(Transfer *t)
{
  if (!t->socket || t->socket->state() != QAbstractSocket::ConnectedState) {
    delete t;
    return;
  }
  qint64 n = t->chunkBytes > 0 ? std::min<qint64>(t->chunkBytes, t->body.size()) : t->body.size();
  bool drop = false;
  if (t->dropAfter >= 0 && n >= t->dropAfter) {
    n = t->dropAfter;
    drop = true;
  }
  if (n > 0) {
    t->socket->write(t->body.left(n));
    t->body.remove(0, n);
    m_requests[t->requestIndex].bodyBytes += n;
    if (t->dropAfter >= 0)
      t->dropAfter -= n;
  }
  if (drop || t->body.isEmpty()) {
    t->socket->disconnectFromHost(); // sends what is queued, then closes
    delete t;
    return;
  }
  QTimer::singleShot(t->chunkDelayMs, this, [this, t] { pump(t); });
}
