// Hearth's own JSON format: lossless export and its import.
#include "store/ConversationStore.h"
#include "store/Export.h"
#include "store/Recovery.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QUuid>

namespace hearth::exportdetail {
namespace {

constexpr std::string_view k_allConversationIds =
    "SELECT id FROM conversations WHERE deleted_at IS NULL ORDER BY id";
constexpr std::string_view k_conversationMessages =
    "SELECT id, parent_id, selected, role, content, reasoning, created_at, model_file, "
    "model_sha256, sampling, seed, stats, state FROM messages WHERE conversation_id = ?1 "
    "ORDER BY id";
constexpr std::string_view k_uuidTaken = "SELECT 1 FROM conversations WHERE uuid = ?1";
constexpr std::string_view k_importConversation =
    "INSERT INTO conversations (uuid, title, title_is_auto, created_at, updated_at, pinned, "
    "folder, model, system_prompt, settings) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
constexpr std::string_view k_importMessage =
    "INSERT INTO messages (conversation_id, parent_id, selected, role, content, reasoning, "
    "created_at, model_file, model_sha256, sampling, seed, stats, state) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";

constexpr const char *k_formatName = "hearth-conversations";
constexpr int k_formatVersion = 1;

Result<QJsonArray> messagesJson(sql::Database &db, qint64 conversationId)
{
  sql::Statement st(db, k_conversationMessages);
  st.bind(1, conversationId);
  QHash<qint64, int> local; // row id -> id in the file
  QJsonArray out;
  for (;;) {
    auto row = st.step();
    if (!row)
      return std::unexpected(row.error());
    if (!*row)
      return out;
    const int id = int(local.size()) + 1;
    local.insert(st.integer(0), id);
    QJsonObject m{
        {"id", id},
        {"parent", st.isNull(1) ? 0 : local.value(st.integer(1), 0)},
        {"selected", st.integer(2) != 0},
        {"role", st.text(3)},
        {"content", st.text(4)},
        {"reasoning", st.text(5)},
        {"createdAt", st.integer(6)},
        {"modelFile", st.text(7)},
        {"modelSha256", st.text(8)},
        {"sampling", jsonObject(st.text(9))},
        {"seed", st.isNull(10) ? QJsonValue(QJsonValue::Null) : QJsonValue(st.integer(10))},
        {"stats", jsonObject(st.text(11))},
        {"state", messageStateName(MessageState(st.integer(12)))},
    };
    out.append(m);
  }
}

Error formatError(int conv, const QString &what)
{
  return Error{ErrorCode::Format,
               fmt::format("[import] Hearth JSON: conversation {}: {}", conv, what.toStdString())};
}

} // namespace

Result<QByteArray> renderJson(ConversationStore &store, const QList<qint64> &requested)
{
  QList<qint64> ids = requested;
  if (ids.isEmpty()) {
    sql::Statement st(store.database(), k_allConversationIds);
    while (auto row = st.step()) {
      if (!*row)
        break;
      ids << st.integer(0);
    }
  }
  QJsonArray convs;
  for (qint64 id : ids) {
    auto c = store.conversation(id);
    if (!c)
      return std::unexpected(c.error());
    auto messages = messagesJson(store.database(), id);
    if (!messages)
      return std::unexpected(messages.error());
    convs.append(QJsonObject{
        {"uuid", c->uuid},
        {"title", c->title},
        {"titleIsAuto", c->titleIsAuto},
        {"createdAt", c->createdAt},
        {"updatedAt", c->updatedAt},
        {"pinned", c->pinned},
        {"folder", c->folder},
        {"model", c->model},
        {"systemPrompt", c->systemPrompt},
        {"settings", c->settings},
        {"messages", *messages},
    });
  }
  const QJsonObject root{{"format", k_formatName}, {"version", k_formatVersion},
                         {"conversations", convs}};
  return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Result<ImportReport> importHearthJson(ConversationStore &store, const QByteArray &data)
{
  const QJsonObject root = QJsonDocument::fromJson(data).object();
  if (root.value("version").toInt() != k_formatVersion)
    return fail(ErrorCode::Unsupported, "[import] Hearth JSON version {} is not supported (this "
                "Hearth reads version {})", root.value("version").toInt(), k_formatVersion);
  QList<ImportConversation> convs;
  int index = 0;
  for (const QJsonValue &cv : root.value("conversations").toArray()) {
    ++index;
    if (!cv.isObject())
      return std::unexpected(formatError(index, QStringLiteral("not an object")));
    const QJsonObject o = cv.toObject();
    ImportConversation c;
    c.meta.uuid = o.value("uuid").toString();
    c.meta.title = o.value("title").toString();
    c.meta.titleIsAuto = o.value("titleIsAuto").toBool(true);
    c.meta.createdAt = o.value("createdAt").toInteger();
    c.meta.updatedAt = o.value("updatedAt").toInteger(c.meta.createdAt);
    c.meta.pinned = o.value("pinned").toBool();
    c.meta.folder = o.value("folder").toString();
    c.meta.model = o.value("model").toString();
    c.meta.systemPrompt = o.value("systemPrompt").toString();
    c.meta.settings = o.value("settings").toObject();
    if (!o.value("messages").isArray())
      return std::unexpected(formatError(index, QStringLiteral("'messages' is not an array")));
    QSet<int> seen;
    for (const QJsonValue &mv : o.value("messages").toArray()) {
      const QJsonObject mo = mv.toObject();
      ImportMessage m;
      m.localId = mo.value("id").toInt();
      m.parent = mo.value("parent").toInt();
      if (m.localId <= 0 || seen.contains(m.localId))
        return std::unexpected(formatError(index, QStringLiteral("message id %1 missing or repeated")
                                                      .arg(mo.value("id").toVariant().toString())));
      if (m.parent != 0 && !seen.contains(m.parent))
        return std::unexpected(formatError(
            index, QStringLiteral("message %1: parent %2 is not an earlier message").arg(m.localId).arg(m.parent)));
      seen.insert(m.localId);
      m.selected = mo.value("selected").toBool(true);
      NewMessage &f = m.fields;
      f.role = mo.value("role").toString();
      f.content = mo.value("content").toString();
      f.reasoning = mo.value("reasoning").toString();
      f.createdAt = mo.value("createdAt").toInteger();
      f.modelFile = mo.value("modelFile").toString();
      f.modelSha256 = mo.value("modelSha256").toString();
      f.sampling = mo.value("sampling").toObject();
      if (mo.value("seed").isDouble())
        f.seed = mo.value("seed").toInteger();
      f.stats = mo.value("stats").toObject();
      bool ok = false;
      f.state = messageStateFromName(mo.value("state").toString(QStringLiteral("complete")), &ok);
      if (!ok)
        return std::unexpected(formatError(index, QStringLiteral("message %1: unknown state '%2'")
                                                      .arg(m.localId).arg(mo.value("state").toString())));
      c.messages.append(m);
    }
    convs.append(c);
  }
  return writeImport(store, convs, QStringLiteral("hearth"));
}

Result<ImportReport> writeImport(ConversationStore &store, const QList<ImportConversation> &convs,
                                 const QString &format)
{
  sql::Database &db = store.database();
  ImportReport report;
  report.format = format;
  {
    sql::Transaction tx(db);
    if (!tx.begun())
      return std::unexpected(tx.begun().error());
    sql::Statement taken(db, k_uuidTaken);
    sql::Statement insertConv(db, k_importConversation);
    sql::Statement insertMsg(db, k_importMessage);
    for (const ImportConversation &c : convs) {
      const QString uuid = c.meta.uuid.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces)
                                                 : c.meta.uuid;
      taken.reset();
      taken.bind(1, uuid);
      auto row = taken.step();
      if (!row)
        return std::unexpected(row.error());
      if (*row) {
        ++report.skipped;
        continue;
      }
      const qint64 created = c.meta.createdAt ? c.meta.createdAt : ConversationStore::now();
      insertConv.bind(1, uuid).bind(2, c.meta.title).bind(3, qint64(c.meta.titleIsAuto))
          .bind(4, created).bind(5, c.meta.updatedAt ? c.meta.updatedAt : created)
          .bind(6, qint64(c.meta.pinned)).bind(7, c.meta.folder).bind(8, c.meta.model)
          .bind(9, c.meta.systemPrompt).bind(10, jsonText(c.meta.settings));
      if (auto s = insertConv.run(); !s)
        return std::unexpected(s.error());
      const qint64 convId = db.lastInsertId();
      QHash<int, qint64> rowOf;
      for (const ImportMessage &m : c.messages) {
        const NewMessage &f = m.fields;
        insertMsg.bind(1, convId)
            .bind(2, m.parent ? std::optional<qint64>(rowOf.value(m.parent)) : std::nullopt)
            .bind(3, qint64(m.selected)).bind(4, f.role).bind(5, f.content).bind(6, f.reasoning)
            .bind(7, f.createdAt ? f.createdAt : created).bind(8, f.modelFile)
            .bind(9, f.modelSha256).bind(10, jsonText(f.sampling)).bind(11, f.seed)
            .bind(12, jsonText(f.stats)).bind(13, qint64(f.state));
        if (auto s = insertMsg.run(); !s)
          return fail(ErrorCode::Format, "[import] conversation '{}', message {}: {}",
                      c.meta.title.toStdString(), m.localId, s.error().message);
        rowOf.insert(m.localId, db.lastInsertId());
        ++report.messages;
      }
      ++report.conversations;
      report.ids << convId;
    }
    if (auto s = store::repairTree(db); !s)
      return std::unexpected(s.error());
    if (auto s = tx.commit(); !s)
      return std::unexpected(s.error());
  }
  if (report.conversations)
    emit store.conversationsReset();
  return report;
}

} // namespace hearth::exportdetail
