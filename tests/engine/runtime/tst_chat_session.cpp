// ChatSession on small synthetic models: KV-cache reuse gives the same logits as a fresh
// prefill and prefills only the new tokens, a seed makes replies reproducible, cancel
// stops within one token, and a conversation larger than the context drops whole turns.
#include "hearth/chat_session.h"
#include "hearth/gguf.h"
#include "models/synthetic.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

using namespace hearth;
using namespace hearth::runtime;

namespace {

std::filesystem::path modelPath()
{
  static const std::filesystem::path path = [] {
    const char *dir = std::getenv("HEARTH_DATA_DIR");
    std::filesystem::path p = std::filesystem::path(dir ? dir : "/tmp") / "session-tiny.gguf";
    std::filesystem::create_directories(p.parent_path());
    models::SyntheticSpec spec;
    spec.nLayer = 2;
    spec.nEmbd = 128;
    spec.nHead = 4;
    spec.nHeadKv = 2;
    spec.nFf = 256;
    spec.nVocab = 512;
    spec.seed = 7;
    auto s = models::writeSyntheticModel(p, spec);
    EXPECT_TRUE(s.has_value()) << s.error().message;
    return p;
  }();
  return path;
}

struct Loaded {
  std::unique_ptr<Model> model;
  std::unique_ptr<ChatSession> session;
};

Loaded load(BackendKind backend, uint32_t context = 512)
{
  auto file = gguf::GgufFile::open(modelPath());
  EXPECT_TRUE(file.has_value());
  auto tok = tokenizer::Tokenizer::fromGguf(*file);
  EXPECT_TRUE(tok.has_value()) << tok.error().message;
  LoadOptions options;
  options.backend = backend;
  options.contextLength = context;
  auto model = loadModel(modelPath(), options);
  EXPECT_TRUE(model.has_value()) << model.error().message;
  Loaded l{std::move(*model), nullptr};
  l.session = std::make_unique<ChatSession>(*l.model, std::move(*tok), std::nullopt);
  return l;
}

GenerateRequest request(std::vector<tmpl::ChatMessage> messages, float temperature, uint64_t seed, uint32_t maxTokens)
{
  GenerateRequest r;
  r.messages = std::move(messages);
  r.sampling.temperature = temperature;
  r.sampling.seed = seed;
  r.maxTokens = maxTokens;
  r.prefillChunk = 32;
  return r;
}

struct Reply {
  std::string text;
  GenerationStats stats;
};

Reply run(ChatSession &session, const GenerateRequest &r)
{
  Reply out;
  std::atomic<bool> cancel{false};
  StreamCallbacks cb;
  cb.onText = [&](std::string_view t) { out.text += t; };
  cb.onReasoning = [&](std::string_view t) { out.text += t; };
  auto stats = session.generate(r, cb, cancel);
  EXPECT_TRUE(stats.has_value()) << stats.error().message;
  if (stats)
    out.stats = *stats;
  return out;
}

double nmse(std::span<const float> ref, std::span<const float> got)
{
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    num += (double(ref[i]) - got[i]) * (double(ref[i]) - got[i]);
    den += double(ref[i]) * ref[i];
  }
  return den > 0 ? num / den : num;
}

class ChatSessionTest : public ::testing::TestWithParam<BackendKind> {};

TEST_P(ChatSessionTest, SecondTurnPrefillsOnlyNewTokensAndMatchesFreshPrefill)
{
  Loaded a = load(GetParam());
  std::vector<tmpl::ChatMessage> messages{{"system", "You are terse.", {}}, {"user", "Name three rivers.", {}}};
  const Reply first = run(*a.session, request(messages, 0.0f, 1, 6));
  EXPECT_EQ(first.stats.reusedTokens, 0u);
  EXPECT_EQ(first.stats.prefilledTokens, first.stats.promptTokens);

  messages.push_back({"assistant", first.text, {}});
  messages.push_back({"user", "And three mountains?", {}});
  auto prompt2 = a.session->promptTokens(messages);
  ASSERT_TRUE(prompt2.has_value());
  const std::vector<int32_t> cached = a.session->cachedTokens();
  size_t common = 0;
  while (common < cached.size() && common < prompt2->size() && cached[common] == (*prompt2)[common])
    ++common;

  // maxTokens 0: the turn stops after its prefill, so lastLogits() are the prompt's.
  const Reply second = run(*a.session, request(messages, 0.0f, 1, 0));
  EXPECT_EQ(second.stats.promptTokens, prompt2->size());
  EXPECT_EQ(second.stats.reusedTokens, common);
  EXPECT_GE(second.stats.reusedTokens, first.stats.promptTokens) << "the whole first prompt is reused";
  EXPECT_EQ(second.stats.prefilledTokens, second.stats.promptTokens - second.stats.reusedTokens)
      << "only the new tokens are prefilled";

  // The logits the reply starts from equal a fresh model's after a full prefill.
  const std::vector<float> reused(a.session->lastLogits().begin(), a.session->lastLogits().end());
  Loaded b = load(GetParam());
  auto fresh = b.model->eval(*prompt2, 0);
  ASSERT_TRUE(fresh.has_value()) << fresh.error().message;
  ASSERT_EQ(fresh->size(), reused.size());
  const double e = nmse(*fresh, reused);
  std::printf("KV reuse vs fresh prefill: NMSE %.3g over %zu logits\n", e, reused.size());
  EXPECT_LE(e, 1e-6);
}

TEST_P(ChatSessionTest, SameSeedSameReplyAndOtherSeedsDiffer)
{
  const std::vector<tmpl::ChatMessage> messages{{"user", "Tell me a story.", {}}};
  Loaded a = load(GetParam());
  Loaded b = load(GetParam());
  const Reply r1 = run(*a.session, request(messages, 1.0f, 1234, 24));
  const Reply r2 = run(*b.session, request(messages, 1.0f, 1234, 24));
  EXPECT_EQ(r1.text, r2.text);
  EXPECT_EQ(r1.stats.generatedTokens, r2.stats.generatedTokens);
  int differing = 0;
  for (uint64_t seed : {1ull, 2ull, 3ull})
    differing += run(*a.session, request(messages, 1.0f, seed, 24)).text != r1.text;
  EXPECT_GE(differing, 2) << "other seeds give other replies";
}

TEST_P(ChatSessionTest, CancelStopsWithinOneToken)
{
  Loaded a = load(GetParam());
  std::atomic<bool> cancel{false};
  int piecesAfterCancel = 0;
  uint32_t piecesAtCancel = 0;
  StreamCallbacks cb;
  uint32_t pieces = 0;
  cb.onText = cb.onReasoning = [&](std::string_view) {
    if (cancel.load())
      ++piecesAfterCancel;
    if (++pieces == 3) {
      cancel.store(true);
      piecesAtCancel = pieces;
    }
  };
  auto stats = a.session->generate(request({{"user", "Count to a hundred.", {}}}, 1.0f, 5, 200), cb, cancel);
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->stopReason, StopReason::Cancelled);
  EXPECT_EQ(piecesAtCancel, 3u);
  EXPECT_EQ(piecesAfterCancel, 0);
  EXPECT_LT(stats->generatedTokens, 200u);
  // The tokens generated are those whose text was shown (plus at most one held back).
  EXPECT_LE(stats->generatedTokens, pieces + 1);
}

TEST_P(ChatSessionTest, LongConversationDropsOldestTurnsAndKeepsSystemPrompt)
{
  Loaded a = load(GetParam(), 160);
  std::vector<tmpl::ChatMessage> messages{{"system", "SYSTEM-PROMPT-KEPT", {}}};
  for (int i = 0; i < 12; ++i) {
    messages.push_back({"user", "Question number " + std::to_string(i) + " about rivers?", {}});
    messages.push_back({"assistant", "Answer number " + std::to_string(i) + " about rivers.", {}});
  }
  messages.push_back({"user", "LATEST-QUESTION", {}});
  const Reply r = run(*a.session, request(messages, 0.0f, 1, 8));
  EXPECT_GT(r.stats.droppedMessages, 0u);
  EXPECT_EQ(r.stats.droppedMessages % 2, 0u) << "whole turns are dropped";
  EXPECT_LE(r.stats.promptTokens, 160u - 8u);
  // What was evaluated starts with the system prompt and ends with the latest question.
  std::vector<tmpl::ChatMessage> kept{messages.front()};
  kept.insert(kept.end(), messages.end() - long(messages.size() - 1 - r.stats.droppedMessages), messages.end());
  auto expected = a.session->promptTokens(kept);
  ASSERT_TRUE(expected.has_value());
  EXPECT_EQ(expected->size(), r.stats.promptTokens);
}

TEST_P(ChatSessionTest, ReplyThatFillsTheContextStopsCleanly)
{
  Loaded a = load(GetParam(), 96);
  const Reply r = run(*a.session, request({{"user", "Write forever.", {}}}, 1.0f, 9, 1000));
  EXPECT_EQ(r.stats.stopReason == StopReason::ContextFull || r.stats.stopReason == StopReason::EndOfText, true);
  EXPECT_LE(r.stats.promptTokens + r.stats.generatedTokens, 96u + 1u);
}

TEST_P(ChatSessionTest, MessageLongerThanTheContextIsAClearError)
{
  Loaded a = load(GetParam(), 64);
  std::atomic<bool> cancel{false};
  auto stats = a.session->generate(request({{"user", std::string(2000, 'x'), {}}}, 0.0f, 1, 8), {}, cancel);
  ASSERT_FALSE(stats.has_value());
  EXPECT_NE(stats.error().message.find("context"), std::string::npos) << stats.error().message;
}

INSTANTIATE_TEST_SUITE_P(Backends, ChatSessionTest, ::testing::Values(BackendKind::Reference, BackendKind::Vulkan),
                         [](const auto &info) { return info.param == BackendKind::Vulkan ? "Vulkan" : "Reference"; });

} // namespace

namespace {

// The same on the real demo model (SmolLM2-135M-Instruct, its own chat template) on
// Vulkan: turn two prefills only the new tokens and starts from the same logits as a
// fresh full prefill.
TEST(ChatSessionDemoModel, SecondTurnReusesTheCacheOnTheRealModel)
{
  const char *path = std::getenv("HEARTH_DEMO_MODEL");
  ASSERT_TRUE(path && std::filesystem::exists(path)) << "demo model missing (packaging/fetch-demo-model.sh)";
  auto file = gguf::GgufFile::open(path);
  ASSERT_TRUE(file.has_value());
  auto tok = tokenizer::Tokenizer::fromGguf(*file);
  ASSERT_TRUE(tok.has_value());
  auto source = file->getString("tokenizer.chat_template");
  ASSERT_TRUE(source.has_value());
  auto chatTemplate = tmpl::ChatTemplate::parse(*source);
  ASSERT_TRUE(chatTemplate.has_value());
  LoadOptions options;
  options.backend = BackendKind::Vulkan;
  options.contextLength = 256;
  auto model = loadModel(path, options);
  ASSERT_TRUE(model.has_value()) << model.error().message;
  ChatSession session(**model, *tok, *chatTemplate);

  std::vector<tmpl::ChatMessage> messages{{"user", "What is the capital of France?", {}}};
  const Reply first = run(session, request(messages, 0.0f, 1, 6));
  EXPECT_GT(first.stats.generatedTokens, 0u);
  messages.push_back({"assistant", first.text, {}});
  messages.push_back({"user", "And of Italy?", {}});
  const Reply second = run(session, request(messages, 0.0f, 1, 0));
  std::printf("demo model turn two: %u prompt tokens, %u reused, %u prefilled\n", second.stats.promptTokens,
              second.stats.reusedTokens, second.stats.prefilledTokens);
  EXPECT_GE(second.stats.reusedTokens, first.stats.promptTokens);
  EXPECT_EQ(second.stats.prefilledTokens, second.stats.promptTokens - second.stats.reusedTokens);

  auto prompt = session.promptTokens(messages);
  ASSERT_TRUE(prompt.has_value());
  const std::vector<float> reused(session.lastLogits().begin(), session.lastLogits().end());
  ASSERT_TRUE((*model)->truncate(0));
  auto fresh = (*model)->eval(*prompt, 0);
  ASSERT_TRUE(fresh.has_value()) << fresh.error().message;
  const double e = nmse(*fresh, reused);
  std::printf("demo model KV reuse vs fresh prefill: NMSE %.3g\n", e);
  EXPECT_LE(e, 1e-6);
}

} // namespace

namespace {

// A template whose generation prompt opens <think> (as DeepSeek-R1's does): the reply
// streams as reasoning, and ends cleanly without a closing tag.
TEST(ChatSessionReasoning, PromptThatOpensThinkStreamsReasoning)
{
  auto file = gguf::GgufFile::open(modelPath());
  ASSERT_TRUE(file.has_value());
  auto tok = tokenizer::Tokenizer::fromGguf(*file);
  ASSERT_TRUE(tok.has_value());
  LoadOptions options;
  options.backend = BackendKind::Reference;
  options.contextLength = 256;
  auto model = loadModel(modelPath(), options);
  ASSERT_TRUE(model.has_value());
  for (bool opens : {true, false}) {
    auto chatTemplate = tmpl::ChatTemplate::parse(std::string("{% for m in messages %}{{ m.content }}\n{% endfor %}") +
                                                  (opens ? "<think>\n" : "Answer:"));
    ASSERT_TRUE(chatTemplate.has_value());
    ChatSession session(**model, *tok, *chatTemplate);
    std::string reasoning, answer;
    StreamCallbacks cb;
    cb.onText = [&](std::string_view t) { answer += t; };
    cb.onReasoning = [&](std::string_view t) { reasoning += t; };
    std::atomic<bool> cancel{false};
    auto stats = session.generate(request({{"user", "Think first.", {}}}, 1.0f, 3, 12), cb, cancel);
    ASSERT_TRUE(stats.has_value()) << stats.error().message;
    EXPECT_GT(stats->generatedTokens, 0u);
    if (opens) {
      EXPECT_FALSE(reasoning.empty());
      EXPECT_TRUE(answer.empty()) << answer;
      EXPECT_GT(stats->reasoningMs, 0.0);
    } else {
      EXPECT_TRUE(reasoning.empty()) << reasoning;
      EXPECT_FALSE(answer.empty());
    }
  }
}

} // namespace
