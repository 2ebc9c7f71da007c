// hearth export (--conversation ID | --all) --format md|json|html|txt|pdf --output PATH
// ID is the number `hearth conversations list` shows, or the conversation's uuid.
#include "cli/Cli.h"
#include "cli/StoreCli.h"
#include "store/Export.h"

#include <cstdio>

namespace hearth::cli {

int exportCommand(Args args)
{
  const auto id = option(args, "--conversation");
  const auto format = exportFormatFromName(QString::fromStdString(option(args, "--format").value_or("")));
  const auto output = option(args, "--output");
  if ((!id && !flag(args, "--all")) || !format || !output) {
    printError("usage: hearth export (--conversation ID | --all) --format md|json|html|txt|pdf "
               "--output PATH");
    return 2;
  }
  auto app = makeStoreApp(*format == ExportFormat::Pdf);
  ConversationStore store;
  if (!openDefaultStore(store))
    return 1;
  QList<qint64> ids;
  if (id) {
    bool numeric = false;
    qint64 n = QString::fromStdString(*id).toLongLong(&numeric);
    if (!numeric)
      n = store.conversationByUuid(QString::fromStdString(*id)).value_or(0);
    if (!n || !store.conversation(n)) {
      printError("no conversation '" + *id + "' (see 'hearth conversations list')");
      return 1;
    }
    ids << n;
  }
  if (auto s = exportConversations(store, ids, *format, QString::fromStdString(*output)); !s) {
    printError(s.error().message);
    return 1;
  }
  std::printf("exported %s to %s\n", id ? "1 conversation" : "all conversations", output->c_str());
  return 0;
}

} // namespace hearth::cli
