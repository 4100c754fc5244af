// Engine configuration (see internal/engine_config.hpp).
#include "internal/engine_config.hpp"

#include <string>
#include <utility>
#include <vector>

#include "kfix/audit.hpp"

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

Status ParseRiskSection(const Value& risk, RiskFeedFiles* files, RiskConfig* config) {
  if (!risk.is_object()) return ConfigError("\"risk\" must be an object", &risk);
  for (const Member& m : risk.as_object()) {
    if (m.key == "epss" || m.key == "kev") {
      if (!m.value.is_string()) return ConfigError("\"risk." + m.key + "\" must be a file name", &m.value);
      (m.key == "epss" ? files->epss : files->kev) = m.value.as_string();
    } else if (m.key == "trivy") {
      if (!m.value.is_array()) return ConfigError("\"risk.trivy\" must be an array of file names", &m.value);
      for (const Value& f : m.value.as_array()) {
        if (!f.is_string()) return ConfigError("\"risk.trivy\" must be an array of file names", &f);
        files->trivy.push_back(f.as_string());
      }
    } else if (m.key == "attack") {
      if (!m.value.is_bool()) return ConfigError("\"risk.attack\" must be a boolean", &m.value);
      config->attack_enabled = m.value.as_bool();
    } else {
      return ConfigError("unknown member \"risk." + m.key + "\"", &m.value);
    }
  }
  return Status::Ok();
}

Status ParseScheduleSection(const Value& v, SchedulerConfig* out) {
  if (!v.is_object()) return ConfigError("\"schedule\" must be an object", &v);
  for (const Member& m : v.as_object()) {
    if (m.key == "exploration" || m.key == "fairness") {
      if (!m.value.is_string()) return ConfigError("\"schedule." + m.key + "\" must be a string", &m.value);
      if (m.key == "exploration") {
        Result<Exploration> e = ParseExploration(m.value.as_string());
        if (!e.ok()) return ConfigError(e.status().message(), &m.value);
        out->exploration = *e;
      } else {
        Result<Fairness> f = ParseFairness(m.value.as_string());
        if (!f.ok()) return ConfigError(f.status().message(), &m.value);
        out->fairness = *f;
      }
    } else if (m.key == "seed" || m.key == "fairnessK" || m.key == "fairnessTop") {
      std::int64_t min = m.key == "seed" ? 0 : 1;
      if (!m.value.is_int() || m.value.as_int() < min || m.value.as_int() > (1LL << 31) - 1) {
        return ConfigError("\"schedule." + m.key + "\" must be an integer >= " + std::to_string(min), &m.value);
      }
      if (m.key == "seed") out->seed = static_cast<std::uint64_t>(m.value.as_int());
      if (m.key == "fairnessK") out->fairness_k = static_cast<int>(m.value.as_int());
      if (m.key == "fairnessTop") out->fairness_top_n = static_cast<int>(m.value.as_int());
    } else {
      return ConfigError("unknown member \"schedule." + m.key + "\"", &m.value);
    }
  }
  return Status::Ok();
}

RiskReport ScoreText(const EngineSpec& engine, std::string_view text, std::string_view source_name) {
  LoadResult loaded = LoadManifests(text, source_name);
  ScanReport scan = engine.rules->Scan(loaded.manifests, engine.scan);
  RiskReport report;
  report.results = ScoreFindings(*engine.scorer, scan.findings, loaded.manifests);
  report.errors = std::move(loaded.errors);
  report.files = 1;
  report.objects = static_cast<std::int64_t>(loaded.manifests.size());
  return report;
}

}  // namespace

Result<std::shared_ptr<const EngineSpec>> BuildEngine(const Value& config) {
  auto spec = std::make_shared<EngineSpec>();
  RulesConfig rules_config;
  RiskFeedFiles feed_files;
  RiskConfig risk_config;
  if (!config.is_null()) {
    if (!config.is_object()) return ConfigError("configuration must be a JSON object", &config);
    // kfix's own sections are taken out; the rest is a .kube-linter.yaml
    // document (checks, customChecks, ...) and goes to the rules layer, which
    // validates it (JSON is YAML).
    Value linter = Value::MakeObject();
    for (const Member& m : config.as_object()) {
      if (m.key == "scan") {
        KFIX_RETURN_IF_ERROR(ParseScanSection(m.value, &spec->scan));
      } else if (m.key == "schedule") {
        KFIX_RETURN_IF_ERROR(ParseScheduleSection(m.value, &spec->schedule));
      } else if (m.key == "risk") {
        KFIX_RETURN_IF_ERROR(ParseRiskSection(m.value, &feed_files, &risk_config));
      } else if (m.key == "fix") {
        if (!m.value.is_object()) return ConfigError("\"fix\" must be an object", &m.value);
        Result<FixConfig> fix = FixConfigFromValue(m.value, "config.fix");
        if (!fix.ok()) return fix.status();
        spec->fix = std::move(*fix);
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
  Result<LoadedFeeds> feeds = LoadRiskFeeds(feed_files);
  if (!feeds.ok()) return feeds.status();
  auto loaded = std::make_shared<const LoadedFeeds>(std::move(*feeds));
  spec->scorer = std::make_shared<const RiskScorer>(std::move(risk_config), loaded->View());
  spec->feeds = std::move(loaded);
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

Value RiskScoreValue(const EngineSpec& engine, std::string_view text, std::string_view source_name) {
  Value v = RiskReportToValue(ScoreText(engine, text, source_name));
  v.Set("feeds", engine.feeds->ToValue());
  return v;
}

Value ScheduleValue(const EngineSpec& engine, std::string_view text, std::string_view source_name) {
  RiskReport report = ScoreText(engine, text, source_name);
  // A batch scheduled at one instant, as `kfix schedule rank` does.
  std::vector<ScheduleItem> items = ScheduleItemsFromFindings(report.results, 0.0);
  Scheduler scheduler(engine.schedule);
  std::vector<ScoredItem> ranked = scheduler.Rank(items, 0.0);
  // NOTE(surfaces): mirrors src/cli/cmd_schedule.cpp (rank); a layer-level
  // RankToValue would let both share one serialiser.
  Value list = Value::MakeArray();
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    const ScoredItem& s = ranked[i];
    const ScoredFinding& f = report.results[std::stoull(s.item.id)];
    Value v = Value::MakeObject();
    v.Set("rank", static_cast<std::int64_t>(i + 1));
    v.Set("score", s.score);
    v.Set("R", s.item.risk);
    v.Set("p", s.p);
    v.Set("Et", s.expected_seconds);
    v.Set("explore", s.explore);
    v.Set("waitHours", s.wait_hours);
    v.Set("kev", s.item.kev);
    v.Set("check", f.finding.check);
    v.Set("file", f.finding.file);
    v.Set("line", f.finding.line);
    v.Set("namespace", f.finding.object.namespace_);
    v.Set("kind", f.finding.object.kind);
    v.Set("name", f.finding.object.name);
    list.PushBack(std::move(v));
  }
  Value out = Value::MakeObject();
  out.Set("schemaVersion", 1);
  out.Set("items", std::move(list));
  Value errors = Value::MakeArray();
  for (const Status& e : report.errors) {
    Value ev = Value::MakeObject();
    ev.Set("code", StatusCodeName(e.code()));
    ev.Set("message", e.ToString());
    errors.PushBack(std::move(ev));
  }
  out.Set("errors", std::move(errors));
  return out;
}

std::string FixJson(const EngineSpec& engine, std::string_view text, std::string_view source_name) {
  LoadResult loaded = LoadManifests(text, source_name);
  FixOptions options;
  options.jobs = engine.scan.jobs > 0 ? engine.scan.jobs : 1;
  FixReport report = FixObjects(std::move(loaded.manifests), engine.rules, engine.fix, options);
  report.errors.insert(report.errors.begin(), loaded.errors.begin(), loaded.errors.end());
  return FixReportToJson(report, /*pretty=*/false);
}

PipelineOptions EnginePipelineOptions(const EngineSpec& engine, double now) {
  PipelineOptions options;
  options.fix = engine.fix;
  options.risk = engine.scorer->config();
  options.loaded_feeds = engine.feeds;
  options.scheduler = engine.schedule;
  options.now = now;
  options.jobs = engine.scan.jobs > 0 ? engine.scan.jobs : 1;
  return options;
}

Result<PipelineResult> RunPipelineText(const EngineSpec& engine, std::string_view text,
                                       std::string_view source_name, double now) {
  LoadResult loaded = LoadManifests(text, source_name);
  Result<PipelineResult> run =
      RunPipelineOnObjects(std::move(loaded.manifests), engine.rules, EnginePipelineOptions(engine, now));
  if (!run.ok()) return run;
  // Load errors are data, as in RuleSet::ScanText (findings) and FixJson
  // (fixes); the summary counts them. The text is one file.
  PipelineResult& r = *run;
  r.fix.errors.insert(r.fix.errors.begin(), loaded.errors.begin(), loaded.errors.end());
  r.fix.scan.errors.insert(r.fix.scan.errors.begin(), loaded.errors.begin(), loaded.errors.end());
  r.fix.scan.warnings.insert(r.fix.scan.warnings.begin(), loaded.warnings.begin(), loaded.warnings.end());
  r.fix.scan.stats.files = 1;
  r.summary.files = 1;
  r.summary.errors = static_cast<std::int64_t>(r.fix.scan.errors.size());
  r.summary.warnings = static_cast<std::int64_t>(r.fix.scan.warnings.size());
  return run;
}

Result<PipelineResult> RunPipelinePaths(const EngineSpec& engine, const std::vector<std::string>& paths, double now,
                                        int jobs) {
  PipelineOptions options = EnginePipelineOptions(engine, now);
  options.jobs = jobs > 0 ? jobs : 1;
  return RunPipeline(paths, engine.rules, options);
}

Value PipelineRunValue(const PipelineResult& r) {
  Value v = Value::MakeObject();
  v.Set("schemaVersion", 1);
  v.Set("findings", PipelineFindingsToValue(r));
  v.Set("fixes", PipelineFixesToValue(r));
  v.Set("risk", PipelineRiskToValue(r));
  v.Set("schedule", PipelineScheduleToValue(r));
  v.Set("summary", PipelineSummaryToValue(r));
  return v;
}

Result<std::string> VerifyPatchJson(const EngineSpec& engine, std::string_view manifest, std::string_view patch) {
  LoadResult loaded = LoadManifests(manifest, "manifest");
  if (!loaded.errors.empty()) return loaded.errors.front();
  if (loaded.manifests.empty()) return NotFoundError("the manifest contains no object to patch");
  Result<std::unique_ptr<Guard>> guard = Guard::Create(engine.rules, engine.fix, std::move(loaded.manifests));
  if (!guard.ok()) return guard.status();
  Verdict verdict = (*guard)->VetText(0, patch);
  return ToJson(VerdictToValue(verdict));
}

Result<AuditVerifyRequest> ParseAuditVerifyOptions(const Value& options) {
  AuditVerifyRequest r;
  if (options.is_null()) return r;
  if (!options.is_object()) return ConfigError("audit verify options must be a JSON object", &options);
  for (const Member& m : options.as_object()) {
    if (m.key == "publicKeys") {
      if (!m.value.is_array()) return ConfigError("\"publicKeys\" must be an array of hex keys", &m.value);
      for (const Value& k : m.value.as_array()) {
        if (!k.is_string()) return ConfigError("\"publicKeys\" must be an array of hex keys", &k);
        r.public_keys_hex.push_back(k.as_string());
      }
    } else if (m.key == "requireReceipts") {
      if (!m.value.is_bool()) return ConfigError("\"requireReceipts\" must be a boolean", &m.value);
      r.require_receipts = m.value.as_bool();
    } else if (m.key == "anchorSeq") {
      if (!m.value.is_int() || m.value.as_int() < 0) return ConfigError("\"anchorSeq\" must be >= 0", &m.value);
      r.anchor_seq = m.value.as_int();
    } else if (m.key == "anchorHash") {
      if (!m.value.is_string()) return ConfigError("\"anchorHash\" must be a string", &m.value);
      r.anchor_hash = m.value.as_string();
    } else {
      return ConfigError("unknown audit verify option \"" + m.key + "\"", &m.value);
    }
  }
  return r;
}

Result<Value> AuditVerifyValue(std::string_view contents, const AuditVerifyRequest& request) {
  AuditVerifyOptions opts;
  for (const std::string& hex : request.public_keys_hex) {
    Result<PublicKey> key = PublicKey::FromHex(hex);
    if (!key.ok()) return key.status();
    opts.keys.Add(*key);
  }
  opts.require_receipts = request.require_receipts;
  opts.anchor_seq = request.anchor_seq;
  opts.anchor_hash = request.anchor_hash;
  AuditVerifyReport r = VerifyAuditLog(contents, opts);
  // The `kfix audit verify --json` document (without "file").
  Value v = Value::MakeObject();
  v.Set("schemaVersion", 1);
  v.Set("intact", r.ok());
  v.Set("reason", AuditLogFailureName(r.failure));
  v.Set("line", r.line);
  v.Set("message", r.message);
  v.Set("linesVerified", r.lines_verified);
  v.Set("lastSeq", r.last_seq);
  v.Set("lastHash", r.last_hash);
  return v;
}

Result<std::string> ReceiptSignJson(std::string_view seed_hex, const Value& payload) {
  Result<SigningKey> key = SigningKey::FromSeedHex(seed_hex);
  if (!key.ok()) return key.status();
  return Sign(*key, payload).ToJson();
}

Status ReceiptVerify(std::string_view receipt_json, const Value& payload, std::string_view public_key_hex) {
  Result<PublicKey> key = PublicKey::FromHex(public_key_hex);
  if (!key.ok()) return key.status();
  KeyRing ring;
  ring.Add(*key);
  return VerifyJson(receipt_json, payload, ring).status;
}

}  // namespace kfix::capi
