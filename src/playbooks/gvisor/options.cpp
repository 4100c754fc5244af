// The options document shared by every surface (CLI flags, C ABI, Python).
#include <string>

#include "playbooks/gvisor/internal.hpp"

namespace kfix::gvisor {

namespace {

SourceLocation At(std::string_view source, const Value& v) {
  SourceLocation l;
  l.file = std::string(source);
  l.line = v.line();
  l.column = v.column();
  return l;
}

}  // namespace

ScanOptions Options::scan_options() const {
  ScanOptions so;
  so.extract = extract;
  so.classify.facts = facts ? &*facts : nullptr;
  so.classify.overrides = overrides ? &*overrides : nullptr;
  return so;
}

RunOptions Options::run_options(const std::vector<Manifest>* live, AuditLog* audit) const {
  RunOptions ro;
  ro.dry_run = !execute;
  ro.skip_preflight = skip_preflight;
  ro.facts = facts ? &*facts : nullptr;
  ro.live = live;
  ro.audit = audit;
  ro.generated_at = metadata.generated_at;
  ro.cluster = metadata.cluster;
  return ro;
}

Result<Options> OptionsFromValue(const Value& doc, std::string_view source) {
  Options o;
  if (doc.is_null()) return o;
  if (!doc.is_object()) return ParseError("gvisor options must be a mapping", At(source, doc));
  for (const Member& m : doc.as_object()) {
    const Value& v = m.value;
    auto want_bool = [&](bool* out) -> Status {
      if (!v.is_bool()) return ParseError(m.key + " must be a boolean", At(source, v));
      *out = v.as_bool();
      return Status::Ok();
    };
    auto want_string = [&](std::string* out) -> Status {
      if (!v.is_string()) return ParseError(m.key + " must be a string", At(source, v));
      *out = v.as_string();
      return Status::Ok();
    };
    auto want_int = [&](std::int64_t* out) -> Status {
      if (!v.is_int() || v.as_int() < 0) return ParseError(m.key + " must be a non-negative integer", At(source, v));
      *out = v.as_int();
      return Status::Ok();
    };
    if (m.key == "includeSystem") {
      KFIX_RETURN_IF_ERROR(want_bool(&o.extract.include_system));
    } else if (m.key == "includeReview") {
      KFIX_RETURN_IF_ERROR(want_bool(&o.plan.include_review));
    } else if (m.key == "addToleration") {
      KFIX_RETURN_IF_ERROR(want_bool(&o.plan.add_toleration));
    } else if (m.key == "runtimeClassName") {
      KFIX_RETURN_IF_ERROR(want_string(&o.plan.runtime_class_name));
      if (o.plan.runtime_class_name.empty())
        return InvalidArgumentError("runtimeClassName must not be empty", At(source, v));
    } else if (m.key == "profile") {
      std::string p;
      KFIX_RETURN_IF_ERROR(want_string(&p));
      std::optional<HashProfile> hp = ParseHashProfile(p);
      if (!hp) return InvalidArgumentError("profile must be kfix, agentmoat or agentmoat-v1", At(source, v));
      o.profile = *hp;
    } else if (m.key == "batchSize") {
      KFIX_RETURN_IF_ERROR(want_int(&o.plan.batch_size));
    } else if (m.key == "maxParallel") {
      KFIX_RETURN_IF_ERROR(want_int(&o.plan.max_parallel));
    } else if (m.key == "generatedAt") {
      KFIX_RETURN_IF_ERROR(want_string(&o.metadata.generated_at));
    } else if (m.key == "cluster") {
      KFIX_RETURN_IF_ERROR(want_string(&o.metadata.cluster));
    } else if (m.key == "execute") {
      KFIX_RETURN_IF_ERROR(want_bool(&o.execute));
    } else if (m.key == "skipPreflight") {
      KFIX_RETURN_IF_ERROR(want_bool(&o.skip_preflight));
    } else if (m.key == "overrides") {
      // The override file's document, or just its list.
      Value wrapped;
      if (v.is_array()) {
        wrapped = Value::MakeObject();
        wrapped.Set("overrides", v);
        wrapped.set_position(v.line(), v.column());
      }
      Result<RuleOverrides> r = RuleOverridesFromValue(v.is_array() ? wrapped : v, source);
      if (!r.ok()) return r.status();
      o.overrides = std::move(*r);
    } else if (m.key == "facts") {
      Result<ClusterFacts> f = ClusterFactsFromValue(v, source);
      if (!f.ok()) return f.status();
      o.facts = std::move(*f);
    } else {
      return ParseError("unknown gvisor option `" + m.key +
                            "` (valid: includeSystem, includeReview, addToleration, runtimeClassName, profile, "
                            "batchSize, maxParallel, generatedAt, cluster, execute, skipPreflight, overrides, facts)",
                        At(source, v));
    }
  }
  return o;
}

Result<Options> ParseOptions(std::string_view text, std::string_view source) {
  SourceLocation at;
  at.file = std::string(source);
  Result<Value> doc = ParseYaml(text);
  if (!doc.ok()) return doc.status().WithDefaultLocation(at);
  return OptionsFromValue(*doc, source);
}

}  // namespace kfix::gvisor
