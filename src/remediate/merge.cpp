// Patch merging.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>

#include "kfix/remediate.hpp"
#include "remediate/builder.hpp"

namespace kfix {

namespace {

bool SameOp(const PatchOp& a, const PatchOp& b) {
  return a.op == b.op && a.path == b.path && a.from == b.from && a.value == b.value;
}

bool Writes(const PatchOp& o) { return o.op == PatchOpType::kAdd || o.op == PatchOpType::kReplace; }

/// Deep-merges `src` into `dst` (objects only). Returns false on a leaf conflict.
bool DeepMerge(Value& dst, const Value& src, std::string& conflict, const std::string& at) {
  if (dst.is_object() && src.is_object()) {
    for (const Member& m : src.as_object()) {
      Value* d = dst.Find(m.key);
      if (!d) {
        dst.Set(m.key, m.value);
      } else if (!DeepMerge(*d, m.value, conflict, std::string(at).append("/").append(JsonPointer::EscapeToken(m.key)))) {
        return false;
      }
    }
    return true;
  }
  if (dst == src) return true;
  conflict = at;
  return false;
}

/// Places `v` at relative `tokens` inside object value `dst` (creating
/// objects). False on a conflict (different existing leaf, or non-object).
bool FoldInto(Value& dst, const std::vector<std::string>& tokens, std::size_t from, const Value& v, std::string& conflict,
              const std::string& at) {
  Value* cur = &dst;
  std::string where = at;
  for (std::size_t i = from; i < tokens.size(); ++i) {
    if (!cur->is_object()) {
      conflict = where;
      return false;
    }
    where.append("/").append(JsonPointer::EscapeToken(tokens[i]));
    Value* next = cur->Find(tokens[i]);
    if (i + 1 == tokens.size()) {
      if (!next) {
        cur->Set(tokens[i], v);
        return true;
      }
      return DeepMerge(*next, v, conflict, where);
    }
    if (!next) next = &cur->Set(tokens[i], Value::MakeObject());
    cur = next;
  }
  return DeepMerge(*cur, v, conflict, where);
}

bool IsArrayElementRemove(const PatchOp& o) {
  return o.op == PatchOpType::kRemove && !o.path.empty() && internal::ParseIndex(o.path.back()).has_value();
}

}  // namespace

Result<Patch> MergePatches(const std::vector<Patch>& patches) {
  Patch out;
  std::vector<PatchOp> element_removes;
  for (const Patch& p : patches) {
    for (const PatchOp& op : p) {
      if (IsArrayElementRemove(op)) {
        bool dup = std::any_of(element_removes.begin(), element_removes.end(),
                               [&](const PatchOp& e) { return SameOp(e, op); });
        if (!dup) element_removes.push_back(op);
        continue;
      }
      if (std::any_of(out.begin(), out.end(), [&](const PatchOp& e) { return SameOp(e, op); })) continue;
      if (!op.path.empty() && op.path.back() == "-") {
        out.push_back(op);
        continue;
      }
      bool handled = false;
      for (PatchOp& e : out) {
        if (e.path.size() > 0 && e.path.back() == "-") continue;
        std::string conflict;
        if (e.path == op.path) {
          if (Writes(e) && Writes(op) && e.value.is_object() && op.value.is_object()) {
            if (!DeepMerge(e.value, op.value, conflict, e.path.ToString()))
              return PatchConflictError("patches conflict at \"" + conflict + "\"");
            handled = true;
            break;
          }
          return PatchConflictError("patches conflict: two different ops on \"" + op.path.ToString() + "\"");
        }
        if (e.path.IsPrefixOf(op.path)) {
          if (Writes(e) && Writes(op) && e.value.is_object()) {
            if (!FoldInto(e.value, op.path.tokens(), e.path.size(), op.value, conflict, e.path.ToString()))
              return PatchConflictError("patches conflict at \"" + conflict + "\"");
            handled = true;
            break;
          }
          return PatchConflictError("patches conflict: \"" + e.path.ToString() + "\" and \"" + op.path.ToString() +
                                    "\"");
        }
        if (op.path.IsPrefixOf(e.path)) {
          if (Writes(e) && Writes(op) && op.value.is_object()) {
            // Fold the earlier, deeper op into the new one, then replace it.
            PatchOp merged = op;
            if (!FoldInto(merged.value, e.path.tokens(), op.path.size(), e.value, conflict, op.path.ToString()))
              return PatchConflictError("patches conflict at \"" + conflict + "\"");
            e = std::move(merged);
            handled = true;
            break;
          }
          return PatchConflictError("patches conflict: \"" + op.path.ToString() + "\" and \"" + e.path.ToString() +
                                    "\"");
        }
      }
      if (!handled) out.push_back(op);
    }
  }
  // Array element removals last, highest index first per array, so indices
  // computed against the original object stay valid.
  for (const PatchOp& r : element_removes) {
    for (const PatchOp& e : out) {
      if (r.path.IsPrefixOf(e.path))
        return PatchConflictError("patches conflict: \"" + r.path.ToString() + "\" is removed and also edited");
    }
  }
  std::stable_sort(element_removes.begin(), element_removes.end(), [](const PatchOp& a, const PatchOp& b) {
    JsonPointer pa = a.path.Parent(), pb = b.path.Parent();
    if (pa != pb) return pa < pb;
    return *internal::ParseIndex(a.path.back()) > *internal::ParseIndex(b.path.back());
  });
  for (PatchOp& r : element_removes) out.push_back(std::move(r));
  return out;
}

}  // namespace kfix
