// Internal: patch building blocks shared by the fix generators.
//
// OpBuilder keeps a working copy of the object and applies every op it emits
// to that copy, so later ops of the same patch see earlier ones (an
// `add securityContext {...}` followed by a second field becomes an add of the
// field into the new mapping). Parents are created only when missing; values
// are deep copies; pointers are built token by token.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/remediate.hpp"

namespace kfix::internal {

/// Navigates `root` along `tokens` (object keys / array indices). nullptr when
/// a step is missing.
const Value* Walk(const Value& root, const std::vector<std::string>& tokens, std::size_t n) noexcept;
Value* WalkMutable(Value& root, const std::vector<std::string>& tokens, std::size_t n) noexcept;

/// ProposeFix with the object's workload view already computed (`view` must
/// be ViewWorkload(object), its pointers into `object`); nullptr computes it.
/// The guard caches the view of each unchanged object and of each patched
/// object it vets, so generators do not rebuild it.
FixProposal ProposeFixWithView(const Value& object, const std::optional<WorkloadView>* view, const Finding& finding,
                               const FixConfig& config, const FixContext* context);

/// Parses an array index token ("0", "12"); nullopt for anything else.
std::optional<std::size_t> ParseIndex(std::string_view token) noexcept;

class OpBuilder {
 public:
  /// `object` must outlive the builder; it is copied only when the first op
  /// is emitted (most idempotence re-runs emit nothing).
  explicit OpBuilder(const Value& object) : base_(&object) {}

  const Value& doc() const {
    if (pending_) Materialize();
    return copied_ ? doc_ : *base_;
  }
  void set_role(OpRole role) noexcept { role_ = role; }

  /// Ensures the value at `ptr` equals `v`: replace when present and
  /// different, add when absent (creating the missing parents as one nested
  /// add at the first missing level). A null parent is replaced by a mapping.
  /// Fails (returns false, sets error()) when a parent exists but is not a
  /// mapping, or a path step into an array is missing.
  bool Set(const JsonPointer& ptr, const Value& v);
  /// Sets only when the field is absent (or null).
  bool SetIfAbsent(const JsonPointer& ptr, const Value& v);
  /// Removes the value at `ptr` if present.
  void Remove(const JsonPointer& ptr);
  /// Appends `v` to the array at `ptr` (creating it, with parents, if absent).
  bool Append(const JsonPointer& ptr, const Value& v);
  /// Removes array elements at `indices` (any order) in descending order.
  void RemoveIndices(const JsonPointer& array_ptr, std::vector<std::size_t> indices);

  Patch TakePatch() { return std::move(patch_); }
  const Patch& patch() const noexcept { return patch_; }
  const std::vector<OpRole>& roles() const noexcept { return roles_; }
  std::vector<OpRole> TakeRoles() { return std::move(roles_); }
  bool failed() const noexcept { return !error_.empty(); }
  const std::string& error() const noexcept { return error_; }

 private:
  void Emit(PatchOpType op, const JsonPointer& path, Value v);
  /// Copies the object and applies the ops emitted so far.
  void Materialize() const;
  static void ApplyToDoc(Value& doc, const PatchOp& op);

  const Value* base_;
  // The working copy is made only when the builder is read after its first
  // op (a single-op patch never copies the object).
  mutable bool copied_ = false;
  mutable bool pending_ = false;
  mutable Value doc_;
  Patch patch_;
  std::vector<OpRole> roles_;
  OpRole role_ = OpRole::kTarget;
  std::string error_;
};

/// Concatenates pieces (one allocation).
std::string Concat(std::initializer_list<std::string_view> parts);
/// Lower-cases ASCII.
std::string ToLower(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept;

}  // namespace kfix::internal
