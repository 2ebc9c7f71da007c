// The values a chat template computes with: the Python/JSON data model that
// Jinja templates assume (none, booleans, integers, floats, strings, lists,
// insertion-ordered dicts), plus the undefined value and callables internal to
// the interpreter. Copies are cheap: strings, lists and dicts are shared and
// never mutated once built (a template's namespace() object is the exception).
#pragma once

#include "hearth/error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hearth::tmpl {

struct Callable; // a macro, builtin function or bound method (interpreter-internal)

class Value {
public:
  using Array = std::vector<Value>;
  using Object = std::vector<std::pair<std::string, Value>>; // insertion order kept

  enum class Kind : std::uint8_t {
    Undefined, None, Bool, Int, Float, String, Array, Object, Namespace, Callable
  };

  Value() = default; // undefined
  Value(bool b) : m_kind(Kind::Bool), m_int(b) {}
  Value(int i) : m_kind(Kind::Int), m_int(i) {}
  Value(std::int64_t i) : m_kind(Kind::Int), m_int(i) {}
  Value(double f) : m_kind(Kind::Float), m_float(f) {}
  Value(const char *s) : Value(std::string(s)) {}
  Value(std::string_view s) : Value(std::string(s)) {}
  Value(std::string s);
  Value(Array a);
  Value(Object o);
  static Value none();
  static Value namespaceObject(Object o);
  static Value callable(std::shared_ptr<const Callable> c);

  Kind kind() const { return m_kind; }
  bool isUndefined() const { return m_kind == Kind::Undefined; }
  bool isNone() const { return m_kind == Kind::None; }
  bool isBool() const { return m_kind == Kind::Bool; }
  bool isInt() const { return m_kind == Kind::Int; }
  bool isFloat() const { return m_kind == Kind::Float; }
  bool isNumber() const { return m_kind == Kind::Int || m_kind == Kind::Float; }
  bool isString() const { return m_kind == Kind::String; }
  bool isArray() const { return m_kind == Kind::Array; }
  bool isObject() const { return m_kind == Kind::Object; }
  bool isNamespace() const { return m_kind == Kind::Namespace; }
  bool isCallable() const { return m_kind == Kind::Callable; }

  bool asBool() const { return m_kind == Kind::Float ? m_float != 0 : m_int != 0; }
  std::int64_t asInt() const; // floats truncate (saturating); other kinds give 0
  double asFloat() const { return m_kind == Kind::Float ? m_float : m_kind == Kind::Int || m_kind == Kind::Bool ? double(m_int) : 0.0; }
  const std::string &asString() const;
  const Array &asArray() const;
  const Object &asObject() const;        // also a namespace's attributes
  Object &namespaceAttributes() const;   // mutable, namespaces only
  const Callable &asCallable() const { return *static_cast<const Callable *>(m_data.get()); }

  // Key lookup in an object or namespace; nullptr when absent or not a mapping.
  const Value *find(std::string_view key) const;

  // Python truthiness (undefined, none, 0, empty string/list/dict are false).
  bool truthy() const;

  // Python str(): what `{{ value }}` prints (None, True, ['a', 1], {'k': 'v'}).
  std::string str() const;
  // Python repr() (strings quoted).
  std::string repr() const;
  // Python json.dumps(value, ensure_ascii=False, indent=indent); indent < 0 is none.
  // Fails on undefined and callables.
  Result<std::string> toJson(int indent = -1) const;
  // Parses JSON text (objects keep their key order).
  static Result<Value> fromJson(std::string_view text);

private:
  Kind m_kind = Kind::Undefined;
  union {
    std::int64_t m_int = 0; // Bool, Int
    double m_float;         // Float
  };
  // String: std::string, Array: Array, Object/Namespace: Object, Callable: Callable.
  std::shared_ptr<const void> m_data;
};

// Python ==: numbers compare by value across int/float/bool, lists and dicts by content.
bool operator==(const Value &a, const Value &b);

} // namespace hearth::tmpl
