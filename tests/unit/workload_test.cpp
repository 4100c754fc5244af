// Workload view: pod-spec location per kind, container groups and pointers.
#include <doctest/doctest.h>

#include "kfix/core.hpp"

using kfix::ContainerGroup;
using kfix::Value;

namespace {

Value Container(const char* name) {
  Value c = Value::MakeObject();
  c.Set("name", name);
  c.Set("image", "nginx:1.25");
  return c;
}

// Builds {kind, spec...} with the pod spec at the given path.
Value Workload(const char* kind, std::initializer_list<const char*> path, Value pod_spec) {
  Value root = Value::MakeObject();
  root.Set("apiVersion", "v1");
  root.Set("kind", kind);
  Value md = Value::MakeObject();
  md.Set("name", "x");
  root.Set("metadata", md);
  Value* node = &root;
  std::vector<const char*> p(path);
  for (std::size_t i = 0; i + 1 < p.size(); ++i) {
    node = &node->Set(p[i], Value::MakeObject());
    if (std::string(p[i + 1]) == "spec" && i + 2 == p.size()) {
      Value tmd = Value::MakeObject();
      Value labels = Value::MakeObject();
      labels.Set("app", "x");
      tmd.Set("labels", labels);
      node->Set("metadata", tmd);
    }
  }
  node->Set(p.back(), std::move(pod_spec));
  return root;
}

Value PodSpec() {
  Value spec = Value::MakeObject();
  Value init = Value::MakeArray();
  init.PushBack(Container("init-a"));
  spec.Set("initContainers", init);
  Value cs = Value::MakeArray();
  cs.PushBack(Container("app"));
  cs.PushBack(Value("not a mapping"));
  cs.PushBack(Container("side/car~1"));
  spec.Set("containers", cs);
  Value eph = Value::MakeArray();
  eph.PushBack(Container("debug"));
  spec.Set("ephemeralContainers", eph);
  return spec;
}

}  // namespace

TEST_CASE("workload kinds and pod-spec pointers") {
  CHECK(kfix::IsWorkloadKind("Deployment"));
  CHECK(kfix::IsWorkloadKind("CronJob"));
  CHECK(kfix::IsWorkloadKind("DeploymentConfig"));
  CHECK_FALSE(kfix::IsWorkloadKind("Service"));
  CHECK_FALSE(kfix::IsWorkloadKind("deployment"));  // kinds are case-sensitive, as in Kubernetes
  CHECK(kfix::PodSpecPointerForKind("Pod")->ToString() == "/spec");
  CHECK(kfix::PodSpecPointerForKind("StatefulSet")->ToString() == "/spec/template/spec");
  CHECK(kfix::PodSpecPointerForKind("CronJob")->ToString() == "/spec/jobTemplate/spec/template/spec");
  CHECK_FALSE(kfix::PodSpecPointerForKind("ConfigMap").has_value());
}

TEST_CASE("view of a Deployment lists init, regular and ephemeral containers with exact indices") {
  Value d = Workload("Deployment", {"spec", "template", "spec"}, PodSpec());
  auto view = kfix::ViewWorkload(d);
  REQUIRE(view.has_value());
  CHECK(view->kind == "Deployment");
  REQUIRE(view->pod_spec != nullptr);
  REQUIRE(view->pod_metadata != nullptr);
  CHECK(view->pod_metadata_pointer.ToString() == "/spec/template/metadata");
  CHECK(view->pod_metadata->FindPath({"labels", "app"})->as_string() == "x");
  REQUIRE(view->containers.size() == 4);
  CHECK(view->containers[0].group == ContainerGroup::kInit);
  CHECK(view->containers[0].pointer.ToString() == "/spec/template/spec/initContainers/0");
  CHECK(view->containers[1].name == "app");
  CHECK(view->containers[1].pointer.ToString() == "/spec/template/spec/containers/0");
  // The non-mapping element at index 1 is skipped but still counted.
  CHECK(view->containers[2].index == 2);
  CHECK(view->containers[2].pointer.ToString() == "/spec/template/spec/containers/2");
  CHECK(view->containers[2].name == "side/car~1");
  CHECK(view->containers[3].group == ContainerGroup::kEphemeral);
  CHECK(view->containers[3].container == &view->pod_spec->Find("ephemeralContainers")->as_array()[0]);
}

TEST_CASE("CronJob and Pod views") {
  Value cj = Workload("CronJob", {"spec", "jobTemplate", "spec", "template", "spec"}, PodSpec());
  auto v = kfix::ViewWorkload(cj);
  REQUIRE(v.has_value());
  CHECK(v->pod_spec_pointer.ToString() == "/spec/jobTemplate/spec/template/spec");
  CHECK(v->pod_metadata_pointer.ToString() == "/spec/jobTemplate/spec/template/metadata");
  REQUIRE(v->containers.size() == 4);
  CHECK(v->containers[1].pointer.ToString() == "/spec/jobTemplate/spec/template/spec/containers/0");

  Value pod = Workload("Pod", {"spec"}, PodSpec());
  auto p = kfix::ViewWorkload(pod);
  REQUIRE(p.has_value());
  CHECK(p->pod_metadata_pointer.ToString() == "/metadata");
  CHECK(p->pod_metadata == pod.Find("metadata"));
  CHECK(p->containers[1].pointer.ToString() == "/spec/containers/0");
}

TEST_CASE("missing or malformed pod specs give an empty view, not a crash") {
  Value d = Value::MakeObject();
  d.Set("kind", "Deployment");
  auto v = kfix::ViewWorkload(d);
  REQUIRE(v.has_value());
  CHECK(v->pod_spec == nullptr);
  CHECK(v->pod_metadata == nullptr);
  CHECK(v->containers.empty());

  Value bad = Workload("Job", {"spec", "template", "spec"}, Value("scalar"));
  auto b = kfix::ViewWorkload(bad);
  REQUIRE(b.has_value());
  CHECK(b->pod_spec == nullptr);

  Value svc = Value::MakeObject();
  svc.Set("kind", "Service");
  CHECK_FALSE(kfix::ViewWorkload(svc).has_value());
  Value nokind = Value::MakeObject();
  CHECK_FALSE(kfix::ViewWorkload(nokind).has_value());
  nokind.Set("kind", 3);
  CHECK_FALSE(kfix::ViewWorkload(nokind).has_value());
}
