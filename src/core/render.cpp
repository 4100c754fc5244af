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
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json_internal.hpp"
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

struct Edit {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string text;
};

enum class Where { kRoot, kMapValue, kSeqItem, kFlow };

struct Ctx {
  Where where = Where::kRoot;
  std::size_t key_begin = kNpos;  // map value: its key's first byte
  std::size_t colon_end = kNpos;  // map value: one past its ':'
  std::size_t dash = kNpos;       // block sequence item: its '-'
};

bool HasFlowIndicator(std::string_view s) { return s.find_first_of(",[]{}") != std::string_view::npos; }

bool IsCollection(const Value& v) { return v.is_array() || v.is_object(); }
bool IsNonEmptyCollection(const Value& v) { return IsCollection(v) && v.size() > 0; }

// Renders one object's differences as edits. A Renderer is cheap; one per object.
class Renderer {
 public:
  Renderer(std::string_view text, bool json, const SpanDocument& doc, std::string_view eol)
      : t_(text), json_(json), doc_(doc), eol_(eol) {
    style_.indent = doc.indent != 0 ? doc.indent : 2;
    style_.sequence_indent = doc.sequence_indent >= 0 ? static_cast<std::size_t>(doc.sequence_indent) : 0;
    style_.item_offset = doc.item_offset != 0 ? doc.item_offset : 2;
  }

  // False when the object cannot be edited in place (refusal_ or failed_ set).
  bool Diff(std::uint32_t ni, const Value& b, const Value& a, const Ctx& ctx, const std::string& path);
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
    edits.push_back(Edit{begin, end, std::move(text)});
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

  bool DiffMap(std::uint32_t ni, const Value& b, const Value& a, const Ctx& ctx, const std::string& path);
  bool DiffSeq(std::uint32_t ni, const Value& b, const Value& a, const Ctx& ctx, const std::string& path);
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
  std::string_view eol_;
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

bool Renderer::Diff(std::uint32_t ni, const Value& b, const Value& a, const Ctx& ctx, const std::string& path) {
  if (b == a) return true;
  const SpanNode& n = N(ni);
  if (n.shared) {
    refusal = "the fix changes " + (path.empty() ? std::string("the object") : path) + ", which carries the anchor &" +
              n.name + " that aliases share; editing it would change every alias too";
    return false;
  }
  if (n.kind == SpanKind::kAlias) {
    notes.push_back((path.empty() ? std::string("/") : path) + ": expanded alias *" + n.name + " to edit it");
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

bool Renderer::DiffMap(std::uint32_t ni, const Value& b, const Value& a, const Ctx& ctx, const std::string& path) {
  const SpanNode& n = N(ni);
  const std::size_t members = n.keys.size();
  auto whole = [&](const char* why) {
    notes.push_back((path.empty() ? std::string("/") : path) + ": re-emitted the mapping (" + why + ")");
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
    if (!Diff(n.kids[2 * i + 1], bv, av, MemberCtx(n, i), path + "/" + JsonPointer::EscapeToken(n.keys[i]))) {
      return false;
    }
  }
  RemoveChildren(n, removed, true);
  if (!added.empty()) InsertMembers(n, added);
  return true;
}

bool Renderer::DiffSeq(std::uint32_t ni, const Value& b, const Value& a, const Ctx& ctx, const std::string& path) {
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
    notes.push_back((path.empty() ? std::string("/") : path) + ": re-emitted the sequence (its dashes were not found)");
    return Replace(ni, a, ctx);
  }
  if (mid_b > mid_a && block) {
    for (std::size_t i = p + pair; i < p + mid_b; ++i) {
      if (!OnlySpacesBefore(n.dash[i])) {
        notes.push_back((path.empty() ? std::string("/") : path) + ": re-emitted the sequence (nested inline item)");
        return Replace(ni, a, ctx);
      }
    }
  }
  for (std::size_t k = 0; k < pair; ++k) {
    const std::size_t i = p + k;
    if (!Diff(n.kids[i], ba[i], aa[i], ItemCtx(n, i), path + "/" + std::to_string(i))) return false;
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

}  // namespace

Result<RenderedFile> RenderPatches(std::string_view original, std::string_view file,
                                   const std::vector<ObjectPatch>& patches, const RenderOptions& options) {
  SourceLocation where;
  where.file = std::string(file);
  RenderedFile out;
  out.text.assign(original);
  if (patches.empty()) return out;
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
    if (p.object != nullptr && *p.object != objects[it->second]->root) {
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
    Renderer r(original, json, doc, eol);
    const bool ok = r.Diff(node, before, t.after, ctx, "");
    if (!r.refusal.empty()) {
      out.refused.push_back(RenderRefusal{t.document, t.item, r.refusal});
      continue;
    }
    if (!ok) {
      Renderer whole(original, json, doc, eol);
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
  for (std::size_t ti = 0; ti < targets.size(); ++ti) {
    const Target& t = targets[ti];
    if (!located[ti] && objects[t.manifest]->root != t.after) all_located = false;
  }

  std::string text;
  if (all_located && ApplyEdits(original, edits, text, out.replaced) &&
      Reproduces(text, file, options.parse, objects, expected)) {
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
      Renderer whole(original, json, (*spans)[static_cast<std::size_t>(t.document)], eol);
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

}  // namespace kfix
