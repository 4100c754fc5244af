// FIFO-vs-policy simulation (remediation.md §9.4 with consistent units).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "kfix/schedule.hpp"

namespace kfix {
namespace {

OrderingReport Evaluate(std::string name, const std::vector<std::size_t>& order,
                        const std::vector<ScheduleItem>& items, const Scheduler& scheduler,
                        const std::vector<std::size_t>& top, const std::vector<int>& band_of) {
  OrderingReport r;
  r.name = std::move(name);
  std::vector<std::size_t> rank_of(items.size());
  std::vector<double> wait_hours(items.size());
  double elapsed = 0.0;
  for (std::size_t pos = 0; pos < order.size(); ++pos) {
    std::size_t i = order[pos];
    rank_of[i] = pos + 1;
    wait_hours[i] = elapsed / 3600.0;
    elapsed += scheduler.ExpectedSeconds(items[i].arm);
  }
  std::vector<double> ranks;
  for (std::size_t i : top) ranks.push_back(static_cast<double>(rank_of[i]));
  r.top_k_median_rank = Quantile(ranks, 0.5);
  r.top_k_p95_rank = Quantile(ranks, 0.95);
  std::vector<double> high, mid, low;
  for (std::size_t i = 0; i < items.size(); ++i) {
    (band_of[i] == 0 ? high : band_of[i] == 2 ? low : mid).push_back(wait_hours[i]);
  }
  for (auto [band, waits] : {std::pair<const char*, std::vector<double>*>{"high", &high}, {"mid", &mid}, {"low", &low}}) {
    BandWait b;
    b.band = band;
    b.items = static_cast<std::int64_t>(waits->size());
    b.median_hours = Quantile(*waits, 0.5);
    b.p95_hours = Quantile(*waits, 0.95);
    r.bands.push_back(b);
  }
  return r;
}

double Round(double x, int digits) {
  double f = std::pow(10.0, digits);
  return std::round(x * f) / f;
}

}  // namespace

std::vector<ScheduleItem> ScheduleItemsFromFindings(const std::vector<ScoredFinding>& scored, double enqueued_at) {
  std::vector<ScheduleItem> out;
  out.reserve(scored.size());
  for (std::size_t i = 0; i < scored.size(); ++i) {
    ScheduleItem it;
    it.id = std::to_string(i);
    it.arm = scored[i].finding.check;
    it.group = scored[i].finding.object.namespace_;
    it.risk = scored[i].risk.risk;
    it.kev = scored[i].risk.kev;
    it.enqueued_at = enqueued_at;
    out.push_back(std::move(it));
  }
  return out;
}

double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  q = std::clamp(q, 0.0, 1.0);
  double pos = q * static_cast<double>(values.size() - 1);
  std::size_t lo = static_cast<std::size_t>(std::floor(pos));
  std::size_t hi = std::min(lo + 1, values.size() - 1);
  double frac = pos - static_cast<double>(lo);
  return values[lo] + (values[hi] - values[lo]) * frac;
}

SimulationReport Simulate(const std::vector<ScheduleItem>& items, const Scheduler& scheduler, int top_k,
                          double now) {
  SimulationReport rep;
  rep.items = static_cast<std::int64_t>(items.size());
  rep.top_k = std::clamp(top_k, 0, static_cast<int>(items.size()));

  std::vector<std::size_t> fifo(items.size());
  std::iota(fifo.begin(), fifo.end(), std::size_t{0});
  std::vector<std::size_t> by_risk = fifo;
  std::stable_sort(by_risk.begin(), by_risk.end(),
                   [&](std::size_t a, std::size_t b) { return items[a].risk > items[b].risk; });
  std::vector<std::size_t> top(by_risk.begin(), by_risk.begin() + rep.top_k);
  std::vector<int> band_of(items.size(), 1);
  std::size_t n = items.size(), n_high = (n + 3) / 4, n_low = n / 4;
  for (std::size_t r = 0; r < n; ++r) band_of[by_risk[r]] = r < n_high ? 0 : (r >= n - n_low ? 2 : 1);

  // The policy order: rank, then map ids back to input indices (ids may repeat, so by position).
  std::vector<ScheduleItem> tagged = items;
  for (std::size_t i = 0; i < tagged.size(); ++i) tagged[i].id = std::to_string(i);
  std::vector<ScoredItem> ranked = scheduler.Rank(tagged, now);
  std::vector<std::size_t> policy;
  policy.reserve(ranked.size());
  for (const ScoredItem& s : ranked) policy.push_back(static_cast<std::size_t>(std::stoull(s.item.id)));

  rep.fifo = Evaluate("fifo", fifo, items, scheduler, top, band_of);
  rep.policy = Evaluate("policy", policy, items, scheduler, top, band_of);
  return rep;
}

Value SimulationReportToValue(const SimulationReport& r) {
  Value v = Value::MakeObject();
  v.Set("schemaVersion", 1);
  v.Set("items", r.items);
  v.Set("topK", r.top_k);
  Value orderings = Value::MakeArray();
  for (const OrderingReport* o : {&r.fifo, &r.policy}) {
    Value ov = Value::MakeObject();
    ov.Set("name", o->name);
    ov.Set("topKMedianRank", Round(o->top_k_median_rank, 2));
    ov.Set("topKP95Rank", Round(o->top_k_p95_rank, 2));
    Value bands = Value::MakeArray();
    for (const BandWait& b : o->bands) {
      Value bv = Value::MakeObject();
      bv.Set("band", b.band);
      bv.Set("items", b.items);
      bv.Set("medianWaitHours", Round(b.median_hours, 4));
      bv.Set("p95WaitHours", Round(b.p95_hours, 4));
      bands.PushBack(std::move(bv));
    }
    ov.Set("bands", std::move(bands));
    orderings.PushBack(std::move(ov));
  }
  v.Set("orderings", std::move(orderings));
  return v;
}

std::string SimulationReportToMarkdown(const SimulationReport& r) {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof(line), "items: %lld, top-k: %d (bands: high = 25%% riskiest, low = 25%% least risky)\n\n",
                static_cast<long long>(r.items), r.top_k);
  out += line;
  out += "| Ordering | top-k median rank | top-k P95 rank | high: median / P95 wait (h) | mid: median / P95 wait (h) "
         "| low: median / P95 wait (h) |\n|---|---|---|---|---|---|\n";
  for (const OrderingReport* o : {&r.fifo, &r.policy}) {
    std::snprintf(line, sizeof(line), "| %s | %.2f | %.2f |", o->name.c_str(), o->top_k_median_rank,
                  o->top_k_p95_rank);
    out += line;
    for (const BandWait& b : o->bands) {
      std::snprintf(line, sizeof(line), " %.2f / %.2f (n=%lld) |", b.median_hours, b.p95_hours,
                    static_cast<long long>(b.items));
      out += line;
    }
    out += "\n";
  }
  return out;
}

}  // namespace kfix
