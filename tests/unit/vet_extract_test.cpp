// Vetting external patches: extraction of LLM / human text in every accepted
// form, precise errors for malformed input, and the verdict of VetText.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "guard_fake_rules.hpp"
#include "kfix/guard.hpp"
#include "kfix/pipeline.hpp"

namespace {

kfix::Value J(const char* text) {
  auto v = kfix::ParseJson(text);
  REQUIRE(v.ok());
  return *v;
}

const char* kPod = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"apps"},
  "spec":{"containers":[{"name":"a","image":"a:1","securityContext":{"privileged":true,"readOnlyRootFilesystem":true}}]}})";

const char* kFix = R"([{"op":"replace","path":"/spec/containers/0/securityContext/privileged","value":false}])";

kfix::Finding PrivilegedTarget() {
  kfix::Finding f;
  f.check = std::string("privileged-container");
  f.container = std::string("a");
  f.message = std::string("container \"a\" is privileged");
  return f;
}

}  // namespace

TEST_CASE("a plain RFC 6902 array") {
  auto e = kfix::ExtractPatch(kFix, J(kPod));
  REQUIRE(e.ok());
  CHECK(e->form == kfix::PatchForm::kJsonPatch);
  REQUIRE(e->patch.size() == 1);
  CHECK(e->patch[0].path.ToString() == "/spec/containers/0/securityContext/privileged");
  CHECK(e->note.empty());
}

TEST_CASE("code fences and prose around the array") {
  std::string fenced = std::string("Here is the fix:\n```json\n") + kFix + "\n```\nThis sets privileged to false.";
  auto e = kfix::ExtractPatch(fenced, J(kPod));
  REQUIRE(e.ok());
  CHECK(e->patch.size() == 1);
  CHECK(e->note.find("fence") != std::string::npos);
  std::string prose = std::string("Sure! The patch ") + kFix + " should do it.";
  auto p = kfix::ExtractPatch(prose, J(kPod));
  REQUIRE(p.ok());
  CHECK(p->patch.size() == 1);
  CHECK(p->note.find("prose") != std::string::npos);
}

TEST_CASE("one bare op object") {
  auto e = kfix::ExtractPatch(R"({"op":"replace","path":"/spec/containers/0/securityContext/privileged","value":false})",
                              J(kPod));
  REQUIRE(e.ok());
  CHECK(e->form == kfix::PatchForm::kSingleOp);
  CHECK(e->patch.size() == 1);
}

TEST_CASE("an RFC 7386 merge patch becomes a minimal RFC 6902 diff") {
  auto e = kfix::ExtractPatch(R"({"metadata":{"labels":{"team":"x"}}})", J(kPod));
  REQUIRE(e.ok());
  CHECK(e->form == kfix::PatchForm::kMergePatch);
  auto after = kfix::ApplyPatchCopy(J(kPod), e->patch);
  REQUIRE(after.ok());
  CHECK(*after->FindPath({"metadata", "labels", "team"}) == kfix::Value("x"));
  CHECK(after->FindPath({"metadata", "name"})->as_string() == "p");
}

TEST_CASE("a whole 'after' object becomes a minimal diff") {
  kfix::Value after = J(kPod);
  after.Find("spec")->Find("containers")->as_array()[0].Find("securityContext")->Set("privileged", false);
  auto e = kfix::ExtractPatch(kfix::ToJson(after), J(kPod));
  REQUIRE(e.ok());
  CHECK(e->form == kfix::PatchForm::kWholeObject);
  REQUIRE(e->patch.size() == 1);
  CHECK(e->patch[0].op == kfix::PatchOpType::kReplace);
  CHECK(e->patch[0].path.ToString() == "/spec/containers/0/securityContext/privileged");
}

TEST_CASE("malformed input gets a precise error, never an exception") {
  kfix::Value pod = J(kPod);
  for (const char* bad : {"", "   \n", "I cannot help with that.", "```json\n```", "[1, 2]",
                          R"([{"op":"frobnicate","path":"/a"}])", R"([{"op":"add","path":"/a"}])",
                          R"([{"op":"add","value":1}])", R"([{"op":"add","path":"a/b","value":1}])",
                          R"([{"op":"move","path":"/a"}])", R"({"op":"add"})", "[{\"op\": \"add\", \"path\": \"/x\", "}) {
    CAPTURE(bad);
    auto e = kfix::ExtractPatch(bad, pod);
    CHECK_FALSE(e.ok());
    CHECK_FALSE(e.status().message().empty());
  }
  auto e = kfix::ExtractPatch(R"([{"op":"add","path":"/a"}])", pod);
  CHECK(e.status().message().find("op 0") != std::string::npos);
  CHECK(e.status().message().find("value") != std::string::npos);
  auto f = kfix::ExtractPatch(R"([{"op":"replace","path":"/x","value":1},{"op":"frobnicate","path":"/a"}])", pod);
  CHECK(f.status().message().find("op 1") != std::string::npos);
  CHECK(f.status().message().find("frobnicate") != std::string::npos);
}

TEST_CASE("ValidatePatchStructure checks every member") {
  CHECK(kfix::ValidatePatchStructure(J(R"([{"op":"test","path":"/a","value":null}])")).ok());
  CHECK(kfix::ValidatePatchStructure(J(R"([{"op":"copy","from":"/a","path":"/b"}])")).ok());
  CHECK_FALSE(kfix::ValidatePatchStructure(J(R"([{"op":"copy","from":"a","path":"/b"}])")).ok());
  CHECK_FALSE(kfix::ValidatePatchStructure(J(R"([{"op":"remove","path":"/a~2"}])")).ok());
  CHECK_FALSE(kfix::ValidatePatchStructure(J(R"({"op":"remove","path":"/a"})")).ok());
  CHECK_FALSE(kfix::ValidatePatchStructure(J(R"([{"op":1,"path":"/a"}])")).ok());
}

TEST_CASE("VetText runs every gate on an extracted proposal") {
  std::vector<kfix::Manifest> objs(1);
  objs[0].root = J(kPod);
  auto g = kfix::Guard::Create(std::make_shared<kfixtest::FakeRules>(), {}, objs);
  REQUIRE(g.ok());
  const kfix::Finding target = PrivilegedTarget();
  auto ok = (*g)->VetText(0, std::string("```json\n") + kFix + "\n```", &target);
  CHECK(ok.accepted);
  CHECK(ok.gates.size() == 9);
  CHECK(ok.gates[0].detail.find("fence") != std::string::npos);
  // An LLM "fix" that deletes the container is rejected by the destructive gate.
  auto bad = (*g)->VetText(0, R"([{"op":"remove","path":"/spec/containers/0"}])", &target);
  CHECK_FALSE(bad.accepted);
  // Garbage is a rejected verdict with the extraction error on the structure gate.
  auto junk = (*g)->VetText(0, "no idea", &target);
  CHECK_FALSE(junk.accepted);
  REQUIRE(junk.gates.size() == 9);
  CHECK_FALSE(junk.gates[0].passed);
  CHECK(junk.reason.rfind("structure:", 0) == 0);
  // Out-of-range object index.
  CHECK_FALSE((*g)->VetText(5, kFix).accepted);
  kfix::Value jv = kfix::VerdictToValue(ok);
  CHECK(jv.Find("accepted")->as_bool());
  CHECK(jv.Find("gates")->size() == 9);
}

TEST_CASE("UnifiedDiff") {
  std::string a = "a\nb\nc\nd\n", b = "a\nb\nX\nd\ne\n";
  std::string d = kfix::UnifiedDiff(a, b, "old", "new", 1);
  CHECK(d.rfind("--- old\n+++ new\n", 0) == 0);
  CHECK(d.find("-c\n+X\n") != std::string::npos);
  CHECK(d.find("+e\n") != std::string::npos);
  CHECK(d.find("@@ -2,") != std::string::npos);
  CHECK(kfix::UnifiedDiff(a, a, "x", "y").empty());
}
