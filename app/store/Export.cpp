// Markdown, plain text, HTML and PDF export; format detection for import; atomic writes.
#include "store/Export.h"

#include "store/ConversationStore.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTextDocument>

namespace hearth {
namespace {

constexpr std::string_view k_allConversationIds =
    "SELECT id FROM conversations WHERE deleted_at IS NULL ORDER BY id";

struct Loaded {
  Conversation meta;
  QList<Message> path;
};

Result<QList<Loaded>> load(ConversationStore &store, QList<qint64> ids)
{
  if (ids.isEmpty()) {
    sql::Statement st(store.database(), k_allConversationIds);
    while (auto row = st.step()) {
      if (!*row)
        break;
      ids << st.integer(0);
    }
  }
  QList<Loaded> out;
  for (qint64 id : ids) {
    auto c = store.conversation(id);
    if (!c)
      return std::unexpected(c.error());
    auto path = store.activePath(id);
    if (!path)
      return std::unexpected(path.error());
    out.append({*c, *path});
  }
  return out;
}

QString when(qint64 ms)
{
  return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

QString roleName(const QString &role)
{
  return role.isEmpty() ? role : role.at(0).toUpper() + role.mid(1);
}

QString titleOf(const Conversation &c)
{
  return c.title.isEmpty() ? QStringLiteral("Untitled conversation") : c.title;
}

QString stateNote(const Message &m)
{
  return m.state == MessageState::Complete ? QString()
                                           : QStringLiteral(" (%1)").arg(messageStateName(m.state));
}

QByteArray renderMarkdown(const QList<Loaded> &convs)
{
  QString out;
  for (const Loaded &c : convs) {
    if (!out.isEmpty())
      out += QStringLiteral("\n---\n\n");
    out += QStringLiteral("# %1\n\n").arg(titleOf(c.meta));
    out += QStringLiteral("*Created %1").arg(when(c.meta.createdAt));
    if (!c.meta.model.isEmpty())
      out += QStringLiteral(" · model %1").arg(c.meta.model);
    out += QStringLiteral("*\n\n");
    if (!c.meta.systemPrompt.isEmpty())
      out += QStringLiteral("> **System:** %1\n\n").arg(c.meta.systemPrompt);
    for (const Message &m : c.path) {
      out += QStringLiteral("## %1%2\n\n").arg(roleName(m.role), stateNote(m));
      if (!m.reasoning.isEmpty()) {
        out += QStringLiteral("<details><summary>Reasoning</summary>\n\n");
        out += m.reasoning.toHtmlEscaped() + QStringLiteral("\n\n</details>\n\n");
      }
      out += m.content + QStringLiteral("\n\n");
    }
  }
  return out.toUtf8();
}

QByteArray renderText(const QList<Loaded> &convs)
{
  QString out;
  for (const Loaded &c : convs) {
    if (!out.isEmpty())
      out += QStringLiteral("\n\n");
    const QString title = titleOf(c.meta);
    out += title + QLatin1Char('\n') + QString(title.size(), QLatin1Char('=')) + QLatin1Char('\n');
    out += QStringLiteral("Created %1\n\n").arg(when(c.meta.createdAt));
    if (!c.meta.systemPrompt.isEmpty())
      out += QStringLiteral("System: %1\n\n").arg(c.meta.systemPrompt);
    for (const Message &m : c.path) {
      out += QStringLiteral("%1%2:\n").arg(roleName(m.role), stateNote(m));
      if (!m.reasoning.isEmpty())
        out += QStringLiteral("[Reasoning]\n%1\n[/Reasoning]\n").arg(m.reasoning);
      out += m.content + QStringLiteral("\n\n");
    }
  }
  return out.toUtf8();
}

// Message text as HTML: fenced code blocks become <pre>, the rest paragraphs. Every
// character of the text is escaped first; only tags made here are markup.
QString bodyHtml(const QString &text)
{
  static const QRegularExpression inlineCode(QStringLiteral("`([^`\n]+)`"));
  QString out, para, code, lang;
  bool inCode = false;
  auto flushPara = [&] {
    if (para.trimmed().isEmpty()) {
      para.clear();
      return;
    }
    QString escaped = para.trimmed().toHtmlEscaped();
    escaped.replace(inlineCode, QStringLiteral("<code>\\1</code>"));
    escaped.replace(QLatin1Char('\n'), QStringLiteral("<br>\n"));
    out += QStringLiteral("<p>") + escaped + QStringLiteral("</p>\n");
    para.clear();
  };
  for (const QString &line : text.split(QLatin1Char('\n'))) {
    if (line.trimmed().startsWith(QLatin1String("```"))) {
      if (inCode) {
        out += QStringLiteral("<pre><code data-lang=\"%1\">%2</code></pre>\n")
                   .arg(lang.toHtmlEscaped(), code.toHtmlEscaped());
        code.clear();
      } else {
        flushPara();
        lang = line.trimmed().mid(3).trimmed();
      }
      inCode = !inCode;
    } else if (inCode) {
      code += line + QLatin1Char('\n');
    } else if (line.trimmed().isEmpty()) {
      flushPara();
    } else {
      para += line + QLatin1Char('\n');
    }
  }
  if (inCode) // an unterminated fence still shows its text
    out += QStringLiteral("<pre><code>%1</code></pre>\n").arg(code.toHtmlEscaped());
  flushPara();
  return out;
}

constexpr const char *k_style = R"css(
body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem;
       color: #1f2328; background: #fbfaf8; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
.meta { color: #6e7781; font-size: 0.85rem; }
.message { border-radius: 10px; padding: 0.6rem 1rem; margin: 0.8rem 0; }
.user { background: #e9eef6; }
.assistant { background: #ffffff; border: 1px solid #e4e2de; }
.system, .tool { background: #f3f1ec; font-size: 0.9rem; }
.role { font-weight: 600; font-size: 0.8rem; text-transform: uppercase; color: #8a5a2b; }
pre { background: #282c34; color: #f0f0f0; padding: 0.8rem; border-radius: 6px; overflow-x: auto; }
code { font-family: ui-monospace, monospace; font-size: 0.9em; }
details { color: #57606a; margin: 0.4rem 0; }
hr { border: none; border-top: 1px solid #ddd; margin: 2rem 0; }
)css";

QByteArray renderHtml(const QList<Loaded> &convs, bool forPdf)
{
  QString out = QStringLiteral(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">\n<title>%1</title>\n<style>%2</style>\n</head>\n<body>\n")
      .arg(convs.size() == 1 ? titleOf(convs[0].meta).toHtmlEscaped() : QStringLiteral("Hearth conversations"),
           QString::fromLatin1(k_style));
  for (qsizetype i = 0; i < convs.size(); ++i) {
    const Loaded &c = convs[i];
    if (i)
      out += QStringLiteral("<hr>\n");
    out += QStringLiteral("<h1>%1</h1>\n<p class=\"meta\">Created %2%3</p>\n")
               .arg(titleOf(c.meta).toHtmlEscaped(), when(c.meta.createdAt),
                    c.meta.model.isEmpty() ? QString()
                                           : QStringLiteral(" · model ") + c.meta.model.toHtmlEscaped());
    if (!c.meta.systemPrompt.isEmpty())
      out += QStringLiteral("<div class=\"message system\"><div class=\"role\">System</div>%1</div>\n")
                 .arg(bodyHtml(c.meta.systemPrompt));
    for (const Message &m : c.path) {
      out += QStringLiteral("<div class=\"message %1\"><div class=\"role\">%2%3</div>\n")
                 .arg(m.role.toHtmlEscaped(), roleName(m.role).toHtmlEscaped(), stateNote(m));
      if (!m.reasoning.isEmpty())
        out += forPdf ? QStringLiteral("<blockquote><i>Reasoning:</i>%1</blockquote>\n").arg(bodyHtml(m.reasoning))
                      : QStringLiteral("<details><summary>Reasoning</summary>\n%1</details>\n")
                            .arg(bodyHtml(m.reasoning));
      out += bodyHtml(m.content) + QStringLiteral("</div>\n");
    }
  }
  out += QStringLiteral("</body>\n</html>\n");
  return out.toUtf8();
}

Status writePdf(const QList<Loaded> &convs, const QString &path)
{
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly))
    return fail(ErrorCode::Io, "[export] cannot write '{}': {}", path.toStdString(),
                file.errorString().toStdString());
  {
    QTextDocument doc;
    doc.setHtml(QString::fromUtf8(renderHtml(convs, true)));
    QPdfWriter writer(&file);
    writer.setTitle(convs.size() == 1 ? titleOf(convs[0].meta) : QStringLiteral("Hearth conversations"));
    writer.setCreator(QStringLiteral("Hearth"));
    writer.setPageSize(QPageSize(QPageSize::A4));
    doc.print(&writer);
  }
  if (!file.commit())
    return fail(ErrorCode::Io, "[export] cannot write '{}': {}", path.toStdString(),
                file.errorString().toStdString());
  return {};
}

} // namespace

std::optional<ExportFormat> exportFormatFromName(const QString &name)
{
  const QString n = name.toLower();
  if (n == QLatin1String("md") || n == QLatin1String("markdown"))
    return ExportFormat::Markdown;
  if (n == QLatin1String("json"))
    return ExportFormat::Json;
  if (n == QLatin1String("html"))
    return ExportFormat::Html;
  if (n == QLatin1String("txt") || n == QLatin1String("text"))
    return ExportFormat::Text;
  if (n == QLatin1String("pdf"))
    return ExportFormat::Pdf;
  return std::nullopt;
}

Result<QByteArray> renderExport(ConversationStore &store, const QList<qint64> &ids,
                                ExportFormat format)
{
  if (format == ExportFormat::Json)
    return exportdetail::renderJson(store, ids);
  auto convs = load(store, ids);
  if (!convs)
    return std::unexpected(convs.error());
  switch (format) {
  case ExportFormat::Markdown:
    return renderMarkdown(*convs);
  case ExportFormat::Text:
    return renderText(*convs);
  case ExportFormat::Html:
    return renderHtml(*convs, false);
  default:
    return fail(ErrorCode::InvalidArgument, "[export] PDF has no text rendering");
  }
}

Status exportConversations(ConversationStore &store, const QList<qint64> &ids,
                           ExportFormat format, const QString &path)
{
  if (format == ExportFormat::Pdf) {
    auto convs = load(store, ids);
    if (!convs)
      return std::unexpected(convs.error());
    return writePdf(*convs, path);
  }
  auto bytes = renderExport(store, ids, format);
  if (!bytes)
    return std::unexpected(bytes.error());
  QSaveFile file(path); // a temporary file beside path, renamed over it by commit()
  if (!file.open(QIODevice::WriteOnly) || file.write(*bytes) != bytes->size() || !file.commit())
    return fail(ErrorCode::Io, "[export] cannot write '{}': {}", path.toStdString(),
                file.errorString().toStdString());
  return {};
}

Result<ImportReport> importData(ConversationStore &store, const QByteArray &data)
{
  QJsonParseError err;
  const QJsonDocument doc = QJsonDocument::fromJson(data, &err);
  if (doc.isNull())
    return fail(ErrorCode::Format, "[import] not valid JSON: {} at byte {}",
                err.errorString().toStdString(), err.offset);
  if (doc.isObject() && doc.object().value("format").toString() == QLatin1String("hearth-conversations"))
    return exportdetail::importHearthJson(store, data);
  if (doc.isArray() && !doc.array().isEmpty() && doc.array().first().toObject().contains("mapping"))
    return exportdetail::importChatGpt(store, data);
  return fail(ErrorCode::Format, "[import] not a Hearth JSON export nor a ChatGPT "
              "conversations.json (no \"format\": \"hearth-conversations\", no \"mapping\")");
}

Result<ImportReport> importFile(ConversationStore &store, const QString &path)
{
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly))
    return fail(ErrorCode::Io, "[import] cannot read '{}': {}", path.toStdString(),
                f.errorString().toStdString());
  return importData(store, f.readAll());
}

} // namespace hearth
