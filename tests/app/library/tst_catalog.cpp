// The built-in catalog, the fit computation and CatalogModel's fit badges.
#include "library/CatalogModel.h"
#include "library/ModelFacts.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace hearth::library;

namespace {
constexpr uint64_t MiB = 1024 * 1024;
constexpr uint64_t GiB = 1024 * MiB;

const CatalogEntry *findEntry(const std::vector<CatalogEntry> &entries, const QString &id)
{
  for (const auto &e : entries)
    if (e.id == id)
      return &e;
  return nullptr;
}
} // namespace

class CatalogTest : public QObject {
  Q_OBJECT
private slots:
  void kvCacheFromShape()
  {
    // 2 (K,V) x layers x context x kv_heads x head_dim x 2 bytes (f16), by hand:
    QCOMPARE(kvCacheBytes({28, 4, 128}, 4096), uint64_t(224) * MiB); // Qwen2.5 7B
    QCOMPARE(kvCacheBytes({16, 8, 64}, 4096), uint64_t(128) * MiB);  // Llama 3.2 1B
    QCOMPARE(kvCacheBytes({30, 3, 64}, 4096), uint64_t(90) * MiB);   // SmolLM2 135M
    QCOMPARE(kvCacheBytes({48, 8, 128}, 32768), uint64_t(6) * GiB);  // R1 Distill 14B
    QCOMPARE(kvCacheBytes({28, 4, 128}, 0), uint64_t(0));
  }

  void verdictBoundaries()
  {
    QCOMPARE(fitVerdict(800, 1000), FitVerdict::Fits);
    QCOMPARE(fitVerdict(801, 1000), FitVerdict::Tight);
    QCOMPARE(fitVerdict(1000, 1000), FitVerdict::Tight);
    QCOMPARE(fitVerdict(1001, 1000), FitVerdict::WontFit);
    QCOMPARE(fitVerdict(1, 0), FitVerdict::Unknown);
    QCOMPARE(fitVerdict(UINT64_MAX, UINT64_MAX - 1), FitVerdict::WontFit); // no overflow
    QCOMPARE(QString::fromUtf8(fitVerdictName(FitVerdict::WontFit)), QStringLiteral("won't fit"));
  }

  void memoryNeededAddsWeightsKvAndBuffers()
  {
    const uint64_t weights = 4000 * MiB;
    const ModelShape shape{28, 4, 128};
    QCOMPARE(memoryNeeded(weights, shape, 4096), weights + 224 * MiB + weights / 20 + 64 * MiB);
    QVERIFY(memoryNeeded(weights, shape, 32768) > memoryNeeded(weights, shape, 4096));
  }

  // Verdicts for three catalog models across budgets, from the documented rule: fits when
  // the need is at most 80 % of the budget, tight up to 100 %, won't fit beyond. Needs at
  // 4096 tokens, by hand (weights + f16 KV + weights/20 + 64 MiB):
  //   SmolLM2 135M  145000000 + 94371840 + 7250000 + 67108864    =   313730704
  //   Qwen2.5 1.5B  986000000 + 117440512 + 49300000 + 67108864  =  1219849376
  //   R1 14B        8990000000 + 805306368 + 449500000 + 67108864 = 10311915232
  void fitAcrossBudgets_data()
  {
    QTest::addColumn<QString>("id");
    QTest::addColumn<qint64>("budget");
    QTest::addColumn<int>("context");
    QTest::addColumn<QString>("fit");
    const QString small = QStringLiteral("smollm2-135m-instruct-q8_0");
    const QString mid = QStringLiteral("qwen2.5-1.5b-instruct-q4_k_m");
    const QString big = QStringLiteral("deepseek-r1-distill-qwen-14b-q4_k_m");
    QTest::newRow("135M in 300 MB") << small << qint64(300'000'000) << 4096 << "wontFit";
    QTest::newRow("135M in 350 MB") << small << qint64(350'000'000) << 4096 << "tight";
    QTest::newRow("135M in 500 MB") << small << qint64(500'000'000) << 4096 << "fits";
    QTest::newRow("1.5B in 1 GB") << mid << qint64(1'000'000'000) << 4096 << "wontFit";
    QTest::newRow("1.5B at its need") << mid << qint64(1'219'849'376) << 4096 << "tight";
    QTest::newRow("1.5B in 1.5 GB") << mid << qint64(1'500'000'000) << 4096 << "tight";
    QTest::newRow("1.5B at 80 %") << mid << qint64(1'524'811'720) << 4096 << "fits";
    QTest::newRow("1.5B in 2 GB") << mid << qint64(2'000'000'000) << 4096 << "fits";
    // 32k tokens: the KV cache grows to 939524096 bytes, the need to 2041933248.
    QTest::newRow("1.5B at 32k in 2 GB") << mid << qint64(2'000'000'000) << 32768 << "wontFit";
    QTest::newRow("14B in 8 GB") << big << qint64(8'000'000'000) << 4096 << "wontFit";
    QTest::newRow("14B in 12 GB") << big << qint64(12'000'000'000) << 4096 << "tight";
    QTest::newRow("14B in 16 GB") << big << qint64(16'000'000'000) << 4096 << "fits";
  }

  void fitAcrossBudgets()
  {
    QFETCH(QString, id);
    QFETCH(qint64, budget);
    QFETCH(int, context);
    QFETCH(QString, fit);
    CatalogModel model;
    model.setMemoryBudget(budget);
    model.setContextLength(context);
    int row = -1;
    for (int i = 0; i < model.rowCount(); ++i)
      if (model.data(model.index(i), CatalogModel::IdRole).toString() == id)
        row = i;
    QVERIFY2(row >= 0, qPrintable(id));
    QCOMPARE(model.data(model.index(row), CatalogModel::FitRole).toString(), fit);
  }

  void builtinCatalogIsComplete()
  {
    auto entries = builtinCatalog();
    QVERIFY2(entries.has_value(), entries ? "" : entries.error().message.c_str());
    QVERIFY(entries->size() >= 12);
    int supported = 0;
    for (const auto &e : *entries) {
      QVERIFY2(e.repo.count(QLatin1Char('/')) == 1, qPrintable(e.id));
      QVERIFY2(e.file.endsWith(QLatin1String(".gguf")), qPrintable(e.id));
      QVERIFY2(e.file.contains(e.quant, Qt::CaseInsensitive), qPrintable(e.id));
      QVERIFY(e.sizeBytes > 50 * 1000 * 1000 && e.parameters > 100 * 1000 * 1000);
      QVERIFY(e.contextLength >= 2048 && e.shape.layers > 0 && e.shape.kvHeads > 0 && e.shape.headDim > 0);
      QVERIFY(!e.licence.isEmpty() && !e.description.isEmpty() && !e.name.isEmpty());
      supported += e.supported();
    }
    QVERIFY(supported >= 12);
    QVERIFY(findEntry(*entries, QStringLiteral("gemma-3-1b-it-q4_k_m")));
    QVERIFY(!findEntry(*entries, QStringLiteral("gemma-3-1b-it-q4_k_m"))->supported());
  }

  void catalogShapeMatchesTheRealDemoModel()
  {
    // The catalog's SmolLM2-135M shape must be what the real GGUF header says.
    const QString demo = qEnvironmentVariable("HEARTH_DEMO_MODEL");
    QVERIFY2(QFile::exists(demo), "demo model missing: run packaging/fetch-demo-model.sh");
    auto facts = readModelFacts(demo);
    QVERIFY2(facts.has_value(), facts ? "" : facts.error().message.c_str());
    auto entries = builtinCatalog();
    const CatalogEntry *e = findEntry(*entries, QStringLiteral("smollm2-135m-instruct-q8_0"));
    QVERIFY(e);
    QCOMPARE(facts->architecture, e->architecture);
    QCOMPARE(facts->shape.layers, e->shape.layers);
    QCOMPARE(facts->shape.kvHeads, e->shape.kvHeads);
    QCOMPARE(facts->shape.headDim, e->shape.headDim);
    QCOMPARE(facts->contextLength, e->contextLength);
    QCOMPARE(facts->quant, QStringLiteral("Q4_1"));
    QVERIFY(facts->parameters > 130'000'000 && facts->parameters < 140'000'000);
  }

  void parseErrorsNameTheEntry()
  {
    auto bad = parseCatalog(R"({"models":[{"id":"x","name":"X","repo":"a/b","file":"x.gguf","quant":"Q4_0",
      "sizeBytes":1,"parameters":1,"contextLength":1,"licence":"mit","architecture":"llama",
      "layers":1,"kvHeads":1,"headDim":-4,"description":"d"}]})");
    QVERIFY(!bad);
    QVERIFY2(QString::fromStdString(bad.error().message).contains(QLatin1String("headDim")),
             bad.error().message.c_str());
    QVERIFY(!parseCatalog("{not json"));
    QVERIFY(!parseCatalog(R"({"models":{}})"));
  }

  void modelGivesFitBadges()
  {
    CatalogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.errorString().isEmpty());
    int qwen7 = -1, r1_14 = -1;
    for (int i = 0; i < model.rowCount(); ++i) {
      const QString id = model.data(model.index(i), CatalogModel::IdRole).toString();
      if (id == QLatin1String("qwen2.5-7b-instruct-q4_k_m")) qwen7 = i;
      if (id == QLatin1String("deepseek-r1-distill-qwen-14b-q4_k_m")) r1_14 = i;
    }
    QVERIFY(qwen7 >= 0 && r1_14 >= 0);
    auto fit = [&](int row) { return model.data(model.index(row), CatalogModel::FitRole).toString(); };
    QCOMPARE(fit(qwen7), QStringLiteral("unknown"));

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setMemoryBudget(qint64(8 * GiB));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(fit(qwen7), QStringLiteral("fits"));     // 4.68 GB + 224 MiB KV + buffers
    QCOMPARE(fit(r1_14), QStringLiteral("wontFit"));  // 8.99 GB + 768 MiB KV + buffers
    QCOMPARE(model.data(model.index(r1_14), CatalogModel::FitLabelRole).toString(), QStringLiteral("won't fit"));
    model.setMemoryBudget(qint64(6 * GiB));
    QCOMPARE(fit(qwen7), QStringLiteral("tight"));

    // A longer context grows the KV cache: 7B at 32k holds 1792 MiB of KV, 1568 MiB more than at 4k.
    const qint64 at4k = model.data(model.index(qwen7), CatalogModel::MemoryNeededRole).toLongLong();
    model.setContextLength(32768);
    const qint64 at32k = model.data(model.index(qwen7), CatalogModel::MemoryNeededRole).toLongLong();
    QCOMPARE(uint64_t(at32k - at4k), 1568 * MiB);
    QCOMPARE(fit(qwen7), QStringLiteral("wontFit"));
    QCOMPARE(model.get(qwen7).value(QStringLiteral("fit")).toString(), QStringLiteral("wontFit"));
  }
};

QTEST_GUILESS_MAIN(CatalogTest)
#include "tst_catalog.moc"
