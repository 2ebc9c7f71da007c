// ConversationStore: every conversation in one SQLite database (WAL, FTS5), on the GUI
// thread. Messages form a tree: editing a user message or regenerating a reply adds a
// sibling and keeps the earlier branch; the "active path" follows the selected child of
// each message from the root down. A streaming reply is saved as it grows (coalesced);
// if Hearth dies mid-reply the partial text is there on the next open, marked
// Interrupted. A damaged database is copied aside, recovered as far as it can be read,
// and recoveryNotice() tells the user what happened.
//
//   ConversationStore store;
//   if (auto s = store.open(ConversationStore::defaultPath()); !s) show(s.error().message);
//   qint64 c = *store.createConversation();
//   store.appendMessage(c, {.role = "user", .content = "Hi"});
//   qint64 r = *store.beginReply(c);            // child of the active leaf, Streaming
//   store.appendReply(r, token);                // per token; written every 250 ms / 32 tokens
//   store.finishReply(r, MessageState::Complete, stats);
//
// Errors are values; nothing here throws. The list models in app/models listen to the
// signals below; QML reaches the store through them (or a thin wrapper).
#pragma once

#include "store/HealthCheck.h"
#include "store/Sqlite.h"
#include "store/StoreTypes.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

namespace hearth {

class ConversationStore : public QObject {
  Q_OBJECT
public:
  explicit ConversationStore(QObject *parent = nullptr);
  ~ConversationStore() override;

  // $HEARTH_DATA_DIR, else QStandardPaths::AppDataLocation; the file is hearth.db.
  static QString defaultDataDir();
  static QString defaultPath();

  // When the damage check (quick_check) runs; see store/HealthCheck.h for why.
  enum class Check {
    // At open, unless the last close was clean and the file is unchanged since: then in a
    // background thread a few seconds after open (the window's choice).
    Deferred,
    AtOpen, // always at open (the command line, which has no event loop to defer to)
  };

  // Opens, creating or migrating as needed. A database from a newer Hearth is refused
  // (ErrorCode::Unsupported) and left untouched. A damaged one is copied aside and
  // recovered (see recoveryNotice()); open() then succeeds with what could be read.
  Status open(const QString &path, Check check = Check::Deferred);
  void close(); // flushes streaming replies first
  bool isOpen() const { return m_db.isOpen(); }
  QString path() const { return m_db.path(); }
  QString recoveryNotice() const { return m_recoveryNotice; } // empty unless recovered
  QString damagedCopyPath() const { return m_damagedCopy; }

  // True while the check open() skipped has not finished yet.
  bool healthCheckPending() const { return m_checkPending; }
  // Runs the pending check now, on this thread, instead of waiting for the background one;
  // damage is recovered and reported as by the background check. No-op when none pends.
  Status checkHealthNow();
  // Delay between open() and the start of the background check (default 2000 ms).
  void setDeferredCheckDelay(int milliseconds) { m_checkDelayMs = milliseconds; }

  // --- conversations -------------------------------------------------------------------
  // Pinned first, then most recent activity first. Deleted ones are not listed.
  Result<ConversationPage> listConversations(int offset, int limit) const;
  Result<Conversation> conversation(qint64 id) const;
  Result<qint64> conversationByUuid(const QString &uuid) const; // 0 when absent
  Result<qint64> createConversation(const QString &title = {}, const QString &model = {},
                                    const QString &systemPrompt = {},
                                    const QJsonObject &settings = {});
  Status renameConversation(qint64 id, const QString &title); // title is no longer automatic
  Status setPinned(qint64 id, bool pinned);
  Status setFolder(qint64 id, const QString &folder);
  Status setModelSettings(qint64 id, const QString &model, const QString &systemPrompt,
                          const QJsonObject &settings);
  // Deletes; the last deleted conversation can be brought back by undoDelete() (even after
  // a restart) until the next delete, which purges it for good.
  Status deleteConversation(qint64 id);
  Result<qint64> undoDelete(); // the restored id, 0 if nothing to undo
  bool canUndoDelete() const;

  // --- messages ------------------------------------------------------------------------
  // Appends as the child of the active path's last message and selects it.
  Result<qint64> appendMessage(qint64 conversationId, const NewMessage &m);
  // Adds a child of parentId (0 = a new root) and selects it, making it a sibling of
  // the parent's other children: this is how a branch is made.
  Result<qint64> addMessage(qint64 conversationId, qint64 parentId, const NewMessage &m);
  // Edit: a new sibling of messageId with the same role and the new text, selected.
  Result<qint64> editMessage(qint64 messageId, const QString &content);
  Result<Message> message(qint64 id) const;
  Result<QList<Message>> activePath(qint64 conversationId) const;
  Result<QList<Message>> siblings(qint64 messageId) const; // in creation order, itself included
  // Selects messageId among its siblings; below it, the branch chosen last time is kept.
  Status selectBranch(qint64 messageId);
  // Selects the sibling at delta (-1 previous, +1 next) of messageId; returns its id.
  Result<qint64> switchSibling(qint64 messageId, int delta);

  // --- streaming replies ---------------------------------------------------------------
  // A reply being generated: an assistant message in state Streaming, child of parentId
  // (0 = the active leaf; to regenerate, pass the parent of the reply to replace).
  Result<qint64> beginReply(qint64 conversationId, qint64 parentId = 0, const NewMessage &m = {});
  // Adds generated text; written to disk when 250 ms passed or 32 pieces gathered since
  // the last write (one UPDATE of the one row), and by a timer for the tail.
  Status appendReply(qint64 messageId, const QString &content, const QString &reasoning = {});
  Status flushReply(qint64 messageId); // writes what is gathered now
  Status finishReply(qint64 messageId, MessageState state, const QJsonObject &stats = {});
  void setReplyCoalescing(int milliseconds, int pieces);
  // The reply's text as the UI sees it (including what is not yet written).
  QString replyContent(qint64 messageId) const;

  // --- titles --------------------------------------------------------------------------
  // A short title from the first user message: first line, markdown stripped, cut at a
  // word boundary near 48 characters.
  static QString titleFromText(const QString &text);
  // Gives an untitled, automatically titled conversation a title from its first user
  // message; returns the title (unchanged when the user renamed it).
  Result<QString> autoTitle(qint64 conversationId);

  // --- search --------------------------------------------------------------------------
  // Full-text search of messages and titles in every conversation: matching titles first,
  // then messages, each best first (bm25). A query matching more than 1,000 messages ranks
  // the 1,000 most recent of them (store/StoreSql.h, k_rankWindow). Query syntax: words
  // (all must match), "a phrase", prefix* ; anything else is plain text.
  Result<QList<SearchHit>> search(const QString &query, int limit = 50) const;
  static QString ftsQuery(const QString &userQuery); // the FTS5 MATCH expression used

  // The connection, for the exporters and importers in app/store.
  sql::Database &database() { return m_db; }
  static qint64 now();

signals:
  // The background check found the database damaged; it was recovered as at open and
  // recoveryNotice() (= notice) says what happened. conversationsReset() follows.
  void recovered(const QString &notice);
  void conversationsReset();                     // many rows changed (delete, undo, import)
  void conversationAdded(qint64 id);
  void conversationChanged(qint64 id);           // title, pin, folder, settings, activity
  void messageAdded(qint64 conversationId, qint64 messageId);
  // Generated text was added to a streaming reply (not yet necessarily on disk).
  void replyGrew(qint64 conversationId, qint64 messageId, const QString &content,
                 const QString &reasoning);
  void messageChanged(qint64 conversationId, qint64 messageId); // state, stats
  void activePathChanged(qint64 conversationId); // a branch was selected or added

private:
  struct PendingReply {
    qint64 conversationId = 0;
    QString content;   // whole text so far
    QString reasoning;
    QString unwrittenContent; // tail not yet on disk
    QString unwrittenReasoning;
    int unwrittenPieces = 0;
    QElapsedTimer sinceWrite;
  };

  Status openChecked(const QString &path, Check check);
  Status openConnection(const QString &path);
  void startBackgroundCheck();
  void onBackgroundCheck(quint64 generation, const QString &problem);
  Status recoverWhileOpen(const QString &problem);
  Status markInterruptedReplies();
  Status touch(qint64 conversationId);
  Result<qint64> activeLeaf(qint64 conversationId) const;
  Result<qint64> insertMessage(qint64 conversationId, qint64 parentId, const NewMessage &m);
  Status writePending(qint64 messageId, PendingReply &p);
  void flushAll();

  mutable sql::Database m_db;
  QString m_recoveryNotice;
  QString m_damagedCopy;
  QHash<qint64, PendingReply> m_pending;
  QTimer m_flushTimer;
  int m_coalesceMs = 250;
  int m_coalescePieces = 32;
  // Health check: done this session (so a clean close may write the marker), or pending.
  bool m_checked = false;
  bool m_checkPending = false;
  int m_checkDelayMs = 2000;
  quint64 m_generation = 0; // bumped by close(): results of an older check are ignored
  QTimer m_checkTimer;
  store::BackgroundCheck m_checker;
};

} // namespace hearth
