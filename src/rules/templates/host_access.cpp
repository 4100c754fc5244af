// Host access: host namespaces, hostPath volumes and mounts, host ports.
// Check templates of this domain; the file registers its own entries (rules/template_helpers.hpp).
#include <map>

#include "rules/template_helpers.hpp"

namespace kfix::internal::templates {
namespace {

// host-mounts ------------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> HostMounts(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(dirs, p.StringList("dirs"));
  KFIX_ASSIGN_OR_RETURN(res, CompileAll(dirs));
  return Make(CheckReads{"pod:/volumes", "container:/volumeMounts"}, [res](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const auto* vols = Arr(Get(PodSpec(o), "volumes"));
    if (!vols) return;
    for (const Value& v : *vols) {
      const Value* hp = Get(&v, "hostPath");
      if (!IsObject(hp)) continue;
      std::string path = ScalarText(Get(hp, "path"));
      std::string vname = ScalarText(Get(&v, "name"));
      for (const Regex& re : res) {
        if (!re.Search(path)) continue;
        ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
          const auto* mounts = Arr(Get(&cv, "volumeMounts"));
          if (!mounts) return;
          for (std::size_t k = 0; k < mounts->size(); ++k) {
            if (ScalarText(Get(&(*mounts)[k], "name")) != vname) continue;
            sink.Add("host system directory " + GoQuote(path) + " is mounted on container " + GoQuote(c.name),
                     Ptr(Ptr(cptr, "volumeMounts"), k), c.name);
          }
        });
      }
    }
  });
}

// host-ipc / host-network / host-pid ----------------------------------------
template <int kWhich>
Result<std::unique_ptr<CheckImpl>> HostNamespace(const Params&) {
  static constexpr std::string_view kReads[] = {"pod:/hostIPC", "pod:/hostNetwork", "pod:/hostPID"};
  return Make(CheckReads{kReads[kWhich]}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    static constexpr const char* kFields[] = {"hostIPC", "hostNetwork", "hostPID"};
    static constexpr const char* kMessages[] = {
        "resource shares host's IPC namespace (via hostIPC=true).",
        "resource shares host's network namespace (via hostNetwork=true).",
        "object shares the host's process namespace (via hostPID=true).",
    };
    if (IsTrue(Get(PodSpec(o), kFields[kWhich]))) sink.Add(kMessages[kWhich], Ptr(o.pod_spec_ptr, kFields[kWhich]));
  });
}

Result<std::unique_ptr<CheckImpl>> WritableHostMount(const Params&) {
  return Make(CheckReads{"pod:/volumes", "container:/volumeMounts"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const auto* vols = Arr(Get(PodSpec(o), "volumes"));
    if (!vols) return;
    std::map<std::string, std::string> host_paths;
    for (const Value& v : *vols) {
      if (IsObject(Get(&v, "hostPath"))) host_paths[ScalarText(Get(&v, "name"))] = ScalarText(Get(Get(&v, "hostPath"), "path"));
    }
    if (host_paths.empty()) return;
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* mounts = Arr(Get(&cv, "volumeMounts"));
      if (!mounts) return;
      for (std::size_t k = 0; k < mounts->size(); ++k) {
        const Value& m = (*mounts)[k];
        if (IsTrue(Get(&m, "readOnly"))) continue;
        auto it = host_paths.find(ScalarText(Get(&m, "name")));
        if (it == host_paths.end()) continue;
        sink.Add("container " + c.name + " mounts path " + it->second + " on the host as writable",
                 Ptr(Ptr(cptr, "volumeMounts"), k), c.name);
      }
    });
  });
}

Result<std::unique_ptr<CheckImpl>> HostPorts(const Params&) {
  return Make(CheckReads{"container:/ports"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* ports = Arr(Get(&cv, "ports"));
      if (!ports) return;
      for (std::size_t k = 0; k < ports->size(); ++k) {
        const Value* hp = Get(&(*ports)[k], "hostPort");
        if (!hp || hp->is_null()) continue;
        std::string text = ScalarText(hp);
        if (text.empty() || text == "0") continue;
        sink.Add("container " + GoQuote(c.name) + " exposes hostPort " + text, Ptr(Ptr(cptr, "ports"), k) + "/hostPort",
                 c.name);
      }
    });
  });
}

Result<std::unique_ptr<CheckImpl>> HostPathVolume(const Params&) {
  return Make(CheckReads{"pod:/volumes"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const auto* vols = Arr(Get(PodSpec(o), "volumes"));
    if (!vols) return;
    for (std::size_t i = 0; i < vols->size(); ++i) {
      const Value* hp = Get(&(*vols)[i], "hostPath");
      if (!IsObject(hp)) continue;
      sink.Add("volume " + GoQuote(ScalarText(Get(&(*vols)[i], "name"))) + " uses hostPath " +
                   GoQuote(ScalarText(Get(hp, "path"))),
               Ptr(Ptr(o.pod_spec_ptr, "volumes"), i) + "/hostPath");
    }
  });
}

}  // namespace

KFIX_REGISTER_TEMPLATES(host_access) {
  const std::vector<std::string> dl = {"DeploymentLike"};
  registry.Add({
      {"host-ipc", "Flag Pod sharing host's IPC namespace", dl, {}, HostNamespace<0>},
      {"host-mounts", "Flag volume mounts of sensitive system directories", dl, {"dirs"}, HostMounts},
      {"host-network", "Flag Pod sharing host's network namespace", dl, {}, HostNamespace<1>},
      {"host-pid", "Flag Pod sharing host's process namespace", dl, {}, HostNamespace<2>},
      {"kfix-host-ports", "Flag container ports with a hostPort", dl, {}, HostPorts},
      {"kfix-hostpath-volume", "Flag volumes of type hostPath", dl, {}, HostPathVolume},
      {"writable-host-mount", "Flag containers that have mounted a directory on the host as writable", dl, {},
       WritableHostMount},
  });
}

}  // namespace kfix::internal::templates
