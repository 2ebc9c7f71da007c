// Expression parsing for one tag's tokens (internal to parser.cpp).
#pragma once

#include "template/lexer.h"
#include "template/parser.h"

#include <algorithm>
#include <initializer_list>

namespace hearth::tmpl {

inline ExprPtr makeExpr(Expr::Kind kind, std::uint32_t offset)
{
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->offset = offset;
  return e;
}

// Expression parser over one tag's tokens, with Jinja's precedence:
// condexpr < or < and < not < compare < + - < ~ < * / // % < ** < unary < filter/test < postfix.
class ExprParser {
public:
  ExprParser(const std::string &source, std::vector<Token> tokens) : m_source(source), m_tokens(std::move(tokens)) {}

  const Token &peek(std::size_t ahead = 0) const { return m_tokens[std::min(m_pos + ahead, m_tokens.size() - 1)]; }
  bool atEnd() const { return peek().kind == Token::Kind::End; }
  bool isOp(std::string_view op, std::size_t ahead = 0) const
  {
    return peek(ahead).kind == Token::Kind::Operator && peek(ahead).text == op;
  }
  bool isName(std::string_view name, std::size_t ahead = 0) const
  {
    return peek(ahead).kind == Token::Kind::Name && peek(ahead).text == name;
  }
  const Token &next() { return m_tokens[std::min(m_pos++, m_tokens.size() - 1)]; }

  std::unexpected<Error> error(const Token &at, std::string_view what) const
  {
    return fail(ErrorCode::Format, "{}: {}", describeOffset(m_source, at.offset), what);
  }
  std::unexpected<Error> unexpected() const
  {
    const Token &t = peek();
    return error(t, t.kind == Token::Kind::End ? std::string("unexpected end of tag")
                                               : fmt::format("unexpected '{}'", t.text));
  }
  Status expectOp(std::string_view op)
  {
    if (!isOp(op))
      return error(peek(), fmt::format("expected '{}'{}", op, atEnd() ? "" : fmt::format(" before '{}'", peek().text)));
    ++m_pos;
    return {};
  }
  Result<std::string> expectName()
  {
    if (peek().kind != Token::Kind::Name)
      return unexpected();
    return next().text;
  }
  Status expectEnd() { return atEnd() ? Status{} : Status(unexpected()); }

  // A finished node: checks the tree height limit.
  Result<ExprPtr> done(ExprPtr e)
  {
    int h = 0;
    for (const auto &a : e->args)
      if (a)
        h = std::max(h, a->height);
    for (const auto &[k, v] : e->kwargs)
      h = std::max(h, v->height);
    e->height = h + 1;
    if (e->height > kMaxExpressionHeight)
      return fail(ErrorCode::Budget, "{}: expression nested deeper than {} levels",
                  describeOffset(m_source, e->offset), kMaxExpressionHeight);
    return e;
  }
  Result<ExprPtr> binary(std::string op, ExprPtr left, ExprPtr right, std::uint32_t offset)
  {
    auto e = makeExpr(Expr::Kind::Binary, offset);
    e->name = std::move(op);
    e->args.push_back(std::move(left));
    e->args.push_back(std::move(right));
    return done(std::move(e));
  }

#define HEARTH_TRY(var, expr)                                                                      \
  auto var##_r = (expr);                                                                           \
  if (!var##_r)                                                                                    \
    return std::unexpected(var##_r.error());                                                      \
  auto var = std::move(*var##_r);

  // expression (, expression)* — a bare tuple as in `{{ a, b }}` or `set x = 1, 2`.
  Result<ExprPtr> parseTuple(bool withCondexpr = true)
  {
    std::uint32_t offset = peek().offset;
    HEARTH_TRY(first, withCondexpr ? parseExpression() : parseOr());
    if (!isOp(","))
      return first;
    auto tuple = makeExpr(Expr::Kind::Tuple, offset);
    tuple->args.push_back(std::move(first));
    while (isOp(",")) {
      ++m_pos;
      if (atEnd())
        break;
      HEARTH_TRY(item, withCondexpr ? parseExpression() : parseOr());
      tuple->args.push_back(std::move(item));
    }
    return done(std::move(tuple));
  }

  Result<ExprPtr> parseExpression()
  {
    HEARTH_TRY(value, parseOr());
    while (isName("if")) {
      std::uint32_t offset = next().offset;
      HEARTH_TRY(condition, parseOr());
      ExprPtr otherwise;
      if (isName("else")) {
        ++m_pos;
        HEARTH_TRY(o, parseExpression());
        otherwise = std::move(o);
      }
      auto e = makeExpr(Expr::Kind::Cond, offset);
      e->args.push_back(std::move(condition));
      e->args.push_back(std::move(value));
      e->args.push_back(std::move(otherwise));
      HEARTH_TRY(d, done(std::move(e)));
      value = std::move(d);
    }
    return value;
  }

  Result<ExprPtr> parseOr()
  {
    HEARTH_TRY(left, parseAnd());
    while (isName("or")) {
      std::uint32_t offset = next().offset;
      HEARTH_TRY(right, parseAnd());
      HEARTH_TRY(b, binary("or", std::move(left), std::move(right), offset));
      left = std::move(b);
    }
    return left;
  }

  Result<ExprPtr> parseAnd()
  {
    HEARTH_TRY(left, parseNot());
    while (isName("and")) {
      std::uint32_t offset = next().offset;
      HEARTH_TRY(right, parseNot());
      HEARTH_TRY(b, binary("and", std::move(left), std::move(right), offset));
      left = std::move(b);
    }
    return left;
  }

  Result<ExprPtr> parseNot()
  {
    if (isName("not")) {
      std::uint32_t offset = next().offset;
      if (++m_depth > kMaxExpressionHeight)
        return fail(ErrorCode::Budget, "{}: expression nested deeper than {} levels",
                    describeOffset(m_source, offset), kMaxExpressionHeight);
      HEARTH_TRY(operand, parseNot());
      --m_depth;
      auto e = makeExpr(Expr::Kind::Unary, offset);
      e->name = "not";
      e->args.push_back(std::move(operand));
      return done(std::move(e));
    }
    return parseCompare();
  }

  Result<ExprPtr> parseCompare()
  {
    HEARTH_TRY(left, parseMath1());
    ExprPtr result;
    for (;;) {
      std::string op;
      const Token &t = peek();
      if (t.kind == Token::Kind::Operator && (t.text == "==" || t.text == "!=" || t.text == "<" ||
                                              t.text == ">" || t.text == "<=" || t.text == ">="))
        op = t.text;
      else if (isName("in"))
        op = "in";
      else if (isName("not") && isName("in", 1))
        op = "not in";
      else
        break;
      m_pos += op == "not in" ? 2 : 1;
      HEARTH_TRY(right, parseMath1());
      if (result)
        return fail(ErrorCode::Unsupported, "{}: chained comparisons are not supported",
                    describeOffset(m_source, t.offset));
      HEARTH_TRY(cmp, binary(op, std::move(left), std::move(right), t.offset));
      result = std::move(cmp);
      if (!(isOp("==") || isOp("!=") || isOp("<") || isOp(">") || isOp("<=") || isOp(">=") ||
            isName("in") || (isName("not") && isName("in", 1))))
        break;
    }
    return result ? std::move(result) : std::move(left);
  }

  Result<ExprPtr> parseBinaryLevel(std::initializer_list<std::string_view> ops, Result<ExprPtr> (ExprParser::*sub)())
  {
    HEARTH_TRY(left, (this->*sub)());
    for (;;) {
      const Token &t = peek();
      if (t.kind != Token::Kind::Operator || std::find(ops.begin(), ops.end(), t.text) == ops.end())
        break;
      std::string op = next().text;
      HEARTH_TRY(right, (this->*sub)());
      HEARTH_TRY(b, binary(op, std::move(left), std::move(right), t.offset));
      left = std::move(b);
    }
    return left;
  }
  Result<ExprPtr> parseMath1() { return parseBinaryLevel({"+", "-"}, &ExprParser::parseConcat); }
  Result<ExprPtr> parseConcat() { return parseBinaryLevel({"~"}, &ExprParser::parseMath2); }
  Result<ExprPtr> parseMath2() { return parseBinaryLevel({"*", "/", "//", "%"}, &ExprParser::parsePow); }
  Result<ExprPtr> parsePow() { return parseBinaryLevel({"**"}, &ExprParser::parseUnaryWithFilters); }
  Result<ExprPtr> parseUnaryWithFilters() { return parseUnary(true); }

  Result<ExprPtr> parseUnary(bool withFilter)
  {
    ExprPtr node;
    if (isOp("-") || isOp("+")) {
      const Token &t = next();
      if (++m_depth > kMaxExpressionHeight)
        return fail(ErrorCode::Budget, "{}: expression nested deeper than {} levels",
                    describeOffset(m_source, t.offset), kMaxExpressionHeight);
      HEARTH_TRY(operand, parseUnary(false));
      --m_depth;
      auto e = makeExpr(Expr::Kind::Unary, t.offset);
      e->name = t.text;
      e->args.push_back(std::move(operand));
      HEARTH_TRY(d, done(std::move(e)));
      node = std::move(d);
    } else {
      HEARTH_TRY(p, parsePrimary());
      node = std::move(p);
    }
    HEARTH_TRY(post, parsePostfix(std::move(node)));
    if (!withFilter)
      return post;
    return parseFilterExpr(std::move(post));
  }

  Result<ExprPtr> parsePrimary()
  {
    if (++m_depth > kMaxExpressionHeight)
      return fail(ErrorCode::Budget, "{}: expression nested deeper than {} levels",
                  describeOffset(m_source, peek().offset), kMaxExpressionHeight);
    auto r = parsePrimaryInner();
    --m_depth;
    return r;
  }

  Result<ExprPtr> parsePrimaryInner()
  {
    const Token &t = peek();
    switch (t.kind) {
    case Token::Kind::Name: {
      ++m_pos;
      auto e = makeExpr(Expr::Kind::Literal, t.offset);
      if (t.text == "true" || t.text == "True")
        e->literal = Value(true);
      else if (t.text == "false" || t.text == "False")
        e->literal = Value(false);
      else if (t.text == "none" || t.text == "None")
        e->literal = Value::none();
      else {
        e->kind = Expr::Kind::Name;
        e->name = t.text;
      }
      return e;
    }
    case Token::Kind::String: {
      std::string s;
      while (peek().kind == Token::Kind::String)
        s += next().text; // adjacent literals concatenate
      auto e = makeExpr(Expr::Kind::Literal, t.offset);
      e->literal = Value(std::move(s));
      return e;
    }
    case Token::Kind::Integer:
    case Token::Kind::Float: {
      ++m_pos;
      auto e = makeExpr(Expr::Kind::Literal, t.offset);
      e->literal = t.value;
      return e;
    }
    case Token::Kind::Operator:
      if (t.text == "(") {
        ++m_pos;
        if (isOp(")")) {
          ++m_pos;
          return makeExpr(Expr::Kind::Tuple, t.offset);
        }
        HEARTH_TRY(inner, parseTuple());
        if (auto s = expectOp(")"); !s)
          return std::unexpected(s.error());
        return inner;
      }
      if (t.text == "[" || t.text == "{")
        return parseCollection();
      break;
    case Token::Kind::End: break;
    }
    return unexpected();
  }

  Result<ExprPtr> parseCollection()
  {
    const Token &open = next();
    bool isDict = open.text == "{";
    auto e = makeExpr(isDict ? Expr::Kind::Dict : Expr::Kind::List, open.offset);
    std::string close = isDict ? "}" : "]";
    while (!isOp(close)) {
      if (!e->args.empty())
        if (auto s = expectOp(","); !s)
          return std::unexpected(s.error());
      if (isOp(close))
        break;
      HEARTH_TRY(item, parseExpression());
      e->args.push_back(std::move(item));
      if (isDict) {
        if (auto s = expectOp(":"); !s)
          return std::unexpected(s.error());
        HEARTH_TRY(value, parseExpression());
        e->args.push_back(std::move(value));
      }
    }
    ++m_pos;
    return done(std::move(e));
  }

  Status parseCallArgs(Expr &call)
  {
    // after '('
    std::size_t before = call.args.size();
    while (!isOp(")")) {
      if (call.args.size() > before || !call.kwargs.empty())
        if (auto s = expectOp(","); !s)
          return s;
      if (isOp(")"))
        break;
      if (isOp("*") || isOp("**"))
        return fail(ErrorCode::Unsupported, "{}: *args and **kwargs in calls are not supported",
                    describeOffset(m_source, peek().offset));
      if (peek().kind == Token::Kind::Name && isOp("=", 1)) {
        std::string key = next().text;
        ++m_pos;
        auto v = parseExpression();
        if (!v)
          return std::unexpected(v.error());
        call.kwargs.emplace_back(std::move(key), std::move(*v));
      } else {
        if (!call.kwargs.empty())
          return error(peek(), "positional argument after keyword argument");
        auto v = parseExpression();
        if (!v)
          return std::unexpected(v.error());
        call.args.push_back(std::move(*v));
      }
    }
    ++m_pos;
    return {};
  }

  Result<ExprPtr> parsePostfix(ExprPtr node)
  {
    for (;;) {
      const Token &t = peek();
      if (isOp(".")) {
        ++m_pos;
        const Token &attr = next();
        ExprPtr e;
        if (attr.kind == Token::Kind::Name) {
          e = makeExpr(Expr::Kind::Attr, t.offset);
          e->name = attr.text;
          e->args.push_back(std::move(node));
        } else if (attr.kind == Token::Kind::Integer) {
          e = makeExpr(Expr::Kind::Index, t.offset);
          e->args.push_back(std::move(node));
          auto index = makeExpr(Expr::Kind::Literal, attr.offset);
          index->literal = attr.value;
          e->args.push_back(std::move(index));
        } else {
          return error(attr, "expected an attribute name after '.'");
        }
        HEARTH_TRY(d, done(std::move(e)));
        node = std::move(d);
      } else if (isOp("[")) {
        ++m_pos;
        HEARTH_TRY(sub, parseSubscript(std::move(node), t.offset));
        node = std::move(sub);
      } else if (isOp("(")) {
        ++m_pos;
        auto call = makeExpr(Expr::Kind::Call, t.offset);
        call->args.push_back(std::move(node));
        if (auto s = parseCallArgs(*call); !s)
          return std::unexpected(s.error());
        HEARTH_TRY(d, done(std::move(call)));
        node = std::move(d);
      } else {
        return node;
      }
    }
  }

  Result<ExprPtr> parseSubscript(ExprPtr target, std::uint32_t offset)
  {
    ExprPtr parts[3];
    bool isSlice = false;
    for (int part = 0; part < 3; ++part) {
      if (!isOp(":") && !isOp("]")) {
        HEARTH_TRY(e, parseExpression());
        parts[part] = std::move(e);
      }
      if (!isOp(":"))
        break;
      isSlice = true;
      ++m_pos;
    }
    if (auto s = expectOp("]"); !s)
      return std::unexpected(s.error());
    auto e = makeExpr(isSlice ? Expr::Kind::Slice : Expr::Kind::Index, offset);
    e->args.push_back(std::move(target));
    if (!isSlice && !parts[0])
      return error(peek(), "empty subscript");
    for (int part = 0; part < (isSlice ? 3 : 1); ++part)
      e->args.push_back(std::move(parts[part]));
    return done(std::move(e));
  }

  Result<ExprPtr> parseFilterExpr(ExprPtr node)
  {
    for (;;) {
      const Token &t = peek();
      if (isOp("|")) {
        ++m_pos;
        HEARTH_TRY(name, expectName());
        auto e = makeExpr(Expr::Kind::Filter, t.offset);
        e->name = std::move(name);
        e->args.push_back(std::move(node));
        if (isOp("(")) {
          ++m_pos;
          if (auto s = parseCallArgs(*e); !s)
            return std::unexpected(s.error());
        }
        HEARTH_TRY(d, done(std::move(e)));
        node = std::move(d);
      } else if (isName("is")) {
        ++m_pos;
        auto e = makeExpr(Expr::Kind::Test, t.offset);
        if (isName("not")) {
          ++m_pos;
          e->negated = true;
        }
        HEARTH_TRY(name, expectName());
        e->name = std::move(name);
        e->args.push_back(std::move(node));
        const Token &a = peek();
        if (isOp("(")) {
          ++m_pos;
          if (auto s = parseCallArgs(*e); !s)
            return std::unexpected(s.error());
        } else if ((a.kind == Token::Kind::Name || a.kind == Token::Kind::String || a.kind == Token::Kind::Integer ||
                    a.kind == Token::Kind::Float || isOp("[") || isOp("{")) &&
                   !isName("else") && !isName("or") && !isName("and") && !isName("if")) {
          HEARTH_TRY(arg, parsePrimary());
          HEARTH_TRY(argPost, parsePostfix(std::move(arg)));
          e->args.push_back(std::move(argPost));
        }
        HEARTH_TRY(d, done(std::move(e)));
        node = std::move(d);
      } else if (isOp("(")) {
        ++m_pos;
        auto call = makeExpr(Expr::Kind::Call, t.offset);
        call->args.push_back(std::move(node));
        if (auto s = parseCallArgs(*call); !s)
          return std::unexpected(s.error());
        HEARTH_TRY(d, done(std::move(call)));
        node = std::move(d);
      } else {
        return node;
      }
    }
  }

  // for/set targets: name or name, name; returns the names.
  Result<std::vector<std::string>> parseTargets()
  {
    std::vector<std::string> names;
    bool paren = isOp("(");
    if (paren)
      ++m_pos;
    do {
      if (!names.empty())
        ++m_pos; // ','
      HEARTH_TRY(n, expectName());
      names.push_back(std::move(n));
    } while (isOp(","));
    if (paren)
      if (auto s = expectOp(")"); !s)
        return std::unexpected(s.error());
    return names;
  }

#undef HEARTH_TRY

private:
  const std::string &m_source;
  std::vector<Token> m_tokens;
  std::size_t m_pos = 0;
  int m_depth = 0;
};

} // namespace hearth::tmpl
