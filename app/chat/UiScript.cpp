#include "chat/UiScript.h"

#include "chat/ChatController.h"
#include "engine/EngineController.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTimer>

// Qt's key path from the window system (QtGui exports it for QtTest): shortcuts, then
// the focused item, exactly as a key typed by the user.
Q_GUI_EXPORT void qt_handleKeyEvent(QWindow *w, QEvent::Type t, int k, Qt::KeyboardModifiers mods,
                                    const QString &text = QString(), bool autorep = false,
                                    ushort count = 1);

namespace hearth {

UiScript::UiScript(QQuickWindow *window, ChatController *chat, EngineController *engine,
                   ConversationStore *store, QObject *parent)
    : QObject(parent), m_window(window), m_chat(chat), m_engine(engine), m_store(store),
      m_out(qEnvironmentVariable("HEARTH_UI_OUT", QDir::currentPath()))
{
  QDir().mkpath(m_out);
}

bool UiScript::enabled() { return !qEnvironmentVariableIsEmpty("HEARTH_UI_SCRIPT"); }

void UiScript::start()
{
  bool ok = false;
  int timeout = qEnvironmentVariableIntValue("HEARTH_UI_TIMEOUT_S", &ok);
  QTimer::singleShot((ok ? timeout : 300) * 1000, this, [this] {
    shoot(QStringLiteral("timeout"));
    m_result.insert(QStringLiteral("error"), QStringLiteral("timed out"));
    finish(4, m_result);
  });
  const int maxTokens = qEnvironmentVariableIntValue("HEARTH_UI_MAX_TOKENS", &ok);
  if (ok)
    m_chat->setForcedSettings({{QStringLiteral("maxTokens"), maxTokens},
                               {QStringLiteral("seed"), 1}});
  if (m_window) {
    const QString size = qEnvironmentVariable("HEARTH_UI_SIZE");
    if (size.contains(QLatin1Char('x')))
      m_window->resize(size.section(QLatin1Char('x'), 0, 0).toInt(), size.section(QLatin1Char('x'), 1, 1).toInt());
    m_window->requestActivate();
  }
  if (qEnvironmentVariable("HEARTH_UI_SCRIPT") == QLatin1String("check"))
    QTimer::singleShot(1500, this, &UiScript::runCheck);
  else if (qEnvironmentVariable("HEARTH_UI_SCRIPT") == QLatin1String("bench"))
    runBench();
  else
    runSend();
}

bool UiScript::shoot(const QString &name)
{
  if (!m_window)
    return false;
  const QImage image = m_window->grabWindow();
  return !image.isNull() && image.save(m_out + QLatin1Char('/') + name + QStringLiteral(".png"));
}

void UiScript::pressKey(int key, Qt::KeyboardModifiers modifiers)
{
  if (!m_window)
    return;
  qt_handleKeyEvent(m_window, QEvent::KeyPress, key, modifiers);
  qt_handleKeyEvent(m_window, QEvent::KeyRelease, key, modifiers);
}

// Puts the text in the composer and presses Enter there.
bool UiScript::typeAndSend(const QString &text)
{
  QObject *input = m_window ? m_window->findChild<QObject *>(QStringLiteral("composerInput")) : nullptr;
  if (!input)
    return false;
  input->setProperty("text", text);
  QMetaObject::invokeMethod(input, "forceActiveFocus");
  pressKey(Qt::Key_Return);
  return input->property("text").toString().isEmpty();
}

void UiScript::runSend()
{
  connect(m_engine, &EngineController::loadFailed, this, [this](const QString &error) {
    shoot(QStringLiteral("load-failed"));
    finish(3, {{QStringLiteral("error"), error}});
  });
  auto go = [this] {
    if (m_sent || m_engine->state() != EngineController::Ready)
      return;
    m_sent = true;
    QTimer::singleShot(800, this, [this] {
      shoot(QStringLiteral("empty"));
      m_phase = 1;
      if (!typeAndSend(qEnvironmentVariable("HEARTH_UI_MESSAGE", QStringLiteral("Hello! Who are you?"))))
        finish(5, {{QStringLiteral("error"), QStringLiteral("Enter in the composer did not send")}});
    });
  };
  connect(m_engine, &EngineController::stateChanged, this, go);
  go();
  connect(m_engine, &EngineController::textPiece, this, [this] {
    if (m_phase == 2 && ++m_stopPieces == 3)
      QTimer::singleShot(0, this, [this] { pressKey(Qt::Key_Escape); });
    if (m_shotStreaming)
      return;
    m_shotStreaming = true;
    QTimer::singleShot(150, this, [this] { shoot(QStringLiteral("streaming")); });
  });
  connect(m_chat, &ChatController::replyFinished, this, [this](qint64 id, const QString &state) {
    if (m_phase == 1)
      QTimer::singleShot(400, this, [this, id, state] { onFirstReply(id, state); });
    else if (m_phase == 2)
      QTimer::singleShot(400, this, [this, id, state] {
        shoot(QStringLiteral("stopped"));
        m_result.insert(QStringLiteral("stoppedReplyId"), id);
        m_result.insert(QStringLiteral("stoppedState"), state);
        m_result.insert(QStringLiteral("stoppedReply"), m_chat->lastReplyText());
        m_result.insert(QStringLiteral("stoppedAfterPieces"), m_stopPieces);
        finish(0, m_result);
      });
  });
}

void UiScript::onFirstReply(qint64 id, const QString &state)
{
  shoot(QStringLiteral("finished"));
  m_result = {{QStringLiteral("conversationId"), m_chat->conversationId()},
              {QStringLiteral("title"), m_chat->conversationTitle()},
              {QStringLiteral("replyId"), id},
              {QStringLiteral("state"), state},
              {QStringLiteral("reply"), m_chat->lastReplyText()}};
  if (m_window)
    m_window->setProperty("themeName", QStringLiteral("dark"));
  QTimer::singleShot(400, this, [this] {
    shoot(QStringLiteral("dark"));
    if (qEnvironmentVariableIsEmpty("HEARTH_UI_STOP_MESSAGE")) {
      finish(0, m_result);
      return;
    }
    if (m_window)
      m_window->setProperty("themeName", QStringLiteral("light"));
    sendStopped();
  });
}

// The second message gets a long limit; Esc is pressed at its third piece.
void UiScript::sendStopped()
{
  m_chat->setForcedSettings({{QStringLiteral("maxTokens"), 400}, {QStringLiteral("seed"), 2}});
  m_phase = 2;
  if (!typeAndSend(qEnvironmentVariable("HEARTH_UI_STOP_MESSAGE")))
    finish(5, {{QStringLiteral("error"), QStringLiteral("Enter in the composer did not send")}});
}

void UiScript::runCheck()
{
  shoot(QStringLiteral("restart"));
  QJsonArray conversations;
  auto *list = m_chat->conversations();
  for (int row = 0; row < list->rowCount(); ++row) {
    const QModelIndex index = list->index(row, 0);
    conversations.append(QJsonObject{
        {QStringLiteral("id"), list->data(index, ConversationListModel::ConversationIdRole).toLongLong()},
        {QStringLiteral("title"), list->data(index, ConversationListModel::TitleRole).toString()},
        {QStringLiteral("messages"), list->data(index, ConversationListModel::MessageCountRole).toInt()}});
  }
  QJsonObject result{{QStringLiteral("conversations"), conversations}};
  if (qEnvironmentVariable("HEARTH_UI_LAYOUT") == QLatin1String("1") && m_window) {
    auto rect = [](const QRectF &r) {
      return QJsonObject{{QStringLiteral("x"), r.x()}, {QStringLiteral("y"), r.y()},
                         {QStringLiteral("w"), r.width()}, {QStringLiteral("h"), r.height()}};
    };
    QJsonObject layout{{QStringLiteral("window"), rect(QRectF(0, 0, m_window->width(), m_window->height()))},
                       {QStringLiteral("devicePixelRatio"), m_window->devicePixelRatio()}};
    for (const char *name : {"sidebar", "header", "headerModel", "settingsButton", "composer",
                             "composerInput", "composerAction", "searchField"}) {
      auto *item = m_window->findChild<QQuickItem *>(QLatin1String(name));
      if (item && item->isVisible())
        layout.insert(QLatin1String(name), rect(item->mapRectToScene(QRectF(0, 0, item->width(), item->height()))));
    }
    result.insert(QStringLiteral("layout"), layout);
  }
  const QString query = qEnvironmentVariable("HEARTH_UI_SEARCH");
  if (!query.isEmpty())
    result.insert(QStringLiteral("searchHits"), QJsonArray::fromVariantList(m_chat->search(query)));
  const qint64 open = qEnvironmentVariable("HEARTH_UI_OPEN").toLongLong();
  if (open <= 0) {
    finish(0, result);
    return;
  }
  m_chat->openConversation(open);
  QJsonArray messages;
  auto *msgs = m_chat->messages();
  for (int row = 0; row < msgs->rowCount(); ++row) {
    const QModelIndex i = msgs->index(row, 0);
    messages.append(QJsonObject{
        {QStringLiteral("role"), msgs->data(i, MessageListModel::RoleRole).toString()},
        {QStringLiteral("state"), msgs->data(i, MessageListModel::StateRole).toString()},
        {QStringLiteral("content"), msgs->data(i, MessageListModel::ContentRole).toString()}});
  }
  result.insert(QStringLiteral("messages"), messages);
  QTimer::singleShot(500, this, [this, result]() mutable {
    shoot(QStringLiteral("history"));
    // Ctrl+, opens the settings (screenshot "settings"), closed again before the export.
    pressKey(Qt::Key_Comma, Qt::ControlModifier);
    QTimer::singleShot(600, this, [this, result]() mutable {
      QObject *dialog = m_window ? m_window->findChild<QObject *>(QStringLiteral("settingsDialog")) : nullptr;
      result.insert(QStringLiteral("settingsOpened"), dialog && dialog->property("opened").toBool());
      shoot(QStringLiteral("settings"));
      if (dialog)
        QMetaObject::invokeMethod(dialog, "close");
      QTimer::singleShot(400, this, [this, result] { checkExport(result); });
    });
  });
}

// Ctrl+E must open the export dialog; the file is written through it.
void UiScript::checkExport(QJsonObject result)
{
  const QString path = qEnvironmentVariable("HEARTH_UI_EXPORT");
  if (path.isEmpty()) {
    checkDemo(result);
    return;
  }
  pressKey(Qt::Key_E, Qt::ControlModifier);
  QTimer::singleShot(600, this, [this, result, path]() mutable {
    QObject *dialog = m_window ? m_window->findChild<QObject *>(QStringLiteral("exportDialog")) : nullptr;
    result.insert(QStringLiteral("exportOpened"), dialog && dialog->property("opened").toBool());
    shoot(QStringLiteral("export"));
    if (dialog) {
      dialog->setProperty("path", path);
      QVariant saved;
      QMetaObject::invokeMethod(dialog, "save", Q_RETURN_ARG(QVariant, saved));
      result.insert(QStringLiteral("exportSaved"), saved.toBool());
      result.insert(QStringLiteral("exportError"), dialog->property("error").toString());
    }
    QTimer::singleShot(300, this, [this, result] {
      shoot(QStringLiteral("exported"));
      checkDemo(result);
    });
  });
}

// First run without a model: the empty state's "Use the demo model" loads it.
void UiScript::checkDemo(QJsonObject result)
{
  if (qEnvironmentVariable("HEARTH_UI_DEMO") != QLatin1String("1")) {
    finish(0, result);
    return;
  }
  pressKey(Qt::Key_N, Qt::ControlModifier);
  QTimer::singleShot(500, this, [this, result]() mutable {
    shoot(QStringLiteral("no-model"));
    QObject *button = m_window ? m_window->findChild<QObject *>(QStringLiteral("useDemoModel")) : nullptr;
    result.insert(QStringLiteral("demoOffered"), button && button->property("visible").toBool());
    result.insert(QStringLiteral("demoPath"), m_chat->demoModelPath());
    if (!button || !button->property("visible").toBool()) {
      finish(0, result);
      return;
    }
    QMetaObject::invokeMethod(button, "clicked");
    connect(m_engine, &EngineController::stateChanged, this, [this, result]() mutable {
      if (m_engine->state() != EngineController::Ready && m_engine->state() != EngineController::Failed)
        return;
      result.insert(QStringLiteral("demoLoaded"), m_engine->state() == EngineController::Ready);
      result.insert(QStringLiteral("loadedModel"), m_engine->modelPath());
      QTimer::singleShot(1500, this, [this, result] { // the copy into the models folder runs meanwhile
        shoot(QStringLiteral("demo-loaded"));
        finish(0, result);
      });
    });
  });
}

void UiScript::finish(int code, QJsonObject result)
{
  result.insert(QStringLiteral("exitCode"), code);
  QFile f(m_out + QStringLiteral("/result.json"));
  if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
    f.write(QJsonDocument(result).toJson());
  f.close();
  QCoreApplication::exit(code);
}

} // namespace hearth
