// Fuzz harness for the Kubernetes schema table's validator (rules/k8s_schema_internal.hpp): arbitrary YAML
// objects validated against the schema of their kind (or, when the kind is unknown, against a kind chosen from
// the input), and arbitrary patch ops asked of the guard's CheckPatchOp.
//
// Checks:
// - no crash, hang or sanitizer report on any input;
// - every error's pointer and focus resolve in the object (they name places that exist), and the focus is the
//   pointer or below it;
// - the error cap holds; strict mode reports every error non-strict mode reports (in order), and more only when
//   an unknown field exists;
// - CheckPatchOp never refuses a `remove` of a path's last token it does not know, and never refuses anything on
//   a kind outside the table.
//
// Input: YAML documents. A document whose top level has `op` and `path` is a patch op applied to the previous
// object. Seeds: tests/fuzz/corpus/schema/.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"
#include "rules/k8s_schema_internal.hpp"

namespace k8s = kfix::internal::k8s;

namespace {

constexpr std::string_view kFallbackKinds[] = {"Pod", "Deployment", "Service", "CronJob", "CustomResourceDefinition",
                                               "StatefulSet", "Ingress", "ConfigMap"};

bool Resolves(const kfix::Value& root, const std::string& ptr) {
  auto p = kfix::JsonPointer::Parse(ptr);
  return p.ok() && kfix::Resolve(root, *p).ok();
}

void CheckObject(const kfix::Value& v, std::size_t salt) {
  const kfix::Value* kind = v.Find("kind");
  const kfix::Value* av = v.Find("apiVersion");
  const k8s::StructDef* def = nullptr;
  if (kind && kind->is_string() && av && av->is_string()) def = k8s::FindKind(av->as_string(), kind->as_string());
  if (!def) def = k8s::FindKindAnyVersion(kFallbackKinds[salt % std::size(kFallbackKinds)]);
  if (!def) std::abort();
  const std::size_t cap = 1 + salt % 16;
  std::vector<k8s::SchemaError> strict = k8s::Validate(v, *def, true, 1000);
  std::vector<k8s::SchemaError> loose = k8s::Validate(v, *def, false, 1000);
  std::vector<k8s::SchemaError> capped = k8s::Validate(v, *def, true, cap);
  if (capped.size() > cap || capped.size() != std::min(cap, strict.size())) std::abort();
  bool unknown = false;
  for (const k8s::SchemaError& e : strict) {
    if (e.message.empty()) std::abort();
    if (v.is_object() && (!Resolves(v, e.pointer) || !Resolves(v, e.focus))) std::abort();
    if (e.focus.compare(0, e.pointer.size(), e.pointer) != 0) std::abort();
    unknown = unknown || e.message.find("additional properties") == 0;
  }
  // Non-strict errors are the strict ones without the unknown-field reports, in the same order.
  std::size_t i = 0;
  for (const k8s::SchemaError& e : strict) {
    if (e.message.find("additional properties") == 0) continue;
    if (i >= loose.size() || loose[i].pointer != e.pointer || loose[i].message != e.message) std::abort();
    ++i;
  }
  if (i != loose.size()) std::abort();
  if (!unknown && strict.size() != loose.size()) std::abort();
}

void CheckOp(const kfix::Value& object, const kfix::Value& op_value) {
  kfix::Value arr = kfix::Value::MakeArray();
  arr.as_array().push_back(op_value);
  auto patch = kfix::ParsePatch(arr);
  if (!patch.ok()) return;
  for (const kfix::PatchOp& op : *patch) {
    std::string d = k8s::CheckPatchOp(object, op);
    if (!k8s::KnowsKind(object) && !d.empty()) std::abort();
    // A refused remove names a missing intermediate field, never its own last token.
    if (op.op == kfix::PatchOpType::kRemove && d.rfind(op.path.ToString() + ": unknown field", 0) == 0) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  kfix::ParseOptions options;
  options.max_depth = 48;
  options.max_nodes = 1u << 15;
  options.max_scalar_bytes = 4096;
  options.require_objects = false;
  kfix::LoadResult r = kfix::LoadManifests(text, "fuzz.yaml", options);
  const kfix::Value* last = nullptr;
  std::size_t salt = size;
  for (const kfix::Manifest& m : r.manifests) {
    const kfix::Value& v = m.root;
    if (v.is_object() && v.Find("op") && v.Find("path")) {
      if (last) CheckOp(*last, v);
      continue;
    }
    CheckObject(v, salt++);
    last = &v;
  }
  return 0;
}
