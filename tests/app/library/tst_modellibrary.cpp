// ModelLibrary, the object the Models page binds to: a catalog entry downloaded from
// the (fake) Hub appears among the installed models with its GGUF facts; the token is
// stored readable only by the user.
#include "FakeHub.h"

#include "library/HubApi.h"
#include "library/ModelLibrary.h"

#include "hearth/gguf.h"

#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace hearth::library;

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
    hearth::gguf::GgufWriter w;
    w.setString("general.architecture", "llama");
    w.setU32("llama.block_count", 1);
    w.setU32("llama.context_length", 128);
    std::vector<std::byte> data(32 * 4, std::byte{0});
    QVERIFY(w.addTensor("output_norm.weight", hearth::TensorType::F32, {32}, data));
    const auto bytes = w.bytes();
    m_hub.addFile(entry.repo, entry.file, QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size())));

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
};

QTEST_GUILESS_MAIN(ModelLibraryTest)
#include "tst_modellibrary.moc"
