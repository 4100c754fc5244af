// The C ABI's and Python's calls into kfix::Engine (see internal/engine_config.hpp).
#include "internal/engine_config.hpp"

#include <string>
#include <utility>
#include <vector>

namespace kfix::capi {
namespace {

Result<std::shared_ptr<const EngineSpec>> Wrap(Result<Engine> engine) {
  if (!engine.ok()) return engine.status();
  return std::shared_ptr<const EngineSpec>(std::make_shared<const EngineSpec>(std::move(*engine)));
}

}  // namespace

Result<std::shared_ptr<const EngineSpec>> BuildEngine(const Value& config) {
  Result<EngineConfig> parsed = EngineConfigFromValue(config, "config");
  if (!parsed.ok()) return parsed.status();
  return Wrap(Engine::Create(std::move(*parsed)));
}

Result<std::shared_ptr<const EngineSpec>> BuildEngine(std::string_view config_text) {
  return Wrap(Engine::FromText(config_text, "config"));
}

Value RiskScoreValue(const EngineSpec& e, std::string_view text, std::string_view source_name) {
  return RiskReportToValue(e.engine.ScoreText(text, source_name), *e.engine.feeds());
}

Value ScheduleValue(const EngineSpec& e, std::string_view text, std::string_view source_name) {
  return ScheduleReportToValue(e.engine.Rank(e.engine.ScoreText(text, source_name)));
}

std::string FixJson(const EngineSpec& e, std::string_view text, std::string_view source_name) {
  return FixReportToJson(e.engine.FixText(text, source_name), /*pretty=*/false);
}

Result<PipelineResult> RunPipelineText(const EngineSpec& e, std::string_view text, std::string_view source_name,
                                       double now) {
  CallOptions options;
  options.now = now;
  return e.engine.RunText(text, source_name, options);
}

Result<PipelineResult> RunPipelinePaths(const EngineSpec& e, const std::vector<std::string>& paths, double now,
                                        int jobs) {
  CallOptions options;
  options.now = now;
  options.jobs = jobs > 0 ? jobs : 1;
  return e.engine.Run(paths, options);
}

Value PipelineRunValue(const PipelineResult& r) { return PipelineRunToValue(r); }

Result<std::string> VerifyPatchJson(const EngineSpec& e, std::string_view manifest, std::string_view patch) {
  Result<Verdict> verdict = e.engine.Verify(e.engine.LoadText(manifest, "manifest"), patch);
  if (!verdict.ok()) return verdict.status();
  return ToJson(VerdictToValue(*verdict));
}

Result<AuditVerifyRequest> ParseAuditVerifyOptions(const Value& options) { return AuditVerifyOptionsFromValue(options); }

Result<Value> AuditVerifyValue(std::string_view contents, const AuditVerifyRequest& request) {
  return AuditVerifyReportToValue(VerifyAuditLog(contents, request));
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
