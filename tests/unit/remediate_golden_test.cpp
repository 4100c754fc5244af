// Golden tests for the fix generators: every tests/golden/fix/*.json case
// holds an object, a finding, optional fix config, and the expected status
// and patch (written and checked by hand). For proposed fixes the test also
// applies the patch and checks idempotence (the generator then proposes
// nothing for that check).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/remediate.hpp"

namespace {

std::vector<std::filesystem::path> Cases() {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(std::string(KFIX_SOURCE_DIR) + "/tests/golden/fix")) {
    if (e.path().extension() == ".json") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Str(const kfix::Value* v) { return v && v->is_string() ? v->as_string() : std::string(); }

}  // namespace

TEST_CASE("golden fixes") {
  auto cases = Cases();
  REQUIRE(cases.size() >= 30);
  for (const auto& path : cases) {
    CAPTURE(path.filename().string());
    auto text = kfix::ReadFileToString(path.string());
    REQUIRE(text.ok());
    auto doc = kfix::ParseJson(*text);
    REQUIRE(doc.ok());
    const kfix::Value* object = doc->Find("object");
    const kfix::Value* finding_v = doc->Find("finding");
    const kfix::Value* expect = doc->Find("expect");
    REQUIRE(object);
    REQUIRE(finding_v);
    REQUIRE(expect);
    kfix::Finding f;
    f.check = Str(finding_v->Find("check"));
    f.policy = Str(finding_v->Find("policy"));
    f.container = Str(finding_v->Find("container"));
    f.message = Str(finding_v->Find("message"));
    f.pointer = Str(finding_v->Find("pointer"));
    kfix::FixConfig config;
    if (const kfix::Value* c = doc->Find("config")) {
      auto parsed = kfix::FixConfigFromValue(*c, path.string());
      REQUIRE(parsed.ok());
      config = *parsed;
    }
    kfix::FixProposal p = kfix::ProposeFix(*object, f, config);
    CHECK(std::string(kfix::ProposalStatusName(p.status)) == Str(expect->Find("status")));
    const kfix::Value* want = expect->Find("patch");
    REQUIRE(want);
    INFO("got: ", kfix::ToJson(kfix::PatchToValue(p.patch)));
    CHECK(kfix::PatchToValue(p.patch) == *want);  // op order matters; member order does not
    CHECK(p.roles.size() == p.patch.size());
    if (const kfix::Value* roles = expect->Find("roles")) {
      REQUIRE(roles->size() == p.roles.size());
      for (std::size_t i = 0; i < p.roles.size(); ++i) {
        CHECK(roles->as_array()[i].as_string() == (p.roles[i] == kfix::OpRole::kTarget ? "target" : "hardening"));
      }
    } else {
      for (kfix::OpRole r : p.roles) CHECK(r == kfix::OpRole::kTarget);
    }
    if (p.status == kfix::ProposalStatus::kProposed) {
      CHECK(p.auto_applicable);
      auto after = kfix::ApplyPatchCopy(*object, p.patch);
      REQUIRE(after.ok());
      kfix::FixProposal again = kfix::ProposeFix(*after, f, config);
      CHECK(again.status == kfix::ProposalStatus::kNothingToDo);
      CHECK(again.patch.empty());
    } else {
      CHECK_FALSE(p.auto_applicable);
      CHECK_FALSE(p.reason.empty());
    }
  }
}
