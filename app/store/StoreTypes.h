// Plain values the conversation store hands out. Times are milliseconds since the Unix
// epoch (UTC). Settings, sampling and stats are JSON objects kept as given, so that a
// new field from the engine needs no schema change and export/import stay lossless.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QtGlobal>

#include <optional>

namespace hearth {

// Stored on disk as these integers: never renumber.
enum class MessageState : int {
  Complete = 0,
  Streaming = 1,   // being written; becomes Interrupted if Hearth dies before finishing
  Interrupted = 2, // partial reply: Hearth stopped (crash, kill) mid-reply
  Cancelled = 3,   // partial reply: the user pressed stop
  Failed = 4,      // the engine reported an error; content is what was produced
};

QString messageStateName(MessageState s); // "complete", "streaming", ...
MessageState messageStateFromName(const QString &name, bool *ok = nullptr);

struct Conversation {
  qint64 id = 0;         // local row id (this database only)
  QString uuid;          // stable across export/import
  QString title;
  bool titleIsAuto = true; // the title came from autoTitle(), the user has not renamed it
  qint64 createdAt = 0;
  qint64 updatedAt = 0;  // last activity
  bool pinned = false;
  QString folder;        // empty = no folder
  QString model;         // model file name last used
  QString systemPrompt;
  QJsonObject settings;  // generation settings (temperature, top_p, ...)
  int messageCount = 0;  // all messages, every branch (filled by list/get)
};

struct Message {
  qint64 id = 0;
  qint64 conversationId = 0;
  qint64 parentId = 0;   // 0 = a root of the tree
  QString role;          // "system", "user", "assistant", "tool"
  QString content;
  QString reasoning;     // the model's thinking, shown collapsed
  qint64 createdAt = 0;
  QString modelFile;
  QString modelSha256;
  QJsonObject sampling;  // temperature, top_k, top_p, min_p, repeat penalty, ...
  std::optional<qint64> seed;
  QJsonObject stats;     // prompt/generated tokens, tokens per second, durations
  MessageState state = MessageState::Complete;
  // Position among its siblings (same parent): filled by activePath()/siblings().
  int siblingIndex = 0;  // 0-based, in creation order
  int siblingCount = 1;
};

// Fields of a message to append; the tree placement is chosen by the call.
struct NewMessage {
  QString role;
  QString content;
  QString reasoning;
  QString modelFile;
  QString modelSha256;
  QJsonObject sampling;
  std::optional<qint64> seed;
  QJsonObject stats;
  MessageState state = MessageState::Complete;
  qint64 createdAt = 0; // 0 = now
};

struct SearchHit {
  qint64 conversationId = 0;
  QString conversationTitle;
  qint64 messageId = 0;  // 0 = the hit is the conversation's title
  QString role;
  // The matching text around the match; each match is wrapped in k_markOpen/k_markClose
  // (private-use characters that never occur in text from the UI). Use snippetHtml()
  // or snippetMarked() to show it.
  QString snippet;
  double rank = 0;       // lower is better (bm25)
  qint64 createdAt = 0;
};

inline constexpr QChar k_markOpen = QChar(0xE000);
inline constexpr QChar k_markClose = QChar(0xE001);
QString snippetHtml(const QString &snippet);   // escaped, matches in <b>...</b>
QString snippetMarked(const QString &snippet, const QString &open, const QString &close);

// JSON objects as stored in TEXT columns: compact, keys sorted (Qt's order).
QString jsonText(const QJsonObject &o);
QJsonObject jsonObject(const QString &text); // empty object for empty/invalid text

struct ConversationPage {
  QList<Conversation> items;
  bool more = false; // another page follows
};

} // namespace hearth
