// hearth conversations list [--json] [--limit N]: the conversations, pinned first, then
// by last activity.
#include "cli/Cli.h"
#include "cli/StoreCli.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace hearth::cli {

int conversationsCommand(Args args)
{
  if (args.empty() || args[0] != "list") {
    printError("usage: hearth conversations list [--json] [--limit N]");
    return 2;
  }
  const int limit = std::stoi(option(args, "--limit").value_or("1000000"));
  auto app = makeStoreApp();
  ConversationStore store;
  if (!openDefaultStore(store))
    return 1;
  auto page = store.listConversations(0, limit);
  if (!page) {
    printError(page.error().message);
    return 1;
  }
  if (flag(args, "--json")) {
    QJsonArray out;
    for (const Conversation &c : page->items)
      out.append(QJsonObject{{"id", c.id},           {"uuid", c.uuid},
                             {"title", c.title},     {"pinned", c.pinned},
                             {"folder", c.folder},   {"model", c.model},
                             {"createdAt", c.createdAt}, {"updatedAt", c.updatedAt},
                             {"messages", c.messageCount}});
    std::fputs(QJsonDocument(out).toJson(QJsonDocument::Indented).constData(), stdout);
    return 0;
  }
  for (const Conversation &c : page->items) {
    const QString when = QDateTime::fromMSecsSinceEpoch(c.updatedAt).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    const QString folder = c.folder.isEmpty() ? QString() : QStringLiteral("[%1] ").arg(c.folder);
    std::printf("%6lld  %s  %s %4d msgs  %s%s\n", static_cast<long long>(c.id),
                qPrintable(when), c.pinned ? "*" : " ", c.messageCount, qPrintable(folder),
                qPrintable(c.title.isEmpty() ? QStringLiteral("(untitled)") : c.title));
  }
  return 0;
}

} // namespace hearth::cli
