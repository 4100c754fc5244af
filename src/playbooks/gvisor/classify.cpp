// The rule catalogue, refinements, overrides and verdicts (playbooks.md §1.2-§1.4).
#include <algorithm>
#include <array>
#include <string>

#include "playbooks/gvisor/internal.hpp"

namespace kfix::gvisor {

namespace {

using internal::gvisor::ContainsLower;
using internal::gvisor::Str;

constexpr const char* kCompatUrl = "https://gvisor.dev/docs/user_guide/compatibility/";

const std::vector<RuleInfo>& Catalogue() {
  static const std::vector<RuleInfo> rules = [] {
    std::vector<RuleInfo> r = {
        {"ebpf", Severity::kError,
         "Loads eBPF programs or runs an eBPF agent (Cilium, Tetragon, Falco); gVisor does not support bpf(2) "
         "program loading.",
         kCompatUrl, false},
        {"fuse-mount", Severity::kWarn,
         "Uses FUSE (a FUSE CSI driver or AGENTMOAT_USES_FUSE); gVisor's FUSE support is partial.",
         "https://gvisor.dev/docs/user_guide/compatibility/linux/amd64/", false},
        {"gpu-passthrough", Severity::kWarn,
         "Requests NVIDIA GPUs; under gVisor they need nvproxy with a supported card and driver.",
         "https://gvisor.dev/docs/user_guide/gpu/", true},
        {"host-ipc", Severity::kError, "Shares the host IPC namespace (hostIPC: true), which a sandbox cannot.",
         kCompatUrl, false},
        {"host-network", Severity::kError,
         "Uses the host network namespace (hostNetwork: true); gVisor runs its own network stack.",
         "https://gvisor.dev/docs/user_guide/networking/", false},
        {"host-path-mount", Severity::kWarn,
         "Mounts a hostPath volume; host files are reached through the gofer and may behave differently.",
         "https://gvisor.dev/docs/user_guide/filesystem/", false},
        {"host-pid", Severity::kError, "Shares the host PID namespace (hostPID: true), which a sandbox cannot.",
         kCompatUrl, false},
        {"io-uring", Severity::kWarn, "Uses io_uring (agentmoat.io/uses-iouring); gVisor's io_uring is limited.",
         kCompatUrl, false},
        {"kvm-nested", Severity::kError,
         "Mounts /dev/kvm for nested virtualisation, which is not available inside gVisor.",
         "https://gvisor.dev/docs/architecture_guide/platforms/", false},
        {"network-throughput", Severity::kInfo,
         "Network-heavy proxy image (nginx, envoy, haproxy, traefik); expect lower throughput under netstack.",
         "https://gvisor.dev/docs/architecture_guide/performance/", false},
        {"perf-events", Severity::kWarn,
         "Adds PERFMON or SYS_ADMIN; perf events and most administrative syscalls are unavailable in gVisor.",
         kCompatUrl, false},
        {"privileged", Severity::kError,
         "Runs a privileged container; gVisor cannot grant host device or kernel access.", kCompatUrl, false},
        {"raw-socket", Severity::kError,
         "Needs raw sockets (NET_RAW or agentmoat.io/needs-raw-socket); gVisor disables them by default.",
         "https://gvisor.dev/docs/user_guide/networking/", false},
        {"syscall-heavy", Severity::kInfo,
         "Syscall-heavy image (redis, memcached); syscall interception adds latency.",
         "https://gvisor.dev/docs/architecture_guide/performance/", false},
        {"systemd-init", Severity::kWarn,
         "Runs systemd as PID 1 (or agentmoat.io/runs-systemd); needs a recent runsc with cgroup v2 in the "
         "sandbox.",
         "https://gvisor.dev/docs/user_guide/systemd/", true},
    };
    std::sort(r.begin(), r.end(), [](const RuleInfo& a, const RuleInfo& b) { return a.id < b.id; });
    for (std::size_t i = 1; i < r.size(); ++i) {
      // Duplicate ids at registration are a programming error.
      if (r[i].id == r[i - 1].id) std::abort();
    }
    return r;
  }();
  return rules;
}

// Every container of the spec: init then main (ephemeral skipped).
template <typename F>
void ForEachContainer(const Value& spec, bool main_only, F&& fn) {
  if (!spec.is_object()) return;
  for (const char* field : {"initContainers", "containers"}) {
    if (main_only && std::string_view(field) == "initContainers") continue;
    const Value* list = spec.Find(field);
    if (list == nullptr || !list->is_array()) continue;
    for (const Value& c : list->as_array()) {
      if (c.is_object()) fn(c);
    }
  }
}

bool IsTrue(const Value* v) {
  if (v == nullptr) return false;
  if (v->is_bool()) return v->as_bool();
  return v->is_string() && v->as_string() == "true";
}

bool AnnotationTrue(const Workload& w, std::string_view key) {
  return w.annotations.is_object() && IsTrue(w.annotations.Find(key));
}

bool SpecTrue(const Workload& w, std::string_view key) {
  return w.pod_spec.is_object() && IsTrue(w.pod_spec.Find(key));
}

bool AddsCapability(const Workload& w, std::string_view cap) {
  bool found = false;
  ForEachContainer(w.pod_spec, false, [&](const Value& c) {
    const Value* add = c.FindPath({"securityContext", "capabilities", "add"});
    if (add == nullptr || !add->is_array()) return;
    for (const Value& a : add->as_array()) {
      if (a.is_string() && a.as_string() == cap) found = true;
    }
  });
  return found;
}

bool ImageHint(const Workload& w, std::initializer_list<std::string_view> hints) {
  for (const std::string& image : w.image_refs) {
    for (std::string_view h : hints) {
      if (ContainsLower(image, h)) return true;
    }
  }
  return false;
}

template <typename F>
void ForEachVolume(const Workload& w, F&& fn) {
  const Value* vols = w.pod_spec.is_object() ? w.pod_spec.Find("volumes") : nullptr;
  if (vols == nullptr || !vols->is_array()) return;
  for (const Value& v : vols->as_array()) {
    if (v.is_object()) fn(v);
  }
}

// Resource names requested or limited by any container.
template <typename F>
void ForEachResourceName(const Workload& w, F&& fn) {
  ForEachContainer(w.pod_spec, false, [&](const Value& c) {
    for (const char* kind : {"requests", "limits"}) {
      const Value* r = c.FindPath({"resources", kind});
      if (r == nullptr || !r->is_object()) continue;
      for (const Member& m : r->as_object()) fn(m.key);
    }
  });
}

bool SystemdExecutable(std::string_view s) {
  return s == "/sbin/init" || s == "/usr/sbin/init" || s == "/lib/systemd/systemd" || s == "/usr/lib/systemd/systemd";
}

bool Fires(std::string_view id, const Workload& w) {
  if (id == "raw-socket") return AnnotationTrue(w, "agentmoat.io/needs-raw-socket") || AddsCapability(w, "NET_RAW");
  if (id == "host-network") return SpecTrue(w, "hostNetwork");
  if (id == "host-pid") return SpecTrue(w, "hostPID");
  if (id == "host-ipc") return SpecTrue(w, "hostIPC");
  if (id == "privileged") {
    bool found = false;
    ForEachContainer(w.pod_spec, false, [&](const Value& c) {
      if (IsTrue(c.FindPath({"securityContext", "privileged"}))) found = true;
    });
    return found;
  }
  if (id == "ebpf")
    return ImageHint(w, {"cilium/cilium", "ghcr.io/cilium", "quay.io/cilium", "tetragon", "falco"}) ||
           AddsCapability(w, "BPF");
  if (id == "kvm-nested") {
    bool found = false;
    ForEachVolume(w, [&](const Value& v) {
      if (Str(v.Find("hostPath"), "path") == "/dev/kvm") found = true;
    });
    return found;
  }
  if (id == "host-path-mount") {
    bool found = false;
    ForEachVolume(w, [&](const Value& v) {
      if (v.Find("hostPath") != nullptr) found = true;
    });
    return found;
  }
  if (id == "gpu-passthrough") {
    bool found = false;
    ForEachResourceName(w, [&](const std::string& name) {
      if (name.rfind("nvidia.com/", 0) == 0) found = true;
    });
    return found;
  }
  if (id == "fuse-mount") {
    bool found = false;
    ForEachVolume(w, [&](const Value& v) {
      if (ContainsLower(Str(v.Find("csi"), "driver"), "fuse")) found = true;
    });
    ForEachContainer(w.pod_spec, false, [&](const Value& c) {
      const Value* env = c.Find("env");
      if (env == nullptr || !env->is_array()) return;
      for (const Value& e : env->as_array()) {
        if (Str(&e, "name") == "AGENTMOAT_USES_FUSE" && Str(&e, "value") == "true") found = true;
      }
    });
    return found;
  }
  if (id == "io-uring") return AnnotationTrue(w, "agentmoat.io/uses-iouring");
  if (id == "perf-events") return AddsCapability(w, "PERFMON") || AddsCapability(w, "SYS_ADMIN");
  if (id == "systemd-init") {
    if (AnnotationTrue(w, "agentmoat.io/runs-systemd")) return true;
    bool found = false;
    ForEachContainer(w.pod_spec, true, [&](const Value& c) {
      if (RunsSystemdAsPid1(c)) found = true;
    });
    return found;
  }
  if (id == "network-throughput") return ImageHint(w, {"nginx", "envoy", "haproxy", "traefik"});
  if (id == "syscall-heavy") return ImageHint(w, {"redis", "memcached"});
  return false;
}

// ---- Refinements -----------------------------------------------------------

void RefineGpu(const Workload& w, const ClusterFacts* facts, Reason& r) {
  bool mig = false;
  ForEachResourceName(w, [&](const std::string& name) {
    if (name.rfind("nvidia.com/mig-", 0) == 0) mig = true;
  });
  if (mig) {
    r.severity = Severity::kError;
    r.description += " Refined: requests a MIG slice (nvidia.com/mig-*), which nvproxy does not support.";
    return;
  }
  if (facts == nullptr) return;
  std::vector<internal::gvisor::GpuGroup> groups = internal::gvisor::EligibleGpuGroups(*facts);
  if (groups.empty()) return;
  using B = internal::gvisor::GpuBucket;
  std::size_t ready = 0, unconfirmed = 0, driver_bad = 0, unknown = 0;
  std::vector<std::string> ready_products;
  for (const auto& g : groups) {
    switch (g.bucket) {
      case B::kReady:
        ++ready;
        if (std::find(ready_products.begin(), ready_products.end(), g.product) == ready_products.end())
          ready_products.push_back(g.product);
        break;
      case B::kUnconfirmed: ++unconfirmed; break;
      case B::kDriverBad: ++driver_bad; break;
      case B::kUnknown: ++unknown; break;
      case B::kBlocked: break;
    }
  }
  if (ready == groups.size()) {
    r.severity = Severity::kInfo;
    r.description += " Refined: every eligible GPU node group has a supported card and a driver runsc lists.";
  } else if (ready > 0) {
    r.severity = Severity::kWarn;
    r.description += " Refined: only some GPU node groups are nvproxy-ready (" +
                     internal::gvisor::Join(ready_products) +
                     "); pin the RuntimeClass nodeSelector to those nodes.";
  } else if (unconfirmed > 0) {
    r.description += " Refined: supported card, but the driver was not probed against runsc's list.";
  } else if (driver_bad > 0) {
    r.severity = Severity::kError;
    r.description += " Refined: the GPU driver on the eligible nodes is not supported by runsc nvproxy.";
  } else if (unknown > 0) {
    r.description += " Refined: GPU nodes carry no GPU Feature Discovery labels; card unknown.";
  } else {
    r.severity = Severity::kError;
    r.description += " Refined: eligible GPU nodes run MIG or an unsupported card (supported: T4, A100, A10G, L4, H100).";
  }
}

void RefineSystemd(const ClusterFacts* facts, Reason& r) {
  if (facts == nullptr) return;
  long long date = 0, point = 0;
  if (!internal::gvisor::ParseRunscVersion(facts->runsc_version, &date, &point)) {
    r.description += " Refined: runsc version unknown (" +
                     (facts->runsc_version.empty() ? std::string("not reported") : facts->runsc_version) +
                     "); systemd needs release-20260831.0 or newer.";
    return;
  }
  if (date < 20260831LL) {  // older than release-20260831.0 (any point of an older date)
    r.severity = Severity::kError;
    r.description += " Refined: runsc " + facts->runsc_version + " is older than release-20260831.0, which systemd needs.";
    return;
  }
  r.description += " Refined: runsc " + facts->runsc_version + " supports systemd; confirm in-sandbox-cgroup=v2.";
}

}  // namespace



const char* SeverityName(Severity s) noexcept {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kWarn: return "warn";
    case Severity::kError: return "error";
  }
  return "info";
}

std::optional<Severity> ParseSeverity(std::string_view s) noexcept {
  if (s == "info") return Severity::kInfo;
  if (s == "warn") return Severity::kWarn;
  if (s == "error") return Severity::kError;
  return std::nullopt;
}

const char* CompatibilityName(Compatibility c) noexcept {
  switch (c) {
    case Compatibility::kCompatible: return "compatible";
    case Compatibility::kReview: return "review";
    case Compatibility::kIncompatible: return "incompatible";
  }
  return "compatible";
}

const std::vector<RuleInfo>& Rules() { return Catalogue(); }

const RuleInfo* FindRule(std::string_view id) noexcept {
  for (const RuleInfo& r : Catalogue()) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

bool RunsSystemdAsPid1(const Value& container) noexcept {
  if (!container.is_object()) return false;
  const Value* command = container.Find("command");
  if (command != nullptr && command->is_array() && !command->as_array().empty()) {
    return SystemdExecutable(command->as_array()[0].string_or());
  }
  const Value* args = container.Find("args");
  if (args != nullptr && args->is_array() && !args->as_array().empty()) {
    return SystemdExecutable(args->as_array()[0].string_or());
  }
  std::string_view image = Str(&container, "image");
  for (std::string_view h : {"ubi-init", "ubi8-init", "ubi9-init", "ubi10-init"}) {
    if (ContainsLower(image, h)) return true;
  }
  return false;
}

WorkloadResult Classify(const Workload& w, const ClassifyOptions& options) {
  WorkloadResult out;
  out.kind = w.kind;
  out.namespace_ = w.namespace_;
  out.name = w.name;
  out.source = w.source;
  std::int64_t errors = 0, warns = 0;
  bool network = false, syscall = false;
  for (const RuleInfo& rule : Catalogue()) {  // id order
    if (!Fires(rule.id, w)) continue;
    Reason r{rule.id, rule.default_severity, rule.description, rule.remediation_url};
    if (options.overrides != nullptr) {
      auto it = options.overrides->severity.find(rule.id);
      if (it != options.overrides->severity.end()) r.severity = it->second;
    }
    if (rule.id == "gpu-passthrough") RefineGpu(w, options.facts, r);
    if (rule.id == "systemd-init") RefineSystemd(options.facts, r);
    if (r.severity == Severity::kError) ++errors;
    if (r.severity == Severity::kWarn) ++warns;
    if (rule.id == "network-throughput") network = true;
    if (rule.id == "syscall-heavy") syscall = true;
    out.reasons.push_back(std::move(r));
  }
  if (errors > 0) {
    out.compatibility = Compatibility::kIncompatible;
    out.recommendation =
        "Do not migrate to gVisor: " + std::to_string(errors) + " blocking issues. See reasons.";
  } else if (warns > 0) {
    out.compatibility = Compatibility::kReview;
    out.recommendation = "Review before migration: " + std::to_string(warns) + " potential issues.";
  } else {
    out.compatibility = Compatibility::kCompatible;
    out.recommendation = "Safe to migrate: set spec.runtimeClassName: gvisor on this workload.";
  }
  if (network) {
    out.overhead = "Network throughput: 20-40%";
  } else if (syscall) {
    out.overhead = "Syscall-heavy: 5-10x latency in pathological cases";
  }
  return out;
}

ExitCode CompatibilityReport::exit_code() const noexcept {
  return incompatible > 0 ? ExitCode::kIncompatible : ExitCode::kOk;
}

CompatibilityReport ScanWorkloads(const std::vector<Manifest>& objects, const ScanOptions& options) {
  CompatibilityReport report;
  ExtractResult ex = ExtractWorkloads(objects, options.extract);
  report.warnings = std::move(ex.warnings);
  if (options.classify.overrides != nullptr) {
    for (const Status& s : options.classify.overrides->warnings) report.warnings.push_back(s);
  }
  report.workloads.reserve(ex.workloads.size());
  for (const Workload& w : ex.workloads) {
    WorkloadResult r = Classify(w, options.classify);
    switch (r.compatibility) {
      case Compatibility::kCompatible: ++report.compatible; break;
      case Compatibility::kReview: ++report.review; break;
      case Compatibility::kIncompatible: ++report.incompatible; break;
    }
    report.workloads.push_back(std::move(r));
  }
  return report;
}

// ---- Overrides ---------------------------------------------------------------

Result<RuleOverrides> ParseRuleOverrides(std::string_view text, std::string_view file) {
  SourceLocation at;
  at.file = std::string(file);
  Result<Value> parsed = ParseYaml(text);
  if (!parsed.ok()) return parsed.status().WithDefaultLocation(at);
  return RuleOverridesFromValue(*parsed, file);
}

Result<RuleOverrides> RuleOverridesFromValue(const Value& document, std::string_view file) {
  SourceLocation at;
  at.file = std::string(file);
  const Value* doc = &document;
  RuleOverrides out;
  auto loc = [&](const Value& v) {
    SourceLocation l = at;
    l.line = v.line();
    l.column = v.column();
    return l;
  };
  if (doc->is_null()) return out;
  if (!doc->is_object()) return ParseError("override file must be a mapping with an `overrides` list", loc(*doc));
  const Value* list = doc->Find("overrides");
  if (list == nullptr || list->is_null()) return out;
  if (!list->is_array()) return ParseError("`overrides` must be a list", loc(*list));
  for (const Value& e : list->as_array()) {
    if (!e.is_object()) return ParseError("override entry must be a mapping", loc(e));
    const Value* id = e.Find("id");
    if (id == nullptr || !id->is_string() || id->as_string().empty()) {
      out.warnings.push_back(InvalidArgumentError("override entry missing id, skipped", loc(e)));
      continue;
    }
    const Value* sev = e.Find("severity");
    std::optional<Severity> s = sev != nullptr && sev->is_string() ? ParseSeverity(sev->as_string()) : std::nullopt;
    if (!s) {
      out.warnings.push_back(InvalidArgumentError(
          "override for " + id->as_string() + ": severity must be info, warn or error, entry skipped",
          loc(sev != nullptr ? *sev : e)));
      continue;
    }
    if (FindRule(id->as_string()) == nullptr) {
      out.warnings.push_back(InvalidArgumentError(
          "override for unknown rule id " + id->as_string() + " ignored (new rules cannot be added here)", loc(*id)));
      continue;
    }
    if (out.severity.count(id->as_string()) != 0) {
      out.warnings.push_back(
          InvalidArgumentError("override for " + id->as_string() + " repeated; the last one wins", loc(*id)));
    }
    out.severity[id->as_string()] = *s;
  }
  return out;
}

Result<RuleOverrides> LoadRuleOverrides(const std::string& path) {
  Result<std::string> text = ReadFileToString(path);
  if (!text.ok()) return text.status();
  return ParseRuleOverrides(*text, path);
}

}  // namespace kfix::gvisor
