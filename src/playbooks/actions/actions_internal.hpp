// Helpers shared by the typed-actions playbook (not public API).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kfix/actions.hpp"
#include "kfix/core.hpp"

namespace kfix::internal {

/// Whole seconds between two times (b - a), rounded toward negative infinity.
inline std::int64_t SecondsBetween(ActionTime a, ActionTime b) {
  return std::chrono::floor<std::chrono::seconds>(b - a).count();
}
inline std::int64_t UnixMillis(ActionTime t) {
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

/// A decimal integer without sign, spaces or leading zeros ("0" allowed).
std::optional<std::int64_t> ParseDecimal(std::string_view text) noexcept;

/// A Kubernetes quantity in base units, exact enough for comparisons; nullopt
/// when malformed.
std::optional<long double> QuantityValue(std::string_view text);

/// The object's metadata.annotations (an empty object when absent).
Value AnnotationsOf(const Value& object);

/// A time from an object member holding RFC 3339 text; nullopt when absent
/// or malformed.
std::optional<ActionTime> TimeMember(const Value* v);

/// The container intents act on: the regular container named `name`, else
/// the only regular container; nullptr when neither exists.
const ContainerRef* IntentContainer(const WorkloadView& view, std::string_view name);

/// "ns/name" style object label for messages.
std::string ObjectLabel(const Value& object);

}  // namespace kfix::internal
