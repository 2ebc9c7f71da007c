// ConversationStore on a real SQLite file: every operation, the message tree and branch
// switching, automatic titles, paging order, streaming replies, undo of delete, search.
#include "store/ConversationStore.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace hearth;

namespace {

NewMessage msg(const char *role, const QString &content)
{
  NewMessage m;
  m.role = QString::fromLatin1(role);
  m.content = content;
  return m;
}

QStringList contents(const QList<Message> &path)
{
  QStringList out;
  for (const auto &m : path)
    out << m.content;
  return out;
}

} // namespace

class TestConversationStore : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  ConversationStore m_store;

  QString dbPath() const { return m_dir.filePath(QStringLiteral("hearth.db")); }

private slots:
  void init()
  {
    m_store.close();
    for (const char *s : {"", "-wal", "-shm"})
      QFile::remove(dbPath() + QLatin1String(s));
    QVERIFY(m_store.open(dbPath()).has_value());
    QVERIFY(m_store.recoveryNotice().isEmpty());
  }

  void createRenamePinFolder()
  {
    QSignalSpy added(&m_store, &ConversationStore::conversationAdded);
    auto id = m_store.createConversation(QStringLiteral("First"), QStringLiteral("smol.gguf"),
                                         QStringLiteral("Be brief."),
                                         QJsonObject{{"temperature", 0.7}});
    QVERIFY(id);
    QCOMPARE(added.count(), 1);
    auto c = m_store.conversation(*id);
    QVERIFY(c);
    QCOMPARE(c->title, QStringLiteral("First"));
    QCOMPARE(c->titleIsAuto, false);
    QCOMPARE(c->model, QStringLiteral("smol.gguf"));
    QCOMPARE(c->systemPrompt, QStringLiteral("Be brief."));
    QCOMPARE(c->settings.value("temperature").toDouble(), 0.7);
    QCOMPARE(c->uuid.size(), 36);

    QVERIFY(m_store.renameConversation(*id, QStringLiteral("Renamed")));
    QVERIFY(m_store.setPinned(*id, true));
    QVERIFY(m_store.setFolder(*id, QStringLiteral("Work")));
    c = m_store.conversation(*id);
    QCOMPARE(c->title, QStringLiteral("Renamed"));
    QVERIFY(c->pinned);
    QCOMPARE(c->folder, QStringLiteral("Work"));
    QCOMPARE(*m_store.conversationByUuid(c->uuid), *id);
    QVERIFY(!m_store.renameConversation(9999, QStringLiteral("x")));
  }

  void pagingOrder()
  {
    QList<qint64> ids;
    for (int i = 0; i < 7; ++i) {
      ids << *m_store.createConversation(QStringLiteral("c%1").arg(i));
      QVERIFY(m_store.appendMessage(ids.last(), msg("user", QStringLiteral("m%1").arg(i))));
      QTest::qWait(2); // distinct activity times
    }
    QVERIFY(m_store.setPinned(ids[1], true));
    QTest::qWait(2);
    QVERIFY(m_store.appendMessage(ids[3], msg("user", QStringLiteral("newest activity"))));
    // pinned c1, then by activity: c3, c6, c5, c4, c2, c0
    QStringList order;
    for (int offset = 0;; offset += 3) {
      auto page = m_store.listConversations(offset, 3);
      QVERIFY(page);
      QVERIFY(page->items.size() <= 3);
      for (const auto &c : page->items)
        order << c.title;
      if (!page->more)
        break;
    }
    QCOMPARE(order, QStringList({"c1", "c3", "c6", "c5", "c4", "c2", "c0"}));
    QCOMPARE(m_store.listConversations(0, 10)->items[1].messageCount, 2);
  }

  void treeAndBranches()
  {
    const qint64 c = *m_store.createConversation();
    const qint64 u1 = *m_store.appendMessage(c, msg("user", "What is 2+2?"));
    const qint64 a1 = *m_store.appendMessage(c, msg("assistant", "5"));
    QCOMPARE(m_store.message(a1)->parentId, u1);

    // Regenerate: a sibling of a1 under u1.
    QSignalSpy pathChanged(&m_store, &ConversationStore::activePathChanged);
    const qint64 a2 = *m_store.addMessage(c, u1, msg("assistant", "4"));
    QCOMPARE(pathChanged.count(), 1);
    QCOMPARE(contents(*m_store.activePath(c)), QStringList({"What is 2+2?", "4"}));
    const qint64 u2 = *m_store.appendMessage(c, msg("user", "And 3+3?"));
    QCOMPARE(m_store.message(u2)->parentId, a2);

    auto path = *m_store.activePath(c);
    QCOMPARE(path.size(), 3);
    QCOMPARE(path[1].siblingIndex, 1);
    QCOMPARE(path[1].siblingCount, 2);
    QCOMPARE(path[0].siblingCount, 1);

    // Back to the first reply: its (empty) subtree is the path; the "4" branch is kept.
    QCOMPARE(*m_store.switchSibling(a2, -1), a1);
    QCOMPARE(contents(*m_store.activePath(c)), QStringList({"What is 2+2?", "5"}));
    QVERIFY(!m_store.switchSibling(a1, -1));
    // Forward again: the branch below "4" is remembered.
    QCOMPARE(*m_store.switchSibling(a1, +1), a2);
    QCOMPARE(contents(*m_store.activePath(c)), QStringList({"What is 2+2?", "4", "And 3+3?"}));

    // Edit the first user message: a new root sibling, a new empty branch.
    const qint64 u1b = *m_store.editMessage(u1, QStringLiteral("What is 2*3?"));
    QCOMPARE(m_store.message(u1b)->parentId, 0);
    QCOMPARE(contents(*m_store.activePath(c)), QStringList({"What is 2*3?"}));
    auto sibs = *m_store.siblings(u1b);
    QCOMPARE(sibs.size(), 2);
    QCOMPARE(sibs[0].id, u1);
    QVERIFY(m_store.selectBranch(u1));
    QCOMPARE(contents(*m_store.activePath(c)), QStringList({"What is 2+2?", "4", "And 3+3?"}));
    QCOMPARE(m_store.conversation(c)->messageCount, 5);

    // A parent from another conversation is refused.
    const qint64 other = *m_store.createConversation();
    QVERIFY(!m_store.addMessage(other, u1, msg("user", "x")));
    QVERIFY(!m_store.appendMessage(c, msg("robot", "x")));
  }

  void autoTitles()
  {
    QCOMPARE(ConversationStore::titleFromText(QStringLiteral("\n## **Plan** a trip to `Lisbon`\nmore")),
             QStringLiteral("Plan a trip to Lisbon"));
    const QString longText = QStringLiteral(
        "Please explain how the borrow checker in Rust decides lifetimes for closures");
    const QString t = ConversationStore::titleFromText(longText);
    QVERIFY(t.size() <= 49);
    QVERIFY(t.endsWith(QChar(0x2026)));
    QVERIFY(t.startsWith(QStringLiteral("Please explain how the borrow checker in")));

    const qint64 c = *m_store.createConversation();
    QCOMPARE(*m_store.autoTitle(c), QString());
    QVERIFY(m_store.appendMessage(c, msg("user", "- Recipe for *bread*")));
    QVERIFY(m_store.appendMessage(c, msg("assistant", "Flour, water, salt.")));
    QCOMPARE(*m_store.autoTitle(c), QStringLiteral("Recipe for bread"));
    QCOMPARE(m_store.conversation(c)->title, QStringLiteral("Recipe for bread"));
    // A user's own title is never replaced.
    const qint64 d = *m_store.createConversation();
    QVERIFY(m_store.renameConversation(d, QStringLiteral("Mine")));
    QVERIFY(m_store.appendMessage(d, msg("user", "Something else")));
    QCOMPARE(*m_store.autoTitle(d), QStringLiteral("Mine"));
  }

  void deleteAndUndo()
  {
    const qint64 a = *m_store.createConversation(QStringLiteral("A"));
    const qint64 b = *m_store.createConversation(QStringLiteral("B"));
    QVERIFY(m_store.appendMessage(a, msg("user", "keep me")));
    QVERIFY(!m_store.canUndoDelete());
    QVERIFY(m_store.deleteConversation(a));
    QCOMPARE(m_store.listConversations(0, 10)->items.size(), 1);
    QVERIFY(!m_store.conversation(a));
    QVERIFY(m_store.canUndoDelete());
    // Undo survives a restart.
    m_store.close();
    QVERIFY(m_store.open(dbPath()));
    QCOMPARE(*m_store.undoDelete(), a);
    QCOMPARE(m_store.conversation(a)->messageCount, 1);
    QCOMPARE(m_store.listConversations(0, 10)->items.size(), 2);
    QCOMPARE(*m_store.undoDelete(), 0);
    // Only the last delete can be undone: deleting b purges a.
    QVERIFY(m_store.deleteConversation(a));
    QVERIFY(m_store.deleteConversation(b));
    QCOMPARE(*m_store.undoDelete(), b);
    QCOMPARE(*m_store.undoDelete(), 0);
    QVERIFY(!m_store.conversation(a));
    QCOMPARE(*m_store.database().scalarInt("SELECT count(*) FROM messages"), 0);
  }

  void streamingCoalesced()
  {
    const qint64 c = *m_store.createConversation();
    QVERIFY(m_store.appendMessage(c, msg("user", "Count")));
    m_store.setReplyCoalescing(60'000, 4); // by count only, for a deterministic test
    QSignalSpy grew(&m_store, &ConversationStore::replyGrew);
    const qint64 r = *m_store.beginReply(c);
    QCOMPARE(m_store.message(r)->state, MessageState::Streaming);
    auto onDisk = [&] {
      sql::Statement st(m_store.database(), "SELECT content FROM messages WHERE id = ?1");
      st.bind(1, r);
      (void)st.step();
      return st.text(0);
    };
    for (int i = 0; i < 3; ++i)
      QVERIFY(m_store.appendReply(r, QString::number(i)));
    QCOMPARE(onDisk(), QString());                   // gathered, not yet written
    QCOMPARE(m_store.replyContent(r), QStringLiteral("012"));
    QVERIFY(m_store.appendReply(r, QStringLiteral("3")));
    QCOMPARE(onDisk(), QStringLiteral("0123"));      // the 4th piece wrote them
    QCOMPARE(grew.count(), 4);
    QVERIFY(m_store.appendReply(r, QStringLiteral("4"), QStringLiteral("think")));
    QVERIFY(m_store.flushReply(r));
    QCOMPARE(onDisk(), QStringLiteral("01234"));
    QVERIFY(m_store.appendReply(r, QStringLiteral("5")));
    QVERIFY(m_store.finishReply(r, MessageState::Complete, QJsonObject{{"tokens", 6}}));
    auto m = *m_store.message(r);
    QCOMPARE(m.content, QStringLiteral("012345"));
    QCOMPARE(m.reasoning, QStringLiteral("think"));
    QCOMPARE(m.state, MessageState::Complete);
    QCOMPARE(m.stats.value("tokens").toInt(), 6);
    QVERIFY(!m_store.appendReply(r, QStringLiteral("late")));

    // The timer writes a tail that no count reached.
    m_store.setReplyCoalescing(30, 1000);
    const qint64 r2 = *m_store.beginReply(c);
    QVERIFY(m_store.appendReply(r2, QStringLiteral("tail")));
    QTRY_COMPARE_WITH_TIMEOUT(
        [&] {
          sql::Statement st(m_store.database(), "SELECT content FROM messages WHERE id = ?1");
          st.bind(1, r2);
          (void)st.step();
          return st.text(0);
        }(),
        QStringLiteral("tail"), 2000);

    // Left streaming at close: interrupted on the next open.
    m_store.close();
    QVERIFY(m_store.open(dbPath()));
    QCOMPARE(m_store.message(r2)->state, MessageState::Interrupted);
    QCOMPARE(m_store.message(r2)->content, QStringLiteral("tail"));
  }

  void search()
  {
    const qint64 a = *m_store.createConversation(QStringLiteral("Café in Zürich"));
    QVERIFY(m_store.appendMessage(a, msg("user", "Where is the best espresso near the lake?")));
    QVERIFY(m_store.appendMessage(a, msg("assistant", "Try the café on Bahnhofstrasse <b>bold</b>.")));
    const qint64 b = *m_store.createConversation(QStringLiteral("Русский"));
    QVERIFY(m_store.appendMessage(b, msg("user", "Привет, как дела? Расскажи про квантовую механику.")));
    QVERIFY(m_store.appendMessage(b, msg("assistant", "Quantum mechanics describes nature at small scales.")));
    const qint64 d = *m_store.createConversation(QStringLiteral("Deleted"));
    QVERIFY(m_store.appendMessage(d, msg("user", "espresso machine repair")));
    QVERIFY(m_store.deleteConversation(d));

    // Diacritics folded, titles included, deleted conversations hidden.
    auto hits = *m_store.search(QStringLiteral("cafe"));
    QCOMPARE(hits.size(), 2);
    QCOMPARE(hits[0].messageId, 0); // the title first
    QCOMPARE(snippetMarked(hits[0].snippet, "[", "]"), QStringLiteral("[Café] in Zürich"));
    QCOMPARE(hits[1].role, QStringLiteral("assistant"));

    hits = *m_store.search(QStringLiteral("espresso"));
    QCOMPARE(hits.size(), 1);
    QCOMPARE(hits[0].conversationId, a);
    QVERIFY(snippetMarked(hits[0].snippet, "[", "]").contains(QStringLiteral("[espresso]")));

    // Cyrillic, prefix and case folding.
    hits = *m_store.search(QStringLiteral("квантов*"));
    QCOMPARE(hits.size(), 1);
    QVERIFY(snippetMarked(hits[0].snippet, "[", "]").contains(QStringLiteral("[квантовую]")));
    QCOMPARE(m_store.search(QStringLiteral("ПРИВЕТ"))->size(), 1);
    QCOMPARE(m_store.search(QStringLiteral("квантов"))->size(), 0); // no prefix without *
    QCOMPARE(m_store.search(QStringLiteral("quant*"))->size(), 1);

    // Phrases: order matters.
    QCOMPARE(m_store.search(QStringLiteral("\"small scales\""))->size(), 1);
    QCOMPARE(m_store.search(QStringLiteral("\"scales small\""))->size(), 0);
    // FTS5 syntax in user text is plain text, never an error.
    QVERIFY(m_store.search(QStringLiteral("NEAR( title: AND OR ) \"unterminated")));
    QCOMPARE(ConversationStore::ftsQuery(QStringLiteral("a\"b c\" -- x")),
             QStringLiteral("\"a\" \"b c\" \"x\""));
    QCOMPARE(ConversationStore::ftsQuery(QStringLiteral("foo* \"x y\"")),
             QStringLiteral("\"foo\"* \"x y\""));

    // Highlighting as HTML escapes the text itself.
    hits = *m_store.search(QStringLiteral("bold"));
    QCOMPARE(hits.size(), 1);
    const QString html = snippetHtml(hits[0].snippet);
    QVERIFY2(html.contains(QStringLiteral("&lt;<b>b</b>&gt;<b>bold</b>&lt;/b&gt;")) ||
                 html.contains(QStringLiteral("&lt;b&gt;<b>bold</b>&lt;/b&gt;")),
             qPrintable(html));

    // Streaming text becomes searchable once written.
    const qint64 r = *m_store.beginReply(b);
    QVERIFY(m_store.appendReply(r, QStringLiteral("entanglement")));
    QVERIFY(m_store.finishReply(r, MessageState::Complete));
    QCOMPARE(m_store.search(QStringLiteral("entangle*"))->size(), 1);
  }

  void searchCjk()
  {
    const auto marked = [](const SearchHit &h) { return snippetMarked(h.snippet, "[", "]"); };
    const qint64 zh = *m_store.createConversation(QStringLiteral("北京旅行"));
    QVERIFY(m_store.appendMessage(zh, msg("user", "我想去北京天安门广场看升旗。")));
    QVERIFY(m_store.appendMessage(zh, msg("assistant", "升旗仪式在日出时举行，建议提前到天安门。")));
    const qint64 ja = *m_store.createConversation(QStringLiteral("東京の天気"));
    QVERIFY(m_store.appendMessage(ja, msg("user", "明日の東京の天気はどうですか？")));
    QVERIFY(m_store.appendMessage(ja, msg("assistant", "午後から雨が降るので、折りたたみ傘を持って行ってください。")));
    const qint64 ko = *m_store.createConversation(QStringLiteral("도서관"));
    QVERIFY(m_store.appendMessage(ko, msg("user", "도서관이 몇 시에 문을 닫아요? Is the iPhone手机 there?")));

    // Chinese: a word inside a sentence without spaces, a longer run, one character.
    auto hits = *m_store.search(QStringLiteral("天安门"));
    QCOMPARE(hits.size(), 2);
    for (const SearchHit &h : hits) {
      QCOMPARE(h.conversationId, zh);
      QVERIFY2(marked(h).contains(QStringLiteral("[天安门]")), qPrintable(marked(h)));
    }
    hits = *m_store.search(QStringLiteral("天安门广场"));
    QCOMPARE(hits.size(), 1);
    QCOMPARE(marked(hits[0]), QStringLiteral("我想去北京[天安门广场]看升旗。"));
    hits = *m_store.search(QStringLiteral("北京"));
    QCOMPARE(hits.size(), 2);
    QCOMPARE(hits[0].messageId, 0); // the title first
    QCOMPARE(marked(hits[0]), QStringLiteral("[北京]旅行"));
    hits = *m_store.search(QStringLiteral("升"));
    QCOMPARE(hits.size(), 2);
    QVERIFY2(marked(hits[0]).contains(QStringLiteral("[升]旗")), qPrintable(marked(hits[0])));
    QCOMPARE(m_store.search(QStringLiteral("北京大学"))->size(), 0);
    QCOMPARE(m_store.search(QStringLiteral("门安天"))->size(), 0); // order matters
    QCOMPARE(m_store.search(QStringLiteral("北京 升旗"))->size(), 1); // both words, one message

    // Japanese: kanji and kana mixed, substrings across both.
    hits = *m_store.search(QStringLiteral("天気"));
    QCOMPARE(hits.size(), 2);
    QCOMPARE(marked(hits[0]), QStringLiteral("東京の[天気]"));
    QCOMPARE(marked(hits[1]), QStringLiteral("明日の東京の[天気]はどうですか？"));
    hits = *m_store.search(QStringLiteral("たたみ傘を"));
    QCOMPARE(hits.size(), 1);
    QVERIFY2(marked(hits[0]).contains(QStringLiteral("折り[たたみ傘を]持って")), qPrintable(marked(hits[0])));

    // Korean: the stem of a word carrying a particle; CJK next to Latin letters.
    hits = *m_store.search(QStringLiteral("도서관"));
    QCOMPARE(hits.size(), 2);
    QVERIFY2(marked(hits[1]).contains(QStringLiteral("[도서관]이")), qPrintable(marked(hits[1])));
    QCOMPARE(m_store.search(QStringLiteral("iphone"))->size(), 1);
    QCOMPARE(m_store.search(QStringLiteral("手机"))->size(), 1);
    QCOMPARE(m_store.search(QStringLiteral("\"iPhone手机\""))->size(), 1);
  }

  void refusesNewerSchema()
  {
    m_store.close();
    {
      auto db = *sql::Database::open(dbPath());
      QVERIFY(db.exec("PRAGMA user_version = 99"));
    }
    QFile f(dbPath());
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray before = f.readAll();
    f.close();
    auto s = m_store.open(dbPath());
    QVERIFY(!s);
    QCOMPARE(s.error().code, ErrorCode::Unsupported);
    QVERIFY(QString::fromStdString(s.error().message).contains(QStringLiteral("newer")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), before);
    QVERIFY(!m_store.isOpen());
  }
};

QTEST_GUILESS_MAIN(TestConversationStore)
#include "tst_conversation_store.moc"
