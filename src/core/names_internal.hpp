// Internal: Kubernetes name rules (core/names.cpp), one definition for the
// detector (rules: target-port) and the fixer (remediate: port renames).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kfix::internal {

/// IANA_SVC_NAME (RFC 6335, validation.IsValidPortName): what is wrong with a
/// port name, in Kubernetes' words, in a fixed order; empty when valid
/// (1-15 characters of [a-z0-9-], at least one letter, no leading or
/// trailing '-', no "--").
std::vector<std::string> PortNameViolations(std::string_view port);
inline bool IsValidPortName(std::string_view port) { return PortNameViolations(port).empty(); }

}  // namespace kfix::internal
