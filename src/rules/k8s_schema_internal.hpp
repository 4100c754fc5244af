// Internal: the built-in Kubernetes schema table (generated from the upstream API, see
// tools/gen_k8s_schema.mjs) and its validator. One table for both users: the `kubeconform` template
// (`schema-validation`) and the fix guard's schema gate.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"

namespace kfix::internal::k8s {

/// One definition of the table (a struct of the Kubernetes API: PodSpec, Container, ...).
struct StructDef;

/// The schema of a built-in kind at one apiVersion ("apps/v1", "v1"), or nullptr: a custom resource or an
/// apiVersion the table does not have.
const StructDef* FindKind(std::string_view api_version, std::string_view kind) noexcept;
/// The kind at any apiVersion the table has (a stable version first, the newest first), or nullptr.
const StructDef* FindKindAnyVersion(std::string_view kind) noexcept;
/// "DeploymentSpec", "Container", ...
std::string_view StructName(const StructDef& def) noexcept;
/// Where the table comes from: "kubernetes-models 5.1.0 (Kubernetes v1.36.0)".
std::string Source();
/// Number of kinds (each apiVersion counted) in the table.
std::size_t KindCount() noexcept;

/// One violation: the instance location (a JSON pointer, "" for the object) and the cause in the words
/// kubeconform uses: "got string, want integer or null", "missing property 'containers'",
/// "additional properties 'replicas' not allowed".
struct SchemaError {
  std::string pointer;
  std::string message;
  std::string focus;  ///< where to point a reader: the first unknown field itself, else `pointer`
};

/// Validates `value` against `def`. `strict`: fields the schema does not define are errors (kubeconform
/// -strict). Null is accepted for every field (as kubeconform's schemas do). Errors come in document order,
/// for each object: its missing required fields, then its children's errors, then its unknown fields.
/// At most `max_errors` are returned.
std::vector<SchemaError> Validate(const Value& value, const StructDef& def, bool strict,
                                  std::size_t max_errors = 64);

/// What the table says about one field path below a definition (tests, docs): the type ("integer",
/// "string", "boolean", "number", "int-or-string", "quantity", "any", "enum Always|IfNotPresent|Never", "object Container",
/// "array of object Container", "map of string", ...) and whether the field is required in its parent.
struct FieldFacts {
  std::string type;
  bool required = false;
};
std::optional<FieldFacts> Lookup(const StructDef& def, const std::vector<std::string>& path);

/// The fix guard's question: does `op` only touch fields the schema of the object's kind defines (strict),
/// and does it write values of the right types (deep), strings of a closed set included ("value must be one
/// of 'Always', 'IfNotPresent', 'Never'"; "" is accepted as unset)? Returns "" when fine, else a message naming the path
/// and the problem. Objects whose kind is not in the table are accepted ("").
std::string CheckPatchOp(const Value& object, const PatchOp& op);

/// Whether the object's kind is in the table (at its apiVersion, or else at any apiVersion).
bool KnowsKind(const Value& object) noexcept;

}  // namespace kfix::internal::k8s
