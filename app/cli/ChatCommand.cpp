// hearth chat --model M [--system S] [--message TEXT] [--temperature T] [--seed S]
//             [--max-tokens N] [--ctx N] [--backend auto|vulkan|cpu]
//
// With --message: one turn, the reply on stdout. Without: an interactive terminal chat
// that keeps the history for the session; Ctrl+C stops a reply, Ctrl+D quits.
#include "cli/Cli.h"

#include "hearth/backend.h"
#include "hearth/chat_session.h"
#include "hearth/gguf.h"
#include "hearth/model.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <unistd.h>

namespace hearth::cli {
namespace {

std::atomic<bool> g_cancel{false};

extern "C" void onInterrupt(int)
{
  g_cancel.store(true);
}

struct Loaded {
  std::unique_ptr<Model> model;
  std::optional<runtime::ChatSession> session;
};

Result<Loaded> loadChat(const std::string &path, Args args)
{
  auto file = gguf::GgufFile::open(path);
  if (!file)
    return std::unexpected(file.error());
  auto tok = tokenizer::Tokenizer::fromGguf(*file);
  if (!tok)
    return std::unexpected(tok.error());
  std::optional<tmpl::ChatTemplate> chatTemplate;
  if (auto source = file->getString("tokenizer.chat_template"))
    if (auto parsed = tmpl::ChatTemplate::parse(*source, path))
      chatTemplate = std::move(*parsed);

  LoadOptions options;
  const std::string backend = option(args, "--backend").value_or("auto");
  options.backend = parseBackendName(backend).value_or(BackendKind::Auto);
  options.contextLength = uint32_t(std::stoul(option(args, "--ctx").value_or("4096")));
  auto model = loadModel(path, options);
  if (!model)
    return std::unexpected(model.error());
  Loaded loaded{std::move(*model), std::nullopt};
  loaded.session.emplace(*loaded.model, std::move(*tok), std::move(chatTemplate));
  return loaded;
}

runtime::GenerateRequest requestFrom(Args args)
{
  runtime::GenerateRequest r;
  r.sampling.temperature = std::stof(option(args, "--temperature").value_or("0.7"));
  r.sampling.seed = option(args, "--seed") ? std::stoull(*option(args, "--seed")) : std::random_device{}();
  r.maxTokens = uint32_t(std::stoul(option(args, "--max-tokens").value_or("512")));
  return r;
}

// One reply: streams text to stdout, reasoning dimmed on a terminal.
bool reply(runtime::ChatSession &session, runtime::GenerateRequest &request, std::string *answer)
{
  const bool tty = isatty(STDOUT_FILENO);
  runtime::StreamCallbacks callbacks;
  callbacks.onText = [&](std::string_view text) {
    answer->append(text);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  };
  callbacks.onReasoning = [&](std::string_view text) {
    if (tty)
      std::fputs("\x1b[2m", stdout);
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (tty)
      std::fputs("\x1b[0m", stdout);
    std::fflush(stdout);
  };
  g_cancel.store(false);
  auto stats = session.generate(request, callbacks, g_cancel);
  std::fputc('\n', stdout);
  if (!stats) {
    printError(stats.error().message);
    return false;
  }
  std::fprintf(stderr, "[%u prompt tokens (%u reused), %u generated, %.1f tok/s, stop: %s%s]\n", stats->promptTokens,
               stats->reusedTokens, stats->generatedTokens, stats->generationTokensPerSecond,
               std::string(runtime::stopReasonName(stats->stopReason)).c_str(),
               stats->droppedMessages ? ", oldest turns dropped to fit the context" : "");
  return true;
}

} // namespace

int chatCommand(Args args)
{
  const auto path = option(args, "--model");
  if (!path) {
    printError("usage: hearth chat --model M [--system S] [--message TEXT] [--temperature T] [--seed S] "
               "[--max-tokens N] [--ctx N] [--backend auto|vulkan|cpu]");
    return 2;
  }
  auto loaded = loadChat(*path, args);
  if (!loaded) {
    printError(loaded.error().message);
    return 1;
  }
  runtime::GenerateRequest request = requestFrom(args);
  if (auto system = option(args, "--system"))
    request.messages.push_back({"system", *system, std::nullopt});

  if (auto message = option(args, "--message")) {
    request.messages.push_back({"user", *message, std::nullopt});
    std::string answer;
    return reply(*loaded->session, request, &answer) ? 0 : 1;
  }

  std::signal(SIGINT, onInterrupt);
  std::string line;
  for (;;) {
    std::fputs("> ", stdout);
    std::fflush(stdout);
    g_cancel.store(false);
    if (!std::getline(std::cin, line)) {
      if (g_cancel.load() && !std::cin.eof()) { // Ctrl+C at the prompt: a fresh line
        std::cin.clear();
        std::fputc('\n', stdout);
        continue;
      }
      std::fputc('\n', stdout);
      return 0; // Ctrl+D
    }
    if (line.empty())
      continue;
    request.messages.push_back({"user", line, std::nullopt});
    std::string answer;
    if (!reply(*loaded->session, request, &answer))
      return 1;
    request.messages.push_back({"assistant", answer, std::nullopt});
  }
}

} // namespace hearth::cli
