// Scheduler: score formula, online learning of p and E[t], UCB and seeded Thompson
// exploration, aging with an injected clock, fairness, and the FIFO-vs-policy simulation.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "kfix/schedule.hpp"

namespace {

kfix::ScheduleItem Item(std::string id, std::string arm, double risk, double enqueued_at = 0, std::string group = "",
                        bool kev = false) {
  kfix::ScheduleItem it;
  it.id = std::move(id);
  it.arm = std::move(arm);
  it.risk = risk;
  it.enqueued_at = enqueued_at;
  it.group = std::move(group);
  it.kev = kev;
  return it;
}

std::vector<std::string> Ids(const std::vector<kfix::ScoredItem>& v) {
  std::vector<std::string> out;
  for (const auto& s : v) out.push_back(s.item.id);
  return out;
}

}  // namespace

TEST_CASE("score matches the reference formula with priors and no exploration") {
  kfix::SchedulerConfig cfg;
  cfg.exploration = kfix::Exploration::kNone;
  kfix::Scheduler s(cfg);
  kfix::ScoredItem a = s.Score(Item("a", "privileged-container", 85), 0);
  CHECK(a.p == doctest::Approx(0.9));
  CHECK(a.expected_seconds == doctest::Approx(10));
  CHECK(a.score == doctest::Approx(7.65));
  // Aging: 2 hours of waiting adds 2·α; KEV adds kev_weight. Clock is injected.
  kfix::ScoredItem b = s.Score(Item("b", "privileged-container", 85, 1000, "", true), 1000 + 7200);
  CHECK(b.wait_hours == doctest::Approx(2.0));
  CHECK(b.score == doctest::Approx(7.65 + 2.0 + 1.0));
  // A clock earlier than enqueue never gives negative waits.
  CHECK(s.Score(Item("c", "x", 40, 5000), 0).wait_hours == 0);
}

TEST_CASE("p is a Beta posterior and E[t] an EWMA, learned online") {
  kfix::SchedulerConfig cfg;
  cfg.exploration = kfix::Exploration::kNone;
  kfix::Scheduler s(cfg);
  for (int i = 0; i < 10; ++i) s.Observe("flaky", false, 30.0);
  // Beta(9 + 0, 1 + 10): mean 9/20.
  CHECK(s.MeanAcceptance("flaky") == doctest::Approx(0.45));
  CHECK(s.MeanAcceptance("unseen") == doctest::Approx(0.9));
  // EWMA from the prior 10 s towards 30 s: 30 - 20·0.8^10.
  CHECK(s.ExpectedSeconds("flaky") == doctest::Approx(30.0 - 20.0 * std::pow(0.8, 10)));
  s.Observe("untimed", true, -1);
  CHECK(s.ExpectedSeconds("untimed") == doctest::Approx(10));
  CHECK(s.total_observations() == 11);
  // The learned arm now ranks below an equally risky unseen arm.
  auto order = s.Rank({Item("f", "flaky", 80), Item("u", "unseen", 80)}, 0);
  CHECK(Ids(order) == std::vector<std::string>{"u", "f"});
}

TEST_CASE("UCB bonus shrinks with observations of an arm") {
  kfix::Scheduler s;  // UCB by default
  CHECK(s.Score(Item("a", "x", 50), 0).explore == 0);  // ln(1 + 0) = 0
  for (int i = 0; i < 20; ++i) s.Observe("seen", true, 10);
  double unseen = s.Score(Item("a", "new", 50), 0).explore;
  double seen = s.Score(Item("b", "seen", 50), 0).explore;
  CHECK(unseen == doctest::Approx(std::sqrt(std::log(21.0))));
  CHECK(seen == doctest::Approx(std::sqrt(std::log(21.0) / 21.0)));
  CHECK(unseen > seen);
}

TEST_CASE("Thompson sampling is deterministic for a seed and varies with it") {
  kfix::SchedulerConfig cfg;
  cfg.exploration = kfix::Exploration::kThompson;
  cfg.seed = 42;
  kfix::Scheduler s1(cfg), s2(cfg);
  for (int i = 0; i < 5; ++i) {
    s1.Observe("a", i % 2 == 0, 5);
    s2.Observe("a", i % 2 == 0, 5);
  }
  double p1 = s1.Score(Item("x", "a", 50), 0).p;
  CHECK(p1 == s2.Score(Item("x", "a", 50), 0).p);
  CHECK(p1 > 0);
  CHECK(p1 < 1);
  CHECK(s1.Score(Item("y", "a", 70), 0).p == p1);  // one draw per arm and state
  // Draws follow the posterior: mean of draws over seeds ≈ posterior mean 12/15.
  double sum = 0;
  for (std::uint64_t seed = 0; seed < 2000; ++seed) {
    cfg.seed = seed;
    kfix::Scheduler s(cfg);
    for (int i = 0; i < 5; ++i) s.Observe("a", i % 2 == 0, 5);
    sum += s.Score(Item("x", "a", 50), 0).p;
  }
  CHECK(sum / 2000 == doctest::Approx(12.0 / 15.0).epsilon(0.02));
  cfg.seed = 43;
  kfix::Scheduler s3(cfg);
  for (int i = 0; i < 5; ++i) s3.Observe("a", i % 2 == 0, 5);
  CHECK(s3.Score(Item("x", "a", 50), 0).p != p1);
}

TEST_CASE("ties keep input order; ranking is by score") {
  kfix::SchedulerConfig cfg;
  cfg.exploration = kfix::Exploration::kNone;
  kfix::Scheduler s(cfg);
  auto order = s.Rank({Item("a", "c", 40), Item("b", "c", 85), Item("c", "c", 40), Item("d", "c", 85)}, 0);
  CHECK(Ids(order) == std::vector<std::string>{"b", "d", "a", "c"});
}

TEST_CASE("fairness: cap per group within the top N, and round-robin") {
  kfix::SchedulerConfig cfg;
  cfg.exploration = kfix::Exploration::kNone;
  std::vector<kfix::ScheduleItem> items = {Item("a1", "c", 90, 0, "a"), Item("a2", "c", 89, 0, "a"),
                                           Item("a3", "c", 88, 0, "a"), Item("b1", "c", 50, 0, "b"),
                                           Item("c1", "c", 40, 0, "c"), Item("b2", "c", 30, 0, "b")};
  cfg.fairness = kfix::Fairness::kCap;
  cfg.fairness_k = 1;
  cfg.fairness_top_n = 3;
  CHECK(Ids(kfix::Scheduler(cfg).Rank(items, 0)) ==
        std::vector<std::string>{"a1", "b1", "c1", "a2", "a3", "b2"});
  cfg.fairness_k = 2;
  CHECK(Ids(kfix::Scheduler(cfg).Rank(items, 0)) ==
        std::vector<std::string>{"a1", "a2", "b1", "a3", "c1", "b2"});
  cfg.fairness = kfix::Fairness::kRoundRobin;
  CHECK(Ids(kfix::Scheduler(cfg).Rank(items, 0)) ==
        std::vector<std::string>{"a1", "b1", "c1", "a2", "b2", "a3"});
  CHECK(kfix::ParseFairness("round-robin").ok());
  CHECK(kfix::ParseFairness("lottery").status().code() == kfix::StatusCode::kInvalidArgument);
  CHECK(kfix::ParseExploration("thompson").ok());
  CHECK_FALSE(kfix::ParseExploration("greedy").ok());
}

TEST_CASE("quantiles interpolate linearly (numpy default)") {
  std::vector<double> v;
  for (int i = 1; i <= 50; ++i) v.push_back(i);
  CHECK(kfix::Quantile(v, 0.5) == doctest::Approx(25.5));
  CHECK(kfix::Quantile(v, 0.95) == doctest::Approx(47.55));
  CHECK(kfix::Quantile({}, 0.5) == 0);
  CHECK(kfix::Quantile({3}, 0.95) == 3);
}

TEST_CASE("simulation: the policy serves the riskiest items first, FIFO does not") {
  // 200 items, risky ones arriving last.
  std::vector<kfix::ScheduleItem> items;
  for (int i = 0; i < 200; ++i) items.push_back(Item(std::to_string(i), "c", i >= 190 ? 85 : 40));
  kfix::SchedulerConfig cfg;
  cfg.exploration = kfix::Exploration::kNone;
  kfix::Scheduler s(cfg);
  kfix::SimulationReport r = kfix::Simulate(items, s, 10, 0);
  CHECK(r.items == 200);
  CHECK(r.top_k == 10);
  CHECK(r.policy.top_k_median_rank == doctest::Approx(5.5));
  CHECK(r.fifo.top_k_median_rank == doctest::Approx(195.5));
  REQUIRE(r.policy.bands.size() == 3);
  CHECK(r.policy.bands[0].band == "high");
  // High band: the 50 riskiest by rank = items 190..199, then 0..39 (ties by input order).
  CHECK(r.policy.bands[0].items == 50);
  CHECK(r.policy.bands[2].items == 50);
  // Item at position k waits k·10 s; the policy serves the high band at positions 0..49.
  CHECK(r.policy.bands[0].median_hours == doctest::Approx(245.0 / 3600));
  // FIFO: positions 0..39 and 190..199; median of those 50 positions is (24 + 25)/2 -> 245 s.
  CHECK(r.fifo.bands[0].median_hours == doctest::Approx(245.0 / 3600));
  CHECK(r.fifo.bands[0].p95_hours > r.policy.bands[0].p95_hours);
  // Low band (items 140..189) is served 10 positions later under the policy.
  CHECK(r.policy.bands[2].median_hours == doctest::Approx(r.fifo.bands[2].median_hours + 100.0 / 3600));
  kfix::Value v = kfix::SimulationReportToValue(r);
  CHECK(v.Find("schemaVersion")->as_int() == 1);
  CHECK(kfix::SimulationReportToMarkdown(r).find("| policy | 5.50 |") != std::string::npos);
}

TEST_CASE("schedule items from scored findings: arm = check, group = namespace") {
  kfix::ScoredFinding a;
  a.finding.check = "privileged-container";
  a.finding.object.namespace_ = "prod";
  a.risk.risk = 91;
  a.risk.kev = true;
  kfix::ScoredFinding b;
  b.finding.check = "latest-tag";
  b.risk.risk = 50;
  auto items = kfix::ScheduleItemsFromFindings({a, b}, 12.5);
  REQUIRE(items.size() == 2);
  CHECK(items[0].id == "0");
  CHECK(items[0].arm == "privileged-container");
  CHECK(items[0].group == "prod");
  CHECK(items[0].risk == 91);
  CHECK(items[0].kev);
  CHECK(items[1].id == "1");
  CHECK(items[1].enqueued_at == 12.5);
}
