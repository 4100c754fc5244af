// ParseSpans: byte spans of every node of a YAML stream (see render_spans.hpp).
//
// libyaml's marks count characters (a BOM is not counted, CRLF is two), so
// they are mapped to byte offsets once per file; pure-ASCII files need no
// table. Block collections end where their last child ends (libyaml's own end
// mark is the next token, after comments and blank lines).
#include "core/render_spans.hpp"

#include <yaml.h>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/yaml_internal.hpp"

namespace kfix::internal {
namespace {

class Offsets {
 public:
  explicit Offsets(std::string_view text) {
    bom_ = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
    for (std::size_t i = bom_; i < text.size(); ++i) {
      if (static_cast<unsigned char>(text[i]) >= 0x80) {
        ascii_ = false;
        break;
      }
    }
    if (ascii_) return;
    table_.reserve(text.size() + 1);
    for (std::size_t i = bom_; i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) table_.push_back(i);
    }
    table_.push_back(text.size());
  }
  std::size_t Byte(const yaml_mark_t& m) const {
    if (ascii_) return bom_ + m.index;
    return m.index < table_.size() ? table_[m.index] : table_.back();
  }

 private:
  std::size_t bom_ = 0;
  bool ascii_ = true;
  std::vector<std::size_t> table_;
};

std::size_t LineStart(std::string_view t, std::size_t p) {
  while (p > 0 && t[p - 1] != '\n') --p;
  return p;
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// End of a block scalar's content: after its last non-blank line unless the
// header keeps trailing lines (`|+`, `>+`).
std::size_t BlockScalarEnd(std::string_view t, std::size_t begin, std::size_t end) {
  std::size_t h = begin;
  while (h < end && t[h] != '|' && t[h] != '>') ++h;
  for (std::size_t i = h; i < end && t[i] != '\n' && t[i] != '#'; ++i) {
    if (t[i] == '+') return end;
  }
  std::size_t p = end;
  while (p > begin && IsBlank(t[p - 1])) --p;
  return std::max(p, h + 1);
}

class Builder {
 public:
  explicit Builder(std::string_view text) : text_(text), offsets_(text) {}

  Result<std::vector<SpanDocument>> Run();

 private:
  SpanDocument& doc() { return docs_.back(); }
  std::uint32_t NewNode(SpanKind kind, SpanStyle style, const yaml_event_t& e, const yaml_char_t* anchor) {
    SpanNode& n = doc().nodes.emplace_back();
    n.kind = kind;
    n.style = style;
    n.begin = offsets_.Byte(e.start_mark);
    n.end = offsets_.Byte(e.end_mark);
    if (anchor) {
      doc().has_anchors = true;
      n.has_anchor = true;
      n.name.assign(reinterpret_cast<const char*>(anchor));
    }
    const auto idx = static_cast<std::uint32_t>(doc().nodes.size() - 1);
    if (anchor) anchors_[doc().nodes[idx].name] = idx;
    return idx;
  }
  bool ExpectingKey() {
    if (stack_.empty()) return false;
    const SpanNode& p = doc().nodes[stack_.back()];
    return p.kind == SpanKind::kMapping && p.kids.size() % 2 == 0;
  }
  void Attach(std::uint32_t idx) {
    if (stack_.empty()) {
      doc().root = static_cast<std::int32_t>(idx);
      return;
    }
    doc().nodes[stack_.back()].kids.push_back(idx);
  }
  void OnScalar(const yaml_event_t& e);
  void CloseCollection(const yaml_event_t& e);
  void FindDashes(SpanNode& n);
  void Layout(SpanDocument& d);

  std::string_view text_;
  Offsets offsets_;
  std::vector<SpanDocument> docs_;
  std::vector<std::uint32_t> stack_;
  std::unordered_map<std::string, std::uint32_t> anchors_;
};

void Builder::OnScalar(const yaml_event_t& e) {
  const auto& sc = e.data.scalar;
  SpanStyle style = SpanStyle::kPlain;
  switch (sc.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = SpanStyle::kSingle; break;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = SpanStyle::kDouble; break;
    case YAML_LITERAL_SCALAR_STYLE: style = SpanStyle::kLiteral; break;
    case YAML_FOLDED_SCALAR_STYLE: style = SpanStyle::kFolded; break;
    default: break;
  }
  const bool key = ExpectingKey();
  const std::uint32_t idx = NewNode(SpanKind::kScalar, style, e, sc.anchor);
  SpanNode& n = doc().nodes[idx];
  if (style == SpanStyle::kLiteral || style == SpanStyle::kFolded) n.end = BlockScalarEnd(text_, n.begin, n.end);
  if (key) {
    SpanNode& map = doc().nodes[stack_.back()];
    std::string_view value(reinterpret_cast<const char*>(sc.value), sc.length);
    std::string k;
    if (sc.tag != nullptr) {
      map.odd_keys = true;
      if (value == "<<") map.has_merge = true;
      k.assign(value);
    } else if (style != SpanStyle::kPlain) {
      k.assign(value);
    } else if (value == "<<") {
      map.has_merge = true;
      k.assign(value);
    } else if (PlainScalarStaysString(value)) {
      k.assign(value);
    } else if (!ScalarKeyText(ResolvePlainScalar(value), k)) {
      map.odd_keys = true;
    }
    map.keys.push_back(std::move(k));
  }
  Attach(idx);
}

void Builder::FindDashes(SpanNode& n) {
  const std::vector<SpanNode>& nodes = doc().nodes;
  std::size_t cursor = n.begin;
  n.dash.reserve(n.kids.size());
  for (std::size_t i = 0; i < n.kids.size(); ++i) {
    const SpanNode& kid = nodes[n.kids[i]];
    std::size_t p = cursor;
    std::size_t found = std::string::npos;
    while (p < kid.begin) {
      const char c = text_[p];
      if (IsBlank(c)) {
        ++p;
      } else if (c == '#') {
        while (p < text_.size() && text_[p] != '\n') ++p;
      } else if (i == 0 && (c == '&' || c == '!') && found == std::string::npos) {
        while (p < kid.begin && !IsBlank(text_[p])) ++p;
      } else if (c == '-' && found == std::string::npos && p + 1 <= text_.size() &&
                 (p + 1 == text_.size() || IsBlank(text_[p + 1]))) {
        found = p++;
      } else {
        break;
      }
    }
    if (found == std::string::npos || p < kid.begin) {
      n.dashes_known = false;
      n.dash.clear();
      return;
    }
    n.dash.push_back(found);
    cursor = std::max(kid.end, kid.begin);
  }
}

void Builder::CloseCollection(const yaml_event_t& e) {
  const std::uint32_t idx = stack_.back();
  stack_.pop_back();
  SpanNode& n = doc().nodes[idx];
  if (n.style == SpanStyle::kFlow) {
    n.end = offsets_.Byte(e.end_mark);
  } else if (!n.kids.empty()) {
    n.end = doc().nodes[n.kids.back()].end;
  }
  if (n.kind == SpanKind::kMapping) {
    if (n.kids.size() % 2 != 0 || n.keys.size() * 2 != n.kids.size()) {
      n.odd_keys = true;
    } else if (n.keys.size() <= 16) {
      for (std::size_t i = 0; i < n.keys.size() && !n.odd_keys; ++i) {
        for (std::size_t j = i + 1; j < n.keys.size(); ++j) {
          if (n.keys[i] == n.keys[j] && n.keys[i] != "<<") {
            n.odd_keys = true;
            break;
          }
        }
      }
    } else {
      std::vector<std::string_view> keys;
      keys.reserve(n.keys.size());
      for (const std::string& k : n.keys) {
        if (k != "<<") keys.emplace_back(k);
      }
      std::sort(keys.begin(), keys.end());
      if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) n.odd_keys = true;
    }
  } else if (n.style == SpanStyle::kBlock) {
    FindDashes(n);
  }
  Attach(idx);
}

void Builder::Layout(SpanDocument& d) {
  auto col = [&](std::size_t p) { return p - LineStart(text_, p); };
  auto line_of_key_before = [&](std::size_t key_end, std::size_t value_begin) {
    return text_.substr(key_end, value_begin - key_end).find('\n') != std::string_view::npos;
  };
  for (const SpanNode& n : d.nodes) {
    if (n.kind == SpanKind::kSequence && n.style == SpanStyle::kBlock && n.dashes_known && !n.kids.empty() &&
        d.item_offset == 0) {
      const SpanNode& k = d.nodes[n.kids[0]];
      if (k.begin > n.dash[0] && text_.substr(n.dash[0], k.begin - n.dash[0]).find('\n') == std::string_view::npos &&
          k.begin - n.dash[0] >= 2) {
        d.item_offset = k.begin - n.dash[0];
      }
    }
    if (n.kind != SpanKind::kMapping || n.style != SpanStyle::kBlock) continue;
    for (std::size_t i = 0; i + 1 < n.kids.size(); i += 2) {
      const SpanNode& key = d.nodes[n.kids[i]];
      const SpanNode& val = d.nodes[n.kids[i + 1]];
      if (val.style != SpanStyle::kBlock || val.kids.empty() || !line_of_key_before(key.end, val.begin)) continue;
      if (val.kind == SpanKind::kMapping && d.indent == 0) {
        const SpanNode& first = d.nodes[val.kids[0]];
        if (col(first.begin) > col(key.begin)) d.indent = col(first.begin) - col(key.begin);
      } else if (val.kind == SpanKind::kSequence && d.sequence_indent < 0 && val.dashes_known) {
        if (col(val.dash[0]) >= col(key.begin))
          d.sequence_indent = static_cast<std::int32_t>(col(val.dash[0]) - col(key.begin));
      }
    }
    if (d.indent != 0 && d.sequence_indent >= 0 && d.item_offset != 0) return;
  }
}

Result<std::vector<SpanDocument>> Builder::Run() {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return Status(StatusCode::kOutOfMemory, "cannot initialise libyaml");
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text_.data()), text_.size());
  yaml_event_t e;
  Status error;
  bool done = false;
  while (!done) {
    if (!yaml_parser_parse(&parser, &e)) {
      error = ParseError(std::string("YAML syntax error: ") + (parser.problem ? parser.problem : "unknown error"));
      break;
    }
    switch (e.type) {
      case YAML_STREAM_END_EVENT: done = true; break;
      case YAML_DOCUMENT_START_EVENT:
        docs_.emplace_back();
        // About one node per 12 bytes in manifests: saves moving the nodes as the vector grows.
        if (docs_.size() == 1) doc().nodes.reserve(text_.size() / 12 + 8);
        doc().begin = offsets_.Byte(e.start_mark);
        doc().has_directives = e.data.document_start.version_directive != nullptr ||
                               e.data.document_start.tag_directives.start != e.data.document_start.tag_directives.end;
        anchors_.clear();
        stack_.clear();
        break;
      case YAML_DOCUMENT_END_EVENT:
        if (!docs_.empty()) {
          doc().end = offsets_.Byte(e.end_mark);
          Layout(doc());
        }
        break;
      case YAML_SCALAR_EVENT: OnScalar(e); break;
      case YAML_ALIAS_EVENT: {
        const bool key = ExpectingKey();
        const std::uint32_t idx = NewNode(SpanKind::kAlias, SpanStyle::kPlain, e, nullptr);
        doc().has_anchors = true;
        std::string name(reinterpret_cast<const char*>(e.data.alias.anchor));
        if (auto it = anchors_.find(name); it != anchors_.end()) doc().nodes[it->second].shared = true;
        doc().nodes[idx].name = std::move(name);
        if (key) {
          doc().nodes[stack_.back()].odd_keys = true;
          doc().nodes[stack_.back()].keys.emplace_back();
        }
        Attach(idx);
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        const bool map = e.type == YAML_MAPPING_START_EVENT;
        if (ExpectingKey()) {
          doc().nodes[stack_.back()].odd_keys = true;
          doc().nodes[stack_.back()].keys.emplace_back();
        }
        const bool flow = map ? e.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                              : e.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
        const std::uint32_t idx =
            NewNode(map ? SpanKind::kMapping : SpanKind::kSequence, flow ? SpanStyle::kFlow : SpanStyle::kBlock, e,
                    map ? e.data.mapping_start.anchor : e.data.sequence_start.anchor);
        stack_.push_back(idx);
        break;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        if (!stack_.empty()) CloseCollection(e);
        break;
      default: break;
    }
    yaml_event_delete(&e);
  }
  yaml_parser_delete(&parser);
  if (!error.ok()) return error;
  return std::move(docs_);
}

}  // namespace

Result<std::vector<SpanDocument>> ParseSpans(std::string_view text) { return Builder(text).Run(); }

Result<std::vector<SpanDocument>> ParseSpans(std::string_view text, std::size_t base) {
  Result<std::vector<SpanDocument>> docs = Builder(text).Run();
  if (!docs.ok() || base == 0) return docs;
  for (SpanDocument& d : *docs) {
    d.begin += base;
    d.end += base;
    for (SpanNode& n : d.nodes) {
      n.begin += base;
      n.end += base;
      for (std::size_t& p : n.dash) p += base;
    }
  }
  return docs;
}

}  // namespace kfix::internal
