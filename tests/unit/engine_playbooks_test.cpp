// The playbook and write-back functions of kfix/engine.hpp that the CLI, the
// C ABI and Python share: object readers, options documents (errors name the
// member), the document calls, and the rules where the surfaces meet (a
// reverify over an unreadable cluster, an edited plan, a plan over a
// document that does not load).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kfix/engine.hpp"

namespace {

kfix::Value Json(const char* text) {
  kfix::Result<kfix::Value> v = kfix::ParseJson(text);
  REQUIRE(v.ok());
  return *v;
}

constexpr const char* kDeploy = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
)";

}  // namespace

TEST_CASE("LoadOneObject and LoadObjectStream: exactly one object, Lists expanded, errors name the input") {
  auto one = kfix::LoadOneObject("kind: Pod\nmetadata: {name: a}\n", "a.yaml");
  REQUIRE(one.ok());
  CHECK(one->Find("kind")->as_string() == "Pod");
  auto two = kfix::LoadOneObject("kind: A\n---\nkind: B\n", "two.yaml");
  REQUIRE(!two.ok());
  CHECK(two.status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(two.status().ToString() == "two.yaml: expected exactly one object, found 2");
  auto bad = kfix::LoadOneObject("kind: [\n", "bad.yaml");
  REQUIRE(!bad.ok());
  CHECK(bad.status().code() == kfix::StatusCode::kParseError);
  CHECK(bad.status().location().file == "bad.yaml");

  auto stream = kfix::LoadObjectStream("kind: EventList\nitems: [{kind: Event}, {kind: Event}]\n---\nkind: Pod\n", "e");
  REQUIRE(stream.ok());
  CHECK(stream->size() == 3);
  CHECK((*stream)[2].Find("kind")->as_string() == "Pod");

  CHECK(kfix::ObjectsFromValue(Json(R"([{"a": 1}, {"b": 2}])"), "x")->size() == 2);
  CHECK(kfix::ObjectsFromValue(Json(R"({"kind": "PodList", "items": [{}, {}, {}]})"), "x")->size() == 3);
  CHECK(kfix::ObjectsFromValue(kfix::Value(), "x")->empty());
  CHECK(kfix::ObjectsFromValue(Json("[1]"), "options.pods").status().message().find("options.pods") == 0);
}

TEST_CASE("options documents: unknown members and wrong types name the member; required times are required") {
  kfix::Status s = kfix::CheckOptionMembers(Json(R"({"now": 1, "nope": 2})"), {"now", "state"});
  CHECK(s.code() == kfix::StatusCode::kInvalidArgument);
  CHECK(s.message() == "options: unknown member \"nope\" (now, state)");
  CHECK(kfix::CheckOptionMembers(Json("[]"), {"now"}).code() == kfix::StatusCode::kInvalidArgument);
  CHECK(kfix::CheckOptionMembers(kfix::Value(), {"now"}).ok());

  CHECK(kfix::TriageRequestFromValue(kfix::Value()).status().message().find("options.now") == 0);
  CHECK(kfix::SreStepRequestFromValue(Json(R"({"now": "yesterday"})")).status().code() ==
        kfix::StatusCode::kInvalidArgument);
  auto step = kfix::SreStepRequestFromValue(Json(R"({"now": "2026-04-20T10:00:00Z", "snapshot": []})"));
  REQUIRE(step.ok());
  CHECK(step->snapshot.has_value());
  CHECK(kfix::FormatRfc3339(step->now) == "2026-04-20T10:00:00Z");

  auto consume = kfix::ConsumeOptionsFromValue(Json(R"({"container": "app", "pods": {"kind": "PodList", "items": [{}]}})"));
  REQUIRE(consume.ok());
  CHECK(consume->container == "app");
  CHECK(consume->pods.size() == 1);
  CHECK(kfix::ConsumeOptionsFromValue(Json(R"({"container": ""})")).status().code() ==
        kfix::StatusCode::kInvalidArgument);
  CHECK(kfix::SreValidateRequestFromValue(Json(R"({"target": 3})")).status().message() ==
        "options.target must be an object");

  auto wb = kfix::WriteBackOptionsFromValue(Json(R"({"write": "out", "diff": true})"));
  REQUIRE(wb.ok());
  CHECK(wb->mode == kfix::WriteMode::kDirectory);
  CHECK(wb->diff);
  CHECK(kfix::WriteBackOptionsFromValue(Json(R"({"write": "out", "inPlace": true})")).status().code() ==
        kfix::StatusCode::kInvalidArgument);
  CHECK(kfix::WriteBackOptionsFromValue(Json(R"({"inPlace": false})"))->mode == kfix::WriteMode::kNone);
  CHECK(kfix::WriteBackOptionsFromValue(Json(R"({"write": ""})")).status().code() ==
        kfix::StatusCode::kInvalidArgument);
}

TEST_CASE("quarantine: reverify over an unreadable cluster is unreachable; plan and apply fail with the load error") {
  kfix::Result<kfix::escape::ClusterSnapshot> broken = kfix::ClusterSnapshotFromText("a: [\n", "cluster");
  REQUIRE(!broken.ok());
  auto plan = kfix::QuarantineCluster(broken, kfix::escape::Operation::kPlan);
  CHECK(!plan.ok());
  auto reverify = kfix::QuarantineCluster(broken, kfix::escape::Operation::kReverify);
  REQUIRE(reverify.ok());
  CHECK(!reverify->unreachable().ok());
  CHECK(reverify->unreachable().message().find("cluster") != std::string::npos);

  // The approval gate refuses before anything: the status, no records.
  auto refused = kfix::QuarantineDocument(kfix::escape::Operation::kApply, "", "f", nullptr, kfix::Value());
  REQUIRE(refused.ok());
  CHECK(refused->Find("records")->as_array().empty());
  CHECK(refused->Find("status")->Find("code")->as_string() == "permission_denied");
  auto detect = kfix::EscapeDetectDocument("{bad\n", "events.jsonl", kfix::Value());
  REQUIRE(detect.ok());
  CHECK(detect->Find("errors")->as_array().size() == 1);
  CHECK(detect->Find("errors")->as_array()[0].Find("line")->as_int() == 1);
}

TEST_CASE("gVisor document calls: plans only from inputs that load, edited plans refused, verify needs live") {
  auto engine = kfix::Engine::Create();
  REQUIRE(engine.ok());
  kfix::gvisor::Options options;
  options.metadata.generated_at = "2026-04-20T10:00:00Z";

  auto broken = engine->GvisorPlanDocument(engine->LoadText("kind: [\n", "broken.yaml"), options);
  CHECK(broken.status().code() == kfix::StatusCode::kParseError);
  // The scan reports the same document as a warning instead.
  kfix::gvisor::CompatibilityReport scan = engine->GvisorScan(engine->LoadText("kind: [\n", "broken.yaml"), options);
  REQUIRE(scan.warnings.size() == 1);
  CHECK(scan.warnings[0].location().file == "broken.yaml");

  auto plan = engine->GvisorPlanDocument(engine->LoadText(kDeploy, "web.yaml"), options);
  REQUIRE(plan.ok());
  std::string text = kfix::ToJson(*plan);
  std::string_view live = kDeploy;
  auto apply = engine->GvisorRunDocument(kfix::Engine::GvisorCommand::kApply, text, &live, options);
  REQUIRE(apply.ok());
  CHECK(apply->Find("kind")->as_string() == "ApplyResult");
  CHECK(engine->GvisorRunDocument(kfix::Engine::GvisorCommand::kVerify, text, nullptr, options).status().code() ==
        kfix::StatusCode::kInvalidArgument);
  std::string edited = text;
  std::size_t at = edited.find("\"riskScore\":2");
  REQUIRE(at != std::string::npos);
  edited.replace(at, 13, "\"riskScore\":3");
  CHECK(engine->GvisorRunDocument(kfix::Engine::GvisorCommand::kApply, edited, &live, options).status().code() ==
        kfix::StatusCode::kVerificationFailed);

  CHECK(engine->LoadReadable({"does/not/exist.yaml"}).status().code() == kfix::StatusCode::kNotFound);
}

TEST_CASE("typed-actions document calls and RenderDocument") {
  CHECK(kfix::ToJson(kfix::IntentValidateDocument("{}")).find("\"valid\":false") != std::string::npos);
  CHECK(kfix::IncidentsTriageDocument("", kfix::Value()).status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(kfix::ActionStepDocument("kind: Pod\n", Json(R"({"now": "2026-04-20T10:00:00Z"})")).status().code() ==
        kfix::StatusCode::kParseError);

  auto engine = kfix::Engine::Create();
  REQUIRE(engine.ok());
  kfix::CallOptions call;
  call.keep_sources = true;
  const std::string text = std::string("# keep me\n") + kDeploy;
  kfix::FixReport report = engine->FixText(text, "web.yaml", call);
  auto doc = engine->RenderDocument(report);
  REQUIRE(doc.ok());
  const kfix::Value& files = *doc->Find("files");
  REQUIRE(files.as_array().size() == 1);
  CHECK(files.as_array()[0].Find("fixed")->as_bool());
  CHECK(files.as_array()[0].Find("text")->as_string().rfind("# keep me\napiVersion: apps/v1\n", 0) == 0);
  CHECK(files.as_array()[0].Find("error")->is_null());
}
