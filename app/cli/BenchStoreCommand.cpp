// hearth bench-store [--conversations 1000] [--messages 100000] [--reps 5] [--db PATH]:
// builds a conversation database of that size in a temporary folder (or at PATH, which is
// reused when it already exists, to time again without rebuilding) and times, on it, what the
// window does: open (with the health check), list the first page of the sidebar, open a
// 500-message conversation, and full-text searches. A benchmark, not a test.
#include "cli/Cli.h"
#include "cli/StoreCli.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

namespace hearth::cli {
namespace {

constexpr std::string_view k_benchConversation =
    "INSERT INTO conversations (uuid, title, title_is_auto, created_at, updated_at) "
    "VALUES (?1, ?2, 0, ?3, ?3)";
constexpr std::string_view k_benchMessage =
    "INSERT INTO messages (conversation_id, parent_id, selected, role, content, created_at) "
    "VALUES (?1, ?2, 1, ?3, ?4, ?5)";

// Text from a fixed vocabulary of made-up words with a Zipf-like frequency, so that
// searches hit common and rare terms as real text would.
class TextMaker {
public:
  TextMaker()
  {
    const char *syllables[] = {"ka", "lo", "mi", "ra", "te", "su", "no", "vi", "de", "pa",
                               "shi", "or", "an", "el", "um", "be", "ti", "go"};
    QSet<QString> seen;
    for (int i = 0; m_words.size() < 4000; ++i) {
      QString w;
      for (int n = i, k = 0; k < 2 + i % 3; ++k, n /= 18)
        w += QLatin1String(syllables[(n + k * 7) % 18]);
      if (!seen.contains(w)) { // each rank its own word, so a rare word is rare
        seen.insert(w);
        m_words << w;
      }
    }
  }
  QString sentence(int words)
  {
    QString out;
    for (int i = 0; i < words; ++i) {
      const double u = m_rng.generateDouble();
      const int rank = std::min<int>(int(m_words.size()) - 1, int(std::pow(u, 3.0) * m_words.size()));
      out += m_words[rank] + (i + 1 < words ? QLatin1Char(' ') : QLatin1Char('.'));
    }
    return out;
  }
  QString word(int rank) const { return m_words[rank]; }
  // Chinese-like text: characters from a pool of 1,000 ideographs with the same skew.
  QString cjkSentence(int chars)
  {
    QString out;
    for (int i = 0; i < chars; ++i)
      out += cjkChar(int(std::pow(m_rng.generateDouble(), 3.0) * 1000));
    return out + QChar(0x3002);
  }
  static QChar cjkChar(int rank) { return QChar(char16_t(0x4e00 + rank * 7)); }

private:
  QStringList m_words;
  QRandomGenerator m_rng{42};
};

bool populate(sql::Database &db, int conversations, int messages, qint64 *bigId)
{
  TextMaker text;
  sql::Transaction tx(db);
  sql::Statement conv(db, k_benchConversation);
  sql::Statement msg(db, k_benchMessage);
  const qint64 t0 = ConversationStore::now() - qint64(conversations) * 60'000;
  const int big = 500;
  int left = messages;
  for (int c = 0; c < conversations; ++c) {
    // Titles from the rarest words only: a search for a common word then ranks messages,
    // the expensive case, instead of being answered by 50 matching titles.
    const QString title = QStringLiteral("Conversation %1 %2").arg(c).arg(text.word(3500 + c % 500));
    conv.bind(1, QStringLiteral("bench-%1").arg(c)).bind(2, title).bind(3, t0 + c * 60'000LL);
    if (!conv.run())
      return false;
    const qint64 cid = db.lastInsertId();
    const int n = c == 0 ? big : left / std::max(1, conversations - c);
    if (c == 0)
      *bigId = cid;
    qint64 parent = 0;
    for (int i = 0; i < n; ++i) {
      msg.bind(1, cid).bind(2, parent ? std::optional<qint64>(parent) : std::nullopt)
          .bind(3, QLatin1String(i % 2 ? "assistant" : "user"))
          .bind(4, i % 10 == 3 ? text.cjkSentence(80) // one message in ten in Chinese
                               : text.sentence(i % 2 ? 60 : 15))
          .bind(5, t0 + c * 60'000LL + i);
      if (!msg.run())
        return false;
      parent = db.lastInsertId();
    }
    left -= n;
  }
  return tx.commit().has_value();
}

double median(std::vector<double> ms)
{
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

double medianMs(int reps, const std::function<void()> &fn)
{
  std::vector<double> ms;
  for (int i = 0; i < reps; ++i) {
    QElapsedTimer t;
    t.start();
    fn();
    ms.push_back(t.nsecsElapsed() / 1e6);
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

} // namespace

int benchStoreCommand(Args args)
{
  const int conversations = std::stoi(option(args, "--conversations").value_or("1000"));
  const int messages = std::stoi(option(args, "--messages").value_or("100000"));
  const int reps = std::stoi(option(args, "--reps").value_or("5"));
  auto app = makeStoreApp();
  QTemporaryDir dir;
  const auto dbOption = option(args, "--db");
  const QString path = dbOption ? QString::fromStdString(*dbOption)
                                : dir.filePath(QStringLiteral("hearth.db"));
  qint64 bigId = 1; // the first conversation built is the big one
  if (!QFileInfo::exists(path)) {
    ConversationStore store;
    QElapsedTimer t;
    t.start();
    if (!store.open(path) || !populate(store.database(), conversations, messages, &bigId)) {
      printError("could not build the benchmark database");
      return 1;
    }
    std::printf("built %d conversations / %d messages in %.1f s\n", conversations, messages,
                t.elapsed() / 1000.0);
  }
  std::printf("database size: %.1f MiB\n", QFileInfo(path).size() / 1048576.0);
  ConversationStore store;
  // Opening after a clean close (the check deferred to a background thread; run here
  // between the timings) and after an unclean exit (quick_check at open).
  std::vector<double> clean, unclean;
  for (int i = 0; i < reps; ++i) {
    QElapsedTimer t;
    t.start();
    (void)store.open(path);
    clean.push_back(t.nsecsElapsed() / 1e6);
    (void)store.checkHealthNow();
    store.close();
    QFile::remove(path + QStringLiteral(".clean")); // as if Hearth had been killed
    t.start();
    (void)store.open(path);
    unclean.push_back(t.nsecsElapsed() / 1e6);
    store.close();
  }
  (void)store.open(path);
  int rows = 0, pathLen = 0;
  const double list = medianMs(reps, [&] { rows = int(store.listConversations(0, 50)->items.size()); });
  const double conv = medianMs(reps, [&] { pathLen = int(store.activePath(bigId)->size()); });
  TextMaker words;
  std::printf("open after a clean close           %8.2f ms\n", median(clean));
  std::printf("open after a crash (quick_check)   %8.2f ms\n", median(unclean));
  std::printf("list first page (%d rows)           %8.2f ms\n", rows, list);
  std::printf("open a %d-message conversation    %8.2f ms\n", pathLen, conv);
  const std::pair<const char *, QString> queries[] = {
      {"common word", words.word(0)},
      {"frequent word", words.word(100)},
      {"mid word", words.word(900)},
      {"rare word", words.word(3000)},
      {"prefix", words.word(40).left(3) + QLatin1Char('*')},
      {"phrase", QLatin1Char('"') + words.word(0) + QLatin1Char(' ') + words.word(1) + QLatin1Char('"')},
      {"two words", words.word(3) + QLatin1Char(' ') + words.word(60)},
      {"CJK 1 char", QString(TextMaker::cjkChar(0))},
      {"CJK 2 chars", QString(TextMaker::cjkChar(1)) + TextMaker::cjkChar(0)},
      {"CJK 3 chars", QString(TextMaker::cjkChar(0)) + TextMaker::cjkChar(0) + TextMaker::cjkChar(1)},
  };
  for (const auto &[what, q] : queries) {
    int hits = 0;
    const double ms = medianMs(reps, [&] { hits = int(store.search(q, 50)->size()); });
    std::printf("search %-13s %-14s %8.2f ms (%d hits)\n", what, qPrintable(q), ms, hits);
  }
  return 0;
}

} // namespace hearth::cli
