// Internal: the gate list as JSON, shared by the verdict (guard/report.cpp)
// and the fix report (pipeline/fix_report.cpp).
#pragma once

#include <vector>

#include "kfix/core.hpp"
#include "kfix/guard.hpp"

namespace kfix::internal {

/// [{"name", "passed", "detail"}, ...] in gate order.
Value GatesToValue(const std::vector<GateResult>& gates);

}  // namespace kfix::internal
