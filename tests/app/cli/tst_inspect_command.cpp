// `hearth inspect`, run as the real binary: the demo model's facts (expected values from
// the reference reader's dump, tests/fixtures/gguf/demo_model.json), its tensor table,
// and a truncated and a corrupted copy (exit status 1, one line on stderr).
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

namespace {

struct Run {
  int exitCode = -1;
  QString out;
  QString err;
};

Run inspect(const QStringList &args)
{
  QProcess p;
  p.start(QStringLiteral(HEARTH_BINARY), QStringList{QStringLiteral("inspect")} + args);
  if (!p.waitForFinished(60000))
    qFatal("hearth inspect did not finish");
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

// The value after "label:" on its own line of `out`.
QString field(const QString &out, const QString &label)
{
  for (const QString &line : out.split(u'\n'))
    if (line.startsWith(label + u':'))
      return line.mid(label.size() + 1).trimmed();
  return QStringLiteral("<no line '%1'>").arg(label);
}

} // namespace

class TestInspectCommand : public QObject {
  Q_OBJECT

private slots:
  void initTestCase()
  {
    m_model = qEnvironmentVariable("HEARTH_DEMO_MODEL");
    QVERIFY2(QFile::exists(m_model), "the demo model is missing (packaging/fetch-demo-model.sh)");
    QFile f(qEnvironmentVariable("HEARTH_FIXTURES") + u"/gguf/demo_model.json"_qs);
    QVERIFY(f.open(QIODevice::ReadOnly));
    m_ref = QJsonDocument::fromJson(f.readAll()).object();
    QVERIFY(!m_ref.isEmpty());
    for (const auto &m : m_ref[u"metadata"].toArray())
      m_meta[m[u"key"].toString()] = m.toObject();
    const QString dataDir = qEnvironmentVariable("HEARTH_DATA_DIR");
    QVERIFY(!dataDir.isEmpty() && QDir().mkpath(dataDir));
    m_dir = std::make_unique<QTemporaryDir>(dataDir + u"/inspect-XXXXXX"_qs);
    QVERIFY(m_dir->isValid());
  }

  void demoModelFacts()
  {
    const Run r = inspect({m_model});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.err, QString());
    qint64 parameters = 0;
    QMap<int, int> types;
    for (const auto &t : m_ref[u"tensors"].toArray()) {
      parameters += t[u"elements"].toInteger();
      ++types[t[u"type"].toInt()];
    }
    QCOMPARE(parameters, 134515008); // what the reference reader sums
    QCOMPARE(field(r.out, u"parameters"_qs), u"134.5M (134515008)"_qs);
    QCOMPARE(types, (QMap<int, int>{{0, 61}, {3, 210}, {8, 1}}));
    QCOMPARE(field(r.out, u"tensor types"_qs), u"F32 x61, Q4_1 x210, Q8_0 x1 (272 tensors)"_qs);
    QCOMPARE(field(r.out, u"architecture"_qs), u"llama"_qs);
    QCOMPARE(field(r.out, u"name"_qs), m_meta[u"general.name"_qs][u"value"].toString());
    QCOMPARE(field(r.out, u"file type"_qs), u"Q4_1 (3)"_qs);
    auto number = [&](const char *key) { return QString::number(m_meta[QString::fromUtf8(key)][u"value"].toInteger()); };
    QCOMPARE(field(r.out, u"context length"_qs), number("llama.context_length"));
    QCOMPARE(field(r.out, u"embedding size"_qs), number("llama.embedding_length"));
    QCOMPARE(field(r.out, u"layers"_qs), u"30"_qs);
    QCOMPARE(field(r.out, u"heads"_qs), u"%1 (key/value %2)"_qs.arg(number("llama.attention.head_count"),
                                                                    number("llama.attention.head_count_kv")));
    QCOMPARE(field(r.out, u"vocabulary"_qs), u"49152"_qs);
    QCOMPARE(field(r.out, u"chat template"_qs),
             u"present (%1 bytes)"_qs.arg(m_meta[u"tokenizer.chat_template"_qs][u"length"].toInt()));
    QVERIFY2(field(r.out, u"file size"_qs).contains(u"(%1 bytes), GGUF v3"_qs.arg(m_ref[u"file_size"].toInteger())),
             qPrintable(r.out));
    QVERIFY(!r.out.contains(u"token_embd.weight"_qs)); // no table without --tensors
  }

  void demoModelTensorTable()
  {
    const Run r = inspect({m_model, u"--tensors"_qs});
    QCOMPARE(r.exitCode, 0);
    const QJsonArray tensors = m_ref[u"tensors"].toArray();
    const qint64 dataOffset = m_ref[u"data_offset"].toInteger();
    for (const auto &t : tensors) {
      QStringList dims;
      for (const auto &d : t[u"dims"].toArray())
        dims << QString::number(d.toInteger());
      // name, type, dims, file offset, bytes, separated by runs of spaces
      const QString name = t[u"name"].toString();
      const QRegularExpression row(u"^%1 +\\S+ +%2 +%3 +%4$"_qs.arg(
          QRegularExpression::escape(name), QRegularExpression::escape(dims.join(u" x "_qs)),
          QString::number(dataOffset + t[u"offset"].toInteger()), QString::number(t[u"bytes"].toInteger())),
                                   QRegularExpression::MultilineOption);
      QVERIFY2(row.match(r.out).hasMatch(), qPrintable(u"no table row for "_qs + name));
    }
    QVERIFY(QRegularExpression(u"^token_embd.weight +Q8_0 +576 x 49152 "_qs, QRegularExpression::MultilineOption)
                .match(r.out)
                .hasMatch());
    QCOMPARE(r.out.count(u".weight"_qs), tensors.size());
  }

  void truncatedAndCorruptedCopies_data()
  {
    QTest::addColumn<qint64>("keep");       // bytes kept from the demo model
    QTest::addColumn<qint64>("patchAt");    // where a corrupt byte goes (-1: none)
    QTest::addColumn<QString>("expected");  // "@ offset: what"
    const qint64 size = m_ref[u"file_size"].toInteger();
    QTest::newRow("cut in the tensor data") << qint64(40'000'000) << qint64(-1)
        << u"@ 1771339: tensor 'blk.11.ffn_up.weight' data ends past end of file"_qs;
    QTest::newRow("cut in the tokenizer metadata") << qint64(1'000'000) << qint64(-1)
        << u"@ 960183: key 'tokenizer.ggml.merges': array of 48900 string elements cannot fit"_qs;
    QTest::newRow("tensor count high byte") << size << qint64(15)
        << u"@ 8: tensor count 9223372036854776080 cannot fit"_qs;
    QTest::newRow("first key length high byte") << size << qint64(31)
        << u"@ 24: key length 9223372036854775828 runs past end of file"_qs;
  }

  void truncatedAndCorruptedCopies()
  {
    QFETCH(qint64, keep);
    QFETCH(qint64, patchAt);
    QFETCH(QString, expected);
    const QString copy = m_dir->filePath(u"copy.gguf"_qs);
    QFile::remove(copy);
    {
      QFile in(m_model), out(copy);
      QVERIFY(in.open(QIODevice::ReadOnly) && out.open(QIODevice::WriteOnly));
      while (out.size() < keep)
        QVERIFY(out.write(in.read(std::min<qint64>(keep - out.size(), 1 << 22))) > 0);
      if (patchAt >= 0) {
        QVERIFY(out.seek(patchAt));
        QVERIFY(out.putChar(char(0x80)));
      }
    }
    const Run r = inspect({copy});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.out, QString());
    QVERIFY2(r.err.endsWith(u'\n') && r.err.count(u'\n') == 1, qPrintable(r.err));
    QVERIFY2(r.err.startsWith(u"hearth: [gguf] %1 @ "_qs.arg(copy)), qPrintable(r.err));
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
  }

  void usageAndMissingFile()
  {
    const Run usage = inspect({});
    QCOMPARE(usage.exitCode, 2);
    QCOMPARE(usage.err, u"hearth: usage: hearth inspect MODEL.gguf [--tensors]\n"_qs);
    const Run missing = inspect({m_dir->filePath(u"absent.gguf"_qs)});
    QCOMPARE(missing.exitCode, 1);
    QCOMPARE(missing.err, u"hearth: [gguf] %1: cannot open: No such file or directory\n"_qs.arg(
                              m_dir->filePath(u"absent.gguf"_qs)));
  }

private:
  QString m_model;
  QJsonObject m_ref;
  QMap<QString, QJsonObject> m_meta;
  std::unique_ptr<QTemporaryDir> m_dir; // under HEARTH_DATA_DIR
};

QTEST_GUILESS_MAIN(TestInspectCommand)
#include "tst_inspect_command.moc"
