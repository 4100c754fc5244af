// Availability: replicas, anti-affinity, selectors, Job TTL and PodDisruptionBudgets.
// Fix generators of this domain; the file registers its own entries (remediate/generator_helpers.hpp).
#include "remediate/generator_helpers.hpp"

namespace kfix::internal::generators {
namespace {

/// Pod template labels as currently in the builder.
const Value* PodLabels(const OpBuilder& b, const GenCtx& g) {
  return Field(CurrentAt(b, g.view->pod_metadata_pointer), "labels");
}

/// The controller's selector (pod spec path minus template/spec + selector).
JsonPointer SelectorPointer(const GenCtx& g) {
  std::vector<std::string> t = g.view->pod_spec_pointer.tokens();
  if (t.size() >= 2) {
    t.resize(t.size() - 2);
  } else {
    t.clear();
  }
  t.push_back("selector");
  return JsonPointer(std::move(t));
}

bool HasMapSelector(const GenCtx& g) {
  return HasLabelMapSelector(Field(&g.object, "kind") ? Field(&g.object, "kind")->string_or() : "");
}

/// The selector's label map: matchLabels, or the selector itself for map selectors.
const Value* SelectorLabels(const GenCtx& g, const Value* sel) {
  return HasMapSelector(g) ? sel : Field(sel, "matchLabels");
}

Outcome FixAntiAffinity(const GenCtx& g, OpBuilder& b) {
  Outcome w = NeedWorkload(g);
  if (w.status != ProposalStatus::kProposed) return w;
  const Value* labels = PodLabels(b, g);
  if (!labels || !labels->is_object() || labels->size() == 0)
    return Outcome::Review("the pod template has no labels to build an anti-affinity selector from");
  // Prefer the controller's matchLabels (the pods' identity) restricted to
  // labels the pod really carries; else all pod labels.
  Value match = Value::MakeObject();
  const Value* ml = SelectorLabels(g, CurrentAt(b, SelectorPointer(g)));
  if (ml && ml->is_object()) {
    for (const Member& m : ml->as_object()) {
      const Value* pv = labels->Find(m.key);
      if (pv && *pv == m.value && m.value.is_string()) match.Set(m.key, m.value);
    }
  }
  if (match.size() == 0) {
    for (const Member& m : labels->as_object()) {
      if (m.value.is_string()) match.Set(m.key, m.value);
    }
  }
  if (match.size() == 0) return Outcome::Review("the pod template labels are not strings");
  // Already satisfied by an existing term with this selector?
  const JsonPointer pref = g.view->pod_spec_pointer.Child("affinity")
                               .Child("podAntiAffinity")
                               .Child("preferredDuringSchedulingIgnoredDuringExecution");
  const Value* existing = CurrentAt(b, pref);
  if (existing && existing->is_array()) {
    for (const Value& t : existing->as_array()) {
      const Value* term = Field(&t, "podAffinityTerm");
      if (Field(term, "topologyKey") && Field(term, "topologyKey")->string_or() == "kubernetes.io/hostname" &&
          Field(Field(term, "labelSelector"), "matchLabels") &&
          *Field(Field(term, "labelSelector"), "matchLabels") == match && !Field(term, "namespaces"))
        return Outcome::Ok();
    }
  }
  Value selector = Value::MakeObject();
  selector.Set("matchLabels", match);
  Value term = Value::MakeObject();
  term.Set("labelSelector", selector);
  term.Set("topologyKey", "kubernetes.io/hostname");
  Value weighted = Value::MakeObject();
  weighted.Set("weight", 100);
  weighted.Set("podAffinityTerm", term);
  b.Append(pref, weighted);
  return Outcome::Ok();
}

Outcome FixMismatchingSelector(const GenCtx& g, OpBuilder& b) {
  Outcome w = NeedWorkload(g);
  if (w.status != ProposalStatus::kProposed) return w;
  const Value* sel = CurrentAt(b, SelectorPointer(g));
  if (!sel || !sel->is_object()) {
    // No selector (invalid for apps/v1): derive it from the template labels.
    const Value* labels = PodLabels(b, g);
    if (!labels || !labels->is_object() || labels->size() == 0)
      return Outcome::Review("neither a selector nor pod template labels to derive one from");
    Value match = Value::MakeObject();
    for (const Member& m : labels->as_object()) {
      if (m.value.is_string()) match.Set(m.key, m.value);
    }
    if (match.size() == 0) return Outcome::Review("the pod template labels are not strings");
    if (HasMapSelector(g)) {
      b.Set(SelectorPointer(g), match);
    } else {
      Value selector = Value::MakeObject();
      selector.Set("matchLabels", match);
      b.Set(SelectorPointer(g), selector);
    }
    return Outcome::Ok();
  }
  const Value* ml = SelectorLabels(g, sel);
  const Value* me = HasMapSelector(g) ? nullptr : Field(sel, "matchExpressions");
  const bool has_labels = ml && ml->is_object() && ml->size() > 0;
  const bool has_exprs = me && me->is_array() && me->size() > 0;
  if (!has_labels && !has_exprs) return Outcome::Review("the selector has neither matchLabels nor matchExpressions");
  const JsonPointer labels_ptr = g.view->pod_metadata_pointer.Child("labels");
  if (has_labels) {
    for (const Member& m : ml->as_object()) {
      if (!m.value.is_string()) return Outcome::Unfixable("selector label \"" + m.key + "\" is not a string");
      const Value* cur = Field(PodLabels(b, g), m.key);
      if (cur && *cur == m.value) continue;
      b.Set(labels_ptr.Child(m.key), m.value);
      if (b.failed()) return Fail(b);
    }
  }
  if (!has_exprs) return Outcome::Ok();
  // Requirements the template already satisfies stay untouched; an unmet `In`
  // takes its first value (the selector names it); any other unmet requirement
  // (NotIn / DoesNotExist would remove a label, Exists would invent a value)
  // needs a human decision.
  for (const Value& req : me->as_array()) {
    const Value* key = Field(&req, "key");
    const Value* op = Field(&req, "operator");
    const Value* values = Field(&req, "values");
    if (!key || !key->is_string() || !op || !op->is_string())
      return Outcome::Review("a matchExpressions requirement has no key or operator");
    const Value* cur = Field(PodLabels(b, g), key->as_string());
    const bool present = cur && cur->is_string();
    auto in_values = [&](const Value* v) {
      if (!v || !v->is_string() || !values || !values->is_array()) return false;
      for (const Value& x : values->as_array()) {
        if (x == *v) return true;
      }
      return false;
    };
    const std::string_view o = op->as_string();
    bool met = false;
    if (o == "In") {
      met = present && in_values(cur);
    } else if (o == "NotIn") {
      met = !present || !in_values(cur);
    } else if (o == "Exists") {
      met = present;
    } else if (o == "DoesNotExist") {
      met = !present;
    } else {
      return Outcome::Review("unknown matchExpressions operator \"" + std::string(o) + "\"");
    }
    if (met) continue;
    if (o == "In" && values && values->is_array() && values->size() > 0 && values->as_array()[0].is_string()) {
      b.Set(labels_ptr.Child(key->as_string()), values->as_array()[0]);
      if (b.failed()) return Fail(b);
      continue;
    }
    return Outcome::Review("the template does not meet the selector's \"" + key->as_string() + " " + std::string(o) +
                           "\" requirement and no label value can be derived");
  }
  return Outcome::Ok();
}

Outcome FixJobTtl(const GenCtx& g, OpBuilder& b) {
  std::string_view kind = Field(&g.object, "kind") ? Field(&g.object, "kind")->string_or() : "";
  JsonPointer spec({"spec"});
  if (kind == "CronJob") {
    JsonPointer p({"spec", "jobTemplate", "spec", "ttlSecondsAfterFinished"});
    if (CurrentAt(b, p)) b.Remove(p);
    return Outcome::Ok();
  }
  if (kind != "Job") return Outcome::Unfixable("job-ttl-seconds-after-finished applies to Job and CronJob only");
  auto ttl = AsInt(CurrentAt(b, spec.Child("ttlSecondsAfterFinished")));
  if (!ttl || *ttl < 0) b.Set(spec.Child("ttlSecondsAfterFinished"), g.config.job_ttl_seconds_after_finished);
  return Outcome::Ok();
}

Outcome FixPdbEviction(const GenCtx& g, OpBuilder& b) {
  JsonPointer p({"spec", "unhealthyPodEvictionPolicy"});
  const Value* cur = CurrentAt(b, p);
  if (cur && !cur->string_or().empty()) return Outcome::Ok();
  if (!Field(&g.object, "spec") || !Field(&g.object, "spec")->is_object())
    return Outcome::Unfixable("PodDisruptionBudget has no spec");
  b.Set(p, g.config.pdb_unhealthy_pod_eviction_policy);
  return Outcome::Ok();
}

Outcome FixMinReplicas(const GenCtx& g, OpBuilder& b) {
  std::string_view kind = Field(&g.object, "kind") ? Field(&g.object, "kind")->string_or() : "";
  if (kind == "HorizontalPodAutoscaler") {
    auto mn = AsInt(CurrentAt(b, JsonPointer({"spec", "minReplicas"})));
    if (!mn || *mn < g.config.min_replicas) b.Set(JsonPointer({"spec", "minReplicas"}), g.config.min_replicas);
    auto mx = AsInt(CurrentAt(b, JsonPointer({"spec", "maxReplicas"})));
    if (mx && *mx < g.config.min_replicas) b.Set(JsonPointer({"spec", "maxReplicas"}), g.config.min_replicas);
    return Outcome::Ok();
  }
  if (kind == "Pod" || kind == "Job" || kind == "CronJob" || kind == "DaemonSet")
    return Outcome::Unfixable("kind " + std::string(kind) + " has no replicas");
  auto r = AsInt(CurrentAt(b, JsonPointer({"spec", "replicas"})));
  if (!r || *r < g.config.min_replicas) b.Set(JsonPointer({"spec", "replicas"}), g.config.min_replicas);
  return Outcome::Ok();
}

}  // namespace

KFIX_REGISTER_GENERATORS(availability) {
  registry.Add({
    {"no-anti-affinity", {FixAntiAffinity, true}},
    {"mismatching-selector", {FixMismatchingSelector, true}},
    {"job-ttl-seconds-after-finished", {FixJobTtl, true}},
    {"pdb-unhealthy-pod-eviction-policy", {FixPdbEviction, true}},
    {"minimum-three-replicas", {FixMinReplicas, true}},
    {"hpa-minimum-three-replicas", {FixMinReplicas, true}},
    {"pdb_unhealthy_eviction_policy", {FixPdbEviction, true}},
    {"job_ttl_after_finished", {FixJobTtl, true}},
    {"no_anti_affinity", {FixAntiAffinity, true}},
    {"mismatching_selector", {FixMismatchingSelector, true}},
  });
  registry.Unfixable({
    {"pdb-max-unavailable", "a non-zero maxUnavailable is an availability decision kfix cannot derive"},
    {"pdb-min-available", "a lower minAvailable is an availability decision kfix cannot derive"},
  });
}

}  // namespace kfix::internal::generators
