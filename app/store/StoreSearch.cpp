// ConversationStore: automatic titles and full-text search; the small value helpers of
// StoreTypes.h.
#include "store/CjkTokenizer.h"
#include "store/ConversationStore.h"
#include "store/StoreSql.h"

#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>

namespace hearth {

using namespace store::sqltext;

// --- StoreTypes helpers -------------------------------------------------------------------

namespace {
constexpr const char *k_stateNames[] = {"complete", "streaming", "interrupted", "cancelled",
                                        "failed"};
}

QString messageStateName(MessageState s)
{
  const int i = int(s);
  return i >= 0 && i < 5 ? QString::fromLatin1(k_stateNames[i]) : QStringLiteral("complete");
}

MessageState messageStateFromName(const QString &name, bool *ok)
{
  for (int i = 0; i < 5; ++i)
    if (name == QLatin1String(k_stateNames[i])) {
      if (ok)
        *ok = true;
      return MessageState(i);
    }
  if (ok)
    *ok = false;
  return MessageState::Complete;
}

QString jsonText(const QJsonObject &o)
{
  return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QJsonObject jsonObject(const QString &text)
{
  return QJsonDocument::fromJson(text.toUtf8()).object();
}

QString snippetMarked(const QString &snippet, const QString &open, const QString &close)
{
  QString out = snippet;
  out.replace(k_markOpen, open);
  out.replace(k_markClose, close);
  return out;
}

QString snippetHtml(const QString &snippet)
{
  return snippetMarked(snippet.toHtmlEscaped(), QStringLiteral("<b>"), QStringLiteral("</b>"));
}

// --- titles -------------------------------------------------------------------------------

QString ConversationStore::titleFromText(const QString &text)
{
  constexpr int k_maxLength = 48;
  QString line;
  for (const QString &l : text.split(QLatin1Char('\n'))) {
    line = l.trimmed();
    if (!line.isEmpty() && !line.startsWith(QLatin1String("```")))
      break;
    line.clear();
  }
  static const QRegularExpression leadingMarkup(QStringLiteral("^(#+|>|[-*+]|\\d+[.)])\\s+"));
  static const QRegularExpression inlineMarkup(QStringLiteral("[*_`~]+"));
  static const QRegularExpression spaces(QStringLiteral("\\s+"));
  line.remove(leadingMarkup);
  line.remove(inlineMarkup);
  line = line.replace(spaces, QStringLiteral(" ")).trimmed();
  if (line.size() <= k_maxLength)
    return line;
  int cut = line.lastIndexOf(QLatin1Char(' '), k_maxLength);
  if (cut < k_maxLength / 2)
    cut = k_maxLength;
  return line.left(cut).trimmed() + QChar(0x2026);
}

Result<QString> ConversationStore::autoTitle(qint64 conversationId)
{
  auto c = conversation(conversationId);
  if (!c)
    return std::unexpected(c.error());
  if (!c->titleIsAuto || !c->title.isEmpty())
    return c->title;
  sql::Statement first(m_db, k_firstUserMessage);
  first.bind(1, conversationId);
  auto row = first.step();
  if (!row)
    return std::unexpected(row.error());
  if (!*row)
    return QString();
  const QString title = titleFromText(first.text(0));
  sql::Statement st(m_db, k_setAutoTitle);
  st.bind(1, title).bind(2, conversationId);
  if (auto s = st.run(); !s)
    return std::unexpected(s.error());
  emit conversationChanged(conversationId);
  return title;
}

// --- search -------------------------------------------------------------------------------

QString ConversationStore::ftsQuery(const QString &userQuery)
{
  // Every term becomes a quoted FTS5 string, so that no user text is read as FTS5 syntax
  // (AND, NEAR, column filters, parentheses); a trailing * stays a prefix query.
  auto quoted = [](QString s) {
    s.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + s + QLatin1Char('"');
  };
  auto hasWordChar = [](const QString &s) {
    for (QChar c : s)
      if (c.isLetterOrNumber())
        return true;
    return false;
  };
  QStringList terms;
  const QString q = userQuery;
  qsizetype i = 0;
  while (i < q.size()) {
    if (q[i].isSpace()) {
      ++i;
      continue;
    }
    if (q[i] == QLatin1Char('"')) {
      const qsizetype end = q.indexOf(QLatin1Char('"'), i + 1);
      const QString phrase = q.mid(i + 1, end < 0 ? -1 : end - i - 1);
      if (hasWordChar(phrase))
        terms << quoted(phrase);
      i = end < 0 ? q.size() : end + 1;
      continue;
    }
    qsizetype end = i;
    while (end < q.size() && !q[end].isSpace() && q[end] != QLatin1Char('"'))
      ++end;
    QString word = q.mid(i, end - i);
    i = end;
    const bool prefix = word.endsWith(QLatin1Char('*'));
    while (word.endsWith(QLatin1Char('*')))
      word.chop(1);
    if (hasWordChar(word))
      terms << quoted(word) + (prefix ? QStringLiteral("*") : QString());
  }
  return terms.join(QLatin1Char(' '));
}

namespace {

Status collectHits(sql::Statement &st, QList<SearchHit> &out)
{
  for (;;) {
    auto row = st.step();
    if (!row)
      return std::unexpected(row.error());
    if (!*row)
      return {};
    SearchHit h;
    h.conversationId = st.integer(0);
    h.conversationTitle = st.text(1);
    h.messageId = st.integer(2);
    h.role = st.text(3);
    h.snippet = st.text(4);
    h.rank = st.real(5);
    h.createdAt = st.integer(6);
    out.append(h);
  }
}

} // namespace

Result<QList<SearchHit>> ConversationStore::search(const QString &query, int limit) const
{
  QList<SearchHit> hits;
  const QString match = ftsQuery(query);
  if (match.isEmpty() || limit <= 0)
    return hits;
  // Titles first (a title naming the query is the likeliest target), then messages.
  sql::Statement titles(m_db, k_searchTitles);
  titles.bind(1, match).bind(2, qint64(limit));
  if (auto s = collectHits(titles, hits); !s)
    return std::unexpected(s.error());
  if (hits.size() >= limit)
    return hits;
  sql::Statement candidates(m_db, k_searchCandidates);
  candidates.bind(1, match).bind(2, qint64(k_rankWindow));
  sql::Statement info(m_db, k_searchHitInfo);
  sql::Statement snippet(m_db, k_searchSnippet);
  const bool cjk = std::any_of(query.begin(), query.end(), [](QChar c) {
    return c.isSurrogate() || store::isCjk(c.unicode());
  });
  while (hits.size() < limit) {
    auto row = candidates.step();
    if (!row)
      return std::unexpected(row.error());
    if (!*row)
      break;
    SearchHit h;
    h.messageId = candidates.integer(0);
    h.rank = candidates.real(1);
    info.bind(1, h.messageId);
    auto found = info.step();
    if (!found)
      return std::unexpected(found.error());
    if (!*found)
      continue; // in a deleted conversation
    h.conversationId = info.integer(0);
    h.conversationTitle = info.text(1);
    h.role = info.text(2);
    h.createdAt = info.integer(3);
    snippet.bind(1, match).bind(2, h.messageId).bind(3, qint64(cjk ? 32 : 16));
    auto text = snippet.step();
    if (!text)
      return std::unexpected(text.error());
    if (*text)
      h.snippet = snippet.text(0);
    hits.append(h);
  }
  return hits;
}

} // namespace hearth
