// Resources: CPU and memory requests and limits.
// Fix generators of this domain; the file registers its own entries (remediate/generator_helpers.hpp).
#include "remediate/generator_helpers.hpp"

namespace kfix::internal::generators {
namespace {

constexpr std::string_view kEphemeralResources = "ephemeral containers cannot carry resources";

Outcome FixCpuRequest(const GenCtx& g, OpBuilder& b) {
  return ForContainers(
      g, b,
      [&](const ContainerRef& c) {
        EnsureResource(b, c, "requests", "cpu", g.config.cpu_request);
        return Outcome::Ok();
      },
      true, kEphemeralResources);
}

Outcome FixMemoryLimit(const GenCtx& g, OpBuilder& b) {
  return ForContainers(
      g, b,
      [&](const ContainerRef& c) {
        EnsureResource(b, c, "limits", "memory", g.config.memory_limit);
        return Outcome::Ok();
      },
      true, kEphemeralResources);
}

Outcome FixRequestsLimits(const GenCtx& g, OpBuilder& b) {
  return ForContainers(
      g, b,
      [&](const ContainerRef& c) {
        EnsureResource(b, c, "requests", "cpu", g.config.cpu_request);
        EnsureResource(b, c, "requests", "memory", g.config.memory_request);
        EnsureResource(b, c, "limits", "cpu", g.config.cpu_limit);
        EnsureResource(b, c, "limits", "memory", g.config.memory_limit);
        return Outcome::Ok();
      },
      true, kEphemeralResources);
}

}  // namespace

KFIX_REGISTER_GENERATORS(resources) {
  registry.Add({
    {"unset-cpu-requirements", {FixCpuRequest, true}},
    {"unset-memory-requirements", {FixMemoryLimit, true}},
    {"set_requests_limits", {FixRequestsLimits, true}},
  });
}

}  // namespace kfix::internal::generators
