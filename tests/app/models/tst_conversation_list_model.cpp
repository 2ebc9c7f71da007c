// ConversationListModel over a real store: order (pinned, activity), paging through
// fetchMore, date sections, moves on activity, reload on delete/undo; under
// QAbstractItemModelTester throughout.
#include "models/ConversationListModel.h"
#include "store/ConversationStore.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace hearth;

class TestConversationListModel : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;

  static QStringList titles(const QAbstractItemModel &m)
  {
    QStringList out;
    for (int i = 0; i < m.rowCount(); ++i)
      out << m.index(i, 0).data(ConversationListModel::TitleRole).toString();
    return out;
  }

private slots:
  void sections()
  {
    const QDateTime now(QDate(2026, 3, 10), QTime(12, 0));
    auto at = [&](int daysAgo) {
      Conversation c;
      c.updatedAt = now.addDays(-daysAgo).toMSecsSinceEpoch();
      return ConversationListModel::sectionFor(c, now);
    };
    QCOMPARE(at(0), QStringLiteral("Today"));
    QCOMPARE(at(1), QStringLiteral("Yesterday"));
    QCOMPARE(at(5), QStringLiteral("Previous 7 days"));
    QCOMPARE(at(20), QStringLiteral("Previous 30 days"));
    QCOMPARE(at(90), QStringLiteral("Older"));
    Conversation pinned;
    pinned.pinned = true;
    QCOMPARE(ConversationListModel::sectionFor(pinned, now), QStringLiteral("Pinned"));
  }

  void followsTheStore()
  {
    ConversationStore store;
    QVERIFY(store.open(m_dir.filePath("l.db")));
    QList<qint64> ids;
    for (int i = 0; i < 5; ++i) {
      ids << *store.createConversation(QStringLiteral("c%1").arg(i));
      QTest::qWait(2);
    }
    {
      // Paging on its own (the tester below fetches everything eagerly).
      ConversationListModel paged;
      paged.setPageSize(2);
      paged.setStore(&store);
      QCOMPARE(titles(paged), QStringList({"c4", "c3"}));
      QVERIFY(paged.canFetchMore({}));
      QSignalSpy inserted(&paged, &QAbstractItemModel::rowsInserted);
      paged.fetchMore({});
      QCOMPARE(inserted.count(), 1);
      paged.fetchMore({});
      QVERIFY(!paged.canFetchMore({}));
      QCOMPARE(titles(paged), QStringList({"c4", "c3", "c2", "c1", "c0"}));
    }
    ConversationListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setPageSize(2);
    model.setStore(&store);
    while (model.canFetchMore({}))
      model.fetchMore({});
    QCOMPARE(titles(model), QStringList({"c4", "c3", "c2", "c1", "c0"}));
    QCOMPARE(model.index(0, 0).data(ConversationListModel::SectionRole).toString(), QStringLiteral("Today"));

    // Activity moves a row to the top (one move, no reset).
    QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    NewMessage m;
    m.role = QStringLiteral("user");
    m.content = QStringLiteral("hello");
    QVERIFY(store.appendMessage(ids[1], m));
    QCOMPARE(moved.count(), 1);
    QCOMPARE(titles(model), QStringList({"c1", "c4", "c3", "c2", "c0"}));
    QCOMPARE(model.index(0, 0).data(ConversationListModel::MessageCountRole).toInt(), 1);

    // Pinning moves to the top too; renaming changes one row in place.
    QVERIFY(store.setPinned(ids[0], true));
    QCOMPARE(titles(model), QStringList({"c0", "c1", "c4", "c3", "c2"}));
    QCOMPARE(model.index(0, 0).data(ConversationListModel::SectionRole).toString(), QStringLiteral("Pinned"));
    changed.clear();
    QVERIFY(store.renameConversation(ids[3], QStringLiteral("renamed")));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed[0][0].toModelIndex().row(), 3);
    QCOMPARE(reset.count(), 0);

    // New conversations appear below the pinned ones.
    QVERIFY(store.createConversation(QStringLiteral("new")));
    QCOMPARE(titles(model), QStringList({"c0", "new", "c1", "c4", "renamed", "c2"}));

    // Delete and undo.
    QVERIFY(store.deleteConversation(ids[4]));
    QCOMPARE(titles(model), QStringList({"c0", "new", "c1", "renamed", "c2"}));
    QVERIFY(store.undoDelete());
    QCOMPARE(titles(model), QStringList({"c0", "new", "c1", "c4", "renamed", "c2"}));
  }
};

QTEST_GUILESS_MAIN(TestConversationListModel)
#include "tst_conversation_list_model.moc"
