// Chat templates: turning a conversation into the exact prompt text a model was
// trained on.
//
// A GGUF file carries its model's prompt format as a Jinja template
// (`tokenizer.chat_template`). Hearth renders it with a small sandboxed Jinja
// interpreter that behaves like Hugging Face transformers' apply_chat_template
// (Jinja2 with trim_blocks and lstrip_blocks, `raise_exception`, `strftime_now`,
// loop controls, a tojson that does not HTML-escape), covering the subset real
// chat templates use. The interpreter has no access to anything but the values
// passed in, and every render runs under budgets (recursion depth, steps, output
// and string bytes, wall time), so a hostile template fails with an
// ErrorCode::Budget error instead of hanging or exhausting memory.
//
//   auto tmpl = hearth::tmpl::ChatTemplate::parse(gguf.chatTemplate());
//   hearth::tmpl::ChatInput in;
//   in.messages = {{"system", "Be brief."}, {"user", "Hi!"}};
//   in.bosToken = "<|begin_of_text|>";
//   auto prompt = tmpl ? tmpl->render(in) : hearth::tmpl::renderChatML(in);
//
// Errors: a template that does not parse, or uses a construct Hearth does not
// support, fails in parse() (ErrorCode::Format or ErrorCode::Unsupported, with
// line and column); a template that rejects the conversation through
// raise_exception() fails in render() with ErrorCode::InvalidArgument; a type
// error at run time is ErrorCode::Format. In every case the caller may fall back
// to renderChatML().
#pragma once

#include "hearth/error.h"
#include "hearth/template_value.h"

#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hearth::tmpl {

struct ChatMessage {
  ChatMessage() = default;
  // {"user", "Hi!"}: a constructor rather than an aggregate, so short brace
  // initializers stay free of -Wmissing-field-initializers.
  ChatMessage(std::string role_, std::string content_, std::optional<std::string> reasoning = std::nullopt,
              Value::Object fields_ = {})
      : role(std::move(role_)), content(std::move(content_)), reasoningContent(std::move(reasoning)),
        fields(std::move(fields_))
  {
  }

  std::string role;    // "system", "user", "assistant", "tool", ...
  std::string content;
  // Passed to the template as message.reasoning_content only when set.
  std::optional<std::string> reasoningContent;
  // More fields of the message as the template sees it (tool_calls, tool_call_id,
  // name, ...); one named role or content replaces the value above.
  Value::Object fields;
};

struct ChatInput {
  std::vector<ChatMessage> messages;
  std::optional<std::string> bosToken; // undefined in the template when unset
  std::optional<std::string> eosToken;
  bool addGenerationPrompt = true;
  // More template variables (tools, date_string, enable_thinking, ...); they
  // override the ones above. `tools` and `documents` are none unless given here.
  std::vector<std::pair<std::string, Value>> variables;
  // The local date and time strftime_now() reports; the current time when unset.
  std::optional<std::tm> now;
};

// Every limit is checked while rendering; exceeding one is ErrorCode::Budget
// naming the limit. The defaults are far above what real chat templates need.
struct TemplateBudget {
  int maxDepth = 64;                        // nested macro calls and loops
  std::uint64_t maxSteps = 2'000'000;       // expression and statement evaluations
  std::size_t maxOutputBytes = 8u << 20;    // rendered text, and any single string
  std::size_t maxAllocatedBytes = 128u << 20; // strings and lists built, cumulative
  std::chrono::milliseconds maxWallTime{1000};
};

struct Program; // parsed template (interpreter-internal)

class ChatTemplate {
public:
  // Parses a template. `name` appears in error messages (e.g. the model file).
  static Result<ChatTemplate> parse(std::string_view source, std::string name = "template");

  // Renders a conversation as transformers' apply_chat_template(messages,
  // add_generation_prompt=..., tools=None, documents=None, bos_token=..., eos_token=...).
  Result<std::string> render(const ChatInput &input, const TemplateBudget &budget = {}) const;

  // Renders with exactly these variables (plus raise_exception, strftime_now,
  // range, namespace, dict).
  Result<std::string> renderVariables(const std::vector<std::pair<std::string, Value>> &variables,
                                      std::optional<std::tm> now = std::nullopt,
                                      const TemplateBudget &budget = {}) const;

  const std::string &name() const;

private:
  std::shared_ptr<const Program> m_program;
};

// The conversation's messages as the list of {role, content[, reasoning_content], fields...}
// dicts a template sees as `messages`.
Value messagesValue(const std::vector<ChatMessage> &messages);

// The ChatML prompt format (<|im_start|>role\ncontent<|im_end|>\n ...), the
// fallback when a model has no usable template.
std::string renderChatML(const ChatInput &input);

} // namespace hearth::tmpl
