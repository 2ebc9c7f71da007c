#include "template/interpreter.h"

#include "template/text.h"

#include <algorithm>

namespace hearth::tmpl {

#define HEARTH_TRY(var, expr)                                                                      \
  auto var##_r = (expr);                                                                           \
  if (!var##_r)                                                                                    \
    return std::unexpected(var##_r.error());                                                      \
  auto var = std::move(*var##_r);

#define HEARTH_CHECK(expr)                                                                         \
  if (auto check_ = (expr); !check_)                                                               \
    return std::unexpected(check_.error());

const Value *Args::get(std::size_t index, std::string_view name) const
{
  if (index < positional.size())
    return &positional[index];
  for (const auto &[k, v] : keyword)
    if (k == name)
      return &v;
  return nullptr;
}

Interpreter::Interpreter(const Program &program, const TemplateBudget &budget, std::optional<std::tm> now)
    : m_program(program), m_budget(budget)
{
  if (now) {
    m_now = *now;
  } else {
    std::time_t t = std::time(nullptr);
    localtime_r(&t, &m_now);
  }
}

std::unexpected<Error> Interpreter::error(ErrorCode code, std::uint32_t offset, std::string_view what) const
{
  return fail(code, "[template] {}: {}: {}", m_program.name, describeOffset(m_program.source, offset), what);
}

Status Interpreter::chargeSteps(std::uint64_t steps, std::uint32_t offset)
{
  std::uint64_t before = m_steps;
  m_steps += steps;
  if (m_steps > m_budget.maxSteps)
    return error(ErrorCode::Budget, offset, fmt::format("step budget exceeded ({} steps)", m_budget.maxSteps));
  if ((before >> 10) != (m_steps >> 10) && std::chrono::steady_clock::now() > m_deadline)
    return error(ErrorCode::Budget, offset, fmt::format("wall time budget exceeded ({} ms)", m_budget.maxWallTime.count()));
  return {};
}

Status Interpreter::chargeBytes(std::size_t bytes, std::uint32_t offset)
{
  if (bytes > m_budget.maxAllocatedBytes - std::min(m_allocated, m_budget.maxAllocatedBytes) ||
      m_allocated + bytes > m_budget.maxAllocatedBytes)
    return error(ErrorCode::Budget, offset,
                 fmt::format("memory budget exceeded ({} bytes of strings and lists built)", m_budget.maxAllocatedBytes));
  m_allocated += bytes;
  return chargeSteps(bytes / 4096, offset);
}

Status Interpreter::checkString(std::size_t bytes, std::uint32_t offset)
{
  if (bytes > m_budget.maxOutputBytes)
    return error(ErrorCode::Budget, offset,
                 fmt::format("output budget exceeded: a string of {} bytes (limit {})", bytes, m_budget.maxOutputBytes));
  return chargeBytes(bytes, offset);
}

Result<std::string> Interpreter::run(const std::vector<std::pair<std::string, Value>> &variables)
{
  m_deadline = std::chrono::steady_clock::now() + m_budget.maxWallTime;
  m_scopes.assign(1, Scope{});
  for (const auto &[name, value] : variables)
    assign(name, value);
  std::string out;
  m_out = &out;
  HEARTH_TRY(flow, exec(m_program.body));
  (void)flow;
  return out;
}

Status Interpreter::emit(std::string_view text, std::uint32_t offset)
{
  if (m_out->size() + text.size() > m_budget.maxOutputBytes)
    return error(ErrorCode::Budget, offset, fmt::format("output budget exceeded ({} bytes)", m_budget.maxOutputBytes));
  m_out->append(text);
  return {};
}

Result<std::string> Interpreter::capture(const Body &body)
{
  std::string buffer;
  std::string *saved = std::exchange(m_out, &buffer);
  auto flow = exec(body);
  m_out = saved;
  if (!flow)
    return std::unexpected(flow.error());
  return buffer;
}

const Interpreter::LoopState *Interpreter::currentLoop() const
{
  return !m_loops.empty() && m_loops.back().scope >= m_frameBase ? &m_loops.back() : nullptr;
}

Value Interpreter::loopField(const LoopState &loop, std::string_view name)
{
  const auto &items = *loop.items;
  const std::int64_t i = loop.index, n = std::int64_t(items.size());
  if (name == "index")
    return Value(i + 1);
  if (name == "index0")
    return Value(i);
  if (name == "revindex")
    return Value(n - i);
  if (name == "revindex0")
    return Value(n - i - 1);
  if (name == "first")
    return Value(i == 0);
  if (name == "last")
    return Value(i == n - 1);
  if (name == "length")
    return Value(n);
  if (name == "depth")
    return Value(1);
  if (name == "depth0")
    return Value(0);
  if (name == "previtem")
    return i > 0 ? items[std::size_t(i - 1)] : Value();
  if (name == "nextitem")
    return i + 1 < n ? items[std::size_t(i + 1)] : Value();
  return Value();
}

Value Interpreter::lookup(std::string_view name) const
{
  for (std::size_t i = m_scopes.size(); i-- > m_frameBase;)
    for (const auto &[k, v] : m_scopes[i])
      if (k == name)
        return v;
  if (m_frameBase > 0)
    for (const auto &[k, v] : m_scopes[0])
      if (k == name)
        return v;
  if (name == "loop") {
    if (const LoopState *loop = currentLoop()) {
      Value::Object fields;
      for (std::string_view field : {"index", "index0", "revindex", "revindex0", "first", "last", "length",
                                     "depth", "depth0", "previtem", "nextitem"})
        fields.emplace_back(std::string(field), loopField(*loop, field));
      return Value(std::move(fields));
    }
  }
  if (isGlobalFunction(name))
    return Value::callable(std::make_shared<const Callable>(Callable{Callable::Kind::Builtin, nullptr, std::string(name), {}}));
  return {};
}

void Interpreter::assign(std::string name, Value value)
{
  for (auto &[k, v] : m_scopes.back())
    if (k == name) {
      v = std::move(value);
      return;
    }
  m_scopes.back().emplace_back(std::move(name), std::move(value));
}

Status Interpreter::unpack(const std::vector<std::string> &targets, const Value &value, std::uint32_t offset)
{
  if (targets.size() == 1) {
    assign(targets[0], value);
    return {};
  }
  HEARTH_TRY(items, iterate(*this, value, offset));
  if (items.size() != targets.size())
    return error(ErrorCode::Format, offset,
                 fmt::format("cannot unpack {} values into {} names", items.size(), targets.size()));
  for (std::size_t i = 0; i < targets.size(); ++i)
    assign(targets[i], items[i]);
  return {};
}

Result<Interpreter::Flow> Interpreter::exec(const Body &body)
{
  for (const auto &node : body) {
    HEARTH_TRY(flow, execNode(*node));
    if (flow != Flow::Normal)
      return flow;
  }
  return Flow::Normal;
}

Result<Interpreter::Flow> Interpreter::execNode(const Node &node)
{
  HEARTH_CHECK(chargeSteps(1, node.offset));
  switch (node.kind) {
  case Node::Kind::Text:
    HEARTH_CHECK(emit(node.text, node.offset));
    return Flow::Normal;
  case Node::Kind::Output: {
    HEARTH_TRY(v, eval(*node.expr));
    HEARTH_CHECK(emit(v.isString() ? v.asString() : v.str(), node.offset));
    return Flow::Normal;
  }
  case Node::Kind::If:
    for (const auto &[condition, body] : node.branches) {
      bool taken = true;
      if (condition) {
        HEARTH_TRY(c, eval(*condition));
        taken = c.truthy();
      }
      if (taken)
        return exec(body);
    }
    return Flow::Normal;
  case Node::Kind::For: return execFor(node);
  case Node::Kind::Set:
  case Node::Kind::SetBlock:
    HEARTH_CHECK(execSet(node));
    return Flow::Normal;
  case Node::Kind::Macro:
    assign(node.name, Value::callable(std::make_shared<const Callable>(Callable{Callable::Kind::Macro, &node, node.name, {}})));
    return Flow::Normal;
  case Node::Kind::FilterBlock: {
    HEARTH_TRY(text, capture(node.body));
    HEARTH_TRY(args, evalArgs(*node.filter, 1));
    HEARTH_TRY(v, applyFilter(*this, node.filter->name, Value(std::move(text)), args, node.offset));
    HEARTH_CHECK(emit(v.str(), node.offset));
    return Flow::Normal;
  }
  case Node::Kind::Break: return Flow::Break;
  case Node::Kind::Continue: return Flow::Continue;
  case Node::Kind::Scope: {
    m_scopes.emplace_back();
    auto flow = exec(node.body);
    m_scopes.pop_back();
    return flow;
  }
  }
  return Flow::Normal;
}

Status Interpreter::execSet(const Node &node)
{
  Value value;
  if (node.kind == Node::Kind::SetBlock) {
    HEARTH_TRY(text, capture(node.body));
    value = Value(std::move(text));
  } else {
    HEARTH_TRY(v, eval(*node.expr));
    value = std::move(v);
  }
  if (node.attribute.empty())
    return unpack(node.targets, value, node.offset);
  Value target = lookup(node.targets[0]);
  if (!target.isNamespace())
    return error(ErrorCode::Format, node.offset,
                 fmt::format("cannot assign attribute '{}' on '{}', which is not a namespace()", node.attribute, node.targets[0]));
  auto &attributes = target.namespaceAttributes();
  for (auto &[k, v] : attributes)
    if (k == node.attribute) {
      v = std::move(value);
      return {};
    }
  attributes.emplace_back(node.attribute, std::move(value));
  return {};
}

Result<Interpreter::Flow> Interpreter::execFor(const Node &node)
{
  HEARTH_TRY(iterable, eval(*node.expr));
  HEARTH_TRY(all, iterate(*this, iterable, node.expr->offset));
  Value::Array items;
  if (node.filter) {
    for (const auto &item : all) {
      m_scopes.emplace_back();
      auto status = unpack(node.targets, item, node.offset);
      auto keep = status ? eval(*node.filter) : Result<Value>(std::unexpected(status.error()));
      m_scopes.pop_back();
      if (!keep)
        return std::unexpected(keep.error());
      if (keep->truthy())
        items.push_back(item);
    }
  } else {
    items = std::move(all);
  }
  if (++m_depth > m_budget.maxDepth) {
    --m_depth;
    return error(ErrorCode::Budget, node.offset, fmt::format("depth budget exceeded ({} nested loops and macro calls)", m_budget.maxDepth));
  }
  const auto length = std::int64_t(items.size());
  Result<Flow> result = Flow::Normal;
  m_loops.push_back({m_scopes.size(), 0, &items});
  for (std::int64_t i = 0; i < length; ++i) {
    m_scopes.emplace_back();
    m_loops.back().index = i;
    auto charged = chargeSteps(1, node.offset);
    if (!charged) {
      result = std::unexpected(charged.error());
      m_scopes.pop_back();
      break;
    }
    auto status = unpack(node.targets, items[std::size_t(i)], node.offset);
    result = status ? exec(node.body) : Result<Flow>(std::unexpected(status.error()));
    m_scopes.pop_back();
    if (!result || *result == Flow::Break)
      break;
  }
  m_loops.pop_back();
  --m_depth;
  if (!result)
    return result;
  if (length == 0 && !node.elseBody.empty())
    return exec(node.elseBody);
  return Flow::Normal;
}

Result<Args> Interpreter::evalArgs(const Expr &e, std::size_t firstArg)
{
  Args args;
  for (std::size_t i = firstArg; i < e.args.size(); ++i) {
    HEARTH_TRY(v, eval(*e.args[i]));
    args.positional.push_back(std::move(v));
  }
  for (const auto &[name, expr] : e.kwargs) {
    HEARTH_TRY(v, eval(*expr));
    args.keyword.emplace_back(name, std::move(v));
  }
  return args;
}

Result<Value> Interpreter::eval(const Expr &e)
{
  HEARTH_CHECK(chargeSteps(1, e.offset));
  switch (e.kind) {
  case Expr::Kind::Literal: return e.literal;
  case Expr::Kind::Name: return lookup(e.name);
  case Expr::Kind::List:
  case Expr::Kind::Tuple: {
    Value::Array items;
    for (const auto &a : e.args) {
      HEARTH_TRY(v, eval(*a));
      items.push_back(std::move(v));
    }
    HEARTH_CHECK(chargeBytes(items.size() * sizeof(Value), e.offset));
    return Value(std::move(items));
  }
  case Expr::Kind::Dict: {
    Value::Object items;
    for (std::size_t i = 0; i + 1 < e.args.size(); i += 2) {
      HEARTH_TRY(k, eval(*e.args[i]));
      HEARTH_TRY(v, eval(*e.args[i + 1]));
      std::string key = k.str();
      auto it = std::find_if(items.begin(), items.end(), [&](const auto &kv) { return kv.first == key; });
      if (it != items.end())
        it->second = std::move(v);
      else
        items.emplace_back(std::move(key), std::move(v));
    }
    return Value(std::move(items));
  }
  case Expr::Kind::Attr: return evalAttr(e);
  case Expr::Kind::Index: return evalIndex(e);
  case Expr::Kind::Slice: return evalSlice(e);
  case Expr::Kind::Call: return evalCall(e);
  case Expr::Kind::Filter: {
    HEARTH_TRY(input, eval(*e.args[0]));
    HEARTH_TRY(args, evalArgs(e, 1));
    return applyFilter(*this, e.name, input, args, e.offset);
  }
  case Expr::Kind::Test: {
    HEARTH_TRY(input, eval(*e.args[0]));
    HEARTH_TRY(args, evalArgs(e, 1));
    HEARTH_TRY(result, applyTest(*this, e.name, input, args, e.offset));
    return Value(result != e.negated);
  }
  case Expr::Kind::Unary: {
    HEARTH_TRY(v, eval(*e.args[0]));
    if (e.name == "not")
      return Value(!v.truthy());
    if (v.isBool() || v.isInt())
      return e.name == "-" ? Value(-v.asInt()) : Value(v.asInt());
    if (v.isFloat())
      return e.name == "-" ? Value(-v.asFloat()) : v;
    return error(ErrorCode::Format, e.offset, fmt::format("bad operand type for unary {}: '{}'", e.name, typeName(v)));
  }
  case Expr::Kind::Binary: return evalBinary(e);
  case Expr::Kind::Cond: {
    HEARTH_TRY(c, eval(*e.args[0]));
    if (c.truthy())
      return eval(*e.args[1]);
    return e.args[2] ? eval(*e.args[2]) : Result<Value>(Value());
  }
  }
  return Value();
}

Result<Value> Interpreter::evalBinary(const Expr &e)
{
  HEARTH_TRY(a, eval(*e.args[0]));
  if (e.name == "and")
    return a.truthy() ? eval(*e.args[1]) : Result<Value>(a);
  if (e.name == "or")
    return a.truthy() ? Result<Value>(a) : eval(*e.args[1]);
  HEARTH_TRY(b, eval(*e.args[1]));
  if ((a.isUndefined() || b.isUndefined()) && e.name != "~" && e.name != "==" && e.name != "!=" &&
      e.name != "in" && e.name != "not in") {
    const Expr &which = a.isUndefined() ? *e.args[0] : *e.args[1];
    return error(ErrorCode::Format, e.offset, fmt::format("'{}' is undefined", describe(which)));
  }
  return binaryOperation(*this, e.name, a, b, e.offset);
}

Result<Value> Interpreter::evalAttr(const Expr &e)
{
  if (e.args[0]->kind == Expr::Kind::Name && e.args[0]->name == "loop")
    if (const LoopState *loop = currentLoop())
      return loopField(*loop, e.name);
  HEARTH_TRY(object, eval(*e.args[0]));
  if (object.isUndefined())
    return error(ErrorCode::Format, e.offset,
                 fmt::format("'{}' is undefined (reading attribute '{}')", describe(*e.args[0]), e.name));
  if (hasMethod(object, e.name))
    return Value::callable(std::make_shared<const Callable>(Callable{Callable::Kind::Method, nullptr, e.name, object}));
  return attribute(object, e.name);
}

Result<Value> Interpreter::evalIndex(const Expr &e)
{
  HEARTH_TRY(object, eval(*e.args[0]));
  HEARTH_TRY(key, eval(*e.args[1]));
  if (object.isUndefined())
    return error(ErrorCode::Format, e.offset, fmt::format("'{}' is undefined (reading [{}])", describe(*e.args[0]), key.repr()));
  Value v = subscript(object, key);
  if (v.isUndefined() && key.isString() && hasMethod(object, key.asString()))
    return Value::callable(std::make_shared<const Callable>(Callable{Callable::Kind::Method, nullptr, key.asString(), object}));
  return v;
}

Result<Value> Interpreter::evalSlice(const Expr &e)
{
  HEARTH_TRY(object, eval(*e.args[0]));
  Value parts[3];
  for (int i = 0; i < 3; ++i)
    if (e.args[std::size_t(i) + 1]) {
      HEARTH_TRY(v, eval(*e.args[std::size_t(i) + 1]));
      parts[i] = std::move(v);
    }
  if (object.isUndefined())
    return error(ErrorCode::Format, e.offset, fmt::format("'{}' is undefined (slicing)", describe(*e.args[0])));
  return slice(*this, object, parts[0], parts[1], parts[2], e.offset);
}

Result<Value> Interpreter::evalCall(const Expr &e)
{
  const Expr &callee = *e.args[0];
  HEARTH_TRY(args, evalArgs(e, 1));
  if (callee.kind == Expr::Kind::Attr) { // method call without building a bound method
    HEARTH_TRY(object, eval(*callee.args[0]));
    if (object.isUndefined())
      return error(ErrorCode::Format, e.offset,
                   fmt::format("'{}' is undefined (calling .{}())", describe(*callee.args[0]), callee.name));
    if (hasMethod(object, callee.name))
      return callMethod(*this, object, callee.name, args, e.offset);
    Value f = attribute(object, callee.name);
    if (!f.isCallable())
      return error(ErrorCode::Format, e.offset, fmt::format("'{}' has no method '{}'", typeName(object), callee.name));
    return call(f, args, e.offset);
  }
  HEARTH_TRY(f, eval(callee));
  if (f.isUndefined())
    return error(ErrorCode::Format, e.offset, fmt::format("'{}' is undefined", describe(callee)));
  if (!f.isCallable())
    return error(ErrorCode::Format, e.offset, fmt::format("'{}' object is not callable", typeName(f)));
  return call(f, args, e.offset);
}

Result<Value> Interpreter::call(const Value &callee, const Args &args, std::uint32_t offset)
{
  if (!callee.isCallable())
    return error(ErrorCode::Format, offset, fmt::format("'{}' object is not callable", typeName(callee)));
  const Callable &c = callee.asCallable();
  switch (c.kind) {
  case Callable::Kind::Macro: return callMacro(c, args, offset);
  case Callable::Kind::Builtin: return callGlobal(*this, c.name, args, offset);
  case Callable::Kind::Method: return callMethod(*this, c.receiver, c.name, args, offset);
  }
  return Value();
}

Result<Value> Interpreter::callMacro(const Callable &macro, const Args &args, std::uint32_t offset)
{
  const Node &def = *macro.macro;
  if (args.positional.size() > def.params.size())
    return error(ErrorCode::Format, offset,
                 fmt::format("macro '{}' takes not more than {} argument(s)", def.name, def.params.size()));
  for (const auto &[k, v] : args.keyword)
    if (std::none_of(def.params.begin(), def.params.end(), [&](const auto &p) { return p.first == k; }))
      return error(ErrorCode::Format, offset, fmt::format("macro '{}' has no argument '{}'", def.name, k));
  if (++m_depth > m_budget.maxDepth) {
    --m_depth;
    return error(ErrorCode::Budget, offset,
                 fmt::format("depth budget exceeded ({} nested loops and macro calls) in macro '{}'", m_budget.maxDepth, def.name));
  }
  std::size_t savedBase = std::exchange(m_frameBase, m_scopes.size());
  m_scopes.emplace_back();
  Result<std::string> text = std::string();
  for (std::size_t i = 0; i < def.params.size() && text; ++i) {
    const auto &[name, defaultValue] = def.params[i];
    if (const Value *given = args.get(i, name)) {
      assign(name, *given);
    } else if (defaultValue) {
      auto v = eval(*defaultValue);
      if (!v)
        text = std::unexpected(v.error());
      else
        assign(name, std::move(*v));
    } else {
      assign(name, Value());
    }
  }
  if (text)
    text = capture(def.body);
  m_scopes.pop_back();
  m_frameBase = savedBase;
  --m_depth;
  if (!text)
    return std::unexpected(text.error());
  return Value(std::move(*text));
}

#undef HEARTH_TRY
#undef HEARTH_CHECK

} // namespace hearth::tmpl
