// Jinja filters and tests, with transformers' tojson (no HTML escaping, keys unsorted).
#include "template/interpreter.h"
#include "template/text.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <optional>

namespace hearth::tmpl {

#define HEARTH_TRY(var, expr)                                                                      \
  auto var##_r = (expr);                                                                           \
  if (!var##_r)                                                                                    \
    return std::unexpected(var##_r.error());                                                      \
  auto var = std::move(*var##_r);

namespace {

struct FilterCall {
  Interpreter &in;
  const std::string &name;
  const Value &input;
  const Args &args;
  std::uint32_t offset;

  Value arg(std::size_t index, std::string_view key, Value fallback = {}) const
  {
    const Value *v = args.get(index, key);
    return v ? *v : fallback;
  }
  std::unexpected<Error> error(std::string_view what) const
  {
    return in.error(ErrorCode::Format, offset, fmt::format("filter '{}': {}", name, what));
  }
  Result<Value> string(std::string s) const
  {
    if (auto st = in.checkString(s.size(), offset); !st)
      return std::unexpected(st.error());
    return Value(std::move(s));
  }
};

// attribute("a.b") lookups as Jinja's make_attrgetter does (dots and integer parts).
Value getPath(const Value &item, const std::string &path)
{
  Value v = item;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    v = numeric && v.isArray() ? subscript(v, Value(std::int64_t(std::stoll(part)))) : subscript(v, Value(part));
    if (dot == std::string::npos)
      break;
    start = dot + 1;
  }
  return v;
}

Result<std::int64_t> length(const FilterCall &f)
{
  switch (f.input.kind()) {
  case Value::Kind::Undefined: return 0;
  case Value::Kind::String: return std::int64_t(text::codePointCount(f.input.asString()));
  case Value::Kind::Array: return std::int64_t(f.input.asArray().size());
  case Value::Kind::Object:
  case Value::Kind::Namespace: return std::int64_t(f.input.asObject().size());
  default: return f.error(fmt::format("object of type '{}' has no len()", typeName(f.input)));
  }
}

// Case-folded comparison key used by sort, unique, min and max when not case-sensitive.
Value sortKey(const Value &v, bool caseSensitive)
{
  return !caseSensitive && v.isString() ? Value(text::lower(v.asString())) : v;
}

// select/reject/selectattr/rejectattr.
Result<Value> selectItems(const FilterCall &f, bool byAttribute, bool keep)
{
  HEARTH_TRY(items, iterate(f.in, f.input, f.offset));
  std::size_t testIndex = byAttribute ? 1 : 0;
  std::string attr = byAttribute ? f.arg(0, "attribute").str() : "";
  const Value *testName = f.args.get(testIndex, "");
  Args testArgs;
  for (std::size_t i = testIndex + 1; i < f.args.positional.size(); ++i)
    testArgs.positional.push_back(f.args.positional[i]);
  Value::Array out;
  for (const auto &item : items) {
    Value subject = byAttribute ? getPath(item, attr) : item;
    bool passed = subject.truthy();
    if (testName) {
      HEARTH_TRY(r, applyTest(f.in, testName->str(), subject, testArgs, f.offset));
      passed = r;
    }
    if (passed == keep)
      out.push_back(item);
  }
  return Value(std::move(out));
}

Result<Value> mapItems(const FilterCall &f)
{
  HEARTH_TRY(items, iterate(f.in, f.input, f.offset));
  Value::Array out;
  if (const Value *attr = f.args.get(99, "attribute")) {
    Value fallback = f.arg(99, "default");
    for (const auto &item : items) {
      Value v = getPath(item, attr->str());
      out.push_back(v.isUndefined() ? fallback : v);
    }
    return Value(std::move(out));
  }
  if (f.args.positional.empty())
    return f.error("map needs a filter name or attribute=");
  Args rest;
  rest.positional.assign(f.args.positional.begin() + 1, f.args.positional.end());
  rest.keyword = f.args.keyword;
  for (const auto &item : items) {
    HEARTH_TRY(v, applyFilter(f.in, f.args.positional[0].str(), item, rest, f.offset));
    out.push_back(std::move(v));
  }
  return Value(std::move(out));
}

std::string indentText(const std::string &input, const Value &width, bool first, bool blank)
{
  std::string indention = width.isString() ? width.asString() : std::string(std::size_t(std::max<std::int64_t>(0, width.asInt())), ' ');
  std::vector<std::string> lines;
  std::string s = input + "\n";
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\n' || s[i] == '\r') {
      lines.push_back(s.substr(start, i - start));
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')
        ++i;
      start = i + 1;
    }
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) {
      out += '\n';
      if (blank || !lines[i].empty())
        out += indention;
    }
    out += lines[i];
  }
  return first ? indention + out : out;
}

Result<Value> sortItems(const FilterCall &f)
{
  HEARTH_TRY(items, iterate(f.in, f.input, f.offset));
  bool reverse = f.arg(0, "reverse").truthy();
  bool caseSensitive = f.arg(1, "case_sensitive").truthy();
  Value attr = f.arg(2, "attribute");
  std::vector<std::pair<Value, Value>> keyed;
  for (auto &item : items)
    keyed.emplace_back(sortKey(attr.isUndefined() ? item : getPath(item, attr.str()), caseSensitive), item);
  std::optional<Error> failure;
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto &a, const auto &b) {
    auto r = reverse ? lessThan(f.in, b.first, a.first, f.offset) : lessThan(f.in, a.first, b.first, f.offset);
    if (!r && !failure)
      failure = r.error();
    return r && *r;
  });
  if (failure)
    return std::unexpected(*failure);
  Value::Array out;
  for (auto &[k, v] : keyed)
    out.push_back(std::move(v));
  return Value(std::move(out));
}

Result<Value> minMax(const FilterCall &f, bool wantMax)
{
  HEARTH_TRY(items, iterate(f.in, f.input, f.offset));
  bool caseSensitive = f.arg(0, "case_sensitive").truthy();
  Value attr = f.arg(1, "attribute");
  const Value *best = nullptr;
  Value bestKey;
  for (const auto &item : items) {
    Value key = sortKey(attr.isUndefined() ? item : getPath(item, attr.str()), caseSensitive);
    if (best) {
      HEARTH_TRY(less, wantMax ? lessThan(f.in, bestKey, key, f.offset) : lessThan(f.in, key, bestKey, f.offset));
      if (!less)
        continue;
    }
    best = &item;
    bestKey = key;
  }
  return best ? *best : Value();
}

Result<Value> roundNumber(const FilterCall &f)
{
  if (!f.input.isNumber() && !f.input.isBool())
    return f.error(fmt::format("cannot round a '{}'", typeName(f.input)));
  std::int64_t precision = f.arg(0, "precision", Value(0)).asInt();
  std::string method = f.arg(1, "method", Value("common")).str();
  double scale = std::pow(10.0, double(precision));
  double x = f.input.asFloat() * scale;
  double r = method == "ceil" ? std::ceil(x) : method == "floor" ? std::floor(x) : std::nearbyint(x);
  return Value(r / scale);
}

Result<Value> toInt(const FilterCall &f)
{
  Value fallback = f.arg(0, "default", Value(0));
  if (f.input.isInt() || f.input.isBool())
    return Value(f.input.asInt());
  if (f.input.isFloat())
    return std::isfinite(f.input.asFloat()) ? Value(std::int64_t(f.input.asFloat())) : fallback;
  if (!f.input.isString())
    return fallback;
  std::string s(text::strip(f.input.asString(), true, true));
  std::int64_t base = f.arg(1, "base", Value(10)).asInt();
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, int(base));
  if (!s.empty() && *end == 0 && errno == 0)
    return Value(std::int64_t(v));
  double d = std::strtod(s.c_str(), &end);
  if (!s.empty() && *end == 0 && std::isfinite(d))
    return Value(std::int64_t(d));
  return fallback;
}

Result<Value> toFloat(const FilterCall &f)
{
  Value fallback = f.arg(0, "default", Value(0.0));
  if (f.input.isNumber() || f.input.isBool())
    return Value(f.input.asFloat());
  if (!f.input.isString())
    return fallback;
  std::string s(text::strip(f.input.asString(), true, true));
  char *end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  return !s.empty() && *end == 0 ? Value(d) : fallback;
}

Result<Value> joinItems(const FilterCall &f)
{
  HEARTH_TRY(items, iterate(f.in, f.input, f.offset));
  std::string sep = f.arg(0, "d", Value("")).str();
  Value attr = f.arg(1, "attribute");
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i)
      out += sep;
    out += (attr.isUndefined() ? items[i] : getPath(items[i], attr.str())).str();
    if (out.size() > 64u << 20)
      return f.string(std::move(out)); // fails the size budget
  }
  return f.string(std::move(out));
}

Result<Value> uniqueItems(const FilterCall &f)
{
  HEARTH_TRY(items, iterate(f.in, f.input, f.offset));
  bool caseSensitive = f.arg(0, "case_sensitive").truthy();
  Value attr = f.arg(1, "attribute");
  Value::Array out, seen;
  for (const auto &item : items) {
    Value key = sortKey(attr.isUndefined() ? item : getPath(item, attr.str()), caseSensitive);
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      continue;
    if (auto st = f.in.chargeSteps(seen.size(), f.offset); !st)
      return std::unexpected(st.error());
    seen.push_back(key);
    out.push_back(item);
  }
  return Value(std::move(out));
}

Result<Value> replaceText(const FilterCall &f)
{
  std::string s = f.input.str(), from = f.arg(0, "old").str(), to = f.arg(1, "new").str();
  std::int64_t count = f.arg(2, "count", Value(-1)).asInt();
  return callMethod(f.in, Value(s), "replace", Args{{Value(from), Value(to), Value(count)}, {}}, f.offset);
}

Result<Value> itemsOf(const FilterCall &f)
{
  if (f.input.isUndefined())
    return Value(Value::Array{});
  if (!f.input.isObject())
    return f.error(fmt::format("can only get item pairs from a mapping, not '{}'", typeName(f.input)));
  Value::Array out;
  for (const auto &[k, v] : f.input.asObject())
    out.push_back(Value(Value::Array{Value(k), v}));
  return Value(std::move(out));
}

// dictsort(case_sensitive=False, by='key', reverse=False): the (key, value) pairs sorted.
Result<Value> dictSort(const FilterCall &f)
{
  HEARTH_TRY(pairs, itemsOf(f));
  bool caseSensitive = f.arg(0, "case_sensitive").truthy();
  std::size_t by = f.arg(1, "by", Value("key")).str() == "value" ? 1 : 0;
  bool reverse = f.arg(2, "reverse").truthy();
  Value::Array items = pairs.asArray();
  std::optional<Error> failure;
  std::stable_sort(items.begin(), items.end(), [&](const Value &a, const Value &b) {
    Value ka = sortKey(a.asArray()[by], caseSensitive), kb = sortKey(b.asArray()[by], caseSensitive);
    auto r = reverse ? lessThan(f.in, kb, ka, f.offset) : lessThan(f.in, ka, kb, f.offset);
    if (!r && !failure)
      failure = r.error();
    return r && *r;
  });
  if (failure)
    return std::unexpected(*failure);
  return Value(std::move(items));
}

Result<Value> escapeHtml(const FilterCall &f)
{
  std::string out;
  for (char c : f.input.str()) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&#34;"; break;
    case '\'': out += "&#39;"; break;
    default: out += c;
    }
  }
  return f.string(std::move(out));
}

} // namespace

Result<Value> applyFilter(Interpreter &in, const std::string &name, const Value &input, const Args &args, std::uint32_t offset)
{
  FilterCall f{in, name, input, args, offset};
  if (name == "trim") {
    const Value *chars = args.get(0, "chars");
    if (chars && !chars->isNone())
      return Value(text::strip(input.str(), chars->str(), true, true));
    return Value(std::string(text::strip(input.str(), true, true)));
  }
  if (name == "length" || name == "count") {
    HEARTH_TRY(n, length(f));
    return Value(n);
  }
  if (name == "tojson") {
    const Value *indent = args.get(0, "indent");
    auto json = input.toJson(indent && !indent->isNone() ? int(indent->asInt()) : -1);
    if (!json)
      return in.error(ErrorCode::Format, offset, json.error().message);
    return f.string(std::move(*json));
  }
  if (name == "upper")
    return f.string(text::upper(input.str()));
  if (name == "lower")
    return f.string(text::lower(input.str()));
  if (name == "capitalize")
    return f.string(text::capitalize(input.str()));
  if (name == "title")
    return f.string(text::title(input.str()));
  if (name == "replace")
    return replaceText(f);
  if (name == "default" || name == "d") {
    bool boolean = f.arg(1, "boolean").truthy();
    if (input.isUndefined() || (boolean && !input.truthy()))
      return f.arg(0, "default_value", Value(""));
    return input;
  }
  if (name == "first" || name == "last") {
    HEARTH_TRY(items, iterate(in, input, offset));
    if (items.empty())
      return Value();
    return name == "first" ? items.front() : items.back();
  }
  if (name == "join")
    return joinItems(f);
  if (name == "list") {
    HEARTH_TRY(items, iterate(in, input, offset));
    return Value(std::move(items));
  }
  if (name == "string")
    return f.string(input.str());
  if (name == "int")
    return toInt(f);
  if (name == "float")
    return toFloat(f);
  if (name == "items")
    return itemsOf(f);
  if (name == "dictsort")
    return dictSort(f);
  if (name == "selectattr" || name == "rejectattr")
    return selectItems(f, true, name == "selectattr");
  if (name == "select" || name == "reject")
    return selectItems(f, false, name == "select");
  if (name == "map")
    return mapItems(f);
  if (name == "safe")
    return input;
  if (name == "escape" || name == "e")
    return escapeHtml(f);
  if (name == "indent")
    return f.string(indentText(input.str(), f.arg(0, "width", Value(4)), f.arg(1, "first").truthy(), f.arg(2, "blank").truthy()));
  if (name == "round")
    return roundNumber(f);
  if (name == "unique")
    return uniqueItems(f);
  if (name == "sort")
    return sortItems(f);
  if (name == "min" || name == "max")
    return minMax(f, name == "max");
  if (name == "abs") {
    if (input.isInt() || input.isBool())
      return Value(input.asInt() < 0 ? -input.asInt() : input.asInt());
    if (input.isFloat())
      return Value(std::fabs(input.asFloat()));
    return f.error(fmt::format("bad operand type for abs(): '{}'", typeName(input)));
  }
  if (name == "reverse") {
    if (input.isString())
      return slice(in, input, Value(), Value(), Value(-1), offset);
    HEARTH_TRY(items, iterate(in, input, offset));
    std::reverse(items.begin(), items.end());
    return Value(std::move(items));
  }
  if (name == "sum") {
    HEARTH_TRY(items, iterate(in, input, offset));
    Value attr = f.arg(0, "attribute");
    Value total = f.arg(1, "start", Value(0));
    for (const auto &item : items) {
      HEARTH_TRY(t, binaryOperation(in, "+", total, attr.isUndefined() ? item : getPath(item, attr.str()), offset));
      total = std::move(t);
    }
    return total;
  }
  if (name == "attr")
    return attribute(input, f.arg(0, "name").str());
  if (name == "wordcount") {
    auto words = callMethod(in, Value(input.str()), "split", Args{}, offset);
    if (!words)
      return words;
    return Value(std::int64_t(words->asArray().size()));
  }
  return in.error(ErrorCode::Unsupported, offset, fmt::format("unknown filter '{}'", name));
}

Result<bool> applyTest(Interpreter &in, const std::string &name, const Value &v, const Args &args, std::uint32_t offset)
{
  auto arg = [&](std::size_t i) { const Value *a = args.get(i, ""); return a ? *a : Value(); };
  using K = Value::Kind;
  if (name == "defined")
    return !v.isUndefined();
  if (name == "undefined")
    return v.isUndefined();
  if (name == "none")
    return v.isNone();
  if (name == "boolean")
    return v.isBool();
  if (name == "true")
    return v.isBool() && v.asBool();
  if (name == "false")
    return v.isBool() && !v.asBool();
  if (name == "integer")
    return v.isInt();
  if (name == "float")
    return v.isFloat();
  if (name == "number")
    return v.isNumber() || v.isBool();
  if (name == "string")
    return v.isString();
  if (name == "mapping")
    return v.isObject();
  if (name == "iterable" || name == "sequence")
    return v.kind() == K::String || v.kind() == K::Array || v.kind() == K::Object || v.kind() == K::Undefined;
  if (name == "callable")
    return v.isCallable();
  if (name == "lower" || name == "upper") {
    if (!v.isString())
      return false;
    const std::string &s = v.asString();
    bool cased = false;
    for (char c : s)
      if (std::isalpha(static_cast<unsigned char>(c))) {
        cased = true;
        if ((name == "lower") != (std::islower(static_cast<unsigned char>(c)) != 0))
          return false;
      }
    return cased;
  }
  if (name == "odd" || name == "even" || name == "divisibleby") {
    if (!v.isInt() && !v.isBool())
      return in.error(ErrorCode::Format, offset, fmt::format("test '{}' needs an integer, not '{}'", name, typeName(v)));
    std::int64_t d = name == "divisibleby" ? arg(0).asInt() : 2;
    if (d == 0)
      return in.error(ErrorCode::Format, offset, "divisibleby(0)");
    bool divisible = v.asInt() % d == 0;
    return name == "odd" ? !divisible : divisible;
  }
  static const std::pair<std::string_view, std::string_view> comparisons[] = {
      {"equalto", "=="}, {"eq", "=="}, {"==", "=="}, {"sameas", "=="}, {"ne", "!="}, {"!=", "!="},
      {"lt", "<"}, {"<", "<"}, {"le", "<="}, {"<=", "<="}, {"gt", ">"}, {">", ">"}, {"ge", ">="}, {">=", ">="}};
  for (const auto &[test, op] : comparisons)
    if (name == test) {
      if (name == "sameas" && v.kind() != arg(0).kind())
        return false;
      HEARTH_TRY(r, binaryOperation(in, std::string(op), v, arg(0), offset));
      return r.truthy();
    }
  if (name == "in")
    return contains(in, arg(0), v, offset);
  if (name == "escaped")
    return false;
  return in.error(ErrorCode::Unsupported, offset, fmt::format("unknown test '{}'", name));
}

#undef HEARTH_TRY

} // namespace hearth::tmpl
