// Internal: RFC 6902 application in place, with an undo log or without the
// atomicity copy. The guard vets many patches against one working copy of an
// object (apply, check, undo) instead of deep-copying the object per patch.
//
// Thread safety: reentrant; a Value and its PatchUndo belong to one thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "kfix/core.hpp"

namespace kfix::internal {

/// What ApplyPatchUndoable() changed, oldest first; UndoPatch() reverts it.
struct PatchUndo {
  enum class Kind { kRoot, kMemberAdded, kMemberSet, kMemberRemoved, kElementInserted, kElementRemoved, kReplaced };
  struct Step {
    Kind kind = Kind::kRoot;
    /// Tokens from the root to the parent of the change (kReplaced: to the
    /// replaced value itself), "-" already resolved to an index.
    std::vector<std::string> path;
    std::size_t pos = 0;  ///< member position or array index in the parent
    Member old;           ///< the removed member, or (in old.value) the value that was overwritten
  };
  std::vector<Step> steps;
  bool empty() const noexcept { return steps.empty(); }
};

/// Applies `patch` to `doc` in place and appends to `undo` how to revert it.
/// Atomic: on failure the ops this call applied are undone (`doc` is as it
/// was, `undo` as it was) and the status is ApplyPatch()'s for the same input.
Status ApplyPatchUndoable(Value& doc, const Patch& patch, PatchUndo& undo);

/// Reverts every step in `undo`, newest first, and clears it: `doc` is then
/// equal to what it was before the first recorded change, positions included.
/// Precondition: `doc` was changed only through ApplyPatchUndoable() with this
/// log since.
void UndoPatch(Value& doc, PatchUndo& undo);

/// ApplyPatch() without its atomicity: on failure `doc` is left with the ops
/// before the failing one applied. For callers that discard `doc` on failure
/// (no copy of `doc` is made).
Status ApplyPatchInPlace(Value& doc, const Patch& patch);

}  // namespace kfix::internal
