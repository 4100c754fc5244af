// Security context: privileges, capabilities, users, seccomp, /proc and sysctls.
// Check templates of this domain; the file registers its own entries (rules/template_helpers.hpp).
#include <algorithm>

#include "rules/template_helpers.hpp"

namespace kfix::internal::templates {
namespace {

// The effective security-context field: container overrides pod. Returns the
// value and its pointer (empty when unset at both levels).
struct Effective {
  const Value* value = nullptr;
  std::string pointer;
};
Effective EffectiveField(const ObjectInfo& o, const Value& c, const std::string& cptr, std::string_view field) {
  if (const Value* v = Get(Get(&c, "securityContext"), field); v && !v->is_null()) {
    return {v, Ptr(cptr, {"securityContext", field})};
  }
  if (const Value* v = Get(PodSC(o), field); v && !v->is_null()) {
    return {v, Ptr(o.pod_spec_ptr, {"securityContext", field})};
  }
  return {};
}

// verify-container-capabilities ---------------------------------------------
Result<std::unique_ptr<CheckImpl>> ContainerCapabilities(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(forbidden, p.StringList("forbiddenCapabilities"));
  KFIX_ASSIGN_OR_RETURN(exceptions, p.StringList("exceptions"));
  auto is_all = [](std::string_view s) { return EqualFold(s, "all"); };
  bool forbid_all = false;
  for (const std::string& c : forbidden) forbid_all = forbid_all || is_all(c);
  if (forbid_all && forbidden.size() > 1) {
    return InvalidArgumentError("forbidden capabilities specified contains \"all\", but it also contains other "
                                "capabilities: " + GoQuoteList(forbidden) + ". please make sure that it only contains \"all\"");
  }
  if (!forbid_all && !exceptions.empty()) {
    return InvalidArgumentError("for verifying container capabilities, \"Exceptions\" list should only be filled when "
                                "\"all\" capabilities specified in the forbidden list");
  }
  for (const std::string& e : exceptions) {
    if (is_all(e)) return InvalidArgumentError("capabilities exceptions list should not contain \"all\"");
  }
  std::vector<std::pair<std::string, Regex>> caps;
  if (!forbid_all) {
    for (const std::string& c : forbidden) {
      auto r = Regex::Compile(c);
      if (!r.ok()) return r.status();
      caps.emplace_back(c, std::move(*r));
    }
  }
  KFIX_ASSIGN_OR_RETURN(exc, CompileAll(exceptions));
  return Make(CheckReads{"container:/securityContext/capabilities"}, [=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const Value* caps_v = Get(Get(&cv, "securityContext"), "capabilities");
      if (!IsObject(caps_v)) return;
      std::string caps_ptr = Ptr(cptr, {"securityContext", "capabilities"});
      std::vector<std::string> add, drop;
      if (const auto* l = Arr(Get(caps_v, "add"))) {
        for (const Value& v : *l) add.push_back(ScalarText(&v));
      }
      if (const auto* l = Arr(Get(caps_v, "drop"))) {
        for (const Value& v : *l) drop.push_back(ScalarText(&v));
      }
      // ADD list.
      if (forbid_all) {
        for (std::size_t i = 0; i < add.size(); ++i) {
          if (AnySearch(exc, add[i]) && !exc.empty()) continue;
          sink.Add("container " + GoQuote(c.name) + " has ADD capability: " + GoQuote(add[i]) +
                       ", but no capabilities should be added at all and this capability is not included in the "
                       "exceptions list",
                   Ptr(Ptr(caps_ptr, "add"), i), c.name);
        }
      } else {
        for (const auto& [name, re] : caps) {
          for (std::size_t i = 0; i < add.size(); ++i) {
            if (re.Search(add[i]) || is_all(add[i])) {
              sink.Add("container " + GoQuote(c.name) + " has ADD capability: " + GoQuote(add[i]) +
                           ", which matched with the forbidden capability for containers",
                       Ptr(Ptr(caps_ptr, "add"), i), c.name);
            }
          }
        }
      }
      // DROP list.
      std::string drop_ptr = Ptr(caps_ptr, "drop");
      if (forbid_all) {
        bool found = std::any_of(drop.begin(), drop.end(), is_all);
        if (!found) {
          sink.Add("container " + GoQuote(c.name) + " has DROP capabilities: " + GoQuoteList(drop) +
                       ", but in fact all capabilities are required to be dropped",
                   drop_ptr, c.name);
        }
      }
      for (const auto& [name, re] : caps) {
        bool found = false;
        for (const std::string& d : drop) found = found || re.Search(d) || is_all(d);
        if (!found) {
          sink.Add("container " + GoQuote(c.name) + " has DROP capabilities: " + GoQuoteList(drop) +
                       ", but does not drop capability " + GoQuote(name) + " which is required",
                   drop_ptr, c.name);
        }
      }
    });
  });
}

// read-only-root-fs ------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> ReadOnlyRootFs(const Params&) {
  return Make(CheckReads{"container:/securityContext/readOnlyRootFilesystem"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      if (IsTrue(Get(Get(&cv, "securityContext"), "readOnlyRootFilesystem"))) return;
      sink.Add("container " + GoQuote(c.name) + " does not have a read-only root file system",
               Ptr(cptr, {"securityContext", "readOnlyRootFilesystem"}), c.name);
    });
  });
}

// privilege-escalation-container / privileged / privileged-ports / ports -----
Result<std::unique_ptr<CheckImpl>> PrivilegeEscalation(const Params&) {
  return Make(CheckReads{"container:/securityContext"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const Value* sc = Get(&cv, "securityContext");
      if (!IsObject(sc)) return;
      std::string sc_ptr = Ptr(cptr, "securityContext");
      if (IsTrue(Get(sc, "allowPrivilegeEscalation"))) {
        sink.Add("container " + GoQuote(c.name) + " has AllowPrivilegeEscalation set to true.",
                 sc_ptr + "/allowPrivilegeEscalation", c.name);
        return;
      }
      if (IsTrue(Get(sc, "privileged"))) {
        sink.Add("container " + GoQuote(c.name) + " is Privileged hence allows privilege escalation.",
                 sc_ptr + "/privileged", c.name);
        return;
      }
      if (const auto* add = Arr(Get(Get(sc, "capabilities"), "add"))) {
        for (std::size_t i = 0; i < add->size(); ++i) {
          if (Str(&(*add)[i]) == "SYS_ADMIN") {
            sink.Add("container " + GoQuote(c.name) + " has SYS_ADMIN capability hence allows privilege escalation.",
                     sc_ptr + "/capabilities/add/" + std::to_string(i), c.name);
            return;
          }
        }
      }
    });
  });
}

Result<std::unique_ptr<CheckImpl>> Privileged(const Params&) {
  return Make(CheckReads{"container:/securityContext/privileged"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      if (IsTrue(Get(Get(&cv, "securityContext"), "privileged"))) {
        sink.Add("container " + GoQuote(c.name) + " is privileged", Ptr(cptr, {"securityContext", "privileged"}), c.name);
      }
    });
  });
}

// run-as-non-root ------------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> RunAsNonRoot(const Params&) {
  return Make(CheckReads{"container:/securityContext/runAsUser", "container:/securityContext/runAsGroup",
                         "container:/securityContext/runAsNonRoot", "pod:/securityContext/runAsUser",
                         "pod:/securityContext/runAsGroup", "pod:/securityContext/runAsNonRoot"},
              [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      Effective user = EffectiveField(o, cv, cptr, "runAsUser");
      Effective group = EffectiveField(o, cv, cptr, "runAsGroup");
      // kube-linter at head: a root group is reported whatever the user; a
      // non-root user with no group set is fine.
      if (group.value && AsInt(group.value) && *AsInt(group.value) == 0) {
        sink.Add("container " + GoQuote(c.name) + " is set to runAsGroup 0", group.pointer, c.name);
      }
      if (user.value && AsInt(user.value).value_or(0) > 0) return;
      Effective non_root = EffectiveField(o, cv, cptr, "runAsNonRoot");
      if (IsTrue(non_root.value)) {
        if (user.value && AsInt(user.value) && *AsInt(user.value) == 0) {
          sink.Add("container " + GoQuote(c.name) + " is set to runAsNonRoot, but runAsUser set to 0", user.pointer,
                   c.name);
        }
        return;
      }
      std::string ptr = non_root.value ? non_root.pointer : Ptr(cptr, {"securityContext", "runAsNonRoot"});
      sink.Add("container " + GoQuote(c.name) + " is not set to runAsNonRoot", ptr, c.name);
    });
  });
}

// scc-deny-privileged-container --------------------------------------------------
Result<std::unique_ptr<CheckImpl>> SccDenyPrivileged(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(want, p.Bool("allowPrivilegedContainer", true));
  return Make(CheckReads{"/allowPrivilegedContainer"}, [want](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const Value* v = Get(&o.root(), "allowPrivilegedContainer");
    bool actual = IsTrue(v);
    if (actual == want && want) {
      sink.Add("SCC has allowPrivilegedContainer set to true", "/allowPrivilegedContainer");
    }
  });
}

// unsafe-proc-mount / unsafe-sysctls -------------------------------------------
Result<std::unique_ptr<CheckImpl>> UnsafeProcMount(const Params&) {
  return Make(CheckReads{"container:/securityContext/procMount"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      if (EqualFold(Str(Get(Get(&cv, "securityContext"), "procMount")), "Unmasked")) {
        sink.Add("container " + GoQuote(c.name) + " exposes /proc unsafely (via procMount=Unmasked).",
                 Ptr(cptr, {"securityContext", "procMount"}), c.name);
      }
    });
  });
}

Result<std::unique_ptr<CheckImpl>> UnsafeSysctls(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(unsafe, p.StringList("unsafeSysCtls"));
  return Make(CheckReads{"pod:/securityContext/sysctls"}, [unsafe](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const auto* sysctls = Arr(Get(PodSC(o), "sysctls"));
    if (!sysctls) return;
    for (std::size_t i = 0; i < sysctls->size(); ++i) {
      std::string name = ScalarText(Get(&(*sysctls)[i], "name"));
      for (const std::string& prefix : unsafe) {
        if (name.compare(0, prefix.size(), prefix) == 0) {
          sink.Add("resource specifies unsafe sysctl " + GoQuote(name) + ".",
                   Ptr(o.pod_spec_ptr, {"securityContext", "sysctls", std::to_string(i), "name"}));
        }
      }
    }
  });
}

Result<std::unique_ptr<CheckImpl>> CapSysAdmin(const Params&) {
  return Make(CheckReads{"container:/securityContext/capabilities/drop"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      bool dropped = false;
      if (const auto* drop = Arr(Get(Get(Get(&cv, "securityContext"), "capabilities"), "drop"))) {
        for (const Value& d : *drop) dropped = dropped || EqualFold(Str(&d), "SYS_ADMIN") || EqualFold(Str(&d), "ALL");
      }
      if (!dropped) {
        sink.Add("container " + GoQuote(c.name) + " does not drop capability SYS_ADMIN",
                 Ptr(cptr, {"securityContext", "capabilities", "drop"}), c.name);
      }
    });
  });
}

Result<std::unique_ptr<CheckImpl>> SeccompProfile(const Params&) {
  return Make(CheckReads{"container:/securityContext/seccompProfile", "pod:/securityContext/seccompProfile"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      Effective prof = EffectiveField(o, cv, cptr, "seccompProfile");
      std::string_view type = Str(Get(prof.value, "type"));
      if (type == "RuntimeDefault" || type == "Localhost") return;
      std::string ptr = prof.value ? prof.pointer + "/type" : Ptr(cptr, {"securityContext", "seccompProfile", "type"});
      sink.Add("container " + GoQuote(c.name) + " does not use a RuntimeDefault or Localhost seccomp profile", ptr,
               c.name);
    });
  });
}

Result<std::unique_ptr<CheckImpl>> RunAsUser(const Params&) {
  return Make(CheckReads{"container:/securityContext/runAsUser", "pod:/securityContext/runAsUser"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      Effective user = EffectiveField(o, cv, cptr, "runAsUser");
      if (!user.value) {
        sink.Add("container " + GoQuote(c.name) + " does not set runAsUser",
                 Ptr(cptr, {"securityContext", "runAsUser"}), c.name);
      } else if (AsInt(user.value).value_or(0) == 0) {
        sink.Add("container " + GoQuote(c.name) + " has runAsUser set to " + ScalarText(user.value), user.pointer,
                 c.name);
      }
    });
  });
}

Result<std::unique_ptr<CheckImpl>> AllowPrivilegeEscalation(const Params&) {
  return Make(CheckReads{"container:/securityContext/allowPrivilegeEscalation"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      if (IsFalse(Get(Get(&cv, "securityContext"), "allowPrivilegeEscalation"))) return;
      sink.Add("container " + GoQuote(c.name) + " does not set allowPrivilegeEscalation to false",
               Ptr(cptr, {"securityContext", "allowPrivilegeEscalation"}), c.name);
    });
  });
}

}  // namespace

KFIX_REGISTER_TEMPLATES(security_context) {
  const std::vector<std::string> dl = {"DeploymentLike"};
  registry.Add({
      {"kfix-allow-privilege-escalation", "Flag containers that do not set allowPrivilegeEscalation to false", dl, {},
       AllowPrivilegeEscalation},
      {"kfix-cap-sys-admin", "Flag containers that do not drop SYS_ADMIN (or ALL)", dl, {}, CapSysAdmin},
      {"kfix-run-as-user", "Flag containers whose effective runAsUser is missing or 0", dl, {}, RunAsUser},
      {"kfix-seccomp-profile", "Flag containers without a RuntimeDefault or Localhost seccomp profile", dl, {},
       SeccompProfile},
      {"privilege-escalation-container", "Flag containers of allowing privilege escalation", dl, {}, PrivilegeEscalation},
      {"privileged", "Flag privileged containers", dl, {}, Privileged},
      {"read-only-root-fs", "Flag containers without read-only root file systems", dl, {}, ReadOnlyRootFs},
      {"run-as-non-root", "Flag containers set to run as a root user or group", dl, {}, RunAsNonRoot},
      {"scc-deny-privileged-container", "Flag SCC with allowPrivilegedContainer set to true",
       {"SecurityContextConstraints"}, {"allowPrivilegedContainer"}, SccDenyPrivileged},
      {"unsafe-proc-mount", "Flag containers of unsafe proc mount", dl, {}, UnsafeProcMount},
      {"unsafe-sysctls", "Flag unsafe sysctls", dl, {"unsafeSysCtls"}, UnsafeSysctls},
      {"verify-container-capabilities", "Flag containers that do not match capabilities requirements", dl,
       {"forbiddenCapabilities", "exceptions"}, ContainerCapabilities},
  });
}

}  // namespace kfix::internal::templates
