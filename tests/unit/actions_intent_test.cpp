// Typed actions, part 1 (playbooks.md §2.8): intent validation, the
// generation guard, params, consumption, integration loops, the rule engine,
// strategy resolution, receipts over intents, the controller decision,
// escalations and the proposal policy.
#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "kfix/actions.hpp"
#include "kfix/audit.hpp"
#include "kfix/core.hpp"

namespace {

using kfix::ActionTime;
using kfix::ConsumeIntent;
using kfix::ConsumeOptions;
using kfix::IntentDecision;
using kfix::Value;

ActionTime T(const char* rfc3339) {
  auto t = kfix::ParseRfc3339(rfc3339);
  REQUIRE(t.ok());
  return *t;
}

Value Yaml(const std::string& text) {
  auto v = kfix::ParseYaml(text);
  REQUIRE_MESSAGE(v.ok(), v.status().ToString());
  return *v;
}

std::string IntentJson(const std::string& action, const std::string& params, long long gen,
                       const std::string& source = "rule-engine") {
  return "{\"action\":\"" + action + "\",\"params\":" + params + ",\"generation\":" + std::to_string(gen) +
         ",\"source\":\"" + source + "\"}";
}

// A Claw's StatefulSet carrying an intent and a stored generation.
Value ClawObject(const std::string& intent, const std::string& stored_gen, bool with_gen = true) {
  Value o = Yaml(R"(
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: my-claw
  namespace: team-a
  annotations:
    unrelated: keep-me
    app.kubernetes.io/owner: claw
spec:
  replicas: 1
  selector: {matchLabels: {app: claw}}
  template:
    metadata:
      labels: {app: claw}
    spec:
      containers:
      - name: sidecar
        image: side:1
      - name: runtime
        image: claw:1
        resources:
          requests: {memory: 512Mi, cpu: 250m}
          limits: {memory: 1Gi, cpu: "1"}
)");
  Value* ann = o.Find("metadata")->Find("annotations");
  if (!intent.empty()) ann->Set(kfix::kIntentAnnotation, intent);
  if (with_gen) ann->Set(kfix::kIntentGenerationAnnotation, stored_gen);
  return o;
}

ConsumeOptions Opts() {
  ConsumeOptions o;
  o.now = T("2026-04-20T10:00:00Z");
  return o;
}

}  // namespace

// ---------------------------------------------------------------------------
// Intent validation (§2.8)
// ---------------------------------------------------------------------------

TEST_CASE("intent validation: five valid payloads, gens 1-5, both sources, escalationRef preserved") {
  const std::vector<std::string> valid = {
      R"({"action":"bump-memory","params":{"target":"1Gi"},"generation":1,"source":"rule-engine"})",
      R"({"action":"bump-cpu","params":{"target":"2"},"generation":2,"source":"companion-claw","escalationRef":"my-claw-ops-x1"})",
      R"({"action":"restart-pod","params":{"strategy":"delete-oldest"},"generation":3,"source":"rule-engine"})",
      R"({"action":"rollout-restart","generation":4,"source":"companion-claw"})",
      R"({"action":"scale-replicas","params":{"replicas":"3"},"generation":5,"source":"rule-engine"})",
  };
  for (std::size_t i = 0; i < valid.size(); ++i) {
    auto intent = kfix::ParseIntent(valid[i]);
    REQUIRE_MESSAGE(intent.ok(), valid[i] << ": " << intent.status().message());
    CHECK(intent->generation == static_cast<std::int64_t>(i + 1));
    CHECK(intent->action == kfix::IntentActions()[i]);
  }
  auto with_ref = kfix::ParseIntent(valid[1]);
  CHECK(with_ref->escalation_ref == "my-claw-ops-x1");
  CHECK(with_ref->source == "companion-claw");
  // Round trip: the exact bytes re-parse to the same intent.
  CHECK(kfix::ParseIntent(with_ref->ToJson())->ToJson() == with_ref->ToJson());
  CHECK(kfix::IntentActions().size() == 5);
}

TEST_CASE("intent validation: unknown, malformed, empty, injected and differently cased intents are rejected") {
  const std::vector<std::string> rejected = {
      R"({"action":"delete-namespace","generation":1,"source":"rule-engine"})",
      R"({"action":"set-image","params":{"image":"evil:latest"},"generation":1,"source":"rule-engine"})",
      R"({"action":"","generation":1,"source":"rule-engine"})",
      R"({"generation":1,"source":"rule-engine"})",
      R"({"action":"Bump-Memory","params":{"target":"1Gi"},"generation":1,"source":"rule-engine"})",
      R"({"action":"BUMP-MEMORY","params":{"target":"1Gi"},"generation":1,"source":"rule-engine"})",
      R"({"action":" bump-memory","params":{"target":"1Gi"},"generation":1,"source":"rule-engine"})",
      R"({"action":"bump-memory","params":{"target":"1Gi"},"generation":1,"source":"rule-engine")",  // malformed
      "not json",
      "",
      "[]",
      R"({"action":"bump-memory","params":{"target":"1Gi"},"generation":1,"source":"rule-engine","extra":1})",
      R"({"action":"bump-memory","action":"set-image","params":{"target":"1Gi"},"generation":1,"source":"rule-engine"})",
      R"({"action":"bump-memory","params":{"target":"1Gi","image":"x"},"generation":1,"source":"rule-engine"})",
      R"({"action":"bump-memory","params":{"target":1},"generation":1,"source":"rule-engine"})",
      R"({"action":"bump-memory","params":{"target":"1Gi"},"generation":"1","source":"rule-engine"})",
      R"({"action":"bump-memory","params":{"target":"1Gi"},"generation":1.5,"source":"rule-engine"})",
      R"({"action":"bump-memory","params":{"target":"1Gi"},"generation":0,"source":"rule-engine"})",
      R"({"action":"bump-memory","params":{"target":"1Gi"},"generation":-4,"source":"rule-engine"})",
      R"({"action":"bump-memory","params":{"target":"1Gi"},"source":"rule-engine"})",
      R"({"action":"bump-memory","params":{"target":"1Gi"},"generation":1,"source":"attacker"})",
      R"({"action":"bump-memory","params":{"target":"1Gi"},"generation":1})",
      R"({"action":"rollout-restart","params":{"force":"yes"},"generation":1,"source":"rule-engine"})",
      R"({"action":"restart-pod","params":{"strategy":""},"generation":1,"source":"rule-engine"})",
  };
  for (const std::string& text : rejected) {
    auto intent = kfix::ParseIntent(text);
    CHECK_MESSAGE(!intent.ok(), text);
    if (!intent.ok()) {
      CHECK((intent.status().code() == kfix::StatusCode::kInvalidArgument ||
             intent.status().code() == kfix::StatusCode::kParseError));
    }
  }
  CHECK(kfix::ParseIntent(R"({"action":"set-image","generation":1,"source":"rule-engine"})").status().code() ==
        kfix::StatusCode::kInvalidArgument);
  CHECK(kfix::ParseIntent("{").status().code() == kfix::StatusCode::kParseError);
  CHECK(!kfix::ParseIntent(std::string(70000, ' ') + "{}").ok());
}

TEST_CASE("params: accepted and rejected values") {
  using P = std::map<std::string, std::string>;
  CHECK(kfix::ValidateIntentAction("bump-memory", P{{"target", "1Gi"}}).ok());
  CHECK(kfix::ValidateIntentAction("bump-memory", P{{"target", "768Mi"}}).ok());
  CHECK(kfix::ValidateIntentAction("bump-cpu", P{{"target", "2"}}).ok());
  CHECK(kfix::ValidateIntentAction("bump-cpu", P{{"target", "500m"}}).ok());
  CHECK(kfix::ValidateIntentAction("scale-replicas", P{{"replicas", "3"}}).ok());
  CHECK(kfix::ValidateIntentAction("scale-replicas", P{{"replicas", "1"}}).ok());
  CHECK(kfix::ValidateIntentAction("scale-replicas", P{{"replicas", "10"}}).ok());
  CHECK(kfix::ValidateIntentAction("rollout-restart", P{}).ok());
  CHECK(kfix::ValidateIntentAction("restart-pod", P{}).ok());
  // Rejected.
  CHECK(!kfix::ValidateIntentAction("bump-memory", P{}).ok());
  CHECK(!kfix::ValidateIntentAction("bump-cpu", P{{"target", "not-a-cpu-value"}}).ok());
  CHECK(!kfix::ValidateIntentAction("bump-memory", P{{"target", "1GB"}}).ok());
  CHECK(!kfix::ValidateIntentAction("bump-memory", P{{"target", "-1Gi"}}).ok());
  CHECK(!kfix::ValidateIntentAction("bump-memory", P{{"target", "0"}}).ok());
  CHECK(!kfix::ValidateIntentAction("bump-memory", P{{"target", ""}}).ok());
  CHECK(!kfix::ValidateIntentAction("bump-memory", P{{"target", " 1Gi"}}).ok());
  for (const char* bad : {"abc", "-1", "0", "100", "11", "", "03", "+3", " 3", "3.0", "1e1"}) {
    CHECK_MESSAGE(!kfix::ValidateIntentAction("scale-replicas", P{{"replicas", bad}}).ok(), bad);
  }
  CHECK(!kfix::ValidateIntentAction("scale-replicas", P{}).ok());
}

// ---------------------------------------------------------------------------
// Generation guard and consumption
// ---------------------------------------------------------------------------

TEST_CASE("generation guard table") {
  struct Row {
    long long intent_gen;
    const char* stored;
    bool has_stored;
    IntentDecision want;
  };
  const Row rows[] = {
      {10, "5", true, IntentDecision::kExecute},
      {5, "10", true, IntentDecision::kSkip},
      {10, "10", true, IntentDecision::kSkip},
      {1, "", false, IntentDecision::kExecute},          // any | none → run
      {987654321, "", false, IntentDecision::kExecute},
      {1, "not-a-number", true, IntentDecision::kExecute},  // treated as 0
  };
  for (const Row& r : rows) {
    Value o = ClawObject(IntentJson("rollout-restart", "{}", r.intent_gen), r.stored, r.has_stored);
    kfix::ConsumeResult c = ConsumeIntent(o, Opts());
    CHECK_MESSAGE(c.decision == r.want, r.intent_gen << " vs " << r.stored << ": " << c.error);
  }
  CHECK(kfix::StoredGeneration(Yaml("{claw.prismer.ai/ops-intent-gen: not-a-number}")) == 0);
  CHECK(kfix::StoredGeneration(Yaml("{claw.prismer.ai/ops-intent-gen: '-5'}")) == 0);
  CHECK(kfix::StoredGeneration(Yaml("{}")) == 0);
  CHECK(kfix::StoredGeneration(Yaml("{claw.prismer.ai/ops-intent-gen: '42'}")) == 42);
  CHECK(kfix::StoredGeneration(Yaml("{claw.prismer.ai/ops-intent-gen: '9223372036854775807'}")) == INT64_MAX);
  CHECK(kfix::StoredGeneration(Yaml("{claw.prismer.ai/ops-intent-gen: '99999999999999999999'}")) == INT64_MAX);
  // The largest generation executes once and then blocks every replay.
  Value max = ClawObject(IntentJson("rollout-restart", "{}", INT64_MAX), "7");
  kfix::ConsumeResult mc = ConsumeIntent(max, Opts());
  CHECK(mc.decision == IntentDecision::kExecute);
  CHECK(kfix::StoredGeneration(mc.annotations) == INT64_MAX);
}

TEST_CASE("clearing removes only the intent key, sets gen, keeps unrelated annotations") {
  Value o = ClawObject(IntentJson("scale-replicas", R"({"replicas":"3"})", 200), "7");
  kfix::ConsumeResult c = ConsumeIntent(o, Opts());
  REQUIRE(c.decision == IntentDecision::kExecute);
  CHECK(c.annotations.Find(kfix::kIntentAnnotation) == nullptr);
  CHECK(c.annotations.Find(kfix::kIntentGenerationAnnotation)->as_string() == "200");
  CHECK(c.annotations.Find("unrelated")->as_string() == "keep-me");
  CHECK(c.annotations.Find("app.kubernetes.io/owner")->as_string() == "claw");
  CHECK(c.annotations.size() == 3);
}

TEST_CASE("integration loops (§2.8)") {
  SUBCASE("bump-memory 2Gi at gen 100: gen 100, annotation gone, limit applied, request lowered only if above") {
    Value o = ClawObject(IntentJson("bump-memory", R"({"target":"2Gi"})", 100), "");
    kfix::ConsumeResult c = ConsumeIntent(o, Opts());
    REQUIRE_MESSAGE(c.decision == IntentDecision::kExecute, c.error);
    CHECK(c.annotations.Find(kfix::kIntentGenerationAnnotation)->as_string() == "100");
    CHECK(c.annotations.Find(kfix::kIntentAnnotation) == nullptr);
    auto patched = kfix::ApplyPatchCopy(o, c.patch);
    REQUIRE(patched.ok());
    const Value* runtime = &patched->FindPath({"spec", "template", "spec", "containers"})->as_array()[1];
    CHECK(runtime->FindPath({"resources", "limits", "memory"})->as_string() == "2Gi");
    CHECK(runtime->FindPath({"resources", "requests", "memory"})->as_string() == "512Mi");  // below: kept
    CHECK(c.patch.size() == 1);
    CHECK(!c.gates.empty());
  }
  SUBCASE("bump-memory below an existing request lowers the request") {
    Value o = ClawObject(IntentJson("bump-memory", R"({"target":"256Mi"})", 100), "");
    kfix::ConsumeResult c = ConsumeIntent(o, Opts());
    REQUIRE(c.decision == IntentDecision::kExecute);
    auto patched = kfix::ApplyPatchCopy(o, c.patch);
    REQUIRE(patched.ok());
    const Value* runtime = &patched->FindPath({"spec", "template", "spec", "containers"})->as_array()[1];
    CHECK(runtime->FindPath({"resources", "requests", "memory"})->as_string() == "256Mi");
    CHECK(runtime->FindPath({"resources", "limits", "memory"})->as_string() == "256Mi");
  }
  SUBCASE("bump-cpu raises the CPU limit") {
    Value o = ClawObject(IntentJson("bump-cpu", R"({"target":"1500m"})", 100), "");
    kfix::ConsumeResult c = ConsumeIntent(o, Opts());
    REQUIRE(c.decision == IntentDecision::kExecute);
    auto patched = kfix::ApplyPatchCopy(o, c.patch);
    const Value* runtime = &patched->FindPath({"spec", "template", "spec", "containers"})->as_array()[1];
    CHECK(runtime->FindPath({"resources", "limits", "cpu"})->as_string() == "1500m");
  }
  SUBCASE("rollout-restart at gen 50 stamps the pod template") {
    Value o = ClawObject(IntentJson("rollout-restart", "{}", 50), "");
    kfix::ConsumeResult c = ConsumeIntent(o, Opts());
    REQUIRE(c.decision == IntentDecision::kExecute);
    CHECK(c.next_generation == 50);
    auto patched = kfix::ApplyPatchCopy(o, c.patch);
    REQUIRE(patched.ok());
    CHECK(patched->FindPath({"spec", "template", "metadata", "annotations", kfix::kRestartedAtAnnotation})->as_string() ==
          "2026-04-20T10:00:00Z");
  }
  SUBCASE("stale gen 50 after 100 is ignored") {
    Value o = ClawObject(IntentJson("rollout-restart", "{}", 50), "100");
    kfix::ConsumeResult c = ConsumeIntent(o, Opts());
    CHECK(c.decision == IntentDecision::kSkip);
    CHECK(c.patch.empty());
    CHECK(c.annotations.Find(kfix::kIntentGenerationAnnotation)->as_string() == "100");
    CHECK(c.annotations.Find(kfix::kIntentAnnotation) == nullptr);
  }
  SUBCASE("invalid intent is cleared; after gen 500 the gen stays 500 despite a claimed 999") {
    Value o = ClawObject(IntentJson("delete-namespace", "{}", 999), "500");
    kfix::ConsumeResult c = ConsumeIntent(o, Opts());
    CHECK(c.decision == IntentDecision::kReject);
    CHECK(c.annotations.Find(kfix::kIntentAnnotation) == nullptr);
    CHECK(c.annotations.Find(kfix::kIntentGenerationAnnotation)->as_string() == "500");
    CHECK(c.next_generation == 500);
    CHECK(!c.error.empty());
    // Malformed JSON too, and an invalid intent with no stored gen leaves none.
    Value m = ClawObject("{not json", "500");
    CHECK(ConsumeIntent(m, Opts()).annotations.Find(kfix::kIntentGenerationAnnotation)->as_string() == "500");
    Value n = ClawObject(IntentJson("set-image", "{}", 999), "", false);
    kfix::ConsumeResult cn = ConsumeIntent(n, Opts());
    CHECK(cn.decision == IntentDecision::kReject);
    CHECK(cn.annotations.Find(kfix::kIntentGenerationAnnotation) == nullptr);
  }
  SUBCASE("scale to 3 at gen 200 persists") {
    Value o = ClawObject(IntentJson("scale-replicas", R"({"replicas":"3"})", 200), "");
    kfix::ConsumeResult c = ConsumeIntent(o, Opts());
    REQUIRE(c.decision == IntentDecision::kExecute);
    auto patched = kfix::ApplyPatchCopy(o, c.patch);
    CHECK(patched->FindPath({"spec", "replicas"})->as_int() == 3);
    CHECK(c.annotations.Find(kfix::kIntentGenerationAnnotation)->as_string() == "200");
  }
  SUBCASE("a Claw object: bump-memory persists on spec.resources.limits") {
    Value claw = Yaml(R"(
apiVersion: claw.prismer.ai/v1alpha1
kind: Claw
metadata:
  name: my-claw
  namespace: team-a
  annotations:
    claw.prismer.ai/ops-intent: '{"action":"bump-memory","params":{"target":"768Mi"},"generation":7,"source":"rule-engine"}'
spec:
  replicas: 1
)");
    kfix::ConsumeResult c = ConsumeIntent(claw, Opts());
    REQUIRE_MESSAGE(c.decision == IntentDecision::kExecute, c.error);
    auto patched = kfix::ApplyPatchCopy(claw, c.patch);
    CHECK(patched->FindPath({"spec", "resources", "limits", "memory"})->as_string() == "768Mi");
  }
  SUBCASE("restart-pod deletes the oldest pod; none is a successful no-op") {
    Value o = ClawObject(IntentJson("restart-pod", R"({"strategy":"delete-oldest"})", 9), "");
    ConsumeOptions opts = Opts();
    CHECK(ConsumeIntent(o, opts).decision == IntentDecision::kExecute);
    CHECK(!ConsumeIntent(o, opts).delete_pod);
    opts.pods = {Yaml("{metadata: {name: b, namespace: team-a, creationTimestamp: '2026-04-20T09:00:00Z'}}"),
                 Yaml("{metadata: {name: a, namespace: team-a, creationTimestamp: '2026-04-20T09:30:00Z'}}"),
                 Yaml("{metadata: {name: c, namespace: team-a, creationTimestamp: '2026-04-20T09:00:00Z'}}")};
    kfix::ConsumeResult c = ConsumeIntent(o, opts);
    REQUIRE(c.delete_pod);
    CHECK(c.delete_pod->name == "b");
    CHECK(c.patch.empty());
  }
  SUBCASE("an effect that cannot be built is rejected without moving the generation") {
    Value o = ClawObject(IntentJson("bump-memory", R"({"target":"2Gi"})", 100), "10");
    ConsumeOptions opts = Opts();
    opts.container = "missing";
    kfix::ConsumeResult c = ConsumeIntent(o, opts);
    CHECK(c.decision == IntentDecision::kReject);
    CHECK(c.next_generation == 10);
    Value pod = Yaml(R"(
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    claw.prismer.ai/ops-intent: '{"action":"scale-replicas","params":{"replicas":"2"},"generation":3,"source":"rule-engine"}'
spec:
  containers: [{name: runtime, image: x}]
)");
    CHECK(ConsumeIntent(pod, Opts()).decision == IntentDecision::kReject);
  }
  SUBCASE("no intent annotation: skip, nothing changes") {
    Value o = ClawObject("", "10");
    kfix::ConsumeResult c = ConsumeIntent(o, Opts());
    CHECK(c.decision == IntentDecision::kSkip);
    CHECK(c.annotations == *o.FindPath({"metadata", "annotations"}));
  }
}

TEST_CASE("property: a rejected intent never moves the stored generation (random sequences)") {
  std::mt19937_64 rng(0x6b666978);
  const std::vector<std::string> shapes = {
      "bump-memory|{\"target\":\"1Gi\"}", "scale-replicas|{\"replicas\":\"3\"}", "rollout-restart|{}",
      "set-image|{\"image\":\"x\"}",       "scale-replicas|{\"replicas\":\"100\"}", "bump-cpu|{\"target\":\"zz\"}",
      "delete-namespace|{}",              "|{}",
  };
  for (int seq = 0; seq < 200; ++seq) {
    Value o = ClawObject("", std::to_string(rng() % 1000));
    std::int64_t high_water = kfix::StoredGeneration(*o.FindPath({"metadata", "annotations"}));
    for (int step = 0; step < 30; ++step) {
      const std::string& shape = shapes[rng() % shapes.size()];
      std::string action = shape.substr(0, shape.find('|'));
      std::string params = shape.substr(shape.find('|') + 1);
      long long gen = static_cast<long long>(rng() % 3000) - 500;
      std::string text = rng() % 10 == 0 ? "{garbage" + std::to_string(gen) : IntentJson(action, params, gen);
      o.Find("metadata")->Find("annotations")->Set(kfix::kIntentAnnotation, text);
      kfix::ConsumeResult c = ConsumeIntent(o, Opts());
      std::int64_t after = kfix::StoredGeneration(c.annotations);
      CHECK(c.annotations.Find(kfix::kIntentAnnotation) == nullptr);
      if (c.decision == IntentDecision::kExecute) {
        CHECK(after > high_water);
        CHECK(after == gen);
        high_water = after;
      } else {
        REQUIRE(after == high_water);  // neither lowered nor raised to the claimed gen
      }
      Value next = o;
      *next.Find("metadata")->Find("annotations") = c.annotations;
      o = std::move(next);
    }
  }
}

// ---------------------------------------------------------------------------
// Signals and the rule engine
// ---------------------------------------------------------------------------

namespace {

kfix::Signal Sig(kfix::TriggerType t, kfix::SignalSeverity s, std::int64_t count) {
  kfix::Signal sig;
  sig.type = t;
  sig.severity = s;
  sig.count = count;
  return sig;
}

}  // namespace

TEST_CASE("signal extraction from pod status") {
  Value oom = Yaml(R"(
metadata: {name: claw-0}
status:
  phase: Running
  containerStatuses:
  - name: runtime
    restartCount: 3
    lastState: {terminated: {reason: OOMKilled, exitCode: 137}}
    state: {waiting: {reason: CrashLoopBackOff}}
  - name: sidecar
    restartCount: 6
    state: {waiting: {reason: CrashLoopBackOff}}
  - name: fine
    restartCount: 0
)");
  std::vector<kfix::Signal> s = kfix::ExtractSignals(oom);
  REQUIRE(s.size() == 2);
  CHECK(s[0].type == kfix::TriggerType::kOOMKilled);  // OOM wins over CrashLoop for one container
  CHECK(s[0].severity == kfix::SignalSeverity::kHigh);
  CHECK(s[0].count == 3);
  CHECK(s[0].message.find("137") != std::string::npos);
  CHECK(s[1].type == kfix::TriggerType::kCrashLoop);
  CHECK(s[1].count == 6);
  Value evicted = Yaml(R"(
metadata: {name: claw-1}
status:
  phase: Failed
  reason: Evicted
  containerStatuses:
  - {name: runtime, restartCount: 9, lastState: {terminated: {reason: OOMKilled}}}
)");
  s = kfix::ExtractSignals(evicted);
  REQUIRE(s.size() == 1);
  CHECK(s[0].type == kfix::TriggerType::kEvicted);
  CHECK(s[0].severity == kfix::SignalSeverity::kHigh);
  CHECK(s[0].count == 1);
  CHECK(kfix::ExtractSignals(Yaml("{status: {containerStatuses: [1, {name: x}]}}")).empty());
  CHECK(kfix::ExtractSignals(Value("x")).empty());
}

TEST_CASE("rule engine (§2.8)") {
  const auto rules = kfix::DefaultRules();
  REQUIRE(rules.size() == 3);
  CHECK(rules[0].id == "oom-bump-memory");
  CHECK(rules[0].cooldown == std::chrono::minutes(30));
  CHECK(rules[1].id == "crashloop-restart-pod");
  CHECK(rules[1].cooldown == std::chrono::minutes(10));
  CHECK(rules[2].id == "high-cpu-bump-request");
  ActionTime now = T("2026-04-20T10:00:00Z");
  kfix::RuleCooldowns none;
  using TT = kfix::TriggerType;
  using S = kfix::SignalSeverity;
  const kfix::Rule* r = kfix::MatchRule(rules, Sig(TT::kOOMKilled, S::kHigh, 3), "a", none, now);
  REQUIRE(r);
  CHECK(r->id == "oom-bump-memory");
  CHECK(kfix::MatchRule(rules, Sig(TT::kOOMKilled, S::kHigh, 1), "a", none, now) == nullptr);  // debounce
  CHECK(kfix::MatchRule(rules, Sig(TT::kOOMKilled, S::kCritical, 2), "a", none, now) != nullptr);
  CHECK(kfix::MatchRule(rules, Sig(TT::kOOMKilled, S::kMedium, 9), "a", none, now) == nullptr);  // Medium vs High-only
  CHECK(kfix::MatchRule(rules, Sig(TT::kUnknown, S::kCritical, 9), "a", none, now) == nullptr);
  CHECK(kfix::MatchRule(rules, Sig(TT::kCrashLoop, S::kHigh, 4), "a", none, now) == nullptr);
  CHECK(kfix::MatchRule(rules, Sig(TT::kCrashLoop, S::kHigh, 5), "a", none, now)->id == "crashloop-restart-pod");
  // Cooldowns are per (claw, rule): boundary at exactly 30 min.
  kfix::RuleCooldowns cd{{"a/oom-bump-memory", now - std::chrono::minutes(29)}};
  CHECK(kfix::MatchRule(rules, Sig(TT::kOOMKilled, S::kHigh, 3), "a", cd, now) == nullptr);
  CHECK(kfix::MatchRule(rules, Sig(TT::kOOMKilled, S::kHigh, 3), "b", cd, now) != nullptr);
  cd["a/oom-bump-memory"] = now - std::chrono::minutes(30);
  CHECK(kfix::MatchRule(rules, Sig(TT::kOOMKilled, S::kHigh, 3), "a", cd, now) != nullptr);
  // {HighCPU Medium, OOM High} → OOM wins; ties keep the earlier.
  std::vector<kfix::Signal> sigs = {Sig(TT::kHighCPU, S::kMedium, 1), Sig(TT::kOOMKilled, S::kHigh, 3)};
  auto sel = kfix::SelectSignal(rules, sigs, "a", none, now);
  REQUIRE(sel);
  CHECK(sel->signal_index == 1);
  CHECK(sel->rule.id == "oom-bump-memory");
  sigs = {Sig(TT::kCrashLoop, S::kHigh, 7), Sig(TT::kOOMKilled, S::kHigh, 3)};
  CHECK(kfix::SelectSignal(rules, sigs, "a", none, now)->signal_index == 0);
  CHECK(!kfix::SelectSignal(rules, {Sig(TT::kOOMKilled, S::kHigh, 1)}, "a", none, now));
}

TEST_CASE("strategy multiply-1.5 with max → a concrete target (quantity arithmetic)") {
  CHECK(*kfix::ResolveTarget("memory", "512Mi", "multiply-1.5", "4Gi") == "768Mi");
  CHECK(*kfix::ResolveTarget("memory", "1Gi", "multiply-1.5", "4Gi") == "1536Mi");
  CHECK(*kfix::ResolveTarget("memory", "3Gi", "multiply-1.5", "4Gi") == "4Gi");  // capped
  CHECK(*kfix::ResolveTarget("memory", "4Gi", "multiply-1.5", "4Gi") == "4Gi");
  CHECK(*kfix::ResolveTarget("memory", "1G", "multiply-1.5", "") == "1500000000");
  CHECK(*kfix::ResolveTarget("memory", "100", "multiply-1.5", "4Gi") == "150");
  CHECK(*kfix::ResolveTarget("memory", "3", "multiply-1.5", "") == "5");  // rounded up
  CHECK(*kfix::ResolveTarget("cpu", "500m", "multiply-1.5", "4") == "750m");
  CHECK(*kfix::ResolveTarget("cpu", "2", "multiply-1.5", "4") == "3");
  CHECK(*kfix::ResolveTarget("cpu", "3", "multiply-1.5", "4") == "4");
  CHECK(*kfix::ResolveTarget("cpu", "1", "multiply-1.5", "4") == "1500m");
  CHECK(*kfix::ResolveTarget("cpu", "1m", "multiply-1.5", "4") == "2m");
  CHECK(!kfix::ResolveTarget("memory", "", "multiply-1.5", "4Gi").ok());
  CHECK(!kfix::ResolveTarget("memory", "abc", "multiply-1.5", "4Gi").ok());
  CHECK(!kfix::ResolveTarget("memory", "1Gi", "multiply-x", "4Gi").ok());
  CHECK(!kfix::ResolveTarget("memory", "1Gi", "add-1", "4Gi").ok());
  CHECK(!kfix::ResolveTarget("memory", "1Gi", "multiply-0", "4Gi").ok());
  CHECK(!kfix::ResolveTarget("memory", "1Gi", "multiply-1.5", "huge").ok());
  CHECK(!kfix::ResolveTarget("disk", "1Gi", "multiply-1.5", "4Gi").ok());
  CHECK(!kfix::ResolveTarget("memory", "8Ei", "multiply-1000", "").ok());  // overflow is an error, not a wrap
  // Rule → intent: the resolved target against the runtime container.
  Value o = ClawObject("", "");
  auto intent = kfix::IntentFromRule(kfix::DefaultRules()[0], o, 1713607200000);
  REQUIRE(intent.ok());
  CHECK(intent->action == "bump-memory");
  CHECK(intent->params.at("target") == "1536Mi");
  CHECK(intent->source == "rule-engine");
  auto cpu = kfix::IntentFromRule(kfix::DefaultRules()[2], o, 5);
  REQUIRE(cpu.ok());
  CHECK(cpu->action == "bump-cpu");  // the cpu-request rule raises the CPU limit
  CHECK(cpu->params.at("target") == "1500m");
  auto restart = kfix::IntentFromRule(kfix::DefaultRules()[1], o, 5);
  CHECK(restart->action == "restart-pod");
  CHECK(restart->params.at("strategy") == "delete-oldest");
}

// ---------------------------------------------------------------------------
// Receipts over the exact intent bytes (§2.6)
// ---------------------------------------------------------------------------

TEST_CASE("receipts: RFC 8032 vector in the claw profile, sign/verify/tamper over intents") {
  auto key = kfix::SigningKey::FromSeedHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  REQUIRE(key.ok());
  CHECK(key->public_key().Hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  CHECK(key->public_key().Hex().size() == 64);
  kfix::ClawReceipt r;
  r.id = "rec_00000000000000000000000000000000";
  r.key = "rule-engine";
  r.tool = "bump-memory";
  r.params = Yaml("{target: 768Mi}");
  r.target = "claw://default/my-claw";
  r.ts = "2026-04-20T10:00:00Z";
  kfix::ClawSign(*key, r);
  CHECK(r.sig ==
        "25019f46470310ad654164083cc11faa33a97124e605a1af16d8606f2d3639b0fcb044b88f07bf8704bed81a9f50153f833d3f16cc8785c8add5741e9af65d09");
  CHECK(kfix::ClawVerify(r, key->public_key()).ok());
  r.tool = "scale-replicas";
  CHECK(!kfix::ClawVerify(r, key->public_key()).ok());

  // The auto path: the controller signs the exact intent bytes.
  kfix::ReconcileInputs in;
  in.state.namespace_ = "default";
  in.state.name = "my-claw";
  in.now = T("2026-04-20T10:00:00Z");
  in.workload = ClawObject("", "");
  in.signals = {Sig(kfix::TriggerType::kOOMKilled, kfix::SignalSeverity::kHigh, 3)};
  in.signer = &*key;
  in.receipt_id = "rec_0123456789abcdef0123456789abcdef";
  kfix::ReconcileDecision d = kfix::DecideReconcile(in);
  REQUIRE(d.execute);
  REQUIRE(d.execute->receipt);
  kfix::KeyRing ring;
  ring.Add(key->public_key());
  CHECK(kfix::VerifyCanonicalBytes(*d.execute->receipt, d.execute->intent_json, ring).ok());
  std::string tampered = d.execute->intent_json;
  tampered.replace(tampered.find("1536Mi"), 6, "9999Gi");
  CHECK(kfix::VerifyCanonicalBytes(*d.execute->receipt, tampered, ring).failure ==
        kfix::ReceiptFailure::kPayloadHashMismatch);
  CHECK(d.execute->receipt->payload_sha256 == kfix::Sha256Hex(d.execute->intent_json));
  REQUIRE(d.execute->claw_receipt);
  CHECK(kfix::ClawVerify(*d.execute->claw_receipt, key->public_key()).ok());
  CHECK(d.execute->claw_receipt->target == "claw://default/my-claw");
  CHECK(d.execute->escalation.signet_receipt == d.execute->receipt->ToJson());
  // Two signings with different ids differ; signing never blocks: no signer → unsigned action.
  kfix::ReconcileInputs in2 = in;
  in2.receipt_id = "rec_ffffffffffffffffffffffffffffffff";
  CHECK(kfix::DecideReconcile(in2).execute->claw_receipt->sig != d.execute->claw_receipt->sig);
  in2.signer = nullptr;
  kfix::ReconcileDecision unsigned_d = kfix::DecideReconcile(in2);
  REQUIRE(unsigned_d.execute);
  CHECK(!unsigned_d.execute->receipt);
  CHECK(unsigned_d.execute->escalation.signet_receipt.empty());
}

// ---------------------------------------------------------------------------
// Controller decision (§2.4)
// ---------------------------------------------------------------------------

TEST_CASE("controller: OOMKilled pod (restartCount 3, exit 137) → auto action with an AutoExecuted escalation") {
  Value pod = Yaml(R"(
metadata: {name: my-claw-0}
status:
  containerStatuses:
  - {name: runtime, restartCount: 3, lastState: {terminated: {reason: OOMKilled, exitCode: 137}}}
)");
  kfix::ReconcileInputs in;
  in.state.namespace_ = "team-a";
  in.state.name = "my-claw";
  in.now = T("2026-04-20T10:00:00Z");
  in.workload = ClawObject("", "");
  in.signals = kfix::ExtractSignals(pod);
  kfix::ReconcileDecision d = kfix::DecideReconcile(in);
  REQUIRE(d.execute);
  CHECK(d.execute->escalation.trigger == kfix::TriggerType::kOOMKilled);
  CHECK(d.execute->escalation.severity == kfix::SignalSeverity::kHigh);
  CHECK(d.execute->escalation.phase == kfix::EscalationPhase::kAutoExecuted);
  CHECK(d.execute->escalation.matched_rule == "oom-bump-memory");
  CHECK(d.execute->intent.generation == 1776679200000);  // Unix ms of now
  CHECK(d.execute->intent.params.at("target") == "1536Mi");
  CHECK(d.next_state.actions.size() == 1);
  CHECK(d.next_state.cooldowns.count("my-claw/oom-bump-memory") == 1);
  // The executed intent passes the consumer.
  Value o = ClawObject(d.execute->intent_json, "");
  CHECK(ConsumeIntent(o, Opts()).decision == IntentDecision::kExecute);
  Value json = d.ToValue();
  CHECK(json.Find("execute")->Find("escalation")->FindPath({"status", "phase"})->as_string() == "AutoExecuted");
  CHECK(d.AuditRecords().front().type == "intent.auto_executed");

  SUBCASE("a signal that did not match (debounce) escalates instead") {
    in.signals = {Sig(kfix::TriggerType::kOOMKilled, kfix::SignalSeverity::kHigh, 1)};
    kfix::ReconcileDecision e = kfix::DecideReconcile(in);
    CHECK(!e.execute);
    REQUIRE(e.escalate.size() == 1);
    CHECK(e.escalate[0].trigger == kfix::TriggerType::kOOMKilled);
    CHECK(e.escalate[0].phase == kfix::EscalationPhase::kPending);
  }
}

TEST_CASE("controller: budget of 5 per sliding hour, one action per reconcile, escalate the rest") {
  using TT = kfix::TriggerType;
  using S = kfix::SignalSeverity;
  kfix::ReconcileInputs in;
  in.state.namespace_ = "ns";
  in.state.name = "c";
  in.now = T("2026-04-20T10:00:00Z");
  in.workload = ClawObject("", "");
  in.signals = {Sig(TT::kCrashLoop, S::kHigh, 9), Sig(TT::kOOMKilled, S::kHigh, 3), Sig(TT::kHighCPU, S::kMedium, 1),
                Sig(TT::kEvicted, S::kHigh, 1)};
  kfix::ReconcileDecision d = kfix::DecideReconcile(in);
  REQUIRE(d.execute);
  CHECK(d.execute->rule.id == "crashloop-restart-pod");  // first of the High ties
  REQUIRE(d.escalate.size() == 3);
  CHECK(d.escalate[0].trigger == TT::kOOMKilled);  // matched but lost: escalated, not executed
  CHECK(d.escalate[1].trigger == TT::kHighCPU);
  CHECK(d.escalate[2].trigger == TT::kEvicted);

  // Five actions in the last hour (the oldest 59:59 ago) → no auto action.
  for (int i = 0; i < 5; ++i) in.state.actions.push_back(in.now - std::chrono::seconds(3599 - i));
  d = kfix::DecideReconcile(in);
  CHECK(d.budget_exhausted);
  CHECK(!d.execute);
  CHECK(d.escalate.size() == 4);
  // One of them exactly an hour old has left the window.
  in.state.actions[0] = in.now - std::chrono::hours(1);
  d = kfix::DecideReconcile(in);
  CHECK(!d.budget_exhausted);
  CHECK(d.execute);
  CHECK(d.next_state.actions.size() == 5);

  // Signals whose type has an open escalation are dropped.
  kfix::ReconcileInputs in2;
  in2.state.name = "c";
  in2.now = in.now;
  in2.workload = in.workload;
  kfix::Escalation open;
  open.trigger = TT::kCrashLoop;
  open.phase = kfix::EscalationPhase::kAwaitingApproval;
  open.created = in.now - std::chrono::minutes(5);
  in2.state.escalations = {open};
  in2.signals = {Sig(TT::kCrashLoop, S::kHigh, 9)};
  d = kfix::DecideReconcile(in2);
  CHECK(d.dropped.size() == 1);
  CHECK(!d.execute);
  CHECK(d.escalate.empty());
}

TEST_CASE("controller: approved proposals become intents after re-validation; terminal escalations are GC'd") {
  kfix::ReconcileInputs in;
  in.state.name = "c";
  in.now = T("2026-04-20T10:00:00Z");
  kfix::Escalation ok;
  ok.name = "c-ops-1";
  ok.phase = kfix::EscalationPhase::kApproved;
  ok.proposed_action = IntentJson("scale-replicas", R"({"replicas":"3"})", 77, "companion-claw");
  ok.created = in.now;
  kfix::Escalation bad = ok;
  bad.name = "c-ops-2";
  bad.proposed_action = IntentJson("set-image", R"({"image":"evil"})", 78, "companion-claw");
  kfix::Escalation old_done;
  old_done.name = "c-ops-old";
  old_done.phase = kfix::EscalationPhase::kExecuted;
  old_done.ttl_seconds = 3600;
  old_done.created = in.now - std::chrono::seconds(3601);
  kfix::Escalation young_done = old_done;
  young_done.name = "c-ops-young";
  young_done.created = in.now - std::chrono::seconds(3600);
  in.state.escalations = {ok, bad, old_done, young_done};
  kfix::ReconcileDecision d = kfix::DecideReconcile(in);
  REQUIRE(d.approved_intents.size() == 1);
  CHECK(d.approved_intents[0].escalation_ref == "c-ops-1");
  CHECK(d.approved_intents[0].generation == 77);
  REQUIRE(d.approved_errors.size() == 1);
  CHECK(d.approved_errors[0].find("c-ops-2") == 0);
  REQUIRE(d.gc.size() == 1);
  CHECK(d.gc[0] == "c-ops-old");
  bool found_executed = false;
  for (const kfix::Escalation& e : d.next_state.escalations) {
    if (e.name == "c-ops-1") found_executed = e.phase == kfix::EscalationPhase::kExecuted && !e.executed_action.empty();
    if (e.name == "c-ops-2") CHECK(e.phase == kfix::EscalationPhase::kFailed);
  }
  CHECK(found_executed);
}

// ---------------------------------------------------------------------------
// Escalations (§2.7)
// ---------------------------------------------------------------------------

TEST_CASE("escalation phase machine") {
  using P = kfix::EscalationPhase;
  using E = kfix::EscalationEvent;
  CHECK(*kfix::NextEscalationPhase(P::kPending, E::kAutoExecute) == P::kAutoExecuted);
  P p = P::kPending;
  for (E e : {E::kAnalyze, E::kPropose, E::kPolicyRequireApproval, E::kApprove, E::kExecute}) {
    auto n = kfix::NextEscalationPhase(p, e);
    REQUIRE(n.ok());
    p = *n;
  }
  CHECK(p == P::kExecuted);
  CHECK(*kfix::NextEscalationPhase(P::kAwaitingApproval, E::kReject) == P::kRejected);
  CHECK(*kfix::NextEscalationPhase(P::kProposed, E::kPolicyDeny) == P::kRejected);
  CHECK(*kfix::NextEscalationPhase(P::kProposed, E::kPolicyAllow) == P::kApproved);
  CHECK(*kfix::NextEscalationPhase(P::kAnalyzing, E::kAnalysisFailed) == P::kAwaitingApproval);
  for (P from : {P::kPending, P::kAnalyzing, P::kProposed, P::kAwaitingApproval, P::kApproved}) {
    CHECK(*kfix::NextEscalationPhase(from, E::kFail) == P::kFailed);
  }
  for (P terminal : {P::kAutoExecuted, P::kExecuted, P::kRejected, P::kFailed}) {
    CHECK(kfix::IsTerminal(terminal));
    CHECK(!kfix::NextEscalationPhase(terminal, E::kFail).ok());
  }
  CHECK(!kfix::NextEscalationPhase(P::kPending, E::kExecute).ok());
  CHECK(!kfix::NextEscalationPhase(P::kAwaitingApproval, E::kAutoExecute).ok());
  // Round trip of the record.
  kfix::Escalation e;
  e.name = "c-ops-abc";
  e.claw = "c";
  e.namespace_ = "ns";
  e.trigger = kfix::TriggerType::kOOMKilled;
  e.severity = kfix::SignalSeverity::kCritical;
  e.phase = P::kAwaitingApproval;
  e.created = T("2026-04-20T10:00:00Z");
  e.proposed_action = IntentJson("rollout-restart", "{}", 3);
  auto back = kfix::Escalation::FromValue(e.ToValue());
  REQUIRE(back.ok());
  CHECK(back->ToValue() == e.ToValue());
}

TEST_CASE("approval timeouts by severity") {
  using A = kfix::ApprovalTimeoutAction;
  using S = kfix::SignalSeverity;
  const auto m = [](int minutes) { return std::chrono::seconds(minutes * 60); };
  CHECK(kfix::ApprovalTimeout(S::kCritical, m(29) + std::chrono::seconds(59), 0) == A::kWait);
  CHECK(kfix::ApprovalTimeout(S::kCritical, m(30), 0) == A::kRenotify);
  CHECK(kfix::ApprovalTimeout(S::kCritical, m(30), 2) == A::kRenotify);
  CHECK(kfix::ApprovalTimeout(S::kCritical, m(30), 3) == A::kEscalateToAdmin);
  CHECK(kfix::ApprovalTimeout(S::kHigh, m(30), 0) == A::kRenotify);
  CHECK(kfix::ApprovalTimeout(S::kHigh, m(30), 1) == A::kReject);
  CHECK(kfix::ApprovalTimeout(S::kMedium, m(30), 0) == A::kReject);
  CHECK(kfix::ApprovalTimeout(S::kLow, m(30), 0) == A::kReject);
  CHECK(kfix::ApprovalTimeout(S::kLow, m(10), 0) == A::kWait);
}

TEST_CASE("proposal policy: allow / require_approval / deny by tool, agent, target glob; default deny") {
  kfix::ProposalPolicy d = kfix::ProposalPolicy::PhaseD();
  using A = kfix::PolicyAction;
  CHECK(kfix::CheckPolicy(d, "kubectl_get", "companion-claw", "claw://ns/c") == A::kAllow);
  CHECK(kfix::CheckPolicy(d, "escalation_propose", "companion-claw", "claw://ns/c") == A::kAllow);
  CHECK(kfix::CheckPolicy(d, "claw_set_intent", "rule-engine", "claw://ns/c") == A::kAllow);
  CHECK(kfix::CheckPolicy(d, "claw_set_intent", "companion-claw", "claw://ns/c") == A::kDeny);
  CHECK(kfix::CheckPolicy(d, "kubectl_patch", "companion-claw", "claw://ns/c") == A::kDeny);
  CHECK(kfix::CheckPolicy(d, "kubectl_delete", "companion-claw", "anything") == A::kDeny);
  CHECK(kfix::CheckPolicy(d, "unknown_tool", "someone", "x") == A::kDeny);
  auto p = kfix::ProposalPolicy::FromValue(Yaml(R"(
default_action: deny
rules:
- {tool: "claw_*", agent: companion-claw, target: "claw://prod/*", action: require_approval}
- {tool: "claw_*", agent: "*", target: "claw://dev/?aw", action: allow}
)"));
  REQUIRE(p.ok());
  CHECK(kfix::CheckPolicy(*p, "claw_set_intent", "companion-claw", "claw://prod/c1") == A::kRequireApproval);
  CHECK(kfix::CheckPolicy(*p, "claw_set_intent", "bob", "claw://dev/law") == A::kAllow);
  CHECK(kfix::CheckPolicy(*p, "claw_set_intent", "bob", "claw://dev/claw") == A::kDeny);
  CHECK(!kfix::ProposalPolicy::FromValue(Yaml("{rules: [{tool: x, action: maybe}]}")).ok());
  CHECK(!kfix::ProposalPolicy::FromValue(Yaml("{default_action: allow, extra: 1}")).ok());
  CHECK(kfix::GlobMatch("*", ""));
  CHECK(kfix::GlobMatch("a*b*c", "aXXbYYc"));
  CHECK(!kfix::GlobMatch("a*b*c", "aXXbYY"));
  CHECK(kfix::GlobMatch("claw://*/c", "claw://ns/sub/c"));
}

TEST_CASE("re-validation of an approved proposal before it becomes an intent") {
  kfix::Escalation e;
  e.name = "c-ops-9";
  e.phase = kfix::EscalationPhase::kApproved;
  e.proposed_action = IntentJson("scale-replicas", R"({"replicas":"100"})", 5, "companion-claw");
  CHECK(!kfix::IntentFromApprovedProposal(e).ok());
  e.proposed_action = IntentJson("scale-replicas", R"({"replicas":"4"})", 5, "companion-claw");
  auto i = kfix::IntentFromApprovedProposal(e);
  REQUIRE(i.ok());
  CHECK(i->escalation_ref == "c-ops-9");
  e.phase = kfix::EscalationPhase::kAwaitingApproval;
  CHECK(!kfix::IntentFromApprovedProposal(e).ok());
}

TEST_CASE("audit: consumed intents are recorded in the hash-chained log") {
  std::vector<std::string> lines;
  kfix::AuditLogOptions opts;
  opts.clock = [] { return T("2026-04-20T10:00:00Z"); };
  auto log = kfix::AuditLog::Create(std::make_unique<kfix::CallbackSink>([&](const kfix::AuditEntry& e) {
                                      lines.push_back(e.line);
                                      return kfix::Status();
                                    }),
                                    std::move(opts));
  REQUIRE(log.ok());
  Value o = ClawObject(IntentJson("rollout-restart", "{}", 50), "");
  kfix::ConsumeResult c = ConsumeIntent(o, Opts());
  REQUIRE(kfix::AppendActionAudit(**log, c.AuditRecords()).ok());
  Value bad = ClawObject(IntentJson("set-image", "{}", 51), "");
  REQUIRE(kfix::AppendActionAudit(**log, ConsumeIntent(bad, Opts()).AuditRecords()).ok());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("intent.executed") != std::string::npos);
  CHECK(lines[1].find("intent.rejected") != std::string::npos);
  std::string all = lines[0] + "\n" + lines[1] + "\n";
  CHECK(kfix::VerifyAuditLog(all).ok());
}

TEST_CASE("RFC 3339 parsing for --now") {
  CHECK(kfix::FormatRfc3339(T("2026-04-20T10:00:00Z")) == "2026-04-20T10:00:00Z");
  CHECK(kfix::FormatRfc3339(T("2026-04-20T12:30:00+02:30")) == "2026-04-20T10:00:00Z");
  CHECK(kfix::FormatRfc3339(T("2024-02-29T23:59:59.999Z")) == "2024-02-29T23:59:59Z");
  CHECK(kfix::FormatRfc3339(T("1969-12-31T23:59:59Z")) == "1969-12-31T23:59:59Z");
  for (const char* bad : {"", "2026-04-20", "2026-04-20T10:00:00", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                          "2025-02-29T00:00:00Z", "2026-04-20T24:00:00Z", "2026-04-20T10:00:00Zjunk",
                          "2026-04-20T10:00:00+0200", "yesterday"}) {
    auto t = kfix::ParseRfc3339(bad);
    CHECK_MESSAGE(!t.ok(), bad);
    if (!t.ok()) CHECK(t.status().code() == kfix::StatusCode::kInvalidArgument);
  }
}
