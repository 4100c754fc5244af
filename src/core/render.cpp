// RenderPatches: format-preserving write-back (docs/write-back.md).
//
// Each object's patch is applied to its loaded value; the renderer then walks
// the node spans of the original text (render_spans.cpp) alongside the value
// before and after, and turns every difference into the smallest text edit:
// a scalar replaced in place (keeping its quoting where the new value allows),
// a member or item removed with its lines, new members and items inserted
// after their last sibling with the siblings' indentation (flow stays flow,
// JSON stays JSON). Everything between edits is copied byte for byte.
//
// Safety: the result is loaded again and compared with the expected objects.
// If it differs, each edited object is re-emitted whole and checked again;
// if that also differs, the render fails (kInternal) rather than write text
// that means something else.
//
// Thread safety: reentrant.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json_internal.hpp"
#include "core/render_internal.hpp"
#include "core/render_spans.hpp"
#include "core/yaml_internal.hpp"
#include "kfix/core.hpp"

namespace kfix {
namespace {

using internal::SpanDocument;
using internal::SpanKind;
using internal::SpanNode;
using internal::SpanStyle;

constexpr std::size_t kNpos = std::string::npos;

using internal::EditAt;

// A text edit and where it belongs in the span tree (for the local reload
// check): inside node `node`, or new children of the collection `node` at
// its end or before its child `before`.
struct Edit {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string text;
  std::uint32_t doc = 0;
  std::uint32_t node = 0;
  EditAt at = EditAt::kInside;
  std::size_t before = 0;
};

enum class Where { kRoot, kMapValue, kSeqItem, kFlow };

struct Ctx {
  Where where = Where::kRoot;
  std::size_t key_begin = kNpos;  // map value: its key's first byte
  std::size_t colon_end = kNpos;  // map value: one past its ':'
  std::size_t dash = kNpos;       // block sequence item: its '-'
};

// Where the diff is, as a chain of tokens; spelled out (a JSON pointer) only
// for a note or a refusal.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;        // a member's key, or
  std::size_t index = kNpos;   // an item's index
  std::string Str() const {
    if (parent == nullptr) return std::string();
    return parent->Str() + "/" + (index != kNpos ? std::to_string(index) : JsonPointer::EscapeToken(key));
  }
  std::string Shown() const {
    std::string s = Str();
    return s.empty() ? std::string("/") : s;
  }
};

bool HasFlowIndicator(std::string_view s) { return s.find_first_of(",[]{}") != std::string_view::npos; }

bool IsCollection(const Value& v) { return v.is_array() || v.is_object(); }
bool IsNonEmptyCollection(const Value& v) { return IsCollection(v) && v.size() > 0; }

// Renders one object's differences as edits. A Renderer is cheap; one per object.
class Renderer {
 public:
  Renderer(std::string_view text, bool json, const SpanDocument& doc, std::uint32_t doc_index, std::string_view eol)
      : t_(text), json_(json), doc_(doc), doc_index_(doc_index), eol_(eol) {
    style_.indent = doc.indent != 0 ? doc.indent : 2;
    style_.sequence_indent = doc.sequence_indent >= 0 ? static_cast<std::size_t>(doc.sequence_indent) : 0;
    style_.item_offset = doc.item_offset != 0 ? doc.item_offset : 2;
  }

  // False when the object cannot be edited in place (refusal_ or failed_ set).
  // `differ`: the caller already knows b != a (saves comparing again).
  bool Diff(std::uint32_t ni, const Value& b, const Value& a, const Ctx& ctx, const Path& path,
            bool differ = false);
  // Replaces node `ni` by `a` wholesale.
  bool Replace(std::uint32_t ni, const Value& a, const Ctx& ctx);

  std::vector<Edit> edits;
  std::vector<std::string> notes;
  std::string refusal;  // non-empty: the object must not be edited

 private:
  const SpanNode& N(std::uint32_t i) const { return doc_.nodes[i]; }
  std::size_t LineStart(std::size_t p) const {
    while (p > 0 && t_[p - 1] != '\n') --p;
    return p;
  }
  std::size_t LineAfter(std::size_t p) const {
    if (p > 0 && t_[p - 1] == '\n') return p;
    const std::size_t q = t_.find('\n', p);
    return q == kNpos ? t_.size() : q + 1;
  }
  std::size_t Col(std::size_t p) const { return p - LineStart(p); }
  bool OnlySpacesBefore(std::size_t p) const {
    for (std::size_t i = LineStart(p); i < p; ++i) {
      if (t_[i] != ' ') return false;
    }
    return true;
  }
  bool SameLine(std::size_t a, std::size_t b) const {
    return t_.substr(std::min(a, b), (a < b ? b - a : a - b)).find('\n') == std::string_view::npos;
  }
  std::size_t FindColon(std::size_t from, std::size_t to) const {
    for (std::size_t p = from; p < to && p < t_.size(); ++p) {
      if (t_[p] == ':') return p + 1;
      if (t_[p] != ' ' && t_[p] != '\t') return kNpos;
    }
    return kNpos;
  }
  void Add(std::size_t begin, std::size_t end, std::string text) {
    if (eol_ != "\n") {
      std::string fixed;
      for (char c : text) {
        if (c == '\n') {
          fixed += eol_;
        } else {
          fixed.push_back(c);
        }
      }
      text = std::move(fixed);
    }
    edits.push_back(Edit{begin, end, std::move(text), doc_index_, hint_node_, hint_at_, hint_before_});
  }
  // The span node the following Add() calls belong to.
  void Hint(EditAt at, const SpanNode& n, std::size_t before = 0) {
    hint_at_ = at;
    hint_node_ = static_cast<std::uint32_t>(&n - doc_.nodes.data());
    hint_before_ = before;
  }
  Ctx MemberCtx(const SpanNode& map, std::size_t i) const {
    Ctx c;
    if (json_ || map.style == SpanStyle::kFlow) {
      c.where = Where::kFlow;
      return c;
    }
    const SpanNode& key = N(map.kids[2 * i]);
    const SpanNode& val = N(map.kids[2 * i + 1]);
    c.where = Where::kMapValue;
    c.key_begin = key.begin;
    c.colon_end = FindColon(key.end, std::max(val.begin, key.end + 1));
    return c;
  }
  Ctx ItemCtx(const SpanNode& seq, std::size_t i) const {
    Ctx c;
    if (json_ || seq.style == SpanStyle::kFlow) {
      c.where = Where::kFlow;
      return c;
    }
    c.where = Where::kSeqItem;
    if (seq.dashes_known && i < seq.dash.size()) c.dash = seq.dash[i];
    return c;
  }
  std::size_t FindKey(const SpanNode& map, std::string_view key) const {
    for (std::size_t i = 0; i < map.keys.size(); ++i) {
      if (map.keys[i] == key) return i;
    }
    return kNpos;
  }

  bool DiffMap(std::uint32_t ni, const Value& b, const Value& a, const Ctx& ctx, const Path& path);
  bool DiffSeq(std::uint32_t ni, const Value& b, const Value& a, const Ctx& ctx, const Path& path);
  void RemoveChildren(const SpanNode& n, const std::vector<bool>& removed, bool map);
  void InsertMembers(const SpanNode& n, const std::vector<const Member*>& added);
  void InsertItems(const SpanNode& n, std::size_t before, const Value::Array& items, std::size_t from,
                   std::size_t count);

  std::string ScalarText(const Value& v, SpanStyle old, bool flow, const SpanNode* old_node) const;
  std::string KeyText(const std::string& key, bool flow) const;
  std::string FlowText(const Value& v) const;
  void AppendJson(std::string& out, const Value& v, bool pretty, std::size_t indent, std::size_t step) const;
  std::string BlockText(const Value& v, std::size_t indent, bool first_inline) const {
    std::string out;
    internal::AppendYamlBlock(out, v, indent, first_inline, style_);
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  std::string LiteralText(const std::string& s, const SpanNode& old) const;
  // Whether JSON at this node is laid out over several lines, and its step.
  std::size_t JsonStep() const { return doc_.indent != 0 ? doc_.indent : 2; }
  std::size_t LineIndent(std::size_t p) const {
    std::size_t i = LineStart(p);
    std::size_t n = 0;
    while (i + n < t_.size() && t_[i + n] == ' ') ++n;
    return n;
  }

  std::string_view t_;
  bool json_;
  const SpanDocument& doc_;
  std::uint32_t doc_index_;
  std::string_view eol_;
  EditAt hint_at_ = EditAt::kInside;
  std::uint32_t hint_node_ = 0;
  std::size_t hint_before_ = 0;
  internal::YamlBlockStyle style_;
};

// --- Text of new values ----------------------------------------------------------

bool SingleQuotable(std::string_view s) {
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return false;
  }
  return internal::FindInvalidUtf8(s) == std::string_view::npos;
}

bool LiteralFits(std::string_view s) {
  if (s.empty() || s[0] == ' ' || s[0] == '\n' || s[0] == '\t') return false;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && ch != '\n') || c == 0x7F) return false;
  }
  if (s.size() >= 2 && s[s.size() - 1] == '\n' && s[s.size() - 2] == '\n') return false;
  return internal::FindInvalidUtf8(s) == std::string_view::npos;
}

std::string Renderer::LiteralText(const std::string& s, const SpanNode& old) const {
  // Indentation of the old content: its first non-blank line.
  std::size_t p = t_.find('\n', old.begin);
  std::size_t indent = 0;
  while (p != kNpos && p < old.end) {
    std::size_t q = p + 1;
    std::size_t n = 0;
    while (q + n < t_.size() && t_[q + n] == ' ') ++n;
    if (q + n < t_.size() && t_[q + n] != '\n' && t_[q + n] != '\r') {
      indent = n;
      break;
    }
    p = t_.find('\n', q);
  }
  if (indent == 0) indent = LineIndent(old.begin) + style_.indent;
  std::string out = s.back() == '\n' ? "|" : "|-";
  std::size_t i = 0;
  const std::size_t len = s.back() == '\n' ? s.size() - 1 : s.size();
  while (i <= len) {
    std::size_t j = s.find('\n', i);
    if (j == kNpos || j > len) j = len;
    out += '\n';
    if (j > i) {
      out.append(indent, ' ');
      out.append(s, i, j - i);
    }
    i = j + 1;
  }
  return out;
}

std::string Renderer::ScalarText(const Value& v, SpanStyle old, bool flow, const SpanNode* old_node) const {
  std::string out;
  if (json_) {
    AppendJson(out, v, false, 0, 0);
    return out;
  }
  if (!v.is_string()) {
    internal::AppendYamlScalar(out, v);
    return out;
  }
  const std::string& s = v.as_string();
  if (old == SpanStyle::kSingle && SingleQuotable(s)) {
    out.push_back('\'');
    for (char c : s) {
      if (c == '\'') out.push_back('\'');
      out.push_back(c);
    }
    out.push_back('\'');
    return out;
  }
  if ((old == SpanStyle::kLiteral || old == SpanStyle::kFolded) && !flow && old_node && LiteralFits(s)) {
    return LiteralText(s, *old_node);
  }
  if (old != SpanStyle::kDouble && internal::YamlCanBePlain(s) && !(flow && HasFlowIndicator(s))) return s;
  internal::AppendYamlDoubleQuoted(out, s);
  return out;
}

std::string Renderer::KeyText(const std::string& key, bool flow) const {
  std::string out;
  if (json_) {
    internal::AppendJsonString(out, key);
  } else if (key.size() < 1000 && internal::YamlCanBePlain(key) && !(flow && HasFlowIndicator(key))) {
    out = key;
  } else {
    internal::AppendYamlDoubleQuoted(out, key);
  }
  return out;
}

void Renderer::AppendJson(std::string& out, const Value& v, bool pretty, std::size_t indent, std::size_t step) const {
  auto nl = [&](std::size_t n) {
    if (pretty) {
      out += '\n';
      out.append(n, ' ');
    }
  };
  switch (v.type()) {
    case Value::Type::kArray: {
      if (v.size() == 0) {
        out += "[]";
        return;
      }
      out += '[';
      bool first = true;
      for (const Value& e : v.as_array()) {
        if (!first) out += pretty ? "," : ", ";
        first = false;
        nl(indent + step);
        AppendJson(out, e, pretty, indent + step, step);
      }
      nl(indent);
      out += ']';
      return;
    }
    case Value::Type::kObject: {
      if (v.size() == 0) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (const Member& m : v.as_object()) {
        if (!first) out += pretty ? "," : ", ";
        first = false;
        nl(indent + step);
        internal::AppendJsonString(out, m.key);
        out += ": ";
        AppendJson(out, m.value, pretty, indent + step, step);
      }
      nl(indent);
      out += '}';
      return;
    }
    default: out += ToJson(v); return;
  }
}

std::string Renderer::FlowText(const Value& v) const {
  if (json_) {
    std::string out;
    AppendJson(out, v, false, 0, 0);
    return out;
  }
  if (v.is_array()) {
    std::string out = "[";
    bool first = true;
    for (const Value& e : v.as_array()) {
      if (!first) out += ", ";
      first = false;
      out += FlowText(e);
    }
    return out + "]";
  }
  if (v.is_object()) {
    std::string out = "{";
    bool first = true;
    for (const Member& m : v.as_object()) {
      if (!first) out += ", ";
      first = false;
      out += KeyText(m.key, true) + ": " + FlowText(m.value);
    }
    return out + "}";
  }
  return ScalarText(v, SpanStyle::kPlain, true, nullptr);
}

// --- Replacing a node ---------------------------------------------------------------

bool Renderer::Replace(std::uint32_t ni, const Value& a, const Ctx& ctx) {
  const SpanNode& n = N(ni);
  Hint(EditAt::kInside, n);
  if (json_ || ctx.where == Where::kFlow) {
    std::string text;
    if (json_ && !SameLine(n.begin, n.end) && IsNonEmptyCollection(a)) {
      AppendJson(text, a, true, LineIndent(n.begin), JsonStep());
    } else {
      text = FlowText(a);
    }
    Add(n.begin, n.end, std::move(text));
    return true;
  }
  const bool block_collection = n.kind != SpanKind::kScalar && n.kind != SpanKind::kAlias && n.style == SpanStyle::kBlock;
  if (!IsNonEmptyCollection(a)) {
    std::string text = ScalarText(a, n.kind == SpanKind::kScalar ? n.style : SpanStyle::kPlain, false, &n);
    if (block_collection && ctx.where == Where::kMapValue) {
      if (ctx.colon_end == kNpos) return false;
      Add(ctx.colon_end, n.end, " " + text);
    } else if (block_collection && ctx.where == Where::kSeqItem && ctx.dash != kNpos && !SameLine(ctx.dash, n.begin)) {
      Add(ctx.dash + 1, n.end, " " + text);
    } else {
      Add(n.begin, n.end, std::move(text));
    }
    return true;
  }
  switch (ctx.where) {
    case Where::kMapValue: {
      const std::size_t key_col = Col(ctx.key_begin);
      const bool own_line = block_collection && OnlySpacesBefore(n.begin) && !SameLine(ctx.key_begin, n.begin);
      const std::size_t col = Col(n.begin);
      if (own_line && (col > key_col || (col == key_col && a.is_array()))) {
        Add(n.begin, n.end, BlockText(a, col, true));
        return true;
      }
      if (ctx.colon_end == kNpos) return false;
      const std::size_t indent = key_col + (a.is_object() ? style_.indent : style_.sequence_indent);
      Add(ctx.colon_end, n.end, "\n" + BlockText(a, indent, false));
      return true;
    }
    case Where::kSeqItem:
    case Where::kRoot: {
      if (ctx.where == Where::kSeqItem && ctx.dash != kNpos && !SameLine(ctx.dash, n.begin) &&
          !OnlySpacesBefore(n.begin)) {
        return false;
      }
      Add(n.begin, n.end, BlockText(a, Col(n.begin), true));
      return true;
    }
    default: return false;
  }
}

// --- Differences ------------------------------------------------------------------------

bool Renderer::Diff(std::uint32_t ni, const Value& b, const Value& a, const Ctx& ctx, const Path& path,
                    bool differ) {
  if (!differ && b == a) return true;
  const SpanNode& n = N(ni);
  if (n.elided || n.trimmed) return false;  // partly left out of the subtree's parse: the full pass edits it
  if (n.shared) {
    const std::string where = path.Str();
    refusal = "the fix changes " + (where.empty() ? std::string("the object") : where) + ", which carries the anchor &" +
              n.name + " that aliases share; editing it would change every alias too";
    return false;
  }
  if (n.kind == SpanKind::kAlias) {
    notes.push_back(path.Shown() + ": expanded alias *" + n.name + " to edit it");
    return Replace(ni, a, ctx);
  }
  if (n.kind == SpanKind::kMapping && b.is_object() && a.is_object() && a.size() > 0) {
    return DiffMap(ni, b, a, ctx, path);
  }
  if (n.kind == SpanKind::kSequence && b.is_array() && a.is_array() && a.size() > 0) {
    return DiffSeq(ni, b, a, ctx, path);
  }
  return Replace(ni, a, ctx);
}

bool Renderer::DiffMap(std::uint32_t ni, const Value& b, const Value& a, const Ctx& ctx, const Path& path) {
  const SpanNode& n = N(ni);
  const std::size_t members = n.keys.size();
  auto whole = [&](const char* why) {
    notes.push_back(path.Shown() + ": re-emitted the mapping (" + why + ")");
    return Replace(ni, a, ctx);
  };
  if (n.odd_keys) return whole("it has tagged, alias or duplicate keys");
  // Plan first, so that a whole-node fallback never overlaps child edits.
  std::vector<bool> removed(members, false);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < members; ++i) {
    if (n.keys[i] == "<<") continue;
    const Value* bv = b.Find(n.keys[i]);
    if (bv == nullptr) return whole("its text and its value disagree");
    if (a.Find(n.keys[i]) == nullptr) {
      if (n.has_merge) return whole("a member is removed next to a merge key");
      if (N(n.kids[2 * i + 1]).elided) return false;  // its end is not known: the full pass removes it
      removed[i] = true;
    } else {
      ++kept;
    }
  }
  std::vector<const Member*> added;
  for (const Member& m : a.as_object()) {
    if (FindKey(n, m.key) != kNpos && m.key != "<<") continue;
    const Value* bv = b.Find(m.key);
    if (bv == nullptr || *bv != m.value) added.push_back(&m);
  }
  for (const Member& m : b.as_object()) {
    if (FindKey(n, m.key) == kNpos && a.Find(m.key) == nullptr) return whole("a merged member is removed");
  }
  if (kept == 0 && members > 0 && !n.has_merge) return Replace(ni, a, ctx);
  if (n.style == SpanStyle::kBlock && !json_ && members > 0 && !OnlySpacesBefore(N(n.kids[0]).begin) && removed[0]) {
    // The first key follows "- " or "? ": removing it needs the next kept key on its line.
    bool next_kept = members > 1 && !removed[1];
    if (!next_kept) return whole("its first member and the next are removed");
  }
  for (std::size_t i = 0; i < members; ++i) {
    if (removed[i] || n.keys[i] == "<<") continue;
    const Value& bv = *b.Find(n.keys[i]);
    const Value& av = *a.Find(n.keys[i]);
    if (bv == av) continue;
    if (!Diff(n.kids[2 * i + 1], bv, av, MemberCtx(n, i), Path{&path, n.keys[i]}, true)) {
      return false;
    }
  }
  RemoveChildren(n, removed, true);
  if (!added.empty()) InsertMembers(n, added);
  return true;
}

bool Renderer::DiffSeq(std::uint32_t ni, const Value& b, const Value& a, const Ctx& ctx, const Path& path) {
  const SpanNode& n = N(ni);
  const Value::Array& ba = b.as_array();
  const Value::Array& aa = a.as_array();
  if (n.kids.size() != ba.size()) return Replace(ni, a, ctx);
  const std::size_t nb = ba.size(), na = aa.size();
  std::size_t p = 0;
  while (p < nb && p < na && ba[p] == aa[p]) ++p;
  std::size_t s = 0;
  while (s < nb - p && s < na - p && ba[nb - 1 - s] == aa[na - 1 - s]) ++s;
  const std::size_t mid_b = nb - p - s, mid_a = na - p - s;
  const std::size_t pair = std::min(mid_b, mid_a);
  const bool block = n.style == SpanStyle::kBlock && !json_;
  if (mid_b != mid_a && block && !n.dashes_known) {
    notes.push_back(path.Shown() + ": re-emitted the sequence (its dashes were not found)");
    return Replace(ni, a, ctx);
  }
  if (mid_b > mid_a && block) {
    for (std::size_t i = p + pair; i < p + mid_b; ++i) {
      if (!OnlySpacesBefore(n.dash[i])) {
        notes.push_back(path.Shown() + ": re-emitted the sequence (nested inline item)");
        return Replace(ni, a, ctx);
      }
    }
  }
  for (std::size_t k = 0; k < pair; ++k) {
    const std::size_t i = p + k;
    if (!Diff(n.kids[i], ba[i], aa[i], ItemCtx(n, i), Path{&path, {}, i})) return false;
  }
  if (mid_b > mid_a) {
    std::vector<bool> removed(nb, false);
    for (std::size_t i = p + pair; i < p + mid_b; ++i) removed[i] = true;
    RemoveChildren(n, removed, false);
  } else if (mid_a > mid_b) {
    InsertItems(n, p + pair, aa, p + pair, mid_a - mid_b);
  }
  return true;
}

void Renderer::RemoveChildren(const SpanNode& n, const std::vector<bool>& removed, bool map) {
  const std::size_t count = removed.size();
  auto first_of = [&](std::size_t i) { return map ? N(n.kids[2 * i]).begin : N(n.kids[i]).begin; };
  auto end_of = [&](std::size_t i) {
    return map ? std::max(N(n.kids[2 * i]).end, N(n.kids[2 * i + 1]).end) : N(n.kids[i]).end;
  };
  std::size_t first_kept = 0;
  while (first_kept < count && removed[first_kept]) ++first_kept;
  Hint(EditAt::kInside, n);
  if (n.style == SpanStyle::kFlow || json_) {
    for (std::size_t i = 0; i < count; ++i) {
      if (!removed[i]) continue;
      if (i < first_kept) {
        if (i == 0 && first_kept < count) Add(first_of(0), first_of(first_kept), "");
        continue;
      }
      Add(end_of(i - 1), end_of(i), "");
    }
    return;
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (!removed[i]) continue;
    const std::size_t start = map ? first_of(i) : n.dash[i];
    if (OnlySpacesBefore(start)) {
      Add(LineStart(start), LineAfter(end_of(i)), "");
    } else if (i == 0 && first_kept < count) {
      Add(first_of(0), first_of(first_kept), "");
    }
  }
}

void Renderer::InsertMembers(const SpanNode& n, const std::vector<const Member*>& added) {
  Hint(EditAt::kInside, n);
  if (json_ || n.style == SpanStyle::kFlow) {
    std::string text;
    if (n.kids.empty()) {
      std::size_t p = n.begin;
      while (p < n.end && t_[p] != '{') ++p;
      for (const Member* m : added) {
        if (!text.empty()) text += ", ";
        text += KeyText(m->key, true) + ": " + FlowText(m->value);
      }
      Add(p + 1, p + 1, std::move(text));
      return;
    }
    const SpanNode& last_key = N(n.kids[n.kids.size() - 2]);
    const SpanNode& last_val = N(n.kids.back());
    const bool multiline = json_ && OnlySpacesBefore(last_key.begin);
    const std::size_t col = Col(last_key.begin);
    for (const Member* m : added) {
      if (multiline) {
        text += ",\n" + std::string(col, ' ') + KeyText(m->key, true) + ": ";
        AppendJson(text, m->value, true, col, JsonStep());
      } else {
        text += ", " + KeyText(m->key, true) + ": " + FlowText(m->value);
      }
    }
    Add(last_val.end, last_val.end, std::move(text));
    return;
  }
  const std::size_t key_col = Col(N(n.kids[0]).begin);
  Hint(EditAt::kEnd, n);
  std::string text;
  for (const Member* m : added) {
    text.append(key_col, ' ');
    text += KeyText(m->key, false) + ":";
    if (IsNonEmptyCollection(m->value)) {
      text += "\n" + BlockText(m->value, key_col + (m->value.is_object() ? style_.indent : style_.sequence_indent), false);
    } else {
      text += " " + ScalarText(m->value, SpanStyle::kPlain, false, nullptr);
    }
    text += "\n";
  }
  const std::size_t pos = LineAfter(n.end);
  if (pos == t_.size() && (t_.empty() || t_.back() != '\n')) {
    text.pop_back();
    text.insert(0, "\n");
  }
  Add(pos, pos, std::move(text));
}

void Renderer::InsertItems(const SpanNode& n, std::size_t before, const Value::Array& items, std::size_t from,
                           std::size_t count) {
  Hint(EditAt::kInside, n);
  if (json_ || n.style == SpanStyle::kFlow) {
    std::string text;
    const bool at_end = before >= n.kids.size();
    const bool multiline = json_ && !n.kids.empty() && OnlySpacesBefore(N(n.kids[0]).begin);
    const std::size_t col = n.kids.empty() ? 0 : Col(N(n.kids[0]).begin);
    for (std::size_t k = 0; k < count; ++k) {
      const Value& v = items[from + k];
      std::string one;
      if (multiline) {
        AppendJson(one, v, true, col, JsonStep());
      } else {
        one = FlowText(v);
      }
      if (n.kids.empty()) {
        if (!text.empty()) text += ", ";
        text += one;
      } else if (at_end) {
        text += multiline ? ",\n" + std::string(col, ' ') + one : ", " + one;
      } else {
        text += one + (multiline ? ",\n" + std::string(col, ' ') : std::string(", "));
      }
    }
    if (n.kids.empty()) {
      std::size_t p = n.begin;
      while (p < n.end && t_[p] != '[') ++p;
      Add(p + 1, p + 1, std::move(text));
    } else if (at_end) {
      Add(N(n.kids.back()).end, N(n.kids.back()).end, std::move(text));
    } else {
      const std::size_t p = N(n.kids[before]).begin;
      Add(p, p, std::move(text));
    }
    return;
  }
  const std::size_t dash_col = Col(n.dash[0]);
  if (before < n.kids.size()) {
    Hint(EditAt::kBefore, n, before);
  } else {
    Hint(EditAt::kEnd, n);
  }
  std::string text;
  for (std::size_t k = 0; k < count; ++k) {
    text.append(dash_col, ' ');
    text += '-';
    text.append(style_.item_offset - 1, ' ');
    const Value& v = items[from + k];
    if (IsNonEmptyCollection(v)) {
      text += BlockText(v, dash_col + style_.item_offset, true);
    } else {
      text += ScalarText(v, SpanStyle::kPlain, false, nullptr);
    }
    text += "\n";
  }
  std::size_t pos;
  if (before < n.kids.size()) {
    pos = LineStart(n.dash[before]);
  } else {
    pos = LineAfter(n.end);
    if (pos == t_.size() && (t_.empty() || t_.back() != '\n')) {
      text.pop_back();
      text.insert(0, "\n");
    }
  }
  Add(pos, pos, std::move(text));
}

// --- The file --------------------------------------------------------------------------------

struct Target {
  std::int32_t document = 0;
  std::int32_t item = -1;
  std::size_t manifest = 0;  // index into the loaded manifests
  Value after;
};

bool StartsJson(std::string_view text) {
  std::size_t i = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  return i < text.size() && (text[i] == '{' || text[i] == '[');
}

// The span node of one object and the context it sits in; false if not found.
bool LocateObject(std::string_view text, const SpanDocument& doc, std::int32_t item, bool json, std::uint32_t& node,
                  Ctx& ctx) {
  if (doc.root < 0) return false;
  const SpanNode& root = doc.nodes[static_cast<std::size_t>(doc.root)];
  if (item < 0) {
    node = static_cast<std::uint32_t>(doc.root);
    ctx = Ctx{};
    return true;
  }
  const SpanNode* seq = nullptr;
  if (root.kind == SpanKind::kSequence) {
    seq = &root;
  } else if (root.kind == SpanKind::kMapping && !root.odd_keys) {
    for (std::size_t i = 0; i < root.keys.size(); ++i) {
      if (root.keys[i] == "items") seq = &doc.nodes[root.kids[2 * i + 1]];
    }
  }
  if (seq == nullptr || seq->kind != SpanKind::kSequence || static_cast<std::size_t>(item) >= seq->kids.size()) {
    return false;
  }
  node = seq->kids[static_cast<std::size_t>(item)];
  ctx = Ctx{};
  if (json || seq->style == SpanStyle::kFlow) {
    ctx.where = Where::kFlow;
  } else {
    ctx.where = Where::kSeqItem;
    if (!seq->dashes_known) return false;
    ctx.dash = seq->dash[static_cast<std::size_t>(item)];
  }
  (void)text;
  return true;
}

// Applies sorted, disjoint edits; false if two overlap.
bool ApplyEdits(std::string_view text, std::vector<Edit>& edits, std::string& out,
                std::vector<std::pair<std::size_t, std::size_t>>& replaced) {
  std::stable_sort(edits.begin(), edits.end(), [](const Edit& x, const Edit& y) {
    if (x.begin != y.begin) return x.begin < y.begin;
    return (x.begin == x.end) && !(y.begin == y.end);  // insertions before a replacement at the same byte
  });
  out.clear();
  out.reserve(text.size() + 256);
  replaced.clear();
  std::size_t cursor = 0;
  for (const Edit& e : edits) {
    if (e.begin < cursor || e.end < e.begin || e.end > text.size()) return false;
    out.append(text.substr(cursor, e.begin - cursor));
    out += e.text;
    if (e.end > e.begin) {
      if (!replaced.empty() && replaced.back().second == e.begin) {
        replaced.back().second = e.end;
      } else {
        replaced.emplace_back(e.begin, e.end);
      }
    }
    cursor = e.end;
  }
  out.append(text.substr(cursor));
  return true;
}

// True when `text` loads to exactly `expected` (same numbering, same values).
bool Reproduces(std::string_view text, std::string_view file, const ParseOptions& options,
                const std::vector<const Manifest*>& originals, const std::vector<const Value*>& expected) {
  LoadResult r = LoadManifests(text, file, options);
  if (!r.errors.empty() || r.manifests.size() != originals.size()) return false;
  for (std::size_t i = 0; i < originals.size(); ++i) {
    const Manifest& m = r.manifests[i];
    if (m.document != originals[i]->document || m.item != originals[i]->item || m.root != *expected[i]) return false;
  }
  return true;
}

// --- The reload check, locally ----------------------------------------------------------
//
// The render must load to the expected objects. Loading the whole new text
// again proves it but costs a full parse per file; LocalCheck proves the same
// by parsing only the text that changed, and answers false (the caller then
// loads the whole text) whenever its conditions do not hold.
//
// Each edit is widened to a region: the whole lines of a run of children
// [i0, i1) of a block collection A (for new children: an empty run at the
// insertion point), plus the blank and comment lines after it. Outside the
// regions the new text is the original byte for byte. The region's new text is
// parsed on its own under a skeleton of A's ancestors ("k:" for a mapping,
// "-" for a sequence, each at the original's column), which puts libyaml in
// the state it has at the region's first line in the whole text: the same open
// block collections at the same columns, at a line start, outside any flow
// collection or scalar. The region cannot read or change anything outside it:
//   * it starts at a line start right after a complete child of A (or A's own
//     key line) and its first content line is at A's column, so the text before
//     it ends exactly as in the original; a region that starts with blank or
//     comment lines also takes the child before it (a `|+` scalar there would
//     take those lines);
//   * every content line of the region is at A's column or deeper, so it closes
//     nothing above A, and the next content line after it is at A's column or
//     less, so whatever the region leaves open (a plain or block scalar, a
//     nested collection) ends there as it ends at the end of the region's own
//     text; unclosed quotes or brackets are a parse error;
//   * the document has no anchors, aliases or directives (a region could
//     define or use what the rest of the text refers to).
// The loaded object is then the original object with each region's children
// in place of [i0, i1), compared in order (the whole-text check compares
// members in any order, so this is only stricter). Limits: the new text's
// nodes are at most the original's plus the regions', all below the limits.

struct Region {
  std::uint32_t doc = 0;
  std::uint32_t node = 0;          // A, a block mapping or sequence
  std::size_t i0 = 0, i1 = 0;      // its children replaced by the region's text
  std::size_t begin = 0, end = 0;  // original bytes (line starts)
  std::ptrdiff_t delta = 0;        // size change of the edits inside
  std::uint32_t object = 0;        // the object's node (A or above it)
  std::int64_t next_col = -1;      // column of the first content line after the region, -1: none
  Value parsed;                    // A as the region's text loads (null: no content)
  // Children the region's text adds to A's ancestors (lines at their column
  // after A's): per ancestor, its child that holds A and the new children.
  struct Spill {
    std::uint32_t node = 0;
    std::size_t after = 0;
    Value children;
  };
  std::vector<Spill> spill;
};

struct CheckTarget {
  std::uint32_t doc = 0;
  std::uint32_t node = 0;  // the object's span node
  bool item = false;       // a `kind: List` item
  const Value* before = nullptr;
  const Value* after = nullptr;
  bool part = false;  // `node` is a collection inside the object, the rest of which is unchanged
};

class LocalCheck {
 public:
  LocalCheck(std::string_view original, std::string_view text, const std::vector<SpanDocument>& docs,
             const ParseOptions& options, std::string_view file)
      : o_(original), r_(text), docs_(docs), options_(options), file_(file) {}

  bool Run(const std::vector<Edit>& edits, const std::vector<CheckTarget>& targets);

 private:
  struct Line {
    bool content = false;  // not blank, not a comment
    std::size_t col = 0;   // spaces before the first character
    bool tab = false;      // the first non-space character is a tab
  };
  static Line LineAt(std::string_view t, std::size_t p) {
    Line l;
    std::size_t q = p;
    while (q < t.size() && t[q] == ' ') ++q;
    l.col = q - p;
    if (q >= t.size() || t[q] == '\n' || t[q] == '\r' || t[q] == '#') return l;
    l.content = true;
    l.tab = t[q] == '\t';
    return l;
  }
  static std::size_t NextLine(std::string_view t, std::size_t p) {
    const std::size_t q = t.find('\n', p);
    return q == kNpos ? t.size() : q + 1;
  }
  std::size_t LineStart(std::size_t p) const {
    while (p > 0 && o_[p - 1] != '\n') --p;
    return p;
  }
  const SpanNode& N(std::uint32_t doc, std::uint32_t i) const { return docs_[doc].nodes[i]; }
  const std::vector<std::int32_t>& Parents(std::uint32_t doc);
  bool Suitable(std::uint32_t doc, std::uint32_t x) const {
    const SpanNode& n = N(doc, x);
    if (n.style != SpanStyle::kBlock || n.kids.empty()) return false;
    if (n.kind == SpanKind::kMapping) return !n.odd_keys && !n.has_merge;
    return n.kind == SpanKind::kSequence && n.dashes_known;
  }
  static std::size_t Count(const SpanNode& n) { return n.kind == SpanKind::kMapping ? n.kids.size() / 2 : n.kids.size(); }
  std::size_t First(std::uint32_t doc, const SpanNode& n, std::size_t k) const {
    return n.kind == SpanKind::kMapping ? N(doc, n.kids[2 * k]).begin : n.dash[k];
  }
  std::size_t Last(std::uint32_t doc, const SpanNode& n, std::size_t k) const {
    return n.kind == SpanKind::kMapping ? std::max(N(doc, n.kids[2 * k]).end, N(doc, n.kids[2 * k + 1]).end)
                                        : N(doc, n.kids[k]).end;
  }
  // Whole lines of child k: [*s, *e); false unless it starts its line and
  // only a comment follows it on its last line.
  bool ChildLines(std::uint32_t doc, const SpanNode& n, std::size_t k, std::size_t* s, std::size_t* e) const {
    if (n.kind == SpanKind::kMapping && N(doc, n.kids[2 * k + 1]).elided) return false;  // its end is not known
    const std::size_t first = First(doc, n, k);
    *s = LineStart(first);
    for (std::size_t p = *s; p < first; ++p) {
      if (o_[p] != ' ') return false;
    }
    std::size_t p = Last(doc, n, k);
    while (p < o_.size() && (o_[p] == ' ' || o_[p] == '\t' || o_[p] == '\r')) ++p;
    if (p < o_.size() && o_[p] != '\n' && o_[p] != '#') return false;
    *e = NextLine(o_, p);
    return true;
  }
  // The column of a collection's keys or dashes (only spaces and dashes before).
  bool Column(std::uint32_t doc, std::uint32_t x, std::size_t* col) const {
    const SpanNode& n = N(doc, x);
    const std::size_t p = First(doc, n, 0);
    const std::size_t s = LineStart(p);
    for (std::size_t q = s; q < p; ++q) {
      if (o_[q] != ' ' && o_[q] != '-') return false;
    }
    *col = p - s;
    return true;
  }
  bool RegionFor(const Edit& e, std::uint32_t object, Region* out);
  bool Close(Region& g);
  bool Merge(Region& a, Region& b);
  bool Load(Region& g);
  bool Same(std::uint32_t doc, std::uint32_t x, const Value& before, const Value& after);

  std::string_view o_, r_;
  const std::vector<SpanDocument>& docs_;
  const ParseOptions& options_;
  std::string_view file_;
  std::map<std::uint32_t, std::vector<std::int32_t>> parents_;
  std::vector<Region> regions_;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::size_t>> at_;  // (doc, A) -> regions
  std::map<std::uint32_t, std::vector<bool>> on_path_;                                // doc -> A or above
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<const Region::Spill*>> spills_;
  std::size_t nodes_ = 0;
};

const std::vector<std::int32_t>& LocalCheck::Parents(std::uint32_t doc) {
  auto it = parents_.find(doc);
  if (it != parents_.end()) return it->second;
  std::vector<std::int32_t>& p = parents_[doc];
  const SpanDocument& d = docs_[doc];
  p.assign(d.nodes.size(), -1);
  for (std::size_t i = 0; i < d.nodes.size(); ++i) {
    for (std::uint32_t k : d.nodes[i].kids) p[k] = static_cast<std::int32_t>(i);
  }
  return p;
}

bool LocalCheck::RegionFor(const Edit& e, std::uint32_t object, Region* g) {
  const std::uint32_t doc = e.doc;
  g->doc = doc;
  g->delta = static_cast<std::ptrdiff_t>(e.text.size()) - static_cast<std::ptrdiff_t>(e.end - e.begin);
  const bool line_start = e.begin == 0 || o_[e.begin - 1] == '\n';
  if (e.at != EditAt::kInside && e.begin == e.end && line_start && Suitable(doc, e.node)) {
    const SpanNode& n = N(doc, e.node);
    const std::size_t k = e.at == EditAt::kEnd ? Count(n) : e.before;
    std::size_t s = 0, end = 0;
    const std::size_t probe = e.at == EditAt::kEnd ? k - 1 : k;
    if (probe < Count(n) && ChildLines(doc, n, probe, &s, &end) && e.begin == (e.at == EditAt::kEnd ? end : s)) {
      g->node = e.node;
      g->i0 = g->i1 = k;
      g->begin = g->end = e.begin;
      return true;
    }
  }
  const std::vector<std::int32_t>& parent = Parents(doc);
  std::int64_t y = e.node;
  while (y >= 0) {
    const auto x = static_cast<std::uint32_t>(y);
    if (Suitable(doc, x)) {
      const SpanNode& n = N(doc, x);
      for (std::size_t k = 0; k < Count(n); ++k) {
        std::size_t s = 0, end = 0;
        if (!ChildLines(doc, n, k, &s, &end)) continue;
        if (s <= e.begin && e.end <= end && e.begin < end) {
          std::size_t k0 = k;
          if (e.begin == s && k > 0) {  // whole lines: take the child before too
            std::size_t s0 = 0, end0 = 0;
            // Not on lines of its own (a first key after `- `): a child of an ancestor holds both.
            if (!ChildLines(doc, n, k - 1, &s0, &end0)) break;
            k0 = k - 1;
            s = s0;
          }
          g->node = x;
          g->i0 = k0;
          g->i1 = k + 1;
          g->begin = s;
          g->end = end;
          return true;
        }
      }
    }
    if (x == object) return false;
    y = parent[x];
  }
  return false;
}

// Takes in the blank and comment lines after the region; the next content
// line must be at A's column or less.
bool LocalCheck::Close(Region& g) {
  std::size_t col = 0;
  if (!Column(g.doc, g.node, &col)) return false;
  while (g.end < o_.size() && !LineAt(o_, g.end).content) g.end = NextLine(o_, g.end);
  g.next_col = -1;
  if (g.end < o_.size()) {
    const Line l = LineAt(o_, g.end);
    if (l.tab || l.col > col) return false;
    g.next_col = static_cast<std::int64_t>(l.col);
  }
  return true;
}

// `a` grows to cover `b` too: the same collection's children, or the children
// of the two regions' lowest common collection that hold them.
bool LocalCheck::Merge(Region& a, Region& b) {
  if (a.doc != b.doc) return false;
  if (a.node != b.node) {
    const std::vector<std::int32_t>& parent = Parents(a.doc);
    // New children at the end of a collection and of one of its ancestors, at
    // one place: one region at the deeper one, whose text goes on at the
    // ancestor's column (Load takes those lines as the ancestor's children).
    auto inside = [&](std::uint32_t x, std::uint32_t up) {
      for (std::int64_t y = x; y >= 0; y = parent[static_cast<std::size_t>(y)]) {
        if (y == static_cast<std::int64_t>(up)) return true;
      }
      return false;
    };
    auto at_end = [](const Region& g) { return g.i0 == g.i1 && g.begin == g.end; };
    if (at_end(a) && a.begin == b.begin && a.node != b.node && inside(b.node, a.node)) std::swap(a, b);
    if (at_end(b) && b.begin >= a.begin && inside(a.node, b.node)) {
      a.end = std::max(a.end, b.end);
      a.delta += b.delta;
      if (b.next_col >= 0 && (a.next_col < 0 || b.next_col < a.next_col)) a.next_col = b.next_col;
      return true;
    }
    std::vector<bool> above(parent.size(), false);
    for (std::int64_t y = a.node; y >= 0; y = parent[static_cast<std::size_t>(y)]) above[static_cast<std::size_t>(y)] = true;
    std::int64_t l = b.node;
    while (l >= 0 && !above[static_cast<std::size_t>(l)]) l = parent[static_cast<std::size_t>(l)];
    if (l < 0 || !Suitable(a.doc, static_cast<std::uint32_t>(l))) return false;
    const auto lca = static_cast<std::uint32_t>(l);
    const SpanNode& n = N(a.doc, lca);
    // The run of children of the common collection that a region covers.
    auto run = [&](const Region& g, std::size_t* i0, std::size_t* i1) {
      if (g.node == lca) {
        *i0 = g.i0;
        *i1 = g.i1;
        return true;
      }
      std::int64_t c = g.node;
      while (parent[static_cast<std::size_t>(c)] != static_cast<std::int64_t>(lca)) c = parent[static_cast<std::size_t>(c)];
      const auto it = std::find(n.kids.begin(), n.kids.end(), static_cast<std::uint32_t>(c));
      const auto pos = static_cast<std::size_t>(it - n.kids.begin());
      if (n.kind == SpanKind::kMapping && pos % 2 != 1) return false;
      *i0 = n.kind == SpanKind::kMapping ? pos / 2 : pos;
      *i1 = *i0 + 1;
      return true;
    };
    std::size_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
    if (!run(a, &a0, &a1) || !run(b, &b0, &b1)) return false;
    const std::size_t i0 = std::min(a0, b0), i1 = std::max(a1, b1);
    std::size_t s = 0, e = 0, s1 = 0, e1 = 0;
    if (i0 >= i1 || i1 > Count(n) || !ChildLines(a.doc, n, i0, &s, &e) || !ChildLines(a.doc, n, i1 - 1, &s1, &e1)) {
      return false;
    }
    const std::size_t end = std::max({a.end, b.end, e1});
    a.node = lca;
    a.i0 = i0;
    a.i1 = i1;
    a.begin = std::min({s, a.begin, b.begin});
    a.end = end;
    a.delta += b.delta;
    return Close(a);
  }
  a.i0 = std::min(a.i0, b.i0);
  a.i1 = std::max(a.i1, b.i1);
  a.begin = std::min(a.begin, b.begin);
  a.end = std::max(a.end, b.end);
  a.delta += b.delta;
  return true;
}

// `text` with `col` spaces taken off the front of each line (all of them on
// a line of spaces only); false when a line that is not only spaces has
// fewer, or would then start with `---`, `...` or `%`.
bool Dedent(std::string_view text, std::size_t col, std::string* out) {
  out->clear();
  out->reserve(text.size());
  for (std::size_t p = 0; p < text.size();) {
    const std::size_t nl = text.find('\n', p);
    const std::size_t e = nl == kNpos ? text.size() : nl + 1;
    std::size_t q = p;
    while (q < e && text[q] == ' ') ++q;
    const bool blank = q == e || text[q] == '\n' || (text[q] == '\r' && q + 1 < e && text[q + 1] == '\n');
    if (!blank) {
      if (q - p < col) return false;
      const std::string_view rest = text.substr(p + col, 3);
      if (rest == "---" || rest == "..." || rest.substr(0, 1) == "%") return false;
    }
    out->append(text.substr(std::min(p + col, q), e - std::min(p + col, q)));
    p = e;
  }
  return true;
}

bool LocalCheck::Load(Region& g) {
  std::size_t col = 0;
  if (!Column(g.doc, g.node, &col)) return false;
  // The region's new text: its first content line at A's column; the next
  // content line after it at the column of its least indented line or less.
  const std::string_view text = r_.substr(g.begin, g.end - g.begin);  // g.begin/g.end are in the new text here
  bool any = false, first = true;
  std::size_t min_col = col;
  for (std::size_t p = 0; p < text.size(); p = NextLine(text, p)) {
    const Line l = LineAt(text, p);
    if (!l.content) {
      if (first && g.i0 > 0) return false;  // leading blank or comment lines after a child
      first = false;
      continue;
    }
    if (l.tab || (!any && l.col != col)) return false;
    min_col = std::min(min_col, l.col);
    any = true;
    first = false;
  }
  if (g.next_col > static_cast<std::int64_t>(min_col)) return false;
  if (!any) return true;
  // The skeleton: A's ancestors, outermost first.
  std::vector<std::uint32_t> chain;
  const std::vector<std::int32_t>& parent = Parents(g.doc);
  for (std::int32_t y = parent[g.node]; y >= 0; y = parent[static_cast<std::uint32_t>(y)]) {
    chain.push_back(static_cast<std::uint32_t>(y));
  }
  std::reverse(chain.begin(), chain.end());
  std::string src;
  for (std::size_t j = 0; j < chain.size(); ++j) {
    const std::uint32_t x = chain[j];
    const std::uint32_t child = j + 1 < chain.size() ? chain[j + 1] : g.node;
    std::size_t c = 0, cc = 0;
    if (!Suitable(g.doc, x) || !Column(g.doc, x, &c) || !Column(g.doc, child, &cc)) return false;
    const SpanNode& n = N(g.doc, x);
    const bool child_seq = N(g.doc, child).kind == SpanKind::kSequence;
    if (n.kind == SpanKind::kMapping) {
      const auto it = std::find(n.kids.begin(), n.kids.end(), child);
      if (it == n.kids.end() || (it - n.kids.begin()) % 2 != 1) return false;  // a value, not a key
      if (cc < c || (cc == c && !child_seq)) return false;
      src.append(c, ' ');
      src += "k:\n";
    } else {
      if (cc <= c) return false;
      src.append(c, ' ');
      src += "-\n";
    }
  }
  // No line of the region left of A's column (nothing for A's ancestors): its
  // lines moved left by that column load on their own as A's children load in
  // the skeleton, and so in the file (a block structure depends on the columns
  // of its lines relative to each other only). Not when a moved line would
  // start with `---`, `...` or `%` (a document marker or a directive at column
  // 0), or a comment line is left of A's column (kept where it is).
  std::string moved;
  const bool alone = min_col == col && Dedent(text, col, &moved);
  if (alone) {
    src = std::move(moved);
  } else {
    src.append(text);
  }
  ParseOptions po = options_;
  po.expand_lists = false;
  po.require_objects = false;
  LoadResult r = LoadYaml(src, file_, po);
  if (!r.errors.empty() || r.manifests.size() != 1) return false;
  nodes_ += r.nodes;
  Value* v = &r.manifests[0].root;
  if (alone) chain.clear();
  bool in_object = false;
  for (std::size_t j = 0; j < chain.size(); ++j) {
    const std::uint32_t x = chain[j];
    const SpanNode& n = N(g.doc, x);
    in_object = in_object || x == g.object;
    Value rest;  // what follows the skeleton's own child: the region's lines at x's column
    if (n.kind == SpanKind::kMapping) {
      if (!v->is_object() || v->size() < 1 || v->as_object()[0].key != "k") return false;
      if (v->size() > 1) rest = Value(Value::Object(std::make_move_iterator(v->as_object().begin() + 1),
                                                    std::make_move_iterator(v->as_object().end())));
      v = &v->as_object()[0].value;
    } else {
      if (!v->is_array() || v->size() < 1) return false;
      if (v->size() > 1) rest = Value(Value::Array(std::make_move_iterator(v->as_array().begin() + 1),
                                                   std::make_move_iterator(v->as_array().end())));
      v = &v->as_array()[0];
    }
    if (!rest.is_null()) {
      if (!in_object) return false;  // outside the object
      const std::uint32_t child = j + 1 < chain.size() ? chain[j + 1] : g.node;
      const auto pos = static_cast<std::size_t>(std::find(n.kids.begin(), n.kids.end(), child) - n.kids.begin());
      g.spill.push_back(Region::Spill{x, n.kind == SpanKind::kMapping ? pos / 2 : pos, std::move(rest)});
    }
  }
  const bool map = N(g.doc, g.node).kind == SpanKind::kMapping;
  if (map ? !v->is_object() : !v->is_array()) return false;
  g.parsed = std::move(*v);
  return true;
}

bool LocalCheck::Same(std::uint32_t doc, std::uint32_t x, const Value& before, const Value& after) {
  const std::vector<bool>& path = on_path_[doc];
  if (!path[x]) return before == after;
  const SpanNode& n = N(doc, x);
  static const std::vector<std::size_t> kNone;
  auto it = at_.find({doc, x});
  const std::vector<std::size_t>& here = it == at_.end() ? kNone : it->second;
  const bool map = n.kind == SpanKind::kMapping;
  if (map ? !before.is_object() || !after.is_object() : !before.is_array() || !after.is_array()) return false;
  if (before.size() != Count(n)) return false;
  std::size_t ai = 0, ri = 0;
  const std::size_t count = Count(n);
  auto take = [&](const Value& kids) {  // children loaded from a region's text
    if (kids.is_null()) return true;
    if (map) {
      for (const Member& m : kids.as_object()) {
        if (ai >= after.size() || after.as_object()[ai].key != m.key || after.as_object()[ai].value != m.value) {
          return false;
        }
        ++ai;
      }
    } else {
      for (const Value& v : kids.as_array()) {
        if (ai >= after.size() || after.as_array()[ai] != v) return false;
        ++ai;
      }
    }
    return true;
  };
  static const std::vector<const Region::Spill*> kNoSpill;
  auto sp = spills_.find({doc, x});
  const std::vector<const Region::Spill*>& spills = sp == spills_.end() ? kNoSpill : sp->second;
  std::size_t k = 0;
  while (k < count || ri < here.size()) {
    if (ri < here.size() && regions_[here[ri]].i0 <= k) {
      const Region& g = regions_[here[ri++]];
      if (!take(g.parsed)) return false;
      k = std::max(k, g.i1);
      continue;
    }
    if (k >= count) return false;
    if (ai >= after.size()) return false;
    if (map) {
      const Member& b = before.as_object()[k];
      const Member& a = after.as_object()[ai];
      if (b.key != n.keys[k] || a.key != b.key || !Same(doc, n.kids[2 * k + 1], b.value, a.value)) return false;
    } else if (!Same(doc, n.kids[k], before.as_array()[k], after.as_array()[ai])) {
      return false;
    }
    ++ai;
    for (const Region::Spill* s : spills) {
      if (s->after == k && !take(s->children)) return false;
    }
    ++k;
  }
  if (ai != after.size()) return false;
  if (map && (!here.empty() || !spills.empty())) {  // the whole text must not repeat a key
    std::vector<std::string_view> keys;
    for (const Member& m : after.as_object()) keys.push_back(m.key);
    std::sort(keys.begin(), keys.end());
    if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) return false;
  }
  return true;
}

bool LocalCheck::Run(const std::vector<Edit>& edits, const std::vector<CheckTarget>& targets) {
  if (edits.empty() || r_.size() > options_.max_document_bytes) return false;
  std::map<std::uint32_t, std::uint32_t> object_of;  // doc -> object node, for documents with one edited object
  for (const CheckTarget& t : targets) {
    if (t.doc >= docs_.size() || docs_[t.doc].has_anchors || docs_[t.doc].has_directives) return false;
    if (!object_of.emplace(t.doc, t.node).second) return false;  // List items sharing a document: whole check
  }
  regions_.clear();
  for (const Edit& e : edits) {
    auto it = object_of.find(e.doc);
    Region g;
    if (it == object_of.end() || !RegionFor(e, it->second, &g) || !Close(g)) return false;
    g.object = it->second;
    regions_.push_back(std::move(g));
  }
  // Sorted, disjoint: overlapping regions of one collection merge, nested ones fold into the outer.
  std::sort(regions_.begin(), regions_.end(), [](const Region& a, const Region& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    return a.end > b.end;
  });
  std::vector<Region> merged;
  for (Region& g : regions_) {
    merged.push_back(std::move(g));
    // A merge can start a region earlier, so it may reach the one before.
    while (merged.size() >= 2 && merged[merged.size() - 2].doc == merged.back().doc &&
           merged.back().begin <= merged[merged.size() - 2].end) {
      Region last = std::move(merged.back());
      merged.pop_back();
      if (!Merge(merged.back(), last)) return false;
    }
  }
  regions_ = std::move(merged);
  // Positions in the new text; load each region.
  std::ptrdiff_t shift = 0;
  std::size_t total = 0;
  for (const SpanDocument& d : docs_) total += d.nodes.size();
  nodes_ = total;
  for (std::size_t i = 0; i < regions_.size(); ++i) {
    Region& g = regions_[i];
    const std::ptrdiff_t b = static_cast<std::ptrdiff_t>(g.begin) + shift;
    const std::ptrdiff_t e = static_cast<std::ptrdiff_t>(g.end) + shift + g.delta;
    shift += g.delta;
    if (b < 0 || e < b || static_cast<std::size_t>(e) > r_.size()) return false;
    const std::size_t ob = g.begin, oe = g.end;
    g.begin = static_cast<std::size_t>(b);
    g.end = static_cast<std::size_t>(e);
    if (!Load(g)) return false;
    g.begin = ob;
    g.end = oe;
    at_[{g.doc, g.node}].push_back(i);
    for (const Region::Spill& s : g.spill) spills_[{g.doc, s.node}].push_back(&s);
    std::vector<bool>& path = on_path_[g.doc];
    if (path.empty()) path.assign(docs_[g.doc].nodes.size(), false);
    const std::vector<std::int32_t>& parent = Parents(g.doc);
    for (std::int64_t y = g.node; y >= 0 && !path[static_cast<std::size_t>(y)]; y = parent[static_cast<std::size_t>(y)]) {
      path[static_cast<std::size_t>(y)] = true;
    }
  }
  if (shift != static_cast<std::ptrdiff_t>(r_.size()) - static_cast<std::ptrdiff_t>(o_.size())) return false;
  if (nodes_ > options_.max_total_nodes || nodes_ > options_.max_nodes) return false;
  for (auto& [key, list] : at_) {
    std::sort(list.begin(), list.end(), [&](std::size_t a, std::size_t b) { return regions_[a].i0 < regions_[b].i0; });
  }
  for (const CheckTarget& t : targets) {
    if (!t.part && !t.after->is_object()) return false;
    if (!t.item && !t.part && options_.expand_lists) {
      const Value* kind = t.after->Find("kind");
      if (kind != nullptr && kind->is_string() && kind->as_string() == "List") return false;
    }
    auto path = on_path_.find(t.doc);
    if (path == on_path_.end() || !path->second[t.node]) return false;  // edited, but no region inside it
    if (!Same(t.doc, t.node, *t.before, *t.after)) return false;
  }
  return true;
}


// --- Spans of the edited collection only ----------------------------------------------
//
// The full span pass parses every fixed file whole. Most fixes change one
// collection deep inside the object (a container, its list): when the file is
// plain block YAML (ASCII, no anchors, aliases, tags, directives, tabs or CRs),
// the loader's positions lead to that collection, only its text is parsed for
// spans, and the diff starts there. The layout the full pass would find (indent
// steps, item offset) is read from the loaded positions. Anything else, or any
// step that does not go through, takes the full pass.

// The lines of a text, read in one pass: where each starts (the loaded
// positions' 1-based line and column to bytes), its indentation and its first
// two characters; and whether the text is plain block YAML the fast path can
// read positions of: ASCII, no tabs, CRs or `%` directives, and no anchor,
// alias or tag. An `&`, `*` or `!` is taken for one unless it follows, on its
// line, a character that cannot come right before a node's properties: a node
// (and so its `&anchor`, `!tag` or a `*alias`) starts at the line's
// indentation or after an indicator (`- `, `? `, `: `, `---`, and `[`, `{`,
// `,`, `:` in flow), never after other text. So `"*"`, `'*/5 * * * *'`,
// `2>&1`, `a && b` or `important!` (inside scalars) keep the fast path, and
// `- *x`, `key: &x`, `[*x]` or `!!str` do not (nor, to stay simple, a
// scalar's or a comment's text that looks like them, such as `a: *x` inside a
// block scalar). The table stops at the first byte that is not plain.
class LineTable {
 public:
  struct Line {
    std::size_t start = 0;
    std::size_t col = 0;  // spaces before the first character
    char first = '\n';   // the first character after them ('\n' at the end of the text)
    char second = '\n';
    bool content() const { return first != '\n' && first != '#'; }  // not blank, not a comment
  };

  explicit LineTable(std::string_view t) : t_(t) { plain_ = Scan(); }

  bool plain() const { return plain_; }
  std::size_t Byte(std::int32_t line, std::int32_t column) const {
    if (line < 1 || column < 1 || static_cast<std::size_t>(line) > lines_.size()) return kNpos;
    const std::size_t p = lines_[static_cast<std::size_t>(line) - 1].start + static_cast<std::size_t>(column) - 1;
    return p < t_.size() ? p : kNpos;
  }
  /// 0-based index of the line that holds byte p.
  std::size_t Index(std::size_t p) const {
    const auto it = std::upper_bound(lines_.begin(), lines_.end(), p,
                                     [](std::size_t v, const Line& l) { return v < l.start; });
    return static_cast<std::size_t>(it - lines_.begin()) - 1;
  }
  std::size_t LineStart(std::size_t p) const { return lines_[Index(p)].start; }
  /// First byte of 1-based `line`; kNpos past the last line.
  std::size_t Start(std::int32_t line) const {
    if (line < 1 || static_cast<std::size_t>(line) > lines_.size()) return kNpos;
    return lines_[static_cast<std::size_t>(line) - 1].start;
  }
  std::size_t size() const { return lines_.size(); }
  const Line& operator[](std::size_t i) const { return lines_[i]; }

 private:
  bool Scan() {
    // 1: not plain; 2: a line end; 3: `&`, `*` or `!`.
    static const std::array<unsigned char, 256> kClass = [] {
      std::array<unsigned char, 256> c{};
      for (std::size_t i = 0x80; i < 256; ++i) c[i] = 1;
      c['\t'] = c['\r'] = 1;
      c['\n'] = 2;
      c['&'] = c['*'] = c['!'] = 3;
      return c;
    }();
    const std::size_t n = t_.size();
    lines_.reserve(n / 24 + 2);
    std::size_t i = 0;
    for (;;) {
      const std::size_t start = i;
      while (i < n && t_[i] == ' ') ++i;
      Line& l = lines_.emplace_back();
      l.start = start;
      l.col = i - start;
      if (i < n) l.first = t_[i];
      if (i + 1 < n) l.second = t_[i + 1];
      if (i == start && l.first == '%') return false;
      for (; i < n; ++i) {
        const unsigned char k = kClass[static_cast<unsigned char>(t_[i])];
        if (k == 0) continue;
        if (k == 2) break;
        if (k == 1) return false;
        std::size_t j = i;
        while (j > start && t_[j - 1] == ' ') --j;
        if (j == start) return false;
        const char before = t_[j - 1];
        if (before == '-' || before == ':' || before == '[' || before == '{' || before == ',' || before == '?') {
          return false;
        }
      }
      if (i >= n) return true;
      ++i;  // past the line end: a line starts here, even at the end of the text
    }
  }

  std::string_view t_;
  std::vector<Line> lines_;
  bool plain_ = false;
};

bool IsFlowStart(std::string_view t, std::size_t p) { return p < t.size() && (t[p] == '{' || t[p] == '['); }

// What the full pass's Layout() finds, from the loaded positions: the same
// nodes visited in the same (document) order. False when a position is missing.
class LayoutWalk {
 public:
  LayoutWalk(std::string_view t, const LineTable& lines, SpanDocument& d) : t_(t), lines_(lines), d_(d) {}
  bool Run(const Value& v) {
    Visit(v);
    return ok_;
  }

 private:
  bool Done() const { return d_.indent != 0 && d_.sequence_indent >= 0 && d_.item_offset != 0; }
  void Visit(const Value& v) {
    if (!ok_ || Done() || !IsNonEmptyCollection(v)) return;
    const std::size_t at = lines_.Byte(v.line(), v.column());
    if (at == kNpos) {
      ok_ = false;
      return;
    }
    if (IsFlowStart(t_, at)) return;  // nothing block-styled inside
    if (v.is_array()) {
      if (t_[at] != '-') {
        ok_ = false;
        return;
      }
      const Value& k = v.as_array()[0];
      if (d_.item_offset == 0 && k.line() == v.line() && k.column() - v.column() >= 2) {
        d_.item_offset = static_cast<std::size_t>(k.column() - v.column());
      }
      for (const Value& item : v.as_array()) Visit(item);
      return;
    }
    for (const Member& m : v.as_object()) {
      const Value& val = m.value;
      if (!IsNonEmptyCollection(val) || val.line() <= m.key_line) continue;
      const std::size_t vat = lines_.Byte(val.line(), val.column());
      if (vat == kNpos || m.key_column < 1) {
        ok_ = false;
        return;
      }
      if (IsFlowStart(t_, vat)) continue;
      if (val.is_array() && t_[vat] != '-') {
        ok_ = false;
        return;
      }
      if (val.is_object() && d_.indent == 0) {
        const std::int32_t first = val.as_object()[0].key_column;
        if (first > m.key_column) d_.indent = static_cast<std::size_t>(first - m.key_column);
      } else if (val.is_array() && d_.sequence_indent < 0) {
        if (val.column() >= m.key_column) d_.sequence_indent = val.column() - m.key_column;
      }
    }
    for (const Member& m : v.as_object()) Visit(m.value);
  }

  std::string_view t_;
  const LineTable& lines_;
  SpanDocument& d_;
  bool ok_ = true;
};

// Content lines at column `col` from line `from` (0-based) until the first
// line left of it (or a document marker): how many keys a block mapping there
// has.
std::size_t KeyLines(std::string_view t, const LineTable& lines, std::size_t from, std::size_t col) {
  std::size_t count = 0;
  for (std::size_t i = from; i < lines.size(); ++i) {
    const LineTable::Line& l = lines[i];
    if (!l.content()) continue;
    if (l.col < col) break;
    if (l.col == 0 && (t.substr(l.start, 3) == "---" || t.substr(l.start, 3) == "...")) break;
    if (l.col == col && !(l.first == '-' && (l.second == ' ' || l.second == '\n'))) ++count;
  }
  return count;
}

// The lines the subtree's span pass can leave out. The renderer and the reload
// check read the spans of what the fix changes, the end of a collection's last
// child (new members go after it) and the end of the child before a removed
// one (a removal's region takes it in); nothing else. So:
//   * the value of a mapping's member that the fix does not change, when it
//     starts on the line after its key (a nested collection, mostly), is cut
//     down to its key line, which parses as an empty value (SpanNode::elided);
//   * a collection that is only needed for where it ends (an unchanged last
//     member, a removed member) is cut down to its key line and its last
//     child's lines (SpanNode::trimmed), and that child is trimmed the same way.
// The changed members are walked the same way. Only lines that can belong to
// nothing but that value are cut: after its key's line, which must end at the
// `:`, each content line deeper than the key or an indentless sequence's `- `
// at the key's column.
class Elider {
 public:
  Elider(std::string_view t, const LineTable& lines) : t_(t), lines_(lines) {}
  // `a`: the value after the fix where it differs from `b`; null where only
  // the end of `b` is needed.
  void Walk(const Value& b, const Value* a, std::size_t depth) {
    if (depth > 64 || !IsNonEmptyCollection(b)) return;
    const std::size_t at = lines_.Byte(b.line(), b.column());
    if (at == kNpos || IsFlowStart(t_, at)) return;
    if (b.is_object()) {
      const Value::Object& bo = b.as_object();
      const Value* ao = a != nullptr && a->is_object() ? a : nullptr;
      const std::size_t n = bo.size();
      if (ao == nullptr) {  // only the end: the last member
        for (std::size_t i = 0; i + 1 < n; ++i) {
          if (!Cut(bo[i], bo[i + 1].key_line)) Walk(bo[i].value, nullptr, depth + 1);
        }
        Trim(bo[n - 1], depth);
        return;
      }
      std::vector<const Value*> after(n, nullptr);
      std::vector<char> differ(n, 0);  // 1: changed, 2: removed
      for (std::size_t i = 0; i < n; ++i) {
        after[i] = ao->Find(bo[i].key);
        differ[i] = after[i] == nullptr ? 2 : *after[i] != bo[i].value ? 1 : 0;
      }
      for (std::size_t i = 0; i < n; ++i) {
        if (differ[i] == 1) {
          Walk(bo[i].value, after[i], depth + 1);
        } else if (differ[i] == 2 || i + 1 == n || differ[i + 1] == 2) {
          Trim(bo[i], depth);
        } else if (!Cut(bo[i], bo[i + 1].key_line)) {
          Walk(bo[i].value, nullptr, depth + 1);
        }
      }
      return;
    }
    const Value::Array& ba = b.as_array();
    const Value::Array* aa = a != nullptr && a->is_array() ? &a->as_array() : nullptr;
    // The items the renderer compares pairwise (Renderer::DiffSeq): after the
    // common prefix, as many as both sides have before the common suffix.
    std::size_t from = 0, to = 0;
    if (aa != nullptr) {
      const std::size_t nb = ba.size(), na = aa->size();
      std::size_t p = 0;
      while (p < nb && p < na && ba[p] == (*aa)[p]) ++p;
      std::size_t q = 0;
      while (q < nb - p && q < na - p && ba[nb - 1 - q] == (*aa)[na - 1 - q]) ++q;
      from = p;
      to = p + std::min(nb - p - q, na - p - q);
    }
    for (std::size_t i = 0; i < ba.size(); ++i) {
      const bool paired = i >= from && i < to && ba[i] != (*aa)[i];
      Walk(ba[i], paired ? &(*aa)[i] : nullptr, depth + 1);
    }
  }

  std::vector<std::pair<std::size_t, std::size_t>> cuts;  // original bytes [begin, end), in order

 private:
  // Cuts the lines of m's value up to `to_line` (the next member's key line).
  bool Cut(const Member& m, std::int32_t to_line) { return m.key_line >= 1 && CutLines(m, to_line); }

  // Cuts m's value down to its last child's lines (only its end is needed),
  // or else walks it for that.
  void Trim(const Member& m, std::size_t depth) {
    const Value& v = m.value;
    if (!IsNonEmptyCollection(v) || v.size() < 2 || m.key_line < 1) {
      Walk(v, nullptr, depth + 1);
      return;
    }
    std::int32_t line = 0;
    std::size_t col = 0;
    const Value* last = nullptr;
    if (v.is_object()) {
      const Member& lm = v.as_object().back();
      line = lm.key_line;
      col = lm.key_column < 1 ? kNpos : static_cast<std::size_t>(lm.key_column) - 1;
      last = &lm.value;
    } else {
      last = &v.as_array().back();
      line = last->line();
      col = last->column() < 1 ? kNpos : static_cast<std::size_t>(last->column()) - 1;
    }
    // The last child starts its line (an item: after its `- `).
    const std::size_t s = lines_.Start(line);
    bool starts = s != kNpos && col != kNpos && s + col < t_.size();
    if (starts) {
      std::size_t p = s;
      while (p < s + col && t_[p] == ' ') ++p;
      if (v.is_array()) {
        starts = p < s + col && t_[p] == '-' && p + 1 < s + col && t_[p + 1] == ' ';
        p += 1;
        while (p < s + col && t_[p] == ' ') ++p;
      }
      starts = starts && p == s + col;
    }
    if (!starts || line <= m.key_line + 1 || !CutLines(m, line)) {
      Walk(v, nullptr, depth + 1);
      return;
    }
    if (v.is_object()) {
      Trim(v.as_object().back(), depth + 1);
    } else {
      Walk(*last, nullptr, depth + 1);
    }
  }

  // Cuts the lines after m's key line up to `to_line`: m's key line must end
  // at its `:` (or a comment) and every content line between be deeper than
  // the key or an indentless sequence's `- ` at its column.
  bool CutLines(const Member& m, std::int32_t to_line) {
    if (m.key_column < 1 || to_line <= m.key_line + 1) return false;
    std::size_t q = lines_.Byte(m.key_line, m.key_column);
    if (q == kNpos || t_.substr(q, m.key.size()) != m.key) return false;
    q += m.key.size();
    while (q < t_.size() && t_[q] == ' ') ++q;
    if (q >= t_.size() || t_[q] != ':') return false;
    ++q;
    if (q >= t_.size() || (t_[q] != ' ' && t_[q] != '\n')) return false;
    while (q < t_.size() && t_[q] == ' ') ++q;
    if (q >= t_.size() || (t_[q] != '\n' && t_[q] != '#')) return false;
    const std::size_t col = static_cast<std::size_t>(m.key_column) - 1;
    const std::size_t begin = lines_.Start(m.key_line + 1);
    const std::size_t end = lines_.Start(to_line);
    if (begin == kNpos || end == kNpos || (!cuts.empty() && begin < cuts.back().second)) return false;
    for (std::int32_t l = m.key_line + 1; l < to_line; ++l) {
      std::size_t p = lines_.Start(l);
      const std::size_t s = p;
      while (p < t_.size() && t_[p] == ' ') ++p;
      if (p >= t_.size() || t_[p] == '\n' || t_[p] == '#' || p - s > col) continue;
      const bool dash = t_[p] == '-' && (p + 1 >= t_.size() || t_[p + 1] == ' ' || t_[p + 1] == '\n');
      if (p - s < col || !dash) return false;
    }
    cuts.emplace_back(begin, end);
    return true;
  }

  std::string_view t_;
  const LineTable& lines_;
};

struct Subtree {
  SpanDocument doc;
  std::uint32_t node = 0;  // the edited collection
  Ctx ctx;
  const Value* before = nullptr;
  const Value* after = nullptr;
  std::vector<Path> path;  // root first; back() is the collection's
};

// Marks the values Elider left out (a key whose line is followed by a cut) and
// moves every position from the parsed text to the file's bytes. False when
// a cut is not where it should be or a collection ends with a left-out value.
bool PlaceSpans(std::string_view buf, const std::vector<std::pair<std::size_t, std::size_t>>& pieces,
                SpanDocument& doc) {
  if (pieces.size() > 1) {
    auto cut_at = [&](std::size_t p) {
      const auto it = std::lower_bound(pieces.begin() + 1, pieces.end(), p,
                                       [](const std::pair<std::size_t, std::size_t>& x, std::size_t v) {
                                         return x.first < v;
                                       });
      return it != pieces.end() && it->first == p;
    };
    std::size_t marked = 0;
    for (SpanNode& n : doc.nodes) {
      if (n.kind != SpanKind::kMapping || n.style != SpanStyle::kBlock) continue;
      for (std::size_t i = 0; i + 1 < n.kids.size(); i += 2) {
        const std::size_t nl = buf.find('\n', doc.nodes[n.kids[i]].end);
        if (nl == kNpos || !cut_at(nl + 1)) continue;
        SpanNode& v = doc.nodes[n.kids[i + 1]];
        if (v.kind == SpanKind::kScalar) {
          if (v.style != SpanStyle::kPlain || i + 2 == n.kids.size()) return false;
          v.elided = true;
        } else {
          if (v.style != SpanStyle::kBlock || v.kids.empty()) return false;
          v.trimmed = true;
        }
        ++marked;
      }
    }
    if (marked != pieces.size() - 1) return false;
  }
  auto place = [&](std::size_t& p) {
    const auto it = std::upper_bound(pieces.begin(), pieces.end(), p,
                                     [](std::size_t v, const std::pair<std::size_t, std::size_t>& x) {
                                       return v < x.first;
                                     }) - 1;
    p = it->second + (p - it->first);
  };
  place(doc.begin);
  place(doc.end);
  for (SpanNode& n : doc.nodes) {
    place(n.begin);
    place(n.end);
    for (std::size_t& d : n.dash) place(d);
  }
  return true;
}

// The spans of the smallest collection holding every difference between
// `before` and `after` (one object, the whole document), or false.
bool SubtreeSpans(std::string_view t, const LineTable& lines, const Value& before, const Value& after,
                  Subtree* s) {
  const Value* b = &before;
  const Value* a = &after;
  const Value* parent = nullptr;
  std::size_t which = kNpos;
  s->path.reserve(16);
  s->path.emplace_back();
  for (;;) {
    std::size_t diff = kNpos;
    if (b->is_object() && a->is_object() && b->size() == a->size()) {
      const Value::Object& bo = b->as_object();
      const Value::Object& ao = a->as_object();
      for (std::size_t i = 0; i < bo.size(); ++i) {
        if (bo[i].key != ao[i].key) {
          diff = kNpos;
          break;
        }
        if (bo[i].value != ao[i].value) {
          if (diff != kNpos) {
            diff = kNpos;
            break;
          }
          diff = i;
        }
      }
      if (diff == kNpos || !IsNonEmptyCollection(bo[diff].value) || !IsCollection(ao[diff].value)) break;
      s->path.push_back(Path{&s->path.back(), bo[diff].key});
      parent = b;
      which = diff;
      b = &bo[diff].value;
      a = &ao[diff].value;
    } else if (b->is_array() && a->is_array() && b->size() == a->size()) {
      const Value::Array& ba = b->as_array();
      const Value::Array& aa = a->as_array();
      for (std::size_t i = 0; i < ba.size(); ++i) {
        if (ba[i] != aa[i]) {
          if (diff != kNpos) {
            diff = kNpos;
            break;
          }
          diff = i;
        }
      }
      if (diff == kNpos || !IsNonEmptyCollection(ba[diff]) || !IsCollection(aa[diff])) break;
      s->path.push_back(Path{&s->path.back(), {}, diff});
      parent = b;
      which = diff;
      b = &ba[diff];
      a = &aa[diff];
    } else {
      break;
    }
    if (s->path.size() >= 16) break;
    // Every collection above the edited one: block style, and (mappings) one
    // line per key, so that the full pass would find no odd keys there.
    const std::size_t at = lines.Byte(parent->line(), parent->column());
    if (at == kNpos || IsFlowStart(t, at)) return false;
    if (parent->is_object() &&
        1 + KeyLines(t, lines, lines.Index(at) + 1, at - lines.LineStart(at)) != parent->size()) {
      return false;
    }
  }
  if (parent == nullptr) return false;  // the object itself: the full pass
  s->before = b;
  s->after = a;
  // The collection's text: from its key (or its first byte, as an item) to the
  // first content line left of it; what precedes it on its first line is
  // blanked, so that columns stay.
  std::size_t start = 0;
  std::size_t col = 0;
  bool indentless = false;
  if (parent->is_object()) {
    const Member& m = parent->as_object()[which];
    start = lines.Byte(m.key_line, m.key_column);
    if (start == kNpos || t.substr(start, m.key.size()) != m.key) return false;
    std::size_t c = start + m.key.size();
    while (c < t.size() && t[c] == ' ') ++c;
    if (c >= t.size() || t[c] != ':') return false;
    indentless = b->is_array();
  } else {
    start = lines.Byte(b->line(), b->column());
    if (start == kNpos) return false;
    std::size_t d = start;
    while (d > 0 && t[d - 1] == ' ') --d;
    if (d == 0 || t[d - 1] != '-' || (d >= 2 && t[d - 2] != ' ' && t[d - 2] != '\n')) return false;
    s->ctx.where = Where::kSeqItem;
    s->ctx.dash = d - 1;
  }
  const std::size_t line = lines.LineStart(start);
  col = start - line;
  const bool item_of_key = parent->is_object();  // lines at the key's column end it
  std::size_t end = t.size();
  for (std::size_t i = lines.Index(line) + 1; i < lines.size(); ++i) {
    const LineTable::Line& l = lines[i];
    const bool dash = l.first == '-' && (l.second == ' ' || l.second == '\n');
    if (l.content() && (l.col < col || (l.col == col && item_of_key && !(indentless && dash)))) {
      end = l.start;
      break;
    }
  }
  // The text parsed: the collection's lines without what Elider leaves out;
  // pieces[k] = (first byte in buf, first byte in t).
  Elider elider(t, lines);
  elider.Walk(*b, a, 0);
  std::string buf(col, ' ');
  std::vector<std::pair<std::size_t, std::size_t>> pieces{{0, line}};
  std::size_t from = start;
  for (const auto& [cut, resume] : elider.cuts) {
    if (cut < from || resume > end) return false;
    buf.append(t.substr(from, cut - from));
    pieces.emplace_back(buf.size(), resume);
    from = resume;
  }
  buf.append(t.substr(from, end - from));
  Result<std::vector<SpanDocument>> docs = internal::ParseSpans(buf);
  if (!docs.ok() || docs->size() != 1 || (*docs)[0].root < 0) return false;
  s->doc = std::move((*docs)[0]);
  if (!PlaceSpans(buf, pieces, s->doc)) return false;
  const SpanNode& root = s->doc.nodes[static_cast<std::size_t>(s->doc.root)];
  std::uint32_t node = static_cast<std::uint32_t>(s->doc.root);
  if (parent->is_object()) {
    if (root.kind != SpanKind::kMapping || root.style != SpanStyle::kBlock || root.odd_keys || root.has_merge ||
        root.keys.size() != 1 || root.keys[0] != parent->as_object()[which].key) {
      return false;
    }
    node = root.kids[1];
    const SpanNode& key = s->doc.nodes[root.kids[0]];
    const SpanNode& val = s->doc.nodes[node];
    s->ctx.where = Where::kMapValue;
    s->ctx.key_begin = key.begin;
    s->ctx.colon_end = kNpos;
    for (std::size_t p = key.end; p < std::max(val.begin, key.end + 1) && p < t.size(); ++p) {
      if (t[p] == ':') {
        s->ctx.colon_end = p + 1;
        break;
      }
      if (t[p] != ' ' && t[p] != '\t') break;
    }
  }
  if (s->doc.nodes[node].kind != (b->is_object() ? SpanKind::kMapping : SpanKind::kSequence)) return false;
  s->node = node;
  s->doc.indent = 0;
  s->doc.sequence_indent = -1;
  s->doc.item_offset = 0;
  return LayoutWalk(t, lines, s->doc).Run(before);
}

// RenderPatches over the edited collections' spans only (every target a whole
// document's object); false: the caller takes the full pass.
bool RenderSubtrees(std::string_view original, std::string_view file, const std::vector<Target>& targets,
                    const std::vector<const Manifest*>& objects, const ParseOptions& parse, RenderedFile& out) {
  if (targets.empty() || StartsJson(original)) return false;
  std::int32_t last = -1;
  for (const Target& t : targets) {
    if (t.item >= 0 || t.document < 0) return false;
    last = std::max(last, t.document);
  }
  const LineTable lines(original);
  if (!lines.plain()) return false;
  std::vector<Subtree> subs(targets.size());
  std::vector<SpanDocument> docs(static_cast<std::size_t>(last) + 1);
  std::vector<bool> seen(docs.size(), false);
  bool any = false;
  for (std::size_t ti = 0; ti < targets.size(); ++ti) {
    const Target& t = targets[ti];
    const auto d = static_cast<std::size_t>(t.document);
    if (seen[d]) return false;
    seen[d] = true;
    if (!SubtreeSpans(original, lines, objects[t.manifest]->root, t.after, &subs[ti])) {
      if (objects[t.manifest]->root != t.after) return false;
      subs[ti] = Subtree{};  // unchanged (SubtreeSpans found no difference)
      continue;
    }
    docs[d] = std::move(subs[ti].doc);
    any = true;
  }
  if (!any) return false;
  std::vector<Edit> edits;
  std::vector<CheckTarget> checks;
  std::vector<std::string> notes;
  std::vector<const Value*> expected(objects.size());
  for (std::size_t i = 0; i < objects.size(); ++i) expected[i] = &objects[i]->root;
  for (std::size_t ti = 0; ti < targets.size(); ++ti) {
    const Target& t = targets[ti];
    const Subtree& s = subs[ti];
    if (s.before == nullptr) continue;
    const auto d = static_cast<std::uint32_t>(t.document);
    Renderer r(original, false, docs[d], d, "\n");
    if (!r.Diff(s.node, *s.before, *s.after, s.ctx, s.path.back(), true) || !r.refusal.empty()) return false;
    const std::string obj = std::string(file) + " document " + std::to_string(t.document);
    for (std::string& n : r.notes) notes.push_back(obj + " " + n);
    for (Edit& e : r.edits) edits.push_back(std::move(e));
    expected[t.manifest] = &t.after;
    checks.push_back(CheckTarget{d, s.node, false, s.before, s.after, true});
  }
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> replaced;
  if (!ApplyEdits(original, edits, text, replaced)) return false;
  if (!LocalCheck(original, text, docs, parse, file).Run(edits, checks) &&
      !Reproduces(text, file, parse, objects, expected)) {
    return false;
  }
  for (std::string& n : notes) out.notes.push_back(std::move(n));
  out.replaced = std::move(replaced);
  out.changed = text != original;
  out.text = std::move(text);
  return true;
}

}  // namespace

namespace {

// Which span pass Render uses: the subtrees' when it can (kAuto), the whole
// file's (kWhole), or the subtrees' only (kSubtrees: kUnsupported otherwise).
enum class SpanPass { kAuto, kWhole, kSubtrees };

Result<RenderedFile> Render(std::string_view original, std::string_view file, const std::vector<ObjectPatch>& patches,
                            const RenderOptions& options, SpanPass pass) {
  SourceLocation where;
  where.file = std::string(file);
  RenderedFile out;
  if (patches.empty()) {
    out.text.assign(original);
    return out;
  }
  // The file's objects: the caller's, or loaded here.
  LoadResult own;
  std::vector<const Manifest*> objects;
  if (options.objects != nullptr) {
    objects = *options.objects;
  } else {
    own = LoadManifests(original, file, options.parse);
    if (!own.errors.empty()) {
      return ParseError("cannot render " + std::string(file) + ": it does not load cleanly (" +
                            own.errors.front().ToString() + ")",
                        where);
    }
    objects.reserve(own.manifests.size());
    for (const Manifest& m : own.manifests) objects.push_back(&m);
  }
  std::map<std::pair<std::int32_t, std::int32_t>, std::size_t> index;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    index[{objects[i]->document, objects[i]->item}] = i;
  }
  std::vector<Target> targets;
  for (const ObjectPatch& p : patches) {
    auto it = index.find({p.document, p.item});
    if (it == index.end()) {
      SourceLocation l = where;
      l.document = p.document;
      l.item = p.item;
      return NotFoundError("no object at document " + std::to_string(p.document) +
                               (p.item >= 0 ? " item " + std::to_string(p.item) : std::string()),
                           l);
    }
    if (p.object != nullptr && p.object != &objects[it->second]->root && *p.object != objects[it->second]->root) {
      SourceLocation l = where;
      l.document = p.document;
      l.item = p.item;
      return VerificationFailedError(std::string(file) + " changed since it was loaded; not rendered", l);
    }
    Result<Value> after = ApplyPatchCopy(objects[it->second]->root, p.patch);
    if (!after.ok()) {
      SourceLocation l = where;
      l.document = p.document;
      l.item = p.item;
      return after.status().WithDefaultLocation(l);
    }
    bool merged = false;
    for (Target& t : targets) {
      if (t.manifest == it->second) {  // two patches for one object: apply in order
        Result<Value> again = ApplyPatchCopy(t.after, p.patch);
        if (!again.ok()) return again.status().WithDefaultLocation(where);
        t.after = std::move(*again);
        merged = true;
      }
    }
    if (!merged) targets.push_back(Target{p.document, p.item, it->second, std::move(*after)});
  }
  const bool json = StartsJson(original);
  const std::size_t nl = original.find('\n');
  const std::string_view eol = nl != std::string_view::npos && nl > 0 && original[nl - 1] == '\r' ? "\r\n" : "\n";
  std::vector<const Value*> expected(objects.size());
  for (std::size_t i = 0; i < objects.size(); ++i) expected[i] = &objects[i]->root;

  if (pass != SpanPass::kWhole && RenderSubtrees(original, file, targets, objects, options.parse, out)) return out;
  if (pass == SpanPass::kSubtrees) return UnsupportedError("the subtree span pass does not apply", where);
  Result<std::vector<internal::SpanDocument>> spans = internal::ParseSpans(original);
  std::vector<Edit> edits;
  std::vector<std::pair<std::uint32_t, Ctx>> object_nodes(targets.size(), {0, Ctx{}});
  std::vector<bool> located(targets.size(), false);
  for (std::size_t ti = 0; ti < targets.size(); ++ti) {
    Target& t = targets[ti];
    const Value& before = objects[t.manifest]->root;
    if (before == t.after) continue;
    const std::string obj = std::string(file) + " document " + std::to_string(t.document) +
                            (t.item >= 0 ? " item " + std::to_string(t.item) : std::string());
    if (!spans.ok() || static_cast<std::size_t>(t.document) >= spans->size()) {
      out.notes.push_back(obj + ": the text could not be mapped; the file is re-emitted");
      continue;
    }
    const SpanDocument& doc = (*spans)[static_cast<std::size_t>(t.document)];
    std::uint32_t node = 0;
    Ctx ctx;
    if (!LocateObject(original, doc, t.item, json, node, ctx)) {
      out.notes.push_back(obj + ": the object's text could not be located; the file is re-emitted");
      continue;
    }
    object_nodes[ti] = {node, ctx};
    located[ti] = true;
    Renderer r(original, json, doc, static_cast<std::uint32_t>(t.document), eol);
    const bool ok = r.Diff(node, before, t.after, ctx, Path{}, true);
    if (!r.refusal.empty()) {
      out.refused.push_back(RenderRefusal{t.document, t.item, r.refusal});
      continue;
    }
    if (!ok) {
      Renderer whole(original, json, doc, static_cast<std::uint32_t>(t.document), eol);
      if (!whole.Replace(node, t.after, ctx)) {
        located[ti] = false;
        out.notes.push_back(obj + ": the object could not be edited in place; the file is re-emitted");
        continue;
      }
      out.notes.push_back(obj + ": re-emitted the object whole");
      r.edits = std::move(whole.edits);
      r.notes.clear();
    }
    for (std::string& n : r.notes) out.notes.push_back(obj + " " + n);
    for (Edit& e : r.edits) edits.push_back(std::move(e));
    expected[t.manifest] = &t.after;
  }
  bool all_located = true;
  std::vector<CheckTarget> check_targets;
  for (std::size_t ti = 0; ti < targets.size(); ++ti) {
    const Target& t = targets[ti];
    if (!located[ti] && objects[t.manifest]->root != t.after) all_located = false;
    if (located[ti] && expected[t.manifest] == &t.after) {
      check_targets.push_back(CheckTarget{static_cast<std::uint32_t>(t.document), object_nodes[ti].first, t.item >= 0,
                                          &objects[t.manifest]->root, &t.after});
    }
  }

  std::string text;
  if (all_located && ApplyEdits(original, edits, text, out.replaced) &&
      ((!json && LocalCheck(original, text, *spans, options.parse, file).Run(edits, check_targets)) ||
       Reproduces(text, file, options.parse, objects, expected))) {
    out.changed = text != original;
    out.text = std::move(text);
    return out;
  }
  // Second attempt: each edited object re-emitted whole.
  if (all_located) {
    edits.clear();
    for (std::size_t ti = 0; ti < targets.size(); ++ti) {
      const Target& t = targets[ti];
      if (expected[t.manifest] != &t.after) continue;
      Renderer whole(original, json, (*spans)[static_cast<std::size_t>(t.document)],
                     static_cast<std::uint32_t>(t.document), eol);
      if (!whole.Replace(object_nodes[ti].first, t.after, object_nodes[ti].second)) {
        all_located = false;
        break;
      }
      out.notes.push_back(std::string(file) + " document " + std::to_string(t.document) +
                          (t.item >= 0 ? " item " + std::to_string(t.item) : std::string()) +
                          ": re-emitted the object whole (the in-place edit did not load back as the patched object)");
      for (Edit& e : whole.edits) edits.push_back(std::move(e));
    }
    if (all_located && ApplyEdits(original, edits, text, out.replaced) &&
        Reproduces(text, file, options.parse, objects, expected)) {
      out.changed = text != original;
      out.text = std::move(text);
      return out;
    }
  }
  return InternalError("cannot render " + std::string(file) +
                           ": no text edit reproduces the patched objects; the file was left unchanged",
                       where);
}

}  // namespace

Result<RenderedFile> RenderPatches(std::string_view original, std::string_view file,
                                   const std::vector<ObjectPatch>& patches, const RenderOptions& options) {
  return Render(original, file, patches, options, SpanPass::kAuto);
}

namespace internal {

Result<RenderedFile> RenderPatchesWholeSpans(std::string_view original, std::string_view file,
                                             const std::vector<ObjectPatch>& patches, const RenderOptions& options) {
  return Render(original, file, patches, options, SpanPass::kWhole);
}

Result<RenderedFile> RenderPatchesSubtreesOnly(std::string_view original, std::string_view file,
                                               const std::vector<ObjectPatch>& patches, const RenderOptions& options) {
  return Render(original, file, patches, options, SpanPass::kSubtrees);
}

bool LocalReloadCheck(std::string_view original, const std::vector<TextEdit>& edits, std::int32_t document,
                      const Value& after, const ParseOptions& options, std::string* text) {
  text->clear();
  Result<std::vector<SpanDocument>> spans = ParseSpans(original);
  LoadResult loaded = LoadManifests(original, "check", options);
  if (!spans.ok() || !loaded.errors.empty() || document < 0 || static_cast<std::size_t>(document) >= spans->size()) {
    return false;
  }
  const Manifest* object = nullptr;
  for (const Manifest& m : loaded.manifests) {
    if (m.document == document && m.item < 0) object = &m;
  }
  const SpanDocument& doc = (*spans)[static_cast<std::size_t>(document)];
  if (object == nullptr || doc.root < 0) return false;
  std::vector<Edit> list;
  for (const TextEdit& t : edits) {
    Result<JsonPointer> ptr = JsonPointer::Parse(t.node);
    if (!ptr.ok()) return false;
    auto node = static_cast<std::uint32_t>(doc.root);
    for (const std::string& token : ptr->tokens()) {
      const SpanNode& n = doc.nodes[node];
      bool found = false;
      if (n.kind == SpanKind::kMapping) {
        for (std::size_t i = 0; i < n.keys.size() && !found; ++i) {
          if (n.keys[i] == token) {
            node = n.kids[2 * i + 1];
            found = true;
          }
        }
      } else if (n.kind == SpanKind::kSequence) {
        const std::size_t i = std::strtoul(token.c_str(), nullptr, 10);
        if (i < n.kids.size()) {
          node = n.kids[i];
          found = true;
        }
      }
      if (!found) return false;
    }
    list.push_back(Edit{t.begin, t.end, t.text, static_cast<std::uint32_t>(document), node, t.at, t.before});
  }
  std::vector<std::pair<std::size_t, std::size_t>> replaced;
  if (!ApplyEdits(original, list, *text, replaced)) return false;
  const std::vector<CheckTarget> targets{
      CheckTarget{static_cast<std::uint32_t>(document), static_cast<std::uint32_t>(doc.root), false, &object->root,
                  &after}};
  return LocalCheck(original, *text, *spans, options, "check").Run(list, targets);
}

}  // namespace internal

}  // namespace kfix
