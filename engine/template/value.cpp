#include "hearth/template_value.h"

#include "template/text.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace hearth::tmpl {

namespace {
const std::string kEmptyString;
const Value::Array kEmptyArray;
const Value::Object kEmptyObject;
} // namespace

Value::Value(std::string s) : m_kind(Kind::String), m_data(std::make_shared<const std::string>(std::move(s))) {}
Value::Value(Array a) : m_kind(Kind::Array), m_data(std::make_shared<const Array>(std::move(a))) {}
Value::Value(Object o) : m_kind(Kind::Object), m_data(std::make_shared<Object>(std::move(o))) {}

std::int64_t Value::asInt() const
{
  if (m_kind == Kind::Int || m_kind == Kind::Bool)
    return m_int;
  if (m_kind != Kind::Float || std::isnan(m_float))
    return 0;
  if (m_float >= 9.2e18)
    return INT64_MAX;
  if (m_float <= -9.2e18)
    return INT64_MIN;
  return std::int64_t(m_float);
}

Value Value::none()
{
  Value v;
  v.m_kind = Kind::None;
  return v;
}

Value Value::namespaceObject(Object o)
{
  Value v(std::move(o));
  v.m_kind = Kind::Namespace;
  return v;
}

Value Value::callable(std::shared_ptr<const Callable> c)
{
  Value v;
  v.m_kind = Kind::Callable;
  v.m_data = std::move(c);
  return v;
}

const std::string &Value::asString() const
{
  return m_kind == Kind::String ? *static_cast<const std::string *>(m_data.get()) : kEmptyString;
}

const Value::Array &Value::asArray() const
{
  return m_kind == Kind::Array ? *static_cast<const Array *>(m_data.get()) : kEmptyArray;
}

const Value::Object &Value::asObject() const
{
  return m_kind == Kind::Object || m_kind == Kind::Namespace ? *static_cast<const Object *>(m_data.get()) : kEmptyObject;
}

// Namespaces are the one mutable value: their Object was created non-const (namespaceObject()).
Value::Object &Value::namespaceAttributes() const { return const_cast<Object &>(asObject()); }

const Value *Value::find(std::string_view key) const
{
  if (m_kind != Kind::Object && m_kind != Kind::Namespace)
    return nullptr;
  for (const auto &[k, v] : asObject())
    if (k == key)
      return &v;
  return nullptr;
}

bool Value::truthy() const
{
  switch (m_kind) {
  case Kind::Undefined:
  case Kind::None: return false;
  case Kind::Bool:
  case Kind::Int: return m_int != 0;
  case Kind::Float: return m_float != 0.0;
  case Kind::String: return !asString().empty();
  case Kind::Array: return !asArray().empty();
  case Kind::Object: return !asObject().empty();
  case Kind::Namespace:
  case Kind::Callable: return true;
  }
  return false;
}

std::string Value::str() const
{
  switch (m_kind) {
  case Kind::Undefined: return "";
  case Kind::String: return asString();
  default: return repr();
  }
}

std::string Value::repr() const
{
  switch (m_kind) {
  case Kind::Undefined: return "";
  case Kind::None: return "None";
  case Kind::Bool: return m_int ? "True" : "False";
  case Kind::Int: return std::to_string(m_int);
  case Kind::Float: return text::pythonFloat(m_float);
  case Kind::String: return text::pythonRepr(asString());
  case Kind::Array: {
    std::string out = "[";
    for (std::size_t i = 0; i < asArray().size(); ++i)
      out += (i ? ", " : "") + asArray()[i].repr();
    return out + "]";
  }
  case Kind::Object:
  case Kind::Namespace: {
    std::string out = m_kind == Kind::Namespace ? "<Namespace {" : "{";
    bool first = true;
    for (const auto &[k, v] : asObject()) {
      out += (first ? "" : ", ") + text::pythonRepr(k) + ": " + v.repr();
      first = false;
    }
    return out + (m_kind == Kind::Namespace ? "}>" : "}");
  }
  case Kind::Callable: return "<function>";
  }
  return "";
}

namespace {

Status dumpJson(const Value &v, int indent, int level, std::string &out)
{
  auto newline = [&](int lvl) {
    out += '\n';
    out.append(std::size_t(indent) * std::size_t(lvl), ' ');
  };
  switch (v.kind()) {
  case Value::Kind::Undefined:
    return fail(ErrorCode::Format, "tojson: an undefined value is not JSON serializable");
  case Value::Kind::Callable:
    return fail(ErrorCode::Format, "tojson: a function is not JSON serializable");
  case Value::Kind::None: out += "null"; return {};
  case Value::Kind::Bool: out += v.asBool() ? "true" : "false"; return {};
  case Value::Kind::Int: out += std::to_string(v.asInt()); return {};
  case Value::Kind::Float: {
    double f = v.asFloat();
    out += std::isnan(f) ? "NaN" : std::isinf(f) ? (f < 0 ? "-Infinity" : "Infinity") : text::pythonFloat(f);
    return {};
  }
  case Value::Kind::String: text::jsonQuote(out, v.asString()); return {};
  case Value::Kind::Array: {
    const auto &a = v.asArray();
    if (a.empty()) {
      out += "[]";
      return {};
    }
    out += '[';
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (i)
        out += indent >= 0 ? "," : ", ";
      if (indent >= 0)
        newline(level + 1);
      if (auto s = dumpJson(a[i], indent, level + 1, out); !s)
        return s;
    }
    if (indent >= 0)
      newline(level);
    out += ']';
    return {};
  }
  case Value::Kind::Object:
  case Value::Kind::Namespace: {
    const auto &o = v.asObject();
    if (o.empty()) {
      out += "{}";
      return {};
    }
    out += '{';
    bool first = true;
    for (const auto &[k, item] : o) {
      if (!first)
        out += indent >= 0 ? "," : ", ";
      first = false;
      if (indent >= 0)
        newline(level + 1);
      text::jsonQuote(out, k);
      out += ": ";
      if (auto s = dumpJson(item, indent, level + 1, out); !s)
        return s;
    }
    if (indent >= 0)
      newline(level);
    out += '}';
    return {};
  }
  }
  return {};
}

class JsonParser {
public:
  explicit JsonParser(std::string_view text) : m_text(text) {}

  Result<Value> parseDocument()
  {
    auto v = parseValue(0);
    if (!v)
      return v;
    skipSpace();
    if (m_pos != m_text.size())
      return error("trailing characters");
    return v;
  }

private:
  std::unexpected<Error> error(std::string_view what) const
  {
    return fail(ErrorCode::Format, "[json] offset {}: {}", m_pos, what);
  }
  void skipSpace()
  {
    while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\n' ||
                                     m_text[m_pos] == '\r' || m_text[m_pos] == '\t'))
      ++m_pos;
  }
  bool consume(std::string_view word)
  {
    if (m_text.substr(m_pos, word.size()) != word)
      return false;
    m_pos += word.size();
    return true;
  }

  Result<Value> parseValue(int depth)
  {
    if (depth > 200)
      return error("nested too deeply");
    skipSpace();
    if (m_pos >= m_text.size())
      return error("unexpected end of input");
    char c = m_text[m_pos];
    if (c == '{')
      return parseObject(depth);
    if (c == '[')
      return parseArray(depth);
    if (c == '"') {
      auto s = parseString();
      if (!s)
        return std::unexpected(s.error());
      return Value(std::move(*s));
    }
    if (consume("true"))
      return Value(true);
    if (consume("false"))
      return Value(false);
    if (consume("null"))
      return Value::none();
    return parseNumber();
  }

  Result<Value> parseNumber()
  {
    std::size_t start = m_pos;
    bool isFloat = false;
    if (m_pos < m_text.size() && m_text[m_pos] == '-')
      ++m_pos;
    while (m_pos < m_text.size()) {
      char c = m_text[m_pos];
      if (c == '.' || c == 'e' || c == 'E' || ((c == '+' || c == '-') && isFloat))
        isFloat = true;
      else if (c < '0' || c > '9')
        break;
      ++m_pos;
    }
    std::string number(m_text.substr(start, m_pos - start));
    if (number.empty() || number == "-")
      return error("expected a value");
    char *end = nullptr;
    if (!isFloat) {
      errno = 0;
      long long v = std::strtoll(number.c_str(), &end, 10);
      if (errno == 0 && *end == 0)
        return Value(std::int64_t(v));
    }
    double d = std::strtod(number.c_str(), &end);
    if (*end != 0)
      return error("malformed number");
    return Value(d);
  }

  Result<std::string> parseString()
  {
    ++m_pos; // opening quote
    std::string out;
    while (m_pos < m_text.size()) {
      char c = m_text[m_pos++];
      if (c == '"')
        return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (m_pos >= m_text.size())
        break;
      char e = m_text[m_pos++];
      switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        auto hex = [&]() -> long {
          if (m_pos + 4 > m_text.size())
            return -1;
          std::string h(m_text.substr(m_pos, 4));
          m_pos += 4;
          char *end = nullptr;
          long v = std::strtol(h.c_str(), &end, 16);
          return *end ? -1 : v;
        };
        long cp = hex();
        if (cp < 0)
          return error("bad \\u escape");
        if (cp >= 0xd800 && cp < 0xdc00 && consume("\\u")) {
          long low = hex();
          if (low < 0xdc00 || low > 0xdfff)
            return error("bad surrogate pair");
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        }
        text::append(out, char32_t(cp));
        break;
      }
      default: out += e; // \" \\ \/
      }
    }
    return error("unterminated string");
  }

  Result<Value> parseArray(int depth)
  {
    ++m_pos;
    Value::Array items;
    skipSpace();
    if (consume("]"))
      return Value(std::move(items));
    for (;;) {
      auto v = parseValue(depth + 1);
      if (!v)
        return v;
      items.push_back(std::move(*v));
      skipSpace();
      if (consume("]"))
        return Value(std::move(items));
      if (!consume(","))
        return error("expected ',' or ']'");
    }
  }

  Result<Value> parseObject(int depth)
  {
    ++m_pos;
    Value::Object items;
    skipSpace();
    if (consume("}"))
      return Value(std::move(items));
    for (;;) {
      skipSpace();
      if (m_pos >= m_text.size() || m_text[m_pos] != '"')
        return error("expected a string key");
      auto key = parseString();
      if (!key)
        return std::unexpected(key.error());
      skipSpace();
      if (!consume(":"))
        return error("expected ':'");
      auto v = parseValue(depth + 1);
      if (!v)
        return v;
      items.emplace_back(std::move(*key), std::move(*v));
      skipSpace();
      if (consume("}"))
        return Value(std::move(items));
      if (!consume(","))
        return error("expected ',' or '}'");
    }
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
};

} // namespace

Result<std::string> Value::toJson(int indent) const
{
  std::string out;
  if (auto s = dumpJson(*this, indent, 0, out); !s)
    return std::unexpected(s.error());
  return out;
}

Result<Value> Value::fromJson(std::string_view text) { return JsonParser(text).parseDocument(); }

bool operator==(const Value &a, const Value &b)
{
  using K = Value::Kind;
  auto numeric = [](const Value &v) { return v.isNumber() || v.isBool(); };
  if (numeric(a) && numeric(b)) {
    if (a.isFloat() || b.isFloat())
      return a.asFloat() == b.asFloat();
    return a.asInt() == b.asInt();
  }
  if (a.kind() != b.kind())
    return false;
  switch (a.kind()) {
  case K::Undefined:
  case K::None: return true;
  case K::String: return a.asString() == b.asString();
  case K::Array: return a.asArray() == b.asArray();
  case K::Object: {
    const auto &x = a.asObject();
    if (x.size() != b.asObject().size())
      return false;
    for (const auto &[k, v] : x) {
      const Value *other = b.find(k);
      if (!other || !(*other == v))
        return false;
    }
    return true;
  }
  case K::Namespace: return &a.namespaceAttributes() == &b.namespaceAttributes();
  case K::Callable: return &a.asCallable() == &b.asCallable();
  default: return false;
  }
}

} // namespace hearth::tmpl
