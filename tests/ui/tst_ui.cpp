// Qt Quick Test runner for the Hearth.Ui components (tst_*.qml in this folder). The
// components are the ones compiled into the app (static Hearth.Ui plugin).
#include "IconProvider.h"

#include <QQmlEngine>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest>

Q_IMPORT_QML_PLUGIN(Hearth_UiPlugin)

class Setup : public QObject {
  Q_OBJECT
public slots:
  void qmlEngineAvailable(QQmlEngine *engine)
  {
    engine->addImportPath(QStringLiteral("qrc:/"));
    hearth::IconProvider::install(engine);
  }
};

QUICK_TEST_MAIN_WITH_SETUP(tst_ui, Setup)

#include "tst_ui.moc"
