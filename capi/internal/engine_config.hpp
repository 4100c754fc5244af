// capi/internal/engine_config.hpp - the C ABI's and the Python module's view
// of kfix::Engine (kfix/engine.hpp). Every function here is a one-line call
// into the engine; the configuration schema, the text entry points and the
// documents live in the engine (src/engine/), not here.
//
// Thread safety: EngineSpec is immutable after BuildEngine(); share it with
// std::shared_ptr<const EngineSpec>.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/engine.hpp"

namespace kfix::capi {

/// What an engine handle holds: the engine, and shortcuts into it.
struct EngineSpec {
  explicit EngineSpec(Engine e) : engine(std::move(e)), rules(engine.rules()), scan(engine.config().scan) {}
  Engine engine;
  std::shared_ptr<const RuleSet> rules;  ///< engine.rules()
  ScanOptions scan;                      ///< engine.config().scan
};

/// Engine::Rank(ScoreText) as the `kfix schedule rank` document.
Value ScheduleValue(const EngineSpec& engine, std::string_view text, std::string_view source_name);
/// Engine::FixText as the `kfix fix --format json` document (compact).
std::string FixJson(const EngineSpec& engine, std::string_view text, std::string_view source_name);
/// Engine::RunText.
Result<PipelineResult> RunPipelineText(const EngineSpec& engine, std::string_view text,
                                       std::string_view source_name, double now);
/// Engine::Run over paths with `jobs` threads (< 1 = 1).
Result<PipelineResult> RunPipelinePaths(const EngineSpec& engine, const std::vector<std::string>& paths, double now,
                                        int jobs);
/// PipelineRunToValue.
Value PipelineRunValue(const PipelineResult& r);
/// Engine::Verify of `patch` against document 0 of `manifest`: the Verdict JSON.
Result<std::string> VerifyPatchJson(const EngineSpec& engine, std::string_view manifest, std::string_view patch);
/// Engine::ScoreText as the `kfix risk --format json` document (with feeds).
Value RiskScoreValue(const EngineSpec& engine, std::string_view text, std::string_view source_name);

/// Audit verification options (AuditVerifyOptionsFromValue).
using AuditVerifyRequest = AuditVerifyOptions;
Result<AuditVerifyRequest> ParseAuditVerifyOptions(const Value& options);
/// VerifyAuditLog as the `kfix audit verify --json` document.
Result<Value> AuditVerifyValue(std::string_view contents, const AuditVerifyRequest& request);

/// Signs the audit-canonical form of `payload` with the Ed25519 key whose
/// 32-byte seed is `seed_hex`; returns the receipt's canonical JSON.
Result<std::string> ReceiptSignJson(std::string_view seed_hex, const Value& payload);
/// OK when `receipt_json` is a valid receipt of `payload` by `public_key_hex`.
Status ReceiptVerify(std::string_view receipt_json, const Value& payload, std::string_view public_key_hex);

/// Builds an engine from a configuration value (null = defaults).
Result<std::shared_ptr<const EngineSpec>> BuildEngine(const Value& config);
/// Same from the configuration text (JSON or YAML; empty = defaults); errors
/// name "config" with the text's own line and column.
Result<std::shared_ptr<const EngineSpec>> BuildEngine(std::string_view config_text);

}  // namespace kfix::capi
