// remediate/generator_helpers.hpp - what every fix-generator file shares.
//
// Generators live in src/remediate/generators/<domain>.cpp, one file per
// domain (security context, resources, containers, host access, probes and
// ports, availability, cross-object, metadata). Each file ends with
//
//   KFIX_REGISTER_GENERATORS(<domain>) {
//     registry.Add({{"check-or-policy", {FixSomething, /*automatic=*/true}}, ...});
//     registry.Unfixable({{"check", "why nothing safe can be proposed"}, ...});
//   }
//
// where <domain> is the file's name without `.cpp`. The build lists the files
// of src/remediate/generators/ (a generated `remediate/generators_registry.inc`)
// and the registry (remediate/generators.cpp) calls every file's registration:
// adding a generator means adding it to its domain file; nothing else is edited.
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "kfix/remediate.hpp"
#include "remediate/builder.hpp"

namespace kfix::internal::generators {

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

inline const Value* Field(const Value* obj, std::string_view key) noexcept {
  return (obj && obj->is_object()) ? obj->Find(key) : nullptr;
}

inline bool IsTrue(const Value* v) noexcept { return v && v->is_bool() && v->as_bool(); }
inline bool IsFalse(const Value* v) noexcept { return v && v->is_bool() && !v->as_bool(); }

std::optional<std::int64_t> AsInt(const Value* v) noexcept;

/// The first "quoted" string in a message, optionally after `after`.
std::string Quoted(std::string_view msg, std::string_view after = {});

inline bool Contains(std::string_view s, std::string_view part) noexcept { return s.find(part) != std::string_view::npos; }

struct GenCtx {
  const Value& object;
  const std::optional<WorkloadView>& view;
  const Finding& finding;
  const FixConfig& config;
  const FixContext* context;
};

struct Outcome {
  ProposalStatus status = ProposalStatus::kProposed;
  std::string reason;
  static Outcome Ok(std::string r = {}) { return {ProposalStatus::kProposed, std::move(r)}; }
  static Outcome Review(std::string r) { return {ProposalStatus::kNeedsReview, std::move(r)}; }
  static Outcome Unfixable(std::string r) { return {ProposalStatus::kUnfixable, std::move(r)}; }
};

using Generator = std::function<Outcome(const GenCtx&, OpBuilder&)>;

/// Containers the finding is about: by pointer, else by name, else all.

/// Containers the finding is about: by pointer, else by name, else all.
std::vector<const ContainerRef*> TargetContainers(const GenCtx& g);

/// The current container value in the builder's working copy.
inline const Value* Current(const OpBuilder& b, const ContainerRef& c) {
  return internal::Walk(b.doc(), c.pointer.tokens(), c.pointer.size());
}
inline const Value* CurrentAt(const OpBuilder& b, const JsonPointer& p) {
  return internal::Walk(b.doc(), p.tokens(), p.size());
}

inline JsonPointer Sc(const ContainerRef& c) { return c.pointer.Child("securityContext"); }

inline const Value* PodSc(const OpBuilder& b, const GenCtx& g) {
  if (!g.view) return nullptr;
  return Field(CurrentAt(b, g.view->pod_spec_pointer), "securityContext");
}

Outcome NeedWorkload(const GenCtx& g);

inline Outcome Fail(const OpBuilder& b) { return Outcome::Unfixable("cannot build patch: " + b.error()); }

/// Runs `fn` for every targeted container; aggregates failures.
template <typename Fn>
Outcome ForContainers(const GenCtx& g, OpBuilder& b, Fn fn, bool skip_ephemeral_with_reason = false,
                      std::string_view ephemeral_reason = {}) {
  Outcome w = NeedWorkload(g);
  if (w.status != ProposalStatus::kProposed) return w;
  auto targets = TargetContainers(g);
  if (targets.empty()) return Outcome::Unfixable("no container found for the finding");
  std::size_t ephemeral_only = 0;
  for (const ContainerRef* c : targets) {
    if (skip_ephemeral_with_reason && c->group == ContainerGroup::kEphemeral) {
      ++ephemeral_only;
      continue;
    }
    Outcome o = fn(*c);
    if (o.status != ProposalStatus::kProposed) return o;
    if (b.failed()) return Fail(b);
  }
  if (ephemeral_only == targets.size()) return Outcome::Unfixable(std::string(ephemeral_reason));
  return Outcome::Ok();
}

/// Ensures capabilities.drop contains `cap` (or ALL).
void EnsureDropped(OpBuilder& b, const ContainerRef& c, const std::string& cap);

/// Sets resources.<side>.<res> when missing or zero, keeping request <= limit.
void EnsureResource(OpBuilder& b, const ContainerRef& c, std::string_view side, std::string_view res,
                    const std::string& default_value);

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------

struct Entry {
  Generator gen;
  bool automatic;  ///< produces kProposed fixes with the default config
};

/// Collects what the generator files register.
class GeneratorRegistry {
 public:
  /// Generators by check name or policy id.
  void Add(std::initializer_list<std::pair<const char*, Entry>> entries);
  /// Checks with nothing safe to propose, with the reason.
  void Unfixable(std::initializer_list<std::pair<const char*, const char*>> reasons);

  const std::unordered_map<std::string, Entry>& generators() const { return generators_; }
  const std::unordered_map<std::string, std::string>& unfixable() const { return unfixable_; }

 private:
  std::unordered_map<std::string, Entry> generators_;
  std::unordered_map<std::string, std::string> unfixable_;
};

#define KFIX_REGISTER_GENERATORS(domain) \
  void RegisterGenerators_##domain(::kfix::internal::generators::GeneratorRegistry& registry)

}  // namespace kfix::internal::generators
