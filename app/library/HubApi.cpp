#include "library/HubApi.h"

#include "library/ModelPaths.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QUrlQuery>

#include <filesystem>

namespace hearth::library {
namespace {

QString encodePath(const QString &path)
{
  return QString::fromLatin1(QUrl::toPercentEncoding(path, "/"));
}

bool isHex64(const QByteArray &s)
{
  if (s.size() != 64)
    return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

} // namespace

QString hubEndpoint()
{
  QString base = qEnvironmentVariable("HEARTH_HF_ENDPOINT");
  if (base.isEmpty())
    base = QStringLiteral("https://huggingface.co");
  while (base.endsWith(QLatin1Char('/')))
    base.chop(1);
  return base;
}

bool isValidRepo(const QString &repo)
{
  static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$"));
  return repo.size() <= 200 && re.match(repo).hasMatch() && !repo.contains(QLatin1String(".."));
}

QUrl searchUrl(const QString &base, const QString &query, int limit)
{
  QUrl url(base + QStringLiteral("/api/models"));
  QUrlQuery q;
  q.addQueryItem(QStringLiteral("search"), query);
  q.addQueryItem(QStringLiteral("filter"), QStringLiteral("gguf"));
  q.addQueryItem(QStringLiteral("sort"), QStringLiteral("downloads"));
  q.addQueryItem(QStringLiteral("direction"), QStringLiteral("-1"));
  q.addQueryItem(QStringLiteral("limit"), QString::number(limit));
  url.setQuery(q);
  return url;
}

QUrl treeUrl(const QString &base, const QString &repo)
{
  return QUrl(base + QStringLiteral("/api/models/") + repo + QStringLiteral("/tree/main"));
}

QUrl fileUrl(const QString &base, const QString &repo, const QString &path)
{
  return QUrl(base + QLatin1Char('/') + repo + QStringLiteral("/resolve/main/") + encodePath(path));
}

Result<std::vector<HubRepo>> parseSearch(const QByteArray &json)
{
  const QJsonDocument doc = QJsonDocument::fromJson(json);
  if (!doc.isArray())
    return fail(ErrorCode::Format, "[hub] search answer is not a JSON array");
  std::vector<HubRepo> repos;
  for (const QJsonValue &v : doc.array()) {
    const QJsonObject o = v.toObject();
    QString id = o.value(QLatin1String("id")).toString();
    if (id.isEmpty())
      id = o.value(QLatin1String("modelId")).toString();
    if (!isValidRepo(id))
      continue;
    repos.push_back({id, qint64(o.value(QLatin1String("downloads")).toDouble()),
                     qint64(o.value(QLatin1String("likes")).toDouble())});
  }
  return repos;
}

Result<std::vector<HubFile>> parseTree(const QByteArray &json)
{
  const QJsonDocument doc = QJsonDocument::fromJson(json);
  if (!doc.isArray())
    return fail(ErrorCode::Format, "[hub] file list is not a JSON array");
  std::vector<HubFile> files;
  for (const QJsonValue &v : doc.array()) {
    const QJsonObject o = v.toObject();
    if (o.value(QLatin1String("type")).toString(QStringLiteral("file")) != QLatin1String("file"))
      continue;
    HubFile f;
    f.path = o.value(QLatin1String("path")).toString();
    const double size = o.value(QLatin1String("size")).toDouble(-1);
    if (f.path.isEmpty() || size < 0 || size > 9.0e15)
      return fail(ErrorCode::Format, "[hub] file list entry without a path or a valid size");
    f.size = qint64(size);
    const QJsonObject lfs = o.value(QLatin1String("lfs")).toObject();
    QByteArray sha = lfs.value(QLatin1String("oid")).toString().toLatin1().toLower();
    if (sha.isEmpty())
      sha = lfs.value(QLatin1String("sha256")).toString().toLatin1().toLower();
    if (!sha.isEmpty() && !isHex64(sha))
      return fail(ErrorCode::Format, "[hub] '{}': LFS oid is not a SHA-256", f.path.toStdString());
    if (!lfs.isEmpty()) {
      const double lfsSize = lfs.value(QLatin1String("size")).toDouble(size);
      f.size = qint64(lfsSize);
    }
    f.sha256 = sha;
    files.push_back(std::move(f));
  }
  return files;
}

QByteArray sha256FromEtag(const QByteArray &value)
{
  QByteArray v = value.trimmed();
  if (v.startsWith("W/"))
    v = v.mid(2);
  if (v.size() >= 2 && v.startsWith('"') && v.endsWith('"'))
    v = v.mid(1, v.size() - 2);
  v = v.toLower();
  return isHex64(v) ? v : QByteArray();
}

bool isOfflineError(QNetworkReply::NetworkError error)
{
  switch (error) {
  case QNetworkReply::ConnectionRefusedError:
  case QNetworkReply::HostNotFoundError:
  case QNetworkReply::TimeoutError:
  case QNetworkReply::TemporaryNetworkFailureError:
  case QNetworkReply::NetworkSessionFailedError:
  case QNetworkReply::UnknownNetworkError:
  case QNetworkReply::ProxyConnectionRefusedError:
  case QNetworkReply::ProxyNotFoundError:
    return true;
  default:
    return false;
  }
}

void applyToken(QNetworkRequest &request, const QString &token)
{
  if (!token.isEmpty())
    request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
}

} // namespace hearth::library
