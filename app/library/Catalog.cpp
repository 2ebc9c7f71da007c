#include "library/Catalog.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace hearth::library {
namespace {

Result<QString> text(const QJsonObject &o, const char *key, qsizetype index)
{
  const QJsonValue v = o.value(QLatin1String(key));
  if (!v.isString() || v.toString().isEmpty())
    return fail(ErrorCode::Format, "[catalog] model {}: '{}' missing or not a string", index, key);
  return v.toString();
}

Result<uint64_t> number(const QJsonObject &o, const char *key, qsizetype index)
{
  const QJsonValue v = o.value(QLatin1String(key));
  const double d = v.toDouble(-1);
  if (!v.isDouble() || d <= 0 || d > 9.0e15)
    return fail(ErrorCode::Format, "[catalog] model {}: '{}' missing or not a positive number", index, key);
  return uint64_t(d);
}

Result<CatalogEntry> parseEntry(const QJsonObject &o, qsizetype i)
{
  CatalogEntry e;
  struct TextField { const char *key; QString *out; };
  for (auto [key, out] : {TextField{"id", &e.id}, {"name", &e.name}, {"repo", &e.repo},
                          {"file", &e.file}, {"quant", &e.quant}, {"licence", &e.licence},
                          {"architecture", &e.architecture}, {"description", &e.description}}) {
    auto v = text(o, key, i);
    if (!v)
      return std::unexpected(v.error());
    *out = *v;
  }
  struct NumberField { const char *key; uint64_t *out; };
  uint64_t context = 0, layers = 0, kvHeads = 0, headDim = 0;
  for (auto [key, out] : {NumberField{"sizeBytes", &e.sizeBytes}, {"parameters", &e.parameters},
                          {"contextLength", &context}, {"layers", &layers},
                          {"kvHeads", &kvHeads}, {"headDim", &headDim}}) {
    auto v = number(o, key, i);
    if (!v)
      return std::unexpected(v.error());
    *out = *v;
  }
  if (context > UINT32_MAX || layers > 4096 || kvHeads > 4096 || headDim > 4096)
    return fail(ErrorCode::Format, "[catalog] model {} ('{}'): shape out of range", i, e.id.toStdString());
  if (!e.file.endsWith(QLatin1String(".gguf")) || e.repo.count(QLatin1Char('/')) != 1)
    return fail(ErrorCode::Format, "[catalog] model {} ('{}'): repo must be owner/name and file a .gguf",
                i, e.id.toStdString());
  e.contextLength = uint32_t(context);
  e.shape = {uint32_t(layers), uint32_t(kvHeads), uint32_t(headDim)};
  return e;
}

} // namespace

bool isSupportedArchitecture(QStringView architecture)
{
  return architecture == u"llama" || architecture == u"qwen2";
}

bool CatalogEntry::supported() const
{
  return isSupportedArchitecture(architecture);
}

uint64_t CatalogEntry::memoryNeeded(uint32_t context) const
{
  return library::memoryNeeded(sizeBytes, shape, context ? context : contextLength);
}

Result<std::vector<CatalogEntry>> parseCatalog(const QByteArray &json)
{
  QJsonParseError error;
  const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
  if (doc.isNull())
    return fail(ErrorCode::Format, "[catalog] JSON error at offset {}: {}", error.offset,
                error.errorString().toStdString());
  const QJsonValue models = doc.object().value(QLatin1String("models"));
  if (!models.isArray())
    return fail(ErrorCode::Format, "[catalog] 'models' is not an array");
  std::vector<CatalogEntry> entries;
  const QJsonArray array = models.toArray();
  for (qsizetype i = 0; i < array.size(); ++i) {
    auto entry = parseEntry(array.at(i).toObject(), i);
    if (!entry)
      return std::unexpected(entry.error());
    for (const auto &other : entries)
      if (other.id == entry->id)
        return fail(ErrorCode::Format, "[catalog] duplicate id '{}'", entry->id.toStdString());
    entries.push_back(std::move(*entry));
  }
  return entries;
}

Result<std::vector<CatalogEntry>> builtinCatalog()
{
  QFile file(QStringLiteral(":/hearth/catalog.json"));
  if (!file.open(QIODevice::ReadOnly))
    return fail(ErrorCode::Io, "[catalog] built-in catalog missing (qrc:/hearth/catalog.json)");
  return parseCatalog(file.readAll());
}

} // namespace hearth::library
