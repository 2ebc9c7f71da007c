// Every SQL statement of ConversationStore, named. Parameters are always bound (?N).
#pragma once

#include <string_view>

namespace hearth::store::sqltext {

#define HEARTH_CONVERSATION_COLUMNS                                                          \
  "c.id, c.uuid, c.title, c.title_is_auto, c.created_at, c.updated_at, c.pinned, c.folder, " \
  "c.model, c.system_prompt, c.settings, "                                                   \
  "(SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)"

// Columns of a Message row (alias m), siblingIndex and siblingCount last.
#define HEARTH_MESSAGE_COLUMNS                                                                 \
  "m.id, m.conversation_id, m.parent_id, m.role, m.content, m.reasoning, m.created_at, "       \
  "m.model_file, m.model_sha256, m.sampling, m.seed, m.stats, m.state, "                       \
  "(SELECT count(*) FROM messages s WHERE s.conversation_id = m.conversation_id "              \
  "   AND s.parent_id IS m.parent_id AND s.id < m.id), "                                       \
  "(SELECT count(*) FROM messages s WHERE s.conversation_id = m.conversation_id "              \
  "   AND s.parent_id IS m.parent_id)"

// --- conversations
inline constexpr std::string_view k_listConversations =
    "SELECT " HEARTH_CONVERSATION_COLUMNS " FROM conversations c WHERE c.deleted_at IS NULL "
    "ORDER BY c.pinned DESC, c.updated_at DESC, c.id DESC LIMIT ?1 OFFSET ?2";
inline constexpr std::string_view k_getConversation =
    "SELECT " HEARTH_CONVERSATION_COLUMNS " FROM conversations c "
    "WHERE c.id = ?1 AND c.deleted_at IS NULL";
inline constexpr std::string_view k_conversationByUuid =
    "SELECT id FROM conversations WHERE uuid = ?1 AND deleted_at IS NULL";
inline constexpr std::string_view k_insertConversation =
    "INSERT INTO conversations (uuid, title, title_is_auto, created_at, updated_at, model, "
    "system_prompt, settings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
inline constexpr std::string_view k_renameConversation =
    "UPDATE conversations SET title = ?1, title_is_auto = 0 WHERE id = ?2 AND deleted_at IS NULL";
inline constexpr std::string_view k_setAutoTitle =
    "UPDATE conversations SET title = ?1 WHERE id = ?2 AND title_is_auto = 1";
inline constexpr std::string_view k_setPinned =
    "UPDATE conversations SET pinned = ?1 WHERE id = ?2 AND deleted_at IS NULL";
inline constexpr std::string_view k_setFolder =
    "UPDATE conversations SET folder = ?1 WHERE id = ?2 AND deleted_at IS NULL";
inline constexpr std::string_view k_setModelSettings =
    "UPDATE conversations SET model = ?1, system_prompt = ?2, settings = ?3 "
    "WHERE id = ?4 AND deleted_at IS NULL";
inline constexpr std::string_view k_touchConversation =
    "UPDATE conversations SET updated_at = max(updated_at, ?1) WHERE id = ?2";
inline constexpr std::string_view k_softDelete =
    "UPDATE conversations SET deleted_at = ?1 WHERE id = ?2 AND deleted_at IS NULL";
inline constexpr std::string_view k_purgeDeleted =
    "DELETE FROM conversations WHERE deleted_at IS NOT NULL";
inline constexpr std::string_view k_lastDeleted =
    "SELECT id FROM conversations WHERE deleted_at IS NOT NULL "
    "ORDER BY deleted_at DESC, id DESC LIMIT 1";
inline constexpr std::string_view k_undelete =
    "UPDATE conversations SET deleted_at = NULL WHERE id = ?1";

// --- messages
inline constexpr std::string_view k_getMessage =
    "SELECT " HEARTH_MESSAGE_COLUMNS " FROM messages m WHERE m.id = ?1";
inline constexpr std::string_view k_siblings =
    "SELECT " HEARTH_MESSAGE_COLUMNS " FROM messages m "
    "WHERE m.conversation_id = ?1 AND m.parent_id IS ?2 ORDER BY m.id";
// The active path: from the selected root, the selected child of each message.
inline constexpr std::string_view k_activePath =
    "WITH RECURSIVE path(id, depth) AS ("
    "  SELECT id, 0 FROM messages "
    "   WHERE conversation_id = ?1 AND parent_id IS NULL AND selected = 1"
    "  UNION ALL"
    "  SELECT m.id, path.depth + 1 FROM messages m JOIN path ON m.parent_id = path.id"
    "   WHERE m.selected = 1) "
    "SELECT " HEARTH_MESSAGE_COLUMNS " FROM path JOIN messages m ON m.id = path.id "
    "ORDER BY path.depth";
inline constexpr std::string_view k_activeLeaf =
    "WITH RECURSIVE path(id, depth) AS ("
    "  SELECT id, 0 FROM messages "
    "   WHERE conversation_id = ?1 AND parent_id IS NULL AND selected = 1"
    "  UNION ALL"
    "  SELECT m.id, path.depth + 1 FROM messages m JOIN path ON m.parent_id = path.id"
    "   WHERE m.selected = 1) "
    "SELECT id FROM path ORDER BY depth DESC LIMIT 1";
inline constexpr std::string_view k_messageOwner =
    "SELECT conversation_id, parent_id FROM messages WHERE id = ?1";
inline constexpr std::string_view k_unselectSiblings =
    "UPDATE messages SET selected = 0 "
    "WHERE conversation_id = ?1 AND parent_id IS ?2 AND selected = 1";
inline constexpr std::string_view k_selectMessage =
    "UPDATE messages SET selected = 1 WHERE id = ?1";
inline constexpr std::string_view k_insertMessage =
    "INSERT INTO messages (conversation_id, parent_id, selected, role, content, reasoning, "
    "created_at, model_file, model_sha256, sampling, seed, stats, state) "
    "VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
// A streaming reply grows by appending to its one row, never by rewriting the conversation.
inline constexpr std::string_view k_appendReply =
    "UPDATE messages SET content = content || ?1, reasoning = reasoning || ?2 WHERE id = ?3";
inline constexpr std::string_view k_finishReply =
    "UPDATE messages SET state = ?1, stats = ?2 WHERE id = ?3";
// On open: replies still "streaming" were cut off by a crash or kill.
inline constexpr std::string_view k_markInterrupted =
    "UPDATE messages SET state = 2 WHERE state = 1";
inline constexpr std::string_view k_firstUserMessage =
    "SELECT content FROM messages WHERE conversation_id = ?1 AND role = 'user' "
    "ORDER BY id LIMIT 1";

// --- search (matches wrapped in U+E000 / U+E001)
// Message search in three steps, so that the costly parts run for the shown hits only:
// 1. candidates: the k_rankWindow most recent matches (FTS5 walks its index by rowid
//    descending and stops, no sort), ranked by bm25 with the text weighing twice the
//    reasoning; only these are ranked, so a word found in 80,000 messages costs what one
//    found in 1,000 does. Below the window every match is ranked.
// 2. for each candidate, best first: its message and conversation (skipping deleted ones)
//    until the limit is reached;
// 3. the snippet of each hit: FTS5 with MATCH and rowid = ?2 seeks to that one row; ?3
//    tokens long (16 words, or 32 for a query in CJK, where each character is a token).
inline constexpr int k_rankWindow = 1000;
inline constexpr std::string_view k_searchCandidates =
    "SELECT id, r FROM (SELECT rowid AS id, bm25(message_fts, 1.0, 0.5) AS r FROM message_fts "
    "  WHERE message_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2) ORDER BY r";
inline constexpr std::string_view k_searchHitInfo =
    "SELECT m.conversation_id, c.title, m.role, m.created_at FROM messages m "
    "JOIN conversations c ON c.id = m.conversation_id "
    "WHERE m.id = ?1 AND c.deleted_at IS NULL";
inline constexpr std::string_view k_searchSnippet =
    "SELECT snippet(message_fts, -1, char(57344), char(57345), '…', ?3) FROM message_fts "
    "WHERE message_fts MATCH ?1 AND rowid = ?2";
inline constexpr std::string_view k_searchTitles =
    "SELECT c.id, c.title, 0, '', highlight(title_fts, 0, char(57344), char(57345)), "
    "  bm25(title_fts), c.updated_at "
    "FROM title_fts JOIN conversations c ON c.id = title_fts.rowid "
    "WHERE title_fts MATCH ?1 AND c.deleted_at IS NULL ORDER BY bm25(title_fts) LIMIT ?2";

} // namespace hearth::store::sqltext
