// Kubernetes name validation shared by detectors and fixers.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/names_internal.hpp"

namespace kfix::internal {

std::vector<std::string> PortNameViolations(std::string_view port) {
  std::vector<std::string> errs;
  if (port.size() > 15) errs.push_back("must be no more than 15 characters");
  bool charset = !port.empty() && std::all_of(port.begin(), port.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
  });
  if (!charset) errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!std::any_of(port.begin(), port.end(), [](char ch) { return ch >= 'a' && ch <= 'z'; })) {
    errs.push_back("must contain at least one letter (a-z)");
  }
  if (port.find("--") != std::string_view::npos) errs.push_back("must not contain consecutive hyphens");
  if (!port.empty() && (port.front() == '-' || port.back() == '-')) errs.push_back("must not begin or end with a hyphen");
  return errs;
}

}  // namespace kfix::internal
