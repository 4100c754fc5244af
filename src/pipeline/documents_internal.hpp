// Pieces shared by the pipeline layer's documents (fixes.json and the run
// summary): one definition each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "kfix/core.hpp"

namespace kfix::internal {

/// Bytes of fix results text handed to the report writer at a time: by the
/// writer's own serialisation (FixReportWriter::AddResults) and by the fix
/// pipeline rendering on its worker threads (FixOptions::writer).
constexpr std::size_t kResultsPieceBytes = 64u << 10;

/// {"<check>": {"findings", "accepted", "rejected", "needs_review",
/// "unfixable"}} with every count present (0 when absent).
Value ByCheckToValue(const std::map<std::string, std::map<std::string, std::int64_t>>& by_check);

}  // namespace kfix::internal
