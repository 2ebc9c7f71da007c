// MessageListModel: the active path of one conversation, for the chat view. It follows
// the store's signals with fine-grained updates: a streamed token changes one row
// (dataChanged of that row's content only), a new message inserts one row, a branch
// switch removes and inserts only the rows below the fork.
#pragma once

#include "store/StoreTypes.h"

#include <QAbstractListModel>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

namespace hearth {

class ConversationStore;

class MessageListModel : public QAbstractListModel {
  Q_OBJECT
  QML_ELEMENT
  Q_PROPERTY(qint64 conversationId READ conversationId WRITE setConversationId NOTIFY conversationIdChanged)
public:
  enum Roles {
    MessageIdRole = Qt::UserRole + 1,
    RoleRole,         // "user", "assistant", "system", "tool"
    ContentRole,
    ReasoningRole,
    StateRole,        // "complete", "streaming", "interrupted", "cancelled", "failed"
    StatsRole,        // QVariantMap (tokens, tokens per second, ...)
    SiblingIndexRole, // 0-based position among the branches at this message
    SiblingCountRole,
    CreatedAtRole,    // QDateTime
    ModelFileRole,
  };

  explicit MessageListModel(QObject *parent = nullptr);
  void setStore(ConversationStore *store);

  qint64 conversationId() const { return m_conversationId; }
  void setConversationId(qint64 id);
  Q_INVOKABLE void reload();
  // The row of a message on the shown path, -1 when it is not there.
  Q_INVOKABLE int rowOfMessage(qint64 messageId) const { return rowOf(messageId); }

  int rowCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role) const override;
  QHash<int, QByteArray> roleNames() const override;

signals:
  void conversationIdChanged();

private:
  int rowOf(qint64 messageId) const;
  void onMessageAdded(qint64 conversationId, qint64 messageId);
  void onReplyGrew(qint64 conversationId, qint64 messageId, const QString &content,
                   const QString &reasoning);
  void onMessageChanged(qint64 conversationId, qint64 messageId);
  void onActivePathChanged(qint64 conversationId);

  QPointer<ConversationStore> m_store;
  qint64 m_conversationId = 0;
  QList<Message> m_rows;
};

} // namespace hearth
