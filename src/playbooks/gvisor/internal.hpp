// Internals shared by the gVisor playbook's translation units.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"
#include "kfix/gvisor.hpp"

namespace kfix::internal::gvisor {

/// ASCII lower-case copy.
std::string Lower(std::string_view s);
/// Case-insensitive substring test (needle already lower-case).
bool ContainsLower(std::string_view haystack, std::string_view lower_needle);
/// The string at `v[key]` or "" when absent / not a string.
std::string_view Str(const Value* v, std::string_view key) noexcept;
/// "a, b, c".
std::string Join(const std::vector<std::string>& parts, std::string_view sep = ", ");

/// One GPU node group (same product, driver and MIG state) over facts.
enum class GpuBucket { kReady, kUnconfirmed, kDriverBad, kUnknown, kBlocked };
struct GpuGroup {
  std::string product;  ///< "" when the node has no GPU Feature Discovery labels
  std::string driver;   ///< "" when unknown
  bool mig = false;
  bool supported_card = false;
  std::vector<std::string> nodes;
  GpuBucket bucket = GpuBucket::kUnknown;
};
/// The GPU node groups that a workload under `runtime_class` could land on:
/// those matching the RuntimeClass nodeSelector when any GPU node does,
/// else all GPU nodes. Sorted by (product, driver, mig).
std::vector<GpuGroup> EligibleGpuGroups(const kfix::gvisor::ClusterFacts& facts);
/// T4, A100, A10G, L4, H100 as a '-'/'_'/' ' separated token of the product.
bool IsSupportedGpuProduct(std::string_view product);
/// The RuntimeClass scheduling.nodeSelector (null when none).
const Value* RuntimeClassNodeSelector(const kfix::gvisor::ClusterFacts& facts) noexcept;
/// Labels of a Node object match every selector entry.
bool NodeMatchesSelector(const Value& node, const Value* selector) noexcept;

/// "release-YYYYMMDD.N" -> (date, n); false when not of that form.
bool ParseRunscVersion(std::string_view v, long long* date, long long* point) noexcept;

}  // namespace kfix::internal::gvisor
