// The nine gates (see include/kfix/guard.hpp).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "core/patch_internal.hpp"
#include "guard/extract_internal.hpp"
#include "guard/guard_impl.hpp"
#include "guard/pss.hpp"
#include "remediate/builder.hpp"
#include "rules/k8s_schema_internal.hpp"

namespace kfix {

using internal::Concat;
using internal::EqualsIgnoreCase;

namespace {

const Value* F(const Value* v, std::string_view k) noexcept { return (v && v->is_object()) ? v->Find(k) : nullptr; }
std::string S(const Value* v) { return v ? std::string(v->string_or()) : std::string(); }

// Every verdict reports the nine gates of include/kfix/guard.hpp, in order.
constexpr std::size_t kGateCount = 9;

GateResult Gate(std::string name, bool passed, std::string detail) {
  return GateResult{std::move(name), passed, std::move(detail)};
}

// Gate 3 helpers --------------------------------------------------------------

std::string ContainerKey(const ContainerRef& c) {
  return Concat({ContainerGroupField(c.group), "/", c.name.empty() ? std::to_string(c.index) : c.name});
}

/// For each container of `before`, the container of `after` with its
/// ContainerKey (group, then the name, or the index for a container without
/// one): the last one when keys repeat, as a map from ContainerKey filled in
/// order keeps it; nullptr when none. Sorted keys, no key strings built for
/// named containers (an index is short enough not to allocate).
std::vector<const ContainerRef*> MatchContainers(const WorkloadView& before, const WorkloadView& after) {
  struct Key {
    ContainerGroup group;
    std::string_view text;
    std::size_t position;
  };
  std::vector<std::string> numbers;  // the text of nameless containers' indices
  numbers.reserve(before.containers.size() + after.containers.size());
  auto key_of = [&](const ContainerRef& c, std::size_t position) {
    if (!c.name.empty()) return Key{c.group, c.name, position};
    numbers.push_back(std::to_string(c.index));
    return Key{c.group, numbers.back(), position};
  };
  auto less = [](const Key& x, const Key& y) {
    if (x.group != y.group) return x.group < y.group;
    return x.text < y.text;
  };
  std::vector<Key> keys;
  keys.reserve(after.containers.size());
  for (std::size_t i = 0; i < after.containers.size(); ++i) keys.push_back(key_of(after.containers[i], i));
  std::stable_sort(keys.begin(), keys.end(), less);
  std::vector<const ContainerRef*> out;
  out.reserve(before.containers.size());
  for (const ContainerRef& c : before.containers) {
    const Key k = key_of(c, 0);
    auto it = std::upper_bound(keys.begin(), keys.end(), k, less);
    if (it == keys.begin() || less(*std::prev(it), k)) {
      out.push_back(nullptr);
    } else {
      out.push_back(&after.containers[std::prev(it)->position]);
    }
  }
  return out;
}

std::string EffectiveServiceAccount(const Value* pod_spec) {
  std::string sa = S(F(pod_spec, "serviceAccountName"));
  if (sa.empty()) sa = S(F(pod_spec, "serviceAccount"));
  return sa.empty() ? "default" : sa;
}

/// `matched`: MatchContainers(*vb, *va) when both views have a pod spec.
std::string DestructiveCheck(const Value& before, const std::optional<WorkloadView>& vb, const Value& after,
                             const std::optional<WorkloadView>& va, const std::vector<const ContainerRef*>& matched,
                             const FixConfig& config, const FixContext& ctx) {
  // Identity.
  for (std::string_view k : {"apiVersion", "kind"}) {
    const Value* a = before.Find(k);
    const Value* b = after.Find(k);
    if ((a == nullptr) != (b == nullptr) || (a && *a != *b)) return Concat({"changes ", k});
  }
  for (std::string_view k : {"name", "namespace"}) {
    const Value* a = F(before.Find("metadata"), k);
    const Value* b = F(after.Find("metadata"), k);
    if ((a == nullptr) != (b == nullptr) || (a && *a != *b)) return Concat({"changes metadata.", k});
  }
  if (before.Find("spec") && !after.Find("spec")) return "removes spec";
  std::string_view kind = before.Find("kind") ? before.Find("kind")->string_or() : "";
  std::string ns = S(F(before.Find("metadata"), "namespace"));
  if (kind == "Service") {
    for (std::string_view k : {"selector", "type"}) {
      const Value* a = F(before.Find("spec"), k);
      const Value* b = F(after.Find("spec"), k);
      if ((a == nullptr) != (b == nullptr) || (a && *a != *b)) return Concat({"changes the Service ", k});
    }
  }
  if (!vb || !vb->pod_spec) return {};
  if (!va || !va->pod_spec) return "removes the pod template";
  // Containers: none removed (by group and name), none renamed away.
  for (std::size_t ci = 0; ci < vb->containers.size(); ++ci) {
    const ContainerRef& c = vb->containers[ci];
    const ContainerRef* m = matched[ci];
    if (!m) return Concat({"removes container \"", ContainerKey(c), "\""});
    // Image changes only under the pin policy.
    std::string ib = S(F(c.container, "image")), ia = S(F(m->container, "image"));
    if (ib != ia) {
      auto pin = config.image_pins.find(ib);
      if (pin == config.image_pins.end()) {
        std::string repo = ib.substr(0, ib.find('@'));
        std::size_t slash = repo.rfind('/'), colon = repo.rfind(':');
        if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) repo = repo.substr(0, colon);
        pin = config.image_pins.find(repo);
      }
      if (pin == config.image_pins.end() || pin->second != ia)
        return Concat({"changes the image of container \"", c.name, "\" from \"", ib, "\" to \"", ia,
                       "\" outside the configured pin policy"});
    }
    // Ports a Service or a probe uses.
    const Value* pb = F(c.container, "ports");
    if (pb && pb->is_array()) {
      const Value* pa = F(m->container, "ports");
      for (const Value& p : pb->as_array()) {
        const Value* num = F(&p, "containerPort");
        std::string name = S(F(&p, "name"));
        bool still = false;
        if (pa && pa->is_array()) {
          for (const Value& q : pa->as_array()) {
            if (num && F(&q, "containerPort") && *F(&q, "containerPort") == *num) still = true;
          }
        }
        if (still || !num) continue;
        std::string n = num->is_int() ? std::to_string(num->as_int()) : S(num);
        bool used = ctx.service_target_ports.count(Concat({ns, "/", n})) ||
                    (!name.empty() && ctx.service_target_ports.count(Concat({ns, "/", name})));
        for (std::string_view probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
          for (std::string_view h : {"httpGet", "tcpSocket", "grpc"}) {
            const Value* port = F(F(F(m->container, probe), h), "port");
            if (port && ((port->is_int() && num->is_int() && port->as_int() == num->as_int()) ||
                         (!name.empty() && port->string_or() == name)))
              used = true;
          }
        }
        if (used)
          return Concat({"removes port ", n, " of container \"", c.name, "\" that a Service or probe uses"});
      }
    }
  }
  // Volumes still mounted.
  std::set<std::string> after_vols;
  if (const Value* v = F(va->pod_spec, "volumes"); v && v->is_array()) {
    for (const Value& e : v->as_array()) after_vols.insert(S(F(&e, "name")));
  }
  std::set<std::string> mounted;
  for (const ContainerRef& c : va->containers) {
    const Value* m = F(c.container, "volumeMounts");
    if (!m || !m->is_array()) continue;
    for (const Value& e : m->as_array()) mounted.insert(S(F(&e, "name")));
  }
  if (const Value* v = F(vb->pod_spec, "volumes"); v && v->is_array()) {
    for (const Value& e : v->as_array()) {
      std::string n = S(F(&e, "name"));
      if (!after_vols.count(n) && mounted.count(n)) return Concat({"removes volume \"", n, "\" that is still mounted"});
    }
  }
  // Service-account regression.
  std::string sa_b = EffectiveServiceAccount(vb->pod_spec), sa_a = EffectiveServiceAccount(va->pod_spec);
  if (sa_b != sa_a) {
    if (sa_a == "default") return Concat({"switches the service account from \"", sa_b, "\" to \"default\""});
    if (!ctx.HasServiceAccount(ns, sa_a))
      return Concat({"switches the service account to \"", sa_a, "\" which does not exist in the lint context"});
  }
  return {};
}

// A container's command or args are never part of a fix, unless the check
// being fixed is about them (a check whose name mentions "command" or "args",
// such as a custom rule).
std::string CommandCheck(const std::optional<WorkloadView>& vb, const std::optional<WorkloadView>& va,
                         const std::vector<const ContainerRef*>& matched, const std::vector<const Finding*>& targets) {
  if (!vb || !va) return {};
  for (const Finding* t : targets) {
    const std::string name = internal::ToLower(t->check);
    if (name.find("command") != std::string::npos || name.find("args") != std::string::npos) return {};
  }
  for (std::size_t ci = 0; ci < vb->containers.size(); ++ci) {
    const ContainerRef& c = vb->containers[ci];
    const ContainerRef* m = matched[ci];
    if (!m) continue;
    for (std::string_view field : {"command", "args"}) {
      const Value* b = F(c.container, field);
      const Value* a = F(m->container, field);
      if ((b == nullptr) != (a == nullptr) || (b && *a != *b))
        return Concat({"changes the ", field, " of container \"", c.name, "\" (", b ? ToJson(*b) : "unset", " -> ",
                       a ? ToJson(*a) : "unset", ")"});
    }
  }
  return {};
}

// Gate 4 ----------------------------------------------------------------------
// The table lives in pss.cpp (Pod Security Standards plus kfix's facts).

/// The containers (indices into view.containers) a patch edits when every op
/// stays inside one existing container, below its index (so the pod's fields,
/// the container lists and the other containers are as they were); false
/// otherwise.
bool ContainerLocalPatch(const Patch& patch, const WorkloadView& view, std::vector<std::size_t>& touched) {
  if (!view.pod_spec) return false;
  const std::vector<std::string>& base = view.pod_spec_pointer.tokens();
  for (const PatchOp& op : patch) {
    if (op.op == PatchOpType::kMove || op.op == PatchOpType::kCopy) return false;
    const std::vector<std::string>& t = op.path.tokens();
    if (t.size() < base.size() + 3 || !std::equal(base.begin(), base.end(), t.begin())) return false;
    const std::string& group = t[base.size()];
    const std::string& index = t[base.size() + 1];
    if (index.empty() || index.size() > 9 || (index.size() > 1 && index[0] == '0') ||
        !std::all_of(index.begin(), index.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      return false;
    const std::size_t i = static_cast<std::size_t>(std::stoul(index));
    std::size_t k = 0;
    while (k < view.containers.size() &&
           !(view.containers[k].index == i && group == ContainerGroupField(view.containers[k].group)))
      ++k;
    if (k == view.containers.size()) return false;
    if (std::find(touched.begin(), touched.end(), k) == touched.end()) touched.push_back(k);
  }
  return !touched.empty();
}

// Gate 5 ----------------------------------------------------------------------

bool NamespaceMatches(std::string_view ns, const std::vector<std::string>& patterns) {
  for (const std::string& p : patterns) {
    if (!p.empty() && p.back() == '*') {
      std::string_view prefix(p.data(), p.size() - 1);
      if (ns.size() >= prefix.size() && EqualsIgnoreCase(ns.substr(0, prefix.size()), prefix)) return true;
    } else if (EqualsIgnoreCase(ns, p)) {
      return true;
    }
  }
  return false;
}

// Gate 7 ----------------------------------------------------------------------

/// An API validation rule the schema cannot express (the OpenAPI EphemeralContainer has every Container field):
/// the API server rejects ports, resources, resize policy, lifecycle and probes on ephemeral containers.
std::string EphemeralContainerRule(const PatchOp& op) {
  static constexpr std::string_view kForbidden[] = {"ports", "resources", "resizePolicy", "lifecycle",
                                                    "livenessProbe", "readinessProbe", "startupProbe"};
  if (op.op != PatchOpType::kAdd && op.op != PatchOpType::kReplace) return {};
  const auto& t = op.path.tokens();
  for (std::size_t i = 0; i + 1 < t.size(); ++i) {
    if (t[i] != "ephemeralContainers") continue;
    std::string_view field;
    if (i + 2 < t.size()) {
      field = t[i + 2];
    } else if (op.value.is_object()) {  // a whole ephemeral container
      for (std::string_view f : kForbidden) {
        if (op.value.Find(f)) field = f;
      }
    }
    for (std::string_view f : kForbidden) {
      if (field == f) {
        return Concat({op.path.ToString(), ": ephemeral containers cannot set \"", f, "\" (the API server rejects it)"});
      }
    }
  }
  return {};
}

std::string FindingKey(const Finding& f) { return Concat({f.check, "\x1f", f.container, "\x1f", f.message}); }

}  // namespace

// ---------------------------------------------------------------------------
// Guard
// ---------------------------------------------------------------------------

bool internal::GuardState::IsCrossObjectCheck(std::string_view check) const {
  if (context_checks.count(std::string(check)) > 0) return true;
  // A target finding from a check this rule set does not enable: the catalog
  // says whether that check needs the lint context.
  for (const CheckInfo& c : BuiltinChecks()) {
    if (c.name == check) return c.needs_lint_context;
  }
  return false;
}

internal::GuardState::GuardState(std::shared_ptr<const RuleSet> r, FixConfig c, std::vector<Manifest> o)
    : rules(std::move(r)), config(std::move(c)), objects(std::move(o)) {
  fix_context = FixContext::Build(objects, rules);
  if (rules) {
    for (const CheckInfo& check : rules->checks()) {
      if (check.needs_lint_context) context_checks.insert(check.name);
    }
  }
  if (const char* v = std::getenv("KFIX_VERIFY_RESCAN"); v && std::string_view(v) == "1") verify_rescan = true;
  local_before_keys.resize(objects.size());
  isolated_flags = std::make_unique<std::once_flag[]>(objects.size());
  before_facts.resize(objects.size());
  before_flags = std::make_unique<std::once_flag[]>(objects.size());
  privilege_keys.resize(objects.size());
  privilege_key_flags = std::make_unique<std::once_flag[]>(objects.size());
}

const internal::GuardState::BeforeFacts& internal::GuardState::Before(std::size_t index) const {
  std::call_once(before_flags[index], [&] {
    auto b = std::make_unique<BeforeFacts>();
    b->view = ViewWorkload(objects[index].root);
    b->violations = internal::EvaluatePodSecurity(b->view);
    before_facts[index] = std::move(b);
  });
  static const BeforeFacts kReleased;  // after Release(index), as it was: no facts
  return before_facts[index] ? *before_facts[index] : kReleased;
}

const std::set<std::string>& internal::GuardState::PrivilegeKeys(std::size_t index) const {
  std::call_once(privilege_key_flags[index], [&] {
    auto keys = std::make_unique<std::set<std::string>>();
    for (const internal::PssViolation& v : Before(index).violations) keys->insert(v.Key());
    privilege_keys[index] = std::move(keys);
  });
  static const std::set<std::string> kReleased;
  return privilege_keys[index] ? *privilege_keys[index] : kReleased;
}

void internal::GuardState::Release(std::size_t index) const {
  before_facts[index].reset();
  privilege_keys[index].reset();
  local_before_keys[index] = std::vector<std::string>();
}

const ScanReport& internal::GuardState::Baseline() const {
  std::call_once(baseline_flag, [&] {
    if (rules) {
      baseline_has_containers =
          internal::ScanWithContainers(*rules, objects, scan_options, &baseline, &baseline_containers);
      if (!baseline_has_containers) baseline = rules->Scan(objects, scan_options);
    }
    baseline_by_object.resize(objects.size());
    for (std::size_t i = 0; i < baseline.findings.size(); ++i) {
      const std::size_t o = baseline.findings[i].object_index;
      if (o < baseline_by_object.size()) baseline_by_object[o].push_back(static_cast<std::uint32_t>(i));
    }
  });
  return baseline;
}

const std::vector<std::uint32_t>& internal::GuardState::BaselineOf(std::size_t index) const {
  Baseline();
  return baseline_by_object[index];
}

void internal::GuardState::ReleaseBaselineFinding(std::size_t id) {
  if (id < baseline.findings.size()) Finding gone = std::move(baseline.findings[id]);
}

ScanReport internal::GuardState::TakeBaseline() {
  Baseline();
  return std::move(baseline);
}

const std::vector<std::string>& internal::GuardState::LocalBeforeKeys(std::size_t index) const {
  std::call_once(isolated_flags[index], [&] {
    if (!rules) return;
    const std::vector<Finding>& all = Baseline().findings;
    for (std::uint32_t i : BaselineOf(index)) {
      if (!IsCrossObjectCheck(all[i].check)) local_before_keys[index].push_back(FindingKey(all[i]));
    }
  });
  return local_before_keys[index];
}

std::vector<Finding> internal::GuardState::ScanAfter(std::size_t index, Value& after, bool full_context) const {
  if (!full_context) {
    std::vector<Value> one;
    one.push_back(std::move(after));
    std::vector<std::vector<Finding>> out = ScanAfterBatch(index, one);
    after = std::move(one[0]);
    return std::move(out[0]);
  }
  std::vector<Manifest> ctx = objects;
  ctx[index].root = std::move(after);
  std::vector<Finding> out;
  for (Finding& f : rules->Scan(ctx).findings) {
    if (f.object_index == index) out.push_back(std::move(f));
  }
  after = std::move(ctx[index].root);
  return out;
}

std::vector<Finding> internal::GuardState::ScanAfterPatch(std::size_t index, Value& after, const Patch& patch,
                                                          std::string* mismatch) const {
  std::optional<std::vector<Finding>> affected;
  if (Baseline(), baseline_has_containers) {
    const Manifest& src = objects[index];
    Manifest m;  // named as ScanAfterBatch names its copies
    m.file = src.file + "#kfix-rescan-0";
    m.document = src.document;
    m.item = src.item;
    m.root = std::move(after);
    internal::RescanStats stats;
    internal::RescanBaseline before{&baseline.findings, &baseline_containers, &baseline_by_object[index]};
    affected = internal::RescanAffected(*rules, m, patch, before, reads_override, &stats);
    after = std::move(m.root);
    if (affected) {
      ++rescan_counters.affected;
      rescan_counters.checks_run += stats.run;
      rescan_counters.checks_partial += stats.partial;
      rescan_counters.checks_carried += stats.carried;
    }
  }
  if (affected && !verify_rescan) return std::move(*affected);
  ++rescan_counters.full;
  std::vector<Finding> full = ScanAfter(index, after, false);
  if (affected) {
    std::string d = internal::DescribeRescanMismatch(full, *affected);
    if (!d.empty()) {
      ++rescan_counters.mismatches;
      std::fprintf(stderr, "kfix: rescan self-check: %s (%s, document %d; patch %s)\n", d.c_str(),
                   objects[index].file.c_str(), objects[index].document, PatchToJson(patch).c_str());
    }
    if (mismatch) *mismatch = std::move(d);
  }
  return full;
}

std::vector<std::vector<Finding>> internal::GuardState::ScanAfterBatch(std::size_t index, std::vector<Value>& afters,
                                                                       const std::vector<const Patch*>* patches) const {
  if (patches && patches->size() == afters.size() && (Baseline(), baseline_has_containers)) {
    std::vector<std::vector<Finding>> out(afters.size());
    for (std::size_t i = 0; i < afters.size(); ++i) out[i] = ScanAfterPatch(index, afters[i], *(*patches)[i]);
    return out;
  }
  const Manifest& src = objects[index];
  std::vector<Manifest> batch(afters.size());
  for (std::size_t i = 0; i < afters.size(); ++i) {
    batch[i].file = src.file + "#kfix-rescan-" + std::to_string(i);
    batch[i].document = src.document;
    batch[i].item = src.item;
    batch[i].root = std::move(afters[i]);
  }
  ScanOptions opt;
  opt.context = LintContext::kPerFile;
  std::vector<std::vector<Finding>> out(afters.size());
  for (Finding& f : rules->Scan(batch, opt).findings) {
    if (f.object_index < out.size() && !IsCrossObjectCheck(f.check)) out[f.object_index].push_back(std::move(f));
  }
  for (std::size_t i = 0; i < afters.size(); ++i) afters[i] = std::move(batch[i].root);
  return out;
}

Verdict internal::GuardState::Vet(std::size_t index, const Patch& patch, const std::vector<const Finding*>& targets,
                         std::size_t budget, const std::vector<Finding>* after_findings,
                         const Value* after_value, bool defer_rescan, Value* scratch) const {
  Verdict v;
  v.gates.reserve(kGateCount);  // exactly nine: no growth slack kept with every result
  if (budget == 0) budget = config.max_ops;
  v.patch = patch;
  auto skip = [&](std::string_view from) {
    for (std::string_view n : {"destructive", "privilege", "namespace", "schema", "rescan", "idempotence", "budget"})
      v.gates.push_back(Gate(std::string(n), false, Concat({"skipped: ", from, " failed"})));
  };
  if (index >= objects.size()) {
    v.gates.push_back(Gate("structure", false, "object index out of range"));
    v.reason = "structure: object index out of range";
    return v;
  }
  const Value& before = objects[index].root;

  // 1 structure
  {
    std::string detail;
    if (patch.empty()) detail = "the patch is empty";
    for (std::size_t i = 0; i < patch.size() && detail.empty(); ++i) {
      const PatchOp& op = patch[i];
      if (op.op == PatchOpType::kMove || op.op == PatchOpType::kCopy)
        detail = Concat({"op ", std::to_string(i), ": \"", PatchOpName(op.op),
                         "\" is not in the op allowlist (add, remove, replace, test)"});
      else if (op.path.empty())
        detail = Concat({"op ", std::to_string(i), ": replacing or removing the whole object is not allowed"});
      else
        for (std::size_t t = 0; t + 1 < op.path.size(); ++t) {
          if (op.path.tokens()[t] == "-") {
            detail = Concat({"op ", std::to_string(i), ": \"-\" may only end a path"});
            break;
          }
        }
      if (detail.empty() && op.op != PatchOpType::kAdd && op.path.back() == "-")
        detail = Concat({"op ", std::to_string(i), ": \"-\" is only valid for add"});
    }
    v.gates.push_back(Gate("structure", detail.empty(), detail.empty() ? Concat({std::to_string(patch.size()), " ops"}) : detail));
    if (!detail.empty()) {
      v.gates.push_back(Gate("apply", false, "skipped: structure failed"));
      skip("structure");
      v.reason = "structure: " + detail;
      return v;
    }
  }
  // 9 budget, settled before anything is applied: a patch over the budget
  // is refused whatever it does, so no gate spends time on it.
  if (patch.size() > budget) {
    const std::string d = Concat({std::to_string(patch.size()), " ops, budget ", std::to_string(budget),
                                  " (refused before applying)"});
    for (std::string_view n : {"apply", "destructive", "privilege", "namespace", "schema", "rescan", "idempotence"})
      v.gates.push_back(Gate(std::string(n), false, "skipped: budget failed"));
    v.gates.push_back(Gate("budget", false, d));
    v.reason = "budget: " + d;
    return v;
  }
  // 2 apply (to a fresh copy, or in place on the caller's scratch copy,
  // undone when this returns)
  const bool in_place = scratch != nullptr && after_value == nullptr;
  internal::PatchUndo undo;
  Result<Value> applied = (after_value || in_place) ? Result<Value>(Value()) : ApplyPatchCopy(before, patch);
  if (in_place) {
    if (Status s = internal::ApplyPatchUndoable(*scratch, patch, undo); !s.ok()) applied = std::move(s);
  }
  if (!applied.ok()) {
    v.gates.push_back(Gate("apply", false, applied.status().message()));
    skip("apply");
    v.reason = "apply: " + applied.status().message();
    return v;
  }
  struct Restore {
    Value* doc;
    internal::PatchUndo& undo;
    ~Restore() {
      if (doc) internal::UndoPatch(*doc, undo);
    }
  } restore{in_place ? scratch : nullptr, undo};
  v.gates.push_back(Gate("apply", true, "applies atomically"));
  Value& after_own = in_place ? *scratch : *applied;
  const Value& after = after_value ? *after_value : after_own;
  const BeforeFacts& bf = Before(index);
  // The view's pointers lead into heap nodes of `after`, which stay put when
  // the rescan moves `after_own` out and back.
  const std::optional<WorkloadView> va = ViewWorkload(after);
  // 3 destructive
  {
    const std::vector<const ContainerRef*> matched =
        bf.view && va ? MatchContainers(*bf.view, *va) : std::vector<const ContainerRef*>();
    std::string d = DestructiveCheck(before, bf.view, after, va, matched, config, fix_context);
    if (d.empty()) d = CommandCheck(bf.view, va, matched, targets);
    v.gates.push_back(Gate("destructive", d.empty(), d.empty() ? "no destructive edit" : d));
  }
  // 4 privilege
  // A patch that stays inside some containers leaves every other violation as
  // it was: only those containers are evaluated again, each against its own
  // block of the original's violations first. When all of theirs are known the
  // gate passes; otherwise the whole object is evaluated below, for the same
  // verdict and its detail.
  bool privilege_settled = false;
  if (std::vector<std::size_t> touched; bf.view && va && va->containers.size() == bf.view->containers.size() &&
                                        ContainerLocalPatch(patch, *bf.view, touched)) {
    const internal::PssViolations& bv = bf.violations;
    bool all_known = true;
    for (std::size_t k = 0; k < touched.size() && all_known; ++k) {
      const std::size_t c = touched[k];
      if (va->containers[c].group != bf.view->containers[c].group ||
          va->containers[c].index != bf.view->containers[c].index) {
        all_known = false;
        break;
      }
      const internal::PssViolations after_c = internal::EvaluateContainerPodSecurity(*va, c);
      auto [next, last] = bv.ContainerBlock(c);
      const std::string* same_subjects[2] = {nullptr, nullptr};
      for (const internal::PssViolation& f : after_c) {
        bool known = false;
        for (std::size_t j = next; j < last; ++j) {
          if (bv[j].SameAs(f, same_subjects)) {
            known = true;
            next = j + 1;
            break;
          }
        }
        if (!known && !PrivilegeKeys(index).count(f.Key())) {
          all_known = false;
          break;
        }
      }
    }
    if (all_known) {
      v.gates.push_back(Gate("privilege", true, "no privilege increase"));
      privilege_settled = true;
    }
  }
  if (!privilege_settled) {
    const internal::PssViolations after_pss = internal::EvaluatePodSecurity(va);
    const internal::PssViolations& bv = bf.violations;
    std::string d;
    // Each violation of the patched object must be one of the original's. The
    // evaluation order is stable, so a kept violation is usually found by
    // walking the original's list along; only the others are looked up by key.
    std::size_t next = 0;
    const std::string* same_subjects[2] = {nullptr, nullptr};
    for (const internal::PssViolation& f : after_pss) {
      bool known = false;
      for (std::size_t k = next; k < bv.size(); ++k) {
        if (bv[k].SameAs(f, same_subjects)) {
          known = true;
          next = k + 1;
          break;
        }
      }
      if (!known && !PrivilegeKeys(index).count(f.Key())) {
        d = "raises privileges: " + f.Describe();
        const std::string was = internal::PssHighestLevel(bv);
        const std::string now = internal::PssHighestLevel(after_pss);
        if (was != now) d += Concat({" (the pod passed the ", was, " level before, only ", now, " after)"});
        break;
      }
    }
    v.gates.push_back(Gate("privilege", d.empty(), d.empty() ? "no privilege increase" : d));
  }
  // 5 namespace
  {
    std::string ns = S(F(before.Find("metadata"), "namespace"));
    bool prot = !ns.empty() && NamespaceMatches(ns, config.protected_namespaces) &&
                !NamespaceMatches(ns, config.allowed_namespaces);
    v.gates.push_back(Gate("namespace", !prot,
                           prot ? Concat({"namespace \"", ns, "\" is protected (allow it with fix.allowedNamespaces)"})
                                : (ns.empty() ? "no namespace" : Concat({"namespace \"", ns, "\" is not protected"}))));
  }
  // 6 schema
  {
    std::string d;
    std::string_view kind = before.Find("kind") ? before.Find("kind")->string_or() : "";
    for (const PatchOp& op : patch) {
      d = internal::k8s::CheckPatchOp(before, op);
      if (d.empty()) d = EphemeralContainerRule(op);
      if (!d.empty()) break;
    }
    v.gates.push_back(Gate("schema", d.empty(),
                           d.empty() ? (internal::k8s::KnowsKind(before) ? "touched fields exist with the right types"
                                                                         : Concat({"kind \"", kind, "\" not in the built-in table"}))
                                     : d));
  }
  // 7 rescan
  if (defer_rescan && rules) {
    v.gates.push_back(Gate("rescan", true, "deferred"));
  } else if (!rules) {
    v.gates.push_back(Gate("rescan", true, "skipped: no rule set"));
  } else {
    bool full = false;
    for (const Finding* t : targets) full = full || IsCrossObjectCheck(t->check);
    std::vector<Finding> after_f;
    std::string mismatch;
    if (after_findings && !full) {
      after_f = *after_findings;
    } else if (after_value) {
      Value copy = *after_value;
      after_f = full ? ScanAfter(index, copy, full) : ScanAfterPatch(index, copy, patch, &mismatch);
    } else {
      after_f = full ? ScanAfter(index, after_own, full) : ScanAfterPatch(index, after_own, patch, &mismatch);
    }
    std::multiset<std::string> before_keys;
    if (full) {
      const std::vector<Finding>& all = Baseline().findings;
      for (std::uint32_t i : BaselineOf(index)) before_keys.insert(FindingKey(all[i]));
    } else {
      const std::vector<std::string>& keys = LocalBeforeKeys(index);
      before_keys.insert(keys.begin(), keys.end());
    }
    std::string d;
    if (!mismatch.empty()) d = "affected-only rescan differs from the full rescan: " + mismatch;
    for (const Finding* t : targets) {
      if (!d.empty()) break;
      std::string key = FindingKey(*t);
      for (const Finding& f : after_f) {
        if (FindingKey(f) == key) {
          d = Concat({"finding still present: ", t->check, ": ", t->message});
          break;
        }
      }
      if (!d.empty()) break;
    }
    for (Finding& f : after_f) {
      auto it = before_keys.find(FindingKey(f));
      if (it != before_keys.end()) {
        before_keys.erase(it);
      } else {
        if (d.empty()) d = Concat({"new finding: ", f.check, ": ", f.message});
        v.new_findings.push_back(std::move(f));
      }
    }
    v.gates.push_back(Gate("rescan", d.empty(),
                           d.empty() ? (targets.empty() ? "no new finding" : "targeted finding gone, no new finding") : d));
  }
  // 8 idempotence
  {
    std::string d;
    for (const Finding* t : targets) {
      FixProposal again = internal::ProposeFixWithView(after, &va, *t, config, &fix_context);
      if (again.status == ProposalStatus::kProposed || (again.status == ProposalStatus::kNeedsReview && !again.patch.empty())) {
        d = Concat({"the generator for ", t->check, " still proposes ", std::to_string(again.patch.size()), " ops: ",
                    PatchToJson(again.patch)});
        break;
      }
    }
    v.gates.push_back(Gate("idempotence", d.empty(),
                           d.empty() ? (targets.empty() ? "no target finding" : "the generator proposes nothing more") : d));
  }
  // 9 budget
  v.gates.push_back(Gate("budget", patch.size() <= budget,
                         Concat({std::to_string(patch.size()), " ops, budget ", std::to_string(budget)})));

  SettleVerdict(v);
  if (!after_value && !in_place) v.patched = std::move(*applied);
  return v;
}

void internal::GuardState::SettleVerdict(Verdict& v) {
  v.accepted = !v.gates.empty();
  v.reason.clear();
  // The reason is the first gate that failed on its own; gates reported as
  // "skipped: ..." only point at it.
  std::string skipped;
  for (const GateResult& g : v.gates) {
    if (g.passed) continue;
    v.accepted = false;
    const bool was_skipped = g.detail.rfind("skipped: ", 0) == 0;
    if (!was_skipped && v.reason.empty()) v.reason = Concat({g.name, ": ", g.detail});
    if (was_skipped && skipped.empty()) skipped = Concat({g.name, ": ", g.detail});
  }
  if (v.reason.empty()) v.reason = std::move(skipped);
}

Status internal::GuardState::ValidateConfig(const FixConfig& config) {
  if (config.max_ops == 0) return InvalidArgumentError("fix.maxOps must be >= 1");
  return Status::Ok();
}

Result<std::unique_ptr<Guard>> Guard::Create(std::shared_ptr<const RuleSet> rules, FixConfig config,
                                             std::vector<Manifest> context) {
  if (Status s = internal::GuardState::ValidateConfig(config); !s.ok()) return s;
  auto impl = std::make_unique<internal::GuardState>(std::move(rules), std::move(config), std::move(context));
  return std::unique_ptr<Guard>(new Guard(std::move(impl)));
}

Guard::Guard(std::unique_ptr<internal::GuardState> state) : state_(std::move(state)) {}
Guard::~Guard() = default;

const std::vector<Manifest>& Guard::objects() const noexcept { return state_->objects; }
const FixConfig& Guard::config() const noexcept { return state_->config; }
const FixContext& Guard::fix_context() const noexcept { return state_->fix_context; }
const ScanReport& Guard::baseline() const { return state_->Baseline(); }

Verdict Guard::Vet(std::size_t object_index, const Patch& patch, const Finding* target) const {
  std::vector<const Finding*> targets;
  if (target) targets.push_back(target);
  return state_->Vet(object_index, patch, targets);
}

Verdict Guard::VetText(std::size_t object_index, std::string_view text, const Finding* target) const {
  std::vector<const Finding*> targets;
  if (target) targets.push_back(target);
  return state_->VetText(object_index, text, targets);
}

Verdict internal::GuardState::VetText(std::size_t index, std::string_view text,
                                      const std::vector<const Finding*>& targets, const Value* extract_against,
                                      const std::function<Status(Patch&)>& rewrite) const {
  if (index >= objects.size()) {
    Verdict v;
    v.gates.push_back(Gate("structure", false, "object index out of range"));
    v.reason = "structure: object index out of range";
    return v;
  }
  // The budget first: a patch text with more ops than it allows is refused
  // from a byte count, before anything is parsed or applied.
  if (std::optional<std::size_t> ops = internal::CountPatchOps(text); ops && *ops > config.max_ops) {
    Verdict v;
    const std::string d = Concat({std::to_string(*ops), " ops, budget ", std::to_string(config.max_ops),
                                  " (refused before parsing)"});
    for (std::string_view n : {"structure", "apply", "destructive", "privilege", "namespace", "schema", "rescan", "idempotence"})
      v.gates.push_back(Gate(std::string(n), false, "skipped: budget failed"));
    v.gates.push_back(Gate("budget", false, d));
    v.reason = "budget: " + d;
    return v;
  }
  Result<ExtractedPatch> ex = ExtractPatch(text, extract_against ? *extract_against : objects[index].root);
  if (ex.ok() && rewrite) {
    if (Status s = rewrite(ex->patch); !s.ok()) ex = s;
  }
  if (!ex.ok()) {
    Verdict v;
    v.gates.push_back(Gate("structure", false, ex.status().message()));
    for (std::string_view n : {"apply", "destructive", "privilege", "namespace", "schema", "rescan", "idempotence", "budget"})
      v.gates.push_back(Gate(std::string(n), false, "skipped: structure failed"));
    v.reason = "structure: " + ex.status().message();
    return v;
  }
  Verdict v = Vet(index, ex->patch, targets);
  if (!ex->note.empty() && !v.gates.empty()) {
    v.gates[0].detail += Concat({" (", PatchFormName(ex->form), "; ", ex->note, ")"});
  } else if (!v.gates.empty()) {
    v.gates[0].detail += Concat({" (", PatchFormName(ex->form), ")"});
  }
  return v;
}

}  // namespace kfix
