// kfix/propose.hpp - model-backed proposers (LLM arm): the prompt for one
// finding, secret redaction, the OpenAI-compatible chat-completions wire
// format and client policy (retries, back-off, concurrency, budget), and the
// retry loop that vets every model answer through the guard's gates.
//
// Nothing here opens a socket. The network is a callback the caller injects:
//   * ModelTransport: one chat request -> the reply text (or a Status), for
//     tests and for callers that already have a client;
//   * HttpPost: one HTTP POST -> status and body; MakeOpenAITransport() turns
//     it into a ModelTransport with the whole client policy (URL, headers,
//     JSON body, response parsing, retries with back-off on 429 / 5xx /
//     transport errors, a concurrency limit and a per-run request and token
//     budget). The `kfix` CLI passes a libcurl POST, Python a urllib one.
//
// What leaves the process is redacted first (Redactor): values of env vars
// whose names look secret, every value of a Secret's data / stringData, and
// token-like strings anywhere in the object become `<redacted:N>`. The map
// back to the values stays in memory; a model patch that copies a
// placeholder gets the value back before it is vetted, and a request that
// would still carry a secret value is never sent (kPermissionDenied).
//
// Nothing from the model is trusted: its answer is extracted (ExtractPatch)
// and vetted by the same nine gates and rescan as a rules patch (the fix
// pipeline, kfix/pipeline.hpp; Engine::Propose in kfix/engine.hpp). A refused
// answer is retried with the refusing gate and its reason, up to
// ProposeConfig::max_attempts; then the deterministic rules proposal is the
// fallback (unless disabled). docs/propose.md.
//
// Thread safety: every function is reentrant; a transport built by
// MakeOpenAITransport may be called from any number of threads at once (its
// budget and concurrency limit are shared by all of them).
//
// Example:
//   kfix::ProposeConfig config;
//   config.mode = kfix::ProposeMode::kOpenAI;
//   config.endpoint = "http://127.0.0.1:8000";
//   config.model = "my-model";
//   auto transport = kfix::MakeOpenAITransport(config, my_http_post);
//   if (!transport.ok()) return transport.status();   // e.g. the key variable is unset
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/guard.hpp"
#include "kfix/rules.hpp"
#include "kfix/status.hpp"

namespace kfix {

// ---------------------------------------------------------------------------
// Configuration (the `propose:` section of the configuration document)
// ---------------------------------------------------------------------------

enum class ProposeMode { kRules, kOpenAI };
/// "rules" / "openai".
const char* ProposeModeName(ProposeMode m) noexcept;
Result<ProposeMode> ParseProposeMode(std::string_view name);

struct ProposeConfig {
  ProposeMode mode = ProposeMode::kRules;
  std::string endpoint;                      ///< base URL; /v1/chat/completions is appended unless present
  std::string model;                         ///< model name sent in every request
  std::string api_key_env = "OPENAI_API_KEY";  ///< the variable holding the key ("" = no Authorization header)
  int max_attempts = 3;                      ///< model answers per finding (first + retries with feedback), 1..20
  double timeout_seconds = 60.0;             ///< per HTTP request
  int retries = 2;                           ///< extra HTTP tries on 429 / 5xx / transport errors, 0..10
  double backoff_seconds = 0.5;              ///< first back-off; doubles per retry, plus jitter in [0, that)
  double max_backoff_seconds = 8.0;          ///< cap of one back-off (and of an honoured Retry-After)
  int concurrency = 4;                       ///< requests in flight at once, 1..256
  std::int64_t max_requests = 0;             ///< HTTP requests per run (0 = unlimited)
  std::int64_t max_tokens = 0;               ///< prompt + completion tokens per run (0 = unlimited)
  std::int64_t max_completion_tokens = 1024; ///< `max_tokens` of each request (0 = not sent)
  double temperature = 0.0;
  bool fallback = true;                      ///< use the rules proposal when no model answer is accepted
};

/// Parses the `propose:` section (an object; null = defaults). Keys:
/// mode, endpoint, model, apiKeyEnv, maxAttempts, timeoutSeconds, retries,
/// backoffSeconds, maxBackoffSeconds, concurrency, maxRequests, maxTokens,
/// maxCompletionTokens, temperature, fallback. Errors name the key and its
/// position in `source_name`.
Result<ProposeConfig> ProposeConfigFromValue(const Value& section, std::string_view source_name = "config");
/// Range checks shared by every surface (CLI flags are applied on top of the
/// section, then checked here): kInvalidArgument naming the field.
Status ValidateProposeConfig(const ProposeConfig& config);
/// The effective configuration (every key; no key material).
Value ProposeConfigToValue(const ProposeConfig& config);

// ---------------------------------------------------------------------------
// Redaction
// ---------------------------------------------------------------------------

/// Whether an environment variable name looks like it holds a secret
/// (PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, CREDENTIAL, ... in any case).
bool LooksLikeSecretName(std::string_view name) noexcept;

/// Token-like spans of `text` as (offset, length): JWTs, PEM private keys,
/// AWS access key ids, GitHub / GitLab / Slack / OpenAI-style tokens, and
/// long high-entropy runs (>= 32 characters of letters, digits and +/=_-
/// mixing letters and digits; sha256 digests excepted).
std::vector<std::pair<std::size_t, std::size_t>> FindTokenLikeSpans(std::string_view text);

/// The secrets of one object and their placeholders. Built from the object
/// that a prompt will show; lives only in memory.
class Redactor {
 public:
  /// Collects: env values whose names look secret (any `env` list of
  /// {name, value}), every string of a Secret's `data` / `stringData` (and
  /// the decoded text of base64 `data`), and token-like strings anywhere.
  static Redactor ForObject(const Value& object);

  /// A copy of `object` with every secret value (whole strings, and secret
  /// values or token-like spans inside longer strings) replaced by its
  /// placeholder `<redacted:N>`.
  Value Redact(const Value& object) const;
  /// Replaces every known secret value of kMinTextMatch characters or more
  /// and every token-like span in free text (gate details, messages).
  std::string RedactText(std::string_view text) const;
  /// Placeholders in the string values of `patch` (op values, deep) back to
  /// their secret values, where `original` (the unredacted object) already
  /// holds that value at or below the op's path: a patch may keep a secret
  /// where it is (a whole container rewritten, a `test`), never move or copy
  /// it elsewhere. Returns how many were restored; kPermissionDenied naming
  /// the op and path when a placeholder would land where its value was not.
  Result<std::size_t> Restore(Patch& patch, const Value& original) const;
  /// True when `text` contains a known secret value of kMinTextMatch
  /// characters or more (the last check before anything is sent).
  bool Leaks(std::string_view text) const;

  /// Number of distinct secret values.
  std::size_t size() const noexcept { return entries_.size(); }
  /// Shorter values are replaced where they stand as whole strings but not
  /// searched for in free text.
  static constexpr std::size_t kMinTextMatch = 6;

 private:
  struct Entry {
    std::string placeholder;
    std::string value;
  };
  std::string Placeholder(std::string_view value);  // adds an entry when new
  std::string ReplaceIn(std::string_view text) const;
  std::vector<Entry> entries_;
};

// ---------------------------------------------------------------------------
// Prompts
// ---------------------------------------------------------------------------

struct ChatMessage {
  std::string role;     ///< "system", "user", "assistant"
  std::string content;
};

/// One request to a model: the whole conversation so far.
struct ModelRequest {
  std::vector<ChatMessage> messages;
  int attempt = 1;        ///< 1-based attempt for this finding
  std::string finding;    ///< "check kind/namespace/name" (for logs; no manifest content)
};

/// A model's answer.
struct ModelReply {
  std::string text;                    ///< the message content
  std::int64_t prompt_tokens = 0;      ///< as the server reported them (0 when it did not)
  std::int64_t completion_tokens = 0;
  std::int64_t requests = 1;           ///< HTTP requests it took (retries included)
  double seconds = 0.0;                ///< wall time, back-offs included
};

/// Request -> reply. Errors: kIoError (network, timeout, 5xx after the
/// retries), kLimitExceeded (budget), kPermissionDenied (401/403, or the
/// redaction check), kParseError (a reply that is not chat-completions JSON),
/// kInvalidArgument (other 4xx).
using ModelTransport = std::function<Result<ModelReply>(const ModelRequest&)>;

/// The system message: answer with an RFC 6902 array only.
std::string ProposerSystemPrompt();

/// The prompt for one finding: the check's guidance (what it wants, what a
/// correct fix looks like, check-specific hints), what is forbidden
/// (removing containers or volumes, changing images / identity / service
/// accounts, raising privileges), the object as YAML with the offending
/// field's line marked `# <-- finding`, and the answer format. `object` must
/// already be redacted; `check` may be null (then only the finding's own
/// message and remediation are used).
std::string BuildProposalPrompt(const Value& object, const Finding& finding, const CheckInfo* check,
                                std::size_t max_ops);

/// `object` as block YAML with the line of `pointer` (or of its nearest
/// existing ancestor, when the field is missing) ending in `# <-- finding`.
std::string MarkedObjectYaml(const Value& object, std::string_view pointer);

/// The follow-up after a refused answer: the gate that refused it, why, and
/// the other failing gates (the text is redacted by the caller).
std::string BuildRetryPrompt(const Verdict& refused);

// ---------------------------------------------------------------------------
// OpenAI-compatible chat completions
// ---------------------------------------------------------------------------

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  ///< may hold the key: never log them
  std::string body;
  double timeout_seconds = 60.0;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  double retry_after_seconds = -1.0;  ///< the Retry-After header in seconds, < 0 when absent
};

/// One HTTP POST. Return a Status for transport failures (kIoError: refused,
/// reset, timed out); any HTTP status is a response.
using HttpPost = std::function<Result<HttpResponse>(const HttpRequest&)>;

/// `endpoint` with /v1/chat/completions appended unless it already ends in
/// /chat/completions (a trailing /v1 gets /chat/completions). kInvalidArgument
/// for an empty endpoint or one that is not http:// or https://.
Result<std::string> ChatCompletionsUrl(std::string_view endpoint);
/// The JSON body: {model, messages, temperature, max_tokens?}.
std::string ChatCompletionsBody(const ModelRequest& request, const ProposeConfig& config);
/// choices[0].message.content and usage.{prompt,completion}_tokens.
/// kParseError naming what is missing.
Result<ModelReply> ParseChatCompletionsResponse(std::string_view body);

/// Per-run counters of a transport built by MakeOpenAITransport.
struct TransportStats {
  std::int64_t requests = 0, retries = 0, refused_by_budget = 0, prompt_tokens = 0, completion_tokens = 0;
};

struct OpenAITransport {
  ModelTransport transport;
  /// Counters so far (thread-safe snapshot).
  std::function<TransportStats()> stats;
};

/// The client policy over `post`. Reads the key from the environment
/// variable config.api_key_env once, here (kInvalidArgument naming the
/// variable, never its value, when it is set in the config but unset or
/// empty in the environment). `sleep` waits between retries (default: the
/// calling thread sleeps). Errors: a bad endpoint or configuration.
Result<OpenAITransport> MakeOpenAITransport(const ProposeConfig& config, HttpPost post,
                                            std::function<void(double seconds)> sleep = {});

// ---------------------------------------------------------------------------
// Results of the model loop (carried by kfix::FixResult, kfix/pipeline.hpp)
// ---------------------------------------------------------------------------

/// One vetted proposal for a finding.
struct ProposeAttempt {
  int number = 0;                ///< 1-based, over all proposals for the finding
  std::string proposer;          ///< "llm" or "rules"
  std::string outcome;           ///< "accepted", "refused" (a gate), "error" (no answer)
  std::string gate;              ///< the refusing gate ("structure" when no patch could be read); "" otherwise
  std::string detail;            ///< why (redacted), or a note when accepted
  std::size_t ops = 0;           ///< ops in the vetted patch
  std::int64_t prompt_tokens = 0, completion_tokens = 0, requests = 0;
  double seconds = 0.0;          ///< model latency (or proposal + vetting time for rules)
};

/// The model side of a propose run: the config and the transport.
struct ModelProposer {
  ProposeConfig config;
  ModelTransport transport;
};

}  // namespace kfix
