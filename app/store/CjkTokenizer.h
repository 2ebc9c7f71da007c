// The full-text tokenizer of the conversation database (schema version 2 on):
// `tokenize = 'hearth_cjk remove_diacritics 2'`.
//
// SQLite's unicode61 splits text at spaces and punctuation, so a sentence of Chinese or
// Japanese (no spaces) becomes a single token and no word inside it can be found; Korean
// words carry particles (도서관이) and are not found by their stem. hearth_cjk is unicode61
// for everything else, and splits each run of Han, Hiragana, Katakana and Hangul into
// characters: every character is a token (position i), with the bigram of it and the next
// character as a synonym at the same position (FTS5_TOKEN_COLOCATED). A query run of n
// characters becomes the phrase "bigram(0,1) bigram(1,2) ... bigram(n-2,n-1) char(n-1)",
// which matches exactly where those n characters occur in a row, so any substring is
// found, one character included, by index lookups, not a scan. Highlights cover exactly
// the matched characters (highlight() and snippet() skip colocated tokens, so the
// character token gives the extent). The index grows by about two tokens per CJK
// character, nothing for other text.
//
// Every connection that reads or writes the FTS tables needs it registered:
// sql::Database::open() does so for all of Hearth's connections. (The sqlite3 command-line
// shell can still read the tables, but not search them or write messages.)
#pragma once

struct sqlite3;

namespace hearth::store {

inline constexpr const char *k_tokenizerName = "hearth_cjk";

// Registers hearth_cjk on the connection; false if FTS5 is unavailable.
bool registerCjkTokenizer(sqlite3 *db);

// True for a code point that hearth_cjk splits into characters.
bool isCjk(char32_t c);

} // namespace hearth::store
