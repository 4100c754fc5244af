// The fix pipeline (`kfix fix`): scan -> propose -> vet per finding -> merge
// per object -> vet the merged patch. It owns the guard's state directly
// (guard/guard_impl.hpp) for the finer-grained vetting it needs (deferred
// rescans, batched rescans, cached workload views).
#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "core/parallel_internal.hpp"
#include "core/patch_internal.hpp"
#include "guard/guard_impl.hpp"
#include "pipeline/documents_internal.hpp"
#include "kfix/pipeline.hpp"
#include "propose/driver_internal.hpp"
#include "remediate/builder.hpp"

namespace kfix {

const char* FixStatusName(FixStatus s) noexcept {
  switch (s) {
    case FixStatus::kAccepted: return "accepted";
    case FixStatus::kRejected: return "rejected";
    case FixStatus::kNeedsReview: return "needs-review";
    case FixStatus::kUnfixable: return "unfixable";
  }
  return "unfixable";
}

namespace {

using internal::GuardState;

bool Writes(const PatchOp& o) { return o.op == PatchOpType::kAdd || o.op == PatchOpType::kReplace; }

// `scratch`: the object's working copy (equal to the object between vets).
FixResult FixOne(const GuardState& g, std::size_t index, const Finding& f, FixProposal p, Value* scratch) {
  FixResult r;
  r.finding = f;
  r.roles = p.roles;
  switch (p.status) {
    case ProposalStatus::kProposed: {
      // The rescan is settled per object afterwards (MergeObject).
      Verdict v = g.Vet(index, p.patch, {&f}, 0, nullptr, nullptr, /*defer_rescan=*/true, scratch);
      r.status = v.accepted ? FixStatus::kAccepted : FixStatus::kRejected;
      r.reason = v.accepted ? p.reason : v.reason;
      r.patch = std::move(p.patch);
      r.gates = std::move(v.gates);
      break;
    }
    case ProposalStatus::kNothingToDo:
      r.status = FixStatus::kRejected;
      r.reason = "the generator finds nothing to change (" + p.reason + "); detector and generator disagree";
      break;
    case ProposalStatus::kNeedsReview:
      r.status = FixStatus::kNeedsReview;
      r.reason = p.reason;
      r.patch = std::move(p.patch);
      if (!r.patch.empty()) r.gates = g.Vet(index, r.patch, {&f}, 0, nullptr, nullptr, false, scratch).gates;
      break;
    case ProposalStatus::kUnfixable:
      r.status = FixStatus::kUnfixable;
      r.reason = p.reason;
      break;
  }
  return r;
}

/// A propose run's result for one finding: the model first (every answer
/// vetted by the same gates, refusals fed back), then the rules proposal
/// through FixOne, the path of `kfix fix`, as the fallback.
FixResult ProposeOne(const GuardState& g, std::size_t index, const Finding& f, const FixOptions& options,
                     const std::function<Value*()>& work_copy) {
  std::vector<ProposeAttempt> model_attempts;
  std::string failure;
  if (options.model) {
    internal::ModelOutcome mo = internal::ProposeWithModel(g, index, f, *options.model);
    if (mo.accepted || !options.model->config.fallback) {
      FixResult r;
      r.finding = f;
      r.status = mo.accepted ? FixStatus::kAccepted : FixStatus::kRejected;
      r.reason = mo.accepted ? "model patch accepted (attempt " + std::to_string(mo.attempts.size()) + ")" : mo.failure;
      r.patch = std::move(mo.verdict.patch);
      r.roles.assign(r.patch.size(), OpRole::kTarget);
      r.gates = std::move(mo.verdict.gates);
      r.proposer = "llm";
      r.attempts = std::move(mo.attempts);
      return r;
    }
    model_attempts = std::move(mo.attempts);
    failure = std::move(mo.failure);
  }
  const auto t0 = std::chrono::steady_clock::now();
  FixProposal p =
      internal::ProposeFixWithView(g.objects[index].root, &g.Before(index).view, f, g.config, &g.fix_context);
  Value* scratch =
      (p.status == ProposalStatus::kProposed || p.status == ProposalStatus::kNeedsReview) ? work_copy() : nullptr;
  FixResult r = FixOne(g, index, f, std::move(p), scratch);
  r.proposer = "rules";
  r.attempts = std::move(model_attempts);
  if (!failure.empty()) r.reason = "rules fallback (" + failure + "): " + r.reason;
  if (r.status == FixStatus::kAccepted || (r.status == FixStatus::kRejected && !r.gates.empty())) {
    ProposeAttempt a;  // the outcome is settled with the object's rescans (FinishRulesAttempts)
    a.number = static_cast<int>(r.attempts.size()) + 1;
    a.proposer = "rules";
    a.ops = r.patch.size();
    a.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.attempts.push_back(std::move(a));
  }
  return r;
}

/// The rules attempt's outcome, once the object's rescans are settled.
void FinishRulesAttempts(std::vector<FixResult*>& rs) {
  for (FixResult* r : rs) {
    if (r->attempts.empty() || r->attempts.back().proposer != "rules" || !r->attempts.back().outcome.empty()) continue;
    ProposeAttempt& a = r->attempts.back();
    if (r->status == FixStatus::kAccepted) {
      a.outcome = "accepted";
      a.detail = "every gate passed";
      continue;
    }
    a.outcome = "refused";
    Verdict v;
    v.gates = r->gates;
    GuardState::SettleVerdict(v);
    std::string detail;
    a.gate = v.accepted ? std::string("merge") : internal::FirstFailingGate(v, &detail);
    a.detail = v.accepted ? r->reason : detail;
  }
}

GateResult* RescanGate(FixResult& r) {
  for (GateResult& gr : r.gates) {
    if (gr.name == "rescan") return &gr;
  }
  return nullptr;
}

/// Re-derives status/reason of a per-finding result from its gates.
void Resettle(FixResult& r) {
  Verdict v;
  v.gates = r.gates;
  GuardState::SettleVerdict(v);
  if (r.status == FixStatus::kAccepted || r.status == FixStatus::kRejected) {
    r.status = v.accepted ? FixStatus::kAccepted : FixStatus::kRejected;
    if (!v.accepted) r.reason = v.reason;
  }
}

/// Settles deferred rescans one patch at a time (identical patches once, each
/// rescanning only the checks its patch can affect: GuardState::ScanAfterBatch).
void SettleRescansIndividually(const GuardState& g, std::size_t index, std::vector<FixResult*>& rs) {
  const Value& obj = g.objects[index].root;
  std::map<std::string, int> unique;
  std::vector<Value> afters;
  std::vector<const Patch*> patches;  // the one that made each of `afters`
  std::vector<int> slot(rs.size(), -1);
  for (std::size_t k = 0; k < rs.size(); ++k) {
    GateResult* gr = RescanGate(*rs[k]);
    if (!gr || gr->detail != "deferred") continue;
    std::string key = PatchToJson(rs[k]->patch);
    auto it = unique.find(key);
    if (it != unique.end()) {
      slot[k] = it->second;
      continue;
    }
    auto applied = ApplyPatchCopy(obj, rs[k]->patch);
    if (!applied.ok()) continue;
    slot[k] = static_cast<int>(afters.size());
    unique.emplace(std::move(key), slot[k]);
    afters.push_back(std::move(*applied));
    patches.push_back(&rs[k]->patch);
  }
  std::vector<std::vector<Finding>> scanned;
  if (!afters.empty()) scanned = g.ScanAfterBatch(index, afters, &patches);
  for (std::size_t k = 0; k < rs.size(); ++k) {
    if (slot[k] < 0) continue;
    const std::size_t s = static_cast<std::size_t>(slot[k]);
    Verdict v = g.Vet(index, rs[k]->patch, {&rs[k]->finding}, 0, &scanned[s], &afters[s]);
    for (GateResult& gr : rs[k]->gates) {
      if (gr.name != "rescan") continue;
      for (const GateResult& ng : v.gates) {
        if (ng.name == "rescan") gr = ng;
      }
    }
    Resettle(*rs[k]);
  }
}

/// Composes the accepted fixes of one object by regenerating each fix on the
/// result of the previous ones. `cur` is the object's working copy (equal to
/// the object on entry): the fixes are applied to it in place, recorded in
/// `undo`, and the caller undoes them (on success `cur` is then the object
/// with `merged` applied). Returns false (and `conflict`) when a later fix
/// rewrites a path an earlier one set to a different value.
bool Compose(const GuardState& g, const std::vector<const FixResult*>& accepted, Patch& merged,
             std::vector<const Finding*>& targets, std::string& conflict, Value& cur, internal::PatchUndo& undo) {
  std::map<std::string, Value> written;
  for (const FixResult* r : accepted) {
    if (r->proposer == "llm") {
      // A model's patch is not regenerated: it is applied as vetted.
      targets.push_back(&r->finding);
      for (const PatchOp& op : r->patch) {
        auto it = written.find(op.path.ToString());
        if (it != written.end() && (!Writes(op) || it->second != op.value)) {
          conflict = "fixes conflict at \"" + op.path.ToString() + "\" (" + r->finding.check + ")";
          return false;
        }
      }
      if (Status s = internal::ApplyPatchUndoable(cur, r->patch, undo); !s.ok()) {
        conflict = "the model's patch for " + r->finding.check + " does not apply after the other fixes: " + s.message();
        return false;
      }
      for (const PatchOp& op : r->patch) {
        if (Writes(op) && (op.path.empty() || op.path.back() != "-")) written[op.path.ToString()] = op.value;
        merged.push_back(op);
      }
      continue;
    }
    // The first fix sees the unchanged object: its proposal is the one already
    // vetted (proposals are deterministic), so it is not generated again.
    FixProposal p;
    if (r == accepted.front()) {
      p.status = ProposalStatus::kProposed;
      p.patch = r->patch;
    } else {
      p = ProposeFix(cur, r->finding, g.config, &g.fix_context);
    }
    targets.push_back(&r->finding);
    if (p.status == ProposalStatus::kNothingToDo) continue;  // already fixed by an earlier fix
    if (p.status != ProposalStatus::kProposed) {
      conflict = "fix for " + r->finding.check + " no longer applies after the other fixes";
      return false;
    }
    for (const PatchOp& op : p.patch) {
      std::string path = op.path.ToString();
      auto it = written.find(path);
      if (it != written.end() && (!Writes(op) || it->second != op.value)) {
        conflict = "fixes conflict at \"" + path + "\" (" + r->finding.check + ")";
        return false;
      }
    }
    Status s = internal::ApplyPatchUndoable(cur, p.patch, undo);
    if (!s.ok()) {
      conflict = "merged patch does not apply: " + s.message();
      return false;
    }
    for (PatchOp& op : p.patch) {
      if (Writes(op) && (op.path.empty() || op.path.back() != "-")) written[op.path.ToString()] = op.value;
      merged.push_back(std::move(op));
    }
  }
  return true;
}

ObjectFix MergeObject(const GuardState& g, std::size_t index, std::vector<FixResult*>& results, Value* scratch,
                      bool keep_patched) {
  ObjectFix of;
  of.object_index = index;
  auto attempt = [&](const std::vector<const FixResult*>& set, ObjectFix& out) {
    Patch merged;
    std::vector<const Finding*> targets;
    std::string conflict;
    // Composed on the working copy and undone: the object is copied only
    // when the caller keeps `patched`.
    internal::PatchUndo undo;
    const bool composed_ok = Compose(g, set, merged, targets, conflict, *scratch, undo);
    Value composed;
    if (composed_ok && keep_patched) composed = *scratch;
    internal::UndoPatch(*scratch, undo);
    if (!composed_ok) {
      out.accepted = false;
      out.reason = conflict;
      return false;
    }
    // Vetted on the working copy; `composed` is the same object with the
    // merged patch applied, so it becomes `patched` once the patch applied.
    Verdict v = g.Vet(index, merged, targets, g.config.max_ops * std::max<std::size_t>(1, set.size()), nullptr,
                      nullptr, false, scratch);
    const bool applied = std::any_of(v.gates.begin(), v.gates.end(),
                                     [](const GateResult& gr) { return gr.name == "apply" && gr.passed; });
    out.patch = std::move(merged);
    out.accepted = v.accepted;
    out.reason = v.reason;
    out.gates = std::move(v.gates);
    if (applied) out.patched = std::move(composed);
    return out.accepted;
  };
  // Fast path: the candidates (every other gate passed, rescan deferred) are
  // merged and rescanned once. When the object with all of them applied has
  // none of the targeted findings and no new one, each candidate's rescan is
  // settled on it.
  std::vector<const FixResult*> candidates;
  for (FixResult* r : results) {
    if (r->status == FixStatus::kAccepted) candidates.push_back(r);
  }
  if (candidates.empty()) return of;
  if (attempt(candidates, of)) {
    const std::string detail = candidates.size() == 1
                                   ? std::string("targeted finding gone, no new finding")
                                   : "targeted finding gone, no new finding (rescanned with the object's " +
                                         std::to_string(candidates.size()) + " accepted fixes applied)";
    for (FixResult* r : results) {
      if (r->status != FixStatus::kAccepted) continue;
      if (GateResult* gr = RescanGate(*r); gr && gr->detail == "deferred") gr->detail = detail;
    }
    return of;
  }
  // Slow path: rescan each patch alone, then merge greedily.
  SettleRescansIndividually(g, index, results);
  std::vector<const FixResult*> accepted;
  for (FixResult* r : results) {
    if (r->status == FixStatus::kAccepted) accepted.push_back(r);
  }
  if (accepted.empty()) {
    of.accepted = false;
    return of;
  }
  if (attempt(accepted, of)) return of;
  std::vector<const FixResult*> kept;
  ObjectFix best;
  for (const FixResult* r : accepted) {
    std::vector<const FixResult*> trial = kept;
    trial.push_back(r);
    ObjectFix t;
    t.object_index = index;
    if (attempt(trial, t)) {
      kept = std::move(trial);
      best = std::move(t);
    } else {
      for (FixResult* rr : results) {
        if (rr == r) {
          rr->status = FixStatus::kRejected;
          rr->reason = "does not merge with the other fixes of this object: " + t.reason;
        }
      }
    }
  }
  best.object_index = index;
  if (kept.empty()) {
    best.accepted = false;
    best.reason = of.reason;
  }
  return best;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/// The per-proposer metrics of a propose run (FixSummary::by_proposer).
void SummarizeProposers(FixReport& report, const FixOptions& options) {
  FixSummary& s = report.summary;
  s.mode = options.model ? "openai" : "rules";
  s.model = options.model ? options.model->config.model : std::string();
  std::map<std::string, std::vector<double>> ops, latency;
  for (const char* p : {"rules", "llm"}) {
    if (std::string(p) == "llm" && !options.model) continue;
    s.by_proposer[p];
    ops[p];
    latency[p];
  }
  for (const FixResult& r : report.results) {
    std::set<std::string> seen;
    for (const ProposeAttempt& a : r.attempts) {
      ProposerSummary& ps = s.by_proposer[a.proposer];
      if (seen.insert(a.proposer).second) ++ps.findings;
      ++ps.attempts;
      if (a.outcome == "refused") {
        ++ps.refused;
        ++ps.refused_by_gate[a.gate];
      } else if (a.outcome == "error") {
        ++ps.errors;
      }
      ps.requests += a.requests;
      ps.prompt_tokens += a.prompt_tokens;
      ps.completion_tokens += a.completion_tokens;
      latency[a.proposer].push_back(a.seconds * 1000.0);
    }
    if (r.proposer.empty()) continue;
    ProposerSummary& ps = s.by_proposer[r.proposer];
    if (r.status == FixStatus::kAccepted) {
      ++ps.accepted;
      ops[r.proposer].push_back(static_cast<double>(r.patch.size()));
    } else if (r.status == FixStatus::kRejected && !r.attempts.empty()) {
      ++ps.rejected;
    }
    if (r.proposer == "rules" && seen.count("llm")) ++s.by_proposer["llm"].fallbacks;
  }
  for (auto& [name, ps] : s.by_proposer) {
    ps.median_ops = Median(ops[name]);
    std::vector<double>& l = latency[name];
    ps.latency_ms_median = Median(l);
    std::sort(l.begin(), l.end());
    if (!l.empty()) {
      const std::size_t k = std::min(l.size() - 1, static_cast<std::size_t>(0.95 * static_cast<double>(l.size())));
      ps.latency_ms_p95 = l[k];
    }
    for (double x : l) ps.latency_ms_total += x;
  }
}

}  // namespace

FixReport FixObjects(std::vector<Manifest> objects, std::shared_ptr<const RuleSet> rules, const FixConfig& config,
                     const FixOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  FixReport report;
  if (Status s = GuardState::ValidateConfig(config); !s.ok()) {
    report.errors.push_back(std::move(s));
    report.manifests = std::move(objects);
    return report;
  }
  if (options.writer != nullptr && (options.on_results || options.on_objects)) {
    report.errors.push_back(InvalidArgumentError("FixOptions: writer excludes on_results and on_objects"));
    report.manifests = std::move(objects);
    return report;
  }
  // The pipeline owns the guard's state: its objects and baseline scan move
  // into the report at the end instead of being copied.
  GuardState state(std::move(rules), config, std::move(objects));
  state.scan_options.jobs = options.jobs;
  const GuardState& g = state;
  const ScanReport& scan = g.Baseline();
  for (const Status& e : scan.errors) report.errors.push_back(e);
  // Streaming (FixOptions::on_results; not for propose runs, whose proposer
  // summary reads every result): each object's results live in the object's
  // own task until they are handed over in finding order.
  // With a writer (FixOptions::writer) each object's results and fix are
  // rendered to text on the thread that settled it and only the text waits
  // for its turn.
  FixReportWriter* const writer = options.record_proposer ? nullptr : options.writer;
  const bool streaming = (static_cast<bool>(options.on_results) || writer != nullptr) && !options.record_proposer;
  const bool streaming_objects = (static_cast<bool>(options.on_objects) || writer != nullptr) && !options.record_proposer;
  if (!streaming) report.results.resize(scan.findings.size());
  std::mutex emit_mu;
  std::map<std::size_t, FixResult> unsent;   // settled, not yet handed over (streaming)
  std::size_t next_result = 0;               // the next finding to hand over (streaming)
  // The summary counts each result once: as it is handed over, or at the end.
  FixSummary& sum = report.summary;
  std::vector<std::size_t> ops;
  auto count = [&sum, &ops](const FixResult& r) {
    ++sum.findings;
    auto& c = sum.by_check[r.finding.check];
    ++c["findings"];
    switch (r.status) {
      case FixStatus::kAccepted:
        ++sum.accepted;
        ++c["accepted"];
        ops.push_back(r.patch.size());
        break;
      case FixStatus::kRejected:
        ++sum.rejected;
        ++c["rejected"];
        break;
      case FixStatus::kNeedsReview:
        ++sum.needs_review;
        ++c["needs_review"];
        break;
      case FixStatus::kUnfixable:
        ++sum.unfixable;
        ++c["unfixable"];
        break;
    }
  };
  std::map<std::size_t, std::vector<std::size_t>> by_object;
  for (std::size_t i = 0; i < scan.findings.size(); ++i) by_object[scan.findings[i].object_index].push_back(i);
  std::vector<std::pair<std::size_t, std::vector<std::size_t>>> work(by_object.begin(), by_object.end());
  std::vector<ObjectFix> object_fixes(work.size());
  std::vector<char> has_fix(work.size(), 0);
  std::mutex progress_mu;
  std::size_t done = 0;
  const int threads = internal::ThreadCount(options.jobs, work.size());
  // With several threads the objects with the most findings are taken first
  // (an object's cost grows with its findings and with its containers, which
  // bring findings of their own), so that one large object near the end of
  // the input does not run alone while the other threads are idle. Results
  // land in their own slots: the order of the work does not change the output.
  // Streamed results are handed over in finding order, and every result after
  // an unsettled object waits for it: a streamed run takes first only the
  // objects heavy enough to leave a thread idle at the end (more than 1/32 of
  // one thread's share of the findings), largest first, then the others in
  // input order, so that little is held back.
  std::vector<std::size_t> order(work.size());
  for (std::size_t w = 0; w < work.size(); ++w) order[w] = w;
  if (threads > 1) {
    auto heavier = [&](std::size_t a, std::size_t b) { return work[a].second.size() > work[b].second.size(); };
    if (!streaming) {
      std::stable_sort(order.begin(), order.end(), heavier);
    } else {
      const std::size_t heavy = std::max<std::size_t>(16, scan.findings.size() / (static_cast<std::size_t>(threads) * 32));
      auto first = std::stable_partition(order.begin(), order.end(),
                                         [&](std::size_t w) { return work[w].second.size() >= heavy; });
      std::stable_sort(order.begin(), first, heavier);
    }
  }
  // Streaming: settled results wait in `unsent`, settled objects are marked
  // in `settled`. Every result whose earlier findings are all settled, and
  // every patched object whose earlier objects are all settled, is handed
  // over in order by whichever thread finds the writer free; it calls
  // on_results / on_objects outside emit_mu, so the other threads go on
  // settling objects meanwhile, and write_mu keeps the calls from
  // overlapping.
  std::mutex write_mu;
  std::vector<char> settled(streaming_objects ? work.size() : 0, 0);
  std::size_t next_object = 0;  // the next object (work order) to hand over
  struct Rendered {              // the text of `count` results from the key's finding on (writer)
    std::size_t count = 0;
    std::string text;
  };
  std::map<std::size_t, Rendered> rendered;
  std::vector<std::string> object_texts(writer != nullptr ? work.size() : 0);
  struct Ready {
    std::vector<FixResult> results;
    std::vector<ObjectFix> objects;
    std::vector<std::string> results_text, objects_text;  // writer
    bool empty() const {
      return results.empty() && objects.empty() && results_text.empty() && objects_text.empty();
    }
  };
  auto take_ready = [&]() {  // under emit_mu
    Ready ready;
    if (writer != nullptr) {
      for (auto it = rendered.begin(); it != rendered.end() && it->first == next_result; it = rendered.erase(it)) {
        next_result += it->second.count;
        ready.results_text.push_back(std::move(it->second.text));
      }
      for (; next_object < settled.size() && settled[next_object]; ++next_object) {
        if (has_fix[next_object]) ready.objects_text.push_back(std::move(object_texts[next_object]));
      }
      return ready;
    }
    for (auto it = unsent.begin(); it != unsent.end() && it->first == next_result; it = unsent.erase(it)) {
      count(it->second);
      ready.results.push_back(std::move(it->second));
      // The result carries its finding; the baseline's copy is not read
      // again once its object is settled (streamed runs return no
      // scan.findings), so its texts are freed now.
      state.ReleaseBaselineFinding(it->first);
      ++next_result;
    }
    for (; next_object < settled.size() && settled[next_object]; ++next_object) {
      if (has_fix[next_object]) ready.objects.push_back(std::move(object_fixes[next_object]));
    }
    return ready;
  };
  auto hand = [&](Ready&& ready) {  // under write_mu
    for (const std::string& t : ready.results_text) writer->AddRenderedResults(t);
    for (const std::string& t : ready.objects_text) writer->AddRenderedObjects(t);
    if (!ready.results.empty()) options.on_results(std::move(ready.results));
    if (!ready.objects.empty()) options.on_objects(std::move(ready.objects), g.objects);
  };
  auto more_ready = [&]() {  // under emit_mu
    return (!unsent.empty() && unsent.begin()->first == next_result) ||
           (!rendered.empty() && rendered.begin()->first == next_result) ||
           (next_object < settled.size() && settled[next_object]);
  };
  auto hand_over = [&]() {
    for (;;) {
      std::unique_lock<std::mutex> turn(write_mu, std::try_to_lock);
      if (!turn.owns_lock()) return;  // the writer looks again once it lets go
      for (;;) {
        Ready ready;
        {
          std::lock_guard<std::mutex> lock(emit_mu);
          ready = take_ready();
        }
        if (ready.empty()) break;
        hand(std::move(ready));
      }
      turn.unlock();
      // What became ready while this thread was writing, from a thread that
      // found the writer busy, is handed over now.
      std::lock_guard<std::mutex> lock(emit_mu);
      if (!more_ready()) return;
    }
  };
  internal::ParallelFor(work.size(), threads, [&](std::size_t ow) {
    const std::size_t w = order[ow];
    const auto& [index, finding_ids] = work[w];
    const Value& obj = g.objects[index].root;
    // One working copy of the object per object: every vet applies its patch
    // to it in place and undoes it (instead of copying the object per patch).
    std::optional<Value> scratch;
    auto work_copy = [&]() -> Value* {
      if (!scratch) scratch.emplace(obj);
      return &*scratch;
    };
    std::vector<FixResult> local(streaming ? finding_ids.size() : 0);
    std::vector<FixResult*> rs;
    for (std::size_t k = 0; k < finding_ids.size(); ++k) {
      const std::size_t id = finding_ids[k];
      const Finding& f = scan.findings[id];
      FixResult& slot = streaming ? local[k] : report.results[id];
      if (options.record_proposer) {
        slot = ProposeOne(g, index, f, options, work_copy);
      } else {
        FixProposal p = internal::ProposeFixWithView(obj, &g.Before(index).view, f, g.config, &g.fix_context);
        Value* s = (p.status == ProposalStatus::kProposed || p.status == ProposalStatus::kNeedsReview) ? work_copy()
                                                                                                      : nullptr;
        slot = FixOne(g, index, f, std::move(p), s);
      }
      rs.push_back(&slot);
    }
    bool any = std::any_of(rs.begin(), rs.end(), [](const FixResult* r) { return r->status == FixStatus::kAccepted; });
    if (any) object_fixes[w] = MergeObject(g, index, rs, work_copy(), options.keep_patched);
    // Rescans still deferred (rejected by another gate, or left out of the
    // merge) are settled one patch at a time.
    bool pending = false;
    for (FixResult* r : rs) {
      if (GateResult* gr = RescanGate(*r); gr && gr->detail == "deferred") pending = true;
    }
    if (pending) SettleRescansIndividually(g, index, rs);
    if (options.record_proposer) FinishRulesAttempts(rs);
    g.Release(index);  // this object is settled: its facts are not needed again
    has_fix[w] = std::any_of(rs.begin(), rs.end(), [](const FixResult* r) { return r->status == FixStatus::kAccepted; })
                     ? 1
                     : 0;
    if (writer != nullptr) {
      // Rendered here, while this thread still has the object's results in
      // its cache, a piece of up to kResultsPieceBytes at a time (each
      // handed over as soon as its turn comes, so one large object does not
      // hold all its text at once). An object's findings are consecutive; a
      // piece covers consecutive findings only.
      std::string text;
      std::size_t piece_first = 0, piece_count = 0;
      auto flush = [&](bool last) {
        std::string object_text;
        if (last && has_fix[w]) {
          writer->RenderObjects(&object_fixes[w], 1, g.objects, object_text);
          object_fixes[w] = ObjectFix();
        }
        {
          std::lock_guard<std::mutex> lock(emit_mu);
          for (std::size_t k = piece_first; k < piece_first + piece_count; ++k) count(local[k]);
          if (piece_count > 0) rendered.emplace(finding_ids[piece_first], Rendered{piece_count, std::move(text)});
          if (last) {
            object_texts[w] = std::move(object_text);
            settled[w] = 1;
          }
        }
        text = std::string();
        piece_first += piece_count;
        piece_count = 0;
        hand_over();
      };
      for (std::size_t k = 0; k < local.size(); ++k) {
        if (piece_count > 0 && finding_ids[k] != finding_ids[k - 1] + 1) flush(false);
        writer->RenderResults(&local[k], 1, text);
        ++piece_count;
        if (text.size() >= internal::kResultsPieceBytes) flush(false);
      }
      flush(true);
      // Each result carries its finding: the baseline's copy is not read
      // again once its object is settled.
      for (std::size_t id : finding_ids) state.ReleaseBaselineFinding(id);
      std::vector<FixResult>().swap(local);
    } else if (streaming || streaming_objects) {
      {
        std::lock_guard<std::mutex> lock(emit_mu);
        if (streaming) {
          for (std::size_t k = 0; k < finding_ids.size(); ++k) unsent.emplace(finding_ids[k], std::move(local[k]));
        }
        if (streaming_objects) settled[w] = 1;
      }
      hand_over();
    }
    if (options.progress) {
      std::lock_guard<std::mutex> lock(progress_mu);
      options.progress(++done, work.size());
    }
  });
  if (streaming || streaming_objects) {
    // Whatever is left (try_lock may fail spuriously), on this thread alone.
    for (Ready ready = take_ready(); !ready.empty(); ready = take_ready()) hand(std::move(ready));
  }
  if (!streaming_objects) {
    for (std::size_t w = 0; w < work.size(); ++w) {
      if (has_fix[w]) report.objects.push_back(std::move(object_fixes[w]));
    }
  }
  report.manifests = std::move(state.objects);
  report.scan = state.TakeBaseline();
  if (streaming) std::vector<Finding>().swap(report.scan.findings);  // handed over with the results
  // Summary (streamed results were counted as they were handed over).
  for (const FixResult& r : report.results) count(r);
  if (!ops.empty()) {
    std::sort(ops.begin(), ops.end());
    std::size_t n = ops.size();
    sum.median_ops = n % 2 ? static_cast<double>(ops[n / 2]) : (static_cast<double>(ops[n / 2 - 1]) + static_cast<double>(ops[n / 2])) / 2.0;
    sum.max_ops = static_cast<std::int64_t>(ops.back());
  }
  if (options.record_proposer) SummarizeProposers(report, options);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

FixReport FixLoaded(LoadResult loaded, std::int64_t files, std::shared_ptr<const RuleSet> rules,
                    const FixConfig& config, const FixOptions& options) {
  FixReport out = FixObjects(std::move(loaded.manifests), std::move(rules), config, options);
  out.errors.insert(out.errors.begin(), loaded.errors.begin(), loaded.errors.end());
  out.scan.errors.insert(out.scan.errors.begin(), loaded.errors.begin(), loaded.errors.end());
  out.scan.warnings.insert(out.scan.warnings.begin(), loaded.warnings.begin(), loaded.warnings.end());
  if (files >= 0) out.scan.stats.files = files;
  return out;
}

FixReport FixPaths(const std::vector<std::string>& paths, std::shared_ptr<const RuleSet> rules, const FixConfig& config,
                   const FixOptions& options) {
  FixReport out;
  LoadPathsOptions lo;
  lo.jobs = options.jobs;
  if (rules) lo.skip = [&rules](const std::string& f) { return rules->IsPathIgnored(f); };
  Result<std::vector<LoadedFile>> loaded = LoadPaths(paths, lo);
  if (!loaded.ok()) {
    out.errors.push_back(loaded.status());
    return out;
  }
  const auto nfiles = static_cast<std::int64_t>(loaded->size());
  return FixLoaded(MergeLoadedFiles(std::move(*loaded)), nfiles, std::move(rules), config, options);
}

}  // namespace kfix
