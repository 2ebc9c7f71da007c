// ConversationStore: the message tree, branches, and streaming replies.
#include "store/ConversationStore.h"
#include "store/StoreSql.h"

namespace hearth {

using namespace store::sqltext;

namespace {

Message readMessage(const sql::Statement &st)
{
  Message m;
  m.id = st.integer(0);
  m.conversationId = st.integer(1);
  m.parentId = st.isNull(2) ? 0 : st.integer(2);
  m.role = st.text(3);
  m.content = st.text(4);
  m.reasoning = st.text(5);
  m.createdAt = st.integer(6);
  m.modelFile = st.text(7);
  m.modelSha256 = st.text(8);
  m.sampling = jsonObject(st.text(9));
  if (!st.isNull(10))
    m.seed = st.integer(10);
  m.stats = jsonObject(st.text(11));
  m.state = MessageState(st.integer(12));
  m.siblingIndex = int(st.integer(13));
  m.siblingCount = int(st.integer(14));
  return m;
}

Result<QList<Message>> readMessages(sql::Statement &st)
{
  QList<Message> out;
  for (;;) {
    auto row = st.step();
    if (!row)
      return std::unexpected(row.error());
    if (!*row)
      return out;
    out.append(readMessage(st));
  }
}

std::optional<qint64> parentOrNull(qint64 parentId)
{
  return parentId ? std::optional<qint64>(parentId) : std::nullopt;
}

bool validRole(const QString &r)
{
  return r == QLatin1String("user") || r == QLatin1String("assistant") ||
         r == QLatin1String("system") || r == QLatin1String("tool");
}

} // namespace

Result<Message> ConversationStore::message(qint64 id) const
{
  sql::Statement st(m_db, k_getMessage);
  st.bind(1, id);
  auto row = st.step();
  if (!row)
    return std::unexpected(row.error());
  if (!*row)
    return fail(ErrorCode::InvalidArgument, "[store] no message {}", id);
  Message m = readMessage(st);
  if (auto it = m_pending.constFind(id); it != m_pending.constEnd()) {
    m.content = it->content;
    m.reasoning = it->reasoning;
  }
  return m;
}

Result<QList<Message>> ConversationStore::activePath(qint64 conversationId) const
{
  sql::Statement st(m_db, k_activePath);
  st.bind(1, conversationId);
  auto path = readMessages(st);
  if (path && !m_pending.isEmpty())
    for (Message &m : *path)
      if (auto it = m_pending.constFind(m.id); it != m_pending.constEnd()) {
        m.content = it->content;
        m.reasoning = it->reasoning;
      }
  return path;
}

Result<QList<Message>> ConversationStore::siblings(qint64 messageId) const
{
  auto m = message(messageId);
  if (!m)
    return std::unexpected(m.error());
  sql::Statement st(m_db, k_siblings);
  st.bind(1, m->conversationId).bind(2, parentOrNull(m->parentId));
  return readMessages(st);
}

Result<qint64> ConversationStore::activeLeaf(qint64 conversationId) const
{
  sql::Statement st(m_db, k_activeLeaf);
  st.bind(1, conversationId);
  auto row = st.step();
  if (!row)
    return std::unexpected(row.error());
  return *row ? st.integer(0) : 0;
}

Result<qint64> ConversationStore::insertMessage(qint64 conversationId, qint64 parentId,
                                                const NewMessage &m)
{
  if (!validRole(m.role))
    return fail(ErrorCode::InvalidArgument, "[store] invalid message role '{}'",
                m.role.toStdString());
  if (parentId) {
    sql::Statement owner(m_db, k_messageOwner);
    owner.bind(1, parentId);
    auto row = owner.step();
    if (!row)
      return std::unexpected(row.error());
    if (!*row || owner.integer(0) != conversationId)
      return fail(ErrorCode::InvalidArgument, "[store] message {} is not in conversation {}",
                  parentId, conversationId);
  }
  sql::Transaction tx(m_db);
  if (!tx.begun())
    return std::unexpected(tx.begun().error());
  sql::Statement unselect(m_db, k_unselectSiblings);
  unselect.bind(1, conversationId).bind(2, parentOrNull(parentId));
  if (auto s = unselect.run(); !s)
    return std::unexpected(s.error());
  const qint64 created = m.createdAt ? m.createdAt : now();
  sql::Statement st(m_db, k_insertMessage);
  st.bind(1, conversationId)
      .bind(2, parentOrNull(parentId))
      .bind(3, m.role)
      .bind(4, m.content)
      .bind(5, m.reasoning)
      .bind(6, created)
      .bind(7, m.modelFile)
      .bind(8, m.modelSha256)
      .bind(9, jsonText(m.sampling))
      .bind(10, m.seed)
      .bind(11, jsonText(m.stats))
      .bind(12, qint64(m.state));
  if (auto s = st.run(); !s)
    return std::unexpected(s.error());
  const qint64 id = m_db.lastInsertId();
  sql::Statement touchSt(m_db, k_touchConversation);
  touchSt.bind(1, created).bind(2, conversationId);
  if (auto s = touchSt.run(); !s)
    return std::unexpected(s.error());
  if (auto s = tx.commit(); !s)
    return std::unexpected(s.error());
  emit messageAdded(conversationId, id);
  emit conversationChanged(conversationId);
  return id;
}

Result<qint64> ConversationStore::appendMessage(qint64 conversationId, const NewMessage &m)
{
  auto leaf = activeLeaf(conversationId);
  if (!leaf)
    return leaf;
  return insertMessage(conversationId, *leaf, m);
}

Result<qint64> ConversationStore::addMessage(qint64 conversationId, qint64 parentId,
                                             const NewMessage &m)
{
  auto id = insertMessage(conversationId, parentId, m);
  if (id)
    emit activePathChanged(conversationId);
  return id;
}

Result<qint64> ConversationStore::editMessage(qint64 messageId, const QString &content)
{
  auto old = message(messageId);
  if (!old)
    return std::unexpected(old.error());
  NewMessage m;
  m.role = old->role;
  m.content = content;
  return addMessage(old->conversationId, old->parentId, m);
}

Status ConversationStore::selectBranch(qint64 messageId)
{
  sql::Statement owner(m_db, k_messageOwner);
  owner.bind(1, messageId);
  auto row = owner.step();
  if (!row)
    return std::unexpected(row.error());
  if (!*row)
    return fail(ErrorCode::InvalidArgument, "[store] no message {}", messageId);
  const qint64 conversationId = owner.integer(0);
  const std::optional<qint64> parent =
      owner.isNull(1) ? std::nullopt : std::optional<qint64>(owner.integer(1));
  sql::Transaction tx(m_db);
  if (!tx.begun())
    return tx.begun();
  sql::Statement unselect(m_db, k_unselectSiblings);
  unselect.bind(1, conversationId).bind(2, parent);
  sql::Statement select(m_db, k_selectMessage);
  select.bind(1, messageId);
  if (auto s = unselect.run(); !s)
    return s;
  if (auto s = select.run(); !s)
    return s;
  if (auto s = tx.commit(); !s)
    return s;
  emit activePathChanged(conversationId);
  return {};
}

Result<qint64> ConversationStore::switchSibling(qint64 messageId, int delta)
{
  auto sibs = siblings(messageId);
  if (!sibs)
    return std::unexpected(sibs.error());
  qsizetype at = 0;
  while (at < sibs->size() && sibs->at(at).id != messageId)
    ++at;
  const qsizetype to = at + delta;
  if (to < 0 || to >= sibs->size())
    return fail(ErrorCode::InvalidArgument, "[store] message {} has no sibling at {}",
                messageId, delta);
  const qint64 target = sibs->at(to).id;
  if (auto s = selectBranch(target); !s)
    return std::unexpected(s.error());
  return target;
}

// --- streaming ---------------------------------------------------------------------------

Result<qint64> ConversationStore::beginReply(qint64 conversationId, qint64 parentId,
                                             const NewMessage &fields)
{
  NewMessage m = fields;
  if (m.role.isEmpty())
    m.role = QStringLiteral("assistant");
  m.state = MessageState::Streaming;
  Result<qint64> id = parentId ? addMessage(conversationId, parentId, m)
                               : appendMessage(conversationId, m);
  if (id) {
    PendingReply &p = m_pending[*id];
    p.conversationId = conversationId;
    p.content = m.content;
    p.reasoning = m.reasoning;
    p.sinceWrite.start();
  }
  return id;
}

Status ConversationStore::appendReply(qint64 messageId, const QString &content,
                                      const QString &reasoning)
{
  auto it = m_pending.find(messageId);
  if (it == m_pending.end())
    return fail(ErrorCode::InvalidArgument, "[store] message {} is not a streaming reply",
                messageId);
  PendingReply &p = *it;
  p.content += content;
  p.reasoning += reasoning;
  p.unwrittenContent += content;
  p.unwrittenReasoning += reasoning;
  ++p.unwrittenPieces;
  emit replyGrew(p.conversationId, messageId, content, reasoning);
  if (p.unwrittenPieces >= m_coalescePieces || p.sinceWrite.elapsed() >= m_coalesceMs)
    return writePending(messageId, p);
  if (!m_flushTimer.isActive() || m_flushTimer.remainingTime() > m_coalesceMs)
    m_flushTimer.start(m_coalesceMs); // writes the tail when no more pieces come
  return {};
}

Status ConversationStore::writePending(qint64 messageId, PendingReply &p)
{
  if (p.unwrittenPieces == 0)
    return {};
  sql::Statement st(m_db, k_appendReply);
  st.bind(1, p.unwrittenContent).bind(2, p.unwrittenReasoning).bind(3, messageId);
  if (auto s = st.run(); !s)
    return s;
  p.unwrittenContent.clear();
  p.unwrittenReasoning.clear();
  p.unwrittenPieces = 0;
  p.sinceWrite.start();
  return {};
}

Status ConversationStore::flushReply(qint64 messageId)
{
  auto it = m_pending.find(messageId);
  if (it == m_pending.end())
    return {};
  return writePending(messageId, *it);
}

void ConversationStore::flushAll()
{
  for (auto it = m_pending.begin(); it != m_pending.end(); ++it)
    (void)writePending(it.key(), *it);
}

Status ConversationStore::finishReply(qint64 messageId, MessageState state, const QJsonObject &stats)
{
  qint64 conversationId = 0;
  if (auto it = m_pending.find(messageId); it != m_pending.end()) {
    if (auto s = writePending(messageId, *it); !s)
      return s;
    conversationId = it->conversationId;
    m_pending.erase(it);
  } else if (auto m = message(messageId)) {
    conversationId = m->conversationId;
  } else {
    return std::unexpected(m.error());
  }
  sql::Transaction tx(m_db);
  if (!tx.begun())
    return tx.begun();
  sql::Statement st(m_db, k_finishReply);
  st.bind(1, qint64(state)).bind(2, jsonText(stats)).bind(3, messageId);
  if (auto s = st.run(); !s)
    return s;
  if (auto s = touch(conversationId); !s)
    return s;
  if (auto s = tx.commit(); !s)
    return s;
  emit messageChanged(conversationId, messageId);
  emit conversationChanged(conversationId);
  return {};
}

void ConversationStore::setReplyCoalescing(int milliseconds, int pieces)
{
  m_coalesceMs = milliseconds;
  m_coalescePieces = pieces;
  m_flushTimer.stop();
}

QString ConversationStore::replyContent(qint64 messageId) const
{
  if (auto it = m_pending.constFind(messageId); it != m_pending.constEnd())
    return it->content;
  auto m = message(messageId);
  return m ? m->content : QString();
}

} // namespace hearth
