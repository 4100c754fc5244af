// The privilege gate against every Pod Security Standards control (baseline
// and restricted) and kfix's own hardening facts: for each, a patch that
// weakens a hardened Deployment is refused by the "privilege" gate naming the
// control (fire), and a patch that sets the field to an allowed value passes
// (pass). Also: changing a container's command or args is destructive.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "guard/pss.hpp"
#include "kfix/guard.hpp"

namespace {

constexpr const char* kHardened = R"({"apiVersion":"apps/v1","kind":"Deployment",
 "metadata":{"name":"web","namespace":"shop"},
 "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"},"annotations":{}},
  "spec":{"securityContext":{"runAsNonRoot":true,"runAsUser":10001,"runAsGroup":10001,"fsGroup":10001,
                             "seccompProfile":{"type":"RuntimeDefault"},"sysctls":[]},
   "volumes":[{"name":"data","emptyDir":{}}],
   "containers":[{"name":"web","image":"nginx:1.25.3","command":["nginx"],"args":["-g","daemon off;"],
     "ports":[{"containerPort":8080}],"volumeMounts":[{"name":"data","mountPath":"/data"}],
     "securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"runAsNonRoot":true,
       "privileged":false,"capabilities":{"drop":["ALL"]},"seccompProfile":{"type":"RuntimeDefault"}}}]}}}})";

const std::string C = "/spec/template/spec/containers/0";
const std::string SC = C + "/securityContext";
const std::string P = "/spec/template/spec";
const std::string PSC = P + "/securityContext";
const std::string ANN = "/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1web";

kfix::Value J(const std::string& text) {
  auto v = kfix::ParseJson(text);
  REQUIRE_MESSAGE(v.ok(), v.status().ToString());
  return *v;
}

std::string Op(const char* op, const std::string& path, const std::string& value = "") {
  std::string s = std::string(R"({"op":")") + op + R"(","path":")" + path + "\"";
  if (!value.empty()) s += R"(,"value":)" + value;
  return s + "}";
}

struct Guarded {
  std::unique_ptr<kfix::Guard> guard;
  explicit Guarded(const std::string& object = kHardened) {
    std::vector<kfix::Manifest> objs(1);
    objs[0].file = "web.yaml";
    objs[0].root = J(object);
    auto g = kfix::Guard::Create(nullptr, kfix::FixConfig{}, objs);
    REQUIRE(g.ok());
    guard = std::move(*g);
  }
  kfix::Verdict Vet(const std::string& ops, const kfix::Finding* target = nullptr) {
    auto p = kfix::ParsePatch(std::string_view("[" + ops + "]"));
    REQUIRE_MESSAGE(p.ok(), p.status().ToString());
    return guard->Vet(0, *p, target);
  }
};

const kfix::GateResult& Gate(const kfix::Verdict& v, const std::string& name) {
  for (const auto& g : v.gates) {
    if (g.name == name) return g;
  }
  FAIL("no gate " << name);
  return v.gates.front();
}

// The violations the patch adds (level/control), evaluated on the patched object.
std::vector<std::string> Added(const std::string& object, const std::string& ops) {
  kfix::Value before = J(object);
  auto p = kfix::ParsePatch(std::string_view("[" + ops + "]"));
  REQUIRE(p.ok());
  auto after = kfix::ApplyPatchCopy(before, *p);
  REQUIRE_MESSAGE(after.ok(), after.status().ToString());
  std::vector<std::string> old_keys;
  for (const auto& v : kfix::internal::EvaluatePodSecurity(kfix::ViewWorkload(before))) old_keys.push_back(v.Key());
  std::vector<std::string> added;
  for (const auto& v : kfix::internal::EvaluatePodSecurity(kfix::ViewWorkload(*after))) {
    if (std::find(old_keys.begin(), old_keys.end(), v.Key()) == old_keys.end())
      added.push_back(std::string(kfix::internal::PssLevelName(v.level)) + "/" + v.control);
  }
  return added;
}

struct Case {
  const char* control;  // level/control the patch must add; "" = the patch must pass
  std::string ops;
};

}  // namespace

TEST_CASE("the hardened Deployment passes the restricted level") {
  auto v = kfix::internal::EvaluatePodSecurity(kfix::ViewWorkload(J(kHardened)));
  CHECK(std::string(kfix::internal::PssHighestLevel(v)) == "restricted");
}

TEST_CASE("privilege gate: every Pod Security Standards control fires and passes") {
  const std::vector<Case> cases = {
      // baseline
      {"baseline/host-process", Op("add", SC + "/windowsOptions", R"({"hostProcess":true})")},
      {"baseline/host-process", Op("add", PSC + "/windowsOptions", R"({"hostProcess":true})")},
      {"", Op("add", SC + "/windowsOptions", R"({"hostProcess":false})")},
      {"baseline/host-namespaces", Op("add", P + "/hostNetwork", "true")},
      {"baseline/host-namespaces", Op("add", P + "/hostPID", "true")},
      {"baseline/host-namespaces", Op("add", P + "/hostIPC", "true")},
      {"", Op("add", P + "/hostNetwork", "false")},
      {"baseline/privileged", Op("replace", SC + "/privileged", "true")},
      {"", Op("replace", SC + "/privileged", "false")},
      {"baseline/capabilities", Op("add", SC + "/capabilities/add", R"(["SYS_ADMIN"])")},
      {"baseline/capabilities", Op("add", SC + "/capabilities/add", R"(["cap_net_admin"])")},
      {"", Op("add", SC + "/capabilities/add", R"(["NET_BIND_SERVICE"])")},
      {"baseline/host-path-volumes", Op("add", P + "/volumes/-", R"({"name":"h","hostPath":{"path":"/"}})")},
      {"", Op("add", P + "/volumes/-", R"({"name":"c","configMap":{"name":"x"}})")},
      {"baseline/host-ports", Op("add", C + "/ports/0/hostPort", "8080")},
      {"", Op("add", C + "/ports/0/hostPort", "0")},
      {"baseline/apparmor", Op("add", SC + "/appArmorProfile", R"({"type":"Unconfined"})")},
      {"baseline/apparmor", Op("add", PSC + "/appArmorProfile", R"({"type":"Unconfined"})")},
      {"baseline/apparmor", Op("add", ANN, R"("unconfined")")},
      {"", Op("add", SC + "/appArmorProfile", R"({"type":"RuntimeDefault"})")},
      {"", Op("add", PSC + "/appArmorProfile", R"({"type":"Localhost","localhostProfile":"k8s-web"})")},
      {"", Op("add", ANN, R"("runtime/default")")},
      {"", Op("add", ANN, R"("localhost/k8s-web")")},
      {"baseline/selinux", Op("add", SC + "/seLinuxOptions", R"({"type":"spc_t"})")},
      {"baseline/selinux", Op("add", PSC + "/seLinuxOptions", R"({"type":"unconfined_t"})")},
      {"baseline/selinux", Op("add", SC + "/seLinuxOptions", R"({"user":"system_u"})")},
      {"baseline/selinux", Op("add", SC + "/seLinuxOptions", R"({"role":"sysadm_r"})")},
      {"", Op("add", SC + "/seLinuxOptions", R"({"type":"container_t","level":"s0:c123,c456"})")},
      {"", Op("add", PSC + "/seLinuxOptions", R"({"type":"container_init_t"})")},
      {"baseline/proc-mount", Op("add", SC + "/procMount", R"("Unmasked")")},
      {"", Op("add", SC + "/procMount", R"("Default")")},
      {"baseline/seccomp", Op("replace", SC + "/seccompProfile/type", R"("Unconfined")")},
      {"baseline/seccomp", Op("replace", PSC + "/seccompProfile/type", R"("Unconfined")")},
      {"", Op("replace", SC + "/seccompProfile", R"({"type":"Localhost","localhostProfile":"p.json"})")},
      {"baseline/sysctls", Op("add", PSC + "/sysctls/-", R"({"name":"kernel.msgmax","value":"65536"})")},
      // restricted
      {"restricted/volume-types", Op("add", P + "/volumes/-", R"({"name":"n","nfs":{"server":"s","path":"/"}})")},
      {"", Op("add", P + "/volumes/-", R"({"name":"p","projected":{"sources":[]}})")},
      {"", Op("add", P + "/volumes/-", R"({"name":"v","persistentVolumeClaim":{"claimName":"c"}})")},
      {"restricted/privilege-escalation", Op("replace", SC + "/allowPrivilegeEscalation", "true")},
      {"restricted/privilege-escalation", Op("remove", SC + "/allowPrivilegeEscalation")},
      {"", Op("replace", SC + "/allowPrivilegeEscalation", "false")},
      {"restricted/running-as-non-root", Op("replace", SC + "/runAsNonRoot", "false")},
      {"restricted/running-as-non-root", Op("replace", PSC + "/runAsNonRoot", "false")},
      {"restricted/running-as-non-root",
       Op("remove", SC + "/runAsNonRoot") + "," + Op("remove", PSC + "/runAsNonRoot")},
      {"", Op("replace", SC + "/runAsNonRoot", "true")},
      {"restricted/running-as-non-root-user", Op("replace", PSC + "/runAsUser", "0")},
      {"restricted/running-as-non-root-user", Op("add", SC + "/runAsUser", "0")},
      {"", Op("replace", PSC + "/runAsUser", "20000")},
      {"restricted/seccomp", Op("remove", SC + "/seccompProfile") + "," + Op("remove", PSC + "/seccompProfile")},
      {"", Op("replace", PSC + "/seccompProfile/type", R"("Localhost")")},
      {"restricted/capabilities", Op("replace", SC + "/capabilities/drop", R"(["NET_RAW"])")},
      {"restricted/capabilities", Op("remove", SC + "/capabilities")},
      {"restricted/capabilities", Op("add", SC + "/capabilities/add", R"(["CHOWN"])")},
      {"", Op("replace", SC + "/capabilities/drop", R"(["ALL","NET_RAW"])")},
      // kfix's own facts (not in the standards, but a weakening all the same)
      {"kfix/share-process-namespace", Op("add", P + "/shareProcessNamespace", "true")},
      {"", Op("add", P + "/shareProcessNamespace", "false")},
      {"kfix/root-group", Op("replace", PSC + "/fsGroup", "0")},
      {"kfix/root-group", Op("add", PSC + "/supplementalGroups", "[1000, 0]")},
      {"kfix/root-group", Op("replace", PSC + "/runAsGroup", "0")},
      {"", Op("add", PSC + "/supplementalGroups", "[1000]")},
      {"kfix/own-seccomp", Op("remove", SC + "/seccompProfile")},
      {"kfix/own-seccomp", Op("remove", PSC + "/seccompProfile")},
      {"kfix/own-run-as-non-root", Op("remove", SC + "/runAsNonRoot")},
      {"kfix/read-only-root-filesystem", Op("remove", SC + "/readOnlyRootFilesystem")},
      {"kfix/sysctls", Op("add", PSC + "/sysctls/-", R"({"name":"net.ipv4.tcp_syncookies","value":"0"})")},
      {"", Op("add", P + "/hostUsers", "false")},
      {"", Op("add", "/metadata/labels", R"({"team":"shop"})")},
  };
  for (const Case& c : cases) {
    CAPTURE(c.ops);
    Guarded g;
    kfix::Verdict v = g.Vet(c.ops);
    const kfix::GateResult& priv = Gate(v, "privilege");
    if (std::string(c.control).empty()) {
      CHECK_MESSAGE(priv.passed, priv.detail);
      CHECK(Added(kHardened, c.ops).empty());
      continue;
    }
    CHECK_FALSE(v.accepted);
    CHECK_FALSE(priv.passed);
    CHECK(v.reason.rfind("privilege: raises privileges: ", 0) == 0);
    const std::vector<std::string> added = Added(kHardened, c.ops);
    CHECK_MESSAGE(std::find(added.begin(), added.end(), c.control) != added.end(), c.control);
  }
}

TEST_CASE("one container's evaluation is its block of the whole object's") {
  // Two containers (the second with weaker settings) and an init container.
  std::string two = kHardened;
  const std::string second =
      R"({"name":"side","image":"side:1","securityContext":{"privileged":true,"capabilities":{"add":["NET_ADMIN"]}}})";
  two.insert(two.find(R"(]}}}})"), "," + second);
  two.insert(two.find(R"("containers":[)"), R"("initContainers":[{"name":"init","image":"busybox:1"}],)");
  const kfix::Value object = J(two);
  const auto view = kfix::ViewWorkload(object);
  REQUIRE(view);
  REQUIRE(view->containers.size() == 3);
  const kfix::internal::PssViolations all = kfix::internal::EvaluatePodSecurity(view);
  REQUIRE(all.container_begin.size() == 3);
  for (std::size_t k = 0; k < 3; ++k) {
    const auto [first, last] = all.ContainerBlock(k);
    const kfix::internal::PssViolations one = kfix::internal::EvaluateContainerPodSecurity(*view, k);
    REQUIRE(one.size() == last - first);
    CHECK((one.size() == 0) == (view->containers[k].name == "web"));  // only the hardened one has none
    for (std::size_t i = 0; i < one.size(); ++i) {
      CHECK(one[i].Key() == all[first + i].Key());
      CHECK(one[i].SameAs(all[first + i]));
    }
  }
  // A violation of one container is not the same as another's.
  CHECK_FALSE(all[all.ContainerBlock(0).first].SameAs(all[all.ContainerBlock(2).first]));
}

TEST_CASE("privilege gate: an edit inside one container is judged as the whole object is") {
  // The second container already fails; weakening the first is still refused,
  // improving the second passes, and the refusal names what the whole object names.
  std::string two = kHardened;
  two.insert(two.find(R"(]}}}})"),
             R"(,{"name":"side","image":"side:1","securityContext":{"privileged":true}})");
  Guarded g(two);
  const std::string SC1 = C.substr(0, C.size() - 1) + "1/securityContext";
  CHECK(Gate(g.Vet(Op("replace", SC1 + "/privileged", "false")), "privilege").passed);
  const kfix::Verdict v = g.Vet(Op("replace", SC + "/privileged", "true"));
  CHECK_FALSE(Gate(v, "privilege").passed);
  CHECK(Gate(v, "privilege").detail.find(R"(container "web": privileged=true)") != std::string::npos);
  // A patch touching the pod and a container is judged on the whole object.
  CHECK_FALSE(Gate(g.Vet(Op("replace", SC + "/readOnlyRootFilesystem", "true") + "," +
                         Op("add", P + "/hostPID", "true")),
                   "privilege")
                  .passed);
}

TEST_CASE("privilege gate: a level the object passed is named when it is lost") {
  Guarded g;
  kfix::Verdict v = g.Vet(Op("remove", SC + "/allowPrivilegeEscalation"));
  CHECK(Gate(v, "privilege").detail.find("passed the restricted level before, only baseline after") !=
        std::string::npos);
  v = g.Vet(Op("replace", SC + "/privileged", "true"));
  CHECK(Gate(v, "privilege").detail.find("only privileged after") != std::string::npos);
}

TEST_CASE("privilege gate: objects that already fail a level may improve, never loosen further") {
  std::string weak = kHardened;
  weak.replace(weak.find(R"("privileged":false)"), 18, R"("privileged":true )");
  Guarded g(weak);
  CHECK(Gate(g.Vet(Op("replace", SC + "/privileged", "false")), "privilege").passed);
  CHECK_FALSE(Gate(g.Vet(Op("add", P + "/hostPID", "true")), "privilege").passed);
}

TEST_CASE("privilege gate: giving up a user namespace (hostUsers: false) is a weakening") {
  std::string userns = kHardened;
  userns.insert(userns.find(R"("securityContext":{"runAsNonRoot")"), R"("hostUsers":false,)");
  const std::vector<std::string> added = Added(userns, Op("remove", P + "/hostUsers"));
  CHECK(std::find(added.begin(), added.end(), "kfix/host-users") != added.end());
  Guarded g(userns);
  CHECK_FALSE(Gate(g.Vet(Op("replace", P + "/hostUsers", "true")), "privilege").passed);
}

TEST_CASE("privilege gate: Windows pods are exempt from the Linux-only restricted controls") {
  std::string win = kHardened;
  win.insert(win.find(R"("securityContext":{"runAsNonRoot")"), R"("os":{"name":"windows"},)");
  CHECK(Added(win, Op("remove", SC + "/allowPrivilegeEscalation")).empty());
  CHECK(Added(win, Op("remove", SC + "/capabilities")).empty());
  CHECK_FALSE(Added(win, Op("add", SC + "/windowsOptions", R"({"hostProcess":true})")).empty());
}

TEST_CASE("destructive gate: a container's command or args are not part of a fix") {
  Guarded g;
  for (const std::string& ops : {Op("replace", C + "/command", R"(["sh","-c","nginx"])"),
                                 Op("add", C + "/args/-", R"("-q")"), Op("remove", C + "/args"),
                                 Op("remove", C + "/command")}) {
    CAPTURE(ops);
    kfix::Verdict v = g.Vet(ops);
    CHECK_FALSE(v.accepted);
    CHECK_FALSE(Gate(v, "destructive").passed);
    CHECK(v.reason.rfind("destructive: changes the ", 0) == 0);
  }
  // Unless the check being fixed is about them.
  kfix::Finding target;
  target.check = "custom-no-shell-command";
  target.object_index = 0;
  CHECK(Gate(g.Vet(Op("replace", C + "/command", R"(["nginx","-q"])"), &target), "destructive").passed);
  // Untouched command and args pass.
  CHECK(Gate(g.Vet(Op("add", "/metadata/labels", R"({"a":"b"})")), "destructive").passed);
}
