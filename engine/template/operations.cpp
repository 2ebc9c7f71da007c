// Python semantics of operators, iteration, attribute and item access.
#include "template/interpreter.h"
#include "template/text.h"

#include <cmath>
#include <cstdint>

namespace hearth::tmpl {

const char *typeName(const Value &v)
{
  switch (v.kind()) {
  case Value::Kind::Undefined: return "Undefined";
  case Value::Kind::None: return "NoneType";
  case Value::Kind::Bool: return "bool";
  case Value::Kind::Int: return "int";
  case Value::Kind::Float: return "float";
  case Value::Kind::String: return "str";
  case Value::Kind::Array: return "list";
  case Value::Kind::Object: return "dict";
  case Value::Kind::Namespace: return "Namespace";
  case Value::Kind::Callable: return "function";
  }
  return "?";
}

std::string describe(const Expr &e)
{
  switch (e.kind) {
  case Expr::Kind::Name: return e.name;
  case Expr::Kind::Attr: return describe(*e.args[0]) + "." + e.name;
  case Expr::Kind::Index: return describe(*e.args[0]) + "[" + describe(*e.args[1]) + "]";
  case Expr::Kind::Literal: return e.literal.repr();
  case Expr::Kind::Call: return describe(*e.args[0]) + "(...)";
  case Expr::Kind::Filter: return describe(*e.args[0]) + "|" + e.name;
  default: return "expression";
  }
}

namespace {

std::unexpected<Error> typeError(Interpreter &in, std::uint32_t offset, const std::string &op, const Value &a, const Value &b)
{
  return in.error(ErrorCode::Format, offset,
                  fmt::format("unsupported operand types for {}: '{}' and '{}'", op, typeName(a), typeName(b)));
}

bool isIntLike(const Value &v) { return v.isInt() || v.isBool(); }
bool isNum(const Value &v) { return v.isNumber() || v.isBool(); }

Result<Value> repeat(Interpreter &in, const Value &seq, std::int64_t times, std::uint32_t offset)
{
  std::size_t n = times > 0 ? std::size_t(times) : 0;
  if (seq.isString()) {
    const std::string &s = seq.asString();
    std::size_t total = 0;
    if (__builtin_mul_overflow(s.size(), n, &total))
      total = SIZE_MAX;
    if (auto st = in.checkString(total, offset); !st)
      return std::unexpected(st.error());
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i)
      out += s;
    return Value(std::move(out));
  }
  const auto &items = seq.asArray();
  std::size_t total = 0;
  if (__builtin_mul_overflow(items.size() * sizeof(Value), n, &total))
    total = SIZE_MAX;
  if (auto st = in.chargeBytes(total, offset); !st)
    return std::unexpected(st.error());
  Value::Array out;
  out.reserve(items.size() * n);
  for (std::size_t i = 0; i < n; ++i)
    out.insert(out.end(), items.begin(), items.end());
  return Value(std::move(out));
}

Result<Value> arithmetic(Interpreter &in, const std::string &op, const Value &a, const Value &b, std::uint32_t offset)
{
  if (isIntLike(a) && isIntLike(b)) {
    std::int64_t x = a.asInt(), y = b.asInt(), r = 0;
    bool overflow = false;
    if (op == "+")
      overflow = __builtin_add_overflow(x, y, &r);
    else if (op == "-")
      overflow = __builtin_sub_overflow(x, y, &r);
    else if (op == "*")
      overflow = __builtin_mul_overflow(x, y, &r);
    else if (op == "/") {
      if (y == 0)
        return in.error(ErrorCode::Format, offset, "division by zero");
      return Value(double(x) / double(y));
    } else if (op == "//" || op == "%") {
      if (y == 0)
        return in.error(ErrorCode::Format, offset, "integer division or modulo by zero");
      std::int64_t q = x / y, m = x % y;
      if (m != 0 && ((m < 0) != (y < 0))) {
        q -= 1;
        m += y;
      }
      return Value(op == "//" ? q : m);
    } else if (op == "**") {
      if (y < 0)
        return Value(std::pow(double(x), double(y)));
      r = 1;
      for (std::int64_t base = x, e = y; e > 0 && !overflow; e >>= 1) {
        if (e & 1)
          overflow = __builtin_mul_overflow(r, base, &r);
        if (e > 1 && !overflow)
          overflow = __builtin_mul_overflow(base, base, &base);
      }
    }
    if (overflow)
      return in.error(ErrorCode::Unsupported, offset, fmt::format("integer overflow in {} {} {}", x, op, y));
    return Value(r);
  }
  double x = a.asFloat(), y = b.asFloat();
  if (op == "+")
    return Value(x + y);
  if (op == "-")
    return Value(x - y);
  if (op == "*")
    return Value(x * y);
  if (op == "**")
    return Value(std::pow(x, y));
  if (y == 0)
    return in.error(ErrorCode::Format, offset, "float division by zero");
  if (op == "/")
    return Value(x / y);
  double q = std::floor(x / y);
  return op == "//" ? Value(q) : Value(x - q * y);
}

} // namespace

Result<Value> binaryOperation(Interpreter &in, const std::string &op, const Value &a, const Value &b, std::uint32_t offset)
{
  if (op == "==")
    return Value(a == b);
  if (op == "!=")
    return Value(!(a == b));
  if (op == "in" || op == "not in") {
    auto r = contains(in, b, a, offset);
    if (!r)
      return std::unexpected(r.error());
    return Value(*r == (op == "in"));
  }
  if (op == "<" || op == ">" || op == "<=" || op == ">=") {
    bool swap = op == ">" || op == "<=";
    auto r = swap ? lessThan(in, b, a, offset) : lessThan(in, a, b, offset);
    if (!r)
      return std::unexpected(r.error());
    return Value(op == "<" || op == ">" ? *r : !*r);
  }
  if (op == "~") {
    std::string s = a.str() + b.str();
    if (auto st = in.checkString(s.size(), offset); !st)
      return std::unexpected(st.error());
    return Value(std::move(s));
  }
  if (isNum(a) && isNum(b))
    return arithmetic(in, op, a, b, offset);
  if (op == "+" && a.isString() && b.isString()) {
    if (auto st = in.checkString(a.asString().size() + b.asString().size(), offset); !st)
      return std::unexpected(st.error());
    return Value(a.asString() + b.asString());
  }
  if (op == "+" && a.isArray() && b.isArray()) {
    if (auto st = in.chargeBytes((a.asArray().size() + b.asArray().size()) * sizeof(Value), offset); !st)
      return std::unexpected(st.error());
    Value::Array out = a.asArray();
    out.insert(out.end(), b.asArray().begin(), b.asArray().end());
    return Value(std::move(out));
  }
  if (op == "*" && (a.isString() || a.isArray()) && isIntLike(b))
    return repeat(in, a, b.asInt(), offset);
  if (op == "*" && (b.isString() || b.isArray()) && isIntLike(a))
    return repeat(in, b, a.asInt(), offset);
  if (op == "%" && a.isString())
    return in.error(ErrorCode::Unsupported, offset, "printf-style string formatting ('...' % x) is not supported");
  return typeError(in, offset, op, a, b);
}

Result<bool> lessThan(Interpreter &in, const Value &a, const Value &b, std::uint32_t offset)
{
  if (isNum(a) && isNum(b))
    return isIntLike(a) && isIntLike(b) ? a.asInt() < b.asInt() : a.asFloat() < b.asFloat();
  if (a.isString() && b.isString())
    return a.asString() < b.asString(); // UTF-8 byte order is code point order
  if (a.isArray() && b.isArray()) {
    const auto &x = a.asArray(), &y = b.asArray();
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (x[i] == y[i])
        continue;
      return lessThan(in, x[i], y[i], offset);
    }
    return x.size() < y.size();
  }
  return in.error(ErrorCode::Format, offset,
                  fmt::format("'<' not supported between instances of '{}' and '{}'", typeName(a), typeName(b)));
}

Result<bool> contains(Interpreter &in, const Value &container, const Value &item, std::uint32_t offset)
{
  switch (container.kind()) {
  case Value::Kind::Undefined: return false;
  case Value::Kind::String:
    if (!item.isString())
      return in.error(ErrorCode::Format, offset,
                      fmt::format("'in <string>' requires string as left operand, not {}", typeName(item)));
    return container.asString().find(item.asString()) != std::string::npos;
  case Value::Kind::Array:
    for (const auto &v : container.asArray())
      if (v == item)
        return true;
    return false;
  case Value::Kind::Object:
  case Value::Kind::Namespace: return item.isString() && container.find(item.asString()) != nullptr;
  default:
    return in.error(ErrorCode::Format, offset, fmt::format("argument of type '{}' is not iterable", typeName(container)));
  }
}

Result<Value::Array> iterate(Interpreter &in, const Value &v, std::uint32_t offset)
{
  switch (v.kind()) {
  case Value::Kind::Undefined: return Value::Array{};
  case Value::Kind::Array: return v.asArray();
  case Value::Kind::Object: {
    Value::Array keys;
    for (const auto &[k, item] : v.asObject())
      keys.emplace_back(k);
    return keys;
  }
  case Value::Kind::String: {
    Value::Array chars;
    const std::string &s = v.asString();
    if (auto st = in.chargeBytes(s.size() * sizeof(Value), offset); !st)
      return std::unexpected(st.error());
    for (std::size_t i = 0; i < s.size();) {
      std::size_t start = i;
      text::decode(s, i);
      chars.emplace_back(s.substr(start, i - start));
    }
    return chars;
  }
  default:
    return in.error(ErrorCode::Format, offset, fmt::format("'{}' object is not iterable", typeName(v)));
  }
}

Value attribute(const Value &object, std::string_view name)
{
  if (object.isObject() || object.isNamespace()) {
    const Value *v = object.find(name);
    return v ? *v : Value();
  }
  return Value();
}

namespace {
// Python index normalization; false when out of range.
bool normalizeIndex(std::int64_t &index, std::size_t size)
{
  if (index < 0)
    index += std::int64_t(size);
  return index >= 0 && index < std::int64_t(size);
}
} // namespace

Value subscript(const Value &object, const Value &key)
{
  if (object.isArray() && (key.isInt() || key.isBool())) {
    std::int64_t i = key.asInt();
    return normalizeIndex(i, object.asArray().size()) ? object.asArray()[std::size_t(i)] : Value();
  }
  if (object.isString() && (key.isInt() || key.isBool())) {
    auto offsets = text::codePointOffsets(object.asString());
    std::int64_t i = key.asInt();
    if (!normalizeIndex(i, offsets.size() - 1))
      return Value();
    return Value(object.asString().substr(offsets[std::size_t(i)], offsets[std::size_t(i) + 1] - offsets[std::size_t(i)]));
  }
  if (object.isObject() || object.isNamespace()) {
    const Value *v = object.find(key.isString() ? key.asString() : key.str());
    return v ? *v : Value();
  }
  return Value();
}

Result<Value> slice(Interpreter &in, const Value &object, const Value &startV, const Value &stopV, const Value &stepV, std::uint32_t offset)
{
  auto intOr = [&](const Value &v, std::int64_t fallback, std::int64_t &out) -> bool {
    if (v.isUndefined() || v.isNone()) {
      out = fallback;
      return true;
    }
    if (!isIntLike(v))
      return false;
    out = v.asInt();
    return true;
  };
  std::int64_t step = 1;
  if (!intOr(stepV, 1, step) || step == 0)
    return in.error(ErrorCode::Format, offset, "slice step must be a non-zero integer");
  std::vector<std::size_t> offsets;
  std::int64_t size;
  if (object.isString()) {
    offsets = text::codePointOffsets(object.asString());
    size = std::int64_t(offsets.size()) - 1;
  } else if (object.isArray()) {
    size = std::int64_t(object.asArray().size());
  } else {
    return in.error(ErrorCode::Format, offset, fmt::format("'{}' object is not subscriptable", typeName(object)));
  }
  // Python's PySlice_AdjustIndices.
  auto adjust = [&](const Value &v, bool isStart, std::int64_t &out) -> bool {
    std::int64_t lower = step < 0 ? -1 : 0, upper = step < 0 ? size - 1 : size;
    std::int64_t fallback = step > 0 ? (isStart ? 0 : size) : (isStart ? size - 1 : -1);
    if (!intOr(v, fallback, out))
      return false;
    if (v.isUndefined() || v.isNone())
      return true;
    if (out < 0) {
      out += size;
      if (out < lower)
        out = lower;
    } else if (out > upper) {
      out = upper;
    }
    return true;
  };
  std::int64_t start, stop;
  if (!adjust(startV, true, start) || !adjust(stopV, false, stop))
    return in.error(ErrorCode::Format, offset, "slice indices must be integers or none");
  std::vector<std::int64_t> picks;
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
    picks.push_back(i);
  if (auto st = in.chargeSteps(picks.size(), offset); !st)
    return std::unexpected(st.error());
  if (object.isString()) {
    const std::string &s = object.asString();
    std::string out;
    for (auto i : picks)
      out.append(s, offsets[std::size_t(i)], offsets[std::size_t(i) + 1] - offsets[std::size_t(i)]);
    return Value(std::move(out));
  }
  Value::Array out;
  for (auto i : picks)
    out.push_back(object.asArray()[std::size_t(i)]);
  return Value(std::move(out));
}

} // namespace hearth::tmpl
