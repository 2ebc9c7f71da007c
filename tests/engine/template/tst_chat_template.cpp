// Chat templates rendered by Hearth must be byte-identical to Python jinja2 rendering
// them the way transformers does (fixtures made by tests/fixtures/templates/render.py).
#include "hearth/chat_template.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

using namespace hearth;
using namespace hearth::tmpl;

namespace {

std::string fixturesDir()
{
  const char *dir = std::getenv("HEARTH_FIXTURES");
  return std::string(dir ? dir : "tests/fixtures") + "/templates/";
}

std::string readFile(const std::string &path)
{
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Value readJson(const std::string &name)
{
  auto v = Value::fromJson(readFile(fixturesDir() + name));
  EXPECT_TRUE(v) << name << ": " << (v ? "" : v.error().message);
  return v ? *v : Value();
}

std::tm fixedNow()
{
  std::tm t{};
  t.tm_year = 2025 - 1900;
  t.tm_mon = 2;
  t.tm_mday = 14;
  t.tm_hour = 9;
  t.tm_min = 26;
  t.tm_sec = 53;
  t.tm_wday = 5; // Friday
  t.tm_yday = 72;
  return t;
}

// JSON messages as ChatMessages: role, content, reasoning_content, and every other
// field (tool_calls, tool_call_id, name, a null content) through ChatMessage::fields.
std::vector<ChatMessage> toMessages(const Value &list)
{
  std::vector<ChatMessage> out;
  for (const auto &m : list.asArray()) {
    ChatMessage message{m.find("role")->asString(), m.find("content")->asString(), std::nullopt, {}};
    for (const auto &[key, value] : m.asObject()) {
      if (key == "reasoning_content")
        message.reasoningContent = value.asString();
      else if (key != "role" && (key != "content" || !value.isString()))
        message.fields.emplace_back(key, value);
    }
    out.push_back(std::move(message));
  }
  return out;
}

} // namespace

TEST(ChatTemplate, RealModelTemplatesMatchJinja2)
{
  Value expected = readJson("expected.json");
  Value conversations = readJson("conversations.json");
  std::map<std::string, std::vector<ChatMessage>> byName;
  std::map<std::string, Value> toolsByName;
  for (const auto &c : conversations.asArray()) {
    byName[c.find("name")->asString()] = toMessages(*c.find("messages"));
    if (const Value *tools = c.find("tools"))
      toolsByName[c.find("name")->asString()] = *tools;
  }
  std::map<std::string, ChatTemplate> templates;
  int rendered = 0, rejected = 0, typeErrors = 0;
  for (const auto &c : expected.find("cases")->asArray()) {
    const std::string name = c.find("template")->asString();
    if (!templates.count(name)) {
      auto t = ChatTemplate::parse(readFile(fixturesDir() + name + ".jinja"), name);
      ASSERT_TRUE(t) << t.error().message;
      templates.emplace(name, std::move(*t));
    }
    ChatInput input;
    input.messages = byName.at(c.find("conversation")->asString());
    input.addGenerationPrompt = c.find("add_generation_prompt")->asBool();
    if (c.find("bos_token")->isString())
      input.bosToken = c.find("bos_token")->asString();
    if (c.find("eos_token")->isString())
      input.eosToken = c.find("eos_token")->asString();
    input.now = fixedNow();
    if (auto tools = toolsByName.find(c.find("conversation")->asString()); tools != toolsByName.end())
      input.variables.emplace_back("tools", tools->second);
    auto out = templates.at(name).render(input);
    std::string label = name + " / " + c.find("conversation")->asString() +
                        (input.addGenerationPrompt ? " / generation prompt" : "");
    if (const Value *error = c.find("error")) {
      ASSERT_FALSE(out) << label << " rendered instead of failing";
      if (c.find("error_type")->asString() == "TemplateError") { // raise_exception()
        EXPECT_EQ(out.error().code, ErrorCode::InvalidArgument) << label;
        EXPECT_NE(out.error().message.find(error->asString()), std::string::npos) << label << ": " << out.error().message;
        ++rejected;
      } else { // a Python TypeError, e.g. str + None
        EXPECT_EQ(out.error().code, ErrorCode::Format) << label << ": " << out.error().message;
        EXPECT_NE(out.error().message.find("unsupported operand types for +"), std::string::npos) << out.error().message;
        ++typeErrors;
      }
      continue;
    }
    ASSERT_TRUE(out) << label << ": " << out.error().message;
    EXPECT_EQ(*out, c.find("expected")->asString()) << label;
    ++rendered;
  }
  EXPECT_EQ(templates.size(), 8u);
  EXPECT_EQ(rendered, 158);
  EXPECT_EQ(rejected, 8);
  EXPECT_EQ(typeErrors, 10);
}

TEST(ChatTemplate, LanguageFeaturesMatchJinja2)
{
  Value expected = readJson("expected.json");
  int count = 0;
  for (const auto &f : expected.find("features")->asArray()) {
    const std::string name = f.find("name")->asString();
    auto t = ChatTemplate::parse(f.find("template")->asString(), name);
    ASSERT_TRUE(t) << name << ": " << t.error().message;
    std::vector<std::pair<std::string, Value>> variables(f.find("variables")->asObject().begin(),
                                                         f.find("variables")->asObject().end());
    auto out = t->renderVariables(variables, fixedNow());
    ASSERT_TRUE(out) << name << ": " << out.error().message;
    EXPECT_EQ(*out, f.find("expected")->asString()) << name;
    ++count;
  }
  EXPECT_EQ(count, 33);
}

TEST(ChatTemplate, ChatMLFallback)
{
  ChatInput input;
  input.messages = {{"system", "S", std::nullopt}, {"user", "<|im_end|>U", std::nullopt}};
  EXPECT_EQ(renderChatML(input), "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\n<|im_end|>U<|im_end|>\n"
                                 "<|im_start|>assistant\n");
  input.addGenerationPrompt = false;
  EXPECT_EQ(renderChatML(input), "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\n<|im_end|>U<|im_end|>\n");
  // The SmolLM2 template is ChatML with a default system prompt: identical when a system message is given.
  auto smol = ChatTemplate::parse(readFile(fixturesDir() + "smollm2.jinja"));
  ASSERT_TRUE(smol);
  auto out = smol->render(input);
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, renderChatML(input));
}

TEST(ChatTemplate, JsonValuesRoundTrip)
{
  const std::string text = R"({"a": [1, -2.5, "x\n\"é", null, true, {}], "b": {"c": []}})";
  auto v = Value::fromJson(text);
  ASSERT_TRUE(v) << v.error().message;
  auto back = v->toJson();
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, text);
  EXPECT_FALSE(Value::fromJson("{\"a\": [1, 2}"));
  EXPECT_FALSE(Value::fromJson("[1] x"));
  EXPECT_FALSE(Value::fromJson(std::string(1000, '[')));
}
