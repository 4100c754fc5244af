// RFC 6902 JSON Patch (parse, apply atomically, diff) and RFC 7386 merge patch.
//
// Error codes (docs/error-codes.md):
//   ParsePatch: kParseError for every malformed patch document.
//   ApplyPatch: kPatchConflict (target/parent missing, index out of range,
//   scalar parent, move into own child, remove of the root), kTestFailed
//   (test mismatch or test path missing), kInvalidArgument (a token used as an
//   array index is not one: "01", "+1", "x").
#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/patch_internal.hpp"
#include "core/pointer_internal.hpp"
#include "kfix/core.hpp"

namespace kfix {
namespace {

using internal::ArrayIndex;
using internal::ParseArrayIndex;

// A failed op before the "op N (...)" prefix is added.
struct OpFailure {
  StatusCode code = StatusCode::kOk;
  std::string reason;
  std::string pointer;  // the pointer whose evaluation failed
  bool ok() const { return code == StatusCode::kOk; }
};

OpFailure Fail(StatusCode code, std::string reason, const JsonPointer& at) {
  return OpFailure{code, std::move(reason), at.ToString()};
}

// Member lookup for one ApplyPatch call. Objects are vectors, so finding a
// member is linear; a patch of N ops on a large object would be quadratic.
// Objects with kIndexed members or more get a key -> position hash, built
// once and kept up to date while ops append members, so N adds cost O(N).
//
// Soundness: entries are keyed by the object's address and checked against
// its member buffer and size on every use. A buffer can only be reused by
// another object after it is freed, which happens when a value is
// overwritten or removed or when an object's member vector grows: every such
// op drops all entries except those of the objects on its own path above the
// change (which it does not free). Array inserts move values but free no
// member buffer.
class MemberIndex {
 public:
  static constexpr std::size_t kIndexed = 16;
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // Position of `key` in object `o`, or npos.
  std::size_t Find(const Value& o, const std::string& key) {
    const Value::Object& m = o.as_object();
    if (m.size() < kIndexed) {
      for (std::size_t i = 0; i < m.size(); ++i) {
        if (m[i].key == key) return i;
      }
      return npos;
    }
    Entry& e = Get(o);
    auto it = e.pos.find(key);
    return it == e.pos.end() ? npos : it->second;
  }
  // After a member with `key` was appended to `o` (Find returned npos).
  void Appended(const Value& o, const std::string& key) {
    auto it = entries_.find(&o);
    if (it == entries_.end()) return;
    const Value::Object& m = o.as_object();
    Entry& e = it->second;
    if (e.size + 1 != m.size()) {
      entries_.erase(it);
      return;
    }
    e.pos.emplace(key, m.size() - 1);
    e.data = m.data();
    e.size = m.size();
  }
  // A value below `path[0..keep)` was overwritten or removed: keep only the
  // entries of the objects on that path.
  void KeepOnly(const std::vector<const Value*>& path, std::size_t keep) {
    if (entries_.empty()) return;
    std::unordered_map<const Value*, Entry> kept;
    for (std::size_t i = 0; i < keep && i < path.size(); ++i) {
      auto it = entries_.find(path[i]);
      if (it != entries_.end()) kept.emplace(it->first, std::move(it->second));
    }
    entries_ = std::move(kept);
  }

 private:
  struct Entry {
    const Member* data = nullptr;
    std::size_t size = 0;
    std::unordered_map<std::string, std::size_t> pos;
  };
  Entry& Get(const Value& o) {
    const Value::Object& m = o.as_object();
    Entry& e = entries_[&o];
    if (e.data != m.data() || e.size != m.size() || e.pos.size() != m.size()) {
      e.pos.clear();
      e.pos.reserve(m.size() * 2);
      for (std::size_t i = 0; i < m.size(); ++i) e.pos.emplace(m[i].key, i);
      e.data = m.data();
      e.size = m.size();
    }
    return e;
  }
  std::unordered_map<const Value*, Entry> entries_;
};

using UndoKind = internal::PatchUndo::Kind;

// The state one ApplyPatch call carries from op to op.
struct ApplyState {
  MemberIndex index;
  std::vector<const Value*> path;  // the values Walk passed through, root first
  internal::PatchUndo* undo = nullptr;  // where changes are recorded (ApplyPatchUndoable), or null

  // Records a change under the first `n` tokens of `p` (the last token
  // replaced by `last` when n == p.size()).
  internal::PatchUndo::Step* Record(UndoKind kind, const JsonPointer& p, std::size_t n, std::size_t pos) {
    if (!undo) return nullptr;
    internal::PatchUndo::Step& s = undo->steps.emplace_back();
    s.kind = kind;
    s.path.assign(p.tokens().begin(), p.tokens().begin() + static_cast<std::ptrdiff_t>(n));
    s.pos = pos;
    return &s;
  }
};

// Walks the first `n` tokens of `p`. On failure returns nullptr and fills `f`
// (kNotFound mapped to `missing_code`). `st.path` receives the values passed
// through (root first, the result last).
Value* Walk(Value& root, const JsonPointer& p, std::size_t n, StatusCode missing_code, OpFailure& f,
            ApplyState& st) {
  Value* v = &root;
  st.path.clear();
  st.path.push_back(v);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& token = p.tokens()[i];
    const Value* next = nullptr;
    if (v->is_object()) {
      std::size_t at = st.index.Find(*v, token);
      if (at != MemberIndex::npos) next = &v->as_object()[at].value;
    } else {
      next = internal::Step(*v, token);
    }
    if (!next) {
      internal::StepFailure sf = internal::DescribeStepFailure(p, i, *v);
      f = Fail(sf.code == StatusCode::kNotFound ? missing_code : sf.code, std::move(sf.reason), p);
      return nullptr;
    }
    v = const_cast<Value*>(next);
    st.path.push_back(v);
  }
  return v;
}

std::string ParentText(const JsonPointer& p) { return internal::PrefixString(p, p.size() - 1); }

OpFailure DoAdd(Value& doc, const JsonPointer& path, Value value, ApplyState& st) {
  if (path.empty()) {
    st.index.KeepOnly(st.path, 0);
    if (auto* step = st.Record(UndoKind::kRoot, path, 0, 0)) step->old.value = std::move(doc);
    doc = std::move(value);
    return {};
  }
  OpFailure f;
  Value* parent = Walk(doc, path, path.size() - 1, StatusCode::kPatchConflict, f, st);
  if (!parent) return f;
  const std::string& token = path.back();
  if (parent->is_object()) {
    Value::Object& o = parent->as_object();
    const std::size_t at = st.index.Find(*parent, token);
    if (at != MemberIndex::npos) {
      st.index.KeepOnly(st.path, st.path.size());  // the old value (and what it held) is freed
      if (auto* step = st.Record(UndoKind::kMemberSet, path, path.size() - 1, at)) step->old.value = std::move(o[at].value);
      o[at].value = std::move(value);
    } else {
      // A reallocation frees the old member buffer (entries of the members'
      // own objects at their old addresses must go).
      if (o.size() == o.capacity()) st.index.KeepOnly(st.path, st.path.size());
      o.push_back(Member{token, std::move(value), 0, 0});
      st.index.Appended(*parent, token);
      st.Record(UndoKind::kMemberAdded, path, path.size() - 1, o.size() - 1);
    }
    return {};
  }
  if (parent->is_array()) {
    Value::Array& a = parent->as_array();
    ArrayIndex idx = ParseArrayIndex(token);
    switch (idx.kind) {
      case ArrayIndex::kPastEnd:
        a.push_back(std::move(value));
        st.Record(UndoKind::kElementInserted, path, path.size() - 1, a.size() - 1);
        return {};
      case ArrayIndex::kIndex:
        if (idx.index > a.size()) {
          return Fail(StatusCode::kPatchConflict,
                      "index " + token + " out of range for add to array of size " + std::to_string(a.size()) +
                          " at " + JsonQuote(ParentText(path)),
                      path);
        }
        a.insert(a.begin() + static_cast<std::ptrdiff_t>(idx.index), std::move(value));
        st.Record(UndoKind::kElementInserted, path, path.size() - 1, idx.index);
        return {};
      default:
        return Fail(StatusCode::kInvalidArgument,
                    "invalid array index " + JsonQuote(token) + " for array at " + JsonQuote(ParentText(path)), path);
    }
  }
  return Fail(StatusCode::kPatchConflict,
              "cannot add member " + JsonQuote(token) + " to " + parent->type_name() + " at " +
                  JsonQuote(ParentText(path)),
              path);
}

// Removes the value at `path`, moving it into `*removed` when non-null.
OpFailure DoRemove(Value& doc, const JsonPointer& path, Value* removed, ApplyState& st) {
  if (path.empty()) return Fail(StatusCode::kPatchConflict, "cannot remove the whole document", path);
  OpFailure f;
  Value* parent = Walk(doc, path, path.size() - 1, StatusCode::kPatchConflict, f, st);
  if (!parent) return f;
  const std::string& token = path.back();
  if (parent->is_object()) {
    Value::Object& o = parent->as_object();
    const std::size_t at = st.index.Find(*parent, token);
    if (at == MemberIndex::npos) {
      return Fail(StatusCode::kPatchConflict,
                  "member " + JsonQuote(token) + " not found in object at " + JsonQuote(ParentText(path)), path);
    }
    // Positions after `at` shift: the parent's entry goes too.
    st.index.KeepOnly(st.path, st.path.size() - 1);
    if (auto* step = st.Record(UndoKind::kMemberRemoved, path, path.size() - 1, at)) {
      // A move's removed value travels on to its target: the log keeps a copy.
      step->old = removed ? o[at] : std::move(o[at]);
    }
    if (removed) *removed = std::move(o[at].value);
    o.erase(o.begin() + static_cast<std::ptrdiff_t>(at));
    return {};
  }
  if (parent->is_array()) {
    Value::Array& a = parent->as_array();
    ArrayIndex idx = ParseArrayIndex(token);
    if (idx.kind == ArrayIndex::kInvalid) {
      return Fail(StatusCode::kInvalidArgument,
                  "invalid array index " + JsonQuote(token) + " for array at " + JsonQuote(ParentText(path)), path);
    }
    if (idx.kind == ArrayIndex::kPastEnd || idx.index >= a.size()) {
      return Fail(StatusCode::kPatchConflict,
                  "index " + token + " out of range for array of size " + std::to_string(a.size()) + " at " +
                      JsonQuote(ParentText(path)),
                  path);
    }
    st.index.KeepOnly(st.path, st.path.size());
    if (auto* step = st.Record(UndoKind::kElementRemoved, path, path.size() - 1, idx.index)) {
      step->old.value = removed ? a[idx.index] : std::move(a[idx.index]);
    }
    if (removed) *removed = std::move(a[idx.index]);
    a.erase(a.begin() + static_cast<std::ptrdiff_t>(idx.index));
    return {};
  }
  return Fail(StatusCode::kPatchConflict,
              "cannot remove " + JsonQuote(token) + " from " + parent->type_name() + " at " +
                  JsonQuote(ParentText(path)),
              path);
}

OpFailure ApplyOne(Value& doc, const PatchOp& op, ApplyState& st) {
  OpFailure f;
  switch (op.op) {
    case PatchOpType::kAdd: return DoAdd(doc, op.path, op.value, st);
    case PatchOpType::kRemove: return DoRemove(doc, op.path, nullptr, st);
    case PatchOpType::kReplace: {
      Value* target = Walk(doc, op.path, op.path.size(), StatusCode::kPatchConflict, f, st);
      if (!target) return f;
      st.index.KeepOnly(st.path, st.path.size() - 1);
      if (auto* step = st.Record(UndoKind::kReplaced, op.path, op.path.size(), 0)) step->old.value = std::move(*target);
      *target = op.value;
      return {};
    }
    case PatchOpType::kMove: {
      if (op.from == op.path) {
        if (!Walk(doc, op.from, op.from.size(), StatusCode::kPatchConflict, f, st)) return f;
        return {};
      }
      if (op.from.IsPrefixOf(op.path)) {
        return Fail(StatusCode::kPatchConflict, "cannot move " + JsonQuote(op.from.ToString()) + " into its own child",
                    op.path);
      }
      Value v;
      f = DoRemove(doc, op.from, &v, st);
      if (!f.ok()) {
        f.reason = "from: " + f.reason;
        return f;
      }
      return DoAdd(doc, op.path, std::move(v), st);
    }
    case PatchOpType::kCopy: {
      const Value* src = Walk(doc, op.from, op.from.size(), StatusCode::kPatchConflict, f, st);
      if (!src) {
        f.reason = "from: " + f.reason;
        return f;
      }
      // No shortcut for from == path: `add` into an array inserts, so copying
      // /a/0 to /a/0 duplicates the element (RFC 6902 §4.5).
      return DoAdd(doc, op.path, Value(*src), st);  // deep copy before the tree changes
    }
    case PatchOpType::kTest: {
      const Value* target = Walk(doc, op.path, op.path.size(), StatusCode::kTestFailed, f, st);
      if (!target) return f;
      if (*target != op.value) {
        return Fail(StatusCode::kTestFailed,
                    "value " + ToJson(*target) + " is not equal to " + ToJson(op.value), op.path);
      }
      return {};
    }
  }
  return Fail(StatusCode::kInternal, "unknown op type", op.path);
}

Status ApplyInPlace(Value& doc, const Patch& patch, internal::PatchUndo* undo = nullptr) {
  ApplyState st;
  st.undo = undo;
  for (std::size_t i = 0; i < patch.size(); ++i) {
    const PatchOp& op = patch[i];
    OpFailure f = ApplyOne(doc, op, st);
    if (!f.ok()) {
      SourceLocation loc;
      loc.pointer = f.pointer;
      std::string msg = "op ";
      msg += std::to_string(i);
      msg += " (";
      msg += PatchOpName(op.op);
      if (op.op == PatchOpType::kMove || op.op == PatchOpType::kCopy) msg += " " + op.from.ToString() + " ->";
      msg += " " + op.path.ToString() + "): " + f.reason;
      return Status(f.code, std::move(msg), std::move(loc));
    }
  }
  return Status();
}

// True when applying in place is already atomic: every op but the last is a
// `test` (no mutation before a possible failure) and the last op fails only
// before it mutates (everything but `move`, which removes then adds).
bool InPlaceIsAtomic(const Patch& patch) {
  if (patch.empty()) return true;
  for (std::size_t i = 0; i + 1 < patch.size(); ++i) {
    if (patch[i].op != PatchOpType::kTest) return false;
  }
  return patch.back().op != PatchOpType::kMove;
}

// ---- ParsePatch -------------------------------------------------------------

Status PatchParseError(std::size_t index, const char* op, std::string what, const Value& at,
                       const std::string& member = "") {
  std::string msg = "op ";
  msg += std::to_string(index);
  if (op) msg += std::string(" (") + op + ")";
  msg += ": " + what;
  SourceLocation loc;
  loc.line = at.line();
  loc.column = at.column();
  loc.pointer = "/";
  loc.pointer += std::to_string(index);
  if (!member.empty()) loc.pointer += "/" + member;
  return ParseError(std::move(msg), std::move(loc));
}

bool ParseOpName(std::string_view s, PatchOpType& out) {
  static constexpr std::pair<std::string_view, PatchOpType> kOps[] = {
      {"add", PatchOpType::kAdd},   {"remove", PatchOpType::kRemove}, {"replace", PatchOpType::kReplace},
      {"move", PatchOpType::kMove}, {"copy", PatchOpType::kCopy},     {"test", PatchOpType::kTest}};
  for (const auto& [name, type] : kOps) {
    if (s == name) {
      out = type;
      return true;
    }
  }
  return false;
}

Status ParsePointerMember(std::size_t index, const char* op_name, const Value& obj, const char* member,
                          JsonPointer& out) {
  const Value* v = obj.Find(member);
  if (!v) return PatchParseError(index, op_name, std::string("missing member \"") + member + "\"", obj);
  if (!v->is_string()) {
    return PatchParseError(index, op_name,
                           std::string("member \"") + member + "\" must be a string, got " + v->type_name(), *v,
                           member);
  }
  Result<JsonPointer> p = JsonPointer::Parse(v->as_string());
  if (!p.ok()) return PatchParseError(index, op_name, std::string("member \"") + member + "\": " + p.status().message(), *v, member);
  out = std::move(p).value();
  return Status();
}

// ---- Diff -------------------------------------------------------------------

void DiffRec(const Value& a, const Value& b, std::vector<std::string>& path, Patch& out) {
  auto here = [&]() { return JsonPointer(path); };
  if (a.is_object() && b.is_object()) {
    for (const Member& m : a.as_object()) {
      path.push_back(m.key);
      if (const Value* bv = b.Find(m.key)) {
        DiffRec(m.value, *bv, path, out);
      } else {
        out.push_back(PatchOp{PatchOpType::kRemove, here(), {}, {}});
      }
      path.pop_back();
    }
    for (const Member& m : b.as_object()) {
      if (!a.FindMember(m.key)) {
        path.push_back(m.key);
        out.push_back(PatchOp{PatchOpType::kAdd, here(), {}, m.value});
        path.pop_back();
      }
    }
    return;
  }
  if (a.is_array() && b.is_array()) {
    const Value::Array& x = a.as_array();
    const Value::Array& y = b.as_array();
    const std::size_t common = std::min(x.size(), y.size());
    for (std::size_t i = 0; i < common; ++i) {
      path.push_back(std::to_string(i));
      DiffRec(x[i], y[i], path, out);
      path.pop_back();
    }
    for (std::size_t i = x.size(); i > common; --i) {
      path.push_back(std::to_string(i - 1));
      out.push_back(PatchOp{PatchOpType::kRemove, here(), {}, {}});
      path.pop_back();
    }
    for (std::size_t i = common; i < y.size(); ++i) {
      path.push_back(std::to_string(i));
      out.push_back(PatchOp{PatchOpType::kAdd, here(), {}, y[i]});
      path.pop_back();
    }
    return;
  }
  if (a != b) out.push_back(PatchOp{PatchOpType::kReplace, here(), {}, b});
}

}  // namespace

const char* PatchOpName(PatchOpType op) noexcept {
  switch (op) {
    case PatchOpType::kAdd: return "add";
    case PatchOpType::kRemove: return "remove";
    case PatchOpType::kReplace: return "replace";
    case PatchOpType::kMove: return "move";
    case PatchOpType::kCopy: return "copy";
    case PatchOpType::kTest: return "test";
  }
  return "unknown";
}

Result<Patch> ParsePatch(const Value& patch_json) {
  if (!patch_json.is_array()) {
    SourceLocation loc;
    loc.line = patch_json.line();
    loc.column = patch_json.column();
    return ParseError(std::string("a JSON patch must be an array of operations, got ") + patch_json.type_name(),
                      std::move(loc));
  }
  Patch patch;
  patch.reserve(patch_json.size());
  const Value::Array& ops = patch_json.as_array();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Value& o = ops[i];
    if (!o.is_object()) {
      return PatchParseError(i, nullptr, std::string("must be an object, got ") + o.type_name(), o);
    }
    const Value* name = o.Find("op");
    if (!name) return PatchParseError(i, nullptr, "missing member \"op\"", o);
    if (!name->is_string()) {
      return PatchParseError(i, nullptr, std::string("member \"op\" must be a string, got ") + name->type_name(),
                             *name, "op");
    }
    PatchOp op;
    if (!ParseOpName(name->as_string(), op.op)) {
      return PatchParseError(i, nullptr,
                             "unknown op " + JsonQuote(name->as_string()) +
                                 " (expected add, remove, replace, move, copy or test)",
                             *name, "op");
    }
    const char* op_name = PatchOpName(op.op);
    KFIX_RETURN_IF_ERROR(ParsePointerMember(i, op_name, o, "path", op.path));
    if (op.op == PatchOpType::kMove || op.op == PatchOpType::kCopy) {
      KFIX_RETURN_IF_ERROR(ParsePointerMember(i, op_name, o, "from", op.from));
    }
    if (op.op == PatchOpType::kAdd || op.op == PatchOpType::kReplace || op.op == PatchOpType::kTest) {
      const Value* v = o.Find("value");  // present `null` is a value
      if (!v) return PatchParseError(i, op_name, "missing member \"value\"", o);
      op.value = *v;
    }
    patch.push_back(std::move(op));
  }
  return patch;
}

Result<Patch> ParsePatch(std::string_view patch_json_text) {
  // A repeated member ("op" twice) makes the patch invalid (RFC 6902 A.13).
  ParseOptions options;
  options.strict_duplicate_keys = true;
  Result<Value> v = ParseJson(patch_json_text, options);
  if (!v.ok()) return v.status();
  return ParsePatch(*v);
}

Value PatchToValue(const Patch& patch) {
  Value out = Value::MakeArray();
  out.as_array().reserve(patch.size());
  for (const PatchOp& op : patch) {
    Value o = Value::MakeObject();
    o.Set("op", PatchOpName(op.op));
    o.Set("path", op.path.ToString());
    if (op.op == PatchOpType::kMove || op.op == PatchOpType::kCopy) o.Set("from", op.from.ToString());
    if (op.op == PatchOpType::kAdd || op.op == PatchOpType::kReplace || op.op == PatchOpType::kTest) {
      o.Set("value", op.value);
    }
    out.PushBack(std::move(o));
  }
  return out;
}

std::string PatchToJson(const Patch& patch, JsonStyle style) { return ToJson(PatchToValue(patch), style); }

Status ApplyPatch(Value& doc, const Patch& patch) {
  if (InPlaceIsAtomic(patch)) return ApplyInPlace(doc, patch);
  Value work = doc;  // one copy per call; `doc` is untouched on failure
  KFIX_RETURN_IF_ERROR(ApplyInPlace(work, patch));
  doc = std::move(work);
  return Status();
}

Result<Value> ApplyPatchCopy(const Value& doc, const Patch& patch) {
  Value work = doc;
  KFIX_RETURN_IF_ERROR(ApplyInPlace(work, patch));
  return work;
}

Status internal::ApplyPatchInPlace(Value& doc, const Patch& patch) { return ApplyInPlace(doc, patch); }

Status internal::ApplyPatchUndoable(Value& doc, const Patch& patch, PatchUndo& undo) {
  const std::size_t mark = undo.steps.size();
  Status s = ApplyInPlace(doc, patch, &undo);
  if (!s.ok()) {
    PatchUndo mine;
    mine.steps.assign(std::make_move_iterator(undo.steps.begin() + static_cast<std::ptrdiff_t>(mark)),
                      std::make_move_iterator(undo.steps.end()));
    undo.steps.resize(mark);
    UndoPatch(doc, mine);
  }
  return s;
}

void internal::UndoPatch(Value& doc, PatchUndo& undo) {
  // Each step is reverted on the tree exactly as it was right after that
  // step (every later one is already reverted), so its path resolves.
  for (auto it = undo.steps.rbegin(); it != undo.steps.rend(); ++it) {
    PatchUndo::Step& s = *it;
    Value* v = &doc;
    for (const std::string& token : s.path) {
      if (v->is_object()) {
        v = v->Find(token);
      } else {
        const ArrayIndex idx = ParseArrayIndex(token);
        v = (v->is_array() && idx.kind == ArrayIndex::kIndex && idx.index < v->size()) ? &v->as_array()[idx.index]
                                                                                        : nullptr;
      }
      if (!v) break;
    }
    if (!v) continue;  // unreachable when the precondition holds
    switch (s.kind) {
      case PatchUndo::Kind::kRoot: doc = std::move(s.old.value); break;
      case PatchUndo::Kind::kReplaced: *v = std::move(s.old.value); break;
      case PatchUndo::Kind::kMemberAdded: v->as_object().erase(v->as_object().begin() + static_cast<std::ptrdiff_t>(s.pos)); break;
      case PatchUndo::Kind::kMemberSet: v->as_object()[s.pos].value = std::move(s.old.value); break;
      case PatchUndo::Kind::kMemberRemoved:
        v->as_object().insert(v->as_object().begin() + static_cast<std::ptrdiff_t>(s.pos), std::move(s.old));
        break;
      case PatchUndo::Kind::kElementInserted: v->as_array().erase(v->as_array().begin() + static_cast<std::ptrdiff_t>(s.pos)); break;
      case PatchUndo::Kind::kElementRemoved:
        v->as_array().insert(v->as_array().begin() + static_cast<std::ptrdiff_t>(s.pos), std::move(s.old.value));
        break;
    }
  }
  undo.steps.clear();
}

Patch Diff(const Value& from, const Value& to) {
  Patch out;
  std::vector<std::string> path;
  DiffRec(from, to, path, out);
  return out;
}

namespace {
void MergeInto(Value& target, const Value& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = Value::MakeObject();
  for (const Member& m : patch.as_object()) {
    if (m.value.is_null()) {
      target.Erase(m.key);
      continue;
    }
    Value* existing = target.Find(m.key);
    if (!existing) existing = &target.Set(m.key, Value());
    MergeInto(*existing, m.value);
  }
}
}  // namespace

Value MergePatch(const Value& target, const Value& merge_patch) {
  if (!merge_patch.is_object()) return merge_patch;
  Value result = target;
  MergeInto(result, merge_patch);
  return result;
}

}  // namespace kfix
