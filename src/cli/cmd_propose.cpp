// kfix propose: the fix pipeline with a chosen proposer (rules, or an
// OpenAI-compatible model with the rules as fallback); every patch passes the
// same gates and rescan. Prints the `kfix fix --format json` document with
// each result's proposer, attempts and gate verdicts, and per-proposer
// metrics in the summary. docs/propose.md.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "cli/http_curl.hpp"
#include "kfix/engine.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix propose --mode rules|openai [--endpoint URL] [--model NAME] [--api-key-env VAR] "
    "[--max-attempts N] [--jobs N] [--config FILE] PATH...\n"
    "\n"
    "Proposes a fix for every finding with the chosen proposer and vets each one through the nine gates and the\n"
    "rescan, exactly like kfix fix. Prints the kfix fix --format json document; each result has `proposer`\n"
    "(rules or llm), `attempts` and `attemptLog` (every vetted answer: gate, detail, tokens, latency), and the\n"
    "summary has `proposers` (per-proposer accepted, refused by gate, median ops, latency, tokens).\n"
    "\n"
    "  --mode rules|openai   rules: kfix's generators; openai: an OpenAI-compatible chat-completions endpoint,\n"
    "                        refused answers are retried with the gate's reason, then the rules are the fallback\n"
    "                        (default: the configuration's propose.mode, else rules)\n"
    "  --endpoint URL        base URL (http:// or https://); /v1/chat/completions is appended unless present\n"
    "  --model NAME          model name sent with every request\n"
    "  --api-key-env VAR     the environment variable holding the API key (default OPENAI_API_KEY; \"\" sends no\n"
    "                        key). Keys are never taken from the command line and never printed.\n"
    "  --max-attempts N      model answers per finding, 1..20 (default 3)\n"
    "  --jobs N              worker threads, 1..256 (requests in flight are capped by propose.concurrency)\n"
    "  --config FILE         the configuration document; its `propose:` section sets timeoutSeconds, retries,\n"
    "                        backoffSeconds, concurrency, maxRequests, maxTokens, fallback, ... (docs/propose.md)\n"
    "\n"
    "Manifests are redacted before anything is sent: secret-looking env values, Secret data/stringData and\n"
    "token-like strings become <redacted:N>. Exit status: 0, or 1 on bad arguments, configuration, a missing key\n"
    "variable, or files that could not be read.";

int RunPropose(const std::vector<std::string>& raw) {
  const std::string cmd = "propose";
  kfix::cli::Args a(raw, {"mode", "endpoint", "model", "api-key-env", "max-attempts", "jobs", "config"}, {});
  if (!a.ok()) return kfix::cli::UsageError(cmd, a.error() + "\n" + kUsage);
  if (a.positionals().empty()) return kfix::cli::UsageError(cmd, std::string("no PATH given\n") + kUsage);
  kfix::CallOptions call;
  if (a.Has("jobs")) {
    long long n = 0;
    if (!kfix::cli::ParseIntFlag(a.Get("jobs"), 1, 256, &n)) {
      return kfix::cli::UsageError(cmd, "--jobs must be an integer in 1..256");
    }
    call.jobs = static_cast<int>(n);
  }
  kfix::EngineConfig config;
  if (!kfix::cli::LoadConfigFlag(cmd, a, &config)) return kfix::cli::kExitError;
  kfix::ProposeConfig& p = config.propose;
  if (a.Has("mode")) {
    kfix::Result<kfix::ProposeMode> mode = kfix::ParseProposeMode(a.Get("mode"));
    if (!mode.ok()) return kfix::cli::UsageError(cmd, "--mode must be rules or openai");
    p.mode = *mode;
  }
  if (a.Has("endpoint")) p.endpoint = a.Get("endpoint");
  if (a.Has("model")) p.model = a.Get("model");
  if (a.Has("api-key-env")) p.api_key_env = a.Get("api-key-env");
  if (a.Has("max-attempts")) {
    long long n = 0;
    if (!kfix::cli::ParseIntFlag(a.Get("max-attempts"), 1, 20, &n)) {
      return kfix::cli::UsageError(cmd, "--max-attempts must be an integer in 1..20");
    }
    p.max_attempts = static_cast<int>(n);
  }
  if (kfix::Status s = kfix::ValidateProposeConfig(p); !s.ok()) return kfix::cli::UsageError(cmd, s.message());
  std::unique_ptr<kfix::Engine> engine;
  if (!kfix::cli::CreateEngine(cmd, std::move(config), &engine)) return kfix::cli::kExitError;
  kfix::ProposeBackend backend;
  backend.http = kfix::cli::CurlPost;
  kfix::Result<kfix::FixReport> report = engine->ProposePaths(a.positionals(), backend, call);
  if (!report.ok()) return kfix::cli::Fail(cmd, report.status());
  for (const kfix::Status& e : report->errors) std::fprintf(stderr, "kfix propose: %s\n", e.ToString().c_str());
  std::string j = kfix::FixReportToJson(*report, true);
  std::fwrite(j.data(), 1, j.size(), stdout);
  return report->errors.empty() ? kfix::cli::kExitOk : kfix::cli::kExitError;
}

}  // namespace

KFIX_CLI_COMMAND("propose", "propose fixes with rules or an OpenAI-compatible model, every patch vetted by the gates",
                 kUsage, RunPropose);
