// Internals of RenderPatches (render.cpp) that tests reach. Not installed;
// namespace kfix::internal.
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

/// Where a text edit belongs in the document's node tree: inside the node,
/// or new children of the collection at its end or before its child `before`.
enum class EditAt : std::uint8_t { kInside, kEnd, kBefore };

/// A text edit as the renderer makes it: bytes [begin, end) of the original
/// replaced by `text`; `node` is the JSON pointer (from the document root) of
/// the node it belongs to.
struct TextEdit {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string text;
  std::string node;
  EditAt at = EditAt::kInside;
  std::size_t before = 0;
};

/// The local reload check on its own: applies `edits` to `original` and
/// answers whether the check proves, without loading the whole new text, that
/// document `document` (one object, not a `kind: List`) loads to `after`
/// (false also when it cannot tell). *text receives the new text.
bool LocalReloadCheck(std::string_view original, const std::vector<TextEdit>& edits, std::int32_t document,
                      const Value& after, const ParseOptions& options, std::string* text);

/// RenderPatches without its fast path: the spans of every fixed file come
/// from one parse of the whole file. RenderPatches must give the same result
/// (tests compare the two).
Result<RenderedFile> RenderPatchesWholeSpans(std::string_view original, std::string_view file,
                                             const std::vector<ObjectPatch>& patches,
                                             const RenderOptions& options = {});

/// RenderPatches' fast path on its own: the spans of the edited collections
/// only (the rest left out of the parse as render.cpp's Elider says). Fails
/// with kUnsupported where RenderPatches takes the whole-file pass; tests use
/// it to know that a case goes through the fast path.
Result<RenderedFile> RenderPatchesSubtreesOnly(std::string_view original, std::string_view file,
                                               const std::vector<ObjectPatch>& patches,
                                               const RenderOptions& options = {});

}  // namespace kfix::internal
