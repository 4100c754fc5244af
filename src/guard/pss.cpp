// The privilege gate's table: Pod Security Standards (baseline, restricted)
// and kfix's hardening facts. See pss.hpp and docs/remediation.md.
#include "guard/pss.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "remediate/builder.hpp"

namespace kfix::internal {
namespace {

const Value* F(const Value* v, std::string_view k) noexcept { return (v && v->is_object()) ? v->Find(k) : nullptr; }
std::string S(const Value* v) { return v ? std::string(v->string_or()) : std::string(); }
bool IsTrue(const Value* v) noexcept { return v && v->is_bool() && v->as_bool(); }
bool IsFalse(const Value* v) noexcept { return v && v->is_bool() && !v->as_bool(); }
bool Set(const Value* v) noexcept { return v && !v->is_null(); }

std::string Text(const Value* v) {
  if (!v) return "unset";
  if (v->is_string()) return "\"" + v->as_string() + "\"";
  return ToJson(*v);
}

bool OneOf(std::string_view s, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}
template <std::size_t N>
bool OneOf(std::string_view s, const std::string_view (&list)[N]) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

// Baseline: capabilities a container may add.
constexpr std::string_view kBaselineCaps[] = {
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"};
// Baseline: the safe sysctls.
constexpr std::string_view kSafeSysctls[] = {
    "kernel.shm_rmid_forced",       "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",      "net.ipv4.ping_group_range",    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",  "net.ipv4.tcp_fin_timeout",     "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes"};
// Baseline: SELinux types a pod or container may use.
constexpr std::string_view kSelinuxTypes[] = {"", "container_t", "container_init_t",
                                                                   "container_kvm_t", "container_engine_t"};
// Restricted: the volume types allowed.
constexpr std::string_view kRestrictedVolumes[] = {
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"};
// Every Linux capability (kfix: a container stops dropping one of them).
constexpr std::string_view kAllCaps[] = {
    "AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "BPF", "CHECKPOINT_RESTORE", "CHOWN",
    "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE",
    "LINUX_IMMUTABLE", "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST",
    "NET_RAW", "PERFMON", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYSLOG", "SYS_ADMIN", "SYS_BOOT",
    "SYS_CHROOT", "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME",
    "SYS_TTY_CONFIG", "WAKE_ALARM"};

std::string CapName(std::string_view s) {
  std::string c(s);
  for (char& ch : c) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
  }
  if (c.rfind("CAP_", 0) == 0) c = c.substr(4);
  return c;
}

using Who = const std::string*;

std::string SubjectText(const ContainerRef& c) {
  const std::string who = c.name.empty() ? Concat({"#", std::to_string(c.index)}) : Concat({"\"", c.name, "\""});
  switch (c.group) {
    case ContainerGroup::kInit: return "init container " + who;
    case ContainerGroup::kEphemeral: return "ephemeral container " + who;
    default: return "container " + who;
  }
}

// "does not drop CAP" for every capability, made once (constant details are
// not copied into each violation).
const std::string& DoesNotDrop(std::size_t cap_index) {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> t;
    for (std::string_view cap : kAllCaps) t.push_back(Concat({"does not drop ", cap}));
    return t;
  }();
  return texts[cap_index];
}

class Evaluator {
 public:
  explicit Evaluator(PssViolations& out) : out_(out) {}
  /// A subject text owned by the result.
  Who Subject(std::string text) {
    out_.subjects.push_back(std::make_unique<const std::string>(std::move(text)));
    return out_.subjects.back().get();
  }
  // `detail` is constant text (a literal or static storage).
  void Add(PssLevel level, const char* control, Who subject, const char* detail) {
    PssViolation& v = out_.list.emplace_back();
    v.level = level;
    v.control = control;
    v.subject = subject;
    v.fixed_detail = detail;
  }
  void Add(PssLevel level, const char* control, Who subject, std::string detail) {
    PssViolation& v = out_.list.emplace_back();
    v.level = level;
    v.control = control;
    v.subject = subject;
    v.detail_text = std::move(detail);
  }

  // Controls that read one security context (pod or container).
  void SecurityContext(const Value* sc, Who who) {
    if (IsTrue(F(F(sc, "windowsOptions"), "hostProcess")))
      Add(PssLevel::kBaseline, "host-process", who, "windowsOptions.hostProcess=true");
    if (const Value* t = F(F(sc, "appArmorProfile"), "type"); Set(t) && !OneOf(S(t), {"RuntimeDefault", "Localhost"}))
      Add(PssLevel::kBaseline, "apparmor", who, "appArmorProfile.type=" + Text(t));
    const Value* se = F(sc, "seLinuxOptions");
    if (const Value* t = F(se, "type"); Set(t) && !OneOf(S(t), kSelinuxTypes))
      Add(PssLevel::kBaseline, "selinux", who, "seLinuxOptions.type=" + Text(t));
    for (const char* k : {"user", "role"}) {
      if (const Value* v = F(se, k); Set(v) && !S(v).empty())
        Add(PssLevel::kBaseline, "selinux", who, std::string("seLinuxOptions.") + k + "=" + Text(v));
    }
    if (const Value* t = F(F(sc, "seccompProfile"), "type"); Set(t) && S(t) == "Unconfined")
      Add(PssLevel::kBaseline, "seccomp", who, "seccompProfile.type=\"Unconfined\"");
    if (const Value* u = F(sc, "runAsUser"); u && u->is_number() && u->as_number() == 0)
      Add(PssLevel::kRestricted, "running-as-non-root-user", who, "runAsUser=0");
    if (const Value* g = F(sc, "runAsGroup"); g && g->is_number() && g->as_number() == 0)
      Add(PssLevel::kKfix, "root-group", who, "runAsGroup=0");
    if (!OneOf(S(F(F(sc, "seccompProfile"), "type")), {"RuntimeDefault", "Localhost"}))
      Add(PssLevel::kKfix, "own-seccomp", who, "no RuntimeDefault or Localhost seccompProfile of its own");
    if (!IsTrue(F(sc, "runAsNonRoot"))) Add(PssLevel::kKfix, "own-run-as-non-root", who, "runAsNonRoot is not true");
  }

  void Pod(const WorkloadView& view) {
    const Value* ps = view.pod_spec;
    const Value* psc = F(ps, "securityContext");
    const bool windows = S(F(F(ps, "os"), "name")) == "windows";
    const Who pod = Subject("pod");
    for (const char* f : {"hostNetwork", "hostPID", "hostIPC"}) {
      if (IsTrue(F(ps, f))) Add(PssLevel::kBaseline, "host-namespaces", pod, std::string(f) + "=true");
    }
    SecurityContext(psc, pod);
    if (const Value* sys = F(psc, "sysctls"); sys && sys->is_array()) {
      for (const Value& s : sys->as_array()) {
        const std::string name = S(F(&s, "name"));
        if (!OneOf(name, kSafeSysctls)) Add(PssLevel::kBaseline, "sysctls", pod, "unsafe sysctl \"" + name + "\"");
        Add(PssLevel::kKfix, "sysctls", pod, "sysctl \"" + name + "\"=" + Text(F(&s, "value")));
      }
    }
    if (const Value* vols = F(ps, "volumes"); vols && vols->is_array()) {
      for (const Value& v : vols->as_array()) {
        const std::string name = S(F(&v, "name"));
        if (const Value* hp = F(&v, "hostPath"))
          Add(PssLevel::kBaseline, "host-path-volumes", pod, "volume \"" + name + "\" is a hostPath " + Text(F(hp, "path")));
        if (!v.is_object()) continue;
        for (const Member& m : v.as_object()) {
          if (m.key == "name" || m.value.is_null() || OneOf(m.key, kRestrictedVolumes)) continue;
          Add(PssLevel::kRestricted, "volume-types", pod, "volume \"" + name + "\" has type " + m.key);
        }
      }
    }
    if (const Value* rn = F(psc, "runAsNonRoot"); IsFalse(rn))
      Add(PssLevel::kRestricted, "running-as-non-root", pod, "runAsNonRoot=false");
    const std::string pod_seccomp = S(F(F(psc, "seccompProfile"), "type"));
    if (!windows && Set(F(F(psc, "seccompProfile"), "type")) && !OneOf(pod_seccomp, {"RuntimeDefault", "Localhost"}))
      Add(PssLevel::kRestricted, "seccomp", pod, "seccompProfile.type=\"" + pod_seccomp + "\"");
    if (const Value* fg = F(psc, "fsGroup"); fg && fg->is_number() && fg->as_number() == 0)
      Add(PssLevel::kKfix, "root-group", pod, "fsGroup=0");
    if (const Value* sg = F(psc, "supplementalGroups"); sg && sg->is_array()) {
      for (const Value& g : sg->as_array()) {
        if (g.is_number() && g.as_number() == 0) Add(PssLevel::kKfix, "root-group", pod, "supplementalGroups contains 0");
      }
    }
    if (IsTrue(F(ps, "shareProcessNamespace")))
      Add(PssLevel::kKfix, "share-process-namespace", pod, "shareProcessNamespace=true");
    if (!IsFalse(F(ps, "hostUsers"))) Add(PssLevel::kKfix, "host-users", pod, "hostUsers is not false");

    // AppArmor annotations on the pod (template) metadata.
    if (const Value* ann = F(view.pod_metadata, "annotations"); ann && ann->is_object()) {
      constexpr std::string_view kPrefix = "container.apparmor.security.beta.kubernetes.io/";
      for (const Member& m : ann->as_object()) {
        if (m.key.rfind(kPrefix, 0) != 0) continue;
        const std::string value(m.value.string_or());
        if (value != "runtime/default" && value.rfind("localhost/", 0) != 0)
          Add(PssLevel::kBaseline, "apparmor", Subject("container \"" + m.key.substr(kPrefix.size()) + "\""),
              "annotation " + m.key + "=" + Text(&m.value));
      }
    }

    out_.container_begin.reserve(view.containers.size());
    for (const ContainerRef& c : view.containers) {
      out_.container_begin.push_back(out_.list.size());
      Container(c, psc, windows);
    }
  }

  /// One container's block, as Pod() makes it.
  void OneContainer(const WorkloadView& view, std::size_t k) {
    const Value* psc = F(view.pod_spec, "securityContext");
    const bool windows = S(F(F(view.pod_spec, "os"), "name")) == "windows";
    out_.container_begin.push_back(0);
    Container(view.containers[k], psc, windows);
  }

  void Container(const ContainerRef& c, const Value* psc, bool windows) {
    const Who who = Subject(SubjectText(c));
    const Value* sc = F(c.container, "securityContext");
    if (IsTrue(F(sc, "privileged"))) Add(PssLevel::kBaseline, "privileged", who, "privileged=true");
    SecurityContext(sc, who);
    const Value* caps = F(sc, "capabilities");
    if (const Value* add = F(caps, "add"); add && add->is_array()) {
      for (const Value& a : add->as_array()) {
        const std::string cap = CapName(a.string_or());
        if (!OneOf(cap, kBaselineCaps)) Add(PssLevel::kBaseline, "capabilities", who, "adds capability " + cap);
        if (!windows && cap != "NET_BIND_SERVICE") Add(PssLevel::kRestricted, "capabilities", who, "adds capability " + cap);
      }
    }
    if (const Value* ports = F(c.container, "ports"); ports && ports->is_array()) {
      for (const Value& p : ports->as_array()) {
        const Value* hp = F(&p, "hostPort");
        if (Set(hp) && !(hp->is_number() && hp->as_number() == 0))
          Add(PssLevel::kBaseline, "host-ports", who, "hostPort=" + Text(hp));
      }
    }
    if (const Value* pm = F(sc, "procMount"); Set(pm) && S(pm) != "Default")
      Add(PssLevel::kBaseline, "proc-mount", who, "procMount=" + Text(pm));
    if (!windows && !IsFalse(F(sc, "allowPrivilegeEscalation")))
      Add(PssLevel::kRestricted, "privilege-escalation", who,
          "allowPrivilegeEscalation=" + Text(F(sc, "allowPrivilegeEscalation")) + " (must be false)");
    const Value* rn = F(sc, "runAsNonRoot");
    if (IsFalse(rn)) {
      Add(PssLevel::kRestricted, "running-as-non-root", who, "runAsNonRoot=false");
    } else if (!Set(rn) && !IsTrue(F(psc, "runAsNonRoot"))) {
      Add(PssLevel::kRestricted, "running-as-non-root", who, "runAsNonRoot is not true here nor on the pod");
    }
    if (!windows) {
      const Value* t = F(F(sc, "seccompProfile"), "type");
      if (Set(t)) {
        if (!OneOf(S(t), {"RuntimeDefault", "Localhost"}))
          Add(PssLevel::kRestricted, "seccomp", who, "seccompProfile.type=" + Text(t));
      } else if (!OneOf(S(F(F(psc, "seccompProfile"), "type")), {"RuntimeDefault", "Localhost"})) {
        Add(PssLevel::kRestricted, "seccomp", who, "seccompProfile.type is not set here nor on the pod");
      }
      bool drops_all = false;
      std::vector<std::string> dropped;
      if (const Value* drop = F(caps, "drop"); drop && drop->is_array()) {
        for (const Value& d : drop->as_array()) {
          dropped.push_back(CapName(d.string_or()));
          drops_all = drops_all || dropped.back() == "ALL";
        }
      }
      if (!drops_all) {
        Add(PssLevel::kRestricted, "capabilities", who, "capabilities.drop does not include ALL");
        for (std::size_t i = 0; i < std::size(kAllCaps); ++i) {
          if (std::find(dropped.begin(), dropped.end(), kAllCaps[i]) == dropped.end())
            Add(PssLevel::kKfix, "capabilities-drop", who, DoesNotDrop(i).c_str());
        }
      }
    }
    if (!IsTrue(F(sc, "readOnlyRootFilesystem")))
      Add(PssLevel::kKfix, "read-only-root-filesystem", who, "readOnlyRootFilesystem is not true");
  }

 private:
  PssViolations& out_;
};

}  // namespace

const char* PssLevelName(PssLevel level) noexcept {
  switch (level) {
    case PssLevel::kBaseline: return "baseline";
    case PssLevel::kRestricted: return "restricted";
    case PssLevel::kKfix: return "kfix";
  }
  return "kfix";
}

std::string PssViolation::Key() const {
  return Concat({PssLevelName(level), "/", control, "\x1f", Subject(), "\x1f", Detail()});
}

std::string PssViolation::Describe() const {
  return Concat({PssLevelName(level), "/", control, ": ", Subject(), ": ", Detail()});
}

bool PssViolation::SameAs(const PssViolation& o, const std::string** known_same) const noexcept {
  if (level != o.level) return false;
  if (control != o.control && std::strcmp(control, o.control) != 0) return false;
  if (subject != o.subject && !(known_same && known_same[0] == subject && known_same[1] == o.subject)) {
    if (Subject() != o.Subject()) return false;
    if (known_same) {
      known_same[0] = subject;
      known_same[1] = o.subject;
    }
  }
  if (fixed_detail != nullptr && fixed_detail == o.fixed_detail) return true;
  return Detail() == o.Detail();
}

PssViolations EvaluatePodSecurity(const std::optional<WorkloadView>& view) {
  PssViolations out;
  if (!view || !view->pod_spec) return out;
  out.list.reserve(16 + 48 * view->containers.size());
  out.subjects.reserve(1 + view->containers.size());
  Evaluator(out).Pod(*view);
  return out;
}

PssViolations EvaluateContainerPodSecurity(const WorkloadView& view, std::size_t k) {
  PssViolations out;
  out.list.reserve(48);
  Evaluator(out).OneContainer(view, k);
  return out;
}

const char* PssHighestLevel(const PssViolations& violations) noexcept {
  bool baseline = true;
  bool restricted = true;
  for (const PssViolation& v : violations) {
    if (v.level == PssLevel::kBaseline) baseline = restricted = false;
    if (v.level == PssLevel::kRestricted) restricted = false;
  }
  return restricted ? "restricted" : baseline ? "baseline" : "privileged";
}

}  // namespace kfix::internal
