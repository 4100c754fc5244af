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
//     "fix":          { ...remediation FixConfig (profile, requests, limits, ...) }
//   }
// "scan" and "fix" are kfix's; everything else goes to ParseRulesConfig(),
// which rejects unknown members with their line.
//
// Thread safety: EngineSpec is immutable after BuildEngine(); share it with
// std::shared_ptr<const EngineSpec>.
#pragma once

#include <memory>
#include <string_view>

#include "kfix/core.hpp"
#include "kfix/rules.hpp"
#include "kfix/status.hpp"

namespace kfix::capi {

/// Everything an engine handle holds.
struct EngineSpec {
  std::shared_ptr<const RuleSet> rules;
  ScanOptions scan;
};

/// Builds an engine from a configuration value (null = defaults).
Result<std::shared_ptr<const EngineSpec>> BuildEngine(const Value& config);
/// Same, from JSON text (empty text = defaults).
Result<std::shared_ptr<const EngineSpec>> BuildEngine(std::string_view config_json);

}  // namespace kfix::capi
