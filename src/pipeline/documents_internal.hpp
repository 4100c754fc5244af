// Pieces shared by the pipeline layer's documents (fixes.json and the run
// summary): one definition each.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "kfix/core.hpp"

namespace kfix::internal {

/// {"<check>": {"findings", "accepted", "rejected", "needs_review",
/// "unfixable"}} with every count present (0 when absent).
Value ByCheckToValue(const std::map<std::string, std::map<std::string, std::int64_t>>& by_check);

}  // namespace kfix::internal
