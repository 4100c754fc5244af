// Internal: Guard's state (shared by guard.cpp and the fix pipeline).
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "kfix/guard.hpp"

namespace kfix {

class Guard::Impl {
 public:
  Impl(std::shared_ptr<const RuleSet> rules, FixConfig config, std::vector<Manifest> objects);

  /// Full-context scan, computed once.
  const ScanReport& Baseline() const;
  /// Findings of object `index` scanned alone, computed once per object.
  const std::vector<Finding>& IsolatedBefore(std::size_t index) const;
  /// Findings of the patched object: alone, or within the full context.
  std::vector<Finding> ScanAfter(std::size_t index, const Value& after, bool full_context) const;
  /// All nine gates; every target finding must be gone.
  /// `budget` 0 = config.max_ops.
  Verdict Vet(std::size_t index, const Patch& patch, const std::vector<const Finding*>& targets,
              std::size_t budget = 0) const;

  std::shared_ptr<const RuleSet> rules;
  FixConfig config;
  std::vector<Manifest> objects;
  FixContext fix_context;

 private:
  mutable std::once_flag baseline_flag;
  mutable ScanReport baseline;
  mutable std::vector<std::vector<Finding>> isolated_before;
  mutable std::unique_ptr<std::once_flag[]> isolated_flags;
};

}  // namespace kfix
