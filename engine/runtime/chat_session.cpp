#include "hearth/chat_session.h"

#include <algorithm>
#include <chrono>
#include <span>

namespace hearth::runtime {

using tokenizer::TokenId;
using Clock = std::chrono::steady_clock;

namespace {

double msSince(Clock::time_point t)
{
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Where each message's content sits in the rendered prompt, for the contents that spell
// a control token: those ranges are tokenized as plain text, so a user who types
// "<|im_end|>" cannot end their own turn. Contents the template changed are not found
// and simply not protected (their control-token spellings stay text only if absent).
std::vector<std::pair<size_t, size_t>> protectedRanges(const std::string &prompt,
                                                       const std::vector<tmpl::ChatMessage> &messages,
                                                       const std::vector<std::string> &controls)
{
  std::vector<std::pair<size_t, size_t>> ranges;
  size_t cursor = 0;
  for (const auto &m : messages) {
    const bool spellsControl = std::any_of(controls.begin(), controls.end(), [&](const std::string &c) {
      return m.content.find(c) != std::string::npos;
    });
    const size_t at = m.content.empty() ? std::string::npos : prompt.find(m.content, cursor);
    if (at == std::string::npos)
      continue;
    cursor = at + m.content.size();
    if (spellsControl)
      ranges.emplace_back(at, cursor);
  }
  return ranges;
}

} // namespace

std::string_view stopReasonName(StopReason reason)
{
  switch (reason) {
  case StopReason::EndOfText: return "eos";
  case StopReason::StopString: return "stop";
  case StopReason::MaxTokens: return "length";
  case StopReason::ContextFull: return "context";
  case StopReason::Cancelled: return "cancelled";
  }
  return "?";
}

ChatSession::ChatSession(Model &model, tokenizer::Tokenizer tokenizer,
                         std::optional<tmpl::ChatTemplate> chatTemplate)
    : m_model(model), m_tokenizer(std::move(tokenizer)), m_template(std::move(chatTemplate))
{
  for (size_t id = 0; id < m_tokenizer.size(); ++id)
    if (m_tokenizer.type(TokenId(id)) == tokenizer::TokenType::Control && !m_tokenizer.text(TokenId(id)).empty())
      m_controlSpellings.push_back(m_tokenizer.text(TokenId(id)));
}

void ChatSession::reset()
{
  m_cached.clear();
  m_lastLogits = {};
  (void)m_model.truncate(0);
}

Result<std::string> ChatSession::render(const std::vector<tmpl::ChatMessage> &messages) const
{
  tmpl::ChatInput input;
  input.messages = messages;
  input.addGenerationPrompt = true;
  if (auto bos = m_tokenizer.bos())
    input.bosToken = m_tokenizer.text(*bos);
  if (auto eos = m_tokenizer.eos())
    input.eosToken = m_tokenizer.text(*eos);
  if (m_template) {
    if (auto text = m_template->render(input))
      return text;
    // A template that fails on this conversation: ChatML keeps the chat usable.
  }
  return tmpl::renderChatML(input);
}

Result<std::vector<TokenId>> ChatSession::promptTokens(const std::vector<tmpl::ChatMessage> &messages) const
{
  auto prompt = render(messages);
  if (!prompt)
    return std::unexpected(prompt.error());
  const std::string &text = *prompt;

  std::vector<TokenId> tokens;
  if (m_tokenizer.addBos() && m_tokenizer.bos()) {
    const std::string &bos = m_tokenizer.text(*m_tokenizer.bos());
    if (bos.empty() || !text.starts_with(bos))
      tokens.push_back(*m_tokenizer.bos());
  }
  auto append = [&](std::string_view part, bool special) {
    const auto ids = m_tokenizer.encode(part, {.addSpecial = false, .parseSpecial = special});
    tokens.insert(tokens.end(), ids.begin(), ids.end());
  };
  size_t cursor = 0;
  for (const auto &[from, to] : protectedRanges(text, messages, m_controlSpellings)) {
    append(std::string_view(text).substr(cursor, from - cursor), true);
    append(std::string_view(text).substr(from, to - from), false);
    cursor = to;
  }
  append(std::string_view(text).substr(cursor), true);
  return tokens;
}

Result<std::vector<TokenId>> ChatSession::fitToContext(const GenerateRequest &request, uint32_t *dropped) const
{
  const uint32_t context = m_model.contextLength();
  // Leave room for the reply: its max length, but at most a quarter of the context.
  const uint32_t budget = context - std::min(request.maxTokens, context / 4);
  std::vector<tmpl::ChatMessage> messages = request.messages;
  *dropped = 0;
  for (;;) {
    auto tokens = promptTokens(messages);
    if (!tokens || tokens->size() <= budget)
      return tokens;
    // Drop the oldest whole turn after the system prompt, never the latest message.
    const size_t first = (!messages.empty() && messages.front().role == "system") ? 1 : 0;
    if (messages.size() <= first + 1)
      return fail(ErrorCode::InvalidArgument,
                  "[session] the message is {} tokens long; the context holds {} (with {} kept for the reply)",
                  tokens->size(), context, context - budget);
    size_t n = 1;
    while (first + n < messages.size() - 1 && messages[first + n].role != "user")
      ++n; // the user message and the replies that answered it
    messages.erase(messages.begin() + long(first), messages.begin() + long(first + n));
    *dropped += uint32_t(n);
  }
}

Status ChatSession::prefill(std::span<const TokenId> prompt, const GenerateRequest &request,
                            const std::atomic<bool> &cancel, GenerationStats &stats)
{
  size_t common = 0;
  while (common < prompt.size() && common < m_cached.size() && prompt[common] == m_cached[common])
    ++common;
  if (common == prompt.size() && common > 0)
    --common; // re-evaluate the last token: its logits are what the reply starts from
  if (common < m_cached.size() || m_model.kvLength() != m_cached.size()) {
    if (auto s = m_model.truncate(uint32_t(common)); !s)
      return s;
    m_cached.resize(common);
  }
  stats.reusedTokens = uint32_t(common);

  const uint32_t chunk = std::max<uint32_t>(1, request.prefillChunk);
  for (size_t at = common; at < prompt.size(); at += chunk) {
    if (cancel.load(std::memory_order_relaxed))
      return {};
    const auto part = prompt.subspan(at, std::min<size_t>(chunk, prompt.size() - at));
    auto logits = m_model.eval(part, uint32_t(at));
    if (!logits) {
      m_cached.resize(std::min<size_t>(m_cached.size(), m_model.kvLength()));
      return std::unexpected(logits.error());
    }
    m_lastLogits = *logits;
    m_cached.insert(m_cached.end(), part.begin(), part.end());
    stats.prefilledTokens += uint32_t(part.size());
  }
  return {};
}

} // namespace hearth::runtime

namespace hearth::runtime {
namespace {

// True when the rendered prompt leaves the reply inside an opened <think> block.
bool promptOpensReasoning(std::string_view prompt)
{
  while (!prompt.empty() && (prompt.back() == '\n' || prompt.back() == ' '))
    prompt.remove_suffix(1);
  return prompt.ends_with("<think>");
}

} // namespace

Result<GenerationStats> ChatSession::generate(const GenerateRequest &request, const StreamCallbacks &callbacks,
                                              const std::atomic<bool> &cancel)
{
  const auto start = Clock::now();
  GenerationStats stats;
  auto prompt = fitToContext(request, &stats.droppedMessages);
  if (!prompt)
    return std::unexpected(prompt.error());
  stats.promptTokens = uint32_t(prompt->size());
  if (prompt->empty())
    return fail(ErrorCode::InvalidArgument, "[session] the conversation renders to no tokens");

  if (auto s = prefill(*prompt, request, cancel, stats); !s)
    return std::unexpected(s.error());
  const double prefillMs = msSince(start);
  stats.prefillTokensPerSecond = stats.prefilledTokens ? stats.prefilledTokens * 1000.0 / std::max(prefillMs, 1e-3) : 0;
  if (cancel.load()) {
    stats.stopReason = StopReason::Cancelled;
    return stats;
  }

  Sampler sampler(request.sampling);
  sampler.reset(*prompt);
  StopMatcher stops(request.stopStrings);
  // The prompt's last tokens tell whether the template opened a <think> block for the reply.
  const std::span<const TokenId> promptEnd = std::span(*prompt).last(std::min<size_t>(prompt->size(), 8));
  tokenizer::DecodeOptions asText;
  asText.renderSpecial = true;
  ReasoningSplitter splitter("<think>", "</think>", promptOpensReasoning(m_tokenizer.decode(promptEnd, asText)));
  tokenizer::StreamDecoder decoder(m_tokenizer);
  Clock::time_point firstToken{};
  Clock::time_point reasoningStart = start;

  auto emit = [&](const ReasoningSplitter::Pieces &p) {
    if (!p.reasoning.empty() && callbacks.onReasoning)
      callbacks.onReasoning(p.reasoning);
    if (!p.answer.empty() && callbacks.onText)
      callbacks.onText(p.answer);
  };
  auto show = [&](std::string_view text) {
    const bool before = splitter.inReasoning();
    emit(splitter.push(text));
    if (!before && splitter.inReasoning())
      reasoningStart = Clock::now();
    if (before && !splitter.inReasoning())
      stats.reasoningMs += msSince(reasoningStart);
  };

  stats.stopReason = StopReason::MaxTokens;
  for (uint32_t i = 0; i < request.maxTokens; ++i) {
    if (cancel.load(std::memory_order_relaxed)) {
      stats.stopReason = StopReason::Cancelled;
      break;
    }
    const TokenId token = sampler.sample(m_lastLogits);
    if (i == 0) {
      firstToken = Clock::now();
      reasoningStart = firstToken;
    }
    if (m_tokenizer.isEndOfGeneration(token)) {
      stats.stopReason = StopReason::EndOfText;
      break;
    }
    ++stats.generatedTokens;
    show(stops.push(decoder.push(token)));
    if (stops.stopped()) {
      stats.stopReason = StopReason::StopString;
      break;
    }
    if (m_model.kvLength() >= m_model.contextLength()) {
      stats.stopReason = StopReason::ContextFull;
      break;
    }
    auto logits = m_model.eval(std::span(&token, 1), uint32_t(m_cached.size()));
    if (!logits)
      return std::unexpected(logits.error());
    m_lastLogits = *logits;
    m_cached.push_back(token);
  }
  if (!stops.stopped())
    show(stops.push(decoder.flush()) + stops.flush());
  if (splitter.inReasoning()) // a reply whose reasoning never closed
    stats.reasoningMs += msSince(reasoningStart);
  emit(splitter.flush());

  stats.timeToFirstTokenMs = firstToken == Clock::time_point{} ? msSince(start)
                                                               : std::chrono::duration<double, std::milli>(firstToken - start).count();
  const double genMs = firstToken == Clock::time_point{} ? 0 : msSince(firstToken);
  stats.generationTokensPerSecond = genMs > 0 ? stats.generatedTokens * 1000.0 / genMs : 0;
  return stats;
}

} // namespace hearth::runtime
