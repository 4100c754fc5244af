// rules/cel/ast_internal.hpp - the syntax tree shared by the CEL parser and
// interpreter (internal).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rules/cel/cel_internal.hpp"
#include "rules/regex.hpp"

namespace kfix::internal {

/// Built-in functions, resolved at compile time.
enum class CelFn : std::uint8_t {
  kNone,
  kSize,
  kMatches,
  kStartsWith,
  kEndsWith,
  kContains,
  kLowerAscii,
  kUpperAscii,
  kTrim,
  kSplit,
  kJoin,
  kInt,
  kUint,
  kDouble,
  kString,
  kBytes,
  kBool,
  kType,
  kDyn,
};

enum class CelBinOp : std::uint8_t { kAdd, kSub, kMul, kDiv, kMod, kEq, kNe, kLt, kLe, kGt, kGe, kIn };

enum class CelMacro : std::uint8_t { kAll, kExists, kExistsOne, kMap, kMapFilter, kFilter };

struct CelNode {
  enum class Op : std::uint8_t {
    kLiteral,        // literal
    kIdent,          // name
    kSelect,         // args[0].name
    kHas,            // has(args[0].name)
    kIndex,          // args[0][args[1]]
    kCall,           // fn(args...) (receiver calls put the receiver first)
    kList,           // [args...]
    kMap,            // {args[0]: args[1], ...}
    kAnd,            // args[0] && args[1]
    kOr,             // args[0] || args[1]
    kNot,            // !args[0]
    kNeg,            // -args[0]
    kTernary,        // args[0] ? args[1] : args[2]
    kBinary,         // args[0] binop args[1]
    kComprehension,  // args[0] = range, args[1] = predicate/transform, args[2] = transform (map with filter)
  };
  Op op = Op::kLiteral;
  std::int32_t offset = 0;  ///< byte offset in the expression (error positions)
  std::int32_t height = 1;  ///< 1 + the children's height
  CelVal literal;
  std::string name;  ///< identifier, field, function name or iteration variable
  CelFn fn = CelFn::kNone;
  CelBinOp binop = CelBinOp::kAdd;
  CelMacro macro = CelMacro::kAll;
  bool receiver = false;  ///< kCall written as a method (target.fn(...))
  std::shared_ptr<const Regex> regex;  ///< kCall matches() with a literal pattern
  std::vector<std::unique_ptr<CelNode>> args;
};

}  // namespace kfix::internal
