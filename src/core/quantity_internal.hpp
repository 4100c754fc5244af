// Internal: Kubernetes quantities (core/quantity.cpp), the one parser every
// layer uses. The public form is kfix::ParseQuantity (kfix/core.hpp).
#pragma once

#include <cstdint>
#include <string_view>

#include "kfix/core.hpp"

namespace kfix::internal {

/// A parsed Kubernetes quantity (value in base units).
struct Quantity {
  long double value = 0;  ///< e.g. "500m" -> 0.5, "1Gi" -> 1073741824
  bool ok = false;
};
/// resource.ParseQuantity's grammar: <signedNumber><suffix>, suffix binary SI
/// (Ki..Ei), decimal SI (n, u, m, "", k, M..E) or a decimal exponent (e3).
Quantity ParseQuantity(std::string_view text);
/// From a YAML value: numbers or strings; absent -> {0, true}.
Quantity QuantityOf(const Value* v);
/// Millis rounded up (resource.Quantity.MilliValue).
std::int64_t MilliValue(const Quantity& q);
/// Base units rounded up (resource.Quantity.Value).
std::int64_t WholeValue(const Quantity& q);

}  // namespace kfix::internal
