// Cluster facts: parsing, GPU node groups and the preflight evaluator
// (playbooks.md §1.2 refinements, §1.11).
#include <algorithm>
#include <map>
#include <string>
#include <tuple>

#include "playbooks/gvisor/internal.hpp"

namespace kfix::internal::gvisor {

using kfix::gvisor::ClusterFacts;

bool ParseRunscVersion(std::string_view v, long long* date, long long* point) noexcept {
  constexpr std::string_view kPrefix = "release-";
  if (v.substr(0, kPrefix.size()) != kPrefix) return false;
  v.remove_prefix(kPrefix.size());
  std::size_t dot = v.find('.');
  if (dot != 8 || dot + 1 >= v.size()) return false;
  long long d = 0, p = 0;
  for (std::size_t i = 0; i < dot; ++i) {
    if (v[i] < '0' || v[i] > '9') return false;
    d = d * 10 + (v[i] - '0');
  }
  if (v.size() - dot - 1 > 9) return false;
  for (std::size_t i = dot + 1; i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') return false;
    p = p * 10 + (v[i] - '0');
  }
  *date = d;
  *point = p;
  return true;
}

bool IsSupportedGpuProduct(std::string_view product) {
  std::string lower = Lower(product);
  std::size_t start = 0;
  while (start <= lower.size()) {
    std::size_t end = lower.find_first_of("-_ ", start);
    if (end == std::string::npos) end = lower.size();
    std::string_view tok(lower.data() + start, end - start);
    if (tok == "t4" || tok == "a100" || tok == "a10g" || tok == "l4" || tok == "h100") return true;
    start = end + 1;
  }
  return false;
}

const Value* RuntimeClassNodeSelector(const ClusterFacts& facts) noexcept {
  if (!facts.runtime_class || !facts.runtime_class->is_object()) return nullptr;
  const Value* sel = facts.runtime_class->FindPath({"scheduling", "nodeSelector"});
  return sel != nullptr && sel->is_object() && sel->size() > 0 ? sel : nullptr;
}

bool NodeMatchesSelector(const Value& node, const Value* selector) noexcept {
  if (selector == nullptr) return true;
  const Value* labels = node.FindPath({"metadata", "labels"});
  for (const Member& m : selector->as_object()) {
    const Value* l = labels != nullptr && labels->is_object() ? labels->Find(m.key) : nullptr;
    if (l == nullptr || !l->is_string() || !m.value.is_string() || l->as_string() != m.value.as_string()) return false;
  }
  return true;
}

namespace {

std::string_view Label(const Value& node, std::string_view key) {
  return Str(node.FindPath({"metadata", "labels"}), key);
}

bool HasResourcePrefix(const Value& node, std::string_view prefix) {
  for (const char* field : {"capacity", "allocatable"}) {
    const Value* r = node.FindPath({"status", field});
    if (r == nullptr || !r->is_object()) continue;
    for (const Member& m : r->as_object()) {
      if (m.key.rfind(prefix, 0) == 0) return true;
    }
  }
  return false;
}

bool IsGpuNode(const Value& node) {
  return Label(node, "nvidia.com/gpu.present") == "true" || !Label(node, "nvidia.com/gpu.product").empty() ||
         HasResourcePrefix(node, "nvidia.com/gpu") || HasResourcePrefix(node, "nvidia.com/mig-");
}

std::string Driver(const Value& node) {
  std::string_view full = Label(node, "nvidia.com/cuda.driver-version.full");
  if (!full.empty()) return std::string(full);
  std::string_view major = Label(node, "nvidia.com/cuda.driver.major");
  std::string_view minor = Label(node, "nvidia.com/cuda.driver.minor");
  std::string_view rev = Label(node, "nvidia.com/cuda.driver.rev");
  if (major.empty() || minor.empty()) return {};
  std::string out = std::string(major) + "." + std::string(minor);
  if (!rev.empty()) out += "." + std::string(rev);
  return out;
}

bool MigEnabled(const Value& node) {
  std::string_view strategy = Label(node, "nvidia.com/mig.strategy");
  return strategy == "single" || strategy == "mixed" || HasResourcePrefix(node, "nvidia.com/mig-");
}

}  // namespace

std::vector<GpuGroup> EligibleGpuGroups(const ClusterFacts& facts) {
  std::vector<const Value*> gpu;
  for (const Value& n : facts.nodes) {
    if (n.is_object() && IsGpuNode(n)) gpu.push_back(&n);
  }
  const Value* sel = RuntimeClassNodeSelector(facts);
  if (sel != nullptr) {
    std::vector<const Value*> matching;
    for (const Value* n : gpu) {
      if (NodeMatchesSelector(*n, sel)) matching.push_back(n);
    }
    if (!matching.empty()) gpu = std::move(matching);
  }
  std::map<std::tuple<std::string, std::string, bool>, GpuGroup> groups;
  for (const Value* n : gpu) {
    std::string product(Label(*n, "nvidia.com/gpu.product"));
    std::string driver = Driver(*n);
    bool mig = MigEnabled(*n);
    GpuGroup& g = groups[std::make_tuple(product, driver, mig)];
    g.product = product;
    g.driver = driver;
    g.mig = mig;
    g.supported_card = IsSupportedGpuProduct(product);
    g.nodes.emplace_back(Str(n->Find("metadata"), "name"));
  }
  std::vector<GpuGroup> out;
  for (auto& [key, g] : groups) {
    if (g.product.empty()) {
      g.bucket = GpuBucket::kUnknown;
    } else if (g.mig || !g.supported_card) {
      g.bucket = GpuBucket::kBlocked;
    } else if (g.driver.empty() || !facts.nvproxy_drivers) {
      g.bucket = GpuBucket::kUnconfirmed;
    } else if (std::find(facts.nvproxy_drivers->begin(), facts.nvproxy_drivers->end(), g.driver) !=
               facts.nvproxy_drivers->end()) {
      g.bucket = GpuBucket::kReady;
    } else {
      g.bucket = GpuBucket::kDriverBad;
    }
    std::sort(g.nodes.begin(), g.nodes.end());
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace kfix::internal::gvisor

namespace kfix::gvisor {

namespace {

using internal::gvisor::Str;

SourceLocation At(std::string_view file, const Value& v) {
  SourceLocation l;
  l.file = std::string(file);
  l.line = v.line();
  l.column = v.column();
  return l;
}

bool NodeReady(const Value& node) {
  const Value* conds = node.FindPath({"status", "conditions"});
  if (conds == nullptr || !conds->is_array()) return true;  // not reported: assume ready
  for (const Value& c : conds->as_array()) {
    if (Str(&c, "type") == "Ready") return Str(&c, "status") == "True";
  }
  return true;
}

bool Tolerates(const Value& tol, const Value& taint) {
  std::string_view op = Str(&tol, "operator");
  if (op.empty()) op = "Equal";
  std::string_view tkey = Str(&tol, "key");
  std::string_view teffect = Str(&tol, "effect");
  if (!teffect.empty() && teffect != Str(&taint, "effect")) return false;
  if (tkey.empty()) return op == "Exists";
  if (tkey != Str(&taint, "key")) return false;
  return op == "Exists" || Str(&tol, "value") == Str(&taint, "value");
}

}  // namespace

Result<ClusterFacts> ParseClusterFacts(std::string_view text, std::string_view file) {
  SourceLocation at;
  at.file = std::string(file);
  Result<Value> doc = ParseYaml(text);
  if (!doc.ok()) return doc.status().WithDefaultLocation(at);
  return ClusterFactsFromValue(*doc, file);
}

Result<ClusterFacts> ClusterFactsFromValue(const Value& document, std::string_view file) {
  const Value* doc = &document;
  ClusterFacts f;
  if (doc->is_null()) return f;
  if (!doc->is_object()) return ParseError("cluster facts must be a mapping", At(file, *doc));
  for (const Member& m : doc->as_object()) {
    const Value& v = m.value;
    if (m.key == "runtimeClassName") {
      if (!v.is_string()) return ParseError("runtimeClassName must be a string", At(file, v));
      f.runtime_class_name = v.as_string();
    } else if (m.key == "runtimeClass") {
      if (!v.is_null() && !v.is_object()) return ParseError("runtimeClass must be a RuntimeClass object or null", At(file, v));
      f.runtime_class = v;
    } else if (m.key == "nodes") {
      if (v.is_null()) continue;
      if (!v.is_array()) return ParseError("nodes must be a list of Node objects", At(file, v));
      f.nodes_known = true;
      for (const Value& n : v.as_array()) {
        if (!n.is_object()) return ParseError("each node must be a Node object", At(file, n));
        f.nodes.push_back(n);
      }
    } else if (m.key == "runsc") {
      if (v.is_null()) continue;
      if (!v.is_object()) return ParseError("runsc must be a mapping {version, nvproxyDrivers}", At(file, v));
      if (const Value* ver = v.Find("version"); ver != nullptr && !ver->is_null()) {
        if (!ver->is_string()) return ParseError("runsc.version must be a string", At(file, *ver));
        f.runsc_version = ver->as_string();
      }
      if (const Value* d = v.Find("nvproxyDrivers"); d != nullptr && !d->is_null()) {
        if (!d->is_array()) return ParseError("runsc.nvproxyDrivers must be a list of strings", At(file, *d));
        std::vector<std::string> drivers;
        for (const Value& s : d->as_array()) {
          if (!s.is_string()) return ParseError("runsc.nvproxyDrivers must be a list of strings", At(file, s));
          drivers.push_back(s.as_string());
        }
        f.nvproxy_drivers = std::move(drivers);
      }
    } else if (m.key == "nvproxyProbe") {
      if (v.is_null()) continue;
      if (!v.is_object()) return ParseError("nvproxyProbe must be a mapping {status, message}", At(file, v));
      std::string_view status = Str(&v, "status");
      if (status != "ok" && status != "dry-run" && status != "skipped" && status != "failed")
        return ParseError("nvproxyProbe.status must be ok, dry-run, skipped or failed", At(file, v));
      f.nvproxy_probe = std::string(status);
      f.nvproxy_probe_message = std::string(Str(&v, "message"));
    } else if (m.key != "apiVersion" && m.key != "kind" && m.key != "metadata") {
      return ParseError("unknown member `" + m.key + "` in cluster facts", At(file, v));
    }
  }
  return f;
}

Result<ClusterFacts> LoadClusterFacts(const std::string& path) {
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  return ParseClusterFacts(*text, path);
}

PreflightReport Preflight(const ClusterFacts& facts, std::string_view runtime_class_name, bool add_toleration) {
  PreflightReport out;
  auto add = [&](std::string id, Severity s, std::string msg) {
    out.findings.push_back(PreflightFinding{std::move(id), s, std::move(msg)});
  };
  const std::string rc_name(runtime_class_name);
  bool rc_known = facts.runtime_class.has_value();
  const Value* rc = rc_known && facts.runtime_class->is_object() ? &*facts.runtime_class : nullptr;
  if (rc != nullptr) {
    std::string_view name = Str(rc->Find("metadata"), "name");
    if (!name.empty() && name != rc_name) rc = nullptr;  // the facts describe another RuntimeClass
  }
  const Value* selector = nullptr;
  std::vector<const Value*> matching;
  if (rc_known && rc == nullptr) {
    add("runtimeclass-missing", Severity::kError,
        "RuntimeClass " + rc_name + " does not exist; install gVisor (runsc) and create it first");
  } else if (rc != nullptr) {
    selector = internal::gvisor::RuntimeClassNodeSelector(facts);
    if (selector == nullptr) {
      add("runtimeclass-no-node-selector", Severity::kError,
          "RuntimeClass " + rc_name + " has no scheduling.nodeSelector; pods could land on nodes without runsc");
    } else if (facts.nodes_known) {
      for (const Value& n : facts.nodes) {
        if (internal::gvisor::NodeMatchesSelector(n, selector)) matching.push_back(&n);
      }
      if (matching.empty()) {
        add("runtimeclass-no-matching-nodes", Severity::kError,
            "no node matches the nodeSelector of RuntimeClass " + rc_name);
      } else if (std::none_of(matching.begin(), matching.end(), [](const Value* n) { return NodeReady(*n); })) {
        add("runtimeclass-no-ready-matching-nodes", Severity::kError,
            "no node matching RuntimeClass " + rc_name + " is Ready");
      }
      // Taints on matching nodes that neither the RuntimeClass nor the plan tolerates.
      std::vector<Value> tolerations;
      if (const Value* t = rc->FindPath({"scheduling", "tolerations"}); t != nullptr && t->is_array())
        tolerations = t->as_array();
      if (add_toleration) {
        Value tol = Value::MakeObject();
        tol.Set("key", "runtime");
        tol.Set("operator", "Equal");
        tol.Set("value", "gvisor");
        tol.Set("effect", "NoSchedule");
        tolerations.push_back(tol);
      }
      std::vector<std::string> affected;
      for (const Value* n : matching) {
        const Value* taints = n->FindPath({"spec", "taints"});
        if (taints == nullptr || !taints->is_array()) continue;
        for (const Value& taint : taints->as_array()) {
          std::string_view effect = Str(&taint, "effect");
          if (effect != "NoSchedule" && effect != "NoExecute") continue;
          if (std::none_of(tolerations.begin(), tolerations.end(), [&](const Value& t) { return Tolerates(t, taint); })) {
            affected.emplace_back(Str(n->Find("metadata"), "name"));
            break;
          }
        }
      }
      if (!affected.empty()) {
        add("runtimeclass-taint-without-toleration",
            affected.size() == matching.size() ? Severity::kError : Severity::kWarn,
            std::to_string(affected.size()) + " of " + std::to_string(matching.size()) +
                " matching nodes carry a taint neither RuntimeClass " + rc_name +
                " nor the plan tolerates: " + internal::gvisor::Join(affected));
      }
    }
    const Value* overhead = rc->Find("overhead");
    if (overhead == nullptr || !overhead->is_object() || overhead->size() == 0) {
      add("runtimeclass-no-overhead", Severity::kInfo,
          "RuntimeClass " + rc_name + " declares no overhead; the sandbox's memory is not accounted to pods");
    }
  }
  // Node platforms that cannot run runsc.
  if (facts.nodes_known && !facts.nodes.empty()) {
    std::vector<const Value*> candidates = matching;
    if (candidates.empty()) {
      for (const Value& n : facts.nodes) candidates.push_back(&n);
    }
    auto platform = [&](const char* id, const char* what, auto pred) {
      std::vector<std::string> hit;
      for (const Value* n : candidates) {
        if (pred(*n)) hit.emplace_back(Str(n->Find("metadata"), "name"));
      }
      if (hit.empty()) return;
      add(id, hit.size() == candidates.size() ? Severity::kError : Severity::kWarn,
          std::to_string(hit.size()) + " of " + std::to_string(candidates.size()) + " candidate nodes " + what +
              ": " + internal::gvisor::Join(hit));
    };
    platform("eks-auto-mode-nodes", "are EKS Auto Mode nodes (no custom runtime handlers)", [](const Value& n) {
      return Str(n.FindPath({"metadata", "labels"}), "eks.amazonaws.com/compute-type") == "auto";
    });
    platform("bottlerocket-nodes", "run Bottlerocket (no runsc package)", [](const Value& n) {
      return internal::gvisor::ContainsLower(Str(n.FindPath({"status", "nodeInfo"}), "osImage"), "bottlerocket");
    });
  }
  // GPUs.
  using B = internal::gvisor::GpuBucket;
  for (const internal::gvisor::GpuGroup& g : internal::gvisor::EligibleGpuGroups(facts)) {
    std::string nodes = " (nodes: " + internal::gvisor::Join(g.nodes) + ")";
    switch (g.bucket) {
      case B::kUnknown:
        add("gpu-product-unknown", Severity::kInfo, "GPU nodes without GPU Feature Discovery labels" + nodes);
        break;
      case B::kBlocked:
        if (g.mig) {
          add("gpu-mig-enabled", Severity::kWarn, "MIG is enabled on " + g.product + nodes + "; nvproxy does not support MIG");
        } else {
          add("gpu-product-unsupported", Severity::kWarn,
              g.product + " is not supported by nvproxy (T4, A100, A10G, L4, H100)" + nodes);
        }
        break;
      case B::kDriverBad:
        add("gpu-driver-unsupported", Severity::kWarn,
            "driver " + g.driver + " on " + g.product + " is not in runsc's nvproxy list" + nodes);
        break;
      case B::kUnconfirmed:
        add("gpu-driver-unconfirmed", Severity::kInfo,
            "driver " + (g.driver.empty() ? std::string("(unknown)") : g.driver) + " on " + g.product +
                " was not checked against runsc's nvproxy list" + nodes);
        break;
      case B::kReady:
        add("gpu-nvproxy-ready", Severity::kInfo, g.product + " with driver " + g.driver + " is nvproxy-ready" + nodes);
        break;
    }
  }
  if (facts.nvproxy_probe == "dry-run") {
    add("nvproxy-probe-dry-run", Severity::kInfo, "nvproxy probe not run (dry run)");
  } else if (facts.nvproxy_probe == "skipped") {
    add("nvproxy-probe-skipped", Severity::kWarn, "nvproxy probe skipped: " + facts.nvproxy_probe_message);
  } else if (facts.nvproxy_probe == "failed") {
    add("nvproxy-probe-failed", Severity::kWarn, "nvproxy probe failed: " + facts.nvproxy_probe_message);
  }
  std::stable_sort(out.findings.begin(), out.findings.end(), [](const PreflightFinding& a, const PreflightFinding& b) {
    if (a.severity != b.severity) return a.severity > b.severity;
    if (a.id != b.id) return a.id < b.id;
    return a.message < b.message;
  });
  out.ready = std::none_of(out.findings.begin(), out.findings.end(),
                           [](const PreflightFinding& f) { return f.severity == Severity::kError; });
  return out;
}

}  // namespace kfix::gvisor
