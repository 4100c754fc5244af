// FixConfig parsing (the `fix:` section of the config file) and FixContext.
#include <cmath>
#include <string>

#include "kfix/remediate.hpp"
#include "remediate/builder.hpp"

namespace kfix {

namespace {

SourceLocation Loc(std::string_view source, const Value& v) {
  SourceLocation l;
  l.file = std::string(source);
  l.line = v.line();
  l.column = v.column();
  return l;
}

Status TypeError(std::string_view source, std::string_view key, const Value& v, std::string_view expected) {
  return InvalidArgumentError("fix." + std::string(key) + ": expected " + std::string(expected) + ", got " +
                                  v.type_name(),
                              Loc(source, v));
}

Status ReadString(std::string_view source, std::string_view key, const Value& v, std::string& out) {
  if (v.is_string()) {
    out = v.as_string();
    return Status::Ok();
  }
  if (v.is_number()) {  // quantities such as `cpuRequest: 1`
    if (v.is_int()) {
      out = std::to_string(v.as_int());
    } else {
      out = ToJson(v);
    }
    return Status::Ok();
  }
  return TypeError(source, key, v, "a string");
}

Status ReadInt(std::string_view source, std::string_view key, const Value& v, std::int64_t& out) {
  if (v.is_int()) {
    out = v.as_int();
    return Status::Ok();
  }
  return TypeError(source, key, v, "an integer");
}

Status ReadStringList(std::string_view source, std::string_view key, const Value& v, std::vector<std::string>& out) {
  if (!v.is_array()) return TypeError(source, key, v, "a list of strings");
  out.clear();
  for (const Value& e : v.as_array()) {
    if (!e.is_string()) return TypeError(source, key, e, "a string");
    out.push_back(e.as_string());
  }
  return Status::Ok();
}

}  // namespace

Result<FixConfig> FixConfigFromValue(const Value& section, std::string_view source) {
  FixConfig c;
  if (section.is_null()) return c;
  if (!section.is_object()) return TypeError(source, "", section, "a mapping");
  for (const Member& m : section.as_object()) {
    const std::string& k = m.key;
    const Value& v = m.value;
    if (k == "profile") {
      if (!v.is_string()) return TypeError(source, k, v, "\"minimal\" or \"harden\"");
      auto p = ParseFixProfile(v.as_string());
      if (!p.ok()) return InvalidArgumentError("fix.profile: " + p.status().message(), Loc(source, v));
      c.profile = *p;
    } else if (k == "cpuRequest") {
      KFIX_RETURN_IF_ERROR(ReadString(source, k, v, c.cpu_request));
    } else if (k == "memoryRequest") {
      KFIX_RETURN_IF_ERROR(ReadString(source, k, v, c.memory_request));
    } else if (k == "cpuLimit") {
      KFIX_RETURN_IF_ERROR(ReadString(source, k, v, c.cpu_limit));
    } else if (k == "memoryLimit") {
      KFIX_RETURN_IF_ERROR(ReadString(source, k, v, c.memory_limit));
    } else if (k == "runAsUser") {
      KFIX_RETURN_IF_ERROR(ReadInt(source, k, v, c.run_as_user));
      if (c.run_as_user <= 0) return InvalidArgumentError("fix.runAsUser must be > 0", Loc(source, v));
    } else if (k == "runAsGroup") {
      KFIX_RETURN_IF_ERROR(ReadInt(source, k, v, c.run_as_group));
      if (c.run_as_group <= 0) return InvalidArgumentError("fix.runAsGroup must be > 0", Loc(source, v));
    } else if (k == "jobTtlSecondsAfterFinished") {
      KFIX_RETURN_IF_ERROR(ReadInt(source, k, v, c.job_ttl_seconds_after_finished));
      if (c.job_ttl_seconds_after_finished < 0)
        return InvalidArgumentError("fix.jobTtlSecondsAfterFinished must be >= 0", Loc(source, v));
    } else if (k == "pdbUnhealthyPodEvictionPolicy") {
      KFIX_RETURN_IF_ERROR(ReadString(source, k, v, c.pdb_unhealthy_pod_eviction_policy));
      if (c.pdb_unhealthy_pod_eviction_policy != "AlwaysAllow" && c.pdb_unhealthy_pod_eviction_policy != "IfHealthyBudget")
        return InvalidArgumentError("fix.pdbUnhealthyPodEvictionPolicy must be AlwaysAllow or IfHealthyBudget",
                                    Loc(source, v));
    } else if (k == "minReplicas") {
      KFIX_RETURN_IF_ERROR(ReadInt(source, k, v, c.min_replicas));
      if (c.min_replicas < 1) return InvalidArgumentError("fix.minReplicas must be >= 1", Loc(source, v));
    } else if (k == "imagePins") {
      if (!v.is_object()) return TypeError(source, k, v, "a mapping of image to pinned image");
      c.image_pins.clear();
      for (const Member& p : v.as_object()) {
        if (!p.value.is_string()) return TypeError(source, "imagePins." + p.key, p.value, "a string");
        c.image_pins[p.key] = p.value.as_string();
      }
    } else if (k == "protectedNamespaces") {
      KFIX_RETURN_IF_ERROR(ReadStringList(source, k, v, c.protected_namespaces));
    } else if (k == "allowedNamespaces") {
      KFIX_RETURN_IF_ERROR(ReadStringList(source, k, v, c.allowed_namespaces));
    } else if (k == "maxOps") {
      std::int64_t n = 0;
      KFIX_RETURN_IF_ERROR(ReadInt(source, k, v, n));
      if (n < 1) return InvalidArgumentError("fix.maxOps must be >= 1", Loc(source, v));
      c.max_ops = static_cast<std::size_t>(n);
    } else if (k == "disabledChecks") {
      std::vector<std::string> list;
      KFIX_RETURN_IF_ERROR(ReadStringList(source, k, v, list));
      c.disabled_checks = std::set<std::string>(list.begin(), list.end());
    } else {
      SourceLocation l = Loc(source, v);
      l.line = 0;
      for (const Member& mm : section.as_object()) {
        if (mm.key == k) {
          l.line = mm.key_line;
          l.column = mm.key_column;
        }
      }
      return InvalidArgumentError("fix: unknown key \"" + k + "\"", l);
    }
  }
  return c;
}

Result<FixConfig> ParseFixConfig(std::string_view text, std::string_view source) {
  std::size_t first = text.find_first_not_of(" \t\r\n");
  Value doc;
  if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) {
    Result<Value> j = ParseJson(text);
    if (!j.ok()) {
      SourceLocation l = j.status().location();
      l.file = std::string(source);
      return ParseError("fix config: invalid JSON: " + j.status().message(), l);
    }
    doc = std::move(*j);
  } else {
    Result<Value> y = ParseYaml(text);
    if (!y.ok()) {
      Status s = y.status();
      SourceLocation l;
      l.file = std::string(source);
      return s.WithDefaultLocation(l);
    }
    doc = std::move(*y);
  }
  if (doc.is_null()) return FixConfig{};
  if (!doc.is_object()) return InvalidArgumentError("fix config must be a mapping", Loc(source, doc));
  if (const Value* fix = doc.Find("fix")) return FixConfigFromValue(*fix, source);
  // A kube-linter config without a fix section: defaults.
  if (doc.Find("checks") || doc.Find("customChecks") || doc.Find("rules")) return FixConfig{};
  return FixConfigFromValue(doc, source);
}

Value FixConfigToValue(const FixConfig& c) {
  Value v = Value::MakeObject();
  v.Set("profile", FixProfileName(c.profile));
  v.Set("cpuRequest", c.cpu_request);
  v.Set("memoryRequest", c.memory_request);
  v.Set("cpuLimit", c.cpu_limit);
  v.Set("memoryLimit", c.memory_limit);
  v.Set("runAsUser", c.run_as_user);
  v.Set("runAsGroup", c.run_as_group);
  v.Set("jobTtlSecondsAfterFinished", c.job_ttl_seconds_after_finished);
  v.Set("pdbUnhealthyPodEvictionPolicy", c.pdb_unhealthy_pod_eviction_policy);
  v.Set("minReplicas", c.min_replicas);
  Value pins = Value::MakeObject();
  for (const auto& [k, p] : c.image_pins) pins.Set(k, p);
  v.Set("imagePins", pins);
  Value prot = Value::MakeArray();
  for (const auto& n : c.protected_namespaces) prot.PushBack(n);
  v.Set("protectedNamespaces", prot);
  Value allow = Value::MakeArray();
  for (const auto& n : c.allowed_namespaces) allow.PushBack(n);
  v.Set("allowedNamespaces", allow);
  v.Set("maxOps", static_cast<std::int64_t>(c.max_ops));
  Value dis = Value::MakeArray();
  for (const auto& n : c.disabled_checks) dis.PushBack(n);
  v.Set("disabledChecks", dis);
  return v;
}

// FixContext ------------------------------------------------------------------

FixContext FixContext::Build(const std::vector<Manifest>& objects, std::shared_ptr<const RuleSet> rules) {
  FixContext ctx;
  ctx.rules = std::move(rules);
  for (const Manifest& m : objects) {
    const Value* kind = m.root.Find("kind");
    if (!kind || !kind->is_string()) continue;
    const std::string& k = kind->as_string();
    // Only these three kinds are indexed: the others (most objects) are
    // passed over before their names are copied.
    if (k != "ServiceAccount" && k != "Secret" && k != "Service") continue;
    const Value* md = m.root.Find("metadata");
    std::string ns = md && md->Find("namespace") ? std::string(md->Find("namespace")->string_or()) : "";
    std::string name = md && md->Find("name") ? std::string(md->Find("name")->string_or()) : "";
    if (k == "ServiceAccount") {
      ctx.service_accounts.insert(ns + "/" + name);
      ctx.has_service_accounts = true;
    } else if (k == "Secret") {
      ctx.secrets.insert(ns + "/" + name);
    } else if (k == "Service") {
      const Value* ports = m.root.FindPath({"spec", "ports"});
      if (!ports || !ports->is_array()) continue;
      for (const Value& p : ports->as_array()) {
        const Value* tp = p.Find("targetPort");
        if (!tp) tp = p.Find("port");
        if (!tp) continue;
        if (tp->is_int()) {
          ctx.service_target_ports.insert(ns + "/" + std::to_string(tp->as_int()));
        } else if (tp->is_string()) {
          ctx.service_target_ports.insert(ns + "/" + tp->as_string());
        }
      }
    }
  }
  return ctx;
}

bool FixContext::HasServiceAccount(std::string_view ns, std::string_view name) const {
  if (name == "default") return true;  // every namespace has one
  std::string key(ns);
  key.append("/").append(name);
  if (service_accounts.count(key)) return true;
  std::string any("/");
  any.append(name);
  if (service_accounts.count(any)) return true;
  if (ns.empty()) {
    for (const auto& sa : service_accounts) {
      auto slash = sa.find('/');
      if (sa.compare(slash + 1, std::string::npos, name) == 0) return true;
    }
  }
  return false;
}

}  // namespace kfix
