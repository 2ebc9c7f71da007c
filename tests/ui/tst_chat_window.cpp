// Qt Quick Test runner for the chat window's parts on the real controller
// (window/tst_*.qml): a ConversationStore in a fresh directory, an EngineController
// without a model and the ChatController over them, as `chatController`. The store
// holds a long conversation whose 7th message mentions quokkas, a last user message with
// an unselected sibling about wombats, and a short conversation; `fixture` has their ids.
#include "chat/ChatController.h"
#include "engine/EngineController.h"
#include "store/ConversationStore.h"

#include <QQmlContext>
#include "IconProvider.h"

#include <QQmlEngine>
#include <QTemporaryDir>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest>

Q_IMPORT_QML_PLUGIN(HearthPlugin)
Q_IMPORT_QML_PLUGIN(Hearth_UiPlugin)

using namespace hearth;

namespace {
NewMessage message(const QString &role, const QString &content)
{
  NewMessage m;
  m.role = role;
  m.content = content;
  return m;
}
} // namespace

class Setup : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;
  ConversationStore m_store;
  EngineController m_engine;
  ChatController *m_chat = nullptr;

public slots:
  void qmlEngineAvailable(QQmlEngine *engine)
  {
    engine->addImportPath(QStringLiteral("qrc:/"));
    IconProvider::install(engine);
    // Called for every test file: the store and the controller are made once.
    if (!m_chat)
      makeFixture();
    engine->rootContext()->setContextProperty(QStringLiteral("chatController"), m_chat);
    engine->rootContext()->setContextProperty(QStringLiteral("fixture"), m_fixture);
  }
  void cleanupTestCase() { m_engine.shutdown(); }

private:
  void makeFixture()
  {
    QVariantMap &fixture = m_fixture;
    if (!m_store.open(m_dir.filePath(QStringLiteral("hearth.db"))))
      qFatal("cannot open the store");
    const qint64 lng = *m_store.createConversation(QStringLiteral("A long talk"));
    qint64 lastUser = 0;
    for (int i = 0; i < 40; ++i) {
      const QString q = i == 3 ? QStringLiteral("Tell me about the quokka, please.")
                               : QStringLiteral("Question %1: what comes next in the series?").arg(i);
      const qint64 u = *m_store.appendMessage(lng, message(QStringLiteral("user"), q));
      const qint64 a = *m_store.appendMessage(
          lng, message(QStringLiteral("assistant"),
                       QStringLiteral("Answer %1. ").arg(i).repeated(12)));
      if (i == 3)
        fixture.insert(QStringLiteral("quokkaId"), u);
      if (i == 39)
        lastUser = u;
      (void)a;
    }
    // A sibling of the last user message, then back to the original branch.
    const qint64 parent = m_store.message(lastUser)->parentId;
    const qint64 wombat = *m_store.addMessage(
        lng, parent, message(QStringLiteral("user"), QStringLiteral("And the wombat?")));
    (void)m_store.selectBranch(lastUser);
    const qint64 other = *m_store.createConversation(QStringLiteral("Short"));
    (void)m_store.appendMessage(other, message(QStringLiteral("user"), QStringLiteral("Hi")));
    fixture.insert(QStringLiteral("longId"), lng);
    fixture.insert(QStringLiteral("wombatId"), wombat);
    fixture.insert(QStringLiteral("otherId"), other);

    m_chat = new ChatController(&m_store, &m_engine, this);
    m_chat->openConversation(other);
  }
  QVariantMap m_fixture;
};

QUICK_TEST_MAIN_WITH_SETUP(tst_chat_window, Setup)

#include "tst_chat_window.moc"
