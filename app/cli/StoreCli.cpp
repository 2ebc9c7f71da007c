#include "cli/StoreCli.h"

#include "cli/Cli.h"

#include <QGuiApplication>

#include <cstdio>

namespace hearth::cli {

std::unique_ptr<QCoreApplication> makeStoreApp(bool gui)
{
  static int argc = 1;
  static char name[] = "hearth";
  static char *argv[] = {name, nullptr};
  std::unique_ptr<QCoreApplication> app;
  if (gui) {
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
      qputenv("QT_QPA_PLATFORM", "offscreen"); // PDF needs fonts, not a screen
    app = std::make_unique<QGuiApplication>(argc, argv);
  } else {
    app = std::make_unique<QCoreApplication>(argc, argv);
  }
  QCoreApplication::setApplicationName(QStringLiteral("Hearth"));
  QCoreApplication::setOrganizationName(QStringLiteral("Hearth"));
  return app;
}

bool openDefaultStore(ConversationStore &store)
{
  // A command runs for a moment and has no event loop: the damage check runs at open.
  if (auto s = store.open(ConversationStore::defaultPath(), ConversationStore::Check::AtOpen); !s) {
    printError(s.error().message);
    return false;
  }
  if (!store.recoveryNotice().isEmpty())
    printError(store.recoveryNotice().toStdString());
  return true;
}

} // namespace hearth::cli
