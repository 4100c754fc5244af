// Byte spans of the nodes of a YAML (or JSON) stream, for format-preserving
// rendering (render.cpp). Not installed; namespace kfix::internal.
//
// One libyaml event pass records, for every node, where its text starts and
// ends in the original bytes, its style, its anchor or alias, and its
// children; mapping keys are resolved to the strings the loader uses. Nothing
// is built for nodes' values: the renderer reads those from the loaded
// objects.
//
// Thread safety: reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"

namespace kfix::internal {

enum class SpanKind : std::uint8_t { kScalar, kSequence, kMapping, kAlias };
enum class SpanStyle : std::uint8_t { kPlain, kSingle, kDouble, kLiteral, kFolded, kBlock, kFlow };

struct SpanNode {
  SpanKind kind = SpanKind::kScalar;
  SpanStyle style = SpanStyle::kPlain;
  bool has_anchor = false;   ///< carries `&name`
  bool shared = false;       ///< carries `&name` and an alias refers to it
  bool has_merge = false;    ///< mapping with a `<<` key
  bool odd_keys = false;     ///< mapping with a tagged, alias or duplicate key
  bool dashes_known = true;  ///< sequence: every item's `-` was found
  /// A mapping's value whose lines were left out of the parse (render.cpp's
  /// subtree pass: a value the fix does not change). Its begin, end, style and
  /// children are not known; nothing may read them.
  bool elided = false;
  /// A mapping's block collection value cut down to its last child's lines
  /// (render.cpp's subtree pass): only its end is known.
  bool trimmed = false;
  std::size_t begin = 0;     ///< first byte (anchor and tag included)
  std::size_t end = 0;       ///< one past the last byte of content (block scalars: trailing blank lines excluded unless kept)
  std::string name;          ///< alias: the anchor it refers to; otherwise its own anchor
  /// Mapping: key, value, key, value, ...; sequence: items. Indices into SpanDocument::nodes.
  std::vector<std::uint32_t> kids;
  std::vector<std::string> keys;  ///< mapping: the loader's key string per member
  std::vector<std::size_t> dash;  ///< block sequence: the byte of each item's `-`
};

struct SpanDocument {
  std::vector<SpanNode> nodes;
  std::int32_t root = -1;     ///< index of the root node, -1 for an empty document
  std::size_t begin = 0;      ///< first byte of the document (its `---` when explicit)
  std::size_t end = 0;
  /// Layout seen in the document (defaults when nothing nested was seen).
  std::size_t indent = 0;           ///< 0 = unknown
  std::int32_t sequence_indent = -1;  ///< -1 = unknown
  std::size_t item_offset = 0;      ///< 0 = unknown
  bool has_anchors = false;     ///< some node carries `&name` or is an alias
  bool has_directives = false;  ///< `%YAML` / `%TAG` before the document
};

/// Parses `text` into spans, one SpanDocument per libyaml document (the
/// loader's document numbering). Errors: kParseError with libyaml's message.
Result<std::vector<SpanDocument>> ParseSpans(std::string_view text);

/// The same for a piece of a larger text that starts at byte `base` of it:
/// every position in the result is shifted by `base`.
Result<std::vector<SpanDocument>> ParseSpans(std::string_view text, std::size_t base);

}  // namespace kfix::internal
