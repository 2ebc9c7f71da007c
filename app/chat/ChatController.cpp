#include "chat/ChatController.h"

#include "chat/Startup.h"
#include "engine/EngineController.h"
#include "store/ConversationStore.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QJsonObject>

namespace hearth {

namespace {
QString errorText(const Error &e) { return QString::fromStdString(e.message); }
} // namespace

ChatController::ChatController(ConversationStore *store, EngineController *engine, QObject *parent)
    : QObject(parent), m_store(store), m_engine(engine), m_demoModelPath(hearth::demoModelPath())
{
  m_conversations.setStore(store);
  m_messages.setStore(store);
  connect(engine, &EngineController::textPiece, this, &ChatController::onTextPiece);
  connect(engine, &EngineController::reasoningPiece, this, &ChatController::onReasoningPiece);
  connect(engine, &EngineController::finished, this, &ChatController::onFinished);
  connect(engine, &EngineController::failed, this, &ChatController::onFailed);
  connect(store, &ConversationStore::conversationChanged, this, [this](qint64 id) {
    if (id == m_conversationId) {
      emit conversationTitleChanged();
      readConversationSettings();
    }
  });
}

QString ChatController::conversationTitle() const
{
  if (m_conversationId == 0)
    return {};
  auto c = m_store->conversation(m_conversationId);
  return c ? c->title : QString();
}

void ChatController::setSettings(const QVariantMap &settings)
{
  if (settings == m_settings)
    return;
  m_settings = settings;
  emit settingsChanged();
}

void ChatController::setSystemPrompt(const QString &prompt)
{
  if (prompt == m_systemPrompt)
    return;
  m_systemPrompt = prompt;
  emit settingsChanged();
}

bool ChatController::canUndoDelete() const { return m_store->canUndoDelete(); }

void ChatController::setNotice(const QString &notice)
{
  if (notice == m_notice)
    return;
  m_notice = notice;
  emit noticeChanged();
}

void ChatController::setConversation(qint64 id)
{
  if (id == m_conversationId)
    return;
  m_conversationId = id;
  m_messages.setConversationId(id);
  readConversationSettings();
  emit conversationIdChanged();
  emit conversationTitleChanged();
}

void ChatController::newChat()
{
  stop();
  setConversation(0);
}

void ChatController::openConversation(qint64 id)
{
  if (id != m_conversationId)
    stop();
  setConversation(id);
  switchToConversationModel();
}

void ChatController::openMessage(qint64 conversationId, qint64 messageId)
{
  openConversation(conversationId);
  if (messageId <= 0)
    return;
  if (m_messages.rowOfMessage(messageId) < 0 && !streaming()) {
    // A hit on another branch: show that branch.
    if (auto s = m_store->selectBranch(messageId); !s)
      setNotice(errorText(s.error()));
  }
  if (m_messages.rowOfMessage(messageId) >= 0)
    emit messageRevealRequested(messageId);
}

bool ChatController::send(const QString &text)
{
  const QString trimmed = text.trimmed();
  if (trimmed.isEmpty() || streaming())
    return false;
  if (m_conversationId == 0) {
    auto id = m_store->createConversation({}, m_engine->modelPath().section(QLatin1Char('/'), -1));
    if (!id) {
      setNotice(tr("Could not create the conversation: %1").arg(errorText(id.error())));
      return false;
    }
    setConversation(*id);
  }
  NewMessage m;
  m.role = QStringLiteral("user");
  m.content = trimmed;
  if (auto id = m_store->appendMessage(m_conversationId, m); !id) {
    setNotice(tr("Could not save the message: %1").arg(errorText(id.error())));
    return false;
  }
  (void)m_store->autoTitle(m_conversationId);
  rememberModel();
  return startReply(0);
}

bool ChatController::startReply(qint64 parentId)
{
  NewMessage m;
  m.role = QStringLiteral("assistant");
  m.modelFile = m_engine->modelPath().section(QLatin1Char('/'), -1);
  m.state = MessageState::Streaming;
  auto reply = m_store->beginReply(m_conversationId, parentId, m);
  if (!reply) {
    setNotice(tr("Could not start the reply: %1").arg(errorText(reply.error())));
    return false;
  }
  m_replyId = *reply;
  const QVariantList history = historyFor(m_replyId);
  if (m_engine->state() != EngineController::Ready) {
    const QString why = m_engine->state() == EngineController::Loading
                            ? tr("The model is still loading; try again in a moment.")
                            : tr("No model is loaded. Choose one in the header or the model library.");
    emit streamingChanged();
    finishStreaming(int(MessageState::Failed), {{QStringLiteral("error"), why}});
    return false;
  }
  m_requestId = m_engine->generate(history, effectiveSettings());
  emit streamingChanged();
  emit replyStarted(m_replyId);
  return true;
}

// The active path above the reply as [{role, content}], the system prompt first.
QVariantList ChatController::historyFor(qint64 replyId) const
{
  QVariantList turns;
  QString system = m_systemPrompt;
  if (auto c = m_store->conversation(m_conversationId); c && !c->systemPrompt.isEmpty())
    system = c->systemPrompt;
  if (!system.trimmed().isEmpty())
    turns.append(QVariantMap{{QStringLiteral("role"), QStringLiteral("system")},
                             {QStringLiteral("content"), system}});
  auto path = m_store->activePath(m_conversationId);
  if (!path)
    return turns;
  for (const Message &msg : *path) {
    if (msg.id == replyId)
      break;
    if (msg.role == QLatin1String("system") || msg.state == MessageState::Failed || msg.content.isEmpty())
      continue;
    turns.append(QVariantMap{{QStringLiteral("role"), msg.role}, {QStringLiteral("content"), msg.content}});
  }
  return turns;
}

void ChatController::stop()
{
  if (streaming())
    m_engine->cancel();
}

void ChatController::regenerate(qint64 messageId)
{
  if (streaming())
    return;
  auto msg = m_store->message(messageId);
  if (!msg || msg->role != QLatin1String("assistant"))
    return;
  setConversation(msg->conversationId);
  if (msg->parentId == 0)
    return;
  startReply(msg->parentId);
}

void ChatController::editAndResend(qint64 messageId, const QString &text)
{
  if (streaming() || text.trimmed().isEmpty())
    return;
  auto id = m_store->editMessage(messageId, text.trimmed());
  if (!id) {
    setNotice(tr("Could not edit the message: %1").arg(errorText(id.error())));
    return;
  }
  startReply(0);
}

void ChatController::switchBranch(qint64 messageId, int delta)
{
  if (streaming())
    return;
  if (auto r = m_store->switchSibling(messageId, delta); !r)
    setNotice(errorText(r.error()));
}

void ChatController::rename(qint64 id, const QString &title)
{
  if (!title.trimmed().isEmpty())
    (void)m_store->renameConversation(id, title.trimmed());
}

void ChatController::remove(qint64 id)
{
  if (id == m_conversationId)
    newChat();
  if (auto s = m_store->deleteConversation(id); !s)
    setNotice(errorText(s.error()));
  emit canUndoDeleteChanged();
}

void ChatController::undoDelete()
{
  auto id = m_store->undoDelete();
  emit canUndoDeleteChanged();
  if (id && *id)
    openConversation(*id);
}

void ChatController::setPinned(qint64 id, bool pinned) { (void)m_store->setPinned(id, pinned); }

QVariantList ChatController::search(const QString &query) const
{
  QVariantList out;
  if (query.trimmed().isEmpty())
    return out;
  auto hits = m_store->search(query, 30);
  if (!hits)
    return out;
  for (const SearchHit &h : *hits)
    out.append(QVariantMap{{QStringLiteral("conversationId"), h.conversationId},
                           {QStringLiteral("title"), h.conversationTitle},
                           {QStringLiteral("messageId"), h.messageId},
                           {QStringLiteral("role"), h.role},
                           {QStringLiteral("snippet"), snippetHtml(h.snippet)}});
  return out;
}

QString ChatController::lastReplyText() const
{
  auto path = m_store->activePath(m_conversationId);
  if (!path)
    return {};
  for (auto it = path->crbegin(); it != path->crend(); ++it)
    if (it->role == QLatin1String("assistant"))
      return it->id == m_replyId ? m_store->replyContent(it->id) : it->content;
  return {};
}

qint64 ChatController::lastUserMessageId() const
{
  auto path = m_store->activePath(m_conversationId);
  if (!path)
    return 0;
  for (auto it = path->crbegin(); it != path->crend(); ++it)
    if (it->role == QLatin1String("user"))
      return it->id;
  return 0;
}

QString ChatController::lastUserText() const
{
  const qint64 id = lastUserMessageId();
  if (id == 0)
    return {};
  auto m = m_store->message(id);
  return m ? m->content : QString();
}

void ChatController::copyToClipboard(const QString &text) const
{
  if (auto *cb = QGuiApplication::clipboard())
    cb->setText(text);
}

void ChatController::onTextPiece(quint64 id, const QString &text)
{
  if (id == m_requestId && m_replyId)
    (void)m_store->appendReply(m_replyId, text);
}

void ChatController::onReasoningPiece(quint64 id, const QString &text)
{
  if (id == m_requestId && m_replyId)
    (void)m_store->appendReply(m_replyId, {}, text);
}

void ChatController::onFinished(quint64 id, const QVariantMap &stats)
{
  if (id != m_requestId || !m_replyId)
    return;
  const bool cancelled = stats.value(QStringLiteral("stopReason")).toString() == QLatin1String("cancelled");
  finishStreaming(int(cancelled ? MessageState::Cancelled : MessageState::Complete),
                  QJsonObject::fromVariantMap(stats));
}

void ChatController::onFailed(quint64 id, const QString &error)
{
  if (id != m_requestId || !m_replyId)
    return;
  finishStreaming(int(MessageState::Failed), {{QStringLiteral("error"), error}});
}

void ChatController::finishStreaming(int state, const QJsonObject &stats)
{
  const qint64 reply = m_replyId;
  m_replyId = 0;
  m_requestId = 0;
  const auto s = MessageState(state);
  if (auto r = m_store->finishReply(reply, s, stats); !r)
    setNotice(errorText(r.error()));
  emit streamingChanged();
  emit replyFinished(reply, messageStateName(s));
}

} // namespace hearth
