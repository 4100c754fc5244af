// Internal JSON helpers of the queue layer (thin wrappers over core so the
// hashing form is named in one place).
#pragma once

#include <string>
#include <string_view>

#include "kfix/core.hpp"

namespace kfix::internal {

/// The canonical JSON the queue hashes (core's JsonStyle::kCanonical).
inline std::string CanonicalJson(const Value& v) { return ToJson(v, JsonStyle::kCanonical); }
/// Parses JSON text the queue stored. kParseError on bad text.
inline Result<Value> ParseStoredJson(std::string_view text) { return ParseJson(text); }

}  // namespace kfix::internal
