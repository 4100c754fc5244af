// The rescan gate's affected-only rescan: what a patch touches, which checks and containers it
// reruns, and that its findings are the full rescan's, patch by patch (rules/rescan_internal.hpp).
#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "guard/guard_impl.hpp"
#include "kfix/guard.hpp"
#include "kfix/pipeline.hpp"
#include "rules/rescan_internal.hpp"

namespace {

using kfix::internal::CheckReads;
using kfix::internal::ReadIndex;

kfix::Value J(const char* text) {
  auto v = kfix::ParseJson(text);
  REQUIRE(v.ok());
  return *v;
}

kfix::Patch P(const char* text) {
  auto p = kfix::ParsePatch(std::string_view(text));
  REQUIRE(p.ok());
  return *p;
}

// Three containers (init, two regular), pod-level security context, volumes.
const char* kDeploy = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop",
  "labels":{"app":"web"}},
  "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
  "spec":{"securityContext":{"runAsUser":0},"volumes":[{"name":"sock","hostPath":{"path":"/var/run/docker.sock"}}],
   "initContainers":[{"name":"init","image":"busybox","securityContext":{"privileged":true}}],
   "containers":[{"name":"app","image":"shop/web:latest","ports":[{"containerPort":22}],
                  "env":[{"name":"A","value":"1"},{"name":"A","value":"2"},{"name":"DB_PASSWORD","value":"x"}],
                  "livenessProbe":{"httpGet":{"port":8080}},
                  "volumeMounts":[{"name":"sock","mountPath":"/sock"}],
                  "securityContext":{"capabilities":{"add":["SYS_ADMIN"]}}},
                 {"name":"side","image":"shop/side:1","resources":{"requests":{"cpu":"0"}}}]}}}})";

const char* kCronJob = R"({"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"job"},
  "spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"ttlSecondsAfterFinished":10,"template":{"spec":{
   "restartPolicy":"Never","hostNetwork":true,
   "containers":[{"name":"a","image":"a:latest"},{"name":"b","image":"b:1","securityContext":{"runAsUser":0}}]}}}}}})";

const char* kService = R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop"},
  "spec":{"type":"NodePort","selector":{"app":"web"},"ports":[{"port":80,"targetPort":"Bad_Name"}]}})";

const char* kRole = R"({"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"r"},
  "rules":[{"apiGroups":[""],"resources":["*"],"verbs":["get","*"]}]})";

std::shared_ptr<const kfix::RuleSet> AllBuiltIn() {
  kfix::RulesConfig cfg;
  cfg.add_all_built_in = true;
  auto rules = kfix::RuleSet::Create(cfg);
  REQUIRE(rules.ok());
  return *rules;
}

/// The four objects above, as documents of one file.
std::vector<kfix::Manifest> Objects() {
  std::vector<kfix::Manifest> objs(4);
  const char* texts[] = {kDeploy, kCronJob, kService, kRole};
  for (std::size_t i = 0; i < objs.size(); ++i) {
    objs[i].file = "objects.yaml";
    objs[i].document = static_cast<std::int32_t>(i);
    objs[i].root = J(texts[i]);
  }
  return objs;
}

std::unique_ptr<kfix::internal::GuardState> MakeGuard(std::shared_ptr<const kfix::RuleSet> rules) {
  auto g = std::make_unique<kfix::internal::GuardState>(std::move(rules), kfix::FixConfig{}, Objects());
  g->verify_rescan = true;
  return g;
}

/// Rescans object `index` with `patch` applied both ways; returns the mismatch ("" when equal).
std::string Compare(const kfix::internal::GuardState& g, std::size_t index, const kfix::Patch& patch) {
  auto applied = kfix::ApplyPatchCopy(g.objects[index].root, patch);
  REQUIRE_MESSAGE(applied.ok(), applied.status().message());
  std::string mismatch = "not compared";
  g.ScanAfterPatch(index, *applied, patch, &mismatch);
  return mismatch;
}

kfix::internal::ObjectInfo Info(const kfix::Manifest& m) {
  kfix::internal::ObjectInfo info;
  kfix::internal::FillObjectInfo(m, 0, &info);
  return info;
}

}  // namespace

TEST_CASE("check reads: patterns, the container name, everything by default") {
  CheckReads none;
  CHECK(none.everything());
  CHECK(none.ToString() == "everything");
  CheckReads r{"/metadata/labels", "pod:/volumes", "podmeta:/labels", "container:/securityContext/privileged"};
  CHECK_FALSE(r.everything());
  CHECK(r.per_container());
  CHECK(r.ToString() ==
        "/metadata/labels, pod:/volumes, podmeta:/labels, container:/securityContext/privileged, container:/name");
  CheckReads pod{"pod:/hostPID"};
  CHECK_FALSE(pod.per_container());
  CHECK(pod.ToString() == "pod:/hostPID");
}

/// The read index over some declarations, asked about one patch at a time.
class Probe {
 public:
  Probe(const kfix::internal::ObjectInfo& info, std::vector<const CheckReads*> reads)
      : info_(info), index_(reads) {}
  void Touch(const char* patch) {
    patch_ = P(patch);
    index_.Touched(patch_, info_, &result_);
  }
  ReadIndex::Affect operator()(std::size_t check) const { return result_.affect[check]; }
  std::vector<char> Mask(std::size_t check) const {
    return std::vector<char>(result_.Mask(check), result_.Mask(check) + result_.containers);
  }

 private:
  const kfix::internal::ObjectInfo& info_;
  ReadIndex index_;
  kfix::Patch patch_;
  ReadIndex::Result result_;
};

TEST_CASE("patch touches: none, some containers, or the whole check") {
  kfix::Manifest m;
  m.root = J(kDeploy);
  const kfix::internal::ObjectInfo info = Info(m);
  // Positions in the view: 0 init, 1 app, 2 side.
  const CheckReads ro{"container:/securityContext/readOnlyRootFilesystem"};
  const CheckReads pod_sc{"container:/securityContext/runAsUser", "pod:/securityContext/runAsUser"};
  const CheckReads labels{"/metadata/labels"};
  const CheckReads volumes{"pod:/volumes", "container:/volumeMounts"};
  const CheckReads everything;
  const CheckReads host_pid{"pod:/hostPID"};
  const CheckReads wild{"pod:/volumes/*/hostPath"};
  const CheckReads pod_labels{"podmeta:/labels"};
  enum { kRo, kPodSc, kLabels, kVolumes, kEverything, kHostPid, kWild, kPodLabels, kSkipped };
  Probe t(info, {&ro, &pod_sc, &labels, &volumes, &everything, &host_pid, &wild, &pod_labels, nullptr});
  using A = ReadIndex::Affect;

  SUBCASE("a field of one container") {
    t.Touch(R"([{"op":"add","path":"/spec/template/spec/containers/1/securityContext/readOnlyRootFilesystem","value":true}])");
    CHECK(t(kRo) == A::kContainers);
    CHECK(t.Mask(kRo) == std::vector<char>{0, 0, 1});
    CHECK(t(kPodSc) == A::kNone);
    CHECK(t(kLabels) == A::kNone);
    CHECK(t(kVolumes) == A::kNone);
    CHECK(t(kEverything) == A::kAll);
    CHECK(t(kSkipped) == A::kNone);
  }
  SUBCASE("a whole security context of the init container, prefix of the read field") {
    t.Touch(R"([{"op":"replace","path":"/spec/template/spec/initContainers/0/securityContext","value":{}}])");
    CHECK(t(kRo) == A::kContainers);
    CHECK(t.Mask(kRo) == std::vector<char>{1, 0, 0});
    CHECK(t(kPodSc) == A::kContainers);
  }
  SUBCASE("two containers") {
    t.Touch(R"([{"op":"add","path":"/spec/template/spec/initContainers/0/securityContext/readOnlyRootFilesystem","value":true},
                {"op":"add","path":"/spec/template/spec/containers/1/securityContext/readOnlyRootFilesystem","value":true}])");
    CHECK(t(kRo) == A::kContainers);
    CHECK(t.Mask(kRo) == std::vector<char>{1, 0, 1});
  }
  SUBCASE("the container's name is read by every container check") {
    t.Touch(R"([{"op":"replace","path":"/spec/template/spec/containers/0/name","value":"x"}])");
    CHECK(t(kRo) == A::kContainers);
    CHECK(t.Mask(kRo) == std::vector<char>{0, 1, 0});
    CHECK(t(kPodSc) == A::kContainers);
    CHECK(t(kHostPid) == A::kNone);
  }
  SUBCASE("the pod's security context reruns the check on every container") {
    t.Touch(R"([{"op":"replace","path":"/spec/template/spec/securityContext/runAsUser","value":1000}])");
    CHECK(t(kPodSc) == A::kAll);
    CHECK(t(kRo) == A::kNone);
  }
  SUBCASE("a container field and the pod's: the whole check") {
    t.Touch(R"([{"op":"add","path":"/spec/template/spec/containers/0/securityContext/runAsUser","value":1},
                {"op":"replace","path":"/spec/template/spec/securityContext/runAsUser","value":1000}])");
    CHECK(t(kPodSc) == A::kAll);
  }
  SUBCASE("adding or removing a container, or replacing a list, is structural") {
    for (const char* p : {R"([{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"n"}}])",
                          R"([{"op":"remove","path":"/spec/template/spec/containers/0"}])",
                          R"([{"op":"add","path":"/spec/template/spec/initContainers/0","value":{"name":"n"}}])",
                          R"([{"op":"replace","path":"/spec/template/spec/containers","value":[]}])",
                          R"([{"op":"replace","path":"/spec/template/spec","value":{}}])",
                          R"([{"op":"replace","path":"/spec/template","value":{}}])"}) {
      CAPTURE(p);
      t.Touch(p);
      CHECK(t(kRo) == A::kAll);
      CHECK(t(kLabels) == A::kNone);
    }
  }
  SUBCASE("the pod template's metadata") {
    t.Touch(R"([{"op":"add","path":"/spec/template/metadata/labels/tier","value":"web"}])");
    CHECK(t(kPodLabels) == A::kAll);
    CHECK(t(kLabels) == A::kNone);
    CHECK(t(kRo) == A::kNone);
    t.Touch(R"([{"op":"replace","path":"/spec/template","value":{}}])");
    CHECK(t(kPodLabels) == A::kAll);
  }
  SUBCASE("what the engine reads for every check") {
    for (const char* p : {R"([{"op":"replace","path":"/kind","value":"Pod"}])",
                          R"([{"op":"add","path":"/metadata/annotations","value":{"kube-linter.io/ignore-all":""}}])",
                          R"([{"op":"add","path":"/metadata/annotations/a","value":"b"}])",
                          R"([{"op":"replace","path":"/metadata","value":{}}])",
                          R"([{"op":"replace","path":"/metadata/name","value":"x"}])"}) {
      CAPTURE(p);
      t.Touch(p);
      CHECK(t(kLabels) == A::kAll);
      CHECK(t(kHostPid) == A::kAll);
      CHECK(t(kSkipped) == A::kNone);
    }
  }
  SUBCASE("a list insertion shifts every later item: a wildcard read under it overlaps") {
    t.Touch(R"([{"op":"add","path":"/spec/template/spec/volumes/0","value":{"name":"v","emptyDir":{}}}])");
    CHECK(t(kVolumes) == A::kAll);
    CHECK(t(kWild) == A::kAll);
    CHECK(t(kHostPid) == A::kNone);
    t.Touch(R"([{"op":"add","path":"/spec/template/spec/volumes/0/hostPath","value":{"path":"/"}}])");
    CHECK(t(kWild) == A::kAll);
    t.Touch(R"([{"op":"add","path":"/spec/template/spec/volumes/0/emptyDir","value":{}}])");
    CHECK(t(kWild) == A::kNone);
    CHECK(t(kVolumes) == A::kAll);
  }
  SUBCASE("test ops touch nothing") {
    t.Touch(R"([{"op":"test","path":"/metadata/labels","value":{"app":"web"}}])");
    CHECK(t(kLabels) == A::kNone);
  }
  SUBCASE("objects without a pod spec") {
    kfix::Manifest svc;
    svc.root = J(kService);
    const kfix::internal::ObjectInfo sinfo = Info(svc);
    const CheckReads type{"/spec/type"};
    const CheckReads ports{"container:/ports", "/spec/ports"};
    Probe s(sinfo, {&type, &ports, &host_pid});
    s.Touch(R"([{"op":"replace","path":"/spec/type","value":"ClusterIP"}])");
    CHECK(s(0) == A::kAll);
    CHECK(s(1) == A::kNone);
    CHECK(s(2) == A::kNone);
  }
}

TEST_CASE("affected-only rescan equals the full rescan, patch by patch (all built-in checks)") {
  auto g = MakeGuard(AllBuiltIn());
  struct Case {
    std::size_t object;
    const char* patch;
  };
  const Case cases[] = {
      {0, R"([{"op":"add","path":"/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem","value":true}])"},
      {0, R"([{"op":"replace","path":"/spec/template/spec/containers/0/securityContext","value":{"runAsNonRoot":true,"capabilities":{"drop":["ALL"]}}}])"},
      {0, R"([{"op":"add","path":"/spec/template/spec/initContainers/0/securityContext/privileged","value":false}])"},
      {0, R"([{"op":"replace","path":"/spec/template/spec/containers/1/name","value":"app"}])"},
      {0, R"([{"op":"remove","path":"/spec/template/spec/containers/0/env/1"}])"},
      {0, R"([{"op":"add","path":"/spec/template/spec/containers/0/env/0","value":{"name":"B","value":"1"}}])"},
      {0, R"([{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"shop/web:1.2"}])"},
      {0, R"([{"op":"add","path":"/spec/template/spec/containers/1/resources/limits","value":{"memory":"1Gi"}}])"},
      {0, R"([{"op":"replace","path":"/spec/template/spec/securityContext/runAsUser","value":1000}])"},
      {0, R"([{"op":"remove","path":"/spec/template/spec/volumes/0"}])"},
      {0, R"([{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"third","image":"x:latest"}}])"},
      {0, R"([{"op":"remove","path":"/spec/template/spec/initContainers/0"}])"},
      {0, R"([{"op":"replace","path":"/spec/template/metadata/labels/app","value":"other"}])"},
      {0, R"([{"op":"replace","path":"/spec/replicas","value":1}])"},
      {0, R"([{"op":"add","path":"/metadata/annotations","value":{"ignore-check.kube-linter.io/latest-tag":"x"}}])"},
      {0, R"([{"op":"replace","path":"/metadata/namespace","value":"default"}])"},
      {0, R"([{"op":"replace","path":"/kind","value":"StatefulSet"}])"},
      {0, R"([{"op":"add","path":"/spec/template/spec/containers/0/readinessProbe","value":{"tcpSocket":{"port":22}}},
              {"op":"add","path":"/spec/template/spec/containers/1/securityContext","value":{"privileged":true}}])"},
      {1, R"([{"op":"add","path":"/spec/jobTemplate/spec/template/spec/containers/1/securityContext/runAsNonRoot","value":true}])"},
      {1, R"([{"op":"remove","path":"/spec/jobTemplate/spec/ttlSecondsAfterFinished"}])"},
      {1, R"([{"op":"replace","path":"/spec/jobTemplate/spec/template/spec/hostNetwork","value":false}])"},
      {2, R"([{"op":"replace","path":"/spec/type","value":"ClusterIP"}])"},
      {2, R"([{"op":"replace","path":"/spec/ports/0/targetPort","value":8080}])"},
      {3, R"([{"op":"replace","path":"/rules/0/verbs/1","value":"list"}])"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.patch);
    CHECK(Compare(*g, c.object, P(c.patch)) == "");
  }
  // Selective: most checks were carried over, some rerun on one container only.
  CHECK(g->rescan_counters.affected.load() == static_cast<std::int64_t>(std::size(cases)));
  CHECK(g->rescan_counters.checks_carried.load() > g->rescan_counters.checks_run.load());
  CHECK(g->rescan_counters.checks_partial.load() > 0);
}

TEST_CASE("a check's findings rerun on one container keep the other containers' findings and positions") {
  auto g = MakeGuard(AllBuiltIn());
  const kfix::Patch patch =
      P(R"([{"op":"add","path":"/spec/template/spec/containers/1/securityContext","value":{"readOnlyRootFilesystem":true}}])");
  auto applied = kfix::ApplyPatchCopy(g->objects[0].root, patch);
  REQUIRE(applied.ok());
  g->verify_rescan = false;
  std::vector<kfix::Finding> after = g->ScanAfterPatch(0, *applied, patch);
  CHECK(g->rescan_counters.full.load() == 0);
  int ro = 0;
  for (const kfix::Finding& f : after) {
    if (f.check != "no-read-only-root-fs") continue;
    ++ro;
    CHECK(f.container != "side");
    bool in_baseline = false;  // carried over with its position
    for (const kfix::Finding& b : g->Baseline().findings) {
      in_baseline = in_baseline || (b.object_index == 0 && b.check == f.check && b.container == f.container &&
                                    b.line == f.line && b.column == f.column && b.line > 0);
    }
    CHECK(in_baseline);
  }
  CHECK(ro == 2);  // init and app keep theirs; side's is gone
  g->verify_rescan = true;
  CHECK(Compare(*g, 0, patch) == "");
}

TEST_CASE("a mis-declared check shows up as a mismatch naming it, and fails the rescan gate") {
  auto g = MakeGuard(AllBuiltIn());
  kfix::internal::ReadsOverride wrong;
  wrong.emplace("no-read-only-root-fs", CheckReads{"/metadata/labels"});  // it reads the security context
  g->reads_override = &wrong;
  const kfix::Patch patch = P(
      R"([{"op":"add","path":"/spec/template/spec/containers/1/securityContext","value":{"readOnlyRootFilesystem":true}}])");
  const std::string mismatch = Compare(*g, 0, patch);
  CHECK(mismatch.find("check no-read-only-root-fs") == 0);
  CHECK(mismatch.find("only the affected-only rescan reports") != std::string::npos);

  const kfix::ScanReport& base = g->Baseline();
  const kfix::Finding* target = nullptr;
  for (const kfix::Finding& f : base.findings) {
    if (f.object_index == 0 && f.check == "no-read-only-root-fs" && f.container == "side") target = &f;
  }
  REQUIRE(target != nullptr);
  kfix::Verdict v = g->Vet(0, patch, {target});
  const kfix::GateResult* rescan = nullptr;
  for (const kfix::GateResult& gr : v.gates) {
    if (gr.name == "rescan") rescan = &gr;
  }
  REQUIRE(rescan != nullptr);
  CHECK_FALSE(rescan->passed);
  CHECK(rescan->detail.find("affected-only rescan differs from the full rescan: check no-read-only-root-fs") == 0);
  CHECK_FALSE(v.accepted);

  // Without the self-check the wrong declaration carries the stale finding over: the fix looks useless.
  g->verify_rescan = false;
  kfix::Verdict stale = g->Vet(0, patch, {target});
  CHECK(stale.reason.find("rescan: finding still present: no-read-only-root-fs") == 0);

  // Declared right, the same patch passes.
  g->reads_override = nullptr;
  g->verify_rescan = true;
  kfix::Verdict ok = g->Vet(0, patch, {target});
  CHECK(ok.accepted);
}

TEST_CASE("a rule set implemented elsewhere is always rescanned in full") {
  class Delegating : public kfix::RuleSet {
   public:
    explicit Delegating(std::shared_ptr<const kfix::RuleSet> r) : r_(std::move(r)) {}
    const std::vector<kfix::CheckInfo>& checks() const noexcept override { return r_->checks(); }
    bool IsEnabled(std::string_view c) const noexcept override { return r_->IsEnabled(c); }
    bool IsPathIgnored(std::string_view f) const noexcept override { return r_->IsPathIgnored(f); }
    kfix::ScanReport Scan(const std::vector<kfix::Manifest>& o, const kfix::ScanOptions& opt = {}) const override {
      return r_->Scan(o, opt);
    }
    kfix::ScanReport ScanPaths(const std::vector<std::string>& p, const kfix::ScanOptions& opt = {},
                               const kfix::ParseOptions& parse = {}) const override {
      return r_->ScanPaths(p, opt, parse);
    }
    kfix::ScanReport ScanText(std::string_view t, std::string_view n, const kfix::ScanOptions& opt = {},
                              const kfix::ParseOptions& parse = {}) const override {
      return r_->ScanText(t, n, opt, parse);
    }

   private:
    std::shared_ptr<const kfix::RuleSet> r_;
  };
  auto g = MakeGuard(std::make_shared<Delegating>(AllBuiltIn()));
  const kfix::Patch patch =
      P(R"([{"op":"add","path":"/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem","value":true}])");
  auto applied = kfix::ApplyPatchCopy(g->objects[0].root, patch);
  REQUIRE(applied.ok());
  std::string mismatch = "untouched";
  g->ScanAfterPatch(0, *applied, patch, &mismatch);
  CHECK(mismatch == "untouched");  // nothing to compare
  CHECK(g->rescan_counters.affected.load() == 0);
  CHECK(g->rescan_counters.full.load() == 1);
}

TEST_CASE("the fix pipeline with the self-check on: same report, no mismatch") {
  const std::vector<kfix::Manifest> objs = Objects();
  kfix::FixConfig config;
  config.profile = kfix::FixProfile::kHarden;
  const kfix::FixReport plain = kfix::FixObjects(objs, AllBuiltIn(), config);
  REQUIRE(::setenv("KFIX_VERIFY_RESCAN", "1", 1) == 0);
  const kfix::FixReport verified = kfix::FixObjects(objs, AllBuiltIn(), config);
  REQUIRE(::unsetenv("KFIX_VERIFY_RESCAN") == 0);
  const std::string a = kfix::ToJson(kfix::FixReportToValue(plain));
  const std::string b = kfix::ToJson(kfix::FixReportToValue(verified));
  CHECK(a.find("affected-only rescan differs") == std::string::npos);
  CHECK(a == b);
  CHECK(a.find("\"accepted\"") != std::string::npos);
}
