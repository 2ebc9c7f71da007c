// Parses a chat template into a Program (see ast.h). Syntax errors are
// ErrorCode::Format and constructs Hearth does not implement (include, import,
// extends, call blocks, ...) are ErrorCode::Unsupported, both naming line and column.
#pragma once

#include "hearth/error.h"
#include "template/ast.h"

#include <memory>
#include <string>
#include <string_view>

namespace hearth::tmpl {

// Nesting limits of the parse tree (statements inside statements; expression height).
inline constexpr int kMaxStatementNesting = 64;
inline constexpr int kMaxExpressionHeight = 128;

Result<std::shared_ptr<const Program>> parseProgram(std::string_view source, std::string name);

} // namespace hearth::tmpl
