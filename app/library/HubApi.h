// Hugging Face Hub endpoints and the parsing of their answers. Every request goes to
// one base URL: https://huggingface.co unless HEARTH_HF_ENDPOINT overrides it (tests
// point it at a local server). TLS verification is never altered anywhere in Hearth.
//
//   search:  GET {base}/api/models?search=Q&filter=gguf&sort=downloads&direction=-1&limit=N
//   files:   GET {base}/api/models/{repo}/tree/main   -> [{path, size, lfs: {oid: sha256}}]
//   file:    GET {base}/{repo}/resolve/main/{path}     (Range: bytes=N- to resume;
//            the X-Linked-Etag header carries the LFS SHA-256 too)
#pragma once

#include "hearth/error.h"

#include <QByteArray>
#include <QNetworkReply>
#include <QString>
#include <QUrl>

#include <vector>

class QNetworkRequest;

namespace hearth::library {

struct HubFile {
  QString path;
  qint64 size = 0;
  QByteArray sha256; // lowercase hex, empty when the file is not stored in LFS
};

struct HubRepo {
  QString id; // owner/name
  qint64 downloads = 0;
  qint64 likes = 0;
};

QString hubEndpoint(); // without a trailing slash

bool isValidRepo(const QString &repo); // owner/name of [A-Za-z0-9._-]
QUrl searchUrl(const QString &base, const QString &query, int limit = 30);
QUrl treeUrl(const QString &base, const QString &repo);
QUrl fileUrl(const QString &base, const QString &repo, const QString &path);

Result<std::vector<HubRepo>> parseSearch(const QByteArray &json);
Result<std::vector<HubFile>> parseTree(const QByteArray &json);
// A SHA-256 from an ETag-like header value ("abc..." or W/"abc..."), empty otherwise.
QByteArray sha256FromEtag(const QByteArray &value);

// Network errors that mean "no connection" rather than "the server said no".
bool isOfflineError(QNetworkReply::NetworkError error);

// Optional Hugging Face token for gated models (TokenStore.cpp): in the system keyring
// through `secret-tool` when a Secret Service answers, else in $HEARTH_DATA_DIR/hf-token,
// mode 0600.
enum class TokenLocation { None, Keyring, File };
QString tokenPath();
QString loadToken();                     // empty if none
Status saveToken(const QString &token);  // empty token removes it from both places
TokenLocation tokenLocation();
void applyToken(QNetworkRequest &request, const QString &token);

} // namespace hearth::library
