#include "store/CjkTokenizer.h"

#include <sqlite3.h>

#include <cstddef>
#include <utility>
#include <vector>

namespace hearth::store {
namespace {

// One decoded character of a UTF-8 string: its code point and byte offset.
struct Char {
  char32_t code;
  int at;
};

// Decodes UTF-8 (as SQLite stores it; invalid bytes pass as themselves). The last entry
// is a sentinel holding the end offset.
std::vector<Char> decode(const char *s, int n)
{
  std::vector<Char> out;
  int i = 0;
  while (i < n) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 1;
    char32_t c = len == 1 ? b : len == 2 ? (b & 0x1f) : len == 3 ? (b & 0x0f) : (b & 0x07);
    int k = 1;
    for (; k < len && i + k < n; ++k)
      c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    out.push_back({c, i});
    i += k;
  }
  out.push_back({0, n});
  return out;
}

// A maximal run of CJK or of other characters: [begin, end) indices into a decode().
struct Run {
  bool cjk;
  std::size_t begin, end;
};

std::vector<Run> runs(const std::vector<Char> &chars)
{
  std::vector<Run> out;
  for (std::size_t i = 0; i + 1 < chars.size(); ++i) {
    const bool cjk = isCjk(chars[i].code);
    if (out.empty() || out.back().cjk != cjk)
      out.push_back({cjk, i, i + 1});
    else
      out.back().end = i + 1;
  }
  return out;
}

using TokenCallback = int (*)(void *, int, const char *, int, int, int);

struct Tokenizer {
  fts5_tokenizer inner; // unicode61
  Fts5Tokenizer *innerInstance = nullptr;
};

struct Pass {
  void *ctx;
  TokenCallback emit;
  int flags;
  const char *text;
};

// Splits a unicode61 token that holds CJK characters. The folded token and the original
// text have the same runs (case folding and diacritic removal leave CJK alone), so the
// folded text of each run is emitted with the original run's offsets.
int splitToken(Pass &p, int tflags, const char *token, int nToken, int iStart, int iEnd)
{
  const auto orig = decode(p.text + iStart, iEnd - iStart);
  const auto folded = decode(token, nToken);
  const auto origRuns = runs(orig), foldedRuns = runs(folded);
  bool same = origRuns.size() == foldedRuns.size();
  for (std::size_t r = 0; same && r < origRuns.size(); ++r)
    same = origRuns[r].cjk == foldedRuns[r].cjk &&
           (!origRuns[r].cjk ||
            origRuns[r].end - origRuns[r].begin == foldedRuns[r].end - foldedRuns[r].begin);
  if (!same)
    return p.emit(p.ctx, tflags, token, nToken, iStart, iEnd);
  const bool query = (p.flags & FTS5_TOKENIZE_QUERY) != 0;
  for (std::size_t r = 0; r < origRuns.size(); ++r) {
    const Run &o = origRuns[r], &f = foldedRuns[r];
    const auto text = [&](std::size_t from, std::size_t to) { // folded bytes of run chars [from, to)
      return std::pair{token + folded[f.begin + from].at,
                       folded[f.begin + to].at - folded[f.begin + from].at};
    };
    const auto offset = [&](std::size_t i) { return iStart + orig[o.begin + i].at; };
    int rc = SQLITE_OK;
    if (!o.cjk) {
      const auto [t, n] = text(0, f.end - f.begin);
      rc = p.emit(p.ctx, tflags, t, n, offset(0), offset(o.end - o.begin));
    } else {
      const std::size_t n = o.end - o.begin;
      for (std::size_t i = 0; i < n && rc == SQLITE_OK; ++i) {
        const bool last = i + 1 == n;
        if (query) { // bigrams, then the last character alone
          const auto [t, len] = text(i, last ? i + 1 : i + 2);
          rc = p.emit(p.ctx, tflags, t, len, offset(i), offset(last ? i + 1 : i + 2));
          continue;
        }
        const auto [t, len] = text(i, i + 1);
        rc = p.emit(p.ctx, tflags, t, len, offset(i), offset(i + 1));
        if (rc == SQLITE_OK && !last) {
          const auto [b, blen] = text(i, i + 2);
          rc = p.emit(p.ctx, FTS5_TOKEN_COLOCATED, b, blen, offset(i), offset(i + 2));
        }
      }
    }
    if (rc != SQLITE_OK)
      return rc;
  }
  return SQLITE_OK;
}

int onToken(void *ctx, int tflags, const char *token, int nToken, int iStart, int iEnd)
{
  Pass &p = *static_cast<Pass *>(ctx);
  for (int i = iStart; i < iEnd; ++i)
    if (static_cast<unsigned char>(p.text[i]) >= 0xe1) // CJK needs 3 or 4 UTF-8 bytes
      return splitToken(p, tflags, token, nToken, iStart, iEnd);
  return p.emit(p.ctx, tflags, token, nToken, iStart, iEnd);
}

int create(void *apiPtr, const char **args, int nArgs, Fts5Tokenizer **out)
{
  auto *api = static_cast<fts5_api *>(apiPtr);
  auto *t = new Tokenizer;
  void *innerCtx = nullptr;
  int rc = api->xFindTokenizer(api, "unicode61", &innerCtx, &t->inner);
  if (rc == SQLITE_OK)
    rc = t->inner.xCreate(innerCtx, args, nArgs, &t->innerInstance);
  if (rc != SQLITE_OK) {
    delete t;
    return rc;
  }
  *out = reinterpret_cast<Fts5Tokenizer *>(t);
  return SQLITE_OK;
}

void destroy(Fts5Tokenizer *instance)
{
  auto *t = reinterpret_cast<Tokenizer *>(instance);
  if (t->innerInstance)
    t->inner.xDelete(t->innerInstance);
  delete t;
}

int tokenize(Fts5Tokenizer *instance, void *ctx, int flags, const char *text, int nText,
             TokenCallback emit)
{
  auto *t = reinterpret_cast<Tokenizer *>(instance);
  Pass p{ctx, emit, flags, text};
  return t->inner.xTokenize(t->innerInstance, &p, flags, text, nText, onToken);
}

fts5_api *fts5Api(sqlite3 *db)
{
  fts5_api *api = nullptr;
  sqlite3_stmt *st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(st, 1, static_cast<void *>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(st);
  }
  sqlite3_finalize(st);
  return api && api->iVersion >= 2 ? api : nullptr;
}

} // namespace

bool isCjk(char32_t c)
{
  return (c >= 0x1100 && c <= 0x11ff)     // Hangul Jamo
         || (c >= 0x3040 && c <= 0x30ff)  // Hiragana, Katakana
         || (c >= 0x3130 && c <= 0x318f)  // Hangul compatibility Jamo
         || (c >= 0x31f0 && c <= 0x31ff)  // Katakana phonetic extensions
         || (c >= 0x3400 && c <= 0x4dbf)  // CJK extension A
         || (c >= 0x4e00 && c <= 0x9fff)  // CJK unified ideographs
         || (c >= 0xa960 && c <= 0xa97f)  // Hangul Jamo extended A
         || (c >= 0xac00 && c <= 0xd7ff)  // Hangul syllables, Jamo extended B
         || (c >= 0xf900 && c <= 0xfaff)  // CJK compatibility ideographs
         || (c >= 0xff66 && c <= 0xffdc)  // halfwidth Katakana and Hangul
         || (c >= 0x20000 && c <= 0x3134f) // CJK extensions B to G
         || c == 0x3005 || c == 0x3006;   // 々 〆
}

bool registerCjkTokenizer(sqlite3 *db)
{
  fts5_api *api = fts5Api(db);
  if (!api)
    return false;
  static fts5_tokenizer k_tokenizer{create, destroy, tokenize};
  return api->xCreateTokenizer(api, k_tokenizerName, api, &k_tokenizer, nullptr) == SQLITE_OK;
}

} // namespace hearth::store
