// hearth search QUERY [--json] [--limit N]: full-text search over every conversation.
// Words must all match; "a phrase" matches in order; word* matches a prefix.
#include "cli/Cli.h"
#include "cli/StoreCli.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <unistd.h>

namespace hearth::cli {

int searchCommand(Args args)
{
  if (args.empty() || args[0].starts_with("--")) {
    printError("usage: hearth search QUERY [--json] [--limit N]");
    return 2;
  }
  const int limit = std::stoi(option(args, "--limit").value_or("50"));
  auto app = makeStoreApp();
  ConversationStore store;
  if (!openDefaultStore(store))
    return 1;
  auto hits = store.search(QString::fromStdString(args[0]), limit);
  if (!hits) {
    printError(hits.error().message);
    return 1;
  }
  if (flag(args, "--json")) {
    QJsonArray out;
    for (const SearchHit &h : *hits)
      out.append(QJsonObject{{"conversationId", h.conversationId},
                             {"title", h.conversationTitle},
                             {"messageId", h.messageId},
                             {"role", h.role},
                             {"snippet", snippetMarked(h.snippet, {}, {})},
                             {"snippetHtml", snippetHtml(h.snippet)},
                             {"rank", h.rank}});
    std::fputs(QJsonDocument(out).toJson(QJsonDocument::Indented).constData(), stdout);
    return 0;
  }
  const bool tty = isatty(fileno(stdout));
  const QString open = tty ? QStringLiteral("\x1b[1m") : QStringLiteral("**");
  const QString close = tty ? QStringLiteral("\x1b[0m") : QStringLiteral("**");
  for (const SearchHit &h : *hits) {
    const QString where = h.messageId ? QStringLiteral("%1 (%2)").arg(h.conversationTitle, h.role)
                                      : QStringLiteral("%1 (title)").arg(h.conversationTitle);
    std::printf("%6lld  %s\n        %s\n", static_cast<long long>(h.conversationId),
                qPrintable(where), qPrintable(snippetMarked(h.snippet, open, close).simplified()));
  }
  if (hits->isEmpty())
    std::puts("no matches");
  return 0;
}

} // namespace hearth::cli
