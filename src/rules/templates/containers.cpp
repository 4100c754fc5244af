// Containers: environment variables and images.
// Check templates of this domain; the file registers its own entries (rules/template_helpers.hpp).
#include <map>

#include "rules/template_helpers.hpp"

namespace kfix::internal::templates {
namespace {

// duplicate-env-var ------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> DuplicateEnvVar(const Params&) {
  return Make(CheckReads{"container:/env"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* env = Arr(Get(&cv, "env"));
      if (!env) return;
      std::map<std::string, int> seen;
      for (std::size_t k = 0; k < env->size(); ++k) {
        std::string name = ScalarText(Get(&(*env)[k], "name"));
        if (++seen[name] != 2) continue;
        sink.Add("Duplicate environment variable " + name + " in container " + GoQuote(c.name) + " found",
                 Ptr(Ptr(cptr, "env"), k), c.name);
      }
    });
  });
}

// env-var ------------------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> EnvVar(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(name, p.String("name"));
  KFIX_ASSIGN_OR_RETURN(value, p.String("value"));
  KFIX_ASSIGN_OR_RETURN(name_re, Regex::Compile(name));
  KFIX_ASSIGN_OR_RETURN(value_re, Regex::Compile(value));
  return Make(CheckReads{"container:/env"}, [=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* env = Arr(Get(&cv, "env"));
      if (!env) return;
      for (std::size_t k = 0; k < env->size(); ++k) {
        const Value& e = (*env)[k];
        std::string n = ScalarText(Get(&e, "name"));
        std::string v = ScalarText(Get(&e, "value"));
        if (name_re.Search(n) && value_re.Search(v)) {
          std::string ptr = Ptr(Ptr(cptr, "env"), k);
          if (Get(&e, "value")) ptr += "/value";
          sink.Add("environment variable " + n + " in container " + GoQuote(c.name) + " found", ptr, c.name);
        }
      }
    });
  });
}

// latest-tag -------------------------------------------------------------------
Result<std::unique_ptr<CheckImpl>> LatestTag(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(block, p.StringList("blockList"));
  KFIX_ASSIGN_OR_RETURN(allow, p.StringList("allowList"));
  KFIX_ASSIGN_OR_RETURN(block_re, CompileAll(block));
  KFIX_ASSIGN_OR_RETURN(allow_re, CompileAll(allow));
  if (!block_re.empty() && !allow_re.empty()) {
    return InvalidArgumentError(
        "only one of the paramater lists can be used at a time: check has both \"allowList\" & \"blockList\" "
        "parameter's values set");
  }
  std::string block_q = GoQuoteList(block), allow_q = GoQuoteList(allow);
  return Make(CheckReads{"container:/image"}, [=](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      std::string image = ScalarText(Get(&cv, "image"));
      if (!block_re.empty() && AnySearch(block_re, image)) {
        sink.Add("The container " + GoQuote(c.name) + " is using an invalid container image, " + GoQuote(image) +
                     ". Please use images that are not blocked by the `BlockList` criteria : " + block_q,
                 Ptr(cptr, "image"), c.name);
      } else if (!allow_re.empty() && !AnySearch(allow_re, image)) {
        sink.Add("The container " + GoQuote(c.name) + " is using an invalid container image, " + GoQuote(image) +
                     ". Please use images that satisfies the `AllowList` criteria : " + allow_q,
                 Ptr(cptr, "image"), c.name);
      }
    });
  });
}

// read-secret-from-env-var ---------------------------------------------------
Result<std::unique_ptr<CheckImpl>> ReadSecretFromEnv(const Params&) {
  return Make(CheckReads{"container:/env"}, [](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      const auto* env = Arr(Get(&cv, "env"));
      if (!env) return;
      for (std::size_t k = 0; k < env->size(); ++k) {
        if (!IsObject(Get(Get(&(*env)[k], "valueFrom"), "secretKeyRef"))) continue;
        sink.Add("environment variable " + GoQuote(ScalarText(Get(&(*env)[k], "name"))) + " in container " +
                     GoQuote(c.name) + " uses SecretKeyRef",
                 Ptr(Ptr(cptr, "env"), k) + "/valueFrom/secretKeyRef", c.name);
      }
    });
  });
}

// image-pull-policy (custom checks only) ---------------------------------------
Result<std::unique_ptr<CheckImpl>> ImagePullPolicy(const Params& p) {
  KFIX_ASSIGN_OR_RETURN(forbidden, p.StringList("forbiddenPolicies"));
  return Make(CheckReads{"container:/imagePullPolicy"}, [forbidden](const ObjectInfo& o, const LintIndex&, Sink& sink) {
    ForContainers(o, Groups::kAll, [&](const ContainerRef& c, const Value& cv, const std::string& cptr) {
      std::string policy = ScalarText(Get(&cv, "imagePullPolicy"));
      for (const std::string& f : forbidden) {
        if (EqualFold(policy, f)) {
          sink.Add("container " + GoQuote(c.name) + " has imagePullPolicy set to " + policy,
                   Ptr(cptr, "imagePullPolicy"), c.name);
        }
      }
    });
  });
}

}  // namespace

KFIX_REGISTER_TEMPLATES(containers) {
  const std::vector<std::string> dl = {"DeploymentLike"};
  registry.Add({
      {"duplicate-env-var", "Flag Duplicate Env Variables names", dl, {}, DuplicateEnvVar},
      {"env-var", "Flag environment variables that match the provided patterns", dl, {"name", "value"}, EnvVar},
      {"image-pull-policy", "Flag containers with forbidden image pull policy", dl, {"forbiddenPolicies"}, ImagePullPolicy},
      {"latest-tag", "Flag applications running container images that do not satisfies \"allowList\" & \"blockList\" parameters criteria.",
       dl, {"blockList", "allowList"}, LatestTag},
      {"read-secret-from-env-var", "Flag environment variables that use SecretKeyRef", dl, {}, ReadSecretFromEnv},
  });
}

}  // namespace kfix::internal::templates
