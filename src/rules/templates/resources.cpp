// Resources and pod settings: CPU and memory requirements, priority class, DNS options, restart
// Check templates of this domain; the file registers its own entries (rules/template_helpers.hpp).
// Each file registers its own entries (rules/template_helpers.hpp).
#include <algorithm>
#include <optional>

#include "rules/template_helpers.hpp"

namespace kfix::internal::templates {
namespace {

// dnsconfig-options ----------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> DnsConfigOptions(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(key, p.String("key"));
  KFIX_ASSIGN_OR_RETURN(value, p.String("value"));
  return Make(CheckReads{"pod:/dnsConfig"}, [key, value](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!o.workload) return;
    const Value* dns = Get(PodSpec(o), "dnsConfig");
    if (!dns || dns->is_null()) {
      sink.Add("Object does not define any DNSConfig rules.", Ptr(o.pod_spec_ptr, "dnsConfig"));
      return;
    }
    const auto* opts = Arr(Get(dns, "options"));
    if (!opts) {
      sink.Add("Object does not define any DNSConfig Options.", Ptr(o.pod_spec_ptr, {"dnsConfig", "options"}));
      return;
    }
    for (const Value& opt : *opts) {
      const Value* v = Get(&opt, "value");
      if (ScalarText(Get(&opt, "name")) == key && v && ScalarText(v) == value) return;
    }
    sink.Add("DNSConfig Options \"" + key + ":" + value + "\" not found.", Ptr(o.pod_spec_ptr, {"dnsConfig", "options"}));
  });
}

// job-ttl-seconds-after-finished -------------------------------------------
Result<std::unique_ptr<CheckImpl>> JobTtl(const Params&) {
  return Make(CheckReads{"/spec/ttlSecondsAfterFinished", "/spec/jobTemplate/spec/ttlSecondsAfterFinished"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const Value* spec = Get(&o.root(), "spec");
    if (o.kind == "Job") {
      const Value* ttl = Get(spec, "ttlSecondsAfterFinished");
      if (!ttl || ttl->is_null()) {
        sink.Add("Standalone Job does not specify ttlSecondsAfterFinished", "/spec/ttlSecondsAfterFinished");
      }
    } else if (o.kind == "CronJob") {
      const Value* ttl = Get(Get(Get(spec, "jobTemplate"), "spec"), "ttlSecondsAfterFinished");
      if (ttl && !ttl->is_null()) {
        sink.Add("Managed Job specifies ttlSecondsAfterFinished which might conflict with successfulJobsHistoryLimit "
                 "and failedJobsHistoryLimit from CronJob that have default values. Final behaviour is determined by the "
                 "strictest parameter, and therefore, setting ttlSecondsAfterFinished at the job level can result with "
                 "unexpected behaviour with regard to finished jobs removal",
                 "/spec/jobTemplate/spec/ttlSecondsAfterFinished");
      }
    }
  });
}

// priority-class-name ------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> PriorityClassName(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(accepted, p.StringList("acceptedPriorityClassNames"));
  return Make(CheckReads{"pod:/priorityClassName"}, [accepted](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!o.workload) return;
    std::string pcn = ScalarText(Get(PodSpec(o), "priorityClassName"));
    std::string trimmed = pcn;
    trimmed.erase(0, trimmed.find_first_not_of(" \t\n\r"));
    if (trimmed.empty() || std::find(accepted.begin(), accepted.end(), pcn) != accepted.end()) return;
    sink.Add("object has a priority class name defined with '" + pcn +
                 "' but the only accepted priority class names are '" + GoStringList(accepted) + "'",
             Ptr(o.pod_spec_ptr, "priorityClassName"));
  });
}

// restart-policy -------------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> RestartPolicy(const Params&) {
  return Make(CheckReads{"pod:/restartPolicy"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    if (!o.workload) return;
    std::string rp = ScalarText(Get(PodSpec(o), "restartPolicy"));
    if (rp == "Always" || rp == "OnFailure") return;
    sink.Add("object has a restart policy defined with '" + rp +
                 "' but the only accepted restart policies are '[Always OnFailure]'",
             Ptr(o.pod_spec_ptr, "restartPolicy"));
  });
}

// cpu-requirements / memory-requirements -----------------------------------------
std::string QuantityText(const Value* v, std::int64_t whole_or_milli, bool is_zero) {
  if (is_zero) return "0";
  if (v && v->is_string()) return v->as_string();
  if (v && v->is_number()) return ScalarText(v);
  return std::to_string(whole_or_milli);
}

Result<std::unique_ptr<CheckImpl>> Requirements(const Params& p, bool cpu) {
  const char* lower_name = cpu ? "lowerBoundMillis" : "lowerBoundMB";
  const char* upper_name = cpu ? "upperBoundMillis" : "upperBoundMB";
  KFIX_ASSIGN_OR_RETURN(lower, p.Int(lower_name));
  KFIX_ASSIGN_OR_RETURN(upper, p.Int(upper_name));
  KFIX_ASSIGN_OR_RETURN(type, p.String("requirementsType", "any"));
  if (type != "request" && type != "limit" && type != "any") {
    return InvalidArgumentError("parameter \"requirementsType\" must be one of request, limit, any; got \"" + type + "\"");
  }
  std::int64_t scale = cpu ? 1 : 1024 * 1024;
  std::int64_t lo = lower.value_or(0) * scale;
  std::optional<std::int64_t> hi;
  if (upper) hi = *upper * scale;
  CheckReads reads = cpu ? CheckReads{"container:/resources/requests/cpu"}
                         : CheckReads{"container:/resources/requests/memory", "container:/resources/limits/memory"};
  return Make(std::move(reads), [=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    const char* resource = cpu ? "cpu" : "memory";
    auto process = [&](const ContainerRef& c, const Value& cv, const std::string& cptr, const char* kind_key,
                       const char* word) {
      const Value* q = Get(Get(Get(&cv, "resources"), kind_key), resource);
      Quantity qty = QuantityOf(q);
      if (!qty.ok) return;  // an invalid quantity fails kube-linter's decoding; not this check's business
      std::int64_t v = cpu ? MilliValue(qty) : WholeValue(qty);
      if (v < lo || (hi && v > *hi)) return;
      sink.Add("container " + GoQuote(c.name) + " has " + resource + " " + word + " " +
                   QuantityText(q, v, qty.value == 0),
               Ptr(cptr, {"resources", kind_key, resource}), c.name);
    };
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      if (type == "request" || type == "any") process(c, cv, cptr, "requests", "request");
      // kube-linter's cpu-requirements template never looks at limits.
      if (!cpu && (type == "limit" || type == "any")) process(c, cv, cptr, "limits", "limit");
    });
  });
}

Result<std::unique_ptr<CheckImpl>> CpuRequirements(const Params& p) { return Requirements(p, true); }

Result<std::unique_ptr<CheckImpl>> MemoryRequirements(const Params& p) { return Requirements(p, false); }

}  // namespace

KFIX_REGISTER_TEMPLATES(resources) {
  const std::vector<std::string> dl = {"DeploymentLike"};
  registry.Add({
      {"cpu-requirements", "Flag containers with CPU requirements in the given range", dl,
       {"lowerBoundMillis", "upperBoundMillis", "requirementsType"}, CpuRequirements},
      {"dnsconfig-options", "Flag objects that don't have specified DNSConfig Options", dl, {"key", "value"},
       DnsConfigOptions},
      {"job-ttl-seconds-after-finished",
       "Flag standalone Job objects not setting ttlSecondsAfterFinished. Flag CronJob objects setting ttlSecondsAfterFinished",
       {"JobLike"}, {}, JobTtl},
      {"memory-requirements", "Flag containers with memory requirements in the given range", dl,
       {"lowerBoundMB", "upperBoundMB", "requirementsType"}, MemoryRequirements},
      {"priority-class-name", "Flag applications running with invalid priority class name.", dl,
       {"acceptedPriorityClassNames"}, PriorityClassName},
      {"restart-policy", "Flag applications running without the restart policy.", dl, {}, RestartPolicy},
  });
}

}  // namespace kfix::internal::templates
