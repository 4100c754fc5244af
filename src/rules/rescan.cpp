// What a check reads (CheckReads) and what a patch touches (PatchTouches): the guard's
// affected-only rescan (rules/rescan_internal.hpp). RescanAffected itself is in engine.cpp, beside
// the scan it shortens.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "rules/rescan_internal.hpp"

namespace kfix::internal {

namespace {

constexpr std::string_view kGroups[] = {"initContainers", "containers", "ephemeralContainers"};

bool IsIndex(std::string_view t) {
  return !t.empty() && t.size() <= 9 && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// One a prefix of the other, token by token; "*" in the pattern and "-" (a list's end) in the path
/// match any token.
bool PrefixCompatible(const std::vector<std::string>& path, std::size_t from, const std::vector<std::string>& pattern) {
  const std::size_t n = std::min(path.size() - from, pattern.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& a = path[from + i];
    const std::string& b = pattern[i];
    if (b != "*" && a != "-" && a != b) return false;
  }
  return true;
}

/// `path` and the concrete `prefix` agree on their common length.
bool AgreesWith(const std::vector<std::string>& path, const std::vector<std::string>& prefix) {
  const std::size_t n = std::min(path.size(), prefix.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (path[i] != "-" && path[i] != prefix[i]) return false;
  }
  return true;
}

// What the engine reads for every check: the kinds it applies to, the object reference of every
// finding, the ignore annotations.
const std::vector<std::vector<std::string>>& ImplicitReads() {
  static const std::vector<std::vector<std::string>> kReads = {
      {"apiVersion"}, {"kind"}, {"metadata", "name"}, {"metadata", "namespace"}, {"metadata", "annotations"}};
  return kReads;
}

}  // namespace

// ---------------------------------------------------------------------------
// CheckReads
// ---------------------------------------------------------------------------

CheckReads::CheckReads(std::initializer_list<std::string_view> patterns) : everything_(false) {
  for (std::string_view text : patterns) {
    Pattern p;
    std::string_view rest = text;
    for (auto [prefix, base] : {std::pair<std::string_view, Base>{"pod:", Base::kPod},
                                {"podmeta:", Base::kPodMeta},
                                {"container:", Base::kContainer}}) {
      if (rest.substr(0, prefix.size()) == prefix) {
        p.base = base;
        rest.remove_prefix(prefix.size());
        break;
      }
    }
    auto pointer = JsonPointer::Parse(rest);
    bool ok = pointer.ok() && !pointer->empty();
    if (ok) {
      for (const std::string& t : pointer->tokens()) ok = ok && !IsIndex(t) && t != "-";
    }
    if (!ok) {  // a programming error in a declaration: fail every test run at once
      std::fprintf(stderr, "kfix: check reads \"%.*s\": want a non-empty JSON pointer with \"*\" for list items, "
                   "optionally after pod:, podmeta: or container:\n", static_cast<int>(text.size()), text.data());
      std::abort();
    }
    p.tokens = pointer->tokens();
    if (p.base == Base::kContainer) per_container_ = true;
    patterns_.push_back(std::move(p));
  }
  if (per_container_) {  // every container check names its container
    Pattern name;
    name.base = Base::kContainer;
    name.tokens = {"name"};
    patterns_.push_back(std::move(name));
  }
}

std::string CheckReads::ToString() const {
  if (everything_) return "everything";
  std::string out;
  for (const Pattern& p : patterns_) {
    if (!out.empty()) out += ", ";
    switch (p.base) {
      case Base::kObject: break;
      case Base::kPod: out += "pod:"; break;
      case Base::kPodMeta: out += "podmeta:"; break;
      case Base::kContainer: out += "container:"; break;
    }
    out += JsonPointer(p.tokens).ToString();
  }
  return out;
}

// ---------------------------------------------------------------------------
// PatchTouches
// ---------------------------------------------------------------------------

PatchTouches::PatchTouches(const Patch& patch, const ObjectInfo& obj) : obj_(&obj) {
  static const std::vector<std::string> kNone;
  const std::vector<std::string>& pod = obj.workload ? obj.workload->pod_spec_pointer.tokens() : kNone;
  const std::vector<std::string>& meta = obj.workload ? obj.workload->pod_metadata_pointer.tokens() : kNone;
  pod_depth_ = pod.size();
  pod_meta_depth_ = meta.size();
  auto add = [&](const JsonPointer& where) {
    const std::vector<std::string>& path = where.tokens();
    if (path.empty()) {
      everything_ = true;
      return;
    }
    for (const std::vector<std::string>& r : ImplicitReads()) {
      if (PrefixCompatible(path, 0, r)) everything_ = true;
    }
    Touch t;
    t.tokens = &path;
    t.under_pod = obj.workload && AgreesWith(path, pod);
    t.under_pod_meta = obj.workload && AgreesWith(path, meta);
    if (t.under_pod && path.size() > pod.size()) {
      const std::string& group = path[pod.size()];
      if (path.size() <= pod.size() + 2) {
        t.container_structure = true;
      } else if (IsIndex(path[pod.size() + 1])) {
        const std::size_t index = static_cast<std::size_t>(std::stoul(path[pod.size() + 1]));
        const std::vector<ContainerRef>& cs = obj.workload->containers;
        for (std::size_t i = 0; i < cs.size(); ++i) {
          if (cs[i].index == index && group == ContainerGroupField(cs[i].group)) t.container = static_cast<std::int32_t>(i);
        }
        t.container_rest = pod.size() + 2;
        // A list entry that is not a container mapping: treated as the list itself.
        if (t.container < 0) t.container_structure = true;
      } else {
        t.container_structure = true;
      }
    }
    touches_.push_back(t);
  };
  for (const PatchOp& op : patch) {
    if (op.op == PatchOpType::kTest) continue;
    add(op.path);
    if (op.op == PatchOpType::kMove) add(op.from);
  }
}

bool PatchTouches::Overlaps(const Touch& t, const CheckReads::Pattern& p, bool* whole) const {
  const std::vector<std::string>& path = *t.tokens;
  switch (p.base) {
    case CheckReads::Base::kObject:
      *whole = true;
      return PrefixCompatible(path, 0, p.tokens);
    case CheckReads::Base::kPod:
      *whole = true;
      return t.under_pod && (path.size() <= pod_depth_ || PrefixCompatible(path, pod_depth_, p.tokens));
    case CheckReads::Base::kPodMeta:
      *whole = true;
      return t.under_pod_meta && (path.size() <= pod_meta_depth_ || PrefixCompatible(path, pod_meta_depth_, p.tokens));
    case CheckReads::Base::kContainer:
      if (!t.under_pod) return false;
      if (path.size() <= pod_depth_) {  // the pod spec or above: every container
        *whole = true;
        return true;
      }
      if (std::find(std::begin(kGroups), std::end(kGroups), path[pod_depth_]) == std::end(kGroups)) return false;
      if (t.container_structure) {
        *whole = true;
        return true;
      }
      *whole = false;
      return PrefixCompatible(path, t.container_rest, p.tokens);
  }
  return true;
}

PatchTouches::Affect PatchTouches::Affects(const CheckReads& reads, std::vector<char>* mask) const {
  if (everything_ || reads.everything()) return Affect::kAll;
  bool some = false;
  for (const Touch& t : touches_) {
    for (const CheckReads::Pattern& p : reads.patterns()) {
      bool whole = true;
      if (!Overlaps(t, p, &whole)) continue;
      if (whole) return Affect::kAll;
      if (!some) mask->assign(obj_->workload->containers.size(), 0);
      some = true;
      (*mask)[static_cast<std::size_t>(t.container)] = 1;
    }
  }
  return some ? Affect::kContainers : Affect::kNone;
}

// ---------------------------------------------------------------------------
// The self-check
// ---------------------------------------------------------------------------

std::string DescribeRescanMismatch(const std::vector<Finding>& full, const std::vector<Finding>& affected) {
  auto brief = [](const Finding& f) {
    return "[" + f.container + "] " + f.message + " at " + (f.pointer.empty() ? "/" : f.pointer) + " (" +
           std::to_string(f.line) + ":" + std::to_string(f.column) + ")";
  };
  auto same = [](const Finding& a, const Finding& b) {
    return a.check == b.check && a.policy == b.policy && a.severity == b.severity && a.message == b.message &&
           a.remediation == b.remediation && a.file == b.file && a.document == b.document && a.item == b.item &&
           a.line == b.line && a.column == b.column && a.pointer == b.pointer &&
           a.object.api_version == b.object.api_version && a.object.kind == b.object.kind &&
           a.object.namespace_ == b.object.namespace_ && a.object.name == b.object.name && a.container == b.container &&
           a.object_index == b.object_index && a.ignored_by == b.ignored_by;
  };
  // Check by check (each list in its order), so that the difference names the check it is about.
  auto by_check = [](const std::vector<Finding>& l) {
    std::vector<const Finding*> out;
    for (const Finding& f : l) out.push_back(&f);
    std::stable_sort(out.begin(), out.end(), [](const Finding* a, const Finding* b) { return a->check < b->check; });
    return out;
  };
  const std::vector<const Finding*> a = by_check(full), b = by_check(affected);
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i]->check < b[j]->check)) {
      return "check " + a[i]->check + ": only the full rescan reports " + brief(*a[i]);
    }
    if (i == a.size() || b[j]->check < a[i]->check) {
      return "check " + b[j]->check + ": only the affected-only rescan reports " + brief(*b[j]);
    }
    if (!same(*a[i], *b[j])) {
      return "check " + a[i]->check + ": the full rescan reports " + brief(*a[i]) + ", the affected-only rescan " +
             brief(*b[j]);
    }
    ++i;
    ++j;
  }
  if (full.size() == affected.size()) {  // equal check by check: the order differs
    for (std::size_t k = 0; k < full.size(); ++k) {
      if (!same(full[k], affected[k])) return "check " + full[k].check + ": the findings are in another order";
    }
  }
  return {};
}

}  // namespace kfix::internal
