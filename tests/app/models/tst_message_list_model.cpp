// MessageListModel over a real store: the active path, one-row updates while a reply
// streams, inserts for new messages, and fork-only changes on branch switches; every step
// under QAbstractItemModelTester.
#include "models/MessageListModel.h"
#include "store/ConversationStore.h"

#include <QAbstractItemModelTester>

#include <algorithm>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace hearth;

namespace {
NewMessage msg(const char *role, const char *content)
{
  NewMessage m;
  m.role = QString::fromLatin1(role);
  m.content = QString::fromUtf8(content);
  return m;
}
} // namespace

class TestMessageListModel : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;

private slots:
  void followsTheStore()
  {
    ConversationStore store;
    QVERIFY(store.open(m_dir.filePath("m.db")));
    const qint64 c = *store.createConversation();
    const qint64 u = *store.appendMessage(c, msg("user", "Hello"));
    QVERIFY(store.appendMessage(c, msg("assistant", "Hi!")));

    MessageListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStore(&store);
    model.setConversationId(c);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.data(model.index(0), MessageListModel::RoleRole).toString(), QStringLiteral("user"));
    QCOMPARE(model.data(model.index(1), MessageListModel::ContentRole).toString(), QStringLiteral("Hi!"));
    QCOMPARE(model.roleNames().value(MessageListModel::SiblingCountRole), QByteArray("siblingCount"));

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    // A new message: one row inserted at the end.
    QVERIFY(store.appendMessage(c, msg("user", "Tell me a story")));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted[0][1].toInt(), 2);

    // A streaming reply: one insert, then each token changes that row's content only.
    store.setReplyCoalescing(250, 32);
    const qint64 r = *store.beginReply(c);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.data(model.index(3), MessageListModel::StateRole).toString(), QStringLiteral("streaming"));
    changed.clear();
    for (const char *t : {"Once", " upon", " a", " time"})
      QVERIFY(store.appendReply(r, QString::fromLatin1(t)));
    QCOMPARE(changed.count(), 4);
    // Exactly one row and only the content roles per token: no reset, no layout change,
    // no other row touched.
    QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
    for (const auto &args : changed) {
      QCOMPARE(args[0].toModelIndex().row(), 3);
      QCOMPARE(args[1].toModelIndex().row(), 3);
      auto roles = args[2].value<QList<int>>();
      std::sort(roles.begin(), roles.end());
      QCOMPARE(roles, QList<int>({Qt::DisplayRole, MessageListModel::ContentRole}));
    }
    QCOMPARE(inserted.count(), 2); // the user message and the reply, nothing per token
    // Reasoning pieces change the reasoning role only.
    changed.clear();
    QVERIFY(store.appendReply(r, {}, QStringLiteral("hmm")));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed[0][0].toModelIndex().row(), 3);
    QCOMPARE(changed[0][2].value<QList<int>>(), QList<int>({MessageListModel::ReasoningRole}));
    QCOMPARE(model.data(model.index(3), MessageListModel::ReasoningRole).toString(), QStringLiteral("hmm"));
    QCOMPARE(reset.count(), 0);
    QCOMPARE(layout.count(), 0);
    QCOMPARE(model.data(model.index(3), MessageListModel::ContentRole).toString(),
             QStringLiteral("Once upon a time"));
    changed.clear();
    QVERIFY(store.finishReply(r, MessageState::Complete, QJsonObject{{"tokens", 4}}));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(model.data(model.index(3), MessageListModel::StateRole).toString(), QStringLiteral("complete"));
    QCOMPARE(model.data(model.index(3), MessageListModel::StatsRole).toMap().value("tokens").toInt(), 4);

    // Regenerate the first reply: rows below the fork replaced, the prefix kept.
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    inserted.clear();
    const qint64 regen = *store.beginReply(c, u);
    QVERIFY(store.finishReply(regen, MessageState::Complete));
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed[0][1].toInt(), 1);
    QCOMPARE(removed[0][2].toInt(), 3);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.data(model.index(1), MessageListModel::SiblingIndexRole).toInt(), 1);
    QCOMPARE(model.data(model.index(1), MessageListModel::SiblingCountRole).toInt(), 2);

    // Switch back: the old branch returns, row 0 untouched.
    QVERIFY(store.switchSibling(regen, -1));
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.data(model.index(3), MessageListModel::ContentRole).toString(),
             QStringLiteral("Once upon a time"));
    QCOMPARE(reset.count(), 0);

    // Another conversation's traffic changes nothing here.
    const qint64 other = *store.createConversation();
    changed.clear();
    inserted.clear();
    QVERIFY(store.appendMessage(other, msg("user", "elsewhere")));
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(changed.count(), 0);
    model.setConversationId(other);
    QCOMPARE(model.rowCount(), 1);
  }
};

QTEST_GUILESS_MAIN(TestMessageListModel)
#include "tst_message_list_model.moc"
