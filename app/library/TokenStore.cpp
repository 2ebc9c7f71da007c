// The Hugging Face token: in the system keyring when one answers, else in a 0600 file.
//
// The keyring is reached through `secret-tool` (libsecret's command-line client), which
// speaks the freedesktop Secret Service protocol that GNOME Keyring, KWallet and KeePassXC
// serve; going through the program keeps Hearth free of a D-Bus/libsecret link and of a
// hang when no service runs (each call is bounded by a timeout). HEARTH_SECRET_TOOL names
// another program with the same command line; HEARTH_NO_KEYRING=1 uses the file only.
//
// A token saved in the keyring is removed from the file, so it lives in one place; a
// keyring that refuses or times out falls back to the file, and reading tries the keyring
// first, then the file.
#include "library/HubApi.h"

#include "library/ModelPaths.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>

#include <filesystem>
#include <optional>

namespace hearth::library {
namespace {

constexpr int k_keyringTimeoutMs = 3000;

const QStringList &attributes()
{
  static const QStringList a{QStringLiteral("application"), QStringLiteral("hearth"), QStringLiteral("kind"),
                             QStringLiteral("huggingface-token")};
  return a;
}

QString keyringTool()
{
  if (qEnvironmentVariableIntValue("HEARTH_NO_KEYRING") == 1)
    return {};
  if (const QString tool = qEnvironmentVariable("HEARTH_SECRET_TOOL"); !tool.isEmpty())
    return tool;
  return QStandardPaths::findExecutable(QStringLiteral("secret-tool"));
}

// Runs the keyring tool; its stdout on exit status 0, nothing otherwise.
std::optional<QByteArray> runKeyring(const QStringList &args, const QByteArray &input = {})
{
  const QString tool = keyringTool();
  if (tool.isEmpty())
    return std::nullopt;
  QProcess process;
  process.start(tool, args);
  if (!process.waitForStarted(k_keyringTimeoutMs))
    return std::nullopt;
  if (!input.isEmpty())
    process.write(input);
  process.closeWriteChannel();
  if (!process.waitForFinished(k_keyringTimeoutMs)) {
    process.kill();
    process.waitForFinished(1000);
    return std::nullopt;
  }
  if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
    return std::nullopt;
  return process.readAllStandardOutput();
}

QString loadTokenFile()
{
  QFile file(tokenPath());
  if (!file.open(QIODevice::ReadOnly))
    return {};
  return QString::fromUtf8(file.read(4096)).trimmed();
}

Status saveTokenFile(const QString &token)
{
  const QString path = tokenPath();
  const QString tmp = path + QStringLiteral(".tmp");
  QFile::remove(tmp);
  QFile file(tmp);
  // Created 0600 from the start: the token is never readable by others, not even briefly.
  if (!file.open(QIODevice::WriteOnly, QFileDevice::ReadOwner | QFileDevice::WriteOwner))
    return fail(ErrorCode::Io, "[hub] cannot write {}: {}", tmp.toStdString(), file.errorString().toStdString());
  const QByteArray data = token.toUtf8() + '\n';
  if (file.write(data) != data.size() || !file.flush())
    return fail(ErrorCode::Io, "[hub] cannot write {}", tmp.toStdString());
  file.close();
  std::error_code ec;
  std::filesystem::rename(tmp.toStdString(), path.toStdString(), ec); // atomic replace
  if (ec)
    return fail(ErrorCode::Io, "[hub] cannot rename {} to {}: {}", tmp.toStdString(), path.toStdString(), ec.message());
  return {};
}

} // namespace

QString tokenPath()
{
  return dataDir() + QStringLiteral("/hf-token");
}

QString loadToken()
{
  if (auto secret = runKeyring(QStringList{QStringLiteral("lookup")} + attributes())) {
    const QString token = QString::fromUtf8(*secret).trimmed();
    if (!token.isEmpty())
      return token;
  }
  return loadTokenFile();
}

Status saveToken(const QString &token)
{
  const QString trimmed = token.trimmed();
  if (trimmed.isEmpty()) {
    (void)runKeyring(QStringList{QStringLiteral("clear")} + attributes());
    QFile::remove(tokenPath());
    return {};
  }
  const QStringList store = QStringList{QStringLiteral("store"), QStringLiteral("--label"),
                                        QStringLiteral("Hearth: Hugging Face token")} +
                            attributes();
  if (runKeyring(store, trimmed.toUtf8())) {
    QFile::remove(tokenPath()); // one place only
    return {};
  }
  return saveTokenFile(trimmed);
}

TokenLocation tokenLocation()
{
  if (auto secret = runKeyring(QStringList{QStringLiteral("lookup")} + attributes());
      secret && !secret->trimmed().isEmpty())
    return TokenLocation::Keyring;
  return QFile::exists(tokenPath()) ? TokenLocation::File : TokenLocation::None;
}

} // namespace hearth::library
