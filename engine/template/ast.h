// The parsed form of a chat template: statements (text, output, if, for, set,
// macro, ...) holding expression trees. Every node keeps the byte offset in the
// source it came from, so errors can name a line and column.
#pragma once

#include "hearth/template_value.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hearth::tmpl {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    Literal,  // literal
    Name,     // name
    List,     // [args...]
    Tuple,    // (args...), behaves as a list
    Dict,     // {kwargs...} with computed keys in args (key, value pairs)
    Attr,     // args[0] . name
    Index,    // args[0] [ args[1] ]
    Slice,    // args[0] [ args[1] : args[2] : args[3] ] (null parts allowed)
    Call,     // args[0] ( args[1..], kwargs )
    Filter,   // args[0] | name ( args[1..], kwargs )
    Test,     // args[0] is [not] name ( args[1..] )
    Unary,    // op args[0]: "-", "+", "not"
    Binary,   // args[0] op args[1]: + - * / // % ** ~ == != < > <= >= in "not in" and or
    Cond,     // args[1] if args[0] else args[2] (args[2] may be null)
  };
  Kind kind;
  std::uint32_t offset = 0;
  Value literal;
  std::string name; // name, attribute, filter, test or operator
  bool negated = false; // `is not`
  int height = 1;       // longest path to a leaf, bounded by the parser
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

struct Node {
  enum class Kind {
    Text,      // text
    Output,    // {{ expr }}
    If,        // branches: (condition or null for else, body)
    For,       // for targets in expr [if filter]: body [else elseBody]
    Set,       // set targets = expr, or set targets[0].attribute = expr
    SetBlock,  // set targets[0] %} body {% endset
    Macro,     // macro name(params) body
    FilterBlock, // filter name(args) body  (filterExpr holds a Filter expr over a Name "")
    Break,
    Continue,
    Scope,     // a block rendered as is ({% generation %})
  };
  Kind kind;
  std::uint32_t offset = 0;
  std::string text;
  ExprPtr expr;                 // Output / For iterable / Set value
  ExprPtr filter;               // For `if` filter / FilterBlock filter
  std::vector<std::string> targets;
  std::string attribute;        // Set on a namespace attribute
  std::vector<std::pair<ExprPtr, Body>> branches;
  Body body;
  Body elseBody;
  std::string name;             // Macro name
  std::vector<std::pair<std::string, ExprPtr>> params; // Macro params with defaults
};

struct Program {
  std::string name;
  std::string source; // newline-normalized, for line/column in errors
  Body body;
};

// "line L, column C" of a byte offset in the source.
std::string describeOffset(const std::string &source, std::uint32_t offset);

} // namespace hearth::tmpl
