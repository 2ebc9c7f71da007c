#include "models/ConversationListModel.h"

#include "store/ConversationStore.h"

#include <QScopedValueRollback>

namespace hearth {
namespace {

// The list's order: pinned first, then latest activity, then newest id.
bool before(const Conversation &a, const Conversation &b)
{
  if (a.pinned != b.pinned)
    return a.pinned;
  if (a.updatedAt != b.updatedAt)
    return a.updatedAt > b.updatedAt;
  return a.id > b.id;
}

} // namespace

ConversationListModel::ConversationListModel(QObject *parent) : QAbstractListModel(parent) {}

void ConversationListModel::setStore(ConversationStore *store)
{
  if (m_store)
    disconnect(m_store, nullptr, this, nullptr);
  m_store = store;
  if (store) {
    connect(store, &ConversationStore::conversationsReset, this, &ConversationListModel::reload);
    connect(store, &ConversationStore::conversationAdded, this, &ConversationListModel::onAdded);
    connect(store, &ConversationStore::conversationChanged, this, &ConversationListModel::onChanged);
  }
  reload();
}

QString ConversationListModel::sectionFor(const Conversation &c, const QDateTime &now)
{
  if (c.pinned)
    return QStringLiteral("Pinned");
  const QDate today = now.toLocalTime().date();
  const qint64 days = QDateTime::fromMSecsSinceEpoch(c.updatedAt).toLocalTime().date().daysTo(today);
  if (days <= 0)
    return QStringLiteral("Today");
  if (days == 1)
    return QStringLiteral("Yesterday");
  if (days <= 7)
    return QStringLiteral("Previous 7 days");
  if (days <= 30)
    return QStringLiteral("Previous 30 days");
  return QStringLiteral("Older");
}

void ConversationListModel::reload()
{
  const QScopedValueRollback guard(m_changing, true);
  const int wanted = int(m_rows.size()) + m_pageSize; // what was shown, and a page more
  beginResetModel();
  m_rows.clear();
  m_more = false;
  if (m_store && m_store->isOpen())
    if (auto page = m_store->listConversations(0, wanted)) {
      m_rows = page->items;
      m_more = page->more;
    }
  endResetModel();
}

bool ConversationListModel::canFetchMore(const QModelIndex &parent) const
{
  return !parent.isValid() && m_more && !m_changing;
}

void ConversationListModel::fetchMore(const QModelIndex &parent)
{
  if (parent.isValid() || !m_more || !m_store || m_changing)
    return;
  const QScopedValueRollback guard(m_changing, true);
  auto page = m_store->listConversations(int(m_rows.size()), m_pageSize);
  if (!page)
    return;
  m_more = page->more;
  if (page->items.isEmpty())
    return;
  beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + page->items.size() - 1));
  m_rows.append(page->items);
  endInsertRows();
}

int ConversationListModel::rowCount(const QModelIndex &parent) const
{
  return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant ConversationListModel::data(const QModelIndex &index, int role) const
{
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const Conversation &c = m_rows.at(index.row());
  switch (role) {
  case ConversationIdRole:
    return c.id;
  case UuidRole:
    return c.uuid;
  case Qt::DisplayRole:
  case TitleRole:
    return c.title;
  case PinnedRole:
    return c.pinned;
  case FolderRole:
    return c.folder;
  case UpdatedAtRole:
    return QDateTime::fromMSecsSinceEpoch(c.updatedAt);
  case MessageCountRole:
    return c.messageCount;
  case SectionRole:
    return sectionFor(c, m_now.isValid() ? m_now : QDateTime::currentDateTime());
  default:
    return {};
  }
}

QHash<int, QByteArray> ConversationListModel::roleNames() const
{
  return {{ConversationIdRole, "conversationId"}, {UuidRole, "uuid"},
          {TitleRole, "title"},                   {PinnedRole, "pinned"},
          {FolderRole, "folder"},                 {UpdatedAtRole, "updatedAt"},
          {MessageCountRole, "messageCount"},     {SectionRole, "section"}};
}

int ConversationListModel::rowOf(qint64 id) const
{
  for (qsizetype i = 0; i < m_rows.size(); ++i)
    if (m_rows[i].id == id)
      return int(i);
  return -1;
}

// Where c belongs among the loaded rows, not counting row ignoreRow (-1: none).
int ConversationListModel::sortedPosition(const Conversation &c, int ignoreRow) const
{
  int pos = 0;
  for (qsizetype i = 0; i < m_rows.size(); ++i)
    if (i != ignoreRow && before(m_rows[i], c))
      ++pos;
  return pos;
}

void ConversationListModel::onAdded(qint64 id)
{
  if (!m_store)
    return;
  auto c = m_store->conversation(id);
  if (!c)
    return;
  const QScopedValueRollback guard(m_changing, true);
  const int pos = sortedPosition(*c, -1);
  if (pos == m_rows.size() && m_more)
    return; // belongs to a page not loaded yet
  beginInsertRows({}, pos, pos);
  m_rows.insert(pos, *c);
  endInsertRows();
}

void ConversationListModel::onChanged(qint64 id)
{
  const int row = rowOf(id);
  if (row < 0 || !m_store)
    return;
  auto c = m_store->conversation(id);
  if (!c)
    return;
  const QScopedValueRollback guard(m_changing, true);
  const int to = sortedPosition(*c, row); // index in the list without this row
  if (to != row) {
    // beginMoveRows counts the destination in the list before the move.
    beginMoveRows({}, row, row, {}, to > row ? to + 1 : to);
    m_rows.move(row, to);
    endMoveRows();
  }
  m_rows[to] = *c;
  emit dataChanged(index(to), index(to));
}

} // namespace hearth
