// Fuzz target: ParsePatch + ApplyPatch, differential against
// nlohmann::json::patch.
//
// Input: "<document JSON>\n<patch JSON>" (split at the first newline).
// Checks:
// - no crash / hang; failures are PatchConflict / TestFailed / InvalidArgument;
// - atomicity: a failed ApplyPatch leaves the document equal to its input;
// - ApplyPatch and ApplyPatchCopy agree;
// - when kfix parses both texts and nlohmann does too, both succeed or both
//   fail, and successful results are equal.
// Deliberate differences (docs/error-codes.md), excluded from the comparison:
// - add/move/copy whose parent is `null`: nlohmann turns the null into an
//   object, kfix follows RFC 6902 §4.1 (the parent must exist as a container);
// - move with from == path == "": kfix no-op, nlohmann removes the root first
//   and fails;
// - add/move/copy whose parent is a string, number or boolean: both fail in
//   principle, but nlohmann 3.11.2 reaches `JSON_ASSERT(false)` there (abort
//   with assertions on, silent no-op with NDEBUG), so it is not called;
// - remove whose parent is a scalar: kfix fails (the target does not exist),
//   nlohmann silently does nothing and succeeds;
// - a NUL byte in the input: nlohmann's lexer treats it as end of input.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kfix/core.hpp"

namespace {
[[noreturn]] void Die(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_patch: %s\ninput: %.*s\n", what, static_cast<int>(input.size()), input.data());
  std::abort();
}

bool HasDeliberateDifference(const kfix::Patch& patch, const kfix::Status& s) {
  for (const kfix::PatchOp& op : patch) {
    if (op.op == kfix::PatchOpType::kMove && op.from.empty() && op.path.empty()) return true;
  }
  return !s.ok() && (s.message().find("cannot add member ") != std::string::npos ||
                     s.message().find("cannot remove \"") != std::string::npos);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl_pos = input.find('\n');
  if (nl_pos == std::string_view::npos) return 0;
  const std::string_view doc_text = input.substr(0, nl_pos);
  const std::string_view patch_text = input.substr(nl_pos + 1);

  kfix::Result<kfix::Value> doc = kfix::ParseJson(doc_text);
  kfix::Result<kfix::Patch> patch = kfix::ParsePatch(patch_text);
  if (!patch.ok() && patch.status().code() != kfix::StatusCode::kParseError &&
      patch.status().code() != kfix::StatusCode::kLimitExceeded) {
    Die("ParsePatch: unexpected code", input);
  }
  if (!doc.ok() || !patch.ok()) return 0;

  kfix::Value work = *doc;
  const kfix::Status s = kfix::ApplyPatch(work, *patch);
  kfix::Result<kfix::Value> copy = kfix::ApplyPatchCopy(*doc, *patch);
  if (s.ok() != copy.ok()) Die("ApplyPatch and ApplyPatchCopy disagree", input);
  if (s.ok()) {
    if (!(work == *copy)) Die("ApplyPatch and ApplyPatchCopy results differ", input);
    // Round trip of the patch itself.
    kfix::Result<kfix::Patch> again = kfix::ParsePatch(std::string_view(kfix::PatchToJson(*patch)));
    if (!again.ok()) Die("PatchToJson does not re-parse", input);
  } else {
    if (!(work == *doc)) Die("failed ApplyPatch changed the document", input);
    const kfix::StatusCode c = s.code();
    if (c != kfix::StatusCode::kPatchConflict && c != kfix::StatusCode::kTestFailed &&
        c != kfix::StatusCode::kInvalidArgument) {
      Die("ApplyPatch: unexpected code", input);
    }
    if (s.message().rfind("op ", 0) != 0) Die("ApplyPatch error does not name the op", input);
  }

  // Differential against nlohmann::json::patch.
  if (input.find('\0') != std::string_view::npos) return 0;
  nlohmann::json nl_doc, nl_patch;
  try {
    nl_doc = nlohmann::json::parse(doc_text.begin(), doc_text.end());
    nl_patch = nlohmann::json::parse(patch_text.begin(), patch_text.end());
  } catch (const nlohmann::json::exception&) {
    return 0;
  }
  if (HasDeliberateDifference(*patch, s)) return 0;
  bool nl_ok = true;
  nlohmann::json nl_result;
  try {
    nl_result = nl_doc.patch(nl_patch);
  } catch (const nlohmann::json::exception&) {
    nl_ok = false;
  }
  if (nl_ok != s.ok()) Die(s.ok() ? "nlohmann fails where kfix succeeds" : "kfix fails where nlohmann succeeds", input);
  if (s.ok()) {
    kfix::Result<kfix::Value> nl_value = kfix::ParseJson(nl_result.dump());
    if (!nl_value.ok() || !(*nl_value == work)) Die("results differ from nlohmann", input);
  }
  return 0;
}
