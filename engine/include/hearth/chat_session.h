// A chat session: a conversation turned into tokens, run through a Model, streamed back.
//
// The session renders the conversation with the model's chat template (falling back to
// ChatML), tokenizes it, and keeps the KV cache of what it has already evaluated: the next
// turn, an edited earlier message or a switched branch prefills only the tokens after the
// longest common prefix. When the conversation no longer fits the context it drops the
// oldest whole turns (never the system prompt) and says so in the stats; a reply that
// fills the context stops with StopReason::ContextFull instead of failing.
//
//   ChatSession session(*model, tokenizer, chatTemplate);
//   GenerateRequest req;
//   req.messages = {{"system", "Be brief."}, {"user", "Hi!"}};
//   auto stats = session.generate(req, {.onText = print}, cancelFlag);
//
// Text inside <think>...</think> goes to onReasoning, the rest to onText; stop strings
// are never shown, even when split across tokens.
#pragma once

#include "hearth/chat_template.h"
#include "hearth/error.h"
#include "hearth/model.h"
#include "hearth/sampler.h"
#include "hearth/tokenizer.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hearth::runtime {

// Stored in the conversation database as integers: never renumber.
enum class StopReason {
  EndOfText = 0,   // the model's EOS/EOT token
  StopString = 1,  // one of the request's stop strings
  MaxTokens = 2,
  ContextFull = 3,
  Cancelled = 4,
};
std::string_view stopReasonName(StopReason reason); // "eos", "stop", "length", "context", "cancelled"

struct GenerateRequest {
  std::vector<tmpl::ChatMessage> messages; // the whole conversation, system first if any
  SamplerSettings sampling;
  uint32_t maxTokens = 1024;
  std::vector<std::string> stopStrings;
  uint32_t prefillChunk = 256; // tokens per eval() call during prefill (bounds a submit)
};

struct GenerationStats {
  uint32_t promptTokens = 0;    // tokens of the rendered conversation
  uint32_t reusedTokens = 0;    // taken from the KV cache
  uint32_t prefilledTokens = 0; // evaluated for this turn before the first reply token
  uint32_t generatedTokens = 0;
  uint32_t droppedMessages = 0; // oldest messages left out to fit the context
  double timeToFirstTokenMs = 0;
  double prefillTokensPerSecond = 0;
  double generationTokensPerSecond = 0;
  double reasoningMs = 0;       // time spent inside <think>
  StopReason stopReason = StopReason::EndOfText;
};

struct StreamCallbacks {
  std::function<void(std::string_view)> onText;      // answer text, valid UTF-8
  std::function<void(std::string_view)> onReasoning; // text inside <think>...</think>
};

class ChatSession {
public:
  // `chatTemplate` nullopt: ChatML. The model must outlive the session.
  ChatSession(Model &model, tokenizer::Tokenizer tokenizer, std::optional<tmpl::ChatTemplate> chatTemplate);

  Result<GenerationStats> generate(const GenerateRequest &request, const StreamCallbacks &callbacks,
                                   const std::atomic<bool> &cancel);

  // The prompt tokens generate() would evaluate for `messages` (with the generation prompt).
  Result<std::vector<tokenizer::TokenId>> promptTokens(const std::vector<tmpl::ChatMessage> &messages) const;

  // Forget the KV cache (the next turn prefills everything).
  void reset();
  const std::vector<tokenizer::TokenId> &cachedTokens() const { return m_cached; }
  // Logits after the last evaluated token (valid until the next generate()).
  std::span<const float> lastLogits() const { return m_lastLogits; }

private:
  Result<std::string> render(const std::vector<tmpl::ChatMessage> &messages) const;
  Result<std::vector<tokenizer::TokenId>> fitToContext(const GenerateRequest &request, uint32_t *dropped) const;
  Status prefill(std::span<const tokenizer::TokenId> prompt, const GenerateRequest &request,
                 const std::atomic<bool> &cancel, GenerationStats &stats);

  Model &m_model;
  tokenizer::Tokenizer m_tokenizer;
  std::optional<tmpl::ChatTemplate> m_template;
  std::vector<std::string> m_controlSpellings; // control tokens' text, e.g. "<|im_end|>"
  std::vector<tokenizer::TokenId> m_cached; // what the model's KV cache holds
  std::span<const float> m_lastLogits;      // logits after m_cached
};

} // namespace hearth::runtime
