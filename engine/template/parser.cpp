#include "template/parser.h"

#include "template/expr_parser.h"
#include "template/lexer.h"

#include <algorithm>
#include <optional>

namespace hearth::tmpl {

namespace {

#define HEARTH_TRY(var, expr)                                                                      \
  auto var##_r = (expr);                                                                           \
  if (!var##_r)                                                                                    \
    return std::unexpected(var##_r.error());                                                      \
  auto var = std::move(*var##_r);

#define HEARTH_CHECK(expr)                                                                         \
  if (auto check_ = (expr); !check_)                                                               \
    return std::unexpected(check_.error());

class StatementParser {
public:
  StatementParser(const std::string &source, std::vector<Segment> segments)
      : m_source(source), m_segments(std::move(segments)) {}

  Result<Body> parseAll()
  {
    Body body;
    std::optional<ExprParser> endTag;
    HEARTH_TRY(end, parseBody(body, {}, endTag, 0));
    (void)end;
    return body;
  }

private:
  std::unexpected<Error> error(ErrorCode code, std::uint32_t offset, std::string_view what) const
  {
    return fail(code, "{}: {}", describeOffset(m_source, offset), what);
  }

  // Parses nodes until a statement named in `ends` (returned, with `endTag` left
  // positioned after its keyword) or the end of the template ("" returned; an
  // error if `ends` is not empty).
  Result<std::string> parseBody(Body &body, std::initializer_list<std::string_view> ends,
                                std::optional<ExprParser> &endTag, std::uint32_t openOffset)
  {
    while (m_index < m_segments.size()) {
      const Segment &segment = m_segments[m_index++];
      if (segment.kind == Segment::Kind::Text) {
        auto node = makeNode(Node::Kind::Text, segment.offset);
        node->text = segment.text;
        body.push_back(std::move(node));
        continue;
      }
      HEARTH_TRY(tokens, tokenize(m_source, segment));
      ExprParser p(m_source, std::move(tokens));
      if (segment.kind == Segment::Kind::Expression) {
        auto node = makeNode(Node::Kind::Output, segment.tagOffset);
        HEARTH_TRY(e, p.parseTuple());
        HEARTH_CHECK(p.expectEnd());
        node->expr = std::move(e);
        body.push_back(std::move(node));
        continue;
      }
      HEARTH_TRY(keyword, p.expectName());
      if (std::find(ends.begin(), ends.end(), keyword) != ends.end()) {
        endTag.emplace(std::move(p));
        return keyword;
      }
      HEARTH_CHECK(parseStatement(keyword, p, segment.tagOffset, body));
    }
    if (ends.size() != 0)
      return error(ErrorCode::Format, openOffset,
                   fmt::format("tag is never closed: expected '{{% {} %}}'", *(ends.end() - 1)));
    return std::string();
  }

  static NodePtr makeNode(Node::Kind kind, std::uint32_t offset)
  {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->offset = offset;
    return n;
  }

  Status enter(std::uint32_t offset)
  {
    if (++m_nesting > kMaxStatementNesting)
      return error(ErrorCode::Budget, offset, fmt::format("statements nested deeper than {} levels", kMaxStatementNesting));
    return {};
  }

  // The body of a block statement, up to its end tag; checks nothing follows the end keyword.
  Result<std::string> parseBlock(Body &body, std::initializer_list<std::string_view> ends,
                                 std::optional<ExprParser> &endTag, std::uint32_t offset)
  {
    HEARTH_CHECK(enter(offset));
    auto end = parseBody(body, ends, endTag, offset);
    --m_nesting;
    return end;
  }

  Status parseIf(ExprParser &p, NodePtr &node)
  {
    HEARTH_TRY(condition, p.parseTuple(false));
    HEARTH_CHECK(p.expectEnd());
    for (;;) {
      Body branch;
      std::optional<ExprParser> endTag;
      HEARTH_TRY(end, parseBlock(branch, {"elif", "else", "endif"}, endTag, node->offset));
      node->branches.emplace_back(std::move(condition), std::move(branch));
      if (end == "endif")
        return endTag->expectEnd();
      if (end == "else") {
        HEARTH_CHECK(endTag->expectEnd());
        Body elseBody;
        std::optional<ExprParser> endIf;
        HEARTH_TRY(end2, parseBlock(elseBody, {"endif"}, endIf, node->offset));
        (void)end2;
        node->branches.emplace_back(nullptr, std::move(elseBody));
        return endIf->expectEnd();
      }
      HEARTH_TRY(next, endTag->parseTuple(false));
      HEARTH_CHECK(endTag->expectEnd());
      condition = std::move(next);
    }
  }

  Status parseFor(ExprParser &p, NodePtr &node)
  {
    HEARTH_TRY(targets, p.parseTargets());
    node->targets = std::move(targets);
    if (!p.isName("in"))
      return p.error(p.peek(), "expected 'in' in for loop");
    p.next();
    HEARTH_TRY(iterable, p.parseTuple(false));
    node->expr = std::move(iterable);
    if (p.isName("if")) {
      p.next();
      HEARTH_TRY(filter, p.parseExpression());
      node->filter = std::move(filter);
    }
    if (p.isName("recursive"))
      return error(ErrorCode::Unsupported, p.peek().offset, "recursive for loops are not supported");
    HEARTH_CHECK(p.expectEnd());
    ++m_loops;
    std::optional<ExprParser> endTag;
    auto end = parseBlock(node->body, {"else", "endfor"}, endTag, node->offset);
    --m_loops;
    if (!end)
      return std::unexpected(end.error());
    HEARTH_CHECK(endTag->expectEnd());
    if (*end == "else") {
      std::optional<ExprParser> endFor;
      HEARTH_TRY(end2, parseBlock(node->elseBody, {"endfor"}, endFor, node->offset));
      (void)end2;
      HEARTH_CHECK(endFor->expectEnd());
    }
    return {};
  }

  Status parseSet(ExprParser &p, NodePtr &node, Body &body)
  {
    HEARTH_TRY(targets, p.parseTargets());
    node->targets = std::move(targets);
    if (p.isOp(".") && node->targets.size() == 1) {
      p.next();
      HEARTH_TRY(attribute, p.expectName());
      node->attribute = std::move(attribute);
    }
    if (p.isOp("=")) {
      p.next();
      HEARTH_TRY(value, p.parseTuple());
      node->expr = std::move(value);
      HEARTH_CHECK(p.expectEnd());
      body.push_back(std::move(node));
      return {};
    }
    if (!p.atEnd() || node->targets.size() != 1 || !node->attribute.empty())
      return p.error(p.peek(), "expected '=' in set");
    node->kind = Node::Kind::SetBlock;
    std::optional<ExprParser> endTag;
    HEARTH_TRY(end, parseBlock(node->body, {"endset"}, endTag, node->offset));
    (void)end;
    HEARTH_CHECK(endTag->expectEnd());
    body.push_back(std::move(node));
    return {};
  }

  Status parseMacro(ExprParser &p, NodePtr &node)
  {
    HEARTH_TRY(name, p.expectName());
    node->name = std::move(name);
    HEARTH_CHECK(p.expectOp("("));
    while (!p.isOp(")")) {
      if (!node->params.empty())
        HEARTH_CHECK(p.expectOp(","));
      HEARTH_TRY(param, p.expectName());
      ExprPtr defaultValue;
      if (p.isOp("=")) {
        p.next();
        HEARTH_TRY(d, p.parseExpression());
        defaultValue = std::move(d);
      }
      node->params.emplace_back(std::move(param), std::move(defaultValue));
    }
    p.next();
    HEARTH_CHECK(p.expectEnd());
    int loops = std::exchange(m_loops, 0);
    std::optional<ExprParser> endTag;
    auto end = parseBlock(node->body, {"endmacro"}, endTag, node->offset);
    m_loops = loops;
    if (!end)
      return std::unexpected(end.error());
    return endTag->expectEnd();
  }

  Status parseFilterBlock(ExprParser &p, NodePtr &node)
  {
    HEARTH_TRY(name, p.expectName());
    auto filter = makeExpr(Expr::Kind::Filter, node->offset);
    filter->name = std::move(name);
    filter->args.push_back(makeExpr(Expr::Kind::Name, node->offset)); // the block's text
    if (p.isOp("(")) {
      p.next();
      HEARTH_CHECK(p.parseCallArgs(*filter));
    }
    HEARTH_CHECK(p.expectEnd());
    node->filter = std::move(filter);
    std::optional<ExprParser> endTag;
    HEARTH_TRY(end, parseBlock(node->body, {"endfilter"}, endTag, node->offset));
    (void)end;
    return endTag->expectEnd();
  }

  Status parseStatement(const std::string &keyword, ExprParser &p, std::uint32_t offset, Body &body)
  {
    static constexpr std::string_view unsupported[] = {
        "call", "include", "import", "from", "extends", "block", "with", "do", "autoescape", "trans"};
    if (std::find(std::begin(unsupported), std::end(unsupported), keyword) != std::end(unsupported))
      return error(ErrorCode::Unsupported, offset, fmt::format("the '{}' statement is not supported", keyword));
    auto node = makeNode(Node::Kind::Text, offset);
    if (keyword == "if") {
      node->kind = Node::Kind::If;
      HEARTH_CHECK(parseIf(p, node));
    } else if (keyword == "for") {
      node->kind = Node::Kind::For;
      HEARTH_CHECK(parseFor(p, node));
    } else if (keyword == "set") {
      node->kind = Node::Kind::Set;
      return parseSet(p, node, body);
    } else if (keyword == "macro") {
      node->kind = Node::Kind::Macro;
      HEARTH_CHECK(parseMacro(p, node));
    } else if (keyword == "filter") {
      node->kind = Node::Kind::FilterBlock;
      HEARTH_CHECK(parseFilterBlock(p, node));
    } else if (keyword == "break" || keyword == "continue") {
      if (m_loops == 0)
        return error(ErrorCode::Format, offset, fmt::format("'{}' outside of a for loop", keyword));
      node->kind = keyword == "break" ? Node::Kind::Break : Node::Kind::Continue;
      HEARTH_CHECK(p.expectEnd());
    } else if (keyword == "generation") {
      node->kind = Node::Kind::Scope;
      HEARTH_CHECK(p.expectEnd());
      std::optional<ExprParser> endTag;
      HEARTH_TRY(end, parseBlock(node->body, {"endgeneration"}, endTag, offset));
      (void)end;
      HEARTH_CHECK(endTag->expectEnd());
    } else {
      return error(ErrorCode::Format, offset, fmt::format("unknown or unexpected statement '{}'", keyword));
    }
    body.push_back(std::move(node));
    return {};
  }

  const std::string &m_source;
  std::vector<Segment> m_segments;
  std::size_t m_index = 0;
  int m_nesting = 0;
  int m_loops = 0;
};

#undef HEARTH_TRY
#undef HEARTH_CHECK

} // namespace

Result<std::shared_ptr<const Program>> parseProgram(std::string_view source, std::string name)
{
  auto program = std::make_shared<Program>();
  program->name = std::move(name);
  program->source = normalizeSource(source);
  auto prefix = [&](Error e) {
    e.message = fmt::format("[template] {}: {}", program->name, e.message);
    return std::unexpected(std::move(e));
  };
  auto segments = splitSegments(program->source);
  if (!segments)
    return prefix(segments.error());
  StatementParser parser(program->source, std::move(*segments));
  auto body = parser.parseAll();
  if (!body)
    return prefix(body.error());
  program->body = std::move(*body);
  return std::shared_ptr<const Program>(std::move(program));
}

} // namespace hearth::tmpl
