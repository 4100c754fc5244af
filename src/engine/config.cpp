// The configuration document of kfix::Engine (kfix/engine.hpp): one schema
// for every surface, parsed once from the caller's own text so that every
// error names the caller's line and column.
#include <filesystem>
#include <string>
#include <utility>

#include "kfix/engine.hpp"

namespace kfix {
namespace {

Status ConfigError(const std::string& source, const std::string& message, std::int32_t line, std::int32_t column) {
  SourceLocation loc;
  loc.file = source;
  loc.line = line;
  loc.column = column;
  return InvalidArgumentError(message, loc);
}

Status ValueError(const std::string& source, const std::string& message, const Value& at) {
  return ConfigError(source, message, at.line(), at.column());
}

Status KeyError(const std::string& source, const std::string& message, const Member& at) {
  return ConfigError(source, message, at.key_line, at.key_column);
}

std::string SectionList() {
  std::string out;
  for (const std::string& s : EngineConfigSections()) out += (out.empty() ? "" : ", ") + s;
  return out;
}

Status ParseScanSection(const std::string& source, const Value& scan, ScanOptions* out) {
  if (!scan.is_object()) return ValueError(source, "\"scan\" must be a mapping", scan);
  for (const Member& m : scan.as_object()) {
    if (m.key == "context") {
      std::string_view c = m.value.string_or();
      if (c == "all") {
        out->context = LintContext::kAll;
      } else if (c == "per-file") {
        out->context = LintContext::kPerFile;
      } else {
        return ValueError(source, "\"scan.context\" must be \"all\" or \"per-file\"", m.value);
      }
    } else if (m.key == "jobs") {
      if (!m.value.is_int() || m.value.as_int() < 0 || m.value.as_int() > 1024) {
        return ValueError(source, "\"scan.jobs\" must be an integer in [0, 1024] (0: one per hardware thread)",
                          m.value);
      }
      out->jobs = static_cast<int>(m.value.as_int());
    } else {
      return KeyError(source, "unknown key \"scan." + m.key + "\" (want context, jobs)", m);
    }
  }
  return Status::Ok();
}

// limits: the input caps of every load (docs/config.md, docs/yaml-semantics.md).
Status ParseLimitsSection(const std::string& source, const Value& limits, EngineConfig* out) {
  if (!limits.is_object()) return ValueError(source, "\"limits\" must be a mapping", limits);
  struct Field {
    const char* key;
    std::size_t* target;
  };
  ParseOptions& p = out->parse;
  const Field fields[] = {
      {"maxFileBytes", &p.max_document_bytes},
      {"maxDepth", &p.max_depth},
      {"maxScalarBytes", &p.max_scalar_bytes},
      {"maxAliasExpansion", &p.max_alias_expansion},
      {"maxNodesPerDocument", &p.max_nodes},
      {"maxNodesPerFile", &p.max_total_nodes},
      {"maxDocumentsPerFile", &p.max_documents},
      {"maxErrorsPerFile", &p.max_errors},
      {"maxRunNodes", &out->max_run_nodes},
      {"maxRunDocuments", &out->max_run_documents},
  };
  for (const Member& m : limits.as_object()) {
    const Field* f = nullptr;
    for (const Field& c : fields) {
      if (m.key == c.key) f = &c;
    }
    if (f == nullptr) {
      std::string want;
      for (const Field& c : fields) want += (want.empty() ? "" : ", ") + std::string(c.key);
      return KeyError(source, "unknown key \"limits." + m.key + "\" (want " + want + ")", m);
    }
    if (!m.value.is_int() || m.value.as_int() < 1) {
      return ValueError(source, "\"limits." + m.key + "\" must be a positive integer", m.value);
    }
    *f->target = static_cast<std::size_t>(m.value.as_int());
  }
  return Status::Ok();
}

Status ParseRiskSection(const std::string& source, const Value& risk, RiskFeedFiles* files, RiskConfig* config) {
  if (!risk.is_object()) return ValueError(source, "\"risk\" must be a mapping", risk);
  for (const Member& m : risk.as_object()) {
    if (m.key == "epss" || m.key == "kev") {
      if (!m.value.is_string()) return ValueError(source, "\"risk." + m.key + "\" must be a file name", m.value);
      (m.key == "epss" ? files->epss : files->kev) = m.value.as_string();
    } else if (m.key == "trivy") {
      if (!m.value.is_array()) return ValueError(source, "\"risk.trivy\" must be a list of file names", m.value);
      for (const Value& f : m.value.as_array()) {
        if (!f.is_string()) return ValueError(source, "\"risk.trivy\" must be a list of file names", f);
        files->trivy.push_back(f.as_string());
      }
    } else if (m.key == "attack") {
      if (!m.value.is_bool()) return ValueError(source, "\"risk.attack\" must be a boolean", m.value);
      config->attack_enabled = m.value.as_bool();
    } else {
      return KeyError(source, "unknown key \"risk." + m.key + "\" (want epss, kev, trivy, attack)", m);
    }
  }
  return Status::Ok();
}

Status ParseScheduleSection(const std::string& source, const Value& v, SchedulerConfig* out) {
  if (!v.is_object()) return ValueError(source, "\"schedule\" must be a mapping", v);
  for (const Member& m : v.as_object()) {
    if (m.key == "exploration" || m.key == "fairness") {
      if (!m.value.is_string()) return ValueError(source, "\"schedule." + m.key + "\" must be a string", m.value);
      if (m.key == "exploration") {
        Result<Exploration> e = ParseExploration(m.value.as_string());
        if (!e.ok()) return ValueError(source, "schedule.exploration: " + e.status().message(), m.value);
        out->exploration = *e;
      } else {
        Result<Fairness> f = ParseFairness(m.value.as_string());
        if (!f.ok()) return ValueError(source, "schedule.fairness: " + f.status().message(), m.value);
        out->fairness = *f;
      }
    } else if (m.key == "seed" || m.key == "fairnessK" || m.key == "fairnessTop") {
      const std::int64_t min = m.key == "seed" ? 0 : 1;
      if (!m.value.is_int() || m.value.as_int() < min || m.value.as_int() > (1LL << 31) - 1) {
        return ValueError(source, "\"schedule." + m.key + "\" must be an integer >= " + std::to_string(min), m.value);
      }
      if (m.key == "seed") out->seed = static_cast<std::uint64_t>(m.value.as_int());
      if (m.key == "fairnessK") out->fairness_k = static_cast<int>(m.value.as_int());
      if (m.key == "fairnessTop") out->fairness_top_n = static_cast<int>(m.value.as_int());
    } else {
      return KeyError(source,
                      "unknown key \"schedule." + m.key + "\" (want exploration, fairness, seed, fairnessK, fairnessTop)",
                      m);
    }
  }
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& EngineConfigSections() {
  static const std::vector<std::string> kSections = {"checks", "customChecks", "kfixRules", "policies", "scan",
                                                     "fix",    "risk",         "schedule",  "propose", "limits"};
  return kSections;
}

Result<EngineConfig> EngineConfigFromValue(const Value& document, std::string_view source_name) {
  const std::string source = source_name.empty() ? std::string("config") : std::string(source_name);
  EngineConfig config;
  config.source = source;
  config.rules.source = source;
  if (document.is_null()) return config;
  if (!document.is_object()) return ValueError(source, "the configuration must be a mapping", document);
  // kfix's sections are read here; kube-linter's keys go to the rules layer
  // as a tree that keeps the caller's positions.
  Value linter = Value::MakeObject();
  for (const Member& m : document.as_object()) {
    if (m.key == "scan") {
      KFIX_RETURN_IF_ERROR(ParseScanSection(source, m.value, &config.scan));
    } else if (m.key == "schedule") {
      KFIX_RETURN_IF_ERROR(ParseScheduleSection(source, m.value, &config.schedule));
    } else if (m.key == "limits") {
      KFIX_RETURN_IF_ERROR(ParseLimitsSection(source, m.value, &config));
    } else if (m.key == "risk") {
      KFIX_RETURN_IF_ERROR(ParseRiskSection(source, m.value, &config.feeds, &config.risk));
    } else if (m.key == "fix") {
      if (m.value.is_null()) continue;
      if (!m.value.is_object()) return ValueError(source, "\"fix\" must be a mapping", m.value);
      Result<FixConfig> fix = FixConfigFromValue(m.value, source);
      if (!fix.ok()) return fix.status();
      config.fix = std::move(*fix);
    } else if (m.key == "propose") {
      Result<ProposeConfig> propose = ProposeConfigFromValue(m.value, source);
      if (!propose.ok()) return propose.status();
      config.propose = std::move(*propose);
    } else if (m.key == "checks" || m.key == "customChecks" || m.key == "kfixRules" || m.key == "policies") {
      linter.as_object().push_back(m);
    } else {
      return KeyError(source, "unknown configuration key \"" + m.key + "\" (valid sections: " + SectionList() + ")",
                      m);
    }
  }
  Result<RulesConfig> rules = RulesConfigFromValue(std::move(linter), source);
  if (!rules.ok()) return rules.status();
  config.rules = std::move(*rules);
  return config;
}

Result<EngineConfig> ParseEngineConfig(std::string_view text, std::string_view source_name) {
  const std::string source = source_name.empty() ? std::string("config") : std::string(source_name);
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return EngineConfigFromValue(Value(), source);
  Result<Value> doc = text[first] == '{' ? ParseJson(text) : ParseYaml(text);
  if (!doc.ok()) {
    Status s = doc.status();
    s.mutable_location().file = source;
    return Status(s.code(), "configuration: " + s.message(), s.location());
  }
  return EngineConfigFromValue(*doc, source);
}

Result<EngineConfig> LoadEngineConfig(const std::string& path) {
  std::string file = path;
  if (file.empty()) {
    std::error_code ec;
    for (const char* candidate : {".kube-linter.yaml", ".kube-linter.yml"}) {
      if (std::filesystem::is_regular_file(candidate, ec)) {
        file = candidate;
        break;
      }
    }
    if (file.empty()) return EngineConfig{};
  }
  Result<std::string> text = ReadFileToString(file);
  if (!text.ok()) return text.status();
  return ParseEngineConfig(*text, file);
}

}  // namespace kfix
