// hearth inspect MODEL.gguf [--tensors]: the facts of a model file, and its tensor table.
// A file the GGUF reader refuses gives exit status 1 and its one-line error on stderr.
#include "cli/Cli.h"

#include "hearth/gguf.h"

#include <cstdio>
#include <map>

namespace hearth::cli {
namespace {

using gguf::GgufFile;

// 134515008 -> "134.5M"
std::string humanCount(uint64_t n)
{
  if (n < 1000)
    return std::to_string(n);
  const char *units[] = {"K", "M", "B", "T"};
  double v = static_cast<double>(n);
  int u = -1;
  while (v >= 1000 && u < 3) {
    v /= 1000;
    ++u;
  }
  return fmt::format("{:.1f}{}", v, units[u]);
}

// 98362432 -> "93.8 MiB"
std::string humanBytes(uint64_t n)
{
  const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} bytes", n) : fmt::format("{:.1f} {}", v, units[u]);
}

// llama.cpp's general.file_type values (on-disk enum).
std::string_view fileTypeName(uint32_t t)
{
  switch (t) {
  case 0: return "F32";
  case 1: return "F16";
  case 2: return "Q4_0";
  case 3: return "Q4_1";
  case 7: return "Q8_0";
  case 8: return "Q5_0";
  case 9: return "Q5_1";
  case 10: return "Q2_K";
  case 11: return "Q3_K_S";
  case 12: return "Q3_K_M";
  case 13: return "Q3_K_L";
  case 14: return "Q4_K_S";
  case 15: return "Q4_K_M";
  case 16: return "Q5_K_S";
  case 17: return "Q5_K_M";
  case 18: return "Q6_K";
  case 19: return "IQ2_XXS";
  case 20: return "IQ2_XS";
  case 21: return "Q2_K_S";
  case 22: return "IQ3_XS";
  case 23: return "IQ3_XXS";
  case 24: return "IQ1_S";
  case 25: return "IQ4_NL";
  case 26: return "IQ3_S";
  case 27: return "IQ3_M";
  case 28: return "IQ2_S";
  case 29: return "IQ2_M";
  case 30: return "IQ4_XS";
  case 31: return "IQ1_M";
  case 32: return "BF16";
  case 36: return "TQ1_0";
  case 37: return "TQ2_0";
  default: return "unknown";
  }
}

// A metadata value for display: integers, floats and strings as they are, arrays as
// "[N values]", absent keys as "-".
std::string show(const GgufFile &f, const std::string &key)
{
  const gguf::Value *v = f.find(key);
  if (!v)
    return "-";
  return std::visit(
      [](const auto &x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, gguf::ArrayValue>)
          return fmt::format("[{} values]", x.size());
        else if constexpr (std::is_same_v<T, std::string_view>)
          return std::string(x);
        else
          return fmt::format("{}", x);
      },
      v->data);
}

void line(std::string_view label, std::string_view value)
{
  std::printf("%-16s %.*s\n", (std::string(label) + ":").c_str(), static_cast<int>(value.size()), value.data());
}

void printFacts(const GgufFile &f)
{
  const std::string arch = std::string(f.getString("general.architecture").value_or("-"));
  uint64_t parameters = 0;
  std::map<std::string_view, size_t> types;
  for (const auto &t : f.tensors()) {
    parameters += t.elements;
    ++types[tensorTypeName(t.type)];
  }
  std::string typeList;
  for (const auto &[name, count] : types)
    typeList += fmt::format("{}{} x{}", typeList.empty() ? "" : ", ", name, count);

  std::string vocab = show(f, arch + ".vocab_size");
  if (auto tokens = f.getArray("tokenizer.ggml.tokens", gguf::ValueType::String))
    vocab = std::to_string((*tokens)->size());
  std::string heads = show(f, arch + ".attention.head_count");
  if (f.has(arch + ".attention.head_count_kv"))
    heads += fmt::format(" (key/value {})", show(f, arch + ".attention.head_count_kv"));
  std::string fileType = "-";
  if (auto ft = f.getU32("general.file_type"))
    fileType = fmt::format("{} ({})", fileTypeName(*ft), *ft);
  std::string chatTemplate = "absent";
  if (auto tmpl = f.getString("tokenizer.chat_template"))
    chatTemplate = fmt::format("present ({} bytes)", tmpl->size());

  line("file", f.path());
  line("file size", fmt::format("{} ({} bytes), GGUF v{}", humanBytes(f.fileSize()), f.fileSize(), f.version()));
  line("architecture", arch);
  line("name", show(f, "general.name"));
  line("parameters", fmt::format("{} ({})", humanCount(parameters), parameters));
  line("file type", fileType);
  line("tensor types", fmt::format("{} ({} tensors)", typeList.empty() ? "-" : typeList, f.tensors().size()));
  line("context length", show(f, arch + ".context_length"));
  line("embedding size", show(f, arch + ".embedding_length"));
  line("layers", show(f, arch + ".block_count"));
  line("heads", heads);
  line("vocabulary", vocab);
  line("chat template", chatTemplate);
}

void printTensors(const GgufFile &f)
{
  std::printf("\n%-40s %-8s %-24s %12s %12s\n", "name", "type", "dims", "file offset", "bytes");
  for (const auto &t : f.tensors()) {
    std::string dims;
    for (uint32_t d = 0; d < t.nDims; ++d)
      dims += fmt::format("{}{}", d ? " x " : "", t.dims[d]);
    std::printf("%-40.*s %-8s %-24s %12llu %12llu\n", static_cast<int>(t.name.size()), t.name.data(),
                std::string(tensorTypeName(t.type)).c_str(), dims.c_str(),
                static_cast<unsigned long long>(f.dataOffset() + t.offset),
                static_cast<unsigned long long>(t.bytes));
  }
}

} // namespace

int inspectCommand(Args args)
{
  std::string path;
  for (const auto &a : args)
    if (!a.starts_with("--")) {
      path = a;
      break;
    }
  if (path.empty()) {
    printError("usage: hearth inspect MODEL.gguf [--tensors]");
    return 2;
  }
  auto file = GgufFile::open(path);
  if (!file) {
    printError(file.error().message);
    return 1;
  }
  printFacts(*file);
  if (flag(args, "--tensors"))
    printTensors(*file);
  return 0;
}

} // namespace hearth::cli
