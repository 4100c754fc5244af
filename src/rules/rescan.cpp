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

/// Pointer texts: one is a prefix of the other at a token boundary ("" is above everything).
bool TextOverlap(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  return b.compare(0, a.size(), a) == 0 && (b.size() == a.size() || b[a.size()] == '/');
}

std::string Text(const std::vector<std::string>& tokens) {
  std::string out;
  std::size_t n = 0;
  for (const std::string& t : tokens) n += t.size() + 1;
  out.reserve(n);
  for (const std::string& t : tokens) {
    out.push_back('/');
    for (char c : t) {
      if (c == '~') {
        out.append("~0");
      } else if (c == '/') {
        out.append("~1");
      } else {
        out.push_back(c);
      }
    }
  }
  return out;
}

/// Calls hit(e) for each entry of `sorted` (by text_of) whose text overlaps `p` (TextOverlap) until
/// it returns true; returns whether one did.
template <typename T, typename TextOf, typename Hit>
bool ForEachOverlap(const std::vector<T>& sorted, TextOf text_of, std::string_view p, Hit&& hit) {
  auto less = [&](const T& e, std::string_view v) { return text_of(e) < v; };
  // Below (or at) p: the entries that start with p.
  for (auto it = std::lower_bound(sorted.begin(), sorted.end(), p, less); it != sorted.end(); ++it) {
    const std::string_view t = text_of(*it);
    if (t.compare(0, p.size(), p) != 0) break;
    if ((t.size() == p.size() || t[p.size()] == '/') && hit(*it)) return true;
  }
  // Above p: p's proper prefixes at token boundaries.
  for (std::size_t k = p.size(); k-- > 1;) {
    if (p[k] != '/') continue;
    const std::string_view pre = p.substr(0, k);
    for (auto it = std::lower_bound(sorted.begin(), sorted.end(), pre, less); it != sorted.end() && text_of(*it) == pre;
         ++it) {
      if (hit(*it)) return true;
    }
  }
  return false;
}

// What the engine reads for every check: the kinds it applies to, the object reference of every
// finding, the ignore annotations.
constexpr std::string_view kImplicitReads[] = {"/apiVersion", "/kind", "/metadata/name", "/metadata/namespace",
                                               "/metadata/annotations"};

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
    p.text = Text(p.tokens);
    p.wildcard = std::find(p.tokens.begin(), p.tokens.end(), "*") != p.tokens.end();
    if (p.base == Base::kContainer) per_container_ = true;
    patterns_.push_back(std::move(p));
  }
  if (per_container_) {  // every container check names its container
    Pattern name;
    name.base = Base::kContainer;
    name.tokens = {"name"};
    name.text = "/name";
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
    out += p.text;
  }
  return out;
}

// ---------------------------------------------------------------------------
// PatchTouches
// ---------------------------------------------------------------------------

PatchTouches::PatchTouches(const Patch& patch, const ObjectInfo& obj) : obj_(&obj) {
  std::string pod, meta;
  if (obj.workload) {
    pod = Text(obj.workload->pod_spec_pointer.tokens());
    meta = Text(obj.workload->pod_metadata_pointer.tokens());
    pod_depth_ = obj.workload->pod_spec_pointer.size();
    pod_meta_depth_ = obj.workload->pod_metadata_pointer.size();
  }
  auto add = [&](const JsonPointer& where) {
    const std::vector<std::string>& path = where.tokens();
    Touch t;
    t.tokens = &path;
    // Appending to a list ("/-") is taken as touching the list.
    t.text = Text(path);
    if (!path.empty() && path.back() == "-") t.text.resize(t.text.size() - 2);
    if (t.text.empty()) everything_ = true;
    for (std::string_view r : kImplicitReads) everything_ = everything_ || TextOverlap(t.text, r);
    if (obj.workload) {
      t.under_pod = TextOverlap(t.text, pod);
      t.under_pod_meta = TextOverlap(t.text, meta);
      if (t.under_pod && t.text.size() > pod.size()) t.pod_rest = pod.size();
      if (t.under_pod_meta && t.text.size() > meta.size()) t.pod_meta_rest = meta.size();
    }
    if (t.pod_rest != std::string::npos) {
      const std::string& group = path[pod_depth_];
      t.in_container_list = std::find(std::begin(kGroups), std::end(kGroups), group) != std::end(kGroups);
      if (t.in_container_list) {
        t.container_structure = true;
        if (path.size() > pod_depth_ + 2 && IsIndex(path[pod_depth_ + 1])) {
          const std::size_t index = static_cast<std::size_t>(std::stoul(path[pod_depth_ + 1]));
          const std::vector<ContainerRef>& cs = obj.workload->containers;
          for (std::size_t i = 0; i < cs.size(); ++i) {
            if (cs[i].index == index && group == ContainerGroupField(cs[i].group)) {
              t.container = static_cast<std::int32_t>(i);
              // The text after "/<group>/<index>".
              t.container_rest = pod.size() + 1 + JsonPointer::EscapeToken(group).size() + 1 + path[pod_depth_ + 1].size();
              // A list entry that is not a container mapping stays structural (treated as the list).
              t.container_structure = false;
            }
          }
        }
      }
    }
    touches_.push_back(std::move(t));
  };
  touches_.reserve(patch.size());
  for (const PatchOp& op : patch) {
    if (op.op == PatchOpType::kTest) continue;
    add(op.path);
    if (op.op == PatchOpType::kMove) add(op.from);
  }
  // The indexes (touches_ no longer grows: the views stay valid).
  for (const Touch& t : touches_) {
    const std::string_view text = t.text;
    object_.push_back(text);
    if (t.under_pod) {
      if (t.pod_rest == std::string::npos) {
        pod_whole_ = containers_whole_ = true;
      } else {
        pod_.push_back(text.substr(t.pod_rest));
        if (t.in_container_list && t.container_structure) containers_whole_ = true;
        if (t.container >= 0) containers_.emplace_back(text.substr(t.container_rest), t.container);
      }
    }
    if (t.under_pod_meta) {
      if (t.pod_meta_rest == std::string::npos) {
        pod_meta_whole_ = true;
      } else {
        pod_meta_.push_back(text.substr(t.pod_meta_rest));
      }
    }
  }
  for (std::vector<std::string_view>* v : {&object_, &pod_, &pod_meta_}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  std::sort(containers_.begin(), containers_.end());
  containers_.erase(std::unique(containers_.begin(), containers_.end()), containers_.end());
}

bool PatchTouches::Overlaps(const Touch& t, const CheckReads::Pattern& p, bool* whole) const {
  const std::string_view text = t.text;
  // The part of the touched path below a base (pointer text, "" when at the base) against the pattern.
  auto below = [&](std::size_t rest, std::size_t depth) {
    if (p.wildcard) return PrefixCompatible(*t.tokens, depth, p.tokens);
    return TextOverlap(text.substr(rest), p.text);
  };
  *whole = true;
  switch (p.base) {
    case CheckReads::Base::kObject:
      return p.wildcard ? PrefixCompatible(*t.tokens, 0, p.tokens) : TextOverlap(text, p.text);
    case CheckReads::Base::kPod:
      return t.under_pod && (t.pod_rest == std::string::npos || below(t.pod_rest, pod_depth_));
    case CheckReads::Base::kPodMeta:
      return t.under_pod_meta && (t.pod_meta_rest == std::string::npos || below(t.pod_meta_rest, pod_meta_depth_));
    case CheckReads::Base::kContainer:
      if (!t.under_pod) return false;
      if (t.pod_rest == std::string::npos) return true;  // the pod spec or above: every container
      if (!t.in_container_list) return false;
      if (t.container_structure) return true;
      *whole = false;
      return below(t.container_rest, pod_depth_ + 2);
  }
  return true;
}

PatchTouches::Affect PatchTouches::Affects(const CheckReads& reads, std::vector<char>* mask) const {
  if (everything_ || reads.everything()) return Affect::kAll;
  bool some = false;
  auto mark = [&](std::int32_t container) {
    if (!some) mask->assign(obj_->workload->containers.size(), 0);
    some = true;
    (*mask)[static_cast<std::size_t>(container)] = 1;
  };
  auto any = [](const auto&) { return true; };
  auto self = [](std::string_view v) { return v; };
  for (const CheckReads::Pattern& p : reads.patterns()) {
    if (p.wildcard) {  // token by token, touch by touch
      for (const Touch& t : touches_) {
        bool whole = true;
        if (!Overlaps(t, p, &whole)) continue;
        if (whole) return Affect::kAll;
        mark(t.container);
      }
      continue;
    }
    switch (p.base) {
      case CheckReads::Base::kObject:
        if (ForEachOverlap(object_, self, p.text, any)) return Affect::kAll;
        break;
      case CheckReads::Base::kPod:
        if (pod_whole_ || ForEachOverlap(pod_, self, p.text, any)) return Affect::kAll;
        break;
      case CheckReads::Base::kPodMeta:
        if (pod_meta_whole_ || ForEachOverlap(pod_meta_, self, p.text, any)) return Affect::kAll;
        break;
      case CheckReads::Base::kContainer:
        if (containers_whole_) return Affect::kAll;
        ForEachOverlap(containers_, [](const auto& e) { return e.first; }, p.text, [&](const auto& e) {
          mark(e.second);
          return false;
        });
        break;
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
