#include "cli/Cli.h"

#include <cstdio>
#include <vector>

namespace hearth::cli {
namespace {

struct Command {
  std::string_view name;
  int (*fn)(Args);
  std::string_view summary;
};

constexpr Command k_commands[] = {
    {"chat", chatCommand,
     "chat --model M [--system S] [--message TEXT]: one turn, or an interactive chat (Ctrl+C stops, Ctrl+D quits)"},
    {"bench", benchCommand, "bench --model M [-p 512] [-n 128] [--reps 3] [--json]: prompt and generation tokens/s"},
    {"conversations", conversationsCommand, "conversations list [--json] [--limit N]: saved conversations, pinned first"},
    {"search", searchCommand, "search QUERY [--json] [--limit N]: full-text search (words, \"phrases\", prefix*)"},
    {"export", exportCommand,
     "export (--conversation ID | --all) --format md|json|html|txt|pdf --output PATH"},
    {"import", importCommand, "import PATH: a Hearth JSON export or ChatGPT conversations.json"},
    {"bench-store", benchStoreCommand,
     "bench-store [--conversations 1000] [--messages 100000]: conversation database timings"},
    {"inspect", inspectCommand, "inspect MODEL.gguf [--tensors]: facts about a model file"},
    {"models", modelsCommand,
     "models list | search QUERY | pull REPO FILE | pull CATALOG_ID | import PATH [--move|--link] | rm NAME: "
     "installed models, Hugging Face search, verified resumable downloads"},
    {"generate", generateCommand,
     "generate --model M --prompt TEXT [--max-tokens N --temperature T --seed S --device D]: complete a prompt"},
    {"devices", devicesCommand, "devices (or --device): the Vulkan devices and the one Hearth uses"},
    {"tokenize", tokenizeCommand,
     "tokenize --model MODEL.gguf [--special] [--add-special] [--pieces] TEXT|-: token ids of TEXT"},
};

void printUsage()
{
  std::fputs("usage: hearth [SUBCOMMAND ARGS...]\n"
             "Without a subcommand, opens the chat window.\n\nSubcommands:\n",
             stdout);
  for (const auto &c : k_commands)
    std::printf("  %.*s\n", static_cast<int>(c.summary.size()), c.summary.data());
}

} // namespace

std::optional<int> run(int argc, char *argv[])
{
  if (argc < 2)
    return std::nullopt;
  const std::string_view name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") {
    printUsage();
    return 0;
  }
  if (name == "--device" || name == "--devices")
    return devicesCommand({});
  if (name.starts_with("-"))
    return std::nullopt; // Qt options such as -platform go to the window
  const std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto &c : k_commands)
    if (c.name == name)
      return c.fn(args);
  printError("unknown subcommand '" + std::string(name) + "' (try 'hearth help')");
  return 2;
}

void printError(std::string_view message)
{
  std::fprintf(stderr, "hearth: %.*s\n", static_cast<int>(message.size()), message.data());
}

std::optional<std::string> option(Args args, std::string_view name)
{
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (a == name && i + 1 < args.size())
      return args[i + 1];
    if (a.size() > name.size() && a.starts_with(name) && a[name.size()] == '=')
      return a.substr(name.size() + 1);
  }
  return std::nullopt;
}

bool flag(Args args, std::string_view name)
{
  for (const auto &a : args)
    if (a == name)
      return true;
  return false;
}

} // namespace hearth::cli
