// Host access: host namespaces, hostPath volumes and mounts, host ports.
// Fix generators of this domain; the file registers its own entries (remediate/generator_helpers.hpp).
#include <set>

#include "remediate/generator_helpers.hpp"

namespace kfix::internal::generators {
namespace {

Outcome FixHostPorts(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* ports = Field(Current(b, c), "ports");
    if (!ports || !ports->is_array()) return Outcome::Ok();
    for (std::size_t j = 0; j < ports->as_array().size(); ++j) {
      const Value* hp = Field(&ports->as_array()[j], "hostPort");
      if (!hp || hp->is_null()) continue;
      auto n = AsInt(hp);
      if (n && *n == 0) continue;
      if (hp->is_string() && (hp->as_string().empty() || hp->as_string() == "0")) continue;
      b.Remove(c.pointer.Child("ports").Child(j).Child("hostPort"));
    }
    return Outcome::Ok();
  });
}

Outcome FixWritableHostMount(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* vols = Field(CurrentAt(b, g.view->pod_spec_pointer), "volumes");
    std::set<std::string> host;
    if (vols && vols->is_array()) {
      for (const Value& v : vols->as_array()) {
        if (Field(&v, "hostPath") && Field(&v, "name")) host.insert(std::string(Field(&v, "name")->string_or()));
      }
    }
    const Value* mounts = Field(Current(b, c), "volumeMounts");
    if (!mounts || !mounts->is_array()) return Outcome::Ok();
    for (std::size_t j = 0; j < mounts->as_array().size(); ++j) {
      const Value& m = mounts->as_array()[j];
      const Value* n = Field(&m, "name");
      if (n && host.count(std::string(n->string_or())) && !IsTrue(Field(&m, "readOnly")))
        b.Set(c.pointer.Child("volumeMounts").Child(j).Child("readOnly"), true);
    }
    return Outcome::Ok();
  });
}

Generator HostFlag(std::string flag) {
  return [flag](const GenCtx& g, OpBuilder& b) {
    Outcome w = NeedWorkload(g);
    if (w.status != ProposalStatus::kProposed) return w;
    if (IsTrue(Field(CurrentAt(b, g.view->pod_spec_pointer), flag)))
      b.Set(g.view->pod_spec_pointer.Child(flag), false);
    return Outcome::Ok();
  };
}

Outcome FixHostPath(const GenCtx& g, OpBuilder& b) {
  Outcome w = NeedWorkload(g);
  if (w.status != ProposalStatus::kProposed) return w;
  const JsonPointer vols_ptr = g.view->pod_spec_pointer.Child("volumes");
  const Value* vols = CurrentAt(b, vols_ptr);
  if (!vols || !vols->is_array()) return Outcome::Ok();
  std::string path = Quoted(g.finding.message, "host system directory");
  // Volumes mounted by the targeted container(s), when the finding names one.
  std::set<std::string> mounted;
  bool by_container = !g.finding.container.empty();
  if (by_container) {
    for (const ContainerRef* c : TargetContainers(g)) {
      const Value* mounts = Field(c->container, "volumeMounts");
      if (!mounts || !mounts->is_array()) continue;
      for (const Value& m : mounts->as_array()) {
        if (Field(&m, "name")) mounted.insert(std::string(Field(&m, "name")->string_or()));
      }
    }
  }
  for (std::size_t i = 0; i < vols->as_array().size(); ++i) {
    const Value& v = vols->as_array()[i];
    const Value* hp = Field(&v, "hostPath");
    if (!hp) continue;
    if (!path.empty() && Field(hp, "path") && Field(hp, "path")->string_or() != path) continue;
    if (by_container && !mounted.count(std::string(Field(&v, "name") ? Field(&v, "name")->string_or() : "")))
      continue;
    b.Remove(vols_ptr.Child(i).Child("hostPath"));
    if (!Field(&v, "emptyDir")) b.Set(vols_ptr.Child(i).Child("emptyDir"), Value::MakeObject());
  }
  return Outcome::Ok();
}

}  // namespace

KFIX_REGISTER_GENERATORS(host_access) {
  registry.Add({
    {"host-network", {HostFlag("hostNetwork"), true}},
    {"host-pid", {HostFlag("hostPID"), true}},
    {"host-ipc", {HostFlag("hostIPC"), true}},
    {"sensitive-host-mounts", {FixHostPath, true}},
    {"docker-sock", {FixHostPath, true}},
    {"writable-host-mount", {FixWritableHostMount, true}},
    {"no_host_path", {FixHostPath, true}},
    {"hostpath-volume", {FixHostPath, true}},
    {"no_host_ports", {FixHostPorts, true}},
    {"host-ports", {FixHostPorts, true}},
    {"no_host_network", {HostFlag("hostNetwork"), true}},
    {"no_host_pid", {HostFlag("hostPID"), true}},
    {"no_host_ipc", {HostFlag("hostIPC"), true}},
  });
}

}  // namespace kfix::internal::generators
