// Helpers shared by the check-template files (rules/template_helpers.hpp).
#include "rules/template_helpers.hpp"

#include <cctype>

namespace kfix::internal::templates {

Result<std::vector<Regex>> CompileAll(const std::vector<std::string>& patterns) {
  std::vector<Regex> out;
  for (const std::string& p : patterns) {
    auto r = Regex::Compile(p);
    if (!r.ok()) return r.status();
    out.push_back(std::move(*r));
  }
  return out;
}

bool AnySearch(const std::vector<Regex>& res, std::string_view s) {
  for (const Regex& r : res) {
    if (r.Search(s)) return true;
  }
  return false;
}

std::pair<std::string, std::string> ServiceAccountOf(const ObjectInfo& o) {
  const Value* ps = PodSpec(o);
  std::string sa = ScalarText(Get(ps, "serviceAccountName"));
  if (!sa.empty()) return {sa, Ptr(o.pod_spec_ptr, "serviceAccountName")};
  std::string dep = ScalarText(Get(ps, "serviceAccount"));
  if (!dep.empty()) return {dep, Ptr(o.pod_spec_ptr, "serviceAccount")};
  return {"", Ptr(o.pod_spec_ptr, "serviceAccountName")};
}

std::string GoStringList(const std::vector<std::string>& v) {  // %s / %v of []string
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(' ');
    out += v[i];
  }
  return out + "]";
}

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace kfix::internal::templates
