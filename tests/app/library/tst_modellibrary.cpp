// ModelLibrary, the object the Models page binds to: a catalog entry downloaded from
// the (fake) Hub appears among the installed models with its GGUF facts; the catalog
// rows follow their file through downloading, paused, installed and cancelled; the fit
// badges use the engine's backend choice and its memory budget; the token is stored
// readable only by the user.
#include "FakeHub.h"

#include "library/HubApi.h"
#include "library/ModelLibrary.h"

#include "hearth/backend.h"
#include "hearth/gguf.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace hearth::library;

namespace {

// A small real GGUF (bytes): one llama block and an F32 tensor of `width` floats.
QByteArray tinyGguf(uint32_t width)
{
  hearth::gguf::GgufWriter w;
  w.setString("general.architecture", "llama");
  w.setU32("llama.block_count", 1);
  w.setU32("llama.context_length", 128);
  std::vector<std::byte> data(size_t(width) * 4, std::byte{0});
  if (!w.addTensor("output_norm.weight", hearth::TensorType::F32, {width}, data))
    return {};
  const auto bytes = w.bytes();
  return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
}

int catalogRow(const CatalogModel &catalog, const QString &id)
{
  for (int i = 0; i < catalog.rowCount(); ++i)
    if (catalog.data(catalog.index(i), CatalogModel::IdRole).toString() == id)
      return i;
  return -1;
}

} // namespace

class ModelLibraryTest : public QObject {
  Q_OBJECT
  FakeHub m_hub;
  QTemporaryDir m_data;

private slots:
  void initTestCase()
  {
    QVERIFY(m_hub.start());
    qputenv("HEARTH_DATA_DIR", m_data.path().toUtf8());
    qputenv("HEARTH_HF_ENDPOINT", m_hub.url().toUtf8());
  }

  void catalogDownloadBecomesAnInstalledModel()
  {
    ModelLibrary library;
    QVERIFY(library.catalog()->rowCount() >= 12);
    const CatalogEntry &entry = library.catalog()->entries().front();
    // A small real GGUF stands in for the catalog file.
    m_hub.addFile(entry.repo, entry.file, tinyGguf(32));

    QVERIFY(!library.isInstalled(entry.file));
    QSignalSpy reset(library.installed(), &QAbstractItemModel::modelReset);
    const int row = library.downloadCatalogEntry(0);
    QCOMPARE(row, 0);
    QTRY_VERIFY(library.isInstalled(entry.file));
    QVERIFY(reset.count() >= 1);
    const int installedRow = library.installed()->rowOf(entry.file);
    QCOMPARE(library.installed()->data(library.installed()->index(installedRow), InstalledModels::ValidRole).toBool(), true);
    QCOMPARE(library.installed()->data(library.installed()->index(installedRow), InstalledModels::ContextLengthRole).toInt(), 128);
    QCOMPARE(library.downloadCatalogEntry(-1), -1);
  }

  void catalogRowsFollowTheirFile()
  {
    ModelLibrary library;
    CatalogModel *catalog = library.catalog();
    const int row = catalogRow(*catalog, QStringLiteral("qwen2.5-0.5b-instruct-q4_k_m"));
    QVERIFY(row >= 0);
    const CatalogEntry &entry = catalog->entries()[size_t(row)];
    m_hub.addFile(entry.repo, entry.file, tinyGguf(64 * 1024)); // 256 KiB of weights
    m_hub.faults(entry.repo, entry.file).chunkBytes = 8 * 1024;
    m_hub.faults(entry.repo, entry.file).chunkDelayMs = 10;
    auto state = [&] { return catalog->data(catalog->index(row), CatalogModel::FileStateRole).toString(); };
    auto progress = [&] { return catalog->data(catalog->index(row), CatalogModel::DownloadProgressRole).toDouble(); };
    QCOMPARE(state(), QStringLiteral("none"));
    QCOMPARE(catalog->data(catalog->index(row), CatalogModel::DownloadRowRole).toInt(), -1);

    QSignalSpy changed(catalog, &QAbstractItemModel::dataChanged);
    const int download = library.downloadCatalogEntry(row);
    QVERIFY(download >= 0);
    QCOMPARE(catalog->data(catalog->index(row), CatalogModel::DownloadRowRole).toInt(), download);
    QTRY_COMPARE(state(), QStringLiteral("downloading"));
    QTRY_VERIFY_WITH_TIMEOUT(progress() > 0.1, 10000);
    QVERIFY(!changed.isEmpty());

    library.downloads()->pause(download);
    QCOMPARE(state(), QStringLiteral("paused"));
    const double pausedAt = progress();
    QVERIFY(pausedAt > 0.1 && pausedAt < 1.0);

    library.downloads()->cancel(download);
    QCOMPARE(state(), QStringLiteral("none"));
    QCOMPARE(progress(), 0.0);

    m_hub.faults(entry.repo, entry.file).chunkDelayMs = 0;
    library.downloadCatalogEntry(row);
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("installed"), 15000);
    QCOMPARE(progress(), 1.0);
    const QString path = catalog->data(catalog->index(row), CatalogModel::InstalledPathRole).toString();
    QVERIFY2(QFileInfo(path).isFile(), qPrintable(path));
    QCOMPARE(QFileInfo(path).fileName(), entry.file);

    QVERIFY(library.installed()->remove(entry.file).isEmpty());
    QCOMPARE(state(), QStringLiteral("none"));
    QVERIFY(catalog->data(catalog->index(row), CatalogModel::InstalledPathRole).toString().isEmpty());
  }

  void fitBadgesUseTheBackendsBudget()
  {
    // The native CPU backend with a budget of 3 GB: what chooseBackend reports.
    qputenv("HEARTH_BACKEND", "cpu");
    qputenv("HEARTH_CPU_BUDGET", "3000000000");
    auto restore = qScopeGuard([] { qunsetenv("HEARTH_BACKEND"); qunsetenv("HEARTH_CPU_BUDGET"); });
    ModelLibrary library;
    QSignalSpy budget(&library, &ModelLibrary::budgetChanged);
    QVERIFY(budget.wait(10000));
    QCOMPARE(library.memoryBudget(), qint64(3'000'000'000));
    QCOMPARE(library.budgetBackend(), QStringLiteral("cpu"));
    QVERIFY(!library.budgetDevice().isEmpty());
    QVERIFY(library.budgetError().isEmpty());
    QVERIFY2(library.budgetText().startsWith(QLatin1String("3.0 GB of RAM")), qPrintable(library.budgetText()));
    QCOMPARE(library.catalog()->memoryBudget(), qint64(3'000'000'000));
    const CatalogModel &catalog = *library.catalog();
    auto fit = [&](const char *id) {
      return catalog.data(catalog.index(catalogRow(catalog, QLatin1String(id))), CatalogModel::FitRole).toString();
    };
    QCOMPARE(fit("smollm2-135m-instruct-q8_0"), QStringLiteral("fits"));           // 0.31 GB
    QCOMPARE(fit("llama-3.2-3b-instruct-q4_k_m"), QStringLiteral("tight"));        // 2.66 GB
    QCOMPARE(fit("deepseek-r1-distill-qwen-14b-q4_k_m"), QStringLiteral("wontFit")); // 10.3 GB
  }

  void budgetFromTheAutomaticChoice()
  {
    // Whatever this machine is (GPU, lavapipe only, no Vulkan at all), the library shows
    // the budget of the backend a model would load on.
    ModelLibrary library;
    QSignalSpy budget(&library, &ModelLibrary::budgetChanged);
    QVERIFY(budget.wait(30000));
    auto choice = hearth::chooseBackend({});
    QVERIFY2(choice.has_value(), choice ? "" : choice.error().message.c_str());
    QCOMPARE(library.budgetBackend(), QString::fromUtf8(hearth::backendName(choice->kind)));
    QCOMPARE(library.budgetDevice(), QString::fromStdString(choice->deviceName));
    QVERIFY(library.memoryBudget() > 0);
    QVERIFY(!library.probingBudget());
    QVERIFY(library.catalog()->data(library.catalog()->index(0), CatalogModel::FitRole).toString()
            != QLatin1String("unknown"));
  }

  void tokenFileIsPrivate()
  {
    ModelLibrary library;
    QSignalSpy changed(&library, &ModelLibrary::tokenChanged);
    QVERIFY(library.setToken(QStringLiteral("hf_abc123")).isEmpty());
    QVERIFY(library.hasToken());
    QCOMPARE(loadToken(), QStringLiteral("hf_abc123"));
    QCOMPARE(QFileInfo(tokenPath()).permissions() & ~(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser),
             QFile::Permissions());
    QVERIFY(library.setToken(QString()).isEmpty());
    QVERIFY(!library.hasToken());
    QVERIFY(!QFileInfo::exists(tokenPath()));
    QCOMPARE(changed.count(), 2);
  }

  // The keyring path, through a stand-in for `secret-tool` (no Secret Service runs on a
  // headless test machine): a script with secret-tool's command line that keeps the
  // secret in a file named by its attributes, and that can refuse or hang.
  void tokenGoesToTheKeyringWhenOneAnswers()
  {
    const QString keyring = m_data.filePath(QStringLiteral("keyring"));
    const QString tool = m_data.filePath(QStringLiteral("secret-tool"));
    QFile script(tool);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write(R"SH(#!/bin/sh
mode="$(cat "$0.mode" 2>/dev/null)"
[ "$mode" = refuse ] && exit 1
[ "$mode" = hang ] && exec sleep 30
cmd="$1"; shift
[ "$cmd" = store ] && shift 2   # --label LABEL
key="$(echo "$@" | tr ' ' '_')"
case "$cmd" in
  store) cat > ")SH" + keyring.toUtf8() + R"SH(.$key" ;;
  lookup) cat ")SH" + keyring.toUtf8() + R"SH(.$key" 2>/dev/null || exit 1 ;;
  clear) rm -f ")SH" + keyring.toUtf8() + R"SH(.$key" ;;
esac
)SH");
    script.close();
    QVERIFY(script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    qunsetenv("HEARTH_NO_KEYRING");
    qputenv("HEARTH_SECRET_TOOL", tool.toUtf8());
    auto restore = qScopeGuard([] {
      qunsetenv("HEARTH_SECRET_TOOL");
      qputenv("HEARTH_NO_KEYRING", "1");
    });
    const QString stored = keyring + QStringLiteral(".application_hearth_kind_huggingface-token");

    ModelLibrary library;
    QVERIFY(library.setToken(QStringLiteral("hf_keyring1")).isEmpty());
    QCOMPARE(library.tokenStorage(), QStringLiteral("keyring"));
    QVERIFY2(!QFileInfo::exists(tokenPath()), "a token in the keyring is not also in the file");
    QFile secret(stored);
    QVERIFY(secret.open(QIODevice::ReadOnly));
    QCOMPARE(secret.readAll(), QByteArray("hf_keyring1"));
    secret.close();
    QCOMPARE(loadToken(), QStringLiteral("hf_keyring1"));
    QCOMPARE(ModelLibrary().tokenStorage(), QStringLiteral("keyring"));
    QVERIFY(library.setToken(QString()).isEmpty());
    QVERIFY(!QFileInfo::exists(stored));
    QCOMPARE(loadToken(), QString());

    // A keyring that refuses (locked, no service): the 0600 file.
    const QString modeFile = tool + QStringLiteral(".mode");
    auto setMode = [&](const char *mode) {
      QFile f(modeFile);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(mode);
    };
    setMode("refuse");
    QVERIFY(library.setToken(QStringLiteral("hf_file2")).isEmpty());
    QCOMPARE(library.tokenStorage(), QStringLiteral("file"));
    QCOMPARE(loadToken(), QStringLiteral("hf_file2"));
    QVERIFY(QFileInfo::exists(tokenPath()));

    // A keyring that never answers: bounded wait, then the file; nothing hangs.
    setMode("hang");
    QElapsedTimer timer;
    timer.start();
    QVERIFY(saveToken(QStringLiteral("hf_file3")).has_value());
    QVERIFY(timer.elapsed() < 10000);
    setMode("refuse");
    QCOMPARE(loadToken(), QStringLiteral("hf_file3"));
    QVERIFY(library.setToken(QString()).isEmpty());
    QVERIFY(!QFileInfo::exists(tokenPath()));
  }
};

QTEST_GUILESS_MAIN(ModelLibraryTest)
#include "tst_modellibrary.moc"
