// Workload extraction (playbooks.md §1.1): one row per workload owner.
#include <algorithm>
#include <map>
#include <string>
#include <tuple>

#include "playbooks/gvisor/internal.hpp"

namespace kfix::internal::gvisor {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool ContainsLower(std::string_view haystack, std::string_view lower_needle) {
  if (lower_needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + lower_needle.size() <= haystack.size(); ++i) {
    std::size_t j = 0;
    for (; j < lower_needle.size(); ++j) {
      char c = haystack[i + j];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != lower_needle[j]) break;
    }
    if (j == lower_needle.size()) return true;
  }
  return false;
}

std::string_view Str(const Value* v, std::string_view key) noexcept {
  if (v == nullptr || !v->is_object()) return {};
  const Value* m = v->Find(key);
  return m != nullptr ? m->string_or() : std::string_view();
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

}  // namespace kfix::internal::gvisor

namespace kfix::gvisor {

namespace {

using internal::gvisor::Str;

bool IsGvisorKind(std::string_view kind) {
  return kind == "Pod" || kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" || kind == "Job" ||
         kind == "CronJob";
}

// The kind of the ownerReference with controller: true, "" when none.
std::string_view ControllerOwnerKind(const Value& object) {
  const Value* refs = object.FindPath({"metadata", "ownerReferences"});
  if (refs == nullptr || !refs->is_array()) return {};
  for (const Value& r : refs->as_array()) {
    const Value* c = r.is_object() ? r.Find("controller") : nullptr;
    if (c != nullptr && c->is_bool() && c->as_bool()) return Str(&r, "kind");
  }
  return {};
}

bool OwnedAway(std::string_view kind, std::string_view owner) {
  if (owner.empty()) return false;
  if (kind == "Pod") return owner == "ReplicaSet" || owner == "StatefulSet" || owner == "DaemonSet" || owner == "Job";
  if (kind == "Job") return owner == "CronJob";
  return false;
}

void AddImages(const Value* list, std::vector<std::string>& out) {
  if (list == nullptr || !list->is_array()) return;
  for (const Value& c : list->as_array()) {
    std::string_view image = Str(&c, "image");
    if (!image.empty()) out.emplace_back(image);
  }
}

Workload MakeWorkload(const Manifest& m, std::string kind, std::string ns, std::string name) {
  const Value& root = m.root;
  const Value* metadata = root.Find("metadata");
  Workload w;
  w.kind = std::move(kind);
  w.namespace_ = std::move(ns);
  w.name = std::move(name);
  w.source = m.Location();
  if (metadata != nullptr && metadata->is_object()) {
    if (const Value* l = metadata->Find("labels")) w.labels = *l;
    if (const Value* a = metadata->Find("annotations")) w.annotations = *a;
  }
  const Value* spec = Lookup(root, *GvisorPodSpecPointer(w.kind));
  if (spec != nullptr && spec->is_object()) {
    w.pod_spec = *spec;
    AddImages(spec->Find("initContainers"), w.image_refs);
    AddImages(spec->Find("containers"), w.image_refs);
  }
  return w;
}

}  // namespace

bool IsSystemNamespace(std::string_view ns) noexcept {
  return ns == "kube-system" || ns == "kube-public" || ns == "kube-node-lease" || ns == "kube-flannel" ||
         ns.substr(0, 5) == "kube-";
}

std::optional<JsonPointer> GvisorPodSpecPointer(std::string_view kind) {
  if (kind == "Pod") return JsonPointer({"spec"});
  if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" || kind == "Job")
    return JsonPointer({"spec", "template", "spec"});
  if (kind == "CronJob") return JsonPointer({"spec", "jobTemplate", "spec", "template", "spec"});
  return std::nullopt;
}

ExtractResult ExtractWorkloads(const std::vector<Manifest>& objects, const ExtractOptions& options) {
  ExtractResult out;
  // (namespace, kind, name) -> index of the kept row and its canonical JSON
  // (computed only once a duplicate shows up).
  struct Kept {
    std::size_t row;
    const Value* root;
    std::string canonical;
  };
  std::map<std::tuple<std::string, std::string, std::string>, Kept> seen;
  for (const Manifest& m : objects) {
    const Value& root = m.root;
    if (!root.is_object()) continue;
    std::string_view kind = Str(&root, "kind");
    if (!IsGvisorKind(kind)) continue;
    const Value* metadata = root.Find("metadata");
    std::string name(Str(metadata, "name"));
    if (name.empty()) {
      out.warnings.push_back(InvalidArgumentError(std::string(kind) + " without metadata.name skipped", m.Location()));
      continue;
    }
    std::string ns(Str(metadata, "namespace"));
    if (ns.empty()) ns = options.default_namespace;
    if (OwnedAway(kind, ControllerOwnerKind(root))) {
      ++out.skipped_owned;
      continue;
    }
    if (!options.include_system && IsSystemNamespace(ns)) {
      ++out.skipped_system;
      continue;
    }
    auto key = std::make_tuple(ns, std::string(kind), name);
    auto it = seen.find(key);
    if (it != seen.end()) {
      // Two objects with one identity: keep the one whose canonical JSON sorts
      // first, so the result (and the plan hash) does not depend on input order.
      Kept& kept = it->second;
      if (kept.canonical.empty()) kept.canonical = ToJson(*kept.root, JsonStyle::kCanonical);
      std::string mine = ToJson(root, JsonStyle::kCanonical);
      const Workload& old = out.workloads[kept.row];
      const SourceLocation& first = old.source;
      bool replace = mine < kept.canonical;
      const SourceLocation& dropped = replace ? first : m.Location();
      const SourceLocation& used = replace ? m.Location() : first;
      out.warnings.push_back(InvalidArgumentError(
          std::string(kind) + " " + ns + "/" + name + " appears more than once; the one at " + used.file + ":" +
              std::to_string(used.line) + " is used (of equal names the one whose canonical JSON sorts first)",
          dropped));
      if (!replace) continue;
      kept.canonical = std::move(mine);
      kept.root = &root;
      out.workloads[kept.row] = MakeWorkload(m, std::string(kind), ns, name);
      continue;
    }
    seen.emplace(key, Kept{out.workloads.size(), &root, std::string()});
    out.workloads.push_back(MakeWorkload(m, std::string(kind), ns, name));
  }
  std::stable_sort(out.workloads.begin(), out.workloads.end(), [](const Workload& a, const Workload& b) {
    return std::tie(a.namespace_, a.kind, a.name) < std::tie(b.namespace_, b.kind, b.name);
  });
  return out;
}

}  // namespace kfix::gvisor
