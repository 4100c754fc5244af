// Probes and ports.
// Fix generators of this domain; the file registers its own entries (remediate/generator_helpers.hpp).
#include <algorithm>
#include <optional>

#include "core/names_internal.hpp"
#include "remediate/generator_helpers.hpp"

namespace kfix::internal::generators {
namespace {

Outcome FixProbePort(const GenCtx& g, OpBuilder& b, std::string_view probe_field) {
  return ForContainers(
      g, b,
      [&](const ContainerRef& c) -> Outcome {
        const Value* probe = Field(Current(b, c), probe_field);
        if (!probe || !probe->is_object()) return Outcome::Ok();
        // Every handler's port must be declared (kube-linter reports one at a time).
        for (std::string_view handler : {"httpGet", "tcpSocket", "grpc"}) {
          const Value* port = Field(Field(probe, handler), "port");
          if (!port) continue;
          const Value* ports = Field(Current(b, c), "ports");
          auto exposes = [&](auto pred) {
            if (!ports || !ports->is_array()) return false;
            for (const Value& p : ports->as_array()) {
              if (pred(p)) return true;
            }
            return false;
          };
          std::optional<std::int64_t> number = AsInt(port);
          bool numeric_string = false;
          if (!number && port->is_string()) {
            const std::string& s = port->as_string();
            if (!s.empty() && s.size() < 6 &&
                std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
              number = std::stoll(s);
              numeric_string = true;
            } else {
              if (exposes([&](const Value& p) { return Field(&p, "name") && Field(&p, "name")->string_or() == s; }))
                continue;
              return Outcome::Review("probe uses the named port \"" + s + "\" that container \"" + c.name +
                                     "\" does not declare; its number cannot be derived");
            }
          }
          if (!number || *number < 1 || *number > 65535)
            return Outcome::Unfixable("probe port is not a valid port number or name");
          JsonPointer port_ptr = c.pointer.Child(probe_field).Child(handler).Child("port");
          if (numeric_string) b.Set(port_ptr, *number);
          if (!exposes([&](const Value& p) {
                auto cp = AsInt(Field(&p, "containerPort"));
                return cp && *cp == *number;
              })) {
            Value entry = Value::MakeObject();
            entry.Set("containerPort", *number);
            b.Append(c.pointer.Child("ports"), entry);
          }
        }
        return Outcome::Ok();
      },
      true, "ephemeral containers cannot carry probes or ports");
}

Outcome FixSshPort(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* ports = Field(Current(b, c), "ports");
    if (!ports || !ports->is_array()) return Outcome::Ok();
    std::vector<std::size_t> idx;
    for (std::size_t j = 0; j < ports->as_array().size(); ++j) {
      const Value& p = ports->as_array()[j];
      auto n = AsInt(Field(&p, "containerPort"));
      if (!n && Field(&p, "containerPort") && Field(&p, "containerPort")->string_or() == "22") n = 22;
      std::string proto = std::string(Field(&p, "protocol") ? Field(&p, "protocol")->string_or("TCP") : "TCP");
      if (n && *n == 22 && EqualsIgnoreCase(proto, "TCP")) idx.push_back(j);
    }
    b.RemoveIndices(c.pointer.Child("ports"), idx);
    return Outcome::Ok();
  });
}

/// Renames an invalid container port name when a valid name can be derived
/// ("8080" -> "port-8080", "HTTP" -> "http") and nothing refers to the old
/// name (no probe in the pod, no Service of the lint context).
Outcome FixContainerPortName(const GenCtx& g, OpBuilder& b) {
  Outcome w = NeedWorkload(g);
  if (w.status != ProposalStatus::kProposed) return w;
  std::string name = Quoted(g.finding.message, "port name");
  if (name.empty()) return Outcome::Review("cannot tell which port name is invalid");
  if (IsValidPortName(name)) return Outcome::Ok();
  bool present = false;
  for (const ContainerRef* c : TargetContainers(g)) {
    const Value* ports = Field(Current(b, *c), "ports");
    if (!ports || !ports->is_array()) continue;
    for (const Value& p : ports->as_array()) {
      if (Field(&p, "name") && Field(&p, "name")->string_or() == name) present = true;
    }
  }
  if (!present) return Outcome::Ok();
  std::string candidate = ToLower(name);
  if (!IsValidPortName(candidate)) candidate = "port-" + candidate;
  if (!IsValidPortName(candidate))
    return Outcome::Review("no valid port name can be derived from \"" + name + "\"");
  // References to the old name, and clashes with the new one, anywhere in the pod.
  for (const ContainerRef& c : g.view->containers) {
    for (std::string_view probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
      for (std::string_view h : {"httpGet", "tcpSocket", "grpc"}) {
        const Value* port = Field(Field(Field(c.container, probe), h), "port");
        if (port && port->is_string() && port->as_string() == name)
          return Outcome::Review("a probe refers to the port name \"" + name + "\"; rename both together");
      }
    }
    const Value* ports = Field(c.container, "ports");
    if (!ports || !ports->is_array()) continue;
    for (const Value& p : ports->as_array()) {
      if (Field(&p, "name") && Field(&p, "name")->string_or() == candidate)
        return Outcome::Review("the derived name \"" + candidate + "\" is already used in the pod");
    }
  }
  const Value* md = Field(&g.object, "metadata");
  std::string ns = Field(md, "namespace") ? std::string(Field(md, "namespace")->string_or()) : "";
  if (!g.context) return Outcome::Review("renaming a port needs the lint context to check Services");
  if (g.context->service_target_ports.count(ns + "/" + name))
    return Outcome::Review("a Service targets the port name \"" + name + "\"; rename both together");
  // Ephemeral containers cannot carry ports at all (the API server rejects
  // them): the invalid entry is removed there instead of renamed.
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* ports = Field(Current(b, c), "ports");
    if (!ports || !ports->is_array()) return Outcome::Ok();
    std::vector<std::size_t> drop;
    for (std::size_t j = 0; j < ports->as_array().size(); ++j) {
      const Value* n = Field(&ports->as_array()[j], "name");
      if (!n || !n->is_string() || n->as_string() != name) continue;
      if (c.group == ContainerGroup::kEphemeral) {
        drop.push_back(j);
      } else {
        b.Set(c.pointer.Child("ports").Child(j).Child("name"), candidate);
      }
    }
    if (!drop.empty() && drop.size() == ports->as_array().size()) {
      b.Remove(c.pointer.Child("ports"));
    } else if (!drop.empty()) {
      b.RemoveIndices(c.pointer.Child("ports"), std::move(drop));
    }
    return Outcome::Ok();
  });
}

Outcome FixInvalidTargetPorts(const GenCtx& g, OpBuilder& b) {
  std::string_view kind = Field(&g.object, "kind") ? Field(&g.object, "kind")->string_or() : "";
  if (kind != "Service") return FixContainerPortName(g, b);
  const JsonPointer ports_ptr({"spec", "ports"});
  const Value* ports = CurrentAt(b, ports_ptr);
  if (!ports || !ports->is_array()) return Outcome::Ok();
  bool review = false;
  for (std::size_t i = 0; i < ports->as_array().size(); ++i) {
    const Value* tp = Field(&ports->as_array()[i], "targetPort");
    if (!tp || !tp->is_string()) continue;
    const std::string& s = tp->as_string();
    bool digits = !s.empty() && s.size() < 6 && std::all_of(s.begin(), s.end(), [](char ch) {
      return ch >= '0' && ch <= '9';
    });
    if (digits) {
      std::int64_t n = std::stoll(s);
      if (n >= 1 && n <= 65535) {
        b.Set(ports_ptr.Child(i).Child("targetPort"), n);
        continue;
      }
    }
    review = true;
  }
  if (review && b.patch().empty())
    return Outcome::Review("the targetPort name is invalid and the port it should name cannot be derived");
  return Outcome::Ok();
}

}  // namespace

KFIX_REGISTER_GENERATORS(probes_ports) {
  registry.Add({
    {"liveness-port", {[](const GenCtx& g, OpBuilder& b) { return FixProbePort(g, b, "livenessProbe"); }, true}},
    {"readiness-port", {[](const GenCtx& g, OpBuilder& b) { return FixProbePort(g, b, "readinessProbe"); }, true}},
    {"startup-port", {[](const GenCtx& g, OpBuilder& b) { return FixProbePort(g, b, "startupProbe"); }, true}},
    {"ssh-port", {FixSshPort, true}},
    {"invalid-target-ports", {FixInvalidTargetPorts, true}},
    {"ssh_port", {FixSshPort, true}},
    {"liveness_port", {[](const GenCtx& g, OpBuilder& b) { return FixProbePort(g, b, "livenessProbe"); }, true}},
    {"readiness_port", {[](const GenCtx& g, OpBuilder& b) { return FixProbePort(g, b, "readinessProbe"); }, true}},
    {"startup_port", {[](const GenCtx& g, OpBuilder& b) { return FixProbePort(g, b, "startupProbe"); }, true}},
    {"invalid_target_ports", {FixInvalidTargetPorts, true}},
  });
  registry.Unfixable({
    {"no-liveness-probe", "a probe's command or endpoint cannot be derived from the manifest"},
    {"no-readiness-probe", "a probe's command or endpoint cannot be derived from the manifest"},
    {"privileged-ports", "moving to an unprivileged port changes the Service contract"},
  });
}

}  // namespace kfix::internal::generators
