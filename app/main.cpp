// hearth: with a subcommand (inspect, tokenize, generate, chat, ...) it runs headless
// on the command line; without one it opens the chat window.
#include "cli/Cli.h"

#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QtQml/QQmlExtensionPlugin>

Q_IMPORT_QML_PLUGIN(HearthPlugin)
Q_IMPORT_QML_PLUGIN(Hearth_UiPlugin)

int main(int argc, char *argv[])
{
  if (auto code = hearth::cli::run(argc, argv))
    return *code;

  QGuiApplication app(argc, argv);
  QGuiApplication::setApplicationName(QStringLiteral("Hearth"));
  QGuiApplication::setOrganizationName(QStringLiteral("Hearth"));
  QQuickStyle::setStyle(QStringLiteral("Basic"));

  QQmlApplicationEngine engine;
  QObject::connect(&engine, &QQmlApplicationEngine::objectCreationFailed, &app,
                   [] { QCoreApplication::exit(1); }, Qt::QueuedConnection);
  engine.load(QUrl(QStringLiteral("qrc:/Hearth/Ui/Main.qml")));
  return app.exec();
}
