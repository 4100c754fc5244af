// The `propose:` configuration, the OpenAI-compatible chat-completions wire
// format and the client policy over an injected HTTP POST (kfix/propose.hpp).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "kfix/propose.hpp"

namespace kfix {

const char* ProposeModeName(ProposeMode m) noexcept { return m == ProposeMode::kOpenAI ? "openai" : "rules"; }

Result<ProposeMode> ParseProposeMode(std::string_view name) {
  if (name == "rules") return ProposeMode::kRules;
  if (name == "openai") return ProposeMode::kOpenAI;
  return InvalidArgumentError("unknown proposer mode \"" + std::string(name) + "\" (want rules or openai)");
}

// ---- Configuration ----------------------------------------------------------

namespace {

Status At(const std::string& source, const std::string& message, std::int32_t line, std::int32_t column) {
  SourceLocation loc;
  loc.file = source;
  loc.line = line;
  loc.column = column;
  return InvalidArgumentError(message, loc);
}

}  // namespace

Status ValidateProposeConfig(const ProposeConfig& c) {
  if (c.max_attempts < 1 || c.max_attempts > 20) return InvalidArgumentError("propose.maxAttempts must be in [1, 20]");
  if (!(c.timeout_seconds > 0) || c.timeout_seconds > 3600) {
    return InvalidArgumentError("propose.timeoutSeconds must be in (0, 3600]");
  }
  if (c.retries < 0 || c.retries > 10) return InvalidArgumentError("propose.retries must be in [0, 10]");
  if (c.backoff_seconds < 0 || c.backoff_seconds > 600) return InvalidArgumentError("propose.backoffSeconds must be in [0, 600]");
  if (c.max_backoff_seconds < 0 || c.max_backoff_seconds > 3600) {
    return InvalidArgumentError("propose.maxBackoffSeconds must be in [0, 3600]");
  }
  if (c.concurrency < 1 || c.concurrency > 256) return InvalidArgumentError("propose.concurrency must be in [1, 256]");
  if (c.max_requests < 0) return InvalidArgumentError("propose.maxRequests must be >= 0 (0: unlimited)");
  if (c.max_tokens < 0) return InvalidArgumentError("propose.maxTokens must be >= 0 (0: unlimited)");
  if (c.max_completion_tokens < 0) return InvalidArgumentError("propose.maxCompletionTokens must be >= 0");
  if (c.temperature < 0 || c.temperature > 2) return InvalidArgumentError("propose.temperature must be in [0, 2]");
  if (c.mode == ProposeMode::kOpenAI) {
    if (c.endpoint.empty()) return InvalidArgumentError("propose mode openai needs an endpoint (propose.endpoint, --endpoint)");
    if (c.model.empty()) return InvalidArgumentError("propose mode openai needs a model (propose.model, --model)");
    Result<std::string> url = ChatCompletionsUrl(c.endpoint);
    if (!url.ok()) return url.status();
  }
  return Status::Ok();
}

Result<ProposeConfig> ProposeConfigFromValue(const Value& section, std::string_view source_name) {
  const std::string source = source_name.empty() ? std::string("config") : std::string(source_name);
  ProposeConfig c;
  if (section.is_null()) return c;
  if (!section.is_object()) return At(source, "\"propose\" must be a mapping", section.line(), section.column());
  for (const Member& m : section.as_object()) {
    const Value& v = m.value;
    auto bad = [&](const std::string& want) {
      return At(source, "\"propose." + m.key + "\" must be " + want, v.line(), v.column());
    };
    auto integer = [&](std::int64_t lo, std::int64_t hi, std::int64_t* out) -> Status {
      if (!v.is_int() || v.as_int() < lo || v.as_int() > hi) {
        return bad("an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
      }
      *out = v.as_int();
      return Status::Ok();
    };
    auto number = [&](double lo, double hi, double* out) -> Status {
      if (!v.is_number() || v.as_number() < lo || v.as_number() > hi) {
        return bad("a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
      }
      *out = v.as_number();
      return Status::Ok();
    };
    auto string = [&](std::string* out) -> Status {
      if (!v.is_string()) return bad("a string");
      *out = v.as_string();
      return Status::Ok();
    };
    std::int64_t n = 0;
    if (m.key == "mode") {
      if (!v.is_string()) return bad("\"rules\" or \"openai\"");
      Result<ProposeMode> mode = ParseProposeMode(v.as_string());
      if (!mode.ok()) return bad("\"rules\" or \"openai\"");
      c.mode = *mode;
    } else if (m.key == "endpoint") {
      KFIX_RETURN_IF_ERROR(string(&c.endpoint));
    } else if (m.key == "model") {
      KFIX_RETURN_IF_ERROR(string(&c.model));
    } else if (m.key == "apiKeyEnv") {
      KFIX_RETURN_IF_ERROR(string(&c.api_key_env));
    } else if (m.key == "maxAttempts") {
      KFIX_RETURN_IF_ERROR(integer(1, 20, &n));
      c.max_attempts = static_cast<int>(n);
    } else if (m.key == "timeoutSeconds") {
      KFIX_RETURN_IF_ERROR(number(0.001, 3600, &c.timeout_seconds));
    } else if (m.key == "retries") {
      KFIX_RETURN_IF_ERROR(integer(0, 10, &n));
      c.retries = static_cast<int>(n);
    } else if (m.key == "backoffSeconds") {
      KFIX_RETURN_IF_ERROR(number(0, 600, &c.backoff_seconds));
    } else if (m.key == "maxBackoffSeconds") {
      KFIX_RETURN_IF_ERROR(number(0, 3600, &c.max_backoff_seconds));
    } else if (m.key == "concurrency") {
      KFIX_RETURN_IF_ERROR(integer(1, 256, &n));
      c.concurrency = static_cast<int>(n);
    } else if (m.key == "maxRequests") {
      KFIX_RETURN_IF_ERROR(integer(0, INT64_MAX, &c.max_requests));
    } else if (m.key == "maxTokens") {
      KFIX_RETURN_IF_ERROR(integer(0, INT64_MAX, &c.max_tokens));
    } else if (m.key == "maxCompletionTokens") {
      KFIX_RETURN_IF_ERROR(integer(0, 1 << 24, &c.max_completion_tokens));
    } else if (m.key == "temperature") {
      KFIX_RETURN_IF_ERROR(number(0, 2, &c.temperature));
    } else if (m.key == "fallback") {
      if (!v.is_string() || (v.as_string() != "rules" && v.as_string() != "none")) return bad("\"rules\" or \"none\"");
      c.fallback = v.as_string() == "rules";
    } else {
      return At(source,
                "unknown key \"propose." + m.key +
                    "\" (want mode, endpoint, model, apiKeyEnv, maxAttempts, timeoutSeconds, retries, backoffSeconds, "
                    "maxBackoffSeconds, concurrency, maxRequests, maxTokens, maxCompletionTokens, temperature, "
                    "fallback)",
                m.key_line, m.key_column);
    }
  }
  return c;
}

Value ProposeConfigToValue(const ProposeConfig& c) {
  Value v = Value::MakeObject();
  v.Set("mode", ProposeModeName(c.mode));
  v.Set("endpoint", c.endpoint);
  v.Set("model", c.model);
  v.Set("apiKeyEnv", c.api_key_env);
  v.Set("maxAttempts", c.max_attempts);
  v.Set("timeoutSeconds", c.timeout_seconds);
  v.Set("retries", c.retries);
  v.Set("backoffSeconds", c.backoff_seconds);
  v.Set("maxBackoffSeconds", c.max_backoff_seconds);
  v.Set("concurrency", c.concurrency);
  v.Set("maxRequests", c.max_requests);
  v.Set("maxTokens", c.max_tokens);
  v.Set("maxCompletionTokens", c.max_completion_tokens);
  v.Set("temperature", c.temperature);
  v.Set("fallback", c.fallback ? "rules" : "none");
  return v;
}

// ---- Wire format ------------------------------------------------------------

Result<std::string> ChatCompletionsUrl(std::string_view endpoint) {
  std::string url(endpoint);
  while (!url.empty() && (url.back() == ' ' || url.back() == '\n')) url.pop_back();
  if (url.empty()) return InvalidArgumentError("empty endpoint");
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return InvalidArgumentError("endpoint must start with http:// or https://");
  }
  if (url.find_first_of(" \t\r\n") != std::string::npos) return InvalidArgumentError("endpoint contains whitespace");
  while (!url.empty() && url.back() == '/') url.pop_back();
  auto ends = [&url](std::string_view s) { return url.size() >= s.size() && url.compare(url.size() - s.size(), s.size(), s) == 0; };
  if (ends("/chat/completions")) return url;
  if (ends("/v1")) return url + "/chat/completions";
  return url + "/v1/chat/completions";
}

std::string ChatCompletionsBody(const ModelRequest& request, const ProposeConfig& config) {
  Value body = Value::MakeObject();
  body.Set("model", config.model);
  Value messages = Value::MakeArray();
  for (const ChatMessage& m : request.messages) {
    Value e = Value::MakeObject();
    e.Set("role", m.role);
    e.Set("content", m.content);
    messages.PushBack(std::move(e));
  }
  body.Set("messages", std::move(messages));
  body.Set("temperature", config.temperature);
  if (config.max_completion_tokens > 0) body.Set("max_tokens", config.max_completion_tokens);
  return ToJson(body);
}

Result<ModelReply> ParseChatCompletionsResponse(std::string_view body) {
  Result<Value> doc = ParseJson(body);
  if (!doc.ok()) return ParseError("the reply is not JSON: " + doc.status().message());
  if (!doc->is_object()) return ParseError("the reply is not a JSON object");
  if (const Value* err = doc->Find("error"); err && !err->is_null()) {
    const Value* msg = err->is_object() ? err->Find("message") : err;
    return ParseError("the server answered with an error: " +
                      std::string(msg && msg->is_string() ? msg->as_string() : ToJson(*err)).substr(0, 300));
  }
  const Value* choices = doc->Find("choices");
  if (!choices || !choices->is_array() || choices->as_array().empty()) return ParseError("the reply has no choices");
  const Value& first = choices->as_array().front();
  const Value* content = first.is_object() ? first.FindPath({"message", "content"}) : nullptr;
  ModelReply reply;
  if (content && content->is_string()) {
    reply.text = content->as_string();
  } else if (const Value* text = first.is_object() ? first.Find("text") : nullptr; text && text->is_string()) {
    reply.text = text->as_string();  // legacy completions shape
  } else {
    return ParseError("the reply has no choices[0].message.content string");
  }
  if (const Value* usage = doc->Find("usage"); usage && usage->is_object()) {
    if (const Value* p = usage->Find("prompt_tokens"); p && p->is_int() && p->as_int() >= 0) reply.prompt_tokens = p->as_int();
    if (const Value* c = usage->Find("completion_tokens"); c && c->is_int() && c->as_int() >= 0) {
      reply.completion_tokens = c->as_int();
    }
  }
  return reply;
}

// ---- Client -----------------------------------------------------------------

namespace {

/// Shared state of one transport: the budget, the concurrency limit and the
/// counters. One per run.
struct ClientState {
  ProposeConfig config;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  HttpPost post;
  std::function<void(double)> sleep;

  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  TransportStats stats;
  std::uint64_t jitter_state = 0x9E3779B97F4A7C15ull;

  double Jitter(double span) {
    std::lock_guard<std::mutex> lock(mu);
    jitter_state ^= jitter_state << 13;
    jitter_state ^= jitter_state >> 7;
    jitter_state ^= jitter_state << 17;
    return span * static_cast<double>(jitter_state % 1000000) / 1000000.0;
  }

  /// Reserves one request of the budget, or says why not (`mu` held).
  Status ReserveLocked() {
    if (config.max_requests > 0 && stats.requests >= config.max_requests) {
      ++stats.refused_by_budget;
      return LimitExceededError("request budget exhausted (" + std::to_string(config.max_requests) +
                                " requests per run, propose.maxRequests)");
    }
    if (config.max_tokens > 0 && stats.prompt_tokens + stats.completion_tokens >= config.max_tokens) {
      ++stats.refused_by_budget;
      return LimitExceededError("token budget exhausted (" + std::to_string(config.max_tokens) +
                                " tokens per run, propose.maxTokens)");
    }
    ++stats.requests;
    return Status::Ok();
  }

  /// Waits for a free slot (at most `concurrency` requests in flight), then
  /// takes one request of the budget, with the tokens of every reply that
  /// arrived meanwhile counted, and posts. kLimitExceeded: nothing was sent.
  /// A 200 reply is parsed into `*parsed` and its tokens are counted before
  /// the slot is given back, so the next request sees them.
  Result<HttpResponse> PostLimited(const HttpRequest& request, Result<ModelReply>* parsed) {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [this] { return in_flight < config.concurrency; });
      if (Status s = ReserveLocked(); !s.ok()) {
        lock.unlock();
        cv.notify_one();
        return s;
      }
      ++in_flight;
    }
    Result<HttpResponse> r = InternalError("transport did not run");
    try {
      r = post(request);
      if (!r.ok() && r.status().code() == StatusCode::kLimitExceeded) r = IoError(r.status().message());
    } catch (...) {
      r = IoError("the HTTP transport failed");
    }
    if (r.ok() && r->status == 200) *parsed = ParseChatCompletionsResponse(r->body);
    {
      std::lock_guard<std::mutex> lock(mu);
      if (r.ok() && r->status == 200 && parsed->ok()) {
        stats.prompt_tokens += (*parsed)->prompt_tokens;
        stats.completion_tokens += (*parsed)->completion_tokens;
      }
      --in_flight;
    }
    cv.notify_one();
    return r;
  }
};

std::string Excerpt(const std::string& body) {
  std::string s = body.substr(0, 200);
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return s;
}

Result<ModelReply> Send(const std::shared_ptr<ClientState>& st, const ModelRequest& request) {
  const auto t0 = std::chrono::steady_clock::now();
  HttpRequest http;
  http.url = st->url;
  http.headers = st->headers;
  http.body = ChatCompletionsBody(request, st->config);
  http.timeout_seconds = st->config.timeout_seconds;
  Status last = IoError("no request was made");
  std::int64_t requests = 0;
  for (int attempt = 0; attempt <= st->config.retries; ++attempt) {
    Result<ModelReply> reply = InternalError("no reply");
    Result<HttpResponse> r = st->PostLimited(http, &reply);
    if (!r.ok() && r.status().code() == StatusCode::kLimitExceeded) {
      if (requests == 0) return r.status();
      return Status(r.status().code(), r.status().message() + " after: " + last.message());
    }
    ++requests;
    double wait = -1.0;
    if (!r.ok()) {
      last = Status(StatusCode::kIoError, "POST " + st->url + ": " + r.status().message());
    } else if (r->status == 200) {
      if (!reply.ok()) return reply.status();
      reply->requests = requests;
      reply->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      return reply;
    } else if (r->status == 429 || r->status >= 500) {
      last = IoError("POST " + st->url + ": HTTP " + std::to_string(r->status) + " " + Excerpt(r->body));
      wait = r->retry_after_seconds;
    } else if (r->status == 401 || r->status == 403) {
      return PermissionDeniedError("POST " + st->url + ": HTTP " + std::to_string(r->status) +
                                   " (check the key in $" + st->config.api_key_env + ")");
    } else {
      return InvalidArgumentError("POST " + st->url + ": HTTP " + std::to_string(r->status) + " " + Excerpt(r->body));
    }
    if (attempt == st->config.retries) break;
    {
      std::lock_guard<std::mutex> lock(st->mu);
      ++st->stats.retries;
    }
    double backoff = st->config.backoff_seconds * static_cast<double>(1u << std::min(attempt, 20));
    backoff += st->Jitter(backoff);
    if (wait >= 0) backoff = std::max(backoff, wait);
    st->sleep(std::min(backoff, st->config.max_backoff_seconds));
  }
  return Status(last.code(), last.message() + " (" + std::to_string(requests) + " tries)");
}

}  // namespace

Result<OpenAITransport> MakeOpenAITransport(const ProposeConfig& config, HttpPost post,
                                            std::function<void(double)> sleep) {
  if (Status s = ValidateProposeConfig(config); !s.ok()) return s;
  if (!post) return InvalidArgumentError("no HTTP transport given");
  Result<std::string> url = ChatCompletionsUrl(config.endpoint);
  if (!url.ok()) return url.status();
  auto st = std::make_shared<ClientState>();
  st->config = config;
  st->url = *url;
  st->post = std::move(post);
  st->sleep = sleep ? std::move(sleep) : [](double s) {
    if (s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(s));
  };
  st->headers.emplace_back("Content-Type", "application/json");
  st->headers.emplace_back("Accept", "application/json");
  if (!config.api_key_env.empty()) {
    const char* key = std::getenv(config.api_key_env.c_str());
    if (key == nullptr || key[0] == '\0') {
      return InvalidArgumentError("the API key variable $" + config.api_key_env +
                                  " is not set (propose.apiKeyEnv, --api-key-env; set it to \"\" for a server "
                                  "without keys)");
    }
    st->headers.emplace_back("Authorization", std::string("Bearer ") + key);
  }
  OpenAITransport out;
  out.transport = [st](const ModelRequest& request) { return Send(st, request); };
  out.stats = [st] {
    std::lock_guard<std::mutex> lock(st->mu);
    return st->stats;
  };
  return out;
}

}  // namespace kfix
