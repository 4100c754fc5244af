// rules/template_helpers.hpp - what every check-template file shares.
//
// Templates live in src/rules/templates/<domain>.cpp, one file per domain
// (security context, host access, resources, availability, probes and ports,
// cross-object, RBAC, containers, metadata). Each file ends with
//
//   KFIX_REGISTER_TEMPLATES(<domain>) { registry.Add({{"key", ...}, ...}); }
//
// where <domain> is the file's name without `.cpp`. The build lists the files
// of src/rules/templates/ (a generated `rules/templates_registry.inc`), and
// `Templates()` (rules/templates.cpp) calls every file's registration: adding
// a template means adding it to its domain file; adding a domain means adding
// a file. Nothing else is edited.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/internal.hpp"

namespace kfix::internal::templates {

/// Collects the entries the template files register.
class TemplateRegistry {
 public:
  void Add(std::initializer_list<TemplateInfo> infos) { entries_.insert(entries_.end(), infos.begin(), infos.end()); }
  std::vector<TemplateInfo>& entries() { return entries_; }

 private:
  std::vector<TemplateInfo> entries_;
};

/// The last member of a TemplateInfo for templates whose checks read other
/// objects of the lint context (TemplateInfo::needs_lint_context).
inline constexpr bool kNeedsLintContext = true;

#define KFIX_REGISTER_TEMPLATES(domain) \
  void RegisterTemplates_##domain(::kfix::internal::templates::TemplateRegistry& registry)

// A check from a lambda ------------------------------------------------------

using RunFn = std::function<void(const ObjectInfo&, const LintIndex&, Sink&)>;

class FnCheck final : public CheckImpl {
 public:
  explicit FnCheck(RunFn fn) : fn_(std::move(fn)) {}
  void Run(const ObjectInfo& obj, const LintIndex& ctx, Sink& sink) const override { fn_(obj, ctx, sink); }

 private:
  RunFn fn_;
};

/// A check that reads everything (the safe default; see CheckReads).
inline Result<std::unique_ptr<CheckImpl>> Make(RunFn fn) {
  return std::unique_ptr<CheckImpl>(std::make_unique<FnCheck>(std::move(fn)));
}

/// A check with its declared reads (CheckReads): keep the declaration beside the code that reads.
inline Result<std::unique_ptr<CheckImpl>> Make(CheckReads reads, RunFn fn) {
  auto check = std::make_unique<FnCheck>(std::move(fn));
  check->set_reads(std::move(reads));
  return std::unique_ptr<CheckImpl>(std::move(check));
}

#define KFIX_ASSIGN_OR_RETURN(lhs, expr)                 \
  auto lhs##_result = (expr);                            \
  if (!lhs##_result.ok()) return lhs##_result.status(); \
  auto lhs = std::move(*lhs##_result)

Result<std::vector<Regex>> CompileAll(const std::vector<std::string>& patterns);
bool AnySearch(const std::vector<Regex>& res, std::string_view s);

// Container iteration ---------------------------------------------------------

enum class Groups { kAll, kRegular };

// Calls f(ref, container, pointer_text) for each mapping container (only those of
// ObjectInfo::container_mask when set), with ObjectInfo::current_container set to its position.
template <typename F>
void ForContainers(const ObjectInfo& o, Groups g, F&& f) {
  if (!o.workload) return;
  const auto& cs = o.workload->containers;
  const std::int32_t outer = o.current_container;
  for (std::size_t i = 0; i < cs.size(); ++i) {
    const ContainerRef& c = cs[i];
    if (g == Groups::kRegular && c.group != ContainerGroup::kRegular) continue;
    if (!c.container || !c.container->is_object()) continue;
    if (o.container_mask && !o.container_mask[i]) continue;
    o.current_container = static_cast<std::int32_t>(i);
    f(c, *c.container, o.container_ptrs[i]);
  }
  o.current_container = outer;
}

inline const Value* PodSpec(const ObjectInfo& o) { return o.workload ? o.workload->pod_spec : nullptr; }
inline const Value* PodSC(const ObjectInfo& o) { return Get(PodSpec(o), "securityContext"); }

/// The pod's service account name and its pointer (serviceAccountName, else
/// the deprecated serviceAccount).
std::pair<std::string, std::string> ServiceAccountOf(const ObjectInfo& o);

// Go formatting ---------------------------------------------------------------

std::string GoStringList(const std::vector<std::string>& v);  ///< %s / %v of []string
bool EqualFold(std::string_view a, std::string_view b);      ///< strings.EqualFold for ASCII

}  // namespace kfix::internal::templates
