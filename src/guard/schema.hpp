// Internal: the built-in Kubernetes field table used by the schema gate.
#pragma once

#include <string>

#include "kfix/core.hpp"

namespace kfix::internal {

/// Checks that `op` only touches fields that exist in the Kubernetes API for
/// the object's kind, and that written values have the right types (deep).
/// Returns "" when fine, else a message naming the path and the problem.
/// Kinds outside the table are accepted (returns "").
std::string SchemaCheckOp(const Value& object, const PatchOp& op);

/// Whether the kind is covered by the built-in table.
bool SchemaKnowsKind(std::string_view kind) noexcept;

}  // namespace kfix::internal
