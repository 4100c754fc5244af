// Internal YAML helpers shared by the loader (yaml_load.cpp), the emitter
// (yaml_emit.cpp), tests and benchmarks. Not installed; namespace
// kfix::internal. The resolution rules are documented row by row in
// docs/yaml-semantics.md.
//
// Thread safety: all functions are reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/core.hpp"

namespace kfix::internal {

/// Resolves a plain (unquoted, untagged) scalar the way go-yaml v2 does for
/// an interface{} target (YAML 1.1 bools/nulls, base-0 ints with `_`,
/// float syntax, .inf/.nan): returns a null, bool, int, double or string
/// Value. Integers outside int64 become doubles; anything else is a string.
Value ResolvePlainScalar(std::string_view text);

/// True when ResolvePlainScalar(text) would yield a string equal to `text`
/// (i.e. the text can be emitted unquoted as far as type resolution goes).
bool PlainScalarStaysString(std::string_view text);

/// The map-key text sigs.k8s.io/yaml produces for a non-string scalar key:
/// ints in decimal, bools "true"/"false", floats with Go's
/// strconv.FormatFloat(f, 'g', -1, 32) (".inf", "-.inf", ".nan" for the
/// non-finite ones). Returns false for null/array/object (unsupported key).
bool ScalarKeyText(const Value& v, std::string& out);

/// Callback receiving each document root as it completes: (0-based document
/// index, root). A null root is an empty document.
using YamlDocumentFn = std::function<void(std::int32_t document, Value&& root)>;

/// Runs the event-API loader over a whole stream. Per-document semantic errors
/// (limits, complex keys, bad tags, strict duplicates) skip that document and
/// continue; a libyaml syntax error stops the stream (documents completed
/// before it were already delivered). Returns the number of documents seen.
/// `nodes`, when given, receives the nodes built (ParseOptions::max_total_nodes).
std::int32_t LoadYamlStream(std::string_view text, std::string_view file, const ParseOptions& options,
                            const YamlDocumentFn& on_document, std::vector<Status>& errors,
                            std::vector<Status>& warnings, std::size_t* nodes = nullptr);

/// How block YAML is laid out: `indent` spaces per nested mapping,
/// `sequence_indent` spaces between a key and the dashes of its sequence (0 =
/// indentless, as kubectl writes), `item_offset` columns from a dash to its
/// item's content (at least 2).
struct YamlBlockStyle {
  std::size_t indent = 2;
  std::size_t sequence_indent = 0;
  std::size_t item_offset = 2;
};

/// Appends `value` as block YAML at `indent` spaces (every line ends with a
/// newline). With `first_inline` the first line is not indented (it follows
/// "- " or a position the caller already indented). Scalars and empty
/// collections are one line. ToYaml(v) is AppendYamlBlock(out, v, 0, false, {}).
void AppendYamlBlock(std::string& out, const Value& value, std::size_t indent, bool first_inline,
                     const YamlBlockStyle& style);
/// A scalar (or `[]` / `{}`) as ToYaml writes it: plain when it loads back as
/// the same value, double-quoted otherwise.
void AppendYamlScalar(std::string& out, const Value& value);
/// A YAML double-quoted scalar that loads back as `s`.
void AppendYamlDoubleQuoted(std::string& out, std::string_view s);
/// True when `s` can be written as a plain block scalar and load back as `s`.
bool YamlCanBePlain(std::string_view s);

}  // namespace kfix::internal
