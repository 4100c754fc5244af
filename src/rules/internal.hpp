// rules/internal.hpp - the detection engine's internal types (not public API).
//
// A check is a `CheckImpl` built by a template factory from parameters at
// RuleSet::Create time (regexes compiled, params parsed); `Run` is const and
// thread-safe. Checks report `Hit`s (message + RFC 6901 pointer + container)
// into a `Sink`; the engine turns hits into positioned `Finding`s.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/quantity_internal.hpp"
#include "kfix/core.hpp"
#include "kfix/rules.hpp"
#include "rules/regex.hpp"

namespace kfix::internal {

// ---------------------------------------------------------------------------
// Value helpers
// ---------------------------------------------------------------------------

inline const Value* Get(const Value* v, std::string_view key) noexcept { return v ? v->Find(key) : nullptr; }
inline std::string_view Str(const Value* v) noexcept { return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view(); }
inline bool IsTrue(const Value* v) noexcept { return v && v->is_bool() && v->as_bool(); }
inline bool IsFalse(const Value* v) noexcept { return v && v->is_bool() && !v->as_bool(); }
inline bool IsObject(const Value* v) noexcept { return v && v->is_object(); }
inline const Value::Array* Arr(const Value* v) noexcept { return v && v->is_array() ? &v->as_array() : nullptr; }
/// Scalar as text the way Kubernetes' string fields would read it ("" for
/// null/collections, "true"/"false", integers without decimals).
std::string ScalarText(const Value* v);
/// Integer value of an int or integral double; nullopt otherwise.
std::optional<std::int64_t> AsInt(const Value* v) noexcept;

/// Go's strconv.Quote (as used by fmt %q) for ASCII/UTF-8 text.
std::string GoQuote(std::string_view s);
/// Go's %q of a []string: ["a" "b"].
std::string GoQuoteList(const std::vector<std::string>& items);
/// Go's %v of a map[string]string: map[a:b c:d] (keys sorted).
std::string GoMap(const Value* map);

/// Escapes one RFC 6901 token.
std::string EscapeToken(std::string_view token);
/// Pointer text from a JsonPointer (tokens escaped once).
std::string PointerText(const JsonPointer& p);
/// `base` + "/" + escaped token(s).
std::string Ptr(std::string_view base, std::string_view token);
std::string Ptr(std::string_view base, std::size_t index);
std::string Ptr(std::string_view base, std::initializer_list<std::string_view> tokens);

/// Position of the deepest existing node along `pointer` (the key position
/// for object members, the node position for array elements and the root).
void Locate(const Value& root, std::string_view pointer, std::int32_t* line, std::int32_t* column);

// ---------------------------------------------------------------------------
// Quantities and label selectors
// ---------------------------------------------------------------------------

// Quantities: core/quantity_internal.hpp (included above).

/// A label selector: matchLabels plus matchExpressions (or a plain map).
struct Selector {
  struct Requirement {
    std::string key;
    enum Op { kEquals, kIn, kNotIn, kExists, kDoesNotExist } op = kEquals;
    std::vector<std::string> values;
  };
  std::vector<Requirement> requirements;  ///< sorted by key
  bool valid = true;
  std::string error;

  /// From {matchLabels, matchExpressions}.
  static Selector FromLabelSelector(const Value* selector);
  /// From a plain map of labels (Service / ReplicationController selectors).
  static Selector FromMap(const Value* map);
  bool Empty() const noexcept { return requirements.empty(); }
  /// labels.Selector.Matches(labels.Set(labels)); an empty selector matches everything.
  bool Matches(const Value* labels) const;
  /// labels.Selector.String(): "a=b,c in (d,e),!f".
  std::string ToString() const;
};

// ---------------------------------------------------------------------------
// Objects and lint contexts
// ---------------------------------------------------------------------------

/// What the engine knows about one object (computed once per Scan).
struct ObjectInfo {
  const Manifest* manifest = nullptr;
  std::size_t index = 0;
  std::string_view api_version;
  std::string_view kind;
  std::string_view name;
  std::string_view namespace_;
  std::string_view group;    ///< "" for core
  std::string_view version;
  const Value* metadata = nullptr;
  const Value* labels = nullptr;
  const Value* annotations = nullptr;
  std::optional<WorkloadView> workload;  ///< for DeploymentLike kinds
  std::vector<std::string> container_ptrs;  ///< pointer text per workload->containers entry
  std::string pod_spec_ptr;              ///< pointer text of the pod spec
  std::string pod_meta_ptr;              ///< pointer text of the pod metadata
  const Value* pod_labels = nullptr;     ///< pod template labels
  bool has_pod_template = false;         ///< kube-linter's extract.PodTemplateSpec found
  bool deployment_like = false;
  /// For the guard's affected-only rescan (rules/rescan.cpp): when set, ForContainers visits only the
  /// containers i (positions in workload->containers) with container_mask[i] != 0.
  const char* container_mask = nullptr;
  /// The position in workload->containers that ForContainers is visiting (-1 outside it); the engine
  /// records it with each hit, so a per-container check's findings are known by container. Only the
  /// thread running the object's checks touches it.
  mutable std::int32_t current_container = -1;
  const Value& root() const { return manifest->root; }
};

/// One lint context: the objects cross-object checks may see, indexed once.
struct LintIndex {
  std::vector<const ObjectInfo*> objects;
  std::vector<const ObjectInfo*> workloads;  ///< objects with a pod template
  std::vector<const ObjectInfo*> services;
  std::vector<const ObjectInfo*> network_policies;
  std::vector<const ObjectInfo*> roles;
  std::vector<const ObjectInfo*> cluster_roles;
  /// Per metadata.namespace string (kube-linter compares namespaces as given).
  std::unordered_map<std::string_view, std::vector<const ObjectInfo*>> workloads_by_ns;
  std::unordered_map<std::string_view, std::vector<const ObjectInfo*>> services_by_ns;
  std::unordered_map<std::string_view, std::vector<const ObjectInfo*>> network_policies_by_ns;
  std::unordered_map<std::string_view, std::vector<const ObjectInfo*>> deployment_likes_by_ns;
  const std::vector<const ObjectInfo*>& In(
      const std::unordered_map<std::string_view, std::vector<const ObjectInfo*>>& m, std::string_view ns) const {
    static const std::vector<const ObjectInfo*> kEmpty;
    auto it = m.find(ns);
    return it == m.end() ? kEmpty : it->second;
  }
  std::unordered_set<std::string> service_accounts;  ///< namespace + '\n' + name (v1 ServiceAccount)
  std::unordered_map<std::string, const ObjectInfo*> secrets;     ///< by name (last wins, as kube-linter)
  std::unordered_map<std::string, const ObjectInfo*> config_maps; ///< by name
  void Build(std::vector<const ObjectInfo*> objs);

  /// An index derived from this context (workloads by pod label, policies by selector, ...), built by
  /// `build()` on first use and shared by every check and thread of the scan, so that a cross-object
  /// lookup costs about the number of candidate matches rather than the number of objects. `tag` names
  /// the index: the address of a string constant of the file that builds it, one per index type `T`
  /// (each with its own text, so no linker folds two tags into one).
  ///
  /// Once built, an index is found without taking a lock (a few atomic loads),
  /// so that threads scanning objects side by side do not queue on every
  /// lookup; building one takes the context's lock.
  template <typename T, typename BuildFn>
  const T& Derived(const void* tag, BuildFn&& build) const {
    if (const void* ready = derived_->Find(tag)) return *static_cast<const T*>(ready);
    std::lock_guard<std::mutex> lock(derived_->mu);
    if (const void* ready = derived_->Find(tag)) return *static_cast<const T*>(ready);
    std::shared_ptr<T> made = std::make_shared<T>(build());
    const T* out = made.get();
    derived_->Publish(tag, std::move(made));
    return *out;
  }

 private:
  struct DerivedIndexes {
    static constexpr std::size_t kSlots = 32;  // more index types than there are: the rest go to `more`
    struct Slot {
      std::atomic<const void*> tag{nullptr};
      std::atomic<const void*> value{nullptr};
    };
    Slot slots[kSlots];
    std::mutex mu;  // building, and `owned`
    std::vector<std::shared_ptr<void>> owned;
    std::unordered_map<const void*, const void*> more;
    /// The built index of `tag`, or null (lock-free for the first kSlots tags).
    const void* Find(const void* tag) const {
      for (const Slot& s : slots) {
        const void* t = s.tag.load(std::memory_order_acquire);
        if (t == nullptr) return nullptr;
        if (t == tag) return s.value.load(std::memory_order_acquire);
      }
      std::lock_guard<std::mutex> lock(more_mu);
      auto it = more.find(tag);
      return it == more.end() ? nullptr : it->second;
    }
    /// Under `mu`: records a built index (its value before its tag, so a
    /// reader that sees the tag sees the value).
    void Publish(const void* tag, std::shared_ptr<void> index) {
      const void* value = index.get();
      owned.push_back(std::move(index));
      for (Slot& s : slots) {
        if (s.tag.load(std::memory_order_relaxed) != nullptr) continue;
        s.value.store(value, std::memory_order_release);
        s.tag.store(tag, std::memory_order_release);
        return;
      }
      std::lock_guard<std::mutex> lock(more_mu);
      more[tag] = value;
    }
    mutable std::mutex more_mu;  // `more`
  };
  std::unique_ptr<DerivedIndexes> derived_ = std::make_unique<DerivedIndexes>();
};

/// An unambiguous hash key from several strings (each length-prefixed), for derived indexes.
std::string IndexKey(std::initializer_list<std::string_view> parts);

bool IsDeploymentLikeKind(std::string_view kind) noexcept;

/// A raw finding reported by a check.
struct Hit {
  std::string message;
  std::string pointer;
  std::string container;
  /// ObjectInfo::current_container when the hit was reported (-1: outside ForContainers).
  std::int32_t container_index = -1;
};

class Sink {
 public:
  explicit Sink(std::vector<Hit>* out, const std::int32_t* current_container = nullptr)
      : out_(out), current_container_(current_container) {}
  void Add(std::string message, std::string pointer, std::string container = {}) {
    out_->push_back(Hit{std::move(message), std::move(pointer), std::move(container),
                        current_container_ ? *current_container_ : -1});
  }

 private:
  std::vector<Hit>* out_;
  const std::int32_t* current_container_;
};

/// What a check reads of the object it runs on, declared beside the check (the template's factory:
/// `Make(CheckReads{...}, fn)`), so that the guard rescans a patched object with only the checks whose
/// reads a patch touches (docs/rules.md, "What a check reads"). A pattern is a JSON pointer whose
/// tokens may be `*` (any key or list index), relative to one of four places:
///
///   "/metadata/labels"             the object
///   "pod:/volumes"                 the object's pod spec (wherever its kind keeps it)
///   "podmeta:/labels"              the pod template's metadata (the object's own for a Pod)
///   "container:/securityContext"   each container (init, regular and ephemeral)
///
/// A check reads a field when its findings can change with it, including through the field's
/// absence. `container:` patterns also declare the check per container: each finding it reports
/// inside `ForContainers` concerns that container alone and depends only on that container's
/// `container:` fields and on the check's other patterns, so a patch inside some containers reruns
/// the check on those containers only. Every check also reads what the engine reads for it (kind,
/// apiVersion, name, namespace, annotations) and, when it reads containers, their names. A default
/// CheckReads reads everything: the safe declaration for checks nobody has declared (kfix rules,
/// CEL, ValidatingAdmissionPolicies).
class CheckReads {
 public:
  enum class Base : std::uint8_t { kObject, kPod, kPodMeta, kContainer };
  struct Pattern {
    Base base = Base::kObject;
    std::vector<std::string> tokens;  ///< unescaped; "*" matches any token
  };
  /// Reads everything.
  CheckReads() = default;
  /// The given patterns (a malformed pattern is a programming error: it aborts every test run).
  CheckReads(std::initializer_list<std::string_view> patterns);
  bool everything() const noexcept { return everything_; }
  /// Has `container:` patterns.
  bool per_container() const noexcept { return per_container_; }
  const std::vector<Pattern>& patterns() const noexcept { return patterns_; }
  /// The declaration as written, for messages and docs ("everything" when undeclared).
  std::string ToString() const;

 private:
  bool everything_ = true;
  bool per_container_ = false;
  std::vector<Pattern> patterns_;
};

/// One instantiated check. Immutable and thread-safe after creation.
class CheckImpl {
 public:
  virtual ~CheckImpl() = default;
  virtual void Run(const ObjectInfo& obj, const LintIndex& ctx, Sink& sink) const = 0;
  /// What Run reads of `obj` (default: everything).
  const CheckReads& reads() const noexcept { return reads_; }
  void set_reads(CheckReads reads) { reads_ = std::move(reads); }

 private:
  CheckReads reads_;
};

// ---------------------------------------------------------------------------
// Parameters and templates
// ---------------------------------------------------------------------------

/// Case-insensitive view of a params object (kube-linter decodes params with
/// mapstructure, which matches keys case-insensitively).
class Params {
 public:
  explicit Params(const Value* v) : v_(v) {}
  const Value* Get(std::string_view name) const noexcept;
  Result<std::string> String(std::string_view name, std::string_view fallback = {}) const;
  Result<std::vector<std::string>> StringList(std::string_view name, std::vector<std::string> fallback = {}) const;
  Result<std::optional<std::int64_t>> Int(std::string_view name) const;
  Result<bool> Bool(std::string_view name, bool fallback) const;
  /// Keys present that are not in `known` (an error for config params).
  std::vector<std::string> Unknown(std::initializer_list<std::string_view> known) const;

 private:
  const Value* v_;
};

using TemplateFactory = Result<std::unique_ptr<CheckImpl>> (*)(const Params& params);

struct TemplateInfo {
  const char* key;
  const char* description;
  std::vector<std::string> kinds;  ///< supported object kinds (kube-linter names)
  std::vector<std::string> params; ///< accepted parameter names
  TemplateFactory factory;
  /// Reads other objects of the lint context (CheckInfo::needs_lint_context).
  bool needs_lint_context = false;
  /// What kfix does differently from kube-linter, for docs/checks.md ("" = nothing).
  const char* notes = "";
};

/// All templates (kube-linter's plus kfix's), sorted by key.
const std::vector<TemplateInfo>& Templates();
const TemplateInfo* FindTemplate(std::string_view key);

/// A built-in check definition.
struct BuiltinSpec {
  CheckInfo info;  ///< params = defaults
};
const std::vector<BuiltinSpec>& BuiltinSpecs();

/// Whether an object is in scope for `kinds` (kube-linter kind groups or kind names).
bool KindsMatch(const std::vector<std::string>& kinds, const ObjectInfo& obj) noexcept;

/// Builds the ObjectInfo of a manifest.
void FillObjectInfo(const Manifest& m, std::size_t index, ObjectInfo* info);

/// The annotation that suppresses `check` on `obj`, or "" when none does.
std::string IgnoredBy(const ObjectInfo& obj, std::string_view check);

// ---------------------------------------------------------------------------
// Declarative kfix rules (rules/kfix_rule.cpp)
// ---------------------------------------------------------------------------

/// Compiles one `kfixRules` entry. `info` receives name/severity/kinds/...
Result<std::unique_ptr<CheckImpl>> CompileKfixRule(const Value& rule, const std::string& source, CheckInfo* info);

// ---------------------------------------------------------------------------
// ValidatingAdmissionPolicies (rules/vap.cpp)
// ---------------------------------------------------------------------------

/// One policy as a check.
struct PolicyEntry {
  CheckInfo info;
  std::unique_ptr<CheckImpl> impl;
};

/// Loads ValidatingAdmissionPolicies, their bindings and their parameter
/// objects from `files` and from the mappings of `inline_docs` (the
/// configuration's `policies` list, positions in `config_source`) and
/// compiles every CEL expression. One entry per policy.
Result<std::vector<PolicyEntry>> CompilePolicies(const std::vector<std::string>& files, const Value* inline_docs,
                                                 const std::string& config_source);

/// Doublestar glob match (`**` crosses directories).
bool GlobMatch(std::string_view pattern, std::string_view path) noexcept;

}  // namespace kfix::internal
