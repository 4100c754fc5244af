// --config FILE: every command that scans, fixes, scores or schedules builds
// the one kfix::Engine from the one configuration document (kfix/engine.hpp).
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.hpp"
#include "kfix/engine.hpp"

namespace kfix::cli {

bool LoadConfigFlag(const std::string& cmd, const Args& a, EngineConfig* out) {
  Result<EngineConfig> config = LoadEngineConfig(a.Get("config"));
  if (!config.ok()) {
    Fail(cmd, config.status());
    return false;
  }
  *out = std::move(*config);
  return true;
}

bool ContextFlag(const std::string& cmd, const Args& a, EngineConfig* out) {
  if (!a.Has("context")) return true;
  const std::string context = a.Get("context");
  if (context == "per-file") {
    out->scan.context = LintContext::kPerFile;
  } else if (context == "all") {
    out->scan.context = LintContext::kAll;
  } else {
    UsageError(cmd, "unknown --context " + context + " (want all or per-file)");
    return false;
  }
  return true;
}

bool CreateEngine(const std::string& cmd, EngineConfig config, std::unique_ptr<Engine>* out) {
  Result<Engine> engine = Engine::Create(std::move(config));
  if (!engine.ok()) {
    Fail(cmd, engine.status());
    return false;
  }
  *out = std::make_unique<Engine>(std::move(*engine));
  return true;
}

bool WriteStdout(std::string_view piece) { return std::fwrite(piece.data(), 1, piece.size(), stdout) == piece.size(); }

int Fail(const std::string& cmd, const Status& status) { return UsageError(cmd, status.ToString()); }

bool ParseIntFlag(const std::string& text, long long lo, long long hi, long long* out) {
  try {
    std::size_t used = 0;
    *out = std::stoll(text, &used);
    return used == text.size() && *out >= lo && *out <= hi;
  } catch (...) {
    return false;
  }
}

bool ParseNumberFlag(const std::string& text, double* out) {
  try {
    std::size_t used = 0;
    *out = std::stod(text, &used);
    return used == text.size();
  } catch (...) {
    return false;
  }
}

}  // namespace kfix::cli
