// hearth tokenize --model MODEL.gguf [--special] [--add-special] [--pieces] TEXT|-
//   prints the token ids of TEXT as one JSON array, or with --pieces one line per token,
//   "    ID -> 'PIECE'", as llama.cpp's llama-tokenize does. "-" reads TEXT from stdin.
//   --special parses control-token spellings (<|im_end|>) in TEXT; --add-special adds the
//   BOS/EOS tokens the model asks for.
#include "cli/Cli.h"

#include "hearth/gguf.h"
#include "hearth/tokenizer.h"

#include <cstdio>
#include <iostream>
#include <iterator>
#include <vector>

namespace hearth::cli {
namespace {

constexpr std::string_view k_usage =
    "usage: hearth tokenize --model MODEL.gguf [--special] [--add-special] [--pieces] TEXT|-";

// The one argument that is neither an option, an option's value nor a flag.
std::optional<std::string> positional(Args args, std::string &error)
{
  std::optional<std::string> text;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (a == "--model") {
      ++i;
      continue;
    }
    if (a.starts_with("--model=") || a == "--special" || a == "--add-special" || a == "--pieces")
      continue;
    if (a.starts_with("--")) {
      error = "tokenize: unknown option '" + a + "'";
      return std::nullopt;
    }
    if (text) {
      error = "tokenize: more than one TEXT (quote it)";
      return std::nullopt;
    }
    text = a;
  }
  if (!text)
    error = std::string(k_usage);
  return text;
}

// Length of the valid UTF-8 character at piece[i] (RFC 3629), or 0.
size_t characterAt(std::string_view piece, size_t i)
{
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(piece[i + k]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80)
    return 1;
  const size_t len = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
  if (len == 0 || i + len > piece.size())
    return 0;
  for (size_t k = 1; k < len; ++k)
    if ((byte(k) & 0xC0) != 0x80)
      return 0;
  const unsigned char second = byte(1);
  if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) || (lead == 0xF0 && second < 0x90) ||
      (lead == 0xF4 && second > 0x8F))
    return 0; // overlong, surrogate or past U+10FFFF
  return len;
}

// The piece as printable text: valid UTF-8 as is, any other byte as \xNN.
std::string printable(std::string_view piece)
{
  std::string out;
  for (size_t i = 0; i < piece.size();) {
    if (const size_t len = characterAt(piece, i)) {
      out += piece.substr(i, len);
      i += len;
    } else {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(piece[i]));
      ++i;
    }
  }
  return out;
}

} // namespace

int tokenizeCommand(Args args)
{
  const auto model = option(args, "--model");
  std::string error;
  const auto text = positional(args, error);
  if (!model || !text) {
    printError(model ? error : std::string(k_usage));
    return 2;
  }
  std::string input = *text;
  if (input == "-")
    input.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());

  auto file = gguf::GgufFile::open(*model);
  if (!file) {
    printError(file.error().message);
    return 1;
  }
  auto tok = tokenizer::Tokenizer::fromGguf(*file);
  if (!tok) {
    printError(tok.error().message);
    return 1;
  }
  const auto ids = tok->encode(input, {.addSpecial = flag(args, "--add-special"), .parseSpecial = flag(args, "--special")});
  if (flag(args, "--pieces")) {
    for (auto id : ids)
      std::printf("%6d -> '%s'\n", id, printable(tok->piece(id, true)).c_str());
  } else {
    std::printf("[%s]\n", fmt::format("{}", fmt::join(ids, ", ")).c_str());
  }
  return 0;
}

} // namespace hearth::cli
