// Security context: privileges, capabilities, users, seccomp, /proc and sysctls.
// Fix generators of this domain; the file registers its own entries (remediate/generator_helpers.hpp).
#include <optional>

#include "remediate/generator_helpers.hpp"

namespace kfix::internal::generators {
namespace {

Outcome FixPrivileged(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    if (IsTrue(Field(Field(Current(b, c), "securityContext"), "privileged"))) b.Set(Sc(c).Child("privileged"), false);
    return Outcome::Ok();
  });
}

Outcome FixReadOnlyRootFs(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    if (!IsTrue(Field(Field(Current(b, c), "securityContext"), "readOnlyRootFilesystem")))
      b.Set(Sc(c).Child("readOnlyRootFilesystem"), true);
    return Outcome::Ok();
  });
}

Outcome FixNoPrivilegeEscalation(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    if (!IsFalse(Field(Field(Current(b, c), "securityContext"), "allowPrivilegeEscalation")))
      b.Set(Sc(c).Child("allowPrivilegeEscalation"), false);
    return Outcome::Ok();
  });
}

/// Removes every entry of capabilities.add matching one of `caps` (case-insensitive).
void RemoveAddedCaps(OpBuilder& b, const ContainerRef& c, const std::vector<std::string>& caps) {
  const Value* add = Field(Field(Field(Current(b, c), "securityContext"), "capabilities"), "add");
  if (!add || !add->is_array()) return;
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < add->as_array().size(); ++i) {
    std::string_view s = add->as_array()[i].string_or();
    for (const auto& cap : caps) {
      if (EqualsIgnoreCase(s, cap)) idx.push_back(i);
    }
  }
  b.RemoveIndices(Sc(c).Child("capabilities").Child("add"), idx);
}

Outcome FixPrivilegeEscalationContainer(const GenCtx& g, OpBuilder& b) {
  // kube-linter reports one cause at a time; the finding is only gone when
  // every cause is (explicit APE true, privileged, SYS_ADMIN added).
  const bool ape = true, priv = true, sysadmin = true;
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* sc = Field(Current(b, c), "securityContext");
    if (ape && IsTrue(Field(sc, "allowPrivilegeEscalation"))) b.Set(Sc(c).Child("allowPrivilegeEscalation"), false);
    if (priv && IsTrue(Field(sc, "privileged"))) b.Set(Sc(c).Child("privileged"), false);
    if (sysadmin) RemoveAddedCaps(b, c, {"SYS_ADMIN"});
    return Outcome::Ok();
  });
}

Outcome FixDropNetRaw(const GenCtx& g, OpBuilder& b) {
  const std::string& m = g.finding.message;
  return ForContainers(g, b, [&](const ContainerRef& c) {
    if (Contains(m, "has ADD capability")) {
      std::string cap = Quoted(m, "ADD capability:");
      RemoveAddedCaps(b, c, {cap.empty() ? std::string("NET_RAW") : cap});
    } else if (Contains(m, "all capabilities are required to be dropped")) {
      EnsureDropped(b, c, "ALL");
    } else if (Contains(m, "does not drop capability")) {
      std::string cap = Quoted(m, "does not drop capability");
      EnsureDropped(b, c, cap.empty() ? std::string("NET_RAW") : cap);
    } else {
      RemoveAddedCaps(b, c, {"NET_RAW", "ALL"});
      EnsureDropped(b, c, "NET_RAW");
    }
    return Outcome::Ok();
  });
}

Outcome FixDropCapabilities(const GenCtx& g, OpBuilder& b) {
  static const std::vector<std::string> kDangerous = {"ALL",        "NET_RAW",    "NET_ADMIN", "SYS_ADMIN",
                                                      "SYS_MODULE", "SYS_PTRACE", "SYS_CHROOT"};
  return ForContainers(g, b, [&](const ContainerRef& c) {
    RemoveAddedCaps(b, c, kDangerous);
    EnsureDropped(b, c, "ALL");
    const Value* sc = Field(Current(b, c), "securityContext");
    if (IsTrue(Field(sc, "privileged"))) b.Set(Sc(c).Child("privileged"), false);
    if (!IsFalse(Field(sc, "allowPrivilegeEscalation"))) b.Set(Sc(c).Child("allowPrivilegeEscalation"), false);
    return Outcome::Ok();
  });
}

Outcome FixDropCapSysAdmin(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    RemoveAddedCaps(b, c, {"SYS_ADMIN"});
    EnsureDropped(b, c, "SYS_ADMIN");
    return Outcome::Ok();
  });
}

Outcome FixRunAsNonRoot(const GenCtx& g, OpBuilder& b) {
  const std::string& m = g.finding.message;
  bool group = Contains(m, "runAsGroup");
  bool user0 = Contains(m, "runAsUser set to");
  bool nonroot = Contains(m, "not set to runAsNonRoot");
  if (!group && !user0 && !nonroot) nonroot = true;
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* psc = PodSc(b, g);
    const Value* sc = Field(Current(b, c), "securityContext");
    auto eff = [&](std::string_view key) -> const Value* {
      const Value* v = Field(sc, key);
      if (v && !v->is_null()) return v;
      v = Field(psc, key);
      return (v && !v->is_null()) ? v : nullptr;
    };
    if (group) {
      auto gid = AsInt(eff("runAsGroup"));
      if (!gid || *gid == 0) b.Set(Sc(c).Child("runAsGroup"), g.config.run_as_group);
    }
    if (nonroot && !IsTrue(eff("runAsNonRoot"))) b.Set(Sc(c).Child("runAsNonRoot"), true);
    auto uid = AsInt(eff("runAsUser"));
    if ((user0 || nonroot) && uid && *uid == 0) b.Set(Sc(c).Child("runAsUser"), g.config.run_as_user);
    return Outcome::Ok();
  });
}

Outcome FixRunAsUser(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* sc = Field(Current(b, c), "securityContext");
    auto uid = AsInt(Field(sc, "runAsUser"));
    if (!uid) uid = AsInt(Field(PodSc(b, g), "runAsUser"));
    if (!uid || *uid == 0) b.Set(Sc(c).Child("runAsUser"), g.config.run_as_user);
    return Outcome::Ok();
  });
}

Outcome FixSeccomp(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* t = Field(Field(Field(Current(b, c), "securityContext"), "seccompProfile"), "type");
    if (t && (t->string_or() == "RuntimeDefault" || t->string_or() == "Localhost")) return Outcome::Ok();
    if (!t) {
      const Value* pt = Field(Field(PodSc(b, g), "seccompProfile"), "type");
      if (pt && (pt->string_or() == "RuntimeDefault" || pt->string_or() == "Localhost")) return Outcome::Ok();
    }
    Value prof = Value::MakeObject();
    prof.Set("type", "RuntimeDefault");
    b.Set(Sc(c).Child("seccompProfile"), prof);
    return Outcome::Ok();
  });
}

Outcome FixProcMount(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* pm = Field(Field(Current(b, c), "securityContext"), "procMount");
    if (pm && pm->string_or() == "Unmasked") b.Set(Sc(c).Child("procMount"), "Default");
    return Outcome::Ok();
  });
}

/// The sysctl prefixes the check that reported the finding flags: its
/// effective `unsafeSysCtls` in the rule set being fixed (FixContext::rules),
/// else in the built-in catalog. Matched by check name or policy id.
std::vector<std::string> UnsafeSysctlPrefixes(const GenCtx& g) {
  auto lookup = [&](const std::vector<CheckInfo>& checks) -> std::optional<std::vector<std::string>> {
    for (const CheckInfo& c : checks) {
      if (c.template_name != "unsafe-sysctls") continue;
      const bool same = c.name == g.finding.check ||
                        (!c.policy.empty() && (c.policy == g.finding.check || c.policy == g.finding.policy));
      if (!same || !c.params.is_object()) continue;
      std::vector<std::string> out;
      for (const Member& m : c.params.as_object()) {  // parameter names are case-insensitive
        if (!EqualsIgnoreCase(m.key, "unsafeSysCtls") || !m.value.is_array()) continue;
        for (const Value& v : m.value.as_array()) {
          if (v.is_string()) out.push_back(v.as_string());
        }
      }
      return out;
    }
    return std::nullopt;
  };
  if (g.context && g.context->rules) {
    if (auto l = lookup(g.context->rules->checks())) return *l;
  }
  if (auto l = lookup(BuiltinChecks())) return *l;
  return {};
}

Outcome FixUnsafeSysctls(const GenCtx& g, OpBuilder& b) {
  Outcome w = NeedWorkload(g);
  if (w.status != ProposalStatus::kProposed) return w;
  const JsonPointer ptr = g.view->pod_spec_pointer.Child("securityContext").Child("sysctls");
  const Value* list = CurrentAt(b, ptr);
  if (!list || !list->is_array()) return Outcome::Ok();
  std::string name = Quoted(g.finding.message);
  const std::vector<std::string> prefixes = name.empty() ? UnsafeSysctlPrefixes(g) : std::vector<std::string>{};
  auto unsafe = [&](std::string_view n) {
    for (const std::string& p : prefixes) {
      if (n.substr(0, p.size()) == p) return true;
    }
    return false;
  };
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < list->as_array().size(); ++i) {
    std::string_view n = Field(&list->as_array()[i], "name") ? Field(&list->as_array()[i], "name")->string_or() : "";
    if (name.empty() ? unsafe(n) : n == name) idx.push_back(i);
  }
  b.RemoveIndices(ptr, idx);
  return Outcome::Ok();
}

}  // namespace

KFIX_REGISTER_GENERATORS(security_context) {
  registry.Add({
    {"privileged-container", {FixPrivileged, true}},
    {"privilege-escalation-container", {FixPrivilegeEscalationContainer, true}},
    {"drop-net-raw-capability", {FixDropNetRaw, true}},
    {"no-read-only-root-fs", {FixReadOnlyRootFs, true}},
    {"run-as-non-root", {FixRunAsNonRoot, true}},
    {"unsafe-sysctls", {FixUnsafeSysctls, true}},
    {"unsafe-proc-mount", {FixProcMount, true}},
    {"no_privileged", {FixPrivileged, true}},
    {"drop_capabilities", {FixDropCapabilities, true}},
    {"drop_cap_sys_admin", {FixDropCapSysAdmin, true}},
    {"cap-sys-admin", {FixDropCapSysAdmin, true}},
    {"no_allow_privilege_escalation", {FixNoPrivilegeEscalation, true}},
    {"run_as_non_root", {FixRunAsNonRoot, true}},
    {"run_as_user", {FixRunAsUser, true}},
    {"read_only_root_fs", {FixReadOnlyRootFs, true}},
    {"unsafe_sysctls", {FixUnsafeSysctls, true}},
    {"enforce_seccomp", {FixSeccomp, true}},
  });
}

}  // namespace kfix::internal::generators
