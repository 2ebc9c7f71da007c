// hearth import PATH: a Hearth JSON export or ChatGPT's conversations.json (detected).
// All or nothing: on any error nothing is written.
#include "cli/Cli.h"
#include "cli/StoreCli.h"
#include "store/Export.h"

#include <cstdio>

namespace hearth::cli {

int importCommand(Args args)
{
  if (args.empty() || args[0].starts_with("--")) {
    printError("usage: hearth import PATH (Hearth JSON or ChatGPT conversations.json)");
    return 2;
  }
  auto app = makeStoreApp();
  ConversationStore store;
  if (!openDefaultStore(store))
    return 1;
  auto report = importFile(store, QString::fromStdString(args[0]));
  if (!report) {
    printError(report.error().message + " (nothing was imported)");
    return 1;
  }
  std::printf("imported %d conversations, %d messages (%s format)", report->conversations,
              report->messages, qPrintable(report->format));
  if (report->skipped)
    std::printf("; %d already present, skipped", report->skipped);
  std::puts("");
  return 0;
}

} // namespace hearth::cli
