#include "library/Download.h"

#include "library/HubApi.h"
#include "library/ModelPaths.h"

#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSaveFile>
#include <QtConcurrent/QtConcurrentRun>

namespace hearth::library {
namespace {

using HashPtr = std::shared_ptr<QCryptographicHash>;

// SHA-256 of the first `size` bytes of `path` (runs on a worker thread).
HashPtr hashPrefix(const QString &path, qint64 size)
{
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly))
    return nullptr;
  auto hash = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha256);
  QByteArray buffer(4 << 20, Qt::Uninitialized);
  qint64 left = size;
  while (left > 0) {
    const qint64 n = file.read(buffer.data(), std::min<qint64>(left, buffer.size()));
    if (n <= 0)
      return nullptr;
    hash->addData(QByteArrayView(buffer.constData(), n));
    left -= n;
  }
  return hash;
}

QString megabytes(qint64 bytes)
{
  return QString::number(double(bytes) / 1e6, 'f', 1) + QStringLiteral(" MB");
}

} // namespace

Download::Download(const DownloadEnv *env, QString repo, QString file, QObject *parent)
  : QObject(parent), m_env(env), m_repo(std::move(repo)), m_file(std::move(file)),
    m_name(localModelName(m_file))
{
  m_retryTimer.setSingleShot(true);
  connect(&m_retryTimer, &QTimer::timeout, this, [this] {
    if (m_total > 0 && !m_expectedSha.isEmpty())
      prepareFile();
    else
      fetchMetadata();
  });
}

Download::~Download()
{
  stopNetwork();
}

QString Download::finalPath() const { return m_env->dir + QLatin1Char('/') + m_name; }
QString Download::partPath() const { return finalPath() + QStringLiteral(".part"); }
QString Download::statePath() const { return finalPath() + QStringLiteral(".download.json"); }

QString Download::stateName(State state)
{
  static const char *const names[] = {"queued", "checking", "downloading", "paused",
                                      "verifying", "completed", "failed", "cancelled"};
  return QString::fromLatin1(names[int(state)]);
}

qint64 Download::etaSeconds() const
{
  if (m_speed <= 0 || m_total <= 0)
    return -1;
  return qint64(double(m_total - m_received) / m_speed + 0.5);
}

Download *Download::restore(const DownloadEnv *env, const QString &statePath, QObject *parent)
{
  QFile file(statePath);
  if (!file.open(QIODevice::ReadOnly))
    return nullptr;
  const QJsonObject o = QJsonDocument::fromJson(file.read(1 << 16)).object();
  const QString repo = o.value(QLatin1String("repo")).toString();
  const QString hubFile = o.value(QLatin1String("file")).toString();
  const qint64 size = qint64(o.value(QLatin1String("size")).toDouble(0));
  if (!isValidRepo(repo) || localModelName(hubFile).isEmpty() || size <= 0)
    return nullptr;
  auto *d = new Download(env, repo, hubFile, parent);
  if (d->statePath() != statePath) { // the state file must describe its own name
    delete d;
    return nullptr;
  }
  d->m_total = size;
  d->m_expectedSha = sha256FromEtag(o.value(QLatin1String("sha256")).toString().toLatin1());
  d->m_received = std::min(QFileInfo(d->partPath()).size(), size);
  d->m_state = State::Paused;
  return d;
}

void Download::setState(State state)
{
  m_state = state;
  if (state != State::Downloading) {
    m_speed = 0;
    m_samples.clear();
  }
  emit changed();
}

void Download::start()
{
  if (m_name.isEmpty()) {
    failWith(QStringLiteral("'%1' is not a .gguf file name Hearth can install").arg(m_file));
    return;
  }
  if (m_state == State::Checking || m_state == State::Downloading || m_state == State::Verifying
      || m_state == State::Completed)
    return;
  if (!isValidRepo(m_repo)) {
    failWith(QStringLiteral("'%1' is not a Hugging Face repository (owner/name)").arg(m_repo));
    return;
  }
  m_error.clear();
  m_attempt = 0;
  ++m_generation;
  setState(State::Checking);
  if (m_total > 0 && !m_expectedSha.isEmpty())
    prepareFile();
  else
    fetchMetadata();
}

void Download::pause()
{
  if (m_state != State::Checking && m_state != State::Downloading && m_state != State::Queued)
    return;
  if (m_reply && m_headersChecked && m_state == State::Downloading) {
    const QByteArray rest = m_reply->readAll(); // keep what already arrived
    if (!rest.isEmpty() && !writeChunk(rest))
      return;
  }
  stopNetwork();
  m_retryTimer.stop();
  ++m_generation;
  setState(State::Paused);
}

void Download::cancel()
{
  stopNetwork();
  m_retryTimer.stop();
  ++m_generation;
  m_part.close();
  m_env->disk->release(QFileInfo(partPath()).size());
  QFile::remove(partPath());
  QFile::remove(statePath());
  m_received = 0;
  m_hash.reset();
  m_hashed = 0;
  setState(State::Cancelled);
  emit finished(false);
}

void Download::failWith(const QString &message, bool deletePartial)
{
  stopNetwork();
  m_retryTimer.stop();
  ++m_generation;
  m_error = message;
  if (deletePartial) {
    m_part.close();
    m_env->disk->release(QFileInfo(partPath()).size());
    QFile::remove(partPath());
    QFile::remove(statePath());
    m_received = 0;
    m_hash.reset();
    m_hashed = 0;
  }
  setState(State::Failed);
  emit finished(false);
}

void Download::stopNetwork()
{
  if (QNetworkReply *reply = m_reply) {
    m_reply = nullptr;
    reply->disconnect(this);
    reply->abort();
    reply->deleteLater();
  }
}

bool Download::saveState() const
{
  QJsonObject o{{QStringLiteral("version"), 1}, {QStringLiteral("repo"), m_repo},
                {QStringLiteral("file"), m_file}, {QStringLiteral("size"), double(m_total)},
                {QStringLiteral("sha256"), QString::fromLatin1(m_expectedSha)}};
  QSaveFile file(statePath());
  if (!file.open(QIODevice::WriteOnly))
    return false;
  file.write(QJsonDocument(o).toJson(QJsonDocument::Indented));
  return file.commit();
}

void Download::fetchMetadata()
{
  QNetworkRequest request(treeUrl(m_env->endpoint, m_repo));
  applyToken(request, m_env->token);
  request.setTransferTimeout(30000);
  QNetworkReply *reply = m_env->network->get(request);
  m_reply = reply;
  connect(reply, &QNetworkReply::finished, this, [this, reply] { onMetadata(reply); });
}

void Download::onMetadata(QNetworkReply *reply)
{
  if (reply != m_reply)
    return;
  m_reply = nullptr;
  reply->deleteLater();
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (reply->error() != QNetworkReply::NoError) {
    if (status == 0 || status == 429 || status >= 500)
      scheduleRetry(QStringLiteral("cannot list the files of %1: %2").arg(m_repo, reply->errorString()));
    else if (status == 401 || status == 403)
      failWith(QStringLiteral("access to %1 denied (HTTP %2): it may be gated; accept its licence "
                              "on Hugging Face and set a token").arg(m_repo).arg(status));
    else
      failWith(QStringLiteral("cannot list the files of %1: HTTP %2").arg(m_repo).arg(status));
    return;
  }
  auto files = parseTree(reply->readAll());
  if (!files) {
    failWith(QString::fromStdString(files.error().message));
    return;
  }
  const auto it = std::find_if(files->begin(), files->end(), [&](const HubFile &f) { return f.path == m_file; });
  if (it == files->end()) {
    failWith(QStringLiteral("%1 has no file named %2").arg(m_repo, m_file));
    return;
  }
  if (it->size <= 0) {
    failWith(QStringLiteral("the Hub lists %1 as empty; refusing it").arg(m_file));
    return;
  }
  m_total = it->size;
  m_expectedSha = it->sha256; // may be empty: then X-Linked-Etag must provide it
  saveState();
  emit changed();
  prepareFile();
}

void Download::prepareFile()
{
  if (QFileInfo::exists(finalPath())) {
    failWith(QStringLiteral("%1 is already installed").arg(m_name));
    return;
  }
  if (!m_part.isOpen()) {
    m_part.setFileName(partPath());
    if (!m_part.open(QIODevice::ReadWrite | QIODevice::Unbuffered)) {
      failWith(QStringLiteral("cannot open %1: %2").arg(partPath(), m_part.errorString()));
      return;
    }
    m_hash.reset();
    m_hashed = 0;
  }
  qint64 have = m_part.size();
  if (have > m_total) { // not the file we expect: start over
    m_part.resize(0);
    m_env->disk->release(have);
    have = 0;
    m_hash.reset();
    m_hashed = 0;
  }
  m_part.seek(have);
  m_received = have;
  const qint64 need = m_total - have;
  const qint64 available = m_env->disk->available();
  if (available >= 0 && available < need) {
    failWith(QStringLiteral("not enough free space in %1: %2 needs %3 more, %4 available")
                 .arg(m_env->dir, m_name, megabytes(need), megabytes(available)));
    return;
  }
  if (m_hash && m_hashed == have) {
    request();
    return;
  }
  rehashThenRequest();
}

void Download::rehashThenRequest()
{
  const qint64 size = m_received;
  if (size == 0) {
    m_hash = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha256);
    m_hashed = 0;
    request();
    return;
  }
  setState(State::Checking);
  auto *watcher = new QFutureWatcher<HashPtr>(this);
  const int generation = m_generation;
  connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, size] {
    watcher->deleteLater();
    if (generation != m_generation)
      return; // paused or cancelled meanwhile
    HashPtr hash = watcher->result();
    if (!hash) {
      failWith(QStringLiteral("cannot read %1").arg(partPath()));
      return;
    }
    m_hash = std::move(hash);
    m_hashed = size;
    if (m_received == m_total)
      finalize();
    else
      request();
  });
  watcher->setFuture(QtConcurrent::run(hashPrefix, partPath(), size));
}

void Download::request(const QUrl &redirect)
{
  const QUrl hub(m_env->endpoint);
  const QUrl url = redirect.isEmpty() ? fileUrl(m_env->endpoint, m_repo, m_file) : redirect;
  m_hops = redirect.isEmpty() ? 0 : m_hops + 1;
  // Qt keeps every header on a redirect, Authorization included: with a token, each
  // redirect is checked, and one that leaves the Hub's origin is followed without it.
  const bool withToken = !m_env->token.isEmpty() && url.scheme() == hub.scheme()
                         && url.host() == hub.host() && url.port(0) == hub.port(0);
  QNetworkRequest request(url);
  request.setRawHeader("Accept-Encoding", "identity"); // byte offsets must be file offsets
  request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                       withToken ? QNetworkRequest::UserVerifiedRedirectPolicy
                                 : QNetworkRequest::NoLessSafeRedirectPolicy);
  request.setTransferTimeout(60000);
  if (withToken)
    applyToken(request, m_env->token);
  m_requestOffset = m_received;
  if (m_requestOffset > 0)
    request.setRawHeader("Range", "bytes=" + QByteArray::number(m_requestOffset) + '-');
  m_headersChecked = false;
  if (!m_clock.isValid())
    m_clock.start();
  setState(State::Downloading);
  QNetworkReply *reply = m_env->network->get(request);
  m_reply = reply;
  connect(reply, &QNetworkReply::readyRead, this, &Download::onReadyRead);
  connect(reply, &QNetworkReply::finished, this, &Download::onFinished);
  connect(reply, &QNetworkReply::redirected, this, [this, reply, withToken, url, hub](const QUrl &to) {
    // Hugging Face puts the LFS SHA-256 on the redirect to its CDN.
    if (m_expectedSha.isEmpty())
      m_expectedSha = sha256FromEtag(reply->rawHeader("X-Linked-Etag"));
    if (!withToken)
      return; // NoLessSafeRedirectPolicy follows it
    const QUrl target = url.resolved(to);
    if (target.scheme() == hub.scheme() && target.host() == hub.host() && target.port(0) == hub.port(0)) {
      emit reply->redirectAllowed();
      return;
    }
    stopNetwork();
    if (m_hops >= 10 || (url.scheme() == QLatin1String("https") && target.scheme() != QLatin1String("https")))
      failWith(QStringLiteral("refused a redirect of %1 to %2").arg(m_file, target.toString()));
    else
      this->request(target);
  });
}

bool Download::checkHeaders()
{
  m_headersChecked = true;
  QNetworkReply *reply = m_reply;
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  const QByteArray linked = sha256FromEtag(reply->rawHeader("X-Linked-Etag"));
  if (m_expectedSha.isEmpty() && !linked.isEmpty()) {
    m_expectedSha = linked;
    saveState();
  } else if (!linked.isEmpty() && linked != m_expectedSha && (status == 200 || status == 206)) {
    failWith(QStringLiteral("the Hub gives two different SHA-256 for %1 (%2 and %3); it may have "
                            "changed upstream, the partial download was deleted")
                 .arg(m_file, QString::fromLatin1(m_expectedSha), QString::fromLatin1(linked)), true);
    return false;
  }
  const QByteArray lengthHeader = reply->rawHeader("Content-Length");
  bool hasLength = false;
  const qint64 length = lengthHeader.toLongLong(&hasLength);
  switch (status) {
  case 206: {
    static const QRegularExpression re(QStringLiteral("^bytes (\\d+)-(\\d+)/(\\d+|\\*)$"));
    const QString range = QString::fromLatin1(reply->rawHeader("Content-Range")).trimmed();
    const auto m = re.match(range);
    const bool ok = m.hasMatch() && m.captured(1).toLongLong() == m_requestOffset
                    && m.captured(2).toLongLong() == m_total - 1
                    && (m.captured(3) == QLatin1String("*") || m.captured(3).toLongLong() == m_total);
    if (!ok) {
      failWith(QStringLiteral("the server answered a request for bytes %1- of %2 with Content-Range '%3'; "
                              "the partial download is kept").arg(m_requestOffset).arg(m_file, range));
      return false;
    }
    break;
  }
  case 200:
    if (m_requestOffset > 0)
      restartFromZero(); // the server ignored Range: appending would corrupt the file
    if (hasLength && length != m_total) {
      failWith(length == 0 ? QStringLiteral("the server sent an empty body for %1").arg(m_file)
                           : QStringLiteral("the server sent %1 bytes for %2, the Hub lists %3")
                                 .arg(length).arg(m_file).arg(m_total));
      return false;
    }
    break;
  case 416:
    if (m_requestOffset == m_total) { // everything is already here
      stopNetwork();
      finalize();
    } else {
      stopNetwork();
      restartFromZero();
      scheduleRetry(QStringLiteral("the server refused the range %1-").arg(m_requestOffset));
    }
    return false;
  case 401:
  case 403:
    failWith(QStringLiteral("access to %1 denied (HTTP %2): it may be gated; accept its licence on "
                            "Hugging Face and set a token").arg(m_repo).arg(status));
    return false;
  case 404:
    failWith(QStringLiteral("%1 not found in %2 (HTTP 404)").arg(m_file, m_repo));
    return false;
  default:
    stopNetwork();
    if (status == 429 || status >= 500)
      scheduleRetry(QStringLiteral("HTTP %1 from the server").arg(status));
    else
      failWith(QStringLiteral("unexpected HTTP %1 for %2").arg(status).arg(m_file));
    return false;
  }
  if (m_expectedSha.isEmpty()) {
    failWith(QStringLiteral("the Hub gives no SHA-256 for %1; Hearth installs only verified files").arg(m_file));
    return false;
  }
  return true;
}

void Download::restartFromZero()
{
  m_env->disk->release(m_part.size());
  m_part.resize(0);
  m_part.seek(0);
  m_hash = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha256);
  m_hashed = 0;
  m_received = 0;
  m_requestOffset = 0;
  ++m_restarts;
}

void Download::onReadyRead()
{
  if (!m_reply || sender() != m_reply)
    return;
  if (!m_headersChecked && !checkHeaders())
    return;
  const QByteArray data = m_reply->readAll();
  if (!data.isEmpty())
    writeChunk(data);
}

bool Download::writeChunk(const QByteArray &data)
{
  if (m_received + data.size() > m_total) {
    failWith(QStringLiteral("the server sent more than the %1 bytes of %2; the partial download was deleted")
                 .arg(m_total).arg(m_file), true);
    return false;
  }
  const qint64 allowed = m_env->disk->grant(data.size());
  const qint64 written = allowed > 0 ? m_part.write(data.constData(), allowed) : 0;
  if (written > 0) {
    m_hash->addData(QByteArrayView(data.constData(), written));
    m_hashed += written;
    m_received += written;
  }
  if (written < data.size()) {
    if (written < allowed)
      m_env->disk->release(allowed - std::max<qint64>(written, 0));
    failWith(QStringLiteral("disk full: %1 stopped at %2 of %3; the partial download is kept, "
                            "free some space and resume")
                 .arg(m_name, megabytes(m_received), megabytes(m_total)));
    return false;
  }
  updateSpeed();
  emit changed();
  return true;
}

void Download::onFinished()
{
  QNetworkReply *reply = m_reply;
  if (!reply || sender() != reply)
    return;
  const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
  if (status != 0 && !m_headersChecked && !checkHeaders())
    return;
  if (status != 0) {
    const QByteArray rest = reply->readAll();
    if (!rest.isEmpty() && !writeChunk(rest))
      return;
  }
  const QString errorText = reply->errorString();
  const bool networkError = reply->error() != QNetworkReply::NoError;
  m_reply = nullptr;
  reply->deleteLater();
  if (m_received == m_total) {
    finalize();
    return;
  }
  scheduleRetry(networkError ? errorText
                             : QStringLiteral("the transfer ended at %1 of %2 bytes").arg(m_received).arg(m_total));
}

void Download::scheduleRetry(const QString &reason)
{
  ++m_attempt;
  if (m_attempt > m_env->maxRetries) {
    failWith(QStringLiteral("%1; gave up after %2 attempts, the partial download is kept: resume to continue")
                 .arg(reason).arg(m_attempt));
    return;
  }
  const int delay = std::min(m_env->retryBaseMs << std::min(m_attempt - 1, 16), 60000);
  m_error = QStringLiteral("%1; retrying in %2 s").arg(reason).arg(delay / 1000.0, 0, 'f', 1);
  m_speed = 0;
  m_samples.clear();
  emit changed();
  m_retryTimer.start(delay);
}

void Download::finalize()
{
  setState(State::Verifying);
  m_part.close();
  const QByteArray actual = m_hash ? m_hash->result().toHex() : QByteArray();
  if (actual != m_expectedSha) {
    failWith(QStringLiteral("SHA-256 mismatch for %1: expected %2, got %3; the downloaded file was deleted")
                 .arg(m_name, QString::fromLatin1(m_expectedSha), QString::fromLatin1(actual)), true);
    return;
  }
  if (QFileInfo::exists(finalPath())) {
    failWith(QStringLiteral("%1 is already installed").arg(m_name));
    return;
  }
  if (!QFile::rename(partPath(), finalPath())) { // same directory: an atomic rename
    failWith(QStringLiteral("cannot rename %1 to %2").arg(partPath(), finalPath()));
    return;
  }
  QFile::remove(statePath());
  m_error.clear();
  setState(State::Completed);
  emit finished(true);
}

void Download::updateSpeed()
{
  const qint64 now = m_clock.elapsed();
  m_samples.emplace_back(now, m_received);
  while (m_samples.size() > 2 && m_samples.front().first < now - 3000)
    m_samples.pop_front();
  const auto [t0, r0] = m_samples.front();
  if (now - t0 >= 200)
    m_speed = double(m_received - r0) * 1000.0 / double(now - t0);
}

} // namespace hearth::library
