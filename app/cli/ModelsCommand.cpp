// hearth models list | search QUERY | pull REPO FILE | pull CATALOG_ID |
//               import PATH [--move|--link] | rm NAME [--yes]
#include "cli/Cli.h"

#include "library/Catalog.h"
#include "library/DownloadManager.h"
#include "library/HubSearch.h"
#include "library/InstalledModels.h"
#include "library/ModelPaths.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <unistd.h>

namespace hearth::cli {
namespace {

using namespace hearth::library;

constexpr const char *k_usage =
    "usage: hearth models list | search QUERY | pull REPO FILE | pull CATALOG_ID | "
    "import PATH [--move|--link] | rm NAME [--yes]";

// Subcommands that talk to the network need an event loop.
std::unique_ptr<QCoreApplication> ensureApp()
{
  if (QCoreApplication::instance())
    return nullptr;
  static int argc = 1;
  static char name[] = "hearth";
  static char *argv[] = {name, nullptr};
  auto app = std::make_unique<QCoreApplication>(argc, argv);
  QCoreApplication::setApplicationName(QStringLiteral("Hearth"));
  QCoreApplication::setOrganizationName(QStringLiteral("Hearth"));
  return app;
}

std::string human(double bytes)
{
  const char *units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
  return buf;
}

int list()
{
  auto app = ensureApp();
  InstalledModels models;
  std::printf("models in %s\n", qPrintable(models.directory()));
  if (models.rowCount() == 0)
    std::printf("(none: try 'hearth models pull qwen2.5-0.5b-instruct-q4_k_m')\n");
  for (int row = 0; row < models.rowCount(); ++row) {
    const QString file = models.data(models.index(row), InstalledModels::FileNameRole).toString();
    const char *mark = file == models.defaultModel() ? "*" : " ";
    const ModelFacts *f = models.facts(row);
    if (!f) {
      std::printf("%s %s  INVALID: %s\n", mark, qPrintable(file),
                  qPrintable(models.data(models.index(row), InstalledModels::ErrorRole).toString()));
      continue;
    }
    std::printf("%s %s  %s, %s, %s params, %s, context %u%s\n", mark, qPrintable(file), qPrintable(f->architecture),
                human(double(f->fileSize)).c_str(), human(double(f->parameters)).c_str() /* counts, not bytes */,
                qPrintable(f->quant), f->contextLength, f->supported ? "" : " (architecture not supported yet)");
  }
  return 0;
}

int search(const QString &query)
{
  auto app = ensureApp();
  HubSearch hub;
  QEventLoop loop;
  QObject::connect(&hub, &HubSearch::statusChanged, &loop, [&] {
    if (hub.status() != HubSearch::Searching)
      loop.quit();
  });
  hub.search(query);
  if (hub.status() == HubSearch::Searching)
    loop.exec();
  if (hub.status() == HubSearch::Offline) {
    printError("offline: " + hub.errorString().toStdString());
    return 1;
  }
  if (hub.status() != HubSearch::Ready) {
    printError("search failed: " + hub.errorString().toStdString());
    return 1;
  }
  for (int row = 0; row < hub.rowCount(); ++row)
    std::printf("%s  (%lld downloads)\n", qPrintable(hub.data(hub.index(row), HubSearch::RepoRole).toString()),
                hub.data(hub.index(row), HubSearch::DownloadsRole).toLongLong());
  if (hub.rowCount() == 0)
    std::printf("no GGUF repositories match '%s'\n", qPrintable(query));
  return 0;
}

void printProgress(const Download *d)
{
  const double fraction = d->total() > 0 ? double(d->received()) / double(d->total()) : 0;
  const int filled = int(fraction * 30);
  const qint64 eta = d->etaSeconds();
  char etaText[32] = "--:--";
  if (eta >= 0)
    std::snprintf(etaText, sizeof etaText, "%lld:%02lld", eta / 60, eta % 60);
  std::fprintf(stderr, "\r[%.*s%.*s] %5.1f%%  %s/%s  %s/s  ETA %s   ", filled, "##############################",
               30 - filled, "..............................", fraction * 100, human(double(d->received())).c_str(),
               human(double(d->total())).c_str(), human(d->bytesPerSecond()).c_str(), etaText);
}

int pull(QString repo, QString file)
{
  auto app = ensureApp();
  if (file.isEmpty()) { // a catalog id
    auto catalog = builtinCatalog();
    if (catalog)
      for (const auto &e : *catalog)
        if (e.id == repo) {
          repo = e.repo;
          file = e.file;
        }
    if (file.isEmpty()) {
      printError("'" + repo.toStdString() + "' is not in the catalog; give REPO FILE");
      return 2;
    }
  }
  DownloadManager downloads;
  Download *d = downloads.at(downloads.download(repo, file));
  QEventLoop loop;
  QTimer tick;
  QObject::connect(&tick, &QTimer::timeout, [d] { printProgress(d); });
  tick.start(250);
  QObject::connect(d, &Download::finished, &loop, &QEventLoop::quit);
  if (d->state() != Download::State::Completed && d->state() != Download::State::Failed)
    loop.exec();
  printProgress(d);
  std::fputc('\n', stderr);
  if (d->state() != Download::State::Completed) {
    printError(d->errorString().toStdString());
    return 1;
  }
  std::printf("installed %s (SHA-256 %s verified)\n", qPrintable(d->finalPath()), d->expectedSha256().constData());
  return 0;
}

int import(Args args)
{
  auto app = ensureApp();
  const auto mode = flag(args, "--move") ? InstalledModels::Move
                    : flag(args, "--link") ? InstalledModels::Link : InstalledModels::Copy;
  auto result = InstalledModels::importFile(QString::fromStdString(args[1]), modelsDir(), mode);
  if (!result) {
    printError(result.error().message);
    return 1;
  }
  std::printf("imported %s into %s\n", qPrintable(*result), qPrintable(modelsDir()));
  return 0;
}

int remove(Args args)
{
  auto app = ensureApp();
  const QString name = QString::fromStdString(args[1]);
  if (!flag(args, "--yes") && !flag(args, "-y")) {
    if (!isatty(STDIN_FILENO)) {
      printError("rm: add --yes to delete without asking");
      return 2;
    }
    std::fprintf(stderr, "delete %s from %s? [y/N] ", qPrintable(name), qPrintable(modelsDir()));
    const int c = std::getchar();
    if (c != 'y' && c != 'Y') {
      printError("rm: nothing deleted");
      return 1;
    }
  }
  const Status status = InstalledModels::removeFile(modelsDir(), name);
  if (!status) {
    printError(status.error().message);
    return 1;
  }
  std::printf("deleted %s\n", qPrintable(name));
  return 0;
}

} // namespace

int modelsCommand(Args args)
{
  const std::string sub = args.empty() ? "" : args[0];
  if (sub == "list")
    return list();
  if (sub == "search" && args.size() >= 2) {
    QStringList words;
    for (size_t i = 1; i < args.size(); ++i)
      words << QString::fromStdString(args[i]);
    return search(words.join(QLatin1Char(' ')));
  }
  if (sub == "pull" && (args.size() == 2 || args.size() == 3))
    return pull(QString::fromStdString(args[1]), args.size() == 3 ? QString::fromStdString(args[2]) : QString());
  if (sub == "import" && args.size() >= 2)
    return import(args);
  if (sub == "rm" && args.size() >= 2)
    return remove(args);
  printError(k_usage);
  return 2;
}

} // namespace hearth::cli
