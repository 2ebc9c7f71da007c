// Export (Markdown, JSON, HTML, text, PDF) and import (Hearth JSON, ChatGPT) on real
// SQLite files: content of each format, HTML escaping, atomic replacement, exact JSON
// round trip, ChatGPT branches, malformed input writing nothing.
#include "store/ConversationStore.h"
#include "store/Export.h"

#include <QDir>
#include <QGuiApplication>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace hearth;

namespace {

NewMessage msg(const char *role, const QString &content, const QString &reasoning = {})
{
  NewMessage m;
  m.role = QString::fromLatin1(role);
  m.content = content;
  m.reasoning = reasoning;
  return m;
}

QByteArray readAll(const QString &path)
{
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

ino_t inode(const QString &path)
{
  struct stat st {};
  return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? st.st_ino : 0;
}

const QString k_hostile = QStringLiteral(
    "Look: <script>alert('x')</script> and <img src=x onerror=\"alert(1)\"> & done");

} // namespace

class TestExportImport : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  ConversationStore m_store;
  qint64 m_conv = 0;

  QString path(const QString &name) const { return m_dir.filePath(name); }

private slots:
  void initTestCase()
  {
    QVERIFY(m_store.open(path("main.db")));
    m_conv = *m_store.createConversation(QStringLiteral("Ünïcode & <tags>"), QStringLiteral("smol.gguf"),
                                         QStringLiteral("You are terse."),
                                         QJsonObject{{"temperature", 0.3}, {"top_p", 0.95}});
    QVERIFY(m_store.setPinned(m_conv, true));
    QVERIFY(m_store.setFolder(m_conv, QStringLiteral("Recipes")));
    const qint64 u = *m_store.appendMessage(m_conv, msg("user", k_hostile));
    NewMessage a = msg("assistant", QStringLiteral("Old answer that was regenerated"));
    a.seed = 42;
    a.stats = QJsonObject{{"tokensPerSecond", 31.25}, {"generatedTokens", 7}};
    QVERIFY(m_store.appendMessage(m_conv, a));
    NewMessage b = msg("assistant", QStringLiteral("Code:\n```cpp\nint main() { return 1 < 2; }\n```\nDone `inline`."),
                       QStringLiteral("Thinking about <b>tags</b> quietly"));
    b.modelFile = QStringLiteral("SmolLM2.gguf");
    b.modelSha256 = QStringLiteral("ab12");
    b.sampling = QJsonObject{{"temperature", 0.3}, {"seed", 7}};
    b.seed = 7;
    b.stats = QJsonObject{{"tokensPerSecond", 12.5}, {"promptTokens", 20}};
    QVERIFY(m_store.addMessage(m_conv, u, b));
    const qint64 r = *m_store.beginReply(m_conv);
    QVERIFY(m_store.appendReply(r, QStringLiteral("cut off")));
    QVERIFY(m_store.finishReply(r, MessageState::Cancelled));
    const qint64 other = *m_store.createConversation();
    QVERIFY(m_store.appendMessage(other, msg("user", QStringLiteral("Второй разговор 🙂"))));
    QVERIFY(m_store.autoTitle(other));
  }

  void markdownAndText()
  {
    const QString md = QString::fromUtf8(*renderExport(m_store, {m_conv}, ExportFormat::Markdown));
    QVERIFY(md.startsWith(QStringLiteral("# Ünïcode & <tags>\n")));
    QVERIFY(md.contains(QStringLiteral("> **System:** You are terse.")));
    QVERIFY(md.contains(QStringLiteral("## User\n\n") + k_hostile));
    QVERIFY(md.contains(QStringLiteral("```cpp\nint main() { return 1 < 2; }\n```")));
    QVERIFY(md.contains(QStringLiteral("<summary>Reasoning</summary>")));
    QVERIFY(md.contains(QStringLiteral("## Assistant (cancelled)\n\ncut off")));
    QVERIFY(!md.contains(QStringLiteral("Old answer"))); // not on the active path

    const QString all = QString::fromUtf8(*renderExport(m_store, {}, ExportFormat::Text));
    QVERIFY(all.contains(QStringLiteral("Ünïcode & <tags>\n================")));
    QVERIFY(all.contains(QStringLiteral("User:\nВторой разговор 🙂")));
    QVERIFY(all.contains(QStringLiteral("[Reasoning]\nThinking about <b>tags</b> quietly")));
  }

  void htmlEscapesEverything()
  {
    const QString html = QString::fromUtf8(*renderExport(m_store, {}, ExportFormat::Html));
    QVERIFY(html.startsWith(QStringLiteral("<!DOCTYPE html>")));
    QVERIFY(html.contains(QStringLiteral("<style>")));
    QVERIFY(!html.contains(QStringLiteral("<script"), Qt::CaseInsensitive));
    QVERIFY(!html.contains(QRegularExpression(QStringLiteral("<[^>]*onerror"))));
    QVERIFY(!html.contains(QStringLiteral("<img"), Qt::CaseInsensitive));
    QVERIFY(!html.contains(QStringLiteral("<tags>")));
    QVERIFY(html.contains(QStringLiteral("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")) ||
            html.contains(QStringLiteral("&lt;script&gt;alert('x')&lt;/script&gt;")));
    QVERIFY(html.contains(QStringLiteral("onerror=&quot;alert(1)&quot;")));
    QVERIFY(html.contains(QStringLiteral("<pre><code data-lang=\"cpp\">int main() { return 1 &lt; 2; }")));
    QVERIFY(html.contains(QStringLiteral("<code>inline</code>")));
    QVERIFY(html.contains(QStringLiteral("<details><summary>Reasoning</summary>")));
    QVERIFY(html.contains(QStringLiteral("Thinking about &lt;b&gt;tags&lt;/b&gt; quietly")));
    QVERIFY(html.contains(QStringLiteral("Content-Security-Policy")));
  }

  void exportReplacesAtomically()
  {
    const QString out = path("out.md");
    QFile f(out);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("old contents");
    f.close();
    const ino_t before = inode(out);
    QVERIFY(exportConversations(m_store, {m_conv}, ExportFormat::Markdown, out));
    QVERIFY(readAll(out).startsWith("# Ünïcode"));
    QVERIFY(inode(out) != before); // a new file renamed over the old one, not rewritten in place
    QStringList leftovers = QDir(m_dir.path()).entryList({"out.md.*"}, QDir::Files | QDir::Hidden);
    QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(',')));
    // A failed export leaves nothing behind.
    QVERIFY(!exportConversations(m_store, {m_conv}, ExportFormat::Html, path("missing/dir/x.html")));
    QVERIFY(!exportConversations(m_store, {9999}, ExportFormat::Html, path("none.html")));
    QVERIFY(!QFile::exists(path("none.html")));
  }

  void pdfHasTheText()
  {
    const QString out = path("chat.pdf");
    QVERIFY(exportConversations(m_store, {m_conv}, ExportFormat::Pdf, out));
    QVERIFY(readAll(out).startsWith("%PDF-"));
    const QString pdftotext = QStandardPaths::findExecutable(QStringLiteral("pdftotext"));
    QVERIFY2(!pdftotext.isEmpty(), "pdftotext (poppler-utils, in packaging/debian-packages.txt) is needed");
    QProcess p;
    p.start(pdftotext, {out, QStringLiteral("-")});
    QVERIFY(p.waitForFinished(30000));
    const QString text = QString::fromUtf8(p.readAllStandardOutput());
    QVERIFY2(text.contains(QStringLiteral("Ünïcode & <tags>")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("<script>alert('x')</script>")));
    QVERIFY(text.contains(QStringLiteral("Thinking about <b>tags</b> quietly")));
    QVERIFY2(text.contains(QStringLiteral("cut o")), qPrintable(text)); // "ff" may come out as a ligature
  }

  void jsonRoundTripExact()
  {
    const QString a = path("a.json"), b = path("b.json");
    QVERIFY(exportConversations(m_store, {}, ExportFormat::Json, a));
    const QByteArray first = readAll(a);
    QVERIFY(first.contains("\"Old answer that was regenerated\"")); // every branch
    QVERIFY(first.contains("\"tokensPerSecond\": 31.25"));
    QVERIFY(first.contains("\"seed\": 42"));
    QVERIFY(first.contains("\"state\": \"cancelled\""));

    ConversationStore empty;
    QVERIFY(empty.open(path("empty.db")));
    auto report = importFile(empty, a);
    QVERIFY2(report, report ? "" : report.error().message.c_str());
    QCOMPARE(report->format, QStringLiteral("hearth"));
    QCOMPARE(report->conversations, 2);
    QCOMPARE(report->messages, 5);
    QVERIFY(exportConversations(empty, {}, ExportFormat::Json, b));
    QCOMPARE(readAll(b), first);
    // The selection survived: same active path.
    const qint64 id = *empty.conversationByUuid(m_store.conversation(m_conv)->uuid);
    QCOMPARE(empty.activePath(id)->size(), 3);
    QCOMPARE(empty.activePath(id)->at(1).siblingCount, 2);
    // Importing again skips what is there.
    report = importFile(empty, a);
    QCOMPARE(report->conversations, 0);
    QCOMPARE(report->skipped, 2);
  }

  void chatGptWithBranches()
  {
    ConversationStore store;
    QVERIFY(store.open(path("chatgpt.db")));
    auto report = importFile(store, qEnvironmentVariable("HEARTH_FIXTURES") +
                                        QStringLiteral("/store/chatgpt/conversations.json"));
    QVERIFY2(report, report ? "" : report.error().message.c_str());
    QCOMPARE(report->format, QStringLiteral("chatgpt"));
    QCOMPARE(report->conversations, 2);
    QCOMPARE(report->messages, 11);

    const qint64 sour = *store.conversationByUuid(QStringLiteral("6a1f0c2e-7d3b-4c55-9e21-0f6b8a1d2c01"));
    auto c = *store.conversation(sour);
    QCOMPARE(c.title, QStringLiteral("Sourdough starter tips"));
    QCOMPARE(c.createdAt, qint64(1714000000250));
    QCOMPARE(c.model, QStringLiteral("gpt-4o"));
    auto path = *store.activePath(sour);
    QCOMPARE(path.size(), 4);
    QCOMPARE(path[0].content, QStringLiteral("How do I keep a sourdough starter alive?"));
    QCOMPARE(path[0].siblingCount, 2); // the edited prompt is a sibling root
    QCOMPARE(path[0].parentId, 0);     // hidden system and null root skipped
    QVERIFY(path[1].content.startsWith(QStringLiteral("Feed it equal weights")));
    QCOMPARE(path[1].siblingIndex, 1);
    QCOMPARE(path[1].siblingCount, 2);
    QCOMPARE(path[1].modelFile, QStringLiteral("gpt-4o"));
    QCOMPARE(path[3].content, QStringLiteral("Put it in the fridge; a well-fed starter keeps for two weeks."));
    QCOMPARE(path[3].createdAt, qint64(1714000105000));
    // The other branches are there to switch to.
    QCOMPARE(*store.switchSibling(path[0].id, +1), store.siblings(path[0].id)->at(1).id);
    path = *store.activePath(sour);
    QCOMPARE(path.size(), 2);
    QVERIFY(path[1].content.startsWith(QStringLiteral("Mix 50 g")));

    const qint64 prime = *store.conversationByUuid(QStringLiteral("7b2e1d3f-8e4c-4d66-8f32-1a7c9b2e3d02"));
    path = *store.activePath(prime);
    QCOMPARE(path.size(), 4);
    QCOMPARE(path[1].reasoning, QStringLiteral("Trial division up to the square root is enough here."));
    QVERIFY(path[1].content.contains(QStringLiteral("```python\ndef is_prime(n):")));
    QCOMPARE(path[2].content, QStringLiteral("[image]\nWhat does this timing plot show?"));
    QCOMPARE(store.search(QStringLiteral("sourdough"))->size(), 3); // title + 2 prompts
  }

  void malformedWritesNothing_data()
  {
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("expected");
    QTest::newRow("truncated") << QByteArray("[{\"title\": \"x\", \"mapping\": {") << "not valid JSON";
    QTest::newRow("unknown") << QByteArray("{\"hello\": 1}") << "not a Hearth JSON export";
    QTest::newRow("chatgpt entry") << QByteArray("[{\"mapping\": {}}, 5]") << "entry 2 is not an object";
    QTest::newRow("chatgpt no mapping")
        << QByteArray("[{\"mapping\": {\"a\": {\"message\": {\"author\": {\"role\": \"user\"}, "
                      "\"content\": {\"content_type\": \"text\", \"parts\": [\"hi\"]}}, \"children\": []}}},"
                      " {\"title\": \"no map\"}]")
        << "conversation 2 has no 'mapping'";
    const QByteArray good = "{\"uuid\": \"u-1\", \"title\": \"ok\", \"messages\": "
                            "[{\"id\": 1, \"parent\": 0, \"role\": \"user\", \"content\": \"hi\"}]}";
    QTest::newRow("bad parent")
        << ("{\"format\": \"hearth-conversations\", \"version\": 1, \"conversations\": [" + good +
            ", {\"uuid\": \"u-2\", \"messages\": [{\"id\": 1, \"parent\": 7, \"role\": \"user\"}]}]}")
        << "parent 7 is not an earlier message";
    QTest::newRow("bad role")
        << ("{\"format\": \"hearth-conversations\", \"version\": 1, \"conversations\": [" + good +
            ", {\"uuid\": \"u-3\", \"messages\": [{\"id\": 1, \"parent\": 0, \"role\": \"wizard\"}]}]}")
        << "CHECK constraint failed";
    QTest::newRow("newer version")
        << QByteArray("{\"format\": \"hearth-conversations\", \"version\": 9, \"conversations\": []}")
        << "version 9 is not supported";
  }

  void malformedWritesNothing()
  {
    QFETCH(QByteArray, data);
    QFETCH(QString, expected);
    ConversationStore store;
    QVERIFY(store.open(path("malformed.db")));
    const qint64 before = *store.database().scalarInt("SELECT count(*) FROM conversations");
    auto report = importData(store, data);
    QVERIFY(!report);
    QVERIFY2(QString::fromStdString(report.error().message).contains(expected),
             report.error().message.c_str());
    QCOMPARE(*store.database().scalarInt("SELECT count(*) FROM conversations"), before);
    QCOMPARE(*store.database().scalarInt("SELECT count(*) FROM messages"), 0);
  }
};

int main(int argc, char *argv[])
{
  if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
    qputenv("QT_QPA_PLATFORM", "offscreen"); // PDF needs fonts, not a screen
  QGuiApplication app(argc, argv);
  TestExportImport t;
  return QTest::qExec(&t, argc, argv);
}

#include "tst_export_import.moc"
