// Import of ChatGPT's data export (conversations.json): an array of conversations, each
// with a "mapping" of node id -> {message, parent, children} forming a tree and a
// "current_node" naming the leaf the user last saw. Branches (edited prompts, regenerated
// answers) become Hearth branches; the path to current_node is the selected one. Nodes
// without a visible message (the root, hidden system and context messages) are skipped
// and their children attached to the nearest kept ancestor; "thoughts" become the
// reasoning of the next assistant reply.
#include "store/ConversationStore.h"
#include "store/Export.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace hearth::exportdetail {
namespace {

struct Walk {
  const QJsonObject *mapping = nullptr;
  QSet<QString> onCurrentPath;
  QSet<QString> visited;
  ImportConversation *out = nullptr;
  qint64 fallbackTime = 0;
};

qint64 millis(const QJsonValue &seconds, qint64 fallback)
{
  return seconds.isDouble() ? qint64(seconds.toDouble() * 1000.0 + 0.5) : fallback;
}

QString partsText(const QJsonArray &parts)
{
  QStringList out;
  for (const QJsonValue &p : parts) {
    if (p.isString())
      out << p.toString();
    else if (p.toObject().value("content_type").toString() == QLatin1String("image_asset_pointer"))
      out << QStringLiteral("[image]");
    else if (p.isObject())
      out << QStringLiteral("[attachment]");
  }
  return out.join(QLatin1Char('\n')).trimmed();
}

// The text of a message, and whether it is reasoning rather than a reply.
QString messageText(const QJsonObject &content, bool *isReasoning)
{
  const QString type = content.value("content_type").toString();
  *isReasoning = false;
  if (type == QLatin1String("text") || type == QLatin1String("multimodal_text"))
    return partsText(content.value("parts").toArray());
  if (type == QLatin1String("code"))
    return QStringLiteral("```%1\n%2\n```")
        .arg(content.value("language").toString(), content.value("text").toString());
  if (type == QLatin1String("execution_output") || type == QLatin1String("tether_quote"))
    return content.value("text").toString();
  if (type == QLatin1String("thoughts")) {
    *isReasoning = true;
    QStringList parts;
    for (const QJsonValue &t : content.value("thoughts").toArray())
      parts << t.toObject().value("content").toString();
    return parts.join(QStringLiteral("\n\n"));
  }
  return {}; // context, recap and unknown types are not shown
}

void visit(Walk &w, const QString &nodeId, int parentLocal, QString pendingReasoning)
{
  if (w.visited.contains(nodeId)) // a malformed mapping with a cycle
    return;
  w.visited.insert(nodeId);
  const QJsonObject node = w.mapping->value(nodeId).toObject();
  const QJsonObject msg = node.value("message").toObject();
  int local = parentLocal;
  if (!msg.isEmpty()) {
    const QString role = msg.value("author").toObject().value("role").toString();
    const QJsonObject meta = msg.value("metadata").toObject();
    bool isReasoning = false;
    const QString text = messageText(msg.value("content").toObject(), &isReasoning);
    const bool hidden = meta.value("is_visually_hidden_from_conversation").toBool();
    if (isReasoning) {
      pendingReasoning += text;
    } else if (!hidden && !text.isEmpty() &&
               (role == QLatin1String("user") || role == QLatin1String("assistant") ||
                role == QLatin1String("system") || role == QLatin1String("tool"))) {
      ImportMessage m;
      m.localId = int(w.out->messages.size()) + 1;
      m.parent = parentLocal;
      m.selected = w.onCurrentPath.contains(nodeId);
      m.fields.role = role;
      m.fields.content = text;
      if (role == QLatin1String("assistant")) {
        m.fields.reasoning = pendingReasoning;
        pendingReasoning.clear();
      }
      m.fields.createdAt = millis(msg.value("create_time"), w.fallbackTime);
      m.fields.modelFile = meta.value("model_slug").toString();
      const QString status = msg.value("status").toString();
      m.fields.state = status == QLatin1String("in_progress") || status == QLatin1String("incomplete")
                           ? MessageState::Interrupted
                           : MessageState::Complete;
      w.out->messages.append(m);
      local = m.localId;
    }
  }
  for (const QJsonValue &child : node.value("children").toArray())
    visit(w, child.toString(), local, pendingReasoning);
}

Result<ImportConversation> parseConversation(const QJsonObject &o, int index)
{
  if (!o.value("mapping").isObject())
    return fail(ErrorCode::Format, "[import] ChatGPT export: conversation {} has no 'mapping'",
                index);
  const QJsonObject mapping = o.value("mapping").toObject();
  ImportConversation c;
  c.meta.uuid = o.value("conversation_id").toString(o.value("id").toString());
  c.meta.title = o.value("title").toString();
  c.meta.titleIsAuto = false;
  c.meta.createdAt = millis(o.value("create_time"), 0);
  c.meta.updatedAt = millis(o.value("update_time"), c.meta.createdAt);
  c.meta.model = o.value("default_model_slug").toString();
  Walk w;
  w.mapping = &mapping;
  w.out = &c;
  w.fallbackTime = c.meta.createdAt;
  // The path from current_node up to the root is what the user last saw.
  QString at = o.value("current_node").toString();
  while (!at.isEmpty() && mapping.contains(at) && !w.onCurrentPath.contains(at)) {
    w.onCurrentPath.insert(at);
    at = mapping.value(at).toObject().value("parent").toString();
  }
  for (auto it = mapping.begin(); it != mapping.end(); ++it) {
    const QJsonObject node = it.value().toObject();
    if (!it.value().isObject())
      return fail(ErrorCode::Format, "[import] ChatGPT export: conversation {}: node '{}' is "
                  "not an object", index, it.key().toStdString());
    const QString parent = node.value("parent").toString();
    if (parent.isEmpty() || !mapping.contains(parent))
      visit(w, it.key(), 0, QString());
  }
  return c;
}

} // namespace

Result<ImportReport> importChatGpt(ConversationStore &store, const QByteArray &data)
{
  const QJsonArray array = QJsonDocument::fromJson(data).array();
  QList<ImportConversation> convs;
  int index = 0;
  for (const QJsonValue &v : array) {
    ++index;
    if (!v.isObject())
      return fail(ErrorCode::Format, "[import] ChatGPT export: entry {} is not an object", index);
    auto c = parseConversation(v.toObject(), index);
    if (!c)
      return std::unexpected(c.error());
    convs.append(*c);
  }
  return writeImport(store, convs, QStringLiteral("chatgpt"));
}

} // namespace hearth::exportdetail
