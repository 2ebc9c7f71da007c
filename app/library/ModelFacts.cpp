#include "library/ModelFacts.h"

#include "library/Catalog.h"

#include "hearth/gguf.h"

#include <QFileInfo>

#include <map>

namespace hearth::library {

Result<ModelFacts> readModelFacts(const QString &path)
{
  auto file = gguf::GgufFile::open(std::filesystem::path(path.toStdString()));
  if (!file)
    return std::unexpected(file.error());
  auto arch = file->getString("general.architecture");
  if (!arch)
    return fail(ErrorCode::Format, "[library] {}: not a model (no general.architecture)", path.toStdString());
  ModelFacts facts;
  facts.path = path;
  facts.fileSize = QFileInfo(path).size();
  facts.architecture = QString::fromUtf8(arch->data(), qsizetype(arch->size()));
  const std::string a(*arch);
  auto name = file->getString("general.name");
  facts.name = name ? QString::fromUtf8(name->data(), qsizetype(name->size())) : QFileInfo(path).completeBaseName();

  const uint32_t heads = file->getU32Or(a + ".attention.head_count", 0).value_or(0);
  const uint32_t embedding = file->getU32Or(a + ".embedding_length", 0).value_or(0);
  facts.contextLength = file->getU32Or(a + ".context_length", 0).value_or(0);
  facts.shape.layers = file->getU32Or(a + ".block_count", 0).value_or(0);
  facts.shape.kvHeads = file->getU32Or(a + ".attention.head_count_kv", heads).value_or(heads);
  const uint32_t headDim = heads ? embedding / heads : 0;
  facts.shape.headDim = file->getU32Or(a + ".attention.key_length", headDim).value_or(headDim);

  std::map<std::string_view, uint64_t> bytesByType;
  for (const auto &t : file->tensors()) {
    facts.parameters += t.elements;
    if (t.nDims >= 2)
      bytesByType[tensorTypeName(t.type)] += t.bytes;
  }
  const auto top = std::max_element(bytesByType.begin(), bytesByType.end(),
                                    [](const auto &x, const auto &y) { return x.second < y.second; });
  if (top != bytesByType.end())
    facts.quant = QString::fromLatin1(top->first.data(), qsizetype(top->first.size()));
  facts.supported = isSupportedArchitecture(facts.architecture);
  return facts;
}

} // namespace hearth::library
