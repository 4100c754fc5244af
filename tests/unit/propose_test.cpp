// Model proposers (kfix/propose.hpp): redaction, prompts, the chat-completions
// wire format and client policy (retries, back-off, budget, key from the
// environment), and the loop through Engine::Propose: every model answer is
// vetted by the guard's gates, refusals are fed back, the rules are the
// fallback, and no secret value of a manifest is ever handed to a transport.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "kfix/engine.hpp"
#include "kfix/propose.hpp"

namespace {

constexpr const char* kSecretPassword = "s3cr3t-Passw0rd-xyz";
constexpr const char* kGithubToken = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

constexpr const char* kWeb = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: nginx:1.25
          args: ["--token=ghp_abcdefghijklmnopqrstuvwxyz0123456789"]
          env:
            - name: DB_PASSWORD
              value: s3cr3t-Passw0rd-xyz
            - name: LOG_LEVEL
              value: info
          securityContext:
            privileged: true
)";

constexpr const char* kOnlyPrivileged = R"({"checks": {"doNotAutoAddDefaults": true, "include": ["privileged-container"]},
 "propose": {"mode": "openai", "endpoint": "http://127.0.0.1:9", "model": "m", "apiKeyEnv": ""}})";

constexpr const char* kCorrect =
    R"([{"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/privileged", "value": false}])";
constexpr const char* kEscalate =
    R"([{"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/privileged", "value": false},
        {"op": "add", "path": "/spec/template/spec/containers/0/securityContext/capabilities", "value": {"add": ["SYS_ADMIN"]}}])";
constexpr const char* kRemoveContainer = R"([{"op": "remove", "path": "/spec/template/spec/containers/0"}])";

/// A transport answering from a script (the last answer repeats), recording
/// every request.
struct Scripted {
  std::vector<std::string> answers;
  std::vector<kfix::ModelRequest> seen;
  std::mutex mu;
  kfix::ModelTransport Transport() {
    return [this](const kfix::ModelRequest& r) -> kfix::Result<kfix::ModelReply> {
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(r);
      kfix::ModelReply reply;
      reply.text = answers.empty() ? "" : answers[std::min(seen.size() - 1, answers.size() - 1)];
      reply.prompt_tokens = 100;
      reply.completion_tokens = 10;
      return reply;
    };
  }
  bool AnySecretSent() const {
    for (const kfix::ModelRequest& r : seen) {
      for (const kfix::ChatMessage& m : r.messages) {
        if (m.content.find(kSecretPassword) != std::string::npos) return true;
        if (m.content.find(kGithubToken) != std::string::npos) return true;
      }
    }
    return false;
  }
};

kfix::Engine MakeEngine(const std::string& config) {
  kfix::Result<kfix::Engine> e = kfix::Engine::FromText(config);
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  return *e;
}

kfix::FixReport Propose(const kfix::Engine& engine, Scripted& s) {
  kfix::ProposeBackend backend;
  backend.model = s.Transport();
  kfix::CallOptions call;
  call.jobs = 1;
  kfix::Result<kfix::FixReport> r = engine.ProposeText(kWeb, "web.yaml", backend, call);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  REQUIRE(r->results.size() == 1);
  return *r;
}

}  // namespace

TEST_CASE("secret-looking names and token-like strings") {
  CHECK(kfix::LooksLikeSecretName("DB_PASSWORD"));
  CHECK(kfix::LooksLikeSecretName("github-token"));
  CHECK(kfix::LooksLikeSecretName("AWS_SECRET_ACCESS_KEY"));
  CHECK(kfix::LooksLikeSecretName("stripe_api_key"));
  CHECK_FALSE(kfix::LooksLikeSecretName("LOG_LEVEL"));
  CHECK_FALSE(kfix::LooksLikeSecretName("PORT"));

  auto spans = kfix::FindTokenLikeSpans("x --token=ghp_abcdefghijklmnopqrstuvwxyz0123456789 y");
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].first == 10);
  CHECK(kfix::FindTokenLikeSpans("AKIAIOSFODNN7EXAMPLE").size() == 1);
  CHECK(kfix::FindTokenLikeSpans("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36P").size() == 1);
  CHECK(kfix::FindTokenLikeSpans("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----").size() == 1);
  // Public things stay: digests, words, paths.
  CHECK(kfix::FindTokenLikeSpans("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef").empty());
  CHECK(kfix::FindTokenLikeSpans("readOnlyRootFilesystem allowPrivilegeEscalation").empty());
  CHECK(kfix::FindTokenLikeSpans("my-very-long-deployment-name-for-the-2024-release").empty());
}

TEST_CASE("the redactor hides env secrets, Secret data and tokens, and restores them only in patches") {
  kfix::Result<kfix::Value> obj = kfix::ParseYaml(kWeb);
  REQUIRE(obj.ok());
  kfix::Redactor r = kfix::Redactor::ForObject(*obj);
  CHECK(r.size() == 2);
  kfix::Value shown = r.Redact(*obj);
  const std::string yaml = kfix::ToYaml(shown);
  CHECK(yaml.find(kSecretPassword) == std::string::npos);
  CHECK(yaml.find(kGithubToken) == std::string::npos);
  CHECK(yaml.find("--token=<redacted:") != std::string::npos);
  CHECK(yaml.find("info") != std::string::npos);  // not secret
  CHECK_FALSE(r.Leaks(yaml));
  CHECK(r.Leaks(std::string("x ") + kSecretPassword));
  CHECK(r.RedactText(std::string("value ") + kSecretPassword + " found").find(kSecretPassword) == std::string::npos);

  // A patch that keeps a placeholder where its value is gets the value back;
  // one that would copy it elsewhere is refused.
  const kfix::Value* env_value = shown.FindPath({"spec", "template", "spec", "containers"});
  REQUIRE(env_value);
  const std::string placeholder = env_value->as_array()[0].Find("env")->as_array()[0].Find("value")->as_string();
  CHECK(placeholder.rfind("<redacted:", 0) == 0);
  const std::string keep_text = R"([{"op": "replace", "path": "/spec/template/spec/containers/0/env/0", "value": {"name": "DB_PASSWORD", "value": ")" +
                                placeholder + R"("}}])";
  kfix::Result<kfix::Patch> keep = kfix::ParsePatch(std::string_view(keep_text));
  REQUIRE(keep.ok());
  kfix::Result<std::size_t> restored = r.Restore(*keep, *obj);
  REQUIRE(restored.ok());
  CHECK(*restored == 1);
  CHECK((*keep)[0].value.Find("value")->as_string() == kSecretPassword);
  const std::string copy_text =
      R"([{"op": "add", "path": "/metadata/annotations", "value": {"a": ")" + placeholder + R"("}}])";
  kfix::Result<kfix::Patch> copy = kfix::ParsePatch(std::string_view(copy_text));
  REQUIRE(copy.ok());
  kfix::Result<std::size_t> moved = r.Restore(*copy, *obj);
  CHECK(moved.status().code() == kfix::StatusCode::kPermissionDenied);
  CHECK(moved.status().message().find("/metadata/annotations") != std::string::npos);
  CHECK(moved.status().message().find(kSecretPassword) == std::string::npos);

  // A Secret: every data value (and its decoded text) and stringData.
  kfix::Result<kfix::Value> secret = kfix::ParseYaml(R"(apiVersion: v1
kind: Secret
metadata: {name: db}
data:
  password: dG9wc2VjcmV0LXZhbHVlLTQy
stringData:
  apiKey: plain-text-api-key-value
)");
  REQUIRE(secret.ok());
  kfix::Redactor rs = kfix::Redactor::ForObject(*secret);
  const std::string sy = kfix::ToYaml(rs.Redact(*secret));
  CHECK(sy.find("dG9wc2VjcmV0LXZhbHVlLTQy") == std::string::npos);
  CHECK(sy.find("plain-text-api-key-value") == std::string::npos);
  CHECK(rs.Leaks("the decoded value topsecret-value-42 leaked"));
}

TEST_CASE("the prompt carries the guidance, the forbidden list, the marked line and the answer format") {
  kfix::Result<kfix::Value> obj = kfix::ParseYaml(kWeb);
  REQUIRE(obj.ok());
  const std::string marked = kfix::MarkedObjectYaml(*obj, "/spec/template/spec/containers/0/securityContext/privileged");
  std::size_t mark = marked.find("# <-- finding");
  REQUIRE(mark != std::string::npos);
  std::size_t line_start = marked.rfind('\n', mark) + 1;
  CHECK(marked.substr(line_start, mark - line_start).find("privileged: true") != std::string::npos);
  CHECK(marked.find("# <-- finding", mark + 1) == std::string::npos);
  // A missing field marks its nearest existing parent.
  const std::string missing = kfix::MarkedObjectYaml(*obj, "/spec/template/spec/containers/0/resources/limits/memory");
  mark = missing.find("# <-- finding");
  REQUIRE(mark != std::string::npos);
  line_start = missing.rfind('\n', mark) + 1;
  CHECK(missing.substr(line_start, mark - line_start).find("- name: app") != std::string::npos);

  kfix::Finding f;
  f.check = "privileged-container";
  f.message = "container \"app\" is privileged";
  f.pointer = "/spec/template/spec/containers/0/securityContext/privileged";
  f.object.kind = "Deployment";
  f.object.name = "web";
  f.container = "app";
  kfix::CheckInfo info;
  info.name = "privileged-container";
  info.description = "Indicates when deployments have containers running in privileged mode.";
  info.remediation = "Do not run your container as privileged unless it is required.";
  const std::string prompt = kfix::BuildProposalPrompt(*obj, f, &info, 16);
  CHECK(prompt.find(info.description) != std::string::npos);
  CHECK(prompt.find(info.remediation) != std::string::npos);
  CHECK(prompt.find("removing a container") != std::string::npos);
  CHECK(prompt.find("changing an image") != std::string::npos);
  CHECK(prompt.find("switching the service account") != std::string::npos);
  CHECK(prompt.find("raising privileges") != std::string::npos);
  CHECK(prompt.find("# <-- finding") != std::string::npos);
  CHECK(prompt.find("RFC 6902") != std::string::npos);
  CHECK(prompt.find("at most 16") != std::string::npos);

  kfix::Verdict refused;
  refused.gates = {{"structure", true, "ok"}, {"apply", true, "ok"}, {"destructive", false, "removes container app"},
                   {"privilege", false, "skipped: destructive failed"}};
  const std::string retry = kfix::BuildRetryPrompt(refused);
  CHECK(retry.find("refused by the destructive gate: removes container app") != std::string::npos);
  CHECK(retry.find("skipped") == std::string::npos);
}

TEST_CASE("chat-completions URL, body and reply") {
  CHECK(*kfix::ChatCompletionsUrl("http://127.0.0.1:8000") == "http://127.0.0.1:8000/v1/chat/completions");
  CHECK(*kfix::ChatCompletionsUrl("https://api.x.ai/v1/") == "https://api.x.ai/v1/chat/completions");
  CHECK(*kfix::ChatCompletionsUrl("http://h/openai/chat/completions") == "http://h/openai/chat/completions");
  CHECK(kfix::ChatCompletionsUrl("ftp://h").status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(kfix::ChatCompletionsUrl("").status().code() == kfix::StatusCode::kInvalidArgument);

  kfix::ProposeConfig c;
  c.model = "m1";
  kfix::ModelRequest req;
  req.messages = {{"system", "s"}, {"user", "u \"q\""}};
  kfix::Result<kfix::Value> body = kfix::ParseJson(kfix::ChatCompletionsBody(req, c));
  REQUIRE(body.ok());
  CHECK(body->Find("model")->as_string() == "m1");
  CHECK(body->Find("messages")->as_array().size() == 2);
  CHECK(body->Find("messages")->as_array()[1].Find("content")->as_string() == "u \"q\"");
  CHECK(body->Find("temperature")->as_number() == 0.0);

  auto reply = kfix::ParseChatCompletionsResponse(
      R"({"choices": [{"message": {"role": "assistant", "content": "[]"}}], "usage": {"prompt_tokens": 12, "completion_tokens": 3}})");
  REQUIRE(reply.ok());
  CHECK(reply->text == "[]");
  CHECK(reply->prompt_tokens == 12);
  CHECK(reply->completion_tokens == 3);
  CHECK(kfix::ParseChatCompletionsResponse("{\"choices\": []}").status().code() == kfix::StatusCode::kParseError);
  CHECK(kfix::ParseChatCompletionsResponse("not json").status().code() == kfix::StatusCode::kParseError);
  CHECK(kfix::ParseChatCompletionsResponse(R"({"error": {"message": "bad model"}})").status().message().find("bad model") !=
        std::string::npos);
}

TEST_CASE("the OpenAI client retries 429 and 5xx with back-off, stops on 4xx, keeps its budget and reads the key from the environment") {
  kfix::ProposeConfig c;
  c.mode = kfix::ProposeMode::kOpenAI;
  c.endpoint = "http://127.0.0.1:9";
  c.model = "m";
  c.api_key_env = "KFIX_PROPOSE_TEST_KEY";
  c.retries = 2;
  c.backoff_seconds = 0.5;
  ::unsetenv("KFIX_PROPOSE_TEST_KEY");
  auto never = [](const kfix::HttpRequest&) -> kfix::Result<kfix::HttpResponse> { return kfix::HttpResponse{}; };
  auto missing = kfix::MakeOpenAITransport(c, never);
  CHECK(missing.status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(missing.status().message().find("KFIX_PROPOSE_TEST_KEY") != std::string::npos);
  ::setenv("KFIX_PROPOSE_TEST_KEY", "sk-test-key-123", 1);

  std::vector<int> statuses = {429, 503, 200};
  std::vector<kfix::HttpRequest> seen;
  std::vector<double> slept;
  auto post = [&](const kfix::HttpRequest& r) -> kfix::Result<kfix::HttpResponse> {
    seen.push_back(r);
    kfix::HttpResponse out;
    out.status = statuses[std::min(seen.size() - 1, statuses.size() - 1)];
    out.body = out.status == 200
                   ? R"({"choices": [{"message": {"content": "[]"}}], "usage": {"prompt_tokens": 5, "completion_tokens": 1}})"
                   : "busy";
    return out;
  };
  auto t = kfix::MakeOpenAITransport(c, post, [&](double s) { slept.push_back(s); });
  REQUIRE(t.ok());
  kfix::ModelRequest req;
  req.messages = {{"user", "hi"}};
  auto reply = t->transport(req);
  REQUIRE(reply.ok());
  CHECK(reply->requests == 3);
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].url == "http://127.0.0.1:9/v1/chat/completions");
  bool auth = false;
  for (const auto& [k, v] : seen[0].headers) auth = auth || (k == "Authorization" && v == "Bearer sk-test-key-123");
  CHECK(auth);
  REQUIRE(slept.size() == 2);
  CHECK(slept[0] >= 0.5);
  CHECK(slept[0] < 1.0);
  CHECK(slept[1] >= 1.0);  // doubled
  CHECK(t->stats().requests == 3);
  CHECK(t->stats().prompt_tokens == 5);

  // A 400 is not retried; 401 is a permission error that never prints the key.
  statuses = {400};
  seen.clear();
  auto bad = t->transport(req);
  CHECK(bad.status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(seen.size() == 1);
  statuses = {401};
  seen.clear();
  auto denied = t->transport(req);
  CHECK(denied.status().code() == kfix::StatusCode::kPermissionDenied);
  CHECK(denied.status().message().find("sk-test-key-123") == std::string::npos);

  // The request budget of a run.
  c.max_requests = 2;
  statuses = {500};
  seen.clear();
  auto limited = kfix::MakeOpenAITransport(c, post, [](double) {});
  REQUIRE(limited.ok());
  auto over = limited->transport(req);
  CHECK(over.status().code() == kfix::StatusCode::kLimitExceeded);
  CHECK(seen.size() == 2);
  CHECK(limited->transport(req).status().code() == kfix::StatusCode::kLimitExceeded);
  CHECK(seen.size() == 2);
  ::unsetenv("KFIX_PROPOSE_TEST_KEY");
}

TEST_CASE("the OpenAI client keeps at most `concurrency` requests in flight and stops at the token budget") {
  kfix::ProposeConfig c;
  c.mode = kfix::ProposeMode::kOpenAI;
  c.endpoint = "http://127.0.0.1:9";
  c.model = "m";
  c.api_key_env = "";
  c.concurrency = 2;
  c.max_tokens = 25;  // each reply reports 10 tokens
  std::atomic<int> in_flight{0}, most{0}, calls{0};
  auto post = [&](const kfix::HttpRequest&) -> kfix::Result<kfix::HttpResponse> {
    const int now = ++in_flight;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    ++calls;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    --in_flight;
    kfix::HttpResponse out;
    out.status = 200;
    out.body = R"({"choices": [{"message": {"content": "[]"}}], "usage": {"prompt_tokens": 8, "completion_tokens": 2}})";
    return out;
  };
  auto t = kfix::MakeOpenAITransport(c, post);
  REQUIRE(t.ok());
  kfix::ModelRequest req;
  req.messages = {{"user", "hi"}};
  std::atomic<int> ok{0}, over{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto r = t->transport(req);
      if (r.ok()) {
        ++ok;
      } else if (r.status().code() == kfix::StatusCode::kLimitExceeded) {
        ++over;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  CHECK(most.load() <= 2);
  CHECK(most.load() >= 1);
  // Tokens are counted when replies arrive: once 25 are spent, nothing more is sent.
  CHECK(ok.load() + over.load() == 6);
  CHECK(over.load() >= 1);
  CHECK(t->stats().prompt_tokens + t->stats().completion_tokens == 10 * ok.load());
  CHECK(t->transport(req).status().code() == kfix::StatusCode::kLimitExceeded);
  CHECK(calls.load() == ok.load());
}

TEST_CASE("Engine::Propose: a correct model answer is accepted as the llm's") {
  kfix::Engine engine = MakeEngine(kOnlyPrivileged);
  Scripted s;
  s.answers = {std::string("Here is the fix:\n```json\n") + kCorrect + "\n```\nIt turns privileged off."};
  kfix::FixReport r = Propose(engine, s);
  const kfix::FixResult& res = r.results[0];
  CHECK(res.status == kfix::FixStatus::kAccepted);
  CHECK(res.proposer == "llm");
  REQUIRE(res.attempts.size() == 1);
  CHECK(res.attempts[0].outcome == "accepted");
  CHECK(res.attempts[0].prompt_tokens == 100);
  CHECK(res.gates.size() == 9);
  REQUIRE(r.objects.size() == 1);
  CHECK(r.objects[0].accepted);
  CHECK(r.summary.mode == "openai");
  CHECK(r.summary.by_proposer.at("llm").accepted == 1);
  CHECK(r.summary.by_proposer.at("llm").prompt_tokens == 100);
  CHECK_FALSE(s.AnySecretSent());
  // The prompt showed the redacted object.
  REQUIRE(s.seen.size() == 1);
  CHECK(s.seen[0].messages[1].content.find("<redacted:") != std::string::npos);
  kfix::Value doc = kfix::ToValue(r);
  CHECK(doc.Find("results")->as_array()[0].Find("proposer")->as_string() == "llm");
  CHECK(doc.Find("results")->as_array()[0].Find("attempts")->as_int() == 1);
  CHECK(doc.FindPath({"summary", "proposers", "llm", "accepted"})->as_int() == 1);
}

TEST_CASE("Engine::Propose: a refused answer is retried with the gate's reason") {
  kfix::Engine engine = MakeEngine(kOnlyPrivileged);
  Scripted s;
  s.answers = {kEscalate, kCorrect};
  kfix::FixReport r = Propose(engine, s);
  const kfix::FixResult& res = r.results[0];
  CHECK(res.status == kfix::FixStatus::kAccepted);
  CHECK(res.proposer == "llm");
  REQUIRE(res.attempts.size() == 2);
  CHECK(res.attempts[0].outcome == "refused");
  CHECK(res.attempts[0].gate == "privilege");
  CHECK(res.attempts[1].outcome == "accepted");
  REQUIRE(s.seen.size() == 2);
  CHECK(s.seen[1].attempt == 2);
  REQUIRE(s.seen[1].messages.size() == 4);
  CHECK(s.seen[1].messages[2].role == "assistant");
  CHECK(s.seen[1].messages[3].content.find("refused by the privilege gate") != std::string::npos);
  CHECK(r.summary.by_proposer.at("llm").refused_by_gate.at("privilege") == 1);
  CHECK_FALSE(s.AnySecretSent());
}

TEST_CASE("Engine::Propose: an answer that copies a redacted secret elsewhere is refused by the structure gate") {
  kfix::Engine engine = MakeEngine(kOnlyPrivileged);
  Scripted s;
  s.answers = {R"([{"op": "replace", "path": "/spec/template/spec/containers/0/securityContext/privileged", "value": false},
                   {"op": "add", "path": "/metadata/labels", "value": {"leak": "<redacted:1>"}}])",
               kCorrect};
  kfix::FixReport r = Propose(engine, s);
  const kfix::FixResult& res = r.results[0];
  REQUIRE(res.attempts.size() == 2);
  CHECK(res.attempts[0].outcome == "refused");
  CHECK(res.attempts[0].gate == "structure");
  CHECK(res.attempts[0].detail.find("never moved or copied") != std::string::npos);
  CHECK(res.status == kfix::FixStatus::kAccepted);
  CHECK(res.proposer == "llm");
  for (const kfix::PatchOp& op : res.patch) CHECK(kfix::ToJson(op.value).find(kSecretPassword) == std::string::npos);
  CHECK_FALSE(s.AnySecretSent());
}

TEST_CASE("Engine::Propose: after maxAttempts refusals the rules are the fallback (or the finding is rejected)") {
  kfix::Engine engine = MakeEngine(kOnlyPrivileged);
  Scripted s;
  s.answers = {kRemoveContainer};
  kfix::FixReport r = Propose(engine, s);
  const kfix::FixResult& res = r.results[0];
  CHECK(s.seen.size() == 3);
  CHECK(res.status == kfix::FixStatus::kAccepted);
  CHECK(res.proposer == "rules");
  REQUIRE(res.attempts.size() == 4);
  for (int i = 0; i < 3; ++i) {
    CHECK(res.attempts[i].proposer == "llm");
    CHECK(res.attempts[i].gate == "destructive");
  }
  CHECK(res.attempts[3].proposer == "rules");
  CHECK(res.attempts[3].outcome == "accepted");
  CHECK(res.reason.find("rules fallback") != std::string::npos);
  CHECK(r.summary.by_proposer.at("llm").fallbacks == 1);
  CHECK(r.summary.by_proposer.at("llm").refused_by_gate.at("destructive") == 3);
  CHECK(r.summary.by_proposer.at("rules").accepted == 1);

  // Malformed JSON fails the structure gate; without a fallback the finding is rejected.
  kfix::Engine strict = MakeEngine(R"({"checks": {"doNotAutoAddDefaults": true, "include": ["privileged-container"]},
 "propose": {"mode": "openai", "endpoint": "http://127.0.0.1:9", "model": "m", "apiKeyEnv": "", "fallback": "none", "maxAttempts": 2}})");
  Scripted bad;
  bad.answers = {R"([{"op": "replace" "path": "/spec/template/spec/containers/0/securityContext/privileged")"};
  kfix::FixReport rb = Propose(strict, bad);
  CHECK(bad.seen.size() == 2);
  CHECK(rb.results[0].status == kfix::FixStatus::kRejected);
  CHECK(rb.results[0].proposer == "llm");
  CHECK(rb.results[0].attempts.back().gate == "structure");
  CHECK(rb.objects.empty());
}

TEST_CASE("Engine::Propose: transport errors fall back at once; rules mode tags every result") {
  kfix::Engine engine = MakeEngine(kOnlyPrivileged);
  int calls = 0;
  kfix::ProposeBackend backend;
  backend.model = [&calls](const kfix::ModelRequest&) -> kfix::Result<kfix::ModelReply> {
    ++calls;
    return kfix::LimitExceededError("request budget exhausted");
  };
  kfix::Result<kfix::FixReport> r = engine.ProposeText(kWeb, "web.yaml", backend);
  REQUIRE(r.ok());
  CHECK(calls == 1);
  CHECK(r->results[0].proposer == "rules");
  CHECK(r->results[0].attempts[0].outcome == "error");
  CHECK(r->results[0].attempts[0].detail.find("budget") != std::string::npos);
  CHECK(r->summary.by_proposer.at("llm").errors == 1);

  // openai without a backend is an error before any work.
  CHECK(engine.ProposeText(kWeb, "web.yaml", kfix::ProposeBackend{}).status().code() ==
        kfix::StatusCode::kInvalidArgument);

  kfix::Engine rules = MakeEngine(R"({"checks": {"doNotAutoAddDefaults": true, "include": ["privileged-container"]}})");
  kfix::Result<kfix::FixReport> rr = rules.ProposeText(kWeb, "web.yaml", kfix::ProposeBackend{});
  REQUIRE(rr.ok());
  CHECK(rr->summary.mode == "rules");
  CHECK(rr->results[0].proposer == "rules");
  REQUIRE(rr->results[0].attempts.size() == 1);
  CHECK(rr->results[0].attempts[0].outcome == "accepted");
  CHECK(rr->summary.by_proposer.count("llm") == 0);
  CHECK(rr->summary.by_proposer.at("rules").accepted == 1);
  // The fix report of `kfix fix` has no proposer keys.
  kfix::FixReport fixed = rules.FixText(kWeb, "web.yaml");
  CHECK(fixed.results[0].proposer.empty());
  CHECK(kfix::ToValue(fixed).Find("results")->as_array()[0].Find("proposer") == nullptr);
}

TEST_CASE("the propose section of the configuration document") {
  auto bad = kfix::ParseEngineConfig("propose:\n  maxAttempts: 0\n", "k.yaml");
  CHECK(bad.status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(bad.status().location().line == 2);
  auto unknown = kfix::ParseEngineConfig("propose:\n  apiKey: x\n", "k.yaml");
  CHECK(unknown.status().message().find("apiKeyEnv") != std::string::npos);
  auto ok = kfix::ParseEngineConfig("propose: {mode: openai, endpoint: 'http://h', model: m, retries: 0}\n", "k.yaml");
  REQUIRE(ok.ok());
  CHECK(ok->propose.mode == kfix::ProposeMode::kOpenAI);
  CHECK(ok->propose.retries == 0);
  kfix::ProposeConfig no_model = ok->propose;
  no_model.model.clear();
  CHECK(kfix::ValidateProposeConfig(no_model).code() == kfix::StatusCode::kInvalidArgument);
}
