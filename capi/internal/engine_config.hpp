// capi/internal/engine_config.hpp - the engine configuration shared by the C
// ABI (kfix_engine_new) and the Python module (kfix.Engine).
//
// Configuration is one JSON object, a superset of kube-linter's
// .kube-linter.yaml (as JSON); every member is optional:
//   {
//     "checks":       { "include": [...], "exclude": [...], "addAllBuiltIn": true,
//                       "doNotAutoAddDefaults": false, "ignorePaths": [...] },
//     "customChecks": [ ...kube-linter custom checks... ],
//     "scan":         { "context": "all" | "per-file", "jobs": 1 },
//     "risk":         { "epss": "epss.csv.gz", "kev": "kev.json", "trivy": ["r.json"],
//                       "attack": false },
//     "schedule":     { "exploration": "ucb" | "thompson" | "none", "fairness": "none" | "cap" |
//                       "round-robin", "seed": 0, "fairnessK": 1, "fairnessTop": 10 },
//     "fix":          { ...remediation FixConfig (profile, requests, limits, ...) }
//   }
// "scan", "risk" and "fix" are kfix's (risk feeds are loaded once, here); everything else goes to ParseRulesConfig(),
// which rejects unknown members with their line.
//
// Thread safety: EngineSpec is immutable after BuildEngine(); share it with
// std::shared_ptr<const EngineSpec>.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/guard.hpp"
#include "kfix/pipeline.hpp"
#include "kfix/remediate.hpp"
#include "kfix/risk.hpp"
#include "kfix/schedule.hpp"
#include "kfix/rules.hpp"
#include "kfix/status.hpp"

namespace kfix::capi {

/// Everything an engine handle holds.
struct EngineSpec {
  std::shared_ptr<const RuleSet> rules;
  ScanOptions scan;
  std::shared_ptr<const LoadedFeeds> feeds;  ///< never null (empty feeds by default)
  std::shared_ptr<const RiskScorer> scorer;  ///< points into *feeds
  FixConfig fix;
  SchedulerConfig schedule;
};

/// Scans, scores and ranks every finding with the engine's scheduler (a
/// batch at one instant): {schemaVersion, items: [{rank, score, R, p, Et,
/// explore, waitHours, kev, check, file, line, namespace, kind, name}],
/// errors} - the `kfix schedule rank` document plus load errors.
Value ScheduleValue(const EngineSpec& engine, std::string_view text, std::string_view source_name);

/// Loads `text` as one lint context and fixes it: the `kfix fix --format
/// json` document (load errors included in "errors").
std::string FixJson(const EngineSpec& engine, std::string_view text, std::string_view source_name);

/// The pipeline options of an engine (kfix/pipeline.hpp): its fix,
/// scheduler and risk configuration, its preloaded feeds (`loaded_feeds`, so
/// no feed file is read again) and `now`; `jobs` from the engine's scan
/// options (0 = 1).
PipelineOptions EnginePipelineOptions(const EngineSpec& engine, double now);

/// Loads `text` as one lint context and runs the whole loop
/// (RunPipelineOnObjects: scan, fix, guard, risk, schedule) with the engine's
/// rules and EnginePipelineOptions(). Documents that cannot be read are data,
/// as in kfix_scan: they land in `fix.errors`, `fix.scan.errors` (findings
/// document) and `summary.errors`, never in the returned status; the input
/// counts as one file. Errors: only what RunPipelineOnObjects returns.
Result<PipelineResult> RunPipelineText(const EngineSpec& engine, std::string_view text,
                                       std::string_view source_name, double now);

/// RunPipeline() over files and directories with the engine's settings and
/// `jobs` threads (< 1 = 1). Errors: a PATH that does not exist (kNotFound /
/// kIoError), an empty `paths` (kInvalidArgument).
Result<PipelineResult> RunPipelinePaths(const EngineSpec& engine, const std::vector<std::string>& paths, double now,
                                        int jobs);

/// The `kfix_run` document: {"schemaVersion": 1, "findings", "fixes",
/// "risk", "schedule", "summary"}, each member the document
/// Pipeline*ToValue() renders (what `kfix run --out` writes to
/// <member>.json).
Value PipelineRunValue(const PipelineResult& r);

/// Vets an external patch (RFC 6902 JSON, or text with one) against the first
/// object of `manifest` through every guard gate: the Verdict JSON
/// ({schemaVersion, accepted, reason, patch, gates, newFindings}). A rejected
/// patch is a result; unreadable manifests (kParseError) and manifests
/// without an object (kNotFound) are errors.
Result<std::string> VerifyPatchJson(const EngineSpec& engine, std::string_view manifest, std::string_view patch);

/// Scans `text` and scores every finding: the `kfix risk --format json`
/// document ({schemaVersion, results, errors, feeds}).
Value RiskScoreValue(const EngineSpec& engine, std::string_view text, std::string_view source_name);

/// `kfix audit verify --json` shape for an in-memory log.
struct AuditVerifyRequest {
  std::vector<std::string> public_keys_hex;
  bool require_receipts = false;
  std::int64_t anchor_seq = 0;
  std::string anchor_hash;
};
/// Parses {"publicKeys": [hex], "requireReceipts": bool, "anchorSeq": n, "anchorHash": hex}.
Result<AuditVerifyRequest> ParseAuditVerifyOptions(const Value& options);
/// Verifies `contents`; {intact, reason, line, message, linesVerified, lastSeq, lastHash}.
Result<Value> AuditVerifyValue(std::string_view contents, const AuditVerifyRequest& request);

/// Signs the audit-canonical form of `payload` with the Ed25519 key whose
/// 32-byte seed is `seed_hex`; returns the receipt's canonical JSON.
Result<std::string> ReceiptSignJson(std::string_view seed_hex, const Value& payload);
/// OK when `receipt_json` is a valid receipt of `payload` by `public_key_hex`.
Status ReceiptVerify(std::string_view receipt_json, const Value& payload, std::string_view public_key_hex);

/// Builds an engine from a configuration value (null = defaults).
Result<std::shared_ptr<const EngineSpec>> BuildEngine(const Value& config);
/// Same, from JSON text (empty text = defaults).
Result<std::shared_ptr<const EngineSpec>> BuildEngine(std::string_view config_json);

}  // namespace kfix::capi
