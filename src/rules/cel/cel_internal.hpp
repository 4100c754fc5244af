// rules/cel/cel_internal.hpp - kfix's CEL evaluator (internal).
//
// A parser and a checker-free interpreter for the subset of the Common
// Expression Language that Kubernetes checks use (docs/cel.md): literals
// (int, uint, double, string, bytes, bool, null), lists and maps, variables,
// field selection and indexing, has(), size(), `in`, the macros all / exists /
// exists_one / map (2 and 3 arguments) / filter, comparisons with CEL's
// heterogeneous numeric rules, arithmetic with overflow errors, && and || with
// CEL's commutative error absorption, the ternary, string functions (matches
// on RE2, startsWith, endsWith, contains, lowerAscii, upperAscii, trim, split,
// join) and the conversions int, uint, double, string, bytes, bool, type, dyn.
//
// Compile() parses once (syntax errors, undeclared variables and functions,
// wrong arities are errors with line:column in the expression); a Program is
// immutable and may be evaluated from many threads at once. Evaluate() binds
// variables to kfix::Value trees without copying them and never throws,
// crashes or loops: every step is charged to a cost budget, and nesting is
// bounded at parse time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/status.hpp"

namespace kfix::internal {

class CelPayload;

/// A CEL value. Lists and maps either own their elements or view a
/// kfix::Value tree (which must outlive the evaluation).
class CelVal {
 public:
  enum class Kind : std::uint8_t { kNull, kBool, kInt, kUint, kDouble, kString, kBytes, kList, kMap, kType, kError };

  CelVal() = default;
  static CelVal Null() { return CelVal(); }
  static CelVal Bool(bool b);
  static CelVal Int(std::int64_t i);
  static CelVal Uint(std::uint64_t u);
  static CelVal Double(double d);
  static CelVal String(std::string s);
  static CelVal Bytes(std::string b);
  static CelVal Type(std::string name);
  static CelVal List(std::vector<CelVal> items);
  static CelVal Map(std::vector<std::pair<CelVal, CelVal>> entries);
  /// An error at byte `offset` of the expression (-1: no position).
  static CelVal Error(std::string message, std::int32_t offset = -1);
  /// A view of `v` (arrays and objects are not copied). With
  /// `numbers_as_double`, every number reads as a double (as a Go
  /// `map[string]any` decoded from JSON does).
  static CelVal FromValue(const Value& v, bool numbers_as_double = false);
  /// A list viewing the given trees.
  static CelVal ListOfValues(std::vector<const Value*> items, bool numbers_as_double = false);

  Kind kind() const noexcept { return kind_; }
  bool is_error() const noexcept { return kind_ == Kind::kError; }
  bool is_bool() const noexcept { return kind_ == Kind::kBool; }
  bool as_bool() const noexcept { return b_; }
  std::int64_t as_int() const noexcept { return i_; }
  std::uint64_t as_uint() const noexcept { return u_; }
  double as_double() const noexcept { return d_; }
  /// String, bytes, type name or error message.
  const std::string& text() const;
  /// Error position (byte offset in the expression), -1 when unknown.
  std::int32_t error_offset() const noexcept;

  // Lists and maps.
  std::size_t size() const;
  CelVal at(std::size_t i) const;                 ///< list element
  CelVal key_at(std::size_t i) const;             ///< map key (iteration order)
  CelVal value_at(std::size_t i) const;           ///< map value (iteration order)
  /// Map lookup with CEL's key equality (1 == 1u == 1.0); false when absent.
  bool Find(const CelVal& key, CelVal* out) const;

  /// "int", "list", ... (CEL type names; "null_type" for null).
  const char* type_name() const noexcept;
  /// A readable rendering in CEL literal syntax (error messages, the
  /// conformance table).
  std::string DebugString() const;
  /// Converts to a kfix::Value: uint as int when it fits (else double), bytes
  /// as a string, type values as their name. Errors are not convertible.
  Value ToValue() const;

 private:
  Kind kind_ = Kind::kNull;
  union {
    bool b_;
    std::int64_t i_ = 0;
    std::uint64_t u_;
    double d_;
  };
  std::shared_ptr<const CelPayload> p_;
};

/// CEL equality (`==`): heterogeneous numbers compare by value; values of
/// different kinds are unequal. Returns an error value only for errors.
CelVal CelEquals(const CelVal& a, const CelVal& b);

/// Limits of one evaluation.
struct CelLimits {
  std::int64_t cost_budget = 1000000;  ///< steps (nodes, iterations, bytes / 16) before "cost budget exceeded"
};

/// Compile-time options.
struct CelCompileOptions {
  std::vector<std::string> variables;  ///< the declared top-level variables
  /// has(a.b.c) is false when any step of the path is missing (instead of an
  /// error for a missing a.b). The kube-linter template uses it: kube-linter
  /// sees objects through Go structs where struct-valued fields always exist.
  bool lenient_has = false;
  std::size_t max_length = 100000;  ///< bytes of expression text
  int max_depth = 128;              ///< nesting of the syntax tree
};

struct CelNode;

/// A compiled expression. Immutable; thread-safe.
class CelProgram {
 public:
  ~CelProgram();
  /// Parses and checks `text`. Errors are kInvalidArgument with the message
  /// "LINE:COLUMN: cause" (1-based, in the expression text).
  static Result<std::shared_ptr<const CelProgram>> Compile(std::string_view text, const CelCompileOptions& options);

  /// Evaluates with `bindings` (name -> value; names not bound read as
  /// errors). The result may be an error value (see ErrorText()).
  CelVal Evaluate(const std::vector<std::pair<std::string, CelVal>>& bindings, const CelLimits& limits = {}) const;

  /// "LINE:COLUMN: message" of an error value produced by this program.
  std::string ErrorText(const CelVal& error) const;
  /// 1-based line and column of a byte offset in the expression.
  std::pair<std::int32_t, std::int32_t> Position(std::int32_t offset) const;
  const std::string& text() const noexcept { return text_; }
  /// The first field path read from `variable` in the expression, as
  /// selections from the root (e.g. object.spec.replicas -> {"spec",
  /// "replicas"}); empty when none. Findings use it to point at a field.
  std::vector<std::string> FirstPathOf(std::string_view variable) const;
  /// Whether the expression reads `variable` at all.
  bool Uses(std::string_view variable) const;

 private:
  CelProgram() = default;
  std::string text_;
  std::unique_ptr<CelNode> root_;
  CelCompileOptions options_;
  friend class CelEvaluator;
};

}  // namespace kfix::internal
