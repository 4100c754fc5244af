// kfix/schedule.hpp - the scheduler: which verified fix to apply next.
//
// Score of an item (remediation.md §9.1, with exploration made real):
//
//   S = R · p / max(E[t], ε) + explore_weight · explore + α · wait_hours + (kev ? kev_weight : 0)
//
//   R      risk 0-100 (kfix/risk.hpp)
//   p      acceptance probability of the item's arm (its check), learned
//          online: Beta(prior_accept + accepted, prior_reject + rejected);
//          the posterior mean, or a seeded Thompson draw
//   E[t]   expected seconds to fix-and-verify an item of that arm, an EWMA of
//          reported durations starting at prior_seconds
//   explore  UCB bonus sqrt(ln(1 + N) / (1 + n_arm)) · ucb_beta (0 with
//          Thompson sampling, whose exploration is the draw itself)
//   wait_hours (now - enqueued_at) / 3600, from the caller's clock
//
// Units are fixed: E[t] in seconds, wait in hours, α per hour. The clock is
// always passed in (`now`, seconds since any epoch the caller chooses); the
// scheduler never reads the system time. Ranking is deterministic for a given
// configuration (including seed), learner history and input order: ties keep
// input order.
//
// Optional fairness (per group: namespace or team): kCap keeps at most
// `fairness_k` items per group within the first `fairness_top_n` positions
// (the others move just after position top_n, in score order); kRoundRobin
// interleaves groups, taking each group's best remaining item per round,
// rounds ordered by score.
//
// Thread safety: Scheduler is a value; const methods may run concurrently,
// Observe() needs exclusive access.
//
// Example:
//   kfix::Scheduler s(kfix::SchedulerConfig{});
//   s.Observe("privileged-container", /*accepted=*/true, /*seconds=*/4.2);
//   std::vector<kfix::ScoredItem> order = s.Rank(items, now_seconds);
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/risk.hpp"
#include "kfix/status.hpp"

namespace kfix {

/// One candidate fix.
struct ScheduleItem {
  std::string id;
  std::string arm;          ///< learning key, normally the check name
  std::string group;        ///< fairness group (namespace or team), "" = its own group
  double risk = 0.0;        ///< R, 0-100
  bool kev = false;         ///< an image CVE of the workload is in KEV
  double enqueued_at = 0.0; ///< seconds, same clock as `now`
};

enum class Exploration { kNone, kUcb, kThompson };
enum class Fairness { kNone, kCap, kRoundRobin };

/// "none"/"ucb"/"thompson" and "none"/"cap"/"round-robin".
const char* ExplorationName(Exploration e) noexcept;
Result<Exploration> ParseExploration(std::string_view name);
const char* FairnessName(Fairness f) noexcept;
Result<Fairness> ParseFairness(std::string_view name);

struct SchedulerConfig {
  double alpha = 1.0;           ///< weight of one hour of waiting
  double epsilon = 1e-6;        ///< floor of E[t] (seconds)
  double kev_weight = 1.0;      ///< boost for KEV items
  double explore_weight = 1.0;  ///< weight of the UCB bonus
  Exploration exploration = Exploration::kUcb;
  double ucb_beta = 1.0;
  std::uint64_t seed = 0;       ///< Thompson sampling seed
  double prior_accept = 9.0;    ///< Beta prior α0 (prior mean 0.9, strength 10, as the reference's fixed p)
  double prior_reject = 1.0;    ///< Beta prior β0
  double prior_seconds = 10.0;  ///< E[t] before any observation (the reference's fixed Et)
  double ewma_lambda = 0.2;     ///< weight of a new duration in the EWMA
  Fairness fairness = Fairness::kNone;
  int fairness_k = 1;           ///< kCap: items per group within the top N
  int fairness_top_n = 10;      ///< kCap: size of the protected head
};

/// What has been learned about one arm.
struct ArmStats {
  double accepted = 0.0;
  double rejected = 0.0;
  double ewma_seconds = 0.0;     ///< valid when timed > 0
  std::int64_t timed = 0;        ///< observations with a duration
  std::int64_t observations() const noexcept { return static_cast<std::int64_t>(accepted + rejected); }
};

/// An item with its score and the parts it was computed from.
struct ScoredItem {
  ScheduleItem item;
  double score = 0.0;
  double p = 0.0;                 ///< acceptance probability used
  double expected_seconds = 0.0;  ///< E[t] used
  double explore = 0.0;           ///< exploration bonus (before explore_weight)
  double wait_hours = 0.0;
};

class Scheduler {
 public:
  explicit Scheduler(SchedulerConfig config = {}) : config_(config) {}

  /// Reports an outcome for `arm`: accepted or not, and how long it took
  /// (seconds; negative = unknown, only p is updated).
  void Observe(std::string_view arm, bool accepted, double seconds);

  /// Scores one item (no fairness). Thompson draws depend on (seed, arm,
  /// total observations), so the same state gives the same score.
  ScoredItem Score(const ScheduleItem& item, double now) const;
  /// Scores and orders items, best first, then applies fairness.
  std::vector<ScoredItem> Rank(const std::vector<ScheduleItem>& items, double now) const;

  /// Posterior mean of p and current E[t] for an arm (priors when unseen).
  double MeanAcceptance(std::string_view arm) const;
  double ExpectedSeconds(std::string_view arm) const;

  const SchedulerConfig& config() const noexcept { return config_; }
  const std::map<std::string, ArmStats, std::less<>>& arms() const noexcept { return arms_; }
  std::int64_t total_observations() const noexcept { return total_; }

 private:
  double DrawAcceptance(std::string_view arm) const;

  SchedulerConfig config_;
  std::map<std::string, ArmStats, std::less<>> arms_;
  std::int64_t total_ = 0;
};

/// Orders by a FIFO (input order) or by the scheduler, and reports how soon
/// the riskiest items are served (remediation.md §9.4, with consistent units).
struct BandWait {
  std::string band;          ///< "high" (the 25% riskiest items), "mid", "low" (the 25% least risky)
  std::int64_t items = 0;
  double median_hours = 0.0;
  double p95_hours = 0.0;
};

struct OrderingReport {
  std::string name;                 ///< "fifo" or "policy"
  double top_k_median_rank = 0.0;   ///< 1-based rank of the k riskiest items (median)
  double top_k_p95_rank = 0.0;
  std::vector<BandWait> bands;      ///< high, mid, low
};

struct SimulationReport {
  std::int64_t items = 0;
  int top_k = 0;
  OrderingReport fifo;
  OrderingReport policy;
};

/// Simulates serving `items` one after another: the wait of the item at
/// position i is the sum of E[t] (scheduler's ExpectedSeconds per arm) of the
/// items before it. The k riskiest items are the k highest R (ties: input
/// order). Risk bands are by rank, not by value, so ties cannot empty a band:
/// with items sorted by R (ties: input order), the first ceil(n/4) are
/// "high", the last floor(n/4) "low", the rest "mid". Quantiles use linear
/// interpolation (numpy's default).
SimulationReport Simulate(const std::vector<ScheduleItem>& items, const Scheduler& scheduler, int top_k, double now);

/// The report as JSON (schemaVersion 1) and as a Markdown table.
Value SimulationReportToValue(const SimulationReport& r);
std::string SimulationReportToMarkdown(const SimulationReport& r);

/// Schedule items for scored findings, in order: id = decimal index,
/// arm = check, group = object namespace, risk and kev from the result.
std::vector<ScheduleItem> ScheduleItemsFromFindings(const std::vector<ScoredFinding>& scored, double enqueued_at);

/// Linear-interpolation quantile (q in [0, 1]) of unsorted values; 0 when empty.
double Quantile(std::vector<double> values, double q);

}  // namespace kfix
