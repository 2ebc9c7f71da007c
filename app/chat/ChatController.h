// ChatController: ties the conversation store to the engine for the chat window.
// It owns the sidebar and chat-view list models, turns "send", "stop", "regenerate",
// "edit" and "switch branch" into store edits plus one engine request, and streams the
// engine's pieces into the store's streaming reply (which the MessageListModel shows as
// one changing row). Only one reply streams at a time; stop() cancels it and keeps the
// partial text as a Cancelled reply. Errors land in the reply (state "failed", stats
// {"error": ...}) so the view can show them inline with a Retry action.
#pragma once

#include "models/ConversationListModel.h"
#include "models/MessageListModel.h"

#include <QObject>
#include <QVariantList>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace hearth {

class ConversationStore;
class EngineController;

class ChatController : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_UNCREATABLE("ChatController is created by the application")
  Q_PROPERTY(hearth::ConversationListModel *conversations READ conversations CONSTANT)
  Q_PROPERTY(hearth::MessageListModel *messages READ messages CONSTANT)
  Q_PROPERTY(qint64 conversationId READ conversationId NOTIFY conversationIdChanged)
  Q_PROPERTY(QString conversationTitle READ conversationTitle NOTIFY conversationTitleChanged)
  Q_PROPERTY(bool streaming READ streaming NOTIFY streamingChanged)
  Q_PROPERTY(qint64 streamingMessageId READ streamingMessageId NOTIFY streamingChanged)
  Q_PROPERTY(QVariantMap settings READ settings WRITE setSettings NOTIFY settingsChanged)
  Q_PROPERTY(QString systemPrompt READ systemPrompt WRITE setSystemPrompt NOTIFY settingsChanged)
  Q_PROPERTY(QString notice READ notice NOTIFY noticeChanged)
  Q_PROPERTY(bool canUndoDelete READ canUndoDelete NOTIFY canUndoDeleteChanged)
  // The open conversation's own system prompt, generation settings (only the keys it
  // overrides) and model file; stored on the conversation.
  Q_PROPERTY(QString conversationSystemPrompt READ conversationSystemPrompt NOTIFY conversationSettingsChanged)
  Q_PROPERTY(QVariantMap conversationSettings READ conversationSettings NOTIFY conversationSettingsChanged)
  Q_PROPERTY(QString conversationModel READ conversationModel NOTIFY conversationSettingsChanged)
  // KV cache size for the loads the controller starts (a setting; applyContextLength()).
  Q_PROPERTY(int contextLength READ contextLength WRITE setContextLength NOTIFY settingsChanged)
  Q_PROPERTY(QString demoModelPath READ demoModelPath CONSTANT)

public:
  ChatController(ConversationStore *store, EngineController *engine, QObject *parent = nullptr);

  ConversationListModel *conversations() { return &m_conversations; }
  MessageListModel *messages() { return &m_messages; }
  qint64 conversationId() const { return m_conversationId; }
  QString conversationTitle() const;
  bool streaming() const { return m_replyId != 0; }
  qint64 streamingMessageId() const { return m_replyId; }
  QVariantMap settings() const { return m_settings; }
  void setSettings(const QVariantMap &settings);
  QString systemPrompt() const { return m_systemPrompt; }
  void setSystemPrompt(const QString &prompt);
  QString notice() const { return m_notice; }
  bool canUndoDelete() const;
  // Settings that win over the window's (tests and scripted runs), e.g. {maxTokens: 8}.
  void setForcedSettings(const QVariantMap &settings) { m_forced = settings; }

  // --- per conversation: settings and model (ChatSettings.cpp) ---------------------------
  QString conversationSystemPrompt() const { return m_convSystemPrompt; }
  QVariantMap conversationSettings() const { return m_convSettings; }
  QString conversationModel() const { return m_convModel; }
  int contextLength() const { return m_contextLength; }
  void setContextLength(int tokens);
  QString demoModelPath() const { return m_demoModelPath; }
  // The open conversation's system prompt ("" = the default) and settings overrides
  // ({} = the defaults), saved on the conversation.
  Q_INVOKABLE void setConversationOverrides(const QString &systemPrompt, const QVariantMap &settings);
  // What a reply would use now: the window's settings, the conversation's over them.
  Q_INVOKABLE QVariantMap effectiveSettings() const;
  // Loads a model (with contextLength) and makes it the open conversation's model.
  Q_INVOKABLE void loadModel(const QString &path);
  // Reloads the loaded model when contextLength differs from what it was loaded with.
  Q_INVOKABLE void applyContextLength();

  Q_INVOKABLE void newChat();
  Q_INVOKABLE void openConversation(qint64 id);
  // Opens the conversation on the branch holding messageId (a search hit) and asks the
  // view to bring that message into sight (messageRevealRequested).
  Q_INVOKABLE void openMessage(qint64 conversationId, qint64 messageId);
  // Appends the user's text and starts a reply. False (and a notice) when it cannot.
  Q_INVOKABLE bool send(const QString &text);
  Q_INVOKABLE void stop();
  // A new sibling of the assistant message messageId, generated from the same history.
  Q_INVOKABLE void regenerate(qint64 messageId);
  // A new sibling of the user message messageId with the new text, then a reply to it.
  Q_INVOKABLE void editAndResend(qint64 messageId, const QString &text);
  Q_INVOKABLE void switchBranch(qint64 messageId, int delta);
  Q_INVOKABLE void rename(qint64 id, const QString &title);
  Q_INVOKABLE void remove(qint64 id);
  Q_INVOKABLE void undoDelete();
  Q_INVOKABLE void setPinned(qint64 id, bool pinned);
  // [{conversationId, title, messageId, snippet (HTML, matches in <b>)}]
  Q_INVOKABLE QVariantList search(const QString &query) const;
  Q_INVOKABLE QString lastReplyText() const;
  Q_INVOKABLE QString lastUserText() const;
  Q_INVOKABLE qint64 lastUserMessageId() const;
  Q_INVOKABLE void copyToClipboard(const QString &text) const;
  Q_INVOKABLE void clearNotice() { setNotice({}); }
  // Export (ChatExport.cpp). format: "md", "json", "html", "txt" or "pdf"; the open
  // conversation or all. A path or a file:// URL. Returns an error message, "" on success.
  Q_INVOKABLE QString exportTo(const QString &pathOrUrl, const QString &format, bool allConversations);
  // ~/Documents (else <data dir>/exports) / <title>.<format>, numbered if it exists.
  Q_INVOKABLE QString defaultExportPath(const QString &format, bool allConversations) const;

signals:
  void conversationIdChanged();
  void conversationTitleChanged();
  void streamingChanged();
  void settingsChanged();
  void noticeChanged();
  void canUndoDeleteChanged();
  void replyStarted(qint64 messageId);
  void messageRevealRequested(qint64 messageId);
  void conversationSettingsChanged();
  void replyFinished(qint64 messageId, const QString &state);

private:
  bool startReply(qint64 parentId);
  QVariantList historyFor(qint64 replyId) const;
  void finishStreaming(int state, const QJsonObject &stats);
  void onTextPiece(quint64 id, const QString &text);
  void onReasoningPiece(quint64 id, const QString &text);
  void onFinished(quint64 id, const QVariantMap &stats);
  void onFailed(quint64 id, const QString &error);
  void setConversation(qint64 id);
  void setNotice(const QString &notice);
  void readConversationSettings();
  void switchToConversationModel();
  void rememberModel();

  ConversationStore *m_store;
  EngineController *m_engine;
  ConversationListModel m_conversations;
  MessageListModel m_messages;
  qint64 m_conversationId = 0;
  qint64 m_replyId = 0;      // the streaming reply, 0 when none
  quint64 m_requestId = 0;   // the engine request feeding it
  QVariantMap m_settings;
  QVariantMap m_forced;
  QString m_systemPrompt;
  QString m_notice;
  QString m_convSystemPrompt;
  QVariantMap m_convSettings;
  QString m_convModel;
  int m_contextLength = 4096;
  int m_loadedContextLength = 0; // of the last load started here
  QString m_demoModelPath;
};

} // namespace hearth
