// UiScript: a scripted run of the real window, for the end-to-end test and for
// screenshots. Off unless HEARTH_UI_SCRIPT is set. Keys are pressed as a user would
// (through the window system's key path, so shortcuts fire).
//   HEARTH_UI_SCRIPT=send   wait for the model, screenshot "empty", type HEARTH_UI_MESSAGE
//                           and press Enter, screenshot "streaming" at the first piece
//                           and "finished" at the end, switch to the dark theme,
//                           screenshot "dark". With HEARTH_UI_STOP_MESSAGE: back to light,
//                           send that message with a long limit, press Esc after three
//                           pieces, screenshot "stopped". Then write result.json and quit.
//   HEARTH_UI_SCRIPT=check  screenshot "restart", write the sidebar's conversations and
//                           the search hits for HEARTH_UI_SEARCH; with HEARTH_UI_OPEN=ID,
//                           open that conversation (screenshot "history") and list its
//                           messages, press Ctrl+, (screenshot "settings") and close it;
//                           with HEARTH_UI_EXPORT=PATH, press Ctrl+E, screenshot
//                           "export", export it to PATH as Markdown; with HEARTH_UI_DEMO=1 (no
//                           model loaded), press Ctrl+N, screenshot "no-model", click "Use the
//                           demo model", wait for it, screenshot "demo-loaded"; then write
//                           result.json and quit.
//   HEARTH_UI_SCRIPT=bench  see UiBench.cpp (tests/bench/ui_bench.sh).
// HEARTH_UI_SIZE=WxH resizes the window first; in check, HEARTH_UI_LAYOUT=1 adds the
// window's and its main parts' rectangles (device-independent pixels) to result.json.
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
class ConversationStore;
class EngineController;

class UiScript : public QObject {
  Q_OBJECT
public:
  UiScript(QQuickWindow *window, ChatController *chat, EngineController *engine,
           ConversationStore *store, QObject *parent = nullptr);
  static bool enabled();
  void start();

private:
  void runSend();
  void runBench();    // UiBench.cpp
  void benchStream();
  void onFirstReply(qint64 id, const QString &state);
  void sendStopped();
  void runCheck();
  void checkExport(QJsonObject result);
  void checkDemo(QJsonObject result);
  bool typeAndSend(const QString &text);
  void pressKey(int key, Qt::KeyboardModifiers modifiers = Qt::NoModifier);
  bool shoot(const QString &name);
  void finish(int code, QJsonObject result);

  QPointer<QQuickWindow> m_window;
  ChatController *m_chat;
  EngineController *m_engine;
  ConversationStore *m_store;
  QString m_out;
  QJsonObject m_result;
  bool m_sent = false;
  bool m_shotStreaming = false;
  int m_phase = 0;       // 1: first reply, 2: the reply stopped with Esc
  int m_stopPieces = 0;  // pieces of the second reply seen
};

} // namespace hearth
