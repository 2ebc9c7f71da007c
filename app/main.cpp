// hearth: with a subcommand (inspect, tokenize, generate, chat, ...) it runs headless
// on the command line; without one it opens the chat window. Only wiring lives here:
// the store, the engine, the model library and the chat controller are created and
// handed to Main.qml as its required properties.
#include "chat/ChatController.h"
#include "chat/Startup.h"
#include "chat/UiScript.h"
#include "cli/Cli.h"
#include "engine/EngineController.h"
#include "library/ModelLibrary.h"
#include "store/ConversationStore.h"
#include "IconProvider.h"

#include <QGuiApplication>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QElapsedTimer>
#include <QSettings>

#include <cstdio>
#include <utility>
#include <QtQml/QQmlExtensionPlugin>

Q_IMPORT_QML_PLUGIN(HearthPlugin)
Q_IMPORT_QML_PLUGIN(Hearth_UiPlugin)

namespace {

// On a machine whose OpenGL is a software rasterizer (Mesa's llvmpipe or softpipe: VMs,
// servers, laptops without a usable GPU driver), Qt Quick's OpenGL renderer takes ~50 ms
// per frame of a long chat, while its software scene graph draws the same frame in
// under 16 ms. So there, unless the user chose a backend (QT_QUICK_BACKEND or
// QSG_RHI_BACKEND), the window uses the software scene graph. Returns the GL renderer's
// name when it switched.
QString preferSoftwareSceneGraphOnSoftwareGl()
{
  if (qEnvironmentVariableIsSet("QT_QUICK_BACKEND") || qEnvironmentVariableIsSet("QSG_RHI_BACKEND"))
    return {};
  QOpenGLContext context;
  QOffscreenSurface surface;
  surface.create();
  if (!context.create() || !context.makeCurrent(&surface))
    return {};
  const auto *renderer = reinterpret_cast<const char *>(context.functions()->glGetString(GL_RENDERER));
  const QString name = renderer ? QString::fromLatin1(renderer) : QString();
  context.doneCurrent();
  if (!name.contains(QLatin1String("llvmpipe")) && !name.contains(QLatin1String("softpipe")))
    return {};
  QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
  return name;
}

} // namespace

int main(int argc, char *argv[])
{
  QElapsedTimer sinceMain;
  sinceMain.start();
  if (auto code = hearth::cli::run(argc, argv))
    return *code;

  QGuiApplication app(argc, argv);
  QGuiApplication::setApplicationName(QStringLiteral("Hearth"));
  QGuiApplication::setOrganizationName(QStringLiteral("Hearth"));
  QQuickStyle::setStyle(QStringLiteral("Basic"));
  const QString softwareGl = preferSoftwareSceneGraphOnSoftwareGl();

  hearth::ConversationStore store;
  QString storeNotice;
  if (auto s = store.open(hearth::ConversationStore::defaultPath()); !s)
    storeNotice = QString::fromStdString(s.error().message);
  else
    storeNotice = store.recoveryNotice();
  hearth::EngineController engine;
  hearth::library::ModelLibrary library;
  hearth::ChatController chat(&store, &engine);

  QQmlApplicationEngine qml;
  qml.addImportPath(QStringLiteral("qrc:/"));
  hearth::IconProvider::install(&qml);
  QObject::connect(&qml, &QQmlApplicationEngine::objectCreationFailed, &app,
                   [] { QCoreApplication::exit(1); }, Qt::QueuedConnection);
  qml.setInitialProperties({{QStringLiteral("engine"), QVariant::fromValue(&engine)},
                            {QStringLiteral("chat"), QVariant::fromValue(&chat)},
                            {QStringLiteral("library"), QVariant::fromValue(&library)},
                            {QStringLiteral("storeNotice"), storeNotice}});
  qml.load(QUrl(QStringLiteral("qrc:/Hearth/Ui/Main.qml")));
  auto *window = qml.rootObjects().isEmpty() ? nullptr : qobject_cast<QQuickWindow *>(qml.rootObjects().first());
  if (!window)
    return 1;
  // Damage found by the store's deferred health check (after a clean start) reaches the
  // window the same way as damage found at open.
  QObject::connect(&store, &hearth::ConversationStore::recovered, window,
                   [window](const QString &notice) { window->setProperty("storeNotice", notice); });

  // The window's persisted context length (Main.qml's Settings) applies to the first load.
  chat.setContextLength(QSettings().value(QStringLiteral("contextLength"), 4096).toInt());
  const QString model = hearth::startupModelPath(app.arguments(), *library.installed());
  if (!model.isEmpty())
    chat.loadModel(model);

  // HEARTH_TRACE_STARTUP=1 prints when the first frame reached the screen; =exit also quits
  // there (tests/bench/ui_bench.sh times cold starts with it).
  if (const QString trace = qEnvironmentVariable("HEARTH_TRACE_STARTUP"); !trace.isEmpty()) {
    if (!softwareGl.isEmpty())
      std::fprintf(stderr, "hearth: OpenGL is %s: software scene graph\n", qPrintable(softwareGl));
    QObject::connect(window, &QQuickWindow::frameSwapped, window, [&sinceMain, trace] {
      static bool done = false; // the first frame only (render thread)
      if (std::exchange(done, true))
        return;
      std::fprintf(stderr, "hearth: first frame %.1f ms after main()\n", double(sinceMain.nsecsElapsed()) / 1e6);
      if (trace == QLatin1String("exit"))
        QMetaObject::invokeMethod(qApp, "quit", Qt::QueuedConnection);
    }, Qt::DirectConnection);
  }

  hearth::UiScript script(window, &chat, &engine, &store);
  if (hearth::UiScript::enabled())
    script.start();
  const int code = app.exec();
  engine.shutdown();
  return code;
}
