// kfix/core.hpp - the core layer: document model, YAML/JSON I/O, RFC 6901
// pointers, RFC 6902 patches, canonical JSON and the workload view.
//
// Everything else in kfix (rules, remediation, guard, risk, ...) is written
// against the types in this header. No third-party type appears here.
//
// Thread safety: all functions are reentrant; `Value` objects are plain values
// (copies are deep) and may be read concurrently but not mutated concurrently.
//
// Example:
//   kfix::LoadResult r = kfix::LoadManifests(text, "deploy.yaml");
//   for (const kfix::Status& e : r.errors) std::cerr << e.ToString() << "\n";
//   for (const kfix::Manifest& m : r.manifests) {
//     const kfix::Value* kind = m.root.Find("kind");
//     ...
//   }
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "kfix/status.hpp"

namespace kfix {

// ---------------------------------------------------------------------------
// Document model
// ---------------------------------------------------------------------------

struct Member;

/// Value: kfix's JSON-compatible value tree (null, bool, int64, double,
/// string, array, object). Objects keep insertion order. Every node records
/// the 1-based line and column where it started in its source (0 = built in
/// memory). Copies are deep; equality ignores positions and treats numbers
/// numerically (1 == 1.0), as RFC 6902 `test` requires.
class Value {
 public:
  enum class Type : std::uint8_t { kNull, kBool, kInt, kDouble, kString, kArray, kObject };
  using Array = std::vector<Value>;
  using Object = std::vector<Member>;

  // Constructors are defined after `Member` (below): clang with libstdc++
  // needs Member complete to instantiate the variant constructors.
  Value() noexcept;
  Value(std::nullptr_t) noexcept;                               // NOLINT
  Value(bool b) noexcept;                                       // NOLINT
  template <typename I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
  Value(I i) noexcept : data_(std::in_place_index<2>, i) {}     // NOLINT
  Value(double d) noexcept;                                     // NOLINT
  Value(std::string s) noexcept;                                // NOLINT
  Value(std::string_view s);                                    // NOLINT
  Value(const char* s);                                         // NOLINT
  Value(Array a) noexcept;   // NOLINT
  Value(Object o) noexcept;  // NOLINT

  static Value MakeArray();
  static Value MakeObject();

  Type type() const noexcept { return static_cast<Type>(data_.index()); }
  /// "null", "boolean", "integer", "number", "string", "array", "object".
  const char* type_name() const noexcept;
  bool is_null() const noexcept { return type() == Type::kNull; }
  bool is_bool() const noexcept { return type() == Type::kBool; }
  bool is_int() const noexcept { return type() == Type::kInt; }
  bool is_double() const noexcept { return type() == Type::kDouble; }
  bool is_number() const noexcept { return is_int() || is_double(); }
  bool is_string() const noexcept { return type() == Type::kString; }
  bool is_array() const noexcept { return type() == Type::kArray; }
  bool is_object() const noexcept { return type() == Type::kObject; }

  /// Typed accessors. Precondition: the matching is_*() holds.
  bool as_bool() const { return std::get<bool>(data_); }
  std::int64_t as_int() const { return std::get<std::int64_t>(data_); }
  double as_double() const { return std::get<double>(data_); }
  /// Any number as double.
  double as_number() const { return is_int() ? static_cast<double>(as_int()) : as_double(); }
  const std::string& as_string() const { return std::get<std::string>(data_); }
  std::string& as_string() { return std::get<std::string>(data_); }
  const Array& as_array() const { return std::get<Array>(data_); }
  Array& as_array() { return std::get<Array>(data_); }
  const Object& as_object() const { return std::get<Object>(data_); }
  Object& as_object() { return std::get<Object>(data_); }

  /// Convenience: the string if this is a string, else `fallback`.
  std::string_view string_or(std::string_view fallback = {}) const noexcept {
    return is_string() ? std::string_view(std::get<std::string>(data_)) : fallback;
  }

  /// Number of elements (array) or members (object); 0 otherwise.
  std::size_t size() const noexcept;

  // Object access ------------------------------------------------------------
  /// The member value for `key`, or nullptr if absent or not an object.
  /// With duplicate keys (non-strict load) the last one wins at load time, so
  /// keys are unique in a loaded tree.
  const Value* Find(std::string_view key) const noexcept;
  Value* Find(std::string_view key) noexcept;
  const Member* FindMember(std::string_view key) const noexcept;
  Member* FindMember(std::string_view key) noexcept;
  /// Nested lookup: Find(a)->Find(b)->... ; nullptr as soon as one is missing.
  const Value* FindPath(std::initializer_list<std::string_view> keys) const noexcept;
  /// Sets `key` (replacing in place, keeping its order) or appends it.
  /// Precondition: is_object(). Returns the stored value.
  Value& Set(std::string_view key, Value v);
  /// Removes `key`; returns whether it existed. Precondition: is_object().
  bool Erase(std::string_view key);

  // Array access -------------------------------------------------------------
  /// Precondition: is_array().
  void PushBack(Value v);

  // Positions ----------------------------------------------------------------
  std::int32_t line() const noexcept { return line_; }
  std::int32_t column() const noexcept { return column_; }
  void set_position(std::int32_t line, std::int32_t column) noexcept {
    line_ = line;
    column_ = column;
  }

  /// Deep equality: types must match except that int and double compare by
  /// numeric value; object member order is ignored; positions are ignored.
  friend bool operator==(const Value& a, const Value& b) noexcept;
  friend bool operator!=(const Value& a, const Value& b) noexcept { return !(a == b); }

 private:
  std::variant<std::monostate, bool, std::int64_t, double, std::string, Array, Object> data_;
  std::int32_t line_ = 0;
  std::int32_t column_ = 0;
};

/// One object member: key, value, and the position of the key in the source.
struct Member {
  std::string key;
  Value value;
  std::int32_t key_line = 0;    ///< 1-based line of the key, 0 = unknown
  std::int32_t key_column = 0;  ///< 1-based column of the key, 0 = unknown
};

inline Value::Value() noexcept {}
inline Value::Value(std::nullptr_t) noexcept {}
inline Value::Value(bool b) noexcept : data_(b) {}
inline Value::Value(double d) noexcept : data_(d) {}
inline Value::Value(std::string s) noexcept : data_(std::move(s)) {}
inline Value::Value(std::string_view s) : data_(std::string(s)) {}
inline Value::Value(const char* s) : data_(std::string(s)) {}
inline Value::Value(Array a) noexcept : data_(std::move(a)) {}
inline Value::Value(Object o) noexcept : data_(std::move(o)) {}
inline Value Value::MakeArray() { return Value(Array{}); }
inline Value Value::MakeObject() { return Value(Object{}); }

// ---------------------------------------------------------------------------
// Manifests and loading
// ---------------------------------------------------------------------------

/// The identity of a Kubernetes object as kube-linter reports it.
struct ObjectRef {
  std::string api_version;
  std::string kind;
  std::string namespace_;  ///< "" when metadata.namespace is absent
  std::string name;
};

/// One Kubernetes object out of a file: its tree and where it came from.
struct Manifest {
  std::string file;           ///< source name as given to the loader
  std::int32_t document = 0;  ///< 0-based index in the YAML stream (empty documents are counted)
  std::int32_t item = -1;     ///< 0-based index inside a `kind: List`, -1 otherwise
  Value root;                 ///< the object (for List items: the item)

  /// apiVersion / kind / metadata.namespace / metadata.name (empty when absent).
  ObjectRef Ref() const;
  /// file/document/item as a SourceLocation (line/column of the object root).
  SourceLocation Location() const;
};

/// Limits and switches for loading. Defaults are safe for untrusted input and
/// generous for real manifests.
struct ParseOptions {
  std::size_t max_depth = 128;                       ///< nesting of collections
  std::size_t max_document_bytes = 64u << 20;        ///< input size per call
  std::size_t max_scalar_bytes = 16u << 20;          ///< one scalar
  std::size_t max_alias_expansion = 1u << 20;        ///< nodes produced by alias expansion per document
  std::size_t max_nodes = 16u << 20;                 ///< nodes per document (after expansion)
  /// Nodes per call (a file: all its documents together, after expansion;
  /// keys count). Past it the rest of the stream is not read. With
  /// max_documents it bounds the memory one file can take: a 64 MiB file at
  /// the limits stays well under 1 GB in every command (docs/yaml-semantics.md R24).
  std::size_t max_total_nodes = 4u << 20;
  std::size_t max_documents = 256u << 10;            ///< documents per call (a file), empty ones included
  std::size_t max_errors = 1000;                     ///< errors per call before the rest is not read; warnings past it are counted, not kept
  bool strict_duplicate_keys = false;  ///< duplicate keys: error (true) or warning, last wins (false)
  bool expand_lists = true;            ///< expand `kind: List` into its items
  bool require_objects = true;         ///< a non-empty document that is not a mapping is an error
};

/// What a load produced. Loading never throws and never silently drops:
/// everything that could be read is in `manifests`; each problem is in
/// `errors` (the document was not loaded) or `warnings` (loaded, with a
/// caveat such as a duplicate key). Errors carry file, line, column, document.
struct LoadResult {
  std::vector<Manifest> manifests;
  std::vector<Status> errors;
  std::vector<Status> warnings;
  std::int32_t documents = 0;  ///< documents seen in the stream (empty ones included)
  std::size_t nodes = 0;       ///< nodes built (what ParseOptions::max_total_nodes counts)
};

/// Loads a YAML stream (multi-document, YAML 1.1 resolution as Kubernetes
/// loads manifests; see docs/yaml-semantics.md). JSON input is YAML too, but
/// LoadManifests() routes it to the faster JSON parser.
LoadResult LoadYaml(std::string_view text, std::string_view file, const ParseOptions& options = {});

/// Loads manifests from YAML or JSON text (JSON when the first non-blank
/// character is `{` or `[`; a top-level JSON array is a list of objects).
LoadResult LoadManifests(std::string_view text, std::string_view file, const ParseOptions& options = {});

/// Reads and loads one file. An unreadable file yields one error.
LoadResult LoadFile(const std::string& path, const ParseOptions& options = {});
/// Same, and moves the file's text into `*text` (left empty when unreadable).
LoadResult LoadFile(const std::string& path, const ParseOptions& options, std::string* text);

/// Parses one YAML document into a Value (first document of the stream;
/// more than one document is an error). Empty input yields null.
Result<Value> ParseYaml(std::string_view text, const ParseOptions& options = {});

/// Parses strict JSON (RFC 8259) into a Value with positions. Integers that
/// fit int64 are ints, others doubles. Invalid UTF-8 is an error.
Result<Value> ParseJson(std::string_view text, const ParseOptions& options = {});

/// Expands PATH arguments as the CLI does: a file is taken as is, a directory
/// is walked recursively for *.yaml, *.yml, *.json (sorted), "-" stays "-".
Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& paths);

/// What LoadPaths() should do besides loading.
struct LoadPathsOptions {
  ParseOptions parse;
  /// Threads that load files; <= 0 means one per hardware thread. The calling
  /// thread is one of them.
  int jobs = 1;
  /// Files (as ExpandPaths() would list them) for which this returns true are
  /// left out: not read, not returned. Called on the calling thread only. If
  /// it throws, LoadPaths returns kInvalidArgument with the exception's text.
  std::function<bool(const std::string&)> skip;
  /// Called after each file is loaded with (files loaded, files found so far):
  /// the second number grows while directories are still being walked. Called
  /// from the loading threads, one call at a time; it must not throw.
  std::function<void(std::size_t loaded, std::size_t found)> progress;
  /// Keep each file's text in LoadedFile::text (for rendering it back).
  bool keep_text = false;
  /// Limits for the whole run (every file together); `parse` holds the
  /// per-file ones. A file that would start past either is not loaded: its
  /// LoadResult has one kLimitExceeded error naming the limit. A file that
  /// starts under them may finish past them (by at most one file per thread).
  std::size_t max_run_nodes = 32u << 20;
  std::size_t max_run_documents = 1u << 20;
};

/// One file loaded by LoadPaths().
struct LoadedFile {
  std::string path;
  LoadResult result;
  /// Which of the `jobs` threads loaded it, a number in [0, jobs): equal
  /// numbers mean the same thread. Freeing a file's trees on the thread that
  /// built them keeps allocator arenas apart, so callers that free in
  /// parallel can group the work by this.
  int worker = 0;
  /// The file's bytes, with LoadPathsOptions::keep_text only.
  std::string text;
};

/// Expands `paths` exactly as ExpandPaths() does and loads every file
/// (LoadFile(); "-" reads stdin) on `options.jobs` threads. Loading starts
/// while the directories are still being walked. The result lists the files in
/// ExpandPaths() order whatever the thread timing, so it is deterministic.
/// Returns ExpandPaths()'s error (a PATH that does not exist, an unreadable
/// directory) and then nothing is returned; a file that cannot be read or
/// parsed is not an error here but an error inside its LoadResult.
/// Thread safety: reentrant; reading "-" concurrently is the caller's problem.
Result<std::vector<LoadedFile>> LoadPaths(const std::vector<std::string>& paths, const LoadPathsOptions& options = {});

/// The files' results as one LoadResult, in file order: manifests, errors
/// and warnings concatenated, documents summed. Consumes `files`.
LoadResult MergeLoadedFiles(std::vector<LoadedFile>&& files);

/// Reads a whole file ("-" = stdin). Errors name the path.
Result<std::string> ReadFileToString(const std::string& path, std::size_t max_bytes = 256u << 20);

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

enum class JsonStyle {
  kCompact,    ///< no whitespace, member order kept
  kPretty,     ///< 2-space indentation, member order kept
  kCanonical,  ///< keys sorted by code point, no whitespace, shortest numbers; the form kfix hashes and signs
};

/// Serialises to JSON. Non-finite doubles (YAML .inf/.nan) become null.
std::string ToJson(const Value& value, JsonStyle style = JsonStyle::kCompact);
/// Appends to `out` (avoids a copy in hot loops).
void AppendJson(std::string& out, const Value& value, JsonStyle style = JsonStyle::kCompact);
/// Escapes a string as a JSON string literal (with quotes).
std::string JsonQuote(std::string_view s);

/// The one JSON shape of a Status in every kfix document and surface:
/// {"code": "parse_error", "message": ..., "file", "line", "column",
/// "document", "item", "pointer"}, each location member present only when
/// known (file non-empty, line/column > 0, document/item >= 0 - so "item"
/// only inside a `kind: List` -, pointer non-empty). `message` is the bare
/// message; the position is in the other members. The C ABI's detail_json
/// and Python's Error.detail are this value with the numeric code.
Value StatusToValue(const Status& status);

/// The one JSON shape of an object's identity in every document:
/// {"apiVersion", "kind", "namespace", "name"} (all four, "" when unset).
Value ObjectRefToValue(const ObjectRef& ref);

/// The `kfix parse --format json` document: {"schemaVersion": 2, "objects":
/// [{file, document, item (List items only), line, column, apiVersion, kind,
/// namespace, name, object (with `with_objects`)}], "errors", "warnings"}.
Value LoadResultToValue(const LoadResult& loaded, bool with_objects = false);

/// Block-style YAML that keeps key order and quotes strings that would
/// otherwise resolve to another type, so LoadYaml(ToYaml(v)) == v.
std::string ToYaml(const Value& value);

// ---------------------------------------------------------------------------
// RFC 6901 JSON Pointer
// ---------------------------------------------------------------------------

/// JsonPointer: a parsed RFC 6901 pointer (a list of unescaped tokens).
/// "" is the whole document; "/" is the member with the empty key.
class JsonPointer {
 public:
  JsonPointer() = default;
  explicit JsonPointer(std::vector<std::string> tokens) : tokens_(std::move(tokens)) {}

  /// Parses "/a/b~1c/0". Errors: missing leading "/", bad "~" escape.
  static Result<JsonPointer> Parse(std::string_view text);
  /// Escapes one token ("~" -> "~0", "/" -> "~1").
  static std::string EscapeToken(std::string_view token);

  const std::vector<std::string>& tokens() const noexcept { return tokens_; }
  bool empty() const noexcept { return tokens_.empty(); }
  std::size_t size() const noexcept { return tokens_.size(); }
  const std::string& back() const { return tokens_.back(); }

  /// The pointer text, each token escaped exactly once.
  std::string ToString() const;

  JsonPointer Child(std::string_view token) const;
  JsonPointer Child(std::size_t index) const;
  JsonPointer Parent() const;  ///< precondition: !empty()
  /// True if this is `other` or an ancestor of it.
  bool IsPrefixOf(const JsonPointer& other) const noexcept;

  friend bool operator==(const JsonPointer& a, const JsonPointer& b) { return a.tokens_ == b.tokens_; }
  friend bool operator!=(const JsonPointer& a, const JsonPointer& b) { return !(a == b); }
  friend bool operator<(const JsonPointer& a, const JsonPointer& b) { return a.tokens_ < b.tokens_; }

 private:
  std::vector<std::string> tokens_;
};

/// Resolves a pointer. Errors (kNotFound / kInvalidArgument) name the failing
/// segment, e.g. `"/spec/x": member "x" not found in object at "/spec"`.
Result<const Value*> Resolve(const Value& root, const JsonPointer& pointer);
Result<Value*> ResolveMutable(Value& root, const JsonPointer& pointer);
/// nullptr when the pointer does not resolve.
const Value* Lookup(const Value& root, const JsonPointer& pointer) noexcept;

// ---------------------------------------------------------------------------
// RFC 6902 JSON Patch (and RFC 7386 merge patch)
// ---------------------------------------------------------------------------

enum class PatchOpType { kAdd, kRemove, kReplace, kMove, kCopy, kTest };
const char* PatchOpName(PatchOpType op) noexcept;

struct PatchOp {
  PatchOpType op = PatchOpType::kAdd;
  JsonPointer path;
  JsonPointer from;  ///< move/copy only
  Value value;       ///< add/replace/test only
};

/// Patch: an ordered list of ops.
using Patch = std::vector<PatchOp>;

/// Parses a patch document (a JSON array of op objects). Missing members,
/// wrong member types, unknown ops and bad pointers are errors naming the op
/// index. Unknown extra members are ignored, as RFC 6902 §4 requires.
Result<Patch> ParsePatch(const Value& patch_json);
Result<Patch> ParsePatch(std::string_view patch_json_text);
/// The patch as a JSON array value (ops in order).
Value PatchToValue(const Patch& patch);
std::string PatchToJson(const Patch& patch, JsonStyle style = JsonStyle::kCompact);

/// Applies a patch atomically: on any failure `doc` is unchanged and the
/// status names the op index and reason (kPatchConflict, kTestFailed,
/// kInvalidArgument).
Status ApplyPatch(Value& doc, const Patch& patch);
/// Applies to a copy and returns it.
Result<Value> ApplyPatchCopy(const Value& doc, const Patch& patch);

/// A small RFC 6902 patch that turns `from` into `to` (add/remove/replace
/// only; arrays compared element-wise). ApplyPatch(from, Diff(from, to)) == to.
Patch Diff(const Value& from, const Value& to);

/// RFC 7386 JSON Merge Patch applied to a copy of `target`.
Value MergePatch(const Value& target, const Value& merge_patch);

// ---------------------------------------------------------------------------
// Time (RFC 3339)
// ---------------------------------------------------------------------------

/// Parses an RFC 3339 timestamp: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`
/// (`t`/`z` and a space for `T` accepted; fractions kept to the
/// microsecond). Values are checked (month 1-12, day within the month, hour
/// <= 23, minute <= 59, second <= 60 with a leap second folded onto :59).
/// kInvalidArgument naming the position and the cause otherwise.
Result<std::chrono::system_clock::time_point> ParseRfc3339(std::string_view text);
/// RFC 3339 UTC with second precision (truncated), e.g. "2026-04-20T10:00:00Z".
std::string FormatRfc3339(std::chrono::system_clock::time_point t);

// ---------------------------------------------------------------------------
// Workload view
// ---------------------------------------------------------------------------

enum class ContainerGroup { kInit, kRegular, kEphemeral };
/// "initContainers", "containers", "ephemeralContainers".
const char* ContainerGroupField(ContainerGroup g) noexcept;

/// One container of a pod spec.
struct ContainerRef {
  ContainerGroup group = ContainerGroup::kRegular;
  std::size_t index = 0;          ///< index inside its group
  JsonPointer pointer;            ///< pointer to the container object
  const Value* container = nullptr;  ///< points into the viewed object
  std::string name;               ///< "" when the container has no name
};

/// Where the pod template lives inside a workload object.
struct WorkloadView {
  std::string kind;
  JsonPointer pod_spec_pointer;       ///< e.g. /spec/template/spec
  JsonPointer pod_metadata_pointer;   ///< e.g. /spec/template/metadata (/metadata for Pod)
  const Value* pod_spec = nullptr;      ///< nullptr when absent in the object
  const Value* pod_metadata = nullptr;  ///< nullptr when absent in the object
  std::vector<ContainerRef> containers; ///< init, regular, then ephemeral, in source order
};

/// Kinds with a pod template ("DeploymentLike" in kube-linter): Pod,
/// Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
/// Job, CronJob, DeploymentConfig.
bool IsWorkloadKind(std::string_view kind) noexcept;
/// The pod-spec pointer for a workload kind (CronJob:
/// /spec/jobTemplate/spec/template/spec); empty optional for other kinds.
std::optional<JsonPointer> PodSpecPointerForKind(std::string_view kind);
/// True for the kinds whose `spec.selector` is a plain label map
/// (ReplicationController, DeploymentConfig) rather than a LabelSelector.
bool HasLabelMapSelector(std::string_view kind) noexcept;

/// Views an object as a workload. nullopt if its kind is not a workload kind.
/// The view points into `object`, which must outlive it and not be mutated.
std::optional<WorkloadView> ViewWorkload(const Value& object);

// ---------------------------------------------------------------------------
// Hashing and Kubernetes values
// ---------------------------------------------------------------------------

/// Lowercase hex SHA-256 of `bytes` (64 characters).
std::string Sha256Hex(std::string_view bytes);

/// Kubernetes resource quantity ("100m", "1.5Gi", "2", 1) in base units
/// (cores, bytes), with Kubernetes' grammar (resource.ParseQuantity: a signed
/// decimal number and a binary-SI, decimal-SI or decimal-exponent suffix, no
/// spaces). Errors for malformed quantities.
Result<double> ParseQuantity(const Value& quantity);

// ---------------------------------------------------------------------------
// Format-preserving rendering (docs/write-back.md)
// ---------------------------------------------------------------------------

/// One object's patch inside a file: the object is found as the loader
/// numbers it (Manifest::document / Manifest::item).
struct ObjectPatch {
  std::int32_t document = 0;  ///< 0-based document index in the stream
  std::int32_t item = -1;     ///< index inside a `kind: List` or top-level JSON array, -1 for the document
  Patch patch;                ///< RFC 6902, relative to the object
  /// Optional: the object as the caller loaded it. When set, the render fails
  /// (kVerificationFailed) if the text no longer loads to it (the file
  /// changed since it was read). Must outlive the call.
  const Value* object = nullptr;
};

/// An object the renderer left unchanged, and why (the caller reports it as
/// needs-review).
struct RenderRefusal {
  std::int32_t document = 0;
  std::int32_t item = -1;
  std::string reason;
};

/// What RenderPatches() produced.
struct RenderedFile {
  std::string text;      ///< the new bytes (the original bytes when nothing changed)
  bool changed = false;  ///< text != original
  /// Byte ranges [first, second) of the original that were replaced or
  /// removed, sorted and disjoint; every other byte of the original is in
  /// `text` unchanged and in the same order. Insertions add no range.
  std::vector<std::pair<std::size_t, std::size_t>> replaced;
  /// Where the renderer re-emitted a node instead of editing it in place
  /// (comments inside that node are not kept), e.g. "/spec/x: expanded alias *base".
  std::vector<std::string> notes;
  std::vector<RenderRefusal> refused;  ///< objects left unchanged
};

struct RenderOptions {
  /// The options the file was loaded with (object numbering and limits).
  ParseOptions parse;
  /// Optional: every object of the file exactly as LoadManifests(original,
  /// file, parse) returns them, in order (the caller already loaded the file
  /// without errors). Saves parsing the original again. Must outlive the call.
  const std::vector<const Manifest*>* objects = nullptr;
};

/// Applies each object's patch to `original` (YAML or JSON, as
/// LoadManifests() reads it) as text edits on the original bytes: every byte
/// outside the edited nodes stays as it was (comments, blank lines, quoting,
/// flow/block style, indentation, key order, document markers, CRLF, a BOM,
/// anchors, block scalars). New keys and items follow their siblings'
/// indentation and style; a replaced scalar keeps its quoting where the new
/// value allows it. An edit inside a node whose anchor an alias shares is
/// refused (RenderedFile::refused); an edit at an alias expands that alias.
/// The result is checked: LoadManifests(text) equals the original objects with
/// the patches applied, or the edited objects are re-emitted whole (noted);
/// if even that does not reproduce them, the result is kInternal. Errors:
/// kParseError (the original does not load cleanly), kNotFound (no such
/// object), kPatchConflict / kTestFailed (a patch does not apply).
Result<RenderedFile> RenderPatches(std::string_view original, std::string_view file,
                                   const std::vector<ObjectPatch>& patches, const RenderOptions& options = {});

// ---------------------------------------------------------------------------
// Safe file writes
// ---------------------------------------------------------------------------

struct WriteOptions {
  /// Mode bits of a new file; an existing target keeps its own mode unless
  /// `force_mode`.
  unsigned mode = 0644;
  bool force_mode = false;
  /// Create missing parent directories (mode 0755) under `root`.
  bool create_parents = true;
  /// Files that must not be overwritten (inputs): a target that is the same
  /// inode as one of them is refused with kPermissionDenied.
  std::vector<std::string> protect;
  /// More protected files, by reference (a long list many writes share, not
  /// copied per write); null = none. Must outlive the call.
  const std::vector<std::string>* protect_shared = nullptr;
};

/// Writes `data` to `root`/`relative` without following any symlink: every
/// directory component is opened with O_NOFOLLOW from `root` (".." and
/// absolute components are refused), the bytes go to a temporary file in the
/// target's directory which is fsync'ed and renamed over the target, then the
/// directory is fsync'ed. The target is never truncated in place: a crash
/// leaves the old file or the new one. An existing target keeps its mode.
/// Errors: kPermissionDenied (a symlink on the way or as the target, a
/// protected inode), kInvalidArgument (bad relative path), kIoError.
Status WriteFileSafely(const std::string& root, const std::string& relative, std::string_view data,
                       const WriteOptions& options = {});

}  // namespace kfix
