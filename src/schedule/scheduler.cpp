// Scheduler: online-learned p and E[t], UCB / seeded Thompson exploration, aging, fairness.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

#include "kfix/schedule.hpp"

namespace kfix {
namespace {

// Deterministic, platform-independent randomness (std distributions are not
// specified bit-for-bit across standard libraries).
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in (0, 1).
  double Uniform() { return (static_cast<double>(Next() >> 11) + 0.5) * (1.0 / 9007199254740992.0); }
  double Normal() {
    double u1 = Uniform(), u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  /// Gamma(shape, 1), Marsaglia-Tsang.
  double Gamma(double shape) {
    if (shape < 1.0) return Gamma(shape + 1.0) * std::pow(Uniform(), 1.0 / shape);
    double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x = Normal(), v = 1.0 + c * x;
      if (v <= 0) continue;
      v = v * v * v;
      double u = Uniform();
      if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
    }
  }
  double Beta(double a, double b) {
    double x = Gamma(a), y = Gamma(b);
    return x / (x + y);
  }

 private:
  std::uint64_t state_;
};

std::uint64_t Fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::vector<ScoredItem> ApplyCap(std::vector<ScoredItem> ranked, int k, int top_n) {
  if (k <= 0 || top_n <= 0) return ranked;
  std::vector<ScoredItem> head, rest;
  std::map<std::string, int> count;
  std::size_t i = 0;
  for (; i < ranked.size() && head.size() < static_cast<std::size_t>(top_n); ++i) {
    int& c = count[ranked[i].item.group + (ranked[i].item.group.empty() ? "\x01" + ranked[i].item.id : "")];
    if (c < k) {
      ++c;
      head.push_back(std::move(ranked[i]));
    } else {
      rest.push_back(std::move(ranked[i]));
    }
  }
  // Deferred items keep score order relative to the untouched tail.
  std::vector<ScoredItem> tail(std::make_move_iterator(ranked.begin() + static_cast<std::ptrdiff_t>(i)),
                               std::make_move_iterator(ranked.end()));
  std::vector<ScoredItem> merged;
  merged.reserve(rest.size() + tail.size());
  std::merge(std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()),
             std::make_move_iterator(tail.begin()), std::make_move_iterator(tail.end()), std::back_inserter(merged),
             [](const ScoredItem& a, const ScoredItem& b) { return a.score > b.score; });
  head.insert(head.end(), std::make_move_iterator(merged.begin()), std::make_move_iterator(merged.end()));
  return head;
}

std::vector<ScoredItem> ApplyRoundRobin(std::vector<ScoredItem> ranked) {
  // Group lists in score order; groups ordered by their best item.
  std::vector<std::string> order;
  std::map<std::string, std::vector<ScoredItem>> groups;
  for (ScoredItem& s : ranked) {
    std::string g = s.item.group.empty() ? "\x01" + s.item.id : s.item.group;
    auto [it, inserted] = groups.try_emplace(g);
    if (inserted) order.push_back(g);
    it->second.push_back(std::move(s));
  }
  std::vector<ScoredItem> out;
  out.reserve(ranked.size());
  std::map<std::string, std::size_t> next;
  for (bool any = true; any;) {
    any = false;
    std::vector<ScoredItem> round;
    for (const std::string& g : order) {
      std::size_t& n = next[g];
      std::vector<ScoredItem>& list = groups[g];
      if (n < list.size()) {
        round.push_back(std::move(list[n++]));
        any = true;
      }
    }
    std::stable_sort(round.begin(), round.end(), [](const ScoredItem& a, const ScoredItem& b) { return a.score > b.score; });
    for (ScoredItem& s : round) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

const char* ExplorationName(Exploration e) noexcept {
  switch (e) {
    case Exploration::kNone: return "none";
    case Exploration::kUcb: return "ucb";
    case Exploration::kThompson: return "thompson";
  }
  return "none";
}

Result<Exploration> ParseExploration(std::string_view name) {
  if (name == "none") return Exploration::kNone;
  if (name == "ucb") return Exploration::kUcb;
  if (name == "thompson") return Exploration::kThompson;
  return InvalidArgumentError("unknown exploration \"" + std::string(name) + "\" (none, ucb, thompson)");
}

const char* FairnessName(Fairness f) noexcept {
  switch (f) {
    case Fairness::kNone: return "none";
    case Fairness::kCap: return "cap";
    case Fairness::kRoundRobin: return "round-robin";
  }
  return "none";
}

Result<Fairness> ParseFairness(std::string_view name) {
  if (name == "none") return Fairness::kNone;
  if (name == "cap") return Fairness::kCap;
  if (name == "round-robin") return Fairness::kRoundRobin;
  return InvalidArgumentError("unknown fairness \"" + std::string(name) + "\" (none, cap, round-robin)");
}

void Scheduler::Observe(std::string_view arm, bool accepted, double seconds) {
  auto it = arms_.find(arm);
  if (it == arms_.end()) it = arms_.emplace(std::string(arm), ArmStats{}).first;
  ArmStats& a = it->second;
  (accepted ? a.accepted : a.rejected) += 1.0;
  ++total_;
  if (seconds >= 0 && std::isfinite(seconds)) {
    double prev = a.timed == 0 ? config_.prior_seconds : a.ewma_seconds;
    a.ewma_seconds = config_.ewma_lambda * seconds + (1.0 - config_.ewma_lambda) * prev;
    ++a.timed;
  }
}

double Scheduler::MeanAcceptance(std::string_view arm) const {
  double acc = 0, rej = 0;
  if (auto it = arms_.find(arm); it != arms_.end()) {
    acc = it->second.accepted;
    rej = it->second.rejected;
  }
  double a = config_.prior_accept + acc, b = config_.prior_reject + rej;
  return a + b > 0 ? a / (a + b) : 0.0;
}

double Scheduler::ExpectedSeconds(std::string_view arm) const {
  if (auto it = arms_.find(arm); it != arms_.end() && it->second.timed > 0) return it->second.ewma_seconds;
  return config_.prior_seconds;
}

double Scheduler::DrawAcceptance(std::string_view arm) const {
  double acc = 0, rej = 0;
  if (auto it = arms_.find(arm); it != arms_.end()) {
    acc = it->second.accepted;
    rej = it->second.rejected;
  }
  double a = std::max(config_.prior_accept + acc, 1e-3), b = std::max(config_.prior_reject + rej, 1e-3);
  SplitMix64 rng(config_.seed ^ Fnv1a(arm) ^ (static_cast<std::uint64_t>(total_) * 0xD6E8FEB86659FD93ull));
  return rng.Beta(a, b);
}

ScoredItem Scheduler::Score(const ScheduleItem& item, double now) const {
  ScoredItem s;
  s.item = item;
  s.expected_seconds = ExpectedSeconds(item.arm);
  s.wait_hours = std::max(0.0, now - item.enqueued_at) / 3600.0;
  if (config_.exploration == Exploration::kThompson) {
    s.p = DrawAcceptance(item.arm);
  } else {
    s.p = MeanAcceptance(item.arm);
  }
  if (config_.exploration == Exploration::kUcb) {
    std::int64_t n = 0;
    if (auto it = arms_.find(item.arm); it != arms_.end()) n = it->second.observations();
    s.explore = config_.ucb_beta *
                std::sqrt(std::log(1.0 + static_cast<double>(total_)) / (1.0 + static_cast<double>(n)));
  }
  s.score = item.risk * s.p / std::max(s.expected_seconds, config_.epsilon) + config_.explore_weight * s.explore +
            config_.alpha * s.wait_hours + (item.kev ? config_.kev_weight : 0.0);
  return s;
}

std::vector<ScoredItem> Scheduler::Rank(const std::vector<ScheduleItem>& items, double now) const {
  std::vector<ScoredItem> out;
  out.reserve(items.size());
  for (const ScheduleItem& it : items) {
    out.push_back(Score(it, now));
  }
  std::stable_sort(out.begin(), out.end(), [](const ScoredItem& a, const ScoredItem& b) { return a.score > b.score; });
  switch (config_.fairness) {
    case Fairness::kCap: return ApplyCap(std::move(out), config_.fairness_k, config_.fairness_top_n);
    case Fairness::kRoundRobin: return ApplyRoundRobin(std::move(out));
    default: return out;
  }
}

}  // namespace kfix
