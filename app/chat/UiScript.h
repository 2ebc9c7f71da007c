// UiScript: a scripted run of the real window, for the end-to-end test and for
// screenshots. Off unless HEARTH_UI_SCRIPT is set:
//   HEARTH_UI_SCRIPT=send   wait for the model, screenshot "empty", send
//                           HEARTH_UI_MESSAGE, screenshot "streaming" at the first
//                           piece and "finished" at the end, switch to the dark theme,
//                           screenshot "dark", write result.json, quit.
//   HEARTH_UI_SCRIPT=check  screenshot "restart", write the sidebar's conversations and
//                           the search hits for HEARTH_UI_SEARCH to result.json, quit.
// Files go to HEARTH_UI_OUT. HEARTH_UI_MAX_TOKENS caps replies; HEARTH_UI_TIMEOUT_S
// (default 300) ends a stuck run with exit code 4.
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>

class QQuickWindow;

namespace hearth {

class ChatController;
class EngineController;

class UiScript : public QObject {
  Q_OBJECT
public:
  UiScript(QQuickWindow *window, ChatController *chat, EngineController *engine,
           QObject *parent = nullptr);
  static bool enabled();
  void start();

private:
  void runSend();
  void runCheck();
  bool shoot(const QString &name);
  void finish(int code, QJsonObject result);

  QPointer<QQuickWindow> m_window;
  ChatController *m_chat;
  EngineController *m_engine;
  QString m_out;
  bool m_sent = false;
  bool m_shotStreaming = false;
};

} // namespace hearth
