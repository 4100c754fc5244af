// Probes, ports and service exposure.
// Check templates of this domain; the file registers its own entries (rules/template_helpers.hpp).
#include <algorithm>
#include <set>

#include "core/names_internal.hpp"
#include "rules/template_helpers.hpp"

namespace kfix::internal::templates {
namespace {

// forbidden-service-types ---------------------------------------------------
Result<std::unique_ptr<CheckImpl>> ForbiddenServiceTypes(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(types, p.StringList("forbiddenServiceTypes"));
  return Make(CheckReads{"/spec/type"}, [types](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    std::string t = ScalarText(Get(Get(&o.root(), "spec"), "type"));
    for (const std::string& f : types) {
      if (EqualFold(t, f)) sink.Add(GoQuote(f) + " service type is forbidden.", "/spec/type");
    }
  });
}

// target-port ------------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> TargetPort(const Params&) {
  // Workloads: their containers' ports; Services: their own (and their name, which every check reads).
  return Make(CheckReads{"container:/ports", "/spec/ports"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (o.workload) {
      ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
        const auto* ports = Arr(Get(&cv, "ports"));
        if (!ports) return;
        for (std::size_t k = 0; k < ports->size(); ++k) {
          std::string name = ScalarText(Get(&(*ports)[k], "name"));
          if (name.empty()) continue;
          for (const std::string& v : PortNameViolations(name)) {
            sink.Add("port name " + GoQuote(name) + " in container " + GoQuote(c.name) + " " + v,
                     Ptr(Ptr(cptr, "ports"), k) + "/name", c.name);
          }
        }
      });
      return;
    }
    if (o.kind != "Service") return;
    const auto* ports = Arr(Get(Get(&o.root(), "spec"), "ports"));
    if (!ports) return;
    for (std::size_t k = 0; k < ports->size(); ++k) {
      const Value* tp = Get(&(*ports)[k], "targetPort");
      if (!tp || tp->is_null()) continue;
      std::string ptr = "/spec/ports/" + std::to_string(k) + "/targetPort";
      if (tp->is_string()) {
        for (const std::string& v : PortNameViolations(tp->as_string())) {
          sink.Add("port targetPort " + GoQuote(tp->as_string()) + " in service " + GoQuote(o.name) + " " + v, ptr);
        }
      } else if (auto n = AsInt(tp)) {
        if (*n == 0) continue;
        if (*n < 1 || *n > 65535) {
          sink.Add("port targetPort " + GoQuote(std::to_string(*n)) + " in service " + GoQuote(o.name) +
                       " must be between 1 and 65535, inclusive",
                   ptr);
        }
      }
    }
  });
}

// liveness-port / readiness-port / startup-port ---------------------------
template <int kWhich>
Result<std::unique_ptr<CheckImpl>> ProbePort(const Params&) {
  static constexpr std::string_view kReads[] = {"container:/livenessProbe", "container:/readinessProbe",
                                                "container:/startupProbe"};
  return Make(CheckReads{kReads[kWhich], "container:/ports"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    static constexpr const char* kProbe[] = {"livenessProbe", "readinessProbe", "startupProbe"};
    const char* probe_key = kProbe[kWhich];
    ForContainers(o, Groups::kRegular, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const Value* probe = Get(&cv, probe_key);
      if (!IsObject(probe)) return;
      std::set<std::int64_t> nums;
      std::set<std::string> names;
      if (const auto* ports = Arr(Get(&cv, "ports"))) {
        for (const Value& pt : *ports) {
          std::string proto = ScalarText(Get(&pt, "protocol"));
          if (!proto.empty() && proto != "TCP") continue;
          nums.insert(AsInt(Get(&pt, "containerPort")).value_or(0));
          names.insert(ScalarText(Get(&pt, "name")));
        }
      }
      auto exposed = [&](const Value* port) {
        if (!port || port->is_null()) return nums.count(0) > 0;
        if (port->is_string()) return names.count(port->as_string()) > 0;
        return nums.count(AsInt(port).value_or(0)) > 0;
      };
      std::string probe_ptr = Ptr(cptr, probe_key);
      if (const Value* h = Get(probe, "httpGet"); IsObject(h)) {
        const Value* port = Get(h, "port");
        if (!exposed(port)) {
          sink.Add("container " + GoQuote(c.name) + " does not expose port " + (port ? ScalarText(port) : "0") +
                       " for the HTTPGet",
                   probe_ptr + "/httpGet/port", c.name);
          return;
        }
      }
      if (const Value* t = Get(probe, "tcpSocket"); IsObject(t)) {
        const Value* port = Get(t, "port");
        if (!exposed(port)) {
          sink.Add("container " + GoQuote(c.name) + " does not expose port " + (port ? ScalarText(port) : "0") +
                       " for the TCPSocket",
                   probe_ptr + "/tcpSocket/port", c.name);
          return;
        }
      }
      if (const Value* g = Get(probe, "grpc"); IsObject(g)) {
        std::int64_t n = AsInt(Get(g, "port")).value_or(0);
        if (!nums.count(n)) {
          sink.Add("container " + GoQuote(c.name) + " does not expose port " + std::to_string(n) +
                       " for the GRPC check",
                   probe_ptr + "/grpc/port", c.name);
        }
      }
    });
  });
}

// liveness-probe / readiness-probe ------------------------------------------
template <int kWhich>
Result<std::unique_ptr<CheckImpl>> ProbeMissing(const Params&) {
  static constexpr std::string_view kReads[] = {"container:/livenessProbe", "container:/readinessProbe"};
  return Make(CheckReads{kReads[kWhich]}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    static constexpr const char* kProbe[] = {"livenessProbe", "readinessProbe"};
    static constexpr const char* kWord[] = {"liveness", "readiness"};
    ForContainers(o, Groups::kRegular, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const Value* probe = Get(&cv, kProbe[kWhich]);
      if (probe && !probe->is_null()) return;
      sink.Add("container " + GoQuote(c.name) + " does not specify a " + kWord[kWhich] + " probe",
               Ptr(cptr, kProbe[kWhich]), c.name);
    });
  });
}

Result<std::unique_ptr<CheckImpl>> PrivilegedPorts(const Params&) {
  return Make(CheckReads{"container:/ports"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* ports = Arr(Get(&cv, "ports"));
      if (!ports) return;
      for (std::size_t k = 0; k < ports->size(); ++k) {
        std::int64_t n = AsInt(Get(&(*ports)[k], "containerPort")).value_or(0);
        if (n > 0 && n < 1024) {
          sink.Add("port " + std::to_string(n) + " is mapped in container " + GoQuote(c.name) + ".",
                   Ptr(Ptr(cptr, "ports"), k) + "/containerPort", c.name);
        }
      }
    });
  });
}

Result<std::unique_ptr<CheckImpl>> PortsTemplate(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(port, p.Int("port"));
  KFIX_ASSIGN_OR_RETURN(protocol, p.String("protocol"));
  KFIX_ASSIGN_OR_RETURN(proto_re, Regex::Compile(protocol));
  std::int64_t want = port.value_or(0);
  return Make(CheckReads{"container:/ports"}, [=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* ports = Arr(Get(&cv, "ports"));
      if (!ports) return;
      for (std::size_t k = 0; k < ports->size(); ++k) {
        const Value& pt = (*ports)[k];
        std::string proto = ScalarText(Get(&pt, "protocol"));
        if (proto.empty()) proto = "TCP";
        std::int64_t n = AsInt(Get(&pt, "containerPort")).value_or(0);
        if (n == want && proto_re.Search(proto)) {
          sink.Add("port " + std::to_string(n) + " and protocol " + proto + " in container " + GoQuote(c.name) +
                       " found",
                   Ptr(Ptr(cptr, "ports"), k) + "/containerPort", c.name);
        }
      }
    });
  });
}

}  // namespace

KFIX_REGISTER_TEMPLATES(probes_ports) {
  const std::vector<std::string> dl = {"DeploymentLike"};
  registry.Add({
      {"forbidden-service-types", "Flag forbidden services", {"Service"}, {"forbiddenServiceTypes"}, ForbiddenServiceTypes},
      {"liveness-port", "Flag containers with a liveness probe to not exposed port.", dl, {}, ProbePort<0>},
      {"liveness-probe", "Flag containers that don't specify a liveness probe", dl, {}, ProbeMissing<0>},
      {"ports", "Flag containers exposing ports under protocols that match the supplied parameters", dl,
       {"port", "protocol"}, PortsTemplate},
      {"privileged-ports", "Flag privileged ports", dl, {}, PrivilegedPorts},
      {"readiness-port", "Flag containers with a readiness probe to not exposed port.", dl, {}, ProbePort<1>},
      {"readiness-probe", "Flag containers that don't specify a readiness probe", dl, {}, ProbeMissing<1>},
      {"startup-port", "Flag containers with a startup probe to not exposed port.", dl, {}, ProbePort<2>},
      {"target-port", "Flag containers and services using not allowed port names or numbers", {"DeploymentLike", "Service"},
       {}, TargetPort},
  });
}

}  // namespace kfix::internal::templates
