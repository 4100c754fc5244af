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
inline bool PrefixCompatible(const std::vector<std::string>& path, std::size_t from,
                             const std::vector<std::string>& pattern) {
  const std::size_t n = std::min(path.size() - from, pattern.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& a = path[from + i];
    const std::string& b = pattern[i];
    if (a.size() == b.size() && std::char_traits<char>::compare(a.data(), b.data(), a.size()) == 0) continue;
    if ((b.size() == 1 && b[0] == '*') || (a.size() == 1 && a[0] == '-')) continue;
    return false;
  }
  return true;
}

// What the engine reads for every check: the kinds it applies to, the object reference of every
// finding (apiVersion, kind, metadata.name and .namespace), the ignore annotations.
bool TouchesImplicitReads(const std::vector<std::string>& path) {
  const std::string& first = path[0];
  if (first == "apiVersion" || first == "kind" || first == "-") return true;
  if (first != "metadata") return false;
  if (path.size() == 1) return true;
  const std::string& second = path[1];
  return second == "name" || second == "namespace" || second == "annotations" || second == "-";
}

/// `path` (from `from`) and the concrete `prefix` agree on their common length.
bool Agrees(const std::vector<std::string>& path, const std::vector<std::string>& prefix) {
  const std::size_t n = std::min(path.size(), prefix.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (path[i] != "-" && path[i] != prefix[i]) return false;
  }
  return true;
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
// ReadIndex
// ---------------------------------------------------------------------------

ReadIndex::ReadIndex(const std::vector<const CheckReads*>& reads) : reads_(reads) {
  for (std::uint32_t c = 0; c < reads_.size(); ++c) {
    const CheckReads* r = reads_[c];
    if (!r) continue;
    if (r->everything()) {
      everything_.push_back(c);
      continue;
    }
    for (std::uint32_t k = 0; k < r->patterns().size(); ++k) {
      const CheckReads::Pattern& p = r->patterns()[k];
      BaseIndex& b = bases_[static_cast<int>(p.base)];
      const Ref ref{c, k};
      if (p.tokens.front() == "*") {
        b.wild_first.push_back(ref);
        continue;
      }
      FirstToken& first = b.by_first[p.tokens.front()];
      if (p.tokens.size() == 1) {
        first.only.push_back(ref);
      } else if (p.tokens[1] == "*") {
        first.wild_second.push_back(ref);
      } else {
        auto it = std::find_if(first.second.begin(), first.second.end(),
                               [&](const auto& e) { return e.first == p.tokens[1]; });
        if (it == first.second.end()) it = first.second.insert(first.second.end(), {p.tokens[1], {}});
        it->second.push_back(ref);
      }
      if (b.checks.empty() || b.checks.back() != c) b.checks.push_back(c);
    }
  }
}

void ReadIndex::Touched(const Patch& patch, const ObjectInfo& obj, Result* out) const {
  const std::size_t n = reads_.size();
  out->affect.assign(n, Affect::kNone);
  out->containers = obj.workload ? obj.workload->containers.size() : 0;
  out->masks.clear();
  for (std::uint32_t c : everything_) out->affect[c] = Affect::kAll;
  auto all = [&] {
    for (std::size_t c = 0; c < n; ++c) {
      if (reads_[c]) out->affect[c] = Affect::kAll;
    }
  };
  auto all_of = [&](CheckReads::Base b) {
    for (std::uint32_t c : bases_[static_cast<int>(b)].checks) out->affect[c] = Affect::kAll;
  };
  // The patterns of base `b` that `path` (below the base from `from`) overlaps; `container` >= 0:
  // inside that container's field.
  auto match = [&](CheckReads::Base b, const std::vector<std::string>& path, std::size_t from, std::int32_t container) {
    const BaseIndex& index = bases_[static_cast<int>(b)];
    auto touch = [&](const Ref& r) {
      Affect& a = out->affect[r.check];
      if (a == Affect::kAll || !PrefixCompatible(path, from, reads_[r.check]->patterns()[r.pattern].tokens)) return;
      if (container < 0) {
        a = Affect::kAll;
        return;
      }
      if (out->masks.empty()) out->masks.assign(n * out->containers, 0);
      out->masks[r.check * out->containers + static_cast<std::size_t>(container)] = 1;
      a = Affect::kContainers;
    };
    if (path[from] == "-") {  // appended to a list at the base itself: as the base
      all_of(b);
      return;
    }
    if (auto it = index.by_first.find(path[from]); it != index.by_first.end()) {
      const FirstToken& first = it->second;
      for (const Ref& r : first.only) touch(r);
      for (const Ref& r : first.wild_second) touch(r);
      const std::string* second = from + 1 < path.size() ? &path[from + 1] : nullptr;
      for (const auto& [token, refs] : first.second) {
        // The path ends at the first token, appends to it ("-"), or goes on with this second token.
        if (second && *second != "-" && *second != token) continue;
        for (const Ref& r : refs) touch(r);
      }
    }
    for (const Ref& r : index.wild_first) touch(r);
  };
  auto add = [&](const JsonPointer& where) {
    const std::vector<std::string>& path = where.tokens();
    if (path.empty() || TouchesImplicitReads(path)) return all(), false;
    match(CheckReads::Base::kObject, path, 0, -1);
    if (!obj.workload) return true;
    const std::vector<std::string>& pod = obj.workload->pod_spec_pointer.tokens();
    const std::size_t pd = pod.size();
    if (Agrees(path, pod)) {
      if (path.size() <= pd) {  // the pod spec or above
        all_of(CheckReads::Base::kPod);
        all_of(CheckReads::Base::kContainer);
      } else {
        match(CheckReads::Base::kPod, path, pd, -1);
        const std::string& group = path[pd];
        if (std::find(std::begin(kGroups), std::end(kGroups), group) != std::end(kGroups)) {
          std::int32_t container = -1;
          if (path.size() > pd + 2 && IsIndex(path[pd + 1])) {
            const std::size_t index = static_cast<std::size_t>(std::stoul(path[pd + 1]));
            const std::vector<ContainerRef>& cs = obj.workload->containers;
            for (std::size_t i = 0; i < cs.size(); ++i) {
              if (cs[i].index == index && group == ContainerGroupField(cs[i].group)) container = static_cast<std::int32_t>(i);
            }
          }
          // A list, a whole container, or an entry that is not a container mapping: every container.
          if (container < 0) {
            all_of(CheckReads::Base::kContainer);
          } else {
            match(CheckReads::Base::kContainer, path, pd + 2, container);
          }
        }
      }
    }
    const std::vector<std::string>& meta = obj.workload->pod_metadata_pointer.tokens();
    if (Agrees(path, meta)) {
      if (path.size() <= meta.size()) {
        all_of(CheckReads::Base::kPodMeta);
      } else {
        match(CheckReads::Base::kPodMeta, path, meta.size(), -1);
      }
    }
    return true;
  };
  for (const PatchOp& op : patch) {
    if (op.op == PatchOpType::kTest) continue;
    if (!add(op.path)) return;
    if (op.op == PatchOpType::kMove && !add(op.from)) return;
  }
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
