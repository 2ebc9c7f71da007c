// InstalledModels: facts from GGUF headers, import (copy, move, link) of valid files,
// refusal of invalid ones with the reader's error, delete, default model (persisted and
// the one the window loads at startup).
#include "library/InstalledModels.h"

#include "chat/Startup.h"

#include "hearth/gguf.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using hearth::library::InstalledModels;
namespace gguf = hearth::gguf;

namespace {

// A small valid llama-architecture GGUF: 2 layers, 4 heads (2 KV), 64-wide embedding.
bool writeTinyModel(const QString &path, const std::string &arch = "llama")
{
  gguf::GgufWriter w;
  w.setString("general.architecture", arch);
  w.setString("general.name", "Tiny Test Model");
  w.setU32(arch + ".block_count", 2);
  w.setU32(arch + ".context_length", 512);
  w.setU32(arch + ".embedding_length", 64);
  w.setU32(arch + ".attention.head_count", 4);
  w.setU32(arch + ".attention.head_count_kv", 2);
  std::vector<std::byte> f16(64 * 32 * 2, std::byte{0x3c});
  std::vector<std::byte> f32(64 * 4, std::byte{0});
  if (!w.addTensor("token_embd.weight", hearth::TensorType::F16, {64, 32}, f16))
    return false;
  if (!w.addTensor("output_norm.weight", hearth::TensorType::F32, {64}, f32))
    return false;
  return w.write(path.toStdString()).has_value();
}

bool writeBytes(const QString &path, const QByteArray &bytes)
{
  QFile f(path);
  return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

} // namespace

class InstalledTest : public QObject {
  Q_OBJECT
  std::unique_ptr<QTemporaryDir> m_models, m_outside;

private slots:
  void init()
  {
    m_models = std::make_unique<QTemporaryDir>();
    m_outside = std::make_unique<QTemporaryDir>();
  }

  void factsFromTheHeader()
  {
    QVERIFY(writeTinyModel(m_models->filePath("tiny.gguf")));
    InstalledModels models(m_models->path());
    QAbstractItemModelTester tester(&models, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(models.rowCount(), 1);
    const QModelIndex i = models.index(0);
    QCOMPARE(models.data(i, InstalledModels::ValidRole).toBool(), true);
    QCOMPARE(models.data(i, InstalledModels::ArchitectureRole).toString(), QStringLiteral("llama"));
    QCOMPARE(models.data(i, InstalledModels::ModelNameRole).toString(), QStringLiteral("Tiny Test Model"));
    QCOMPARE(models.data(i, InstalledModels::ParametersRole).toLongLong(), 64 * 32 + 64);
    QCOMPARE(models.data(i, InstalledModels::QuantRole).toString(), QStringLiteral("F16"));
    QCOMPARE(models.data(i, InstalledModels::ContextLengthRole).toInt(), 512);
    QCOMPARE(models.data(i, InstalledModels::SupportedRole).toBool(), true);
    const auto *facts = models.facts(0);
    QVERIFY(facts);
    QCOMPARE(facts->shape.layers, 2u);
    QCOMPARE(facts->shape.kvHeads, 2u);
    QCOMPARE(facts->shape.headDim, 16u); // 64 / 4 heads
    // KV at 512: 2 x 2 layers x 512 x 2 heads x 16 x 2 bytes = 131072
    const qint64 size = QFileInfo(m_models->filePath("tiny.gguf")).size();
    QCOMPARE(models.memoryNeeded(0, 512), size + 131072 + size / 20 + 64 * 1024 * 1024);
  }

  void brokenFilesAreListedWithTheReadersError()
  {
    QVERIFY(writeBytes(m_models->filePath("broken.gguf"), QByteArray("GGUF\x03\0\0\0garbage", 15)));
    QVERIFY(writeBytes(m_models->filePath("notes.txt"), "not a model"));
    InstalledModels models(m_models->path());
    QCOMPARE(models.rowCount(), 1); // only *.gguf
    QCOMPARE(models.data(models.index(0), InstalledModels::ValidRole).toBool(), false);
    QVERIFY(models.data(models.index(0), InstalledModels::ErrorRole).toString().contains(QLatin1String("[gguf]")));
    QVERIFY(!models.facts(0));
  }

  void importCopyValidatesThenInstalls()
  {
    const QString source = m_outside->filePath("my-model.gguf");
    QVERIFY(writeTinyModel(source));
    InstalledModels models(m_models->path());
    QSignalSpy done(&models, &InstalledModels::importFinished);
    models.importModel(QUrl::fromLocalFile(source).toString(), InstalledModels::Copy);
    QTRY_COMPARE(done.count(), 1);
    QCOMPARE(done.at(0).at(0).toString(), QStringLiteral("my-model.gguf"));
    QCOMPARE(done.at(0).at(1).toString(), QString());
    QCOMPARE(models.rowCount(), 1);
    QVERIFY(QFileInfo::exists(source)); // copied, not moved
    QVERIFY(!QFileInfo::exists(m_models->filePath("my-model.gguf.part")));

    // The same name again is refused.
    auto again = InstalledModels::importFile(source, m_models->path(), InstalledModels::Copy);
    QVERIFY(!again);
    QVERIFY(QString::fromStdString(again.error().message).contains(QLatin1String("already installed")));
  }

  void importMoveAndLink()
  {
    const QString a = m_outside->filePath("a.gguf"), b = m_outside->filePath("b.gguf");
    QVERIFY(writeTinyModel(a));
    QVERIFY(writeTinyModel(b, "qwen2"));
    QVERIFY(InstalledModels::importFile(a, m_models->path(), InstalledModels::Move));
    QVERIFY(!QFileInfo::exists(a));
    QVERIFY(InstalledModels::importFile(b, m_models->path(), InstalledModels::Link));
    QVERIFY(QFileInfo(m_models->filePath("b.gguf")).isSymLink());
    InstalledModels models(m_models->path());
    QCOMPARE(models.rowCount(), 2);
    QCOMPARE(models.data(models.index(1), InstalledModels::ArchitectureRole).toString(), QStringLiteral("qwen2"));
    QVERIFY(models.remove(QStringLiteral("b.gguf")).isEmpty()); // removes the link only
    QVERIFY(QFileInfo::exists(b));
    QCOMPARE(models.rowCount(), 1);
  }

  void invalidImportsAreRefusedWithTheReadersError()
  {
    const QString truncated = m_outside->filePath("truncated.gguf");
    QVERIFY(writeTinyModel(truncated));
    QFile f(truncated);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.resize(f.size() - 100)); // tensor data now runs past the end
    f.close();
    auto r = InstalledModels::importFile(truncated, m_models->path(), InstalledModels::Copy);
    QVERIFY(!r);
    QVERIFY2(QString::fromStdString(r.error().message).startsWith(QLatin1String("[gguf]")), r.error().message.c_str());

    const QString text = m_outside->filePath("text.gguf");
    QVERIFY(writeBytes(text, "hello, I am not a model\n"));
    QVERIFY(!InstalledModels::importFile(text, m_models->path(), InstalledModels::Copy));

    const QString noArch = m_outside->filePath("noarch.gguf");
    gguf::GgufWriter w;
    w.setString("general.name", "no architecture");
    QVERIFY(w.write(noArch.toStdString()));
    QVERIFY(!InstalledModels::importFile(noArch, m_models->path(), InstalledModels::Copy));

    const QString wrongSuffix = m_outside->filePath("model.bin");
    QVERIFY(writeTinyModel(wrongSuffix));
    QVERIFY(!InstalledModels::importFile(wrongSuffix, m_models->path(), InstalledModels::Copy));

    InstalledModels models(m_models->path());
    QSignalSpy done(&models, &InstalledModels::importFinished);
    models.importModel(truncated);
    QTRY_COMPARE(done.count(), 1);
    QVERIFY(done.at(0).at(1).toString().startsWith(QLatin1String("[gguf]")));
    QCOMPARE(models.rowCount(), 0);
    QCOMPARE(QDir(m_models->path()).entryList(QDir::Files | QDir::Hidden).size(), 0);
  }

  void deleteAndDefault()
  {
    QVERIFY(writeTinyModel(m_models->filePath("one.gguf")));
    QVERIFY(writeTinyModel(m_models->filePath("two.gguf")));
    {
      InstalledModels models(m_models->path());
      models.setDefaultModel(QStringLiteral("two.gguf"));
      QCOMPARE(models.data(models.index(1), InstalledModels::IsDefaultRole).toBool(), true);
    }
    InstalledModels models(m_models->path()); // persisted
    QCOMPARE(models.defaultModel(), QStringLiteral("two.gguf"));
    // What main.cpp loads at startup: --model, then HEARTH_MODEL, then the default.
    qunsetenv("HEARTH_MODEL");
    QCOMPARE(hearth::startupModelPath({QStringLiteral("hearth")}, models), m_models->filePath("two.gguf"));
    QCOMPARE(hearth::startupModelPath({QStringLiteral("hearth"), QStringLiteral("--model"), QStringLiteral("/x.gguf")}, models),
             QStringLiteral("/x.gguf"));
    QVERIFY(!models.remove(QStringLiteral("../two.gguf")).isEmpty());
    QVERIFY(!models.remove(QStringLiteral("missing.gguf")).isEmpty());
    QVERIFY(models.remove(QStringLiteral("two.gguf")).isEmpty());
    QCOMPARE(models.rowCount(), 1);
    QCOMPARE(models.defaultModel(), QString());
    QVERIFY(!QFileInfo::exists(m_models->filePath("two.gguf")));
    // Without a default, the first valid supported model.
    QCOMPARE(hearth::startupModelPath({QStringLiteral("hearth")}, models), m_models->filePath("one.gguf"));
  }
};

QTEST_GUILESS_MAIN(InstalledTest)
#include "tst_installed.moc"
