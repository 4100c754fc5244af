// Kubernetes resource quantities: the one parser (rules' resource checks and
// declarative rules, remediate's resource fixes).
#include <cctype>
#include <cmath>
#include <cstdint>
#include <string>

#include "core/quantity_internal.hpp"
#include "kfix/core.hpp"

namespace kfix {
namespace internal {

Quantity ParseQuantity(std::string_view s) {
  Quantity q;
  // Kubernetes: <signedNumber><suffix>; suffix binarySI | decimalSI | decimalExponent.
  std::size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    ++i;
  }
  std::size_t num_start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  }
  std::string_view num = s.substr(num_start, i - num_start);
  if (num.empty() || num == ".") return q;
  long double value = std::strtold(std::string(num).c_str(), nullptr);
  std::string_view suffix = s.substr(i);
  long double mult = 1;
  long double div = 1;
  if (suffix.empty()) {
  } else if (suffix == "Ki") {
    mult = 1024.0L;
  } else if (suffix == "Mi") {
    mult = 1024.0L * 1024;
  } else if (suffix == "Gi") {
    mult = 1024.0L * 1024 * 1024;
  } else if (suffix == "Ti") {
    mult = 1024.0L * 1024 * 1024 * 1024;
  } else if (suffix == "Pi") {
    mult = 1024.0L * 1024 * 1024 * 1024 * 1024;
  } else if (suffix == "Ei") {
    mult = 1024.0L * 1024 * 1024 * 1024 * 1024 * 1024;
  } else if (suffix == "n") {
    div = 1e9L;
  } else if (suffix == "u") {
    div = 1e6L;
  } else if (suffix == "m") {
    div = 1e3L;
  } else if (suffix == "k") {
    mult = 1e3L;
  } else if (suffix == "M") {
    mult = 1e6L;
  } else if (suffix == "G") {
    mult = 1e9L;
  } else if (suffix == "T") {
    mult = 1e12L;
  } else if (suffix == "P") {
    mult = 1e15L;
  } else if (suffix == "E") {
    mult = 1e18L;
  } else if (suffix[0] == 'e' || suffix[0] == 'E') {
    std::string_view exp = suffix.substr(1);
    std::size_t j = 0;
    if (j < exp.size() && (exp[j] == '+' || exp[j] == '-')) ++j;
    if (j == exp.size()) return q;
    for (std::size_t k = j; k < exp.size(); ++k) {
      if (!std::isdigit(static_cast<unsigned char>(exp[k]))) return q;
    }
    if (exp.size() > 6) return q;
    long double e = std::strtold(std::string(exp).c_str(), nullptr);
    if (e < 0) {
      div = std::pow(10.0L, -e);
    } else {
      mult = std::pow(10.0L, e);
    }
  } else {
    return q;
  }
  q.value = (neg ? -value : value) * mult / div;
  q.ok = true;
  return q;
}

Quantity QuantityOf(const Value* v) {
  if (!v || v->is_null()) return Quantity{0, true};
  if (v->is_number()) return Quantity{static_cast<long double>(v->as_number()), true};
  if (v->is_string()) return ParseQuantity(v->as_string());
  return Quantity{};
}

std::int64_t MilliValue(const Quantity& q) {
  long double m = std::ceil(q.value * 1000.0L - 1e-9L);
  if (m > 9e18L) return INT64_MAX;
  if (m < -9e18L) return INT64_MIN;
  return static_cast<std::int64_t>(m);
}

std::int64_t WholeValue(const Quantity& q) {
  long double m = std::ceil(q.value - 1e-12L);
  if (m > 9e18L) return INT64_MAX;
  if (m < -9e18L) return INT64_MIN;
  return static_cast<std::int64_t>(m);
}

}  // namespace internal

Result<double> ParseQuantity(const Value& q) {
  if (q.is_number()) return q.as_number();
  if (!q.is_string()) return InvalidArgumentError(std::string("quantity must be a string or number, got ") + q.type_name());
  internal::Quantity parsed = internal::ParseQuantity(q.as_string());
  if (!parsed.ok) {
    return InvalidArgumentError("quantity \"" + q.as_string() +
                                "\" is not a Kubernetes quantity (a number with an optional suffix such as m, Mi, G)");
  }
  return static_cast<double>(parsed.value);
}

}  // namespace kfix
