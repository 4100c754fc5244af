// Internal RFC 6901 helpers shared by pointer.cpp and patch.cpp.
//
// Thread safety: all functions are reentrant.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "kfix/core.hpp"

namespace kfix::internal {

/// An array-index reference token (RFC 6901 §4): "0" or [1-9][0-9]*, or "-".
struct ArrayIndex {
  enum Kind { kInvalid, kIndex, kPastEnd } kind = kInvalid;
  std::size_t index = 0;  ///< kIndex only; SIZE_MAX on overflow (always out of range)
};
ArrayIndex ParseArrayIndex(std::string_view token) noexcept;

/// The text of the first `n` tokens of `p` ("" for n == 0).
std::string PrefixString(const JsonPointer& p, std::size_t n);

/// One resolution step (member of an object / element of an array); nullptr
/// when it does not exist or `parent` is a scalar.
const Value* Step(const Value& parent, const std::string& token) noexcept;

/// Why Step(parent, pointer.tokens()[i]) failed: kNotFound (missing member,
/// index out of range, "-", scalar parent) or kInvalidArgument (token is not a
/// valid array index), and a reason naming the token and the parent pointer,
/// e.g. `member "x" not found in object at "/spec"`.
struct StepFailure {
  StatusCode code = StatusCode::kNotFound;
  std::string reason;
};
StepFailure DescribeStepFailure(const JsonPointer& pointer, std::size_t i, const Value& parent);

/// The error for a failed Step(parent, pointer.tokens()[i]): kNotFound
/// (missing member, index out of range, "-", scalar parent) or
/// kInvalidArgument (token is not a valid array index). Names the failing
/// token and the parent pointer; location.pointer = the full pointer.
Status StepError(const JsonPointer& pointer, std::size_t i, const Value& parent);

}  // namespace kfix::internal
