// Workload view: where the pod template lives in each workload kind.
#include <array>

#include "kfix/core.hpp"

namespace kfix {

namespace {

struct KindPath {
  std::string_view kind;
  std::array<std::string_view, 5> spec;  // path to the pod spec, "" terminated
  std::size_t depth;
};

// Pod-spec locations (kube-linter's DeploymentLike kinds).
constexpr std::array<KindPath, 9> kKindPaths = {{
    {"Pod", {"spec"}, 1},
    {"Deployment", {"spec", "template", "spec"}, 3},
    {"StatefulSet", {"spec", "template", "spec"}, 3},
    {"DaemonSet", {"spec", "template", "spec"}, 3},
    {"ReplicaSet", {"spec", "template", "spec"}, 3},
    {"ReplicationController", {"spec", "template", "spec"}, 3},
    {"Job", {"spec", "template", "spec"}, 3},
    {"DeploymentConfig", {"spec", "template", "spec"}, 3},
    {"CronJob", {"spec", "jobTemplate", "spec", "template", "spec"}, 5},
}};

const KindPath* FindKind(std::string_view kind) noexcept {
  for (const KindPath& k : kKindPaths) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

}  // namespace

const char* ContainerGroupField(ContainerGroup g) noexcept {
  switch (g) {
    case ContainerGroup::kInit: return "initContainers";
    case ContainerGroup::kRegular: return "containers";
    case ContainerGroup::kEphemeral: return "ephemeralContainers";
  }
  return "containers";
}

bool IsWorkloadKind(std::string_view kind) noexcept { return FindKind(kind) != nullptr; }

bool HasLabelMapSelector(std::string_view kind) noexcept {
  return kind == "ReplicationController" || kind == "DeploymentConfig";
}

std::optional<JsonPointer> PodSpecPointerForKind(std::string_view kind) {
  const KindPath* k = FindKind(kind);
  if (!k) return std::nullopt;
  std::vector<std::string> tokens;
  tokens.reserve(k->depth);
  for (std::size_t i = 0; i < k->depth; ++i) tokens.emplace_back(k->spec[i]);
  return JsonPointer(std::move(tokens));
}

std::optional<WorkloadView> ViewWorkload(const Value& object) {
  const Value* kind_value = object.Find("kind");
  if (!kind_value || !kind_value->is_string()) return std::nullopt;
  const KindPath* k = FindKind(kind_value->as_string());
  if (!k) return std::nullopt;

  WorkloadView view;
  view.kind = kind_value->as_string();
  std::vector<std::string> tokens;
  const Value* node = &object;
  for (std::size_t i = 0; i < k->depth; ++i) {
    tokens.emplace_back(k->spec[i]);
    node = node ? node->Find(k->spec[i]) : nullptr;
  }
  view.pod_spec_pointer = JsonPointer(tokens);
  view.pod_spec = (node && node->is_object()) ? node : nullptr;

  // The pod metadata is the sibling of the pod spec ("template.metadata"),
  // or the object's own metadata for a Pod.
  tokens.back() = "metadata";
  view.pod_metadata_pointer = JsonPointer(tokens);
  const Value* md = Lookup(object, view.pod_metadata_pointer);
  view.pod_metadata = (md && md->is_object()) ? md : nullptr;

  if (view.pod_spec) {
    for (ContainerGroup g : {ContainerGroup::kInit, ContainerGroup::kRegular, ContainerGroup::kEphemeral}) {
      const Value* list = view.pod_spec->Find(ContainerGroupField(g));
      if (!list || !list->is_array()) continue;
      const JsonPointer group_ptr = view.pod_spec_pointer.Child(ContainerGroupField(g));
      const Value::Array& items = list->as_array();
      for (std::size_t i = 0; i < items.size(); ++i) {
        // Indices count every element, mapping or not, so pointers stay exact
        // (the reference skipped non-mappings and got indices wrong).
        if (!items[i].is_object()) continue;
        ContainerRef ref;
        ref.group = g;
        ref.index = i;
        ref.pointer = group_ptr.Child(i);
        ref.container = &items[i];
        ref.name = std::string(items[i].Find("name") ? items[i].Find("name")->string_or() : "");
        view.containers.push_back(std::move(ref));
      }
    }
  }
  return view;
}

}  // namespace kfix
