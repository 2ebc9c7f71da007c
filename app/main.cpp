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

  // The window's persisted context length (Main.qml's Settings) applies to the first load.
  chat.setContextLength(QSettings().value(QStringLiteral("contextLength"), 4096).toInt());
  const QString model = hearth::startupModelPath(app.arguments(), *library.installed());
  if (!model.isEmpty())
    chat.loadModel(model);

  // HEARTH_TRACE_STARTUP=1 prints when the first frame reached the screen; =exit also quits
  // there (tests/bench/ui_bench.sh times cold starts with it).
  if (const QString trace = qEnvironmentVariable("HEARTH_TRACE_STARTUP"); !trace.isEmpty()) {
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
