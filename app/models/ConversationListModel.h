// ConversationListModel: the sidebar. Pinned conversations first, then by last activity,
// loaded a page at a time (canFetchMore/fetchMore). The "section" role groups rows for a
// ListView section header: "Pinned", "Today", "Yesterday", "Previous 7 days",
// "Previous 30 days", "Older". A changed conversation updates its row, or moves it
// (beginMoveRows) when its activity puts it elsewhere; deletes and imports reload.
#pragma once

#include "store/StoreTypes.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

namespace hearth {

class ConversationStore;

class ConversationListModel : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
public:
  enum Roles {
    ConversationIdRole = Qt::UserRole + 1,
    UuidRole,
    TitleRole,
    PinnedRole,
    FolderRole,
    UpdatedAtRole, // QDateTime
    MessageCountRole,
    SectionRole,
  };

  explicit ConversationListModel(QObject *parent = nullptr);
  void setStore(ConversationStore *store);
  void setPageSize(int rows) { m_pageSize = rows; }
  // The moment date sections are computed against (tests); default: the current time.
  void setNow(const QDateTime &now) { m_now = now; }
  static QString sectionFor(const Conversation &c, const QDateTime &now);

  Q_INVOKABLE void reload();
  int rowCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;
  bool canFetchMore(const QModelIndex &parent) const override;
  void fetchMore(const QModelIndex &parent) override;

private:
  int rowOf(qint64 id) const;
  void onAdded(qint64 id);
  void onChanged(qint64 id);
  int sortedPosition(const Conversation &c, int ignoreRow) const;

  QPointer<ConversationStore> m_store;
  QList<Conversation> m_rows;
  bool m_more = false;
  int m_pageSize = 50;
  bool m_changing = false; // views (and QAbstractItemModelTester) call fetchMore from our signals
  QDateTime m_now;
};

} // namespace hearth
