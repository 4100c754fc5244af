// Typed actions, part 2 (playbooks.md §4.6): the closed SRE action set,
// plans, the state machine at its exact boundary seconds, the recovery
// predicate and the incident watcher.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "kfix/actions.hpp"
#include "kfix/core.hpp"

namespace {

using kfix::ActionTime;
using kfix::SrePhase;
using kfix::Value;
using std::chrono::seconds;

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

// 2026-04-20T10:00:00Z (a constant: T() cannot run before doctest starts).
const ActionTime kCreated{std::chrono::seconds(1776679200)};

kfix::SreAction Action(const std::string& type, const std::string& params_yaml, const std::string& approval = "Pending") {
  std::string text = "apiVersion: kars.azure.com/v1alpha1\nkind: KarsSREAction\nmetadata:\n  name: sre-action-x\n"
                     "  namespace: kars-sre\n  uid: abc123-4567-89\n  creationTimestamp: '2026-04-20T10:00:00Z'\n"
                     "spec:\n  action:\n    type: " +
                     type + "\n    params: " + params_yaml + "\n  rationale: quota blocks the rollout\n  approval:\n    state: " +
                     approval + "\n";
  auto a = kfix::ParseSreAction(Yaml(text));
  REQUIRE_MESSAGE(a.ok(), a.status().ToString());
  return *a;
}

std::vector<Value> Snapshot(const std::string& yaml_stream) {
  kfix::LoadResult r = kfix::LoadYaml(yaml_stream, "snapshot.yaml");
  REQUIRE(r.errors.empty());
  std::vector<Value> out;
  for (auto& m : r.manifests) out.push_back(m.root);
  return out;
}

std::string Healthy() {
  return "kind: Deployment\nmetadata: {name: web, namespace: kars-a}\nspec: {replicas: 1}\nstatus: {availableReplicas: 1}\n";
}

}  // namespace

// ---------------------------------------------------------------------------
// Actions (§4.6)
// ---------------------------------------------------------------------------

TEST_CASE("actions: closed set, required params in order, deny-list, bounds rejected never clamped") {
  CHECK(kfix::ValidateSreAction(Action("DeleteResourceQuota", "{namespace: team-a, name: q}")).ok());
  kfix::SreAction unsupported = Action("DeleteNamespace", "{namespace: team-a, name: q}");
  CHECK(!kfix::ValidateSreAction(unsupported).ok());
  CHECK(!kfix::CheckSreAdmission(unsupported).ok());
  CHECK(kfix::ValidateSreAction(unsupported).message().find("unsupported") != std::string::npos);
  for (const std::string& ns : kfix::SreProtectedNamespaces()) {
    kfix::Status s = kfix::ValidateSreAction(Action("DeleteResourceQuota", "{namespace: " + ns + ", name: q}"));
    CHECK_MESSAGE(s.code() == kfix::StatusCode::kPermissionDenied, ns);
  }
  CHECK(kfix::SreProtectedNamespaces().size() == 6);
  // Exact match: a prefix or a different case is not the protected namespace.
  CHECK(kfix::ValidateSreAction(Action("DeletePod", "{namespace: kube-system-2, name: p}")).ok());
  kfix::Status missing = kfix::ValidateSreAction(Action("PatchDeploymentImage", "{namespace: team-a, name: web, image: x}"));
  CHECK(missing.message().find("`container`") != std::string::npos);
  // Order: namespace before name before container before image, before the deny-list.
  CHECK(kfix::ValidateSreAction(Action("PatchDeploymentImage", "{}")).message().find("`namespace`") != std::string::npos);
  CHECK(kfix::ValidateSreAction(Action("PatchDeploymentImage", "{namespace: kube-system}")).message().find("`name`") !=
        std::string::npos);
  CHECK(kfix::ValidateSreAction(Action("ScaleDeployment", "{namespace: kube-system, name: w, replicas: 100}")).code() ==
        kfix::StatusCode::kPermissionDenied);  // deny-list before the replicas range
  CHECK(kfix::ValidateSreAction(Action("ScaleDeployment", "{namespace: team-a, name: w, replicas: 5}")).ok());
  CHECK(kfix::ValidateSreAction(Action("ScaleDeployment", "{namespace: team-a, name: w, replicas: 0}")).ok());
  CHECK(kfix::ValidateSreAction(Action("ScaleDeployment", "{namespace: team-a, name: w, replicas: 50}")).ok());
  CHECK(kfix::ValidateSreAction(Action("ScaleDeployment", "{namespace: team-a, name: w, replicas: '7'}")).ok());
  for (const char* bad : {"100", "51", "-1", "'abc'", "1.5", "null", "[1]"}) {
    CHECK_MESSAGE(!kfix::ValidateSreAction(Action("ScaleDeployment", std::string("{namespace: team-a, name: w, replicas: ") + bad + "}")).ok(),
                  bad);
  }
  CHECK(kfix::ValidateSreAction(Action("RolloutRestart", "{namespace: team-a, name: w}")).ok());
  CHECK(kfix::ValidateSreAction(Action("RolloutRestart", "{namespace: team-a, name: w, kind: StatefulSet}")).ok());
  CHECK(!kfix::ValidateSreAction(Action("RolloutRestart", "{namespace: team-a, name: w, kind: CronJob}")).ok());
  CHECK(kfix::SreRequiredParams(kfix::SreActionType::kPatchDeploymentImage) ==
        std::vector<std::string>{"namespace", "name", "container", "image"});
}

TEST_CASE("admission: ttlMinutes range, length caps, control bytes") {
  kfix::SreAction a = Action("DeletePod", "{namespace: team-a, name: p}");
  CHECK(kfix::CheckSreAdmission(a).ok());
  a.ttl_minutes = 0;
  CHECK(!kfix::CheckSreAdmission(a).ok());
  a.ttl_minutes = 61;
  CHECK(!kfix::CheckSreAdmission(a).ok());
  a.ttl_minutes = 60;
  CHECK(kfix::CheckSreAdmission(a).ok());
  a.rationale = std::string(2048, 'r');
  CHECK(kfix::CheckSreAdmission(a).ok());
  a.rationale += "r";
  CHECK(!kfix::CheckSreAdmission(a).ok());
  a.rationale = "line one\n\tline two\r\n";
  CHECK(kfix::CheckSreAdmission(a).ok());
  for (char c : {'\x00', '\x08', '\x0b', '\x0c', '\x0e', '\x1f', '\x7f'}) {
    a.rationale = std::string("log ") + c + " injection";
    CHECK(!kfix::CheckSreAdmission(a).ok());
  }
  a.rationale = "";
  a.diagnosis = std::string(513, 'd');
  CHECK(!kfix::CheckSreAdmission(a).ok());
  a.diagnosis = std::string(256, 'd') + std::string(256, 'e');
  CHECK(kfix::CheckSreAdmission(a).ok());
  a.approval_note = std::string(512, 'n');
  CHECK(kfix::CheckSreAdmission(a).ok());
  a.approval_note += "\x1b";
  CHECK(!kfix::CheckSreAdmission(a).ok());
  // UTF-8 counts characters, not bytes.
  std::string e_acute = "\xc3\xa9";
  a.approval_note.clear();
  for (int i = 0; i < 512; ++i) a.approval_note += e_acute;
  CHECK(kfix::CheckSreAdmission(a).ok());
  // Shape errors.
  CHECK(kfix::ParseSreAction(Yaml("{kind: KarsSREAction, apiVersion: kars.azure.com/v1alpha1}")).status().code() ==
        kfix::StatusCode::kParseError);
  CHECK(!kfix::ParseSreAction(Yaml("{kind: Pod, apiVersion: v1, spec: {}}")).ok());
  CHECK(!kfix::ParseSreAction(Yaml(
                                  "{kind: KarsSREAction, apiVersion: kars.azure.com/v1alpha1, spec: {action: {type: DeletePod}, "
                                  "approval: {state: Maybe}}}"))
             .ok());
}

TEST_CASE("params round-trip arbitrary nested JSON unchanged; ids and binding names") {
  kfix::SreAction a = Action("DeletePod", "{namespace: team-a, name: p, extra: {deep: [1, {x: null}, 2.5, true]}}");
  Value back = a.ToValue();
  auto again = kfix::ParseSreAction(back);
  REQUIRE(again.ok());
  CHECK(again->params == a.params);
  CHECK(kfix::ToJson(again->params, kfix::JsonStyle::kCanonical) == kfix::ToJson(a.params, kfix::JsonStyle::kCanonical));
  CHECK(kfix::SreBindingName("sre-action-abc123") == "kars-sre-write-abc123");
  CHECK(kfix::SreActionId("abc123-4567-89") == "sre-action-abc123");
  CHECK(kfix::SreActionId("nodash") == "sre-action-nodash");
}

TEST_CASE("plans: RFC 6902 for patch-shaped actions, explicit deletes for the others") {
  ActionTime now = T("2026-04-20T10:05:00Z");
  auto scale = kfix::PlanSreAction(Action("ScaleDeployment", "{namespace: team-a, name: web, replicas: 3}"), nullptr, now);
  REQUIRE(scale.ok());
  CHECK(kfix::PatchToJson(*scale->patch) == R"([{"op":"replace","path":"/spec/replicas","value":3}])");
  CHECK(scale->binding_role == "kars-sre-writer-workloads");
  CHECK(scale->binding_name == "kars-sre-write-abc123");
  Value deploy = Yaml(R"(
kind: Deployment
metadata: {name: web, namespace: team-a}
spec:
  replicas: 1
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: sidecar, image: s:1}
      - {name: app, image: app:1}
)");
  kfix::SreAction img = Action("PatchDeploymentImage", "{namespace: team-a, name: web, container: app, image: 'app:2'}");
  auto no_live = kfix::PlanSreAction(img, nullptr, now);
  REQUIRE(no_live.ok());
  CHECK(!no_live->patch);
  CHECK(!no_live->note.empty());
  auto image = kfix::PlanSreAction(img, &deploy, now);
  REQUIRE(image.ok());
  CHECK(kfix::PatchToJson(*image->patch) ==
        R"([{"op":"test","path":"/spec/template/spec/containers/1/name","value":"app"},)"
        R"({"op":"replace","path":"/spec/template/spec/containers/1/image","value":"app:2"}])");
  CHECK(kfix::ApplyPatchCopy(deploy, *image->patch).ok());
  kfix::SreAction wrong = Action("PatchDeploymentImage", "{namespace: team-a, name: web, container: nope, image: x}");
  CHECK(kfix::PlanSreAction(wrong, &deploy, now).status().code() == kfix::StatusCode::kNotFound);
  auto restart = kfix::PlanSreAction(Action("RolloutRestart", "{namespace: team-a, name: web}"), &deploy, now);
  REQUIRE(restart.ok());
  CHECK(kfix::PatchToJson(*restart->patch) ==
        R"([{"op":"add","path":"/spec/template/metadata/annotations","value":{"kars.azure.com/restartedAt":"2026-04-20T10:05:00Z"}}])");
  auto restarted = kfix::ApplyPatchCopy(deploy, *restart->patch);
  REQUIRE(restarted.ok());
  CHECK(restarted->FindPath({"spec", "template", "metadata", "labels", "app"})->as_string() == "web");
  auto again = kfix::PlanSreAction(Action("RolloutRestart", "{namespace: team-a, name: web}"), &*restarted, now + seconds(60));
  CHECK(kfix::PatchToJson(*again->patch) ==
        R"([{"op":"add","path":"/spec/template/metadata/annotations/kars.azure.com~1restartedAt","value":"2026-04-20T10:06:00Z"}])");
  auto quota = kfix::PlanSreAction(Action("DeleteResourceQuota", "{namespace: team-a, name: q}"), nullptr, now);
  REQUIRE(quota.ok());
  CHECK(quota->operation == "delete");
  CHECK(quota->target.kind == "ResourceQuota");
  CHECK(!quota->patch);
  CHECK(quota->binding_role == "kars-sre-writer-quotas");
  auto pod = kfix::PlanSreAction(Action("DeletePod", "{namespace: team-a, name: p}"), nullptr, now);
  CHECK(pod->operation == "delete");
  CHECK(pod->target.kind == "Pod");
  CHECK(!kfix::PlanSreAction(Action("DeletePod", "{namespace: kars-sre, name: p}"), nullptr, now).ok());
  CHECK(kfix::CheckQuotaGuard(Yaml("{metadata: {name: q, labels: {kars.azure.com/managed-by: controller}}}")).code() ==
        kfix::StatusCode::kPermissionDenied);
  CHECK(kfix::CheckQuotaGuard(Yaml("{metadata: {name: q, labels: {kars.azure.com/managed-by: team}}}")).ok());
}

// ---------------------------------------------------------------------------
// State machine with an injected clock (§4.3)
// ---------------------------------------------------------------------------

TEST_CASE("state machine: TTL expiry in whole minutes, clamped to [1, 60]") {
  kfix::SreAction a = Action("DeletePod", "{namespace: kars-a, name: p}");
  a.ttl_minutes = 15;
  CHECK(kfix::StepSreAction(a, kCreated + seconds(14 * 60 + 59), nullptr).phase == SrePhase::kProposed);
  kfix::SreStep s = kfix::StepSreAction(a, kCreated + seconds(15 * 60), nullptr);
  CHECK(s.phase == SrePhase::kExpired);
  CHECK(s.transitioned);
  // Default TTL 15.
  a.ttl_minutes.reset();
  CHECK(kfix::StepSreAction(a, kCreated + seconds(14 * 60 + 59), nullptr).phase == SrePhase::kProposed);
  CHECK(kfix::StepSreAction(a, kCreated + seconds(15 * 60), nullptr).phase == SrePhase::kExpired);
  // TTL 0 clamps to 1, 61 to 60.
  a.ttl_minutes = 0;
  CHECK(kfix::StepSreAction(a, kCreated + seconds(59), nullptr).phase == SrePhase::kProposed);
  CHECK(kfix::StepSreAction(a, kCreated + seconds(60), nullptr).phase == SrePhase::kExpired);
  a.ttl_minutes = 61;
  CHECK(kfix::StepSreAction(a, kCreated + seconds(60 * 60 - 1), nullptr).phase == SrePhase::kProposed);
  CHECK(kfix::StepSreAction(a, kCreated + seconds(60 * 60), nullptr).phase == SrePhase::kExpired);
  // An Approved CR never expires; a Rejected one is rejected whatever its age.
  kfix::SreAction approved = Action("ScaleDeployment", "{namespace: kars-a, name: web, replicas: 2}", "Approved");
  approved.ttl_minutes = 1;
  CHECK(kfix::StepSreAction(approved, kCreated + seconds(3000), nullptr).phase == SrePhase::kApplied);
  kfix::SreAction rejected = Action("DeletePod", "{namespace: kars-a, name: p}", "Rejected");
  kfix::SreStep r = kfix::StepSreAction(rejected, kCreated + seconds(1), nullptr);
  CHECK(r.phase == SrePhase::kRejected);
  CHECK(r.transitioned);
}

TEST_CASE("state machine: approval executes with the one-shot binding; invalid fails without appliedAt") {
  kfix::SreAction a = Action("ScaleDeployment", "{namespace: kars-a, name: web, replicas: 2}", "Approved");
  ActionTime now = kCreated + seconds(30);
  kfix::SreStep s = kfix::StepSreAction(a, now, nullptr);  // missing phase = Proposed: executes on first reconcile
  REQUIRE(s.phase == SrePhase::kApplied);
  REQUIRE(s.status.applied_at);
  CHECK(*s.status.applied_at == now);
  CHECK(s.status.writer_crb_name == "kars-sre-write-abc123");
  CHECK(s.status.action_id == "sre-action-abc123");
  REQUIRE(s.effects.size() == 3);
  CHECK(s.effects[0].kind == "create-binding");
  CHECK(s.effects[1].kind == "apply");
  CHECK(s.effects[2].kind == "delete-binding");
  CHECK(s.requeue == seconds(10));
  // Conditions on Applied.
  auto cond = [&](const kfix::SreStep& st, const std::string& type) -> kfix::SreCondition {
    for (const auto& c : st.status.conditions) {
      if (c.type == type) return c;
    }
    FAIL("no condition " << type);
    return {};
  };
  CHECK(cond(s, "Available").status == "False");
  CHECK(cond(s, "Available").reason == "PendingRecovery");
  CHECK(cond(s, "Approved").status == "True");
  CHECK(cond(s, "Executed").reason == "Executed");
  CHECK(cond(s, "Degraded").status == "False");
  // The step's audit records: the approval and the transition.
  auto records = s.AuditRecords(a);
  REQUIRE(records.size() == 2);
  CHECK(records[0].type == "sre.approval");
  CHECK(records[1].type == "sre.transition");

  kfix::SreAction bad = Action("ScaleDeployment", "{namespace: kars-a, name: web, replicas: 100}", "Approved");
  kfix::SreStep f = kfix::StepSreAction(bad, now, nullptr);
  CHECK(f.phase == SrePhase::kFailed);
  CHECK(!f.status.applied_at);
  CHECK(f.effects.empty());  // no binding, no apply (the requeue is added by ToValue)
  CHECK(cond(f, "Degraded").status == "True");
  kfix::SreAction protected_ns = Action("DeletePod", "{namespace: kube-system, name: p}", "Approved");
  CHECK(kfix::StepSreAction(protected_ns, now, nullptr).phase == SrePhase::kFailed);
  // Quota deletes need the live quota and honour its label guard.
  kfix::SreAction q = Action("DeleteResourceQuota", "{namespace: kars-a, name: q}", "Approved");
  CHECK(kfix::StepSreAction(q, now, nullptr).phase == SrePhase::kFailed);
  std::vector<Value> managed = Snapshot(
      "kind: ResourceQuota\nmetadata: {name: q, namespace: kars-a, labels: {kars.azure.com/managed-by: controller}}\n");
  CHECK(kfix::StepSreAction(q, now, &managed).phase == SrePhase::kFailed);
  std::vector<Value> live = Snapshot("kind: ResourceQuota\nmetadata: {name: q, namespace: kars-a}\n");
  kfix::SreStep ok = kfix::StepSreAction(q, now, &live);
  CHECK(ok.phase == SrePhase::kApplied);
  CHECK(ok.effects[1].kind == "delete");
}

TEST_CASE("state machine: recovery window 600 s, late recovery before 1800 s, GC after 3600 s") {
  kfix::SreAction a = Action("DeletePod", "{namespace: kars-a, name: p}", "Approved");
  a.status.phase = SrePhase::kApplied;
  a.status.applied_at = kCreated + seconds(60);
  const ActionTime applied = *a.status.applied_at;
  std::vector<Value> down = Snapshot("kind: Deployment\nmetadata: {name: web, namespace: kars-a}\nspec: {replicas: 1}\n");
  std::vector<Value> up = Snapshot(Healthy());
  // Applied: recovered at any time inside the window; Failed at exactly 600 s.
  CHECK(kfix::StepSreAction(a, applied + seconds(599), &down).phase == SrePhase::kApplied);
  CHECK(kfix::StepSreAction(a, applied + seconds(599), &up).phase == SrePhase::kRecovered);
  kfix::SreStep failed = kfix::StepSreAction(a, applied + seconds(600), &down);
  CHECK(failed.phase == SrePhase::kFailed);
  CHECK(failed.status.applied_at);
  CHECK(kfix::StepSreAction(a, applied + seconds(300), nullptr).phase == SrePhase::kApplied);  // listing failure = pending
  // Failed with appliedAt → Recovered (LateRecovery) at 601..1799 s, not at 1800 s.
  kfix::SreAction f = a;
  f.status.phase = SrePhase::kFailed;
  for (int t : {601, 1000, 1799}) {
    kfix::SreStep s = kfix::StepSreAction(f, applied + seconds(t), &up);
    CHECK_MESSAGE(s.phase == SrePhase::kRecovered, t);
    CHECK(s.status.message.find("LateRecovery") != std::string::npos);
  }
  CHECK(kfix::StepSreAction(f, applied + seconds(1799), &down).phase == SrePhase::kFailed);
  CHECK(kfix::StepSreAction(f, applied + seconds(1799), &down).requeue == seconds(60));
  CHECK(kfix::StepSreAction(f, applied + seconds(1800), &up).phase == SrePhase::kFailed);
  // No late recovery for a Failed CR without appliedAt.
  kfix::SreAction never = f;
  never.status.applied_at.reset();
  CHECK(kfix::StepSreAction(never, applied + seconds(700), &up).phase == SrePhase::kFailed);
  // GC: terminal CRs older than 3600 s since creation (3600 kept, 3601 deleted).
  kfix::SreAction done = a;
  done.status.phase = SrePhase::kRecovered;
  auto has_gc = [](const kfix::SreStep& s) {
    for (const auto& e : s.effects) {
      if (e.kind == "delete-action") return true;
    }
    return false;
  };
  CHECK(!has_gc(kfix::StepSreAction(done, kCreated + seconds(3600), &up)));
  CHECK(has_gc(kfix::StepSreAction(done, kCreated + seconds(3601), &up)));
  kfix::SreAction expired = done;
  expired.status.phase = SrePhase::kExpired;
  CHECK(has_gc(kfix::StepSreAction(expired, kCreated + seconds(3601), nullptr)));
  // Non-terminal CRs are never GC'd.
  CHECK(!has_gc(kfix::StepSreAction(a, kCreated + seconds(5000), &down)));
  // Terminal phases short-circuit: a Recovered CR stays Recovered even if approval later says Rejected.
  done.approval_state = "Rejected";
  CHECK(kfix::StepSreAction(done, kCreated + seconds(100), &up).phase == SrePhase::kRecovered);
  // ...but an Applied CR whose approval flips to Rejected is Rejected.
  kfix::SreAction flipped = a;
  flipped.approval_state = "Rejected";
  CHECK(kfix::StepSreAction(flipped, applied + seconds(10), &down).phase == SrePhase::kRejected);
}

// ---------------------------------------------------------------------------
// Recovery predicate (§4.4)
// ---------------------------------------------------------------------------

TEST_CASE("recovery predicate") {
  ActionTime now = T("2026-04-20T10:10:00Z");
  CHECK(!kfix::CheckRecovery(Snapshot("kind: Deployment\nmetadata: {name: web, namespace: kars-a}\nspec: {replicas: 1}\n"),
                             "kars-a", now)
             .recovered);  // 0/1, no events
  CHECK(!kfix::CheckRecovery(Snapshot("kind: Deployment\nmetadata: {name: web, namespace: kars-a}\n"), "kars-a", now)
             .recovered);  // replicas missing = 1, available missing = 0
  auto event = [](const std::string& reason, const std::string& ts_field) {
    return "---\nkind: Event\nmetadata: {name: e1, namespace: kars-a}\nreason: " + reason + "\n" + ts_field + "\n";
  };
  CHECK(!kfix::CheckRecovery(Snapshot(Healthy() + event("FailedCreate", "lastTimestamp: '2026-04-20T10:09:50Z'")), "kars-a", now)
             .recovered);  // 10 s old
  CHECK(kfix::CheckRecovery(Snapshot(Healthy() + event("FailedCreate", "lastTimestamp: '2026-04-20T10:09:20Z'")), "kars-a", now)
            .recovered);  // 40 s old
  CHECK(kfix::CheckRecovery(Snapshot(Healthy() + event("FailedCreate", "lastTimestamp: '2026-04-20T10:09:30Z'")), "kars-a", now)
            .recovered);  // exactly 30 s: not "less than 30 s old"
  CHECK(!kfix::CheckRecovery(Snapshot(Healthy() + event("BackOff", "lastTimestamp: '2026-04-20T10:09:31Z'")), "kars-a", now)
             .recovered);  // 29 s
  CHECK(!kfix::CheckRecovery(Snapshot(Healthy() + event("Failed", "eventTime: '2026-04-20T10:09:55.123456Z'")), "kars-a", now)
             .recovered);  // eventTime when lastTimestamp is absent
  CHECK(kfix::CheckRecovery(Snapshot(Healthy() + event("FailedScheduling", "note: no timestamps")), "kars-a", now)
            .recovered);  // events without timestamps are ignored
  CHECK(kfix::CheckRecovery(Snapshot(Healthy() + event("Pulled", "lastTimestamp: '2026-04-20T10:09:59Z'")), "kars-a", now)
            .recovered);  // other reasons do not count
  // Other namespaces do not count; the Deployment gate runs first.
  CHECK(kfix::CheckRecovery(Snapshot(Healthy() + "---\nkind: Deployment\nmetadata: {name: x, namespace: kars-b}\nspec: {replicas: 3}\n"),
                            "kars-a", now)
            .recovered);
  kfix::RecoveryCheck both = kfix::CheckRecovery(
      Snapshot("kind: Deployment\nmetadata: {name: web, namespace: kars-a}\nspec: {replicas: 1}\n" +
               event("FailedCreate", "lastTimestamp: '2026-04-20T10:09:59Z'")),
      "kars-a", now);
  CHECK(!both.recovered);
  CHECK(both.reason.find("Deployment") == 0);
}

// ---------------------------------------------------------------------------
// Incident watcher (§4.5)
// ---------------------------------------------------------------------------

TEST_CASE("watcher: name normalisation table (keeps the documented over-normalisation)") {
  CHECK(kfix::NormalizeName("Pod", "research-7886669466-abcde") == "research");
  CHECK(kfix::NormalizeName("ReplicaSet", "research-7886669466") == "research");
  CHECK(kfix::NormalizeName("Pod", "backup-29145600-zzq8r") == "backup");
  CHECK(kfix::NormalizeName("Pod", "api-7d9b") == "api-7d9b");
  CHECK(kfix::NormalizeName("Pod", "redis-0") == "redis-0");
  CHECK(kfix::NormalizeName("Pod", "web-frontend") == "web");  // known over-normalisation, kept for dedupe compatibility
  CHECK(kfix::NormalizeName("Pod", "web-frontend-6d4cf56db6-x7k2p") == "web-frontend");
  CHECK(kfix::NormalizeName("Job", "backup-29145600") == "backup");
  CHECK(kfix::NormalizeName("Deployment", "research-7886669466") == "research-7886669466");  // other kinds untouched
  CHECK(kfix::NormalizeName("Pod", "a-bcdefghijkl") == "a-bcdefghijkl");  // 11 chars: too long
  CHECK(kfix::NormalizeName("Pod", "a-bcdefghijk") == "a");              // 10 chars: a hash
  CHECK(kfix::NormalizeName("Pod", "a-ABCDE") == "a-ABCDE");            // uppercase is not a hash
  CHECK(kfix::NormalizeName("Pod", "x-aaaaa-bbbbb-ccccc") == "x-aaaaa");  // at most twice
}

namespace {

std::string Ev(const std::string& ns, const std::string& kind, const std::string& name, const std::string& reason,
               const std::string& message, const std::string& ts, const std::string& type = "Warning") {
  return "---\nkind: Event\nmetadata: {name: " + name + ".1, namespace: " + ns + "}\ntype: " + type + "\nreason: " + reason +
         "\nmessage: '" + message + "'\ninvolvedObject: {kind: " + kind + ", name: " + name + ", namespace: " + ns +
         "}\nlastTimestamp: '" + ts + "'\n";
}

kfix::WatcherState Primed() {
  kfix::WatcherState s;
  s.primed = true;
  return s;
}

}  // namespace

TEST_CASE("watcher: filtering and typed targets") {
  ActionTime now = T("2026-04-20T10:00:00Z");
  std::string events =
      Ev("kars-a", "ReplicaSet", "web-6d4cf56db6", "FailedCreate",
         "pods \"web-x\" is forbidden: exceeded quota: compute-quota, requested: cpu=2, used: cpu=4", "2026-04-20T09:59:50Z") +
      Ev("kars-a", "Pod", "research-7886669466-abcde", "BackOff", "Back-off restarting failed container", "2026-04-20T09:59:55Z") +
      Ev("kars-a", "Pod", "img-7886669466-zzzzz", "ImagePullBackOff", "pull failed", "2026-04-20T09:59:55Z") +
      Ev("kube-system", "Pod", "coredns-abcde", "BackOff", "x", "2026-04-20T09:59:55Z") +      // protected
      Ev("default", "Pod", "p-abcde", "BackOff", "x", "2026-04-20T09:59:55Z") +               // protected (watcher)
      Ev("team-a", "Pod", "p-abcde", "BackOff", "x", "2026-04-20T09:59:55Z") +                // no kars- prefix
      Ev("kars-b", "Pod", "old-abcde", "BackOff", "x", "2026-04-20T09:57:59Z") +              // 121 s old
      Ev("kars-b", "Pod", "norm-abcde", "Pulled", "x", "2026-04-20T09:59:55Z") +              // not an incident reason
      Ev("kars-b", "Pod", "fine-abcde", "BackOff", "x", "2026-04-20T09:59:55Z", "Normal");    // not a Warning
  kfix::LoadResult lr = kfix::LoadYaml(events, "events.yaml");
  REQUIRE(lr.errors.empty());
  std::vector<Value> ev;
  for (auto& m : lr.manifests) ev.push_back(m.root);
  kfix::TriageResult r = kfix::Triage(ev, Primed(), now);
  CHECK(r.filtered == 6);
  REQUIRE(r.incidents.size() == 3);
  REQUIRE(r.new_actions.size() == 2);
  // Priority order: FailedCreate (actionable, 190) > BackOff (actionable, 165) > ImagePullBackOff (25).
  CHECK(r.incidents[0].action_type == "DeleteResourceQuota");
  CHECK(r.incidents[0].target == "compute-quota");
  CHECK(r.incidents[0].priority == 190);
  CHECK(r.incidents[1].action_type == "DeletePod");
  CHECK(r.incidents[1].target == "research-7886669466-abcde");
  CHECK(r.incidents[1].priority == 165);
  CHECK(r.incidents[2].action_type.empty());
  CHECK(r.incidents[2].priority == 25);
  CHECK(r.new_actions[0].params.Find("name")->as_string() == "compute-quota");
  CHECK(r.new_actions[0].ttl_minutes == 30);
  CHECK(r.new_actions[0].namespace_ == "kars-sre");
  CHECK(kfix::CheckSreAdmission(r.new_actions[0]).ok());
  CHECK(kfix::ValidateSreAction(r.new_actions[0]).ok());
  // A burst of 3 → 1 detailed + 1 summary.
  REQUIRE(r.sent.size() == 2);
  CHECK(r.sent[0].find("FailedCreate") == 0);
  CHECK(r.sent[1] == "+2 more: BackOff x1, ImagePullBackOff x1");
  CHECK(r.AuditRecords().size() == 2);
}

TEST_CASE("watcher: a 40-event flapping rollout collapses to one CR and one alert") {
  ActionTime now = T("2026-04-20T10:00:00Z");
  std::string hashes[] = {"7886669466", "6d4cf56db6", "5c8b7d9f44", "84f6d7c9b8"};
  std::string suffixes[] = {"abcde", "x7k2p", "q9r8s", "m3n4b", "zz9zz", "a1b2c", "k8s4c", "p0o9i", "l1k2j", "h3g4f"};
  std::vector<Value> ev;
  for (const std::string& h : hashes) {
    for (const std::string& s : suffixes) {
      ev.push_back(Yaml(Ev("kars-a", "Pod", "research-" + h + "-" + s, "BackOff", "Back-off restarting", "2026-04-20T09:59:58Z")
                            .substr(4)));
    }
  }
  REQUIRE(ev.size() == 40);
  kfix::TriageResult r = kfix::Triage(ev, Primed(), now);
  CHECK(r.new_actions.size() == 1);
  CHECK(r.incidents.size() == 1);
  CHECK(r.deduplicated == 39);
  CHECK(r.sent.size() == 1);
  // The next poll within the window: still one CR, no alert.
  kfix::TriageResult r2 = kfix::Triage(ev, r.next_state, now + seconds(10));
  CHECK(r2.new_actions.empty());
  CHECK(r2.sent.empty());
  CHECK(r2.deduplicated == 40);
  // After the 600 s window the key fires again, and the open CR is reused (reminder).
  kfix::WatcherState later = r2.next_state;
  later.actions = {kfix::KnownAction{"sre-action-r1", "DeletePod", "kars-a", "research-7886669466-abcde", "Proposed", now}};
  std::vector<Value> one = {ev[0]};
  one[0].Set("lastTimestamp", "2026-04-20T10:10:00Z");
  kfix::TriageResult r3 = kfix::Triage(one, later, now + seconds(600));
  CHECK(r3.new_actions.empty());
  REQUIRE(r3.reused_actions.size() == 1);
  CHECK(r3.reused_actions[0] == "sre-action-r1");
  CHECK(r3.incidents[0].reused);
  CHECK(r3.incidents[0].priority == 165);
  CHECK(r3.sent.size() == 1);
  CHECK(r3.sent[0].find("reminder") != std::string::npos);
  // A terminal CR for the same target is not reused.
  later.actions[0].phase = "Failed";
  CHECK(kfix::Triage(one, later, now + seconds(600)).new_actions.size() == 1);
}

TEST_CASE("watcher: priming suppresses boot alerts") {
  ActionTime now = T("2026-04-20T10:00:00Z");
  std::vector<Value> ev = {Yaml(Ev("kars-a", "Pod", "research-7886669466-abcde", "BackOff", "x", "2026-04-20T09:59:58Z").substr(4))};
  kfix::TriageResult boot = kfix::Triage(ev, kfix::WatcherState{}, now);
  CHECK(boot.priming);
  CHECK(boot.sent.empty());
  CHECK(boot.suppressed.empty());
  CHECK(boot.new_actions.empty());
  CHECK(boot.next_state.primed);
  // The same incident on the next poll is already known.
  kfix::TriageResult next = kfix::Triage(ev, boot.next_state, now + seconds(10));
  CHECK(!next.priming);
  CHECK(next.sent.empty());
  CHECK(next.deduplicated == 1);
  // A new one alerts.
  ev.push_back(Yaml(Ev("kars-a", "Pod", "other-7886669466-abcde", "OOMKilling", "x", "2026-04-20T10:00:05Z").substr(4)));
  CHECK(kfix::Triage(ev, boot.next_state, now + seconds(10)).sent.size() == 1);
}

TEST_CASE("watcher: the fifth message within 60 s is suppressed; the window slides") {
  ActionTime now = T("2026-04-20T10:00:00Z");
  kfix::WatcherState s = Primed();
  std::vector<std::string> sent;
  for (int i = 0; i < 5; ++i) {
    std::vector<Value> ev = {Yaml(Ev("kars-a", "Node", "node-" + std::to_string(i), "FailedMount", "m", "2026-04-20T10:00:00Z").substr(4))};
    kfix::TriageResult r = kfix::Triage(ev, s, now + seconds(i * 10));
    if (i < 4) {
      CHECK(r.sent.size() == 1);
      CHECK(r.suppressed.empty());
    } else {
      CHECK(r.sent.empty());
      CHECK(r.suppressed.size() == 1);
    }
    s = r.next_state;
  }
  // 60 s after the first message it leaves the window.
  std::vector<Value> ev = {Yaml(Ev("kars-a", "Node", "node-9", "FailedMount", "m", "2026-04-20T10:01:00Z").substr(4))};
  CHECK(kfix::Triage(ev, s, now + seconds(59)).suppressed.size() == 1);
  CHECK(kfix::Triage(ev, s, now + seconds(60)).sent.size() == 1);
  // With budget left, a 2-message batch is sent whole.
  kfix::WatcherState three = Primed();
  three.sent = {now, now, now};
  std::vector<Value> burst = {
      Yaml(Ev("kars-a", "Node", "n1", "FailedMount", "m", "2026-04-20T10:00:00Z").substr(4)),
      Yaml(Ev("kars-a", "Node", "n2", "FailedMount", "m", "2026-04-20T10:00:00Z").substr(4))};
  kfix::TriageResult b = kfix::Triage(burst, three, now);
  CHECK(b.sent.size() == 2);
  CHECK(b.next_state.sent.size() == 5);
}

TEST_CASE("watcher: state round-trips; resync from the CR snapshot; pruning") {
  ActionTime now = T("2026-04-20T10:00:00Z");
  kfix::WatcherState s = Primed();
  s.seen["kars-a/Pod/old"] = now - seconds(1300);  // older than 2 × window: pruned
  s.seen["kars-a/Pod/recent"] = now - seconds(100);
  s.last_sync = now - seconds(30);
  s.actions = {kfix::KnownAction{"sre-action-q", "DeleteResourceQuota", "kars-a", "compute-quota", "", now - seconds(100)}};
  s.sent = {now - seconds(5)};
  auto back = kfix::WatcherState::FromValue(s.ToValue());
  REQUIRE(back.ok());
  CHECK(back->ToValue() == s.ToValue());
  kfix::TriageResult r = kfix::Triage({}, s, now);
  CHECK(r.next_state.seen.count("kars-a/Pod/old") == 0);
  CHECK(r.next_state.seen.count("kars-a/Pod/recent") == 1);
  // Resync (60 s later): the CR snapshot seeds the dedupe map, so the quota incident is deduplicated.
  std::vector<Value> ev = {Yaml(Ev("kars-a", "ReplicaSet", "web-6d4cf56db6", "FailedCreate",
                                   "forbidden: exceeded quota: compute-quota, requested", "2026-04-20T10:00:30Z")
                                    .substr(4))};
  kfix::TriageResult rs = kfix::Triage(ev, s, now + seconds(30));
  CHECK(rs.deduplicated == 1);
  CHECK(rs.new_actions.empty());
  // A state written as KarsSREAction manifests bootstraps too.
  auto from_crs = kfix::WatcherState::FromValue(Yaml(R"(
primed: true
actions:
- apiVersion: kars.azure.com/v1alpha1
  kind: KarsSREAction
  metadata: {name: sre-action-z, creationTimestamp: '2026-04-20T09:59:00Z'}
  spec: {action: {type: DeletePod, params: {namespace: kars-a, name: research-7886669466-abcde}}}
  status: {phase: Proposed}
)"));
  REQUIRE(from_crs.ok());
  CHECK(from_crs->actions[0].name == "sre-action-z");
  CHECK(!kfix::WatcherState::FromValue(Yaml("{bogus: 1}")).ok());
  CHECK(!kfix::WatcherState::FromValue(Yaml("{sent: [yesterday]}")).ok());
}
