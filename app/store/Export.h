// Export of conversations (Markdown, Hearth JSON, HTML, plain text, PDF) and import of
// Hearth JSON and ChatGPT's conversations.json.
//
// - JSON is lossless: every branch, setting, stat and timestamp. Export -> import into an
//   empty store -> export gives a byte-identical file. Message ids in the file are local
//   to each conversation (1, 2, ...), conversations are identified by their uuid.
// - Markdown, HTML, text and PDF show each conversation's active path (what the user
//   sees); reasoning is collapsed in HTML. HTML escapes all text and forbids scripts.
// - Every export is written to a temporary file in the target's folder and renamed over
//   the target (QSaveFile), so a crash never leaves a half-written file at PATH.
// - Import runs in one transaction: malformed input is an error naming what is wrong and
//   nothing is written. Conversations whose uuid is already present are skipped.
#pragma once

#include "hearth/error.h"
#include "store/StoreTypes.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace hearth {

class ConversationStore;

// Stable (command line): never renumber.
enum class ExportFormat { Markdown = 0, Json = 1, Html = 2, Text = 3, Pdf = 4 };

std::optional<ExportFormat> exportFormatFromName(const QString &name); // md json html txt pdf

// ids empty: every conversation, oldest first. PDF needs a QGuiApplication.
Status exportConversations(ConversationStore &store, const QList<qint64> &ids,
                           ExportFormat format, const QString &path);
// The bytes of an export (every format but PDF).
Result<QByteArray> renderExport(ConversationStore &store, const QList<qint64> &ids,
                                ExportFormat format);

struct ImportReport {
  QString format;         // "hearth" or "chatgpt"
  int conversations = 0;  // imported
  int messages = 0;
  int skipped = 0;        // already present (same uuid)
  QList<qint64> ids;      // the new conversations
};

Result<ImportReport> importFile(ConversationStore &store, const QString &path);
Result<ImportReport> importData(ConversationStore &store, const QByteArray &data);

namespace exportdetail {
// Shared by the writers (Export.cpp, ExportJson.cpp, ImportChatGpt.cpp).
struct ImportMessage {
  int localId = 0;
  int parent = 0; // localId of the parent, 0 = root; always an earlier message
  bool selected = true;
  NewMessage fields;
};
struct ImportConversation {
  Conversation meta; // id and messageCount ignored
  QList<ImportMessage> messages;
};
// Writes parsed conversations in one transaction (skipping uuids already present).
Result<ImportReport> writeImport(ConversationStore &store, const QList<ImportConversation> &convs,
                                 const QString &format);
Result<QByteArray> renderJson(ConversationStore &store, const QList<qint64> &ids);
Result<ImportReport> importHearthJson(ConversationStore &store, const QByteArray &data);
Result<ImportReport> importChatGpt(ConversationStore &store, const QByteArray &data);
} // namespace exportdetail

} // namespace hearth
