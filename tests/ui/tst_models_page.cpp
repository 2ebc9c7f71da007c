// Qt Quick Test runner for the Models page (models/tst_models_page.qml). Before the
// QML engine exists it points HEARTH_DATA_DIR at a fresh directory holding three small
// valid GGUF models (one named like a catalog file), the backend choice at the CPU with a
// 3 GB budget, and HEARTH_HF_ENDPOINT at a closed local port (search must report offline). `testHelper` lets the QML check the models directory on disk and tells it
// where to save the page's screenshot.
#include "hearth/gguf.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUrl>
#include <QQmlContext>
#include <QQmlEngine>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest>

Q_IMPORT_QML_PLUGIN(HearthPlugin)
Q_IMPORT_QML_PLUGIN(Hearth_UiPlugin)

namespace {

// A small valid llama GGUF (2 layers, 4 heads, 64-wide) named `name`.
bool writeTinyModel(const QString &path, const std::string &name)
{
  hearth::gguf::GgufWriter w;
  w.setString("general.architecture", "llama");
  w.setString("general.name", name);
  w.setU32("llama.block_count", 2);
  w.setU32("llama.context_length", 512);
  w.setU32("llama.embedding_length", 64);
  w.setU32("llama.attention.head_count", 4);
  w.setU32("llama.attention.head_count_kv", 2);
  std::vector<std::byte> f16(64 * 32 * 2, std::byte{0x3c});
  std::vector<std::byte> f32(64 * 4, std::byte{0});
  return w.addTensor("token_embd.weight", hearth::TensorType::F16, {64, 32}, f16)
      && w.addTensor("output_norm.weight", hearth::TensorType::F32, {64}, f32)
      && w.write(path.toStdString()).has_value();
}

} // namespace

class TestHelper : public QObject {
  Q_OBJECT
  Q_PROPERTY(QString modelsDir MEMBER m_modelsDir CONSTANT)
  Q_PROPERTY(QString screenshotPath MEMBER m_screenshotPath CONSTANT)

public:
  QString m_modelsDir;
  QString m_screenshotPath = QStringLiteral(HEARTH_TEST_OUTPUT "/models_page.png");

  Q_INVOKABLE bool exists(const QString &fileName) const
  {
    return QFile::exists(QDir(m_modelsDir).filePath(fileName));
  }
  // Files to import from outside the models directory: a valid synthetic GGUF and a
  // broken one (a GGUF magic and version, then a truncated header). Returns its path.
  Q_INVOKABLE QString writeOutside(const QString &fileName, bool valid) const
  {
    const QString path = QDir(m_outsideDir).filePath(fileName);
    if (valid)
      return writeTinyModel(path, "Dropped Model") ? path : QString();
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
      return {};
    f.write(QByteArray("GGUF\x03\x00\x00\x00\x05\x00", 10));
    return path;
  }
  Q_INVOKABLE bool isSymLink(const QString &fileName) const
  {
    return QFileInfo(QDir(m_modelsDir).filePath(fileName)).isSymLink();
  }
  Q_INVOKABLE bool fileExists(const QString &path) const { return QFile::exists(path); }
  // "rw-------" style permissions of the saved Hugging Face token, "" when there is none.
  Q_INVOKABLE QString tokenFileMode() const
  {
    const QFileInfo info(QDir(qEnvironmentVariable("HEARTH_DATA_DIR")).filePath(QStringLiteral("hf-token")));
    if (!info.exists())
      return {};
    QString mode;
    for (auto [bit, c] : {std::pair{QFile::ReadOwner, 'r'}, {QFile::WriteOwner, 'w'}, {QFile::ExeOwner, 'x'},
                          {QFile::ReadGroup, 'r'}, {QFile::WriteGroup, 'w'}, {QFile::ExeGroup, 'x'},
                          {QFile::ReadOther, 'r'}, {QFile::WriteOther, 'w'}, {QFile::ExeOther, 'x'}})
      mode += info.permissions().testFlag(bit) ? QLatin1Char(c) : QLatin1Char('-');
    return mode;
  }
  Q_INVOKABLE QUrl urlOf(const QString &path) const { return QUrl::fromLocalFile(path); }
  QString m_outsideDir;
};

class Setup : public QObject {
  Q_OBJECT
  QTemporaryDir m_data;
  TestHelper m_helper;

public slots:
  void applicationAvailable()
  {
    const QString models = QDir(m_data.path()).filePath(QStringLiteral("models"));
    QDir().mkpath(models);
    QDir().mkpath(QStringLiteral(HEARTH_TEST_OUTPUT));
    m_helper.m_modelsDir = models;
    m_helper.m_outsideDir = QDir(m_data.path()).filePath(QStringLiteral("elsewhere"));
    QDir().mkpath(m_helper.m_outsideDir);
    // The third one carries a catalog file's name: its card shows it installed.
    if (!writeTinyModel(models + "/tiny-alpha.gguf", "Tiny Alpha")
        || !writeTinyModel(models + "/tiny-beta.gguf", "Tiny Beta")
        || !writeTinyModel(models + "/SmolLM2-135M-Instruct-Q8_0.gguf", "Tiny Catalog"))
      qFatal("could not write the test models into %s", qPrintable(models));
    qputenv("HEARTH_DATA_DIR", m_data.path().toUtf8());
    // The fit badges' budget: the native CPU backend with 3 GB, as chooseBackend reports it.
    qputenv("HEARTH_BACKEND", "cpu");
    qputenv("HEARTH_CPU_BUDGET", "3000000000");
    // A port that was just free and is closed again: connections are refused.
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost))
      qFatal("no free local port");
    const quint16 port = probe.serverPort();
    probe.close();
    qputenv("HEARTH_HF_ENDPOINT", QStringLiteral("http://127.0.0.1:%1").arg(port).toUtf8());
  }

  void qmlEngineAvailable(QQmlEngine *engine)
  {
    engine->addImportPath(QStringLiteral("qrc:/"));
    engine->rootContext()->setContextProperty(QStringLiteral("testHelper"), &m_helper);
  }
};

QUICK_TEST_MAIN_WITH_SETUP(tst_models_page, Setup)

#include "tst_models_page.moc"
