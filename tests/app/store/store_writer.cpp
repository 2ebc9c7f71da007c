// tst_store_writer: the child process that tst_store_crash kills with SIGKILL. It opens the
// store at argv[1] and writes forever, printing a line on stdout (flushed) for each write
// the store has acknowledged:
//   ack RUN-N              a user message "RUN-N" was appended (committed)
//   stream ID LEN          streaming reply ID has at least LEN characters on disk
//   done ID                streaming reply ID was finished (state complete)
// ("starting" comes before the store is opened, "opened" after.)
// With "migrate-only" as argv[2] it opens the store (running migrations) and exits.
#include "store/ConversationStore.h"

#include <QCoreApplication>
#include <QThread>

#include <cstdio>

using namespace hearth;

int main(int argc, char *argv[])
{
  QCoreApplication app(argc, argv);
  if (argc < 3)
    return 2;
  std::printf("starting\n");
  std::fflush(stdout);
  ConversationStore store;
  if (auto s = store.open(QString::fromLocal8Bit(argv[1])); !s) {
    std::fprintf(stderr, "%s\n", s.error().message.c_str());
    return 1;
  }
  if (QByteArray(argv[2]) == "migrate-only")
    return 0;
  std::printf("opened\n");
  std::fflush(stdout);
  const QString run = QString::fromLocal8Bit(argv[2]);
  store.setReplyCoalescing(1'000'000, 4); // a write every 4 pieces
  qint64 conv = 0;
  for (int n = 0;; ++n) {
    if (n % 8 == 0)
      conv = store.createConversation(QStringLiteral("run %1").arg(run)).value_or(0);
    NewMessage m;
    m.role = QStringLiteral("user");
    m.content = QStringLiteral("%1-%2").arg(run).arg(n);
    if (!store.appendMessage(conv, m))
      return 3;
    std::printf("ack %s\n", qPrintable(m.content));
    std::fflush(stdout);
    if (n % 3 == 0) {
      const qint64 r = store.beginReply(conv).value_or(0);
      QString written;
      QString text;
      for (int k = 0; k < 12; ++k) {
        const QString piece = QStringLiteral("t%1 ").arg(k);
        text += piece;
        if (!store.appendReply(r, piece))
          return 4;
        if (k % 4 == 3) { // the 4th piece wrote the gathered text
          std::printf("stream %lld %lld\n", static_cast<long long>(r), static_cast<long long>(text.size()));
          std::fflush(stdout);
        }
        QThread::usleep(200);
      }
      if (!store.finishReply(r, MessageState::Complete))
        return 5;
      std::printf("done %lld\n", static_cast<long long>(r));
      std::fflush(stdout);
    }
    QThread::usleep(300);
  }
}
