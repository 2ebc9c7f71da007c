#include "hearth/chat_template.h"

#include "template/interpreter.h"
#include "template/parser.h"

#include <algorithm>

namespace hearth::tmpl {

Result<ChatTemplate> ChatTemplate::parse(std::string_view source, std::string name)
{
  auto program = parseProgram(source, std::move(name));
  if (!program)
    return std::unexpected(program.error());
  ChatTemplate t;
  t.m_program = std::move(*program);
  return t;
}

const std::string &ChatTemplate::name() const { return m_program->name; }

Value messagesValue(const std::vector<ChatMessage> &messages)
{
  Value::Array list;
  list.reserve(messages.size());
  for (const auto &m : messages) {
    Value::Object message{{"role", Value(m.role)}, {"content", Value(m.content)}};
    if (m.reasoningContent)
      message.emplace_back("reasoning_content", Value(*m.reasoningContent));
    for (const auto &[key, value] : m.fields) {
      auto it = std::find_if(message.begin(), message.end(), [&](const auto &kv) { return kv.first == key; });
      if (it != message.end())
        it->second = value;
      else
        message.emplace_back(key, value);
    }
    list.emplace_back(std::move(message));
  }
  return Value(std::move(list));
}

Result<std::string> ChatTemplate::render(const ChatInput &input, const TemplateBudget &budget) const
{
  std::vector<std::pair<std::string, Value>> variables{
      {"messages", messagesValue(input.messages)},
      {"tools", Value::none()},
      {"documents", Value::none()},
      {"add_generation_prompt", Value(input.addGenerationPrompt)},
  };
  if (input.bosToken)
    variables.emplace_back("bos_token", Value(*input.bosToken));
  if (input.eosToken)
    variables.emplace_back("eos_token", Value(*input.eosToken));
  for (const auto &v : input.variables)
    variables.push_back(v);
  return renderVariables(variables, input.now, budget);
}

Result<std::string> ChatTemplate::renderVariables(const std::vector<std::pair<std::string, Value>> &variables,
                                                  std::optional<std::tm> now, const TemplateBudget &budget) const
{
  Interpreter interpreter(*m_program, budget, now);
  return interpreter.run(variables);
}

std::string renderChatML(const ChatInput &input)
{
  std::string out;
  for (const auto &m : input.messages)
    out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
  if (input.addGenerationPrompt)
    out += "<|im_start|>assistant\n";
  return out;
}

} // namespace hearth::tmpl
