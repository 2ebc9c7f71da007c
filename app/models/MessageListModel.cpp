#include "models/MessageListModel.h"

#include "store/ConversationStore.h"

#include <QDateTime>

namespace hearth {

MessageListModel::MessageListModel(QObject *parent) : QAbstractListModel(parent) {}

void MessageListModel::setStore(ConversationStore *store)
{
  if (m_store)
    disconnect(m_store, nullptr, this, nullptr);
  m_store = store;
  if (store) {
    connect(store, &ConversationStore::messageAdded, this, &MessageListModel::onMessageAdded);
    connect(store, &ConversationStore::replyGrew, this, &MessageListModel::onReplyGrew);
    connect(store, &ConversationStore::messageChanged, this, &MessageListModel::onMessageChanged);
    connect(store, &ConversationStore::activePathChanged, this,
            &MessageListModel::onActivePathChanged);
    connect(store, &ConversationStore::conversationsReset, this, &MessageListModel::reload);
  }
  reload();
}

void MessageListModel::setConversationId(qint64 id)
{
  if (id == m_conversationId)
    return;
  m_conversationId = id;
  reload();
  emit conversationIdChanged();
}

void MessageListModel::reload()
{
  beginResetModel();
  m_rows.clear();
  if (m_store && m_conversationId)
    m_rows = m_store->activePath(m_conversationId).value_or(QList<Message>());
  endResetModel();
}

int MessageListModel::rowCount(const QModelIndex &parent) const
{
  return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant MessageListModel::data(const QModelIndex &index, int role) const
{
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const Message &m = m_rows.at(index.row());
  switch (role) {
  case MessageIdRole:
    return m.id;
  case RoleRole:
    return m.role;
  case Qt::DisplayRole:
  case ContentRole:
    return m.content;
  case ReasoningRole:
    return m.reasoning;
  case StateRole:
    return messageStateName(m.state);
  case StatsRole:
    return m.stats.toVariantMap();
  case SiblingIndexRole:
    return m.siblingIndex;
  case SiblingCountRole:
    return m.siblingCount;
  case CreatedAtRole:
    return QDateTime::fromMSecsSinceEpoch(m.createdAt);
  case ModelFileRole:
    return m.modelFile;
  default:
    return {};
  }
}

QHash<int, QByteArray> MessageListModel::roleNames() const
{
  return {{MessageIdRole, "messageId"},       {RoleRole, "role"},
          {ContentRole, "content"},           {ReasoningRole, "reasoning"},
          {StateRole, "state"},               {StatsRole, "stats"},
          {SiblingIndexRole, "siblingIndex"}, {SiblingCountRole, "siblingCount"},
          {CreatedAtRole, "createdAt"},       {ModelFileRole, "modelFile"}};
}

int MessageListModel::rowOf(qint64 messageId) const
{
  for (qsizetype i = m_rows.size() - 1; i >= 0; --i) // streaming rows are at the end
    if (m_rows[i].id == messageId)
      return int(i);
  return -1;
}

void MessageListModel::onMessageAdded(qint64 conversationId, qint64 messageId)
{
  if (conversationId != m_conversationId || !m_store)
    return;
  auto m = m_store->message(messageId);
  if (!m)
    return;
  const qint64 leaf = m_rows.isEmpty() ? 0 : m_rows.last().id;
  if (m->parentId != leaf)
    return; // a branch elsewhere: activePathChanged follows
  const int row = int(m_rows.size());
  beginInsertRows({}, row, row);
  m_rows.append(*m);
  endInsertRows();
}

void MessageListModel::onReplyGrew(qint64 conversationId, qint64 messageId,
                                   const QString &content, const QString &reasoning)
{
  if (conversationId != m_conversationId)
    return;
  const int row = rowOf(messageId);
  if (row < 0)
    return;
  Message &m = m_rows[row];
  m.content += content;
  m.reasoning += reasoning;
  QList<int> roles;
  if (!content.isEmpty())
    roles << ContentRole << Qt::DisplayRole;
  if (!reasoning.isEmpty())
    roles << ReasoningRole;
  const QModelIndex i = index(row);
  emit dataChanged(i, i, roles);
}

void MessageListModel::onMessageChanged(qint64 conversationId, qint64 messageId)
{
  if (conversationId != m_conversationId || !m_store)
    return;
  const int row = rowOf(messageId);
  if (row < 0)
    return;
  auto m = m_store->message(messageId);
  if (!m)
    return;
  m_rows[row] = *m;
  const QModelIndex i = index(row);
  emit dataChanged(i, i);
}

void MessageListModel::onActivePathChanged(qint64 conversationId)
{
  if (conversationId != m_conversationId || !m_store)
    return;
  auto path = m_store->activePath(conversationId);
  if (!path)
    return;
  // Keep the common prefix; replace the rows below the fork.
  qsizetype same = 0;
  while (same < m_rows.size() && same < path->size() && m_rows[same].id == path->at(same).id)
    ++same;
  if (same < m_rows.size()) {
    beginRemoveRows({}, int(same), int(m_rows.size() - 1));
    m_rows.resize(same);
    endRemoveRows();
  }
  if (same < path->size()) {
    beginInsertRows({}, int(same), int(path->size() - 1));
    m_rows.append(path->mid(same));
    endInsertRows();
  }
  // Sibling counts of the rows kept may have grown (a new branch below them).
  for (qsizetype i = 0; i < same; ++i)
    if (m_rows[i].siblingCount != path->at(i).siblingCount) {
      m_rows[i] = path->at(i);
      emit dataChanged(index(int(i)), index(int(i)), {SiblingIndexRole, SiblingCountRole});
    }
}

} // namespace hearth
