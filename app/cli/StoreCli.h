// Shared by the conversation subcommands (conversations, search, export, import,
// bench-store): the Qt application object they need and the store at HEARTH_DATA_DIR.
#pragma once

#include "store/ConversationStore.h"

#include <QCoreApplication>

#include <memory>

namespace hearth::cli {

// A QCoreApplication (or, for PDF, a QGuiApplication on the offscreen platform) named
// Hearth, so that QStandardPaths finds Hearth's data folder.
std::unique_ptr<QCoreApplication> makeStoreApp(bool gui = false);

// Opens the store at ConversationStore::defaultPath(); prints the error and returns false
// on failure. A recovery notice is printed to stderr.
bool openDefaultStore(ConversationStore &store);

} // namespace hearth::cli
