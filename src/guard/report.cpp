// Verdict serialisation (`kfix verify`) and the gate list every report shares.
#include <string>
#include <vector>

#include "guard/verdict_internal.hpp"
#include "kfix/guard.hpp"

namespace kfix {

Value internal::GatesToValue(const std::vector<GateResult>& gates) {
  Value arr = Value::MakeArray();
  for (const GateResult& g : gates) {
    Value e = Value::MakeObject();
    e.Set("name", g.name);
    e.Set("passed", g.passed);
    e.Set("detail", g.detail);
    arr.PushBack(std::move(e));
  }
  return arr;
}

namespace {

Value FindingBrief(const Finding& f) {
  Value v = Value::MakeObject();
  v.Set("check", f.check);
  v.Set("policy", f.policy);
  v.Set("message", f.message);
  v.Set("container", f.container);
  v.Set("line", f.line);
  v.Set("pointer", f.pointer);
  return v;
}

}  // namespace

Value VerdictToValue(const Verdict& v) {
  Value root = Value::MakeObject();
  root.Set("schemaVersion", 1);
  root.Set("accepted", v.accepted);
  root.Set("reason", v.reason);
  root.Set("patch", PatchToValue(v.patch));
  root.Set("gates", internal::GatesToValue(v.gates));
  Value nf = Value::MakeArray();
  for (const Finding& f : v.new_findings) nf.PushBack(FindingBrief(f));
  root.Set("newFindings", std::move(nf));
  return root;
}

}  // namespace kfix
