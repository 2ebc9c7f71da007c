// Python methods on str, dict and list values, and the template's global functions
// (range, namespace, dict, raise_exception, strftime_now).
#include "template/interpreter.h"
#include "template/text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>

namespace hearth::tmpl {

#define HEARTH_TRY(var, expr)                                                                      \
  auto var##_r = (expr);                                                                           \
  if (!var##_r)                                                                                    \
    return std::unexpected(var##_r.error());                                                      \
  auto var = std::move(*var##_r);

namespace {

constexpr std::string_view kStringMethods[] = {
    "startswith", "endswith", "split", "rsplit", "strip", "lstrip", "rstrip", "upper", "lower", "title",
    "capitalize", "replace", "find", "rfind", "index", "count", "join", "splitlines", "isdigit", "isalpha",
    "isalnum", "isspace", "islower", "isupper", "format"};
constexpr std::string_view kDictMethods[] = {"get", "items", "keys", "values"};
constexpr std::string_view kListMethods[] = {"index", "count"};
constexpr std::string_view kGlobals[] = {"range", "namespace", "dict", "raise_exception", "strftime_now"};

template <std::size_t N> bool listed(const std::string_view (&names)[N], std::string_view name)
{
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

struct MethodCall {
  Interpreter &in;
  const std::string &name;
  const Args &args;
  std::uint32_t offset;

  Value arg(std::size_t i, std::string_view key, Value fallback = {}) const
  {
    const Value *v = args.get(i, key);
    return v ? *v : fallback;
  }
  std::unexpected<Error> error(std::string_view what) const
  {
    return in.error(ErrorCode::Format, offset, fmt::format("{}(): {}", name, what));
  }
};

Value splitText(const std::string &s, const Value &sepV, std::int64_t maxsplit, bool fromRight)
{
  Value::Array parts;
  if (sepV.isUndefined() || sepV.isNone()) {
    // Runs of whitespace; leading and trailing whitespace ignored.
    std::vector<std::pair<std::size_t, std::size_t>> words;
    std::size_t i = 0, start = std::string::npos;
    while (i < s.size()) {
      std::size_t at = i;
      bool space = text::isSpace(text::decode(s, i));
      if (!space && start == std::string::npos)
        start = at;
      if (space && start != std::string::npos) {
        words.emplace_back(start, at);
        start = std::string::npos;
      }
    }
    if (start != std::string::npos)
      words.emplace_back(start, s.size());
    if (maxsplit >= 0 && std::int64_t(words.size()) > maxsplit + 1) {
      if (fromRight) {
        std::size_t keep = words.size() - std::size_t(maxsplit);
        std::string head(text::strip(std::string_view(s).substr(0, words[keep - 1].second), true, true));
        parts.emplace_back(head);
        for (std::size_t w = keep; w < words.size(); ++w)
          parts.emplace_back(s.substr(words[w].first, words[w].second - words[w].first));
        return Value(std::move(parts));
      }
      for (std::size_t w = 0; w < std::size_t(maxsplit); ++w)
        parts.emplace_back(s.substr(words[w].first, words[w].second - words[w].first));
      parts.emplace_back(std::string(text::strip(std::string_view(s).substr(words[std::size_t(maxsplit)].first), true, true)));
      return Value(std::move(parts));
    }
    for (auto [a, b] : words)
      parts.emplace_back(s.substr(a, b - a));
    return Value(std::move(parts));
  }
  const std::string sep = sepV.str();
  std::vector<std::size_t> cuts; // start of each separator used
  if (!fromRight) {
    for (std::size_t pos = s.find(sep); pos != std::string::npos && (maxsplit < 0 || std::int64_t(cuts.size()) < maxsplit);
         pos = s.find(sep, pos + sep.size()))
      cuts.push_back(pos);
  } else {
    std::size_t end = s.size();
    while (end >= sep.size() && (maxsplit < 0 || std::int64_t(cuts.size()) < maxsplit)) {
      std::size_t pos = s.rfind(sep, end - sep.size());
      if (pos == std::string::npos)
        break;
      cuts.push_back(pos);
      if (pos < sep.size())
        break;
      end = pos;
    }
    std::reverse(cuts.begin(), cuts.end());
  }
  std::size_t start = 0;
  for (std::size_t cut : cuts) {
    parts.emplace_back(s.substr(start, cut - start));
    start = cut + sep.size();
  }
  parts.emplace_back(s.substr(start));
  return Value(std::move(parts));
}

Result<Value> replaceText(const MethodCall &m, const std::string &s)
{
  std::string from = m.arg(0, "old").str(), to = m.arg(1, "new").str();
  std::int64_t count = m.arg(2, "count", Value(-1)).asInt();
  std::vector<std::size_t> at;
  if (from.empty()) {
    auto offsets = text::codePointOffsets(s);
    at.assign(offsets.begin(), offsets.end());
  } else {
    for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + from.size()))
      at.push_back(p);
  }
  if (count >= 0 && std::int64_t(at.size()) > count)
    at.resize(std::size_t(count));
  std::size_t size = s.size() + at.size() * to.size();
  if (auto st = m.in.checkString(size, m.offset); !st)
    return std::unexpected(st.error());
  std::string out;
  out.reserve(size);
  std::size_t last = 0;
  for (std::size_t p : at) {
    out.append(s, last, p - last);
    out += to;
    last = p + from.size();
  }
  out.append(s, std::min(last, s.size()), std::string::npos);
  return Value(std::move(out));
}

bool prefixMatch(const std::string &s, const Value &affix, bool atEnd)
{
  auto one = [&](const std::string &a) {
    return a.size() <= s.size() && s.compare(atEnd ? s.size() - a.size() : 0, a.size(), a) == 0;
  };
  if (affix.isArray())
    return std::any_of(affix.asArray().begin(), affix.asArray().end(), [&](const Value &v) { return one(v.str()); });
  return one(affix.str());
}

Result<Value> stringMethod(const MethodCall &m, const std::string &s)
{
  const std::string &n = m.name;
  if (n == "startswith" || n == "endswith")
    return Value(prefixMatch(s, m.arg(0, "prefix"), n == "endswith"));
  if (n == "split" || n == "rsplit") {
    Value sep = m.arg(0, "sep");
    if (sep.isString() && sep.asString().empty())
      return m.error("empty separator");
    if (auto st = m.in.chargeBytes(s.size() * 2, m.offset); !st)
      return std::unexpected(st.error());
    return splitText(s, sep, m.arg(1, "maxsplit", Value(-1)).asInt(), n == "rsplit");
  }
  if (n == "strip" || n == "lstrip" || n == "rstrip") {
    Value chars = m.arg(0, "chars");
    bool left = n != "rstrip", right = n != "lstrip";
    if (chars.isString())
      return Value(text::strip(s, chars.asString(), left, right));
    return Value(std::string(text::strip(s, left, right)));
  }
  if (n == "upper")
    return Value(text::upper(s));
  if (n == "lower")
    return Value(text::lower(s));
  if (n == "title")
    return Value(text::title(s));
  if (n == "capitalize")
    return Value(text::capitalize(s));
  if (n == "replace")
    return replaceText(m, s);
  if (n == "find" || n == "rfind" || n == "index") {
    std::string sub = m.arg(0, "sub").str();
    std::size_t pos = n == "rfind" ? s.rfind(sub) : s.find(sub);
    if (pos == std::string::npos) {
      if (n == "index")
        return m.error("substring not found");
      return Value(std::int64_t(-1));
    }
    return Value(std::int64_t(text::codePointCount(std::string_view(s).substr(0, pos))));
  }
  if (n == "count") {
    std::string sub = m.arg(0, "x").str();
    if (sub.empty())
      return Value(std::int64_t(text::codePointCount(s) + 1));
    std::int64_t count = 0;
    for (std::size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size()))
      ++count;
    return Value(count);
  }
  if (n == "join") {
    HEARTH_TRY(items, iterate(m.in, m.arg(0, "iterable"), m.offset));
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!items[i].isString())
        return m.error(fmt::format("sequence item {}: expected str instance, {} found", i, typeName(items[i])));
      if (i)
        out += s;
      out += items[i].asString();
      if (out.size() > (64u << 20))
        break;
    }
    if (auto st = m.in.checkString(out.size(), m.offset); !st)
      return std::unexpected(st.error());
    return Value(std::move(out));
  }
  if (n == "splitlines") {
    Value::Array lines;
    std::size_t start = 0;
    for (std::size_t i = 0; i < s.size(); ++i)
      if (s[i] == '\n' || s[i] == '\r') {
        lines.emplace_back(s.substr(start, i - start));
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')
          ++i;
        start = i + 1;
      }
    if (start < s.size())
      lines.emplace_back(s.substr(start));
    return Value(std::move(lines));
  }
  if (n.starts_with("is")) {
    if (s.empty())
      return Value(false);
    bool cased = false, ok = true;
    for (std::size_t i = 0; i < s.size() && ok;) {
      char32_t c = text::decode(s, i);
      bool alpha = c < 0x80 ? std::isalpha(int(c)) != 0 : c >= 0xc0;
      bool digit = c >= '0' && c <= '9';
      if (n == "isdigit")
        ok = digit;
      else if (n == "isalpha")
        ok = alpha;
      else if (n == "isalnum")
        ok = alpha || digit;
      else if (n == "isspace")
        ok = text::isSpace(c);
      else if (alpha) {
        cased = true;
        std::string ch;
        text::append(ch, c);
        bool isLower = text::lower(ch) == ch && text::upper(ch) != ch;
        bool isUpper = text::upper(ch) == ch && text::lower(ch) != ch;
        ok = n == "islower" ? isLower : isUpper;
      }
    }
    return Value(ok && (n == "isdigit" || n == "isalpha" || n == "isalnum" || n == "isspace" || cased));
  }
  return m.in.error(ErrorCode::Unsupported, m.offset, fmt::format("the string method '{}' is not supported", n));
}

Result<Value> dictMethod(const MethodCall &m, const Value &object)
{
  if (m.name == "get") {
    const Value *v = object.find(m.arg(0, "key").str());
    return v ? *v : m.arg(1, "default", Value::none());
  }
  Value::Array out;
  for (const auto &[k, v] : object.asObject()) {
    if (m.name == "items")
      out.push_back(Value(Value::Array{Value(k), v}));
    else if (m.name == "keys")
      out.emplace_back(k);
    else
      out.push_back(v);
  }
  return Value(std::move(out));
}

Result<Value> listMethod(const MethodCall &m, const Value &list)
{
  Value x = m.arg(0, "value");
  const auto &items = list.asArray();
  if (m.name == "count")
    return Value(std::int64_t(std::count(items.begin(), items.end(), x)));
  auto it = std::find(items.begin(), items.end(), x);
  if (it == items.end())
    return m.error(fmt::format("{} is not in list", x.repr()));
  return Value(std::int64_t(it - items.begin()));
}

std::string formatTime(const std::string &format, const std::tm &t)
{
  static const std::array<const char *, 7> days = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
  static const std::array<const char *, 12> months = {"January", "February", "March", "April", "May", "June", "July",
                                                      "August", "September", "October", "November", "December"};
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 >= format.size()) {
      out += format[i];
      continue;
    }
    char c = format[++i];
    const char *day = days[std::size_t(t.tm_wday % 7)], *month = months[std::size_t(t.tm_mon % 12)];
    switch (c) {
    case 'd': out += fmt::format("{:02d}", t.tm_mday); break;
    case 'e': out += fmt::format("{:2d}", t.tm_mday); break;
    case 'm': out += fmt::format("{:02d}", t.tm_mon + 1); break;
    case 'Y': out += fmt::format("{}", t.tm_year + 1900); break;
    case 'y': out += fmt::format("{:02d}", (t.tm_year + 1900) % 100); break;
    case 'H': out += fmt::format("{:02d}", t.tm_hour); break;
    case 'I': out += fmt::format("{:02d}", t.tm_hour % 12 == 0 ? 12 : t.tm_hour % 12); break;
    case 'M': out += fmt::format("{:02d}", t.tm_min); break;
    case 'S': out += fmt::format("{:02d}", t.tm_sec); break;
    case 'p': out += t.tm_hour < 12 ? "AM" : "PM"; break;
    case 'j': out += fmt::format("{:03d}", t.tm_yday + 1); break;
    case 'a': out += std::string(day, 3); break;
    case 'A': out += day; break;
    case 'b': out += std::string(month, 3); break;
    case 'B': out += month; break;
    case '%': out += '%'; break;
    default: out += '%'; out += c;
    }
  }
  return out;
}

Result<Value> range(Interpreter &in, const Args &args, std::uint32_t offset)
{
  std::int64_t start = 0, stop = 0, step = 1;
  const auto &p = args.positional;
  for (const auto &v : p)
    if (!v.isInt() && !v.isBool())
      return in.error(ErrorCode::Format, offset, fmt::format("range(): '{}' object cannot be interpreted as an integer", typeName(v)));
  if (p.size() == 1) {
    stop = p[0].asInt();
  } else if (p.size() == 2 || p.size() == 3) {
    start = p[0].asInt();
    stop = p[1].asInt();
    if (p.size() == 3)
      step = p[2].asInt();
  } else {
    return in.error(ErrorCode::Format, offset, fmt::format("range() expects 1 to 3 arguments, got {}", p.size()));
  }
  if (step == 0)
    return in.error(ErrorCode::Format, offset, "range() arg 3 must not be zero");
  long double span = step > 0 ? (long double)stop - start : (long double)start - stop;
  long double count = span <= 0 ? 0 : (span + (long double)(std::abs(step)) - 1) / (long double)std::abs(step);
  if (count > 1e9L)
    return in.error(ErrorCode::Budget, offset, fmt::format("step budget exceeded: range() of {:.0f} items", double(count)));
  auto n = std::size_t(count);
  if (auto st = in.chargeSteps(n, offset); !st)
    return std::unexpected(st.error());
  if (auto st = in.chargeBytes(n * sizeof(Value), offset); !st)
    return std::unexpected(st.error());
  Value::Array out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    out.emplace_back(start + std::int64_t(i) * step);
  return Value(std::move(out));
}

} // namespace

bool hasMethod(const Value &receiver, std::string_view name)
{
  if (receiver.isString())
    return listed(kStringMethods, name);
  if (receiver.isObject())
    return listed(kDictMethods, name);
  if (receiver.isArray())
    return listed(kListMethods, name);
  return false;
}

Result<Value> callMethod(Interpreter &in, const Value &receiver, const std::string &name, const Args &args, std::uint32_t offset)
{
  MethodCall m{in, name, args, offset};
  if (receiver.isString()) {
    if (name == "format")
      return in.error(ErrorCode::Unsupported, offset, "str.format() is not supported");
    return stringMethod(m, receiver.asString());
  }
  if (receiver.isObject())
    return dictMethod(m, receiver);
  if (receiver.isArray())
    return listMethod(m, receiver);
  return in.error(ErrorCode::Format, offset, fmt::format("'{}' has no method '{}'", typeName(receiver), name));
}

bool isGlobalFunction(std::string_view name) { return listed(kGlobals, name); }

Result<Value> callGlobal(Interpreter &in, const std::string &name, const Args &args, std::uint32_t offset)
{
  if (name == "range")
    return range(in, args, offset);
  if (name == "namespace" || name == "dict") {
    Value::Object attributes;
    auto put = [&](const std::string &k, const Value &v) {
      auto it = std::find_if(attributes.begin(), attributes.end(), [&](const auto &kv) { return kv.first == k; });
      if (it != attributes.end())
        it->second = v;
      else
        attributes.emplace_back(k, v);
    };
    for (const auto &p : args.positional) {
      if (!p.isObject())
        return in.error(ErrorCode::Format, offset, fmt::format("{}() takes a mapping, not '{}'", name, typeName(p)));
      for (const auto &[k, v] : p.asObject())
        put(k, v);
    }
    for (const auto &[k, v] : args.keyword)
      put(k, v);
    return name == "dict" ? Value(std::move(attributes)) : Value::namespaceObject(std::move(attributes));
  }
  if (name == "raise_exception") {
    const Value *message = args.get(0, "message");
    return in.error(ErrorCode::InvalidArgument, offset,
                    fmt::format("the template rejected the conversation: {}", message ? message->str() : ""));
  }
  if (name == "strftime_now") {
    const Value *format = args.get(0, "format");
    return Value(formatTime(format ? format->str() : "", in.now()));
  }
  return in.error(ErrorCode::Unsupported, offset, fmt::format("unknown function '{}'", name));
}

#undef HEARTH_TRY

} // namespace hearth::tmpl
