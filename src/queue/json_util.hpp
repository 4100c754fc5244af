// Internal JSON helpers of the queue layer: canonical serialisation of a
// kfix::Value (sorted keys, no whitespace, shortest numbers) and parsing of the
// text the queue itself stored. Local until core's ToJson/ParseJson are used.
#pragma once

#include <string>
#include <string_view>

#include "kfix/core.hpp"

namespace kfix::internal {

std::string CanonicalJson(const Value& v);
/// Parses JSON text into a Value (no positions). kParseError on bad text.
Result<Value> ParseStoredJson(std::string_view text);

}  // namespace kfix::internal
