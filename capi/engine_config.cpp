// Engine configuration (see internal/engine_config.hpp).
#include "internal/engine_config.hpp"

#include <string>
#include <utility>

namespace kfix::capi {
namespace {

Status ConfigError(const std::string& message, const Value* at) {
  SourceLocation loc;
  loc.file = "config";
  if (at != nullptr) {
    loc.line = at->line();
    loc.column = at->column();
  }
  return InvalidArgumentError(message, loc);
}

Status ParseScanSection(const Value& scan, ScanOptions* out) {
  if (!scan.is_object()) return ConfigError("\"scan\" must be an object", &scan);
  for (const Member& m : scan.as_object()) {
    if (m.key == "context") {
      std::string_view c = m.value.string_or();
      if (c == "all") {
        out->context = LintContext::kAll;
      } else if (c == "per-file") {
        out->context = LintContext::kPerFile;
      } else {
        return ConfigError("\"scan.context\" must be \"all\" or \"per-file\"", &m.value);
      }
    } else if (m.key == "jobs") {
      if (!m.value.is_int() || m.value.as_int() < 0 || m.value.as_int() > 1024) {
        return ConfigError("\"scan.jobs\" must be an integer in [0, 1024]", &m.value);
      }
      out->jobs = static_cast<int>(m.value.as_int());
    } else {
      return ConfigError("unknown member \"scan." + m.key + "\"", &m.value);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const EngineSpec>> BuildEngine(const Value& config) {
  auto spec = std::make_shared<EngineSpec>();
  RulesConfig rules_config;
  if (!config.is_null()) {
    if (!config.is_object()) return ConfigError("configuration must be a JSON object", &config);
    // kfix's own sections are taken out; the rest is a .kube-linter.yaml
    // document (checks, customChecks, ...) and goes to the rules layer, which
    // validates it (JSON is YAML).
    Value linter = Value::MakeObject();
    for (const Member& m : config.as_object()) {
      if (m.key == "scan") {
        KFIX_RETURN_IF_ERROR(ParseScanSection(m.value, &spec->scan));
      } else if (m.key == "fix") {
        if (!m.value.is_object()) return ConfigError("\"fix\" must be an object", &m.value);
      } else {
        linter.as_object().push_back(m);
      }
    }
    if (linter.size() > 0) {
      Result<RulesConfig> parsed = ParseRulesConfig(ToJson(linter, JsonStyle::kPretty), "config");
      if (!parsed.ok()) return parsed.status();
      rules_config = std::move(*parsed);
    }
  }
  Result<std::shared_ptr<const RuleSet>> rules = RuleSet::Create(rules_config);
  if (!rules.ok()) return rules.status();
  spec->rules = std::move(*rules);
  return std::shared_ptr<const EngineSpec>(std::move(spec));
}

Result<std::shared_ptr<const EngineSpec>> BuildEngine(std::string_view config_json) {
  if (config_json.find_first_not_of(" \t\r\n") == std::string_view::npos) return BuildEngine(Value());
  Result<Value> config = ParseJson(config_json);
  if (!config.ok()) {
    SourceLocation loc;
    loc.file = "config";
    return config.status().WithDefaultLocation(loc);
  }
  return BuildEngine(*config);
}

}  // namespace kfix::capi
