// Tree-walking evaluation of a parsed template under a TemplateBudget.
#pragma once

#include "hearth/chat_template.h"
#include "template/ast.h"

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hearth::tmpl {

struct Callable {
  enum class Kind { Macro, Builtin, Method };
  Kind kind;
  const Node *macro = nullptr; // Macro: its definition (owned by the Program)
  std::string name;            // Builtin or Method name
  Value receiver;              // Method: the object it is bound to
};

// Call arguments: positional, then keyword.
struct Args {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;

  // The argument at position `index` or named `name`; nullptr when absent.
  const Value *get(std::size_t index, std::string_view name) const;
  std::size_t count() const { return positional.size() + keyword.size(); }
};

class Interpreter {
public:
  Interpreter(const Program &program, const TemplateBudget &budget, std::optional<std::tm> now);

  Result<std::string> run(const std::vector<std::pair<std::string, Value>> &variables);

  // For builtins: errors carry the template name, line and column.
  std::unexpected<Error> error(ErrorCode code, std::uint32_t offset, std::string_view what) const;
  // Counts work; fails with ErrorCode::Budget when a limit is crossed.
  Status chargeSteps(std::uint64_t steps, std::uint32_t offset);
  Status chargeBytes(std::size_t bytes, std::uint32_t offset);
  // Checks a string about to be built is within the size budget, and counts it.
  Status checkString(std::size_t bytes, std::uint32_t offset);
  Result<Value> call(const Value &callee, const Args &args, std::uint32_t offset);
  const std::tm &now() const { return m_now; }

private:
  enum class Flow { Normal, Break, Continue };
  using Scope = std::vector<std::pair<std::string, Value>>;
  struct LoopState { // what `loop.*` reads, kept out of the scopes to keep iterations cheap
    std::size_t scope;
    std::int64_t index;
    const Value::Array *items;
  };
  const LoopState *currentLoop() const;
  static Value loopField(const LoopState &loop, std::string_view name);

  Result<Flow> exec(const Body &body);
  Result<Flow> execNode(const Node &node);
  Result<Flow> execFor(const Node &node);
  Status execSet(const Node &node);
  Status emit(std::string_view text, std::uint32_t offset);
  Result<std::string> capture(const Body &body);

  Result<Value> eval(const Expr &e);
  Result<Value> evalAttr(const Expr &e);
  Result<Value> evalIndex(const Expr &e);
  Result<Value> evalSlice(const Expr &e);
  Result<Value> evalCall(const Expr &e);
  Result<Value> evalBinary(const Expr &e);
  Result<Args> evalArgs(const Expr &e, std::size_t firstArg);
  Result<Value> callMacro(const Callable &macro, const Args &args, std::uint32_t offset);

  Value lookup(std::string_view name) const;
  void assign(std::string name, Value value);
  Status unpack(const std::vector<std::string> &targets, const Value &value, std::uint32_t offset);

  const Program &m_program;
  TemplateBudget m_budget;
  std::tm m_now{};
  std::chrono::steady_clock::time_point m_deadline;
  std::uint64_t m_steps = 0;
  std::size_t m_allocated = 0;
  int m_depth = 0;
  std::vector<Scope> m_scopes;
  std::vector<LoopState> m_loops;
  std::size_t m_frameBase = 0; // lookups see scopes [m_frameBase, top] and scope 0
  std::string *m_out = nullptr;
};

// The value's type as Python names it, for error messages ("str", "int", "list", ...).
const char *typeName(const Value &v);
// A short description of an expression for error messages ("messages[0].role").
std::string describe(const Expr &e);

// Python-semantics helpers shared by the interpreter and builtins (builtins.cpp, operations.cpp).
Result<Value> binaryOperation(Interpreter &in, const std::string &op, const Value &a, const Value &b, std::uint32_t offset);
Result<bool> lessThan(Interpreter &in, const Value &a, const Value &b, std::uint32_t offset);
Result<bool> contains(Interpreter &in, const Value &container, const Value &item, std::uint32_t offset);
// Items a for loop or filter iterates over (dict keys, string characters, list items).
Result<Value::Array> iterate(Interpreter &in, const Value &v, std::uint32_t offset);
Value attribute(const Value &object, std::string_view name); // no error: undefined when absent
Value subscript(const Value &object, const Value &key);
Result<Value> slice(Interpreter &in, const Value &object, const Value &start, const Value &stop, const Value &step, std::uint32_t offset);

bool hasMethod(const Value &receiver, std::string_view name);
Result<Value> callMethod(Interpreter &in, const Value &receiver, const std::string &name, const Args &args, std::uint32_t offset);
Result<Value> applyFilter(Interpreter &in, const std::string &name, const Value &input, const Args &args, std::uint32_t offset);
Result<bool> applyTest(Interpreter &in, const std::string &name, const Value &input, const Args &args, std::uint32_t offset);
bool isGlobalFunction(std::string_view name);
Result<Value> callGlobal(Interpreter &in, const std::string &name, const Args &args, std::uint32_t offset);

} // namespace hearth::tmpl
