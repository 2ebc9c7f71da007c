#include "chat/UiScript.h"

#include "chat/ChatController.h"
#include "engine/EngineController.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QQuickWindow>
#include <QTimer>

namespace hearth {

UiScript::UiScript(QQuickWindow *window, ChatController *chat, EngineController *engine, QObject *parent)
    : QObject(parent), m_window(window), m_chat(chat), m_engine(engine),
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
    finish(4, {{QStringLiteral("error"), QStringLiteral("timed out")}});
  });
  const int maxTokens = qEnvironmentVariableIntValue("HEARTH_UI_MAX_TOKENS", &ok);
  if (ok)
    m_chat->setForcedSettings({{QStringLiteral("maxTokens"), maxTokens},
                               {QStringLiteral("seed"), 1}});
  if (qEnvironmentVariable("HEARTH_UI_SCRIPT") == QLatin1String("check"))
    QTimer::singleShot(1500, this, &UiScript::runCheck);
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
      m_chat->send(qEnvironmentVariable("HEARTH_UI_MESSAGE", QStringLiteral("Hello! Who are you?")));
    });
  };
  connect(m_engine, &EngineController::stateChanged, this, go);
  go();
  connect(m_engine, &EngineController::textPiece, this, [this] {
    if (m_shotStreaming)
      return;
    m_shotStreaming = true;
    QTimer::singleShot(150, this, [this] { shoot(QStringLiteral("streaming")); });
  });
  connect(m_chat, &ChatController::replyFinished, this, [this](qint64 id, const QString &state) {
    QTimer::singleShot(400, this, [this, id, state] {
      shoot(QStringLiteral("finished"));
      if (m_window)
        m_window->setProperty("themeName", QStringLiteral("dark"));
      QTimer::singleShot(400, this, [this, id, state] {
        shoot(QStringLiteral("dark"));
        finish(0, {{QStringLiteral("conversationId"), m_chat->conversationId()},
                   {QStringLiteral("title"), m_chat->conversationTitle()},
                   {QStringLiteral("replyId"), id},
                   {QStringLiteral("state"), state},
                   {QStringLiteral("reply"), m_chat->lastReplyText()}});
      });
    });
  });
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
  const QString query = qEnvironmentVariable("HEARTH_UI_SEARCH");
  if (!query.isEmpty())
    result.insert(QStringLiteral("searchHits"), QJsonArray::fromVariantList(m_chat->search(query)));
  finish(0, result);
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
