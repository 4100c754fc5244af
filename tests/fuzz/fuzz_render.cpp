// Fuzz target: RenderPatches on arbitrary YAML/JSON with the fixes kfix
// proposes (FixObjects, default checks) plus one patch derived from the input
// bytes (replace, remove or add at a node picked by a hash of the input).
// Checks:
// - no crash / hang;
// - a successful render loads to the original objects with the patches
//   applied (refused objects unchanged): parse(render) == apply(parse, patches);
// - every byte outside the reported replaced ranges is kept, in order
//   (a subsequence of the output: insertions may come between);
// - rendering with no patches returns the input unchanged.
// Render failures are allowed only as kInternal (the safety net refusing)
// or the patch errors of a derived patch that does not apply.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kfix/pipeline.hpp"
#include "kfix/rules.hpp"

namespace {

[[noreturn]] void Die(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_render: %s\ninput: %.*s\n", what, static_cast<int>(input.size()), input.data());
  std::abort();
}

void Pointers(const kfix::Value& v, const kfix::JsonPointer& at, std::vector<kfix::JsonPointer>& out) {
  if (out.size() >= 256) return;
  out.push_back(at);
  if (v.is_object()) {
    for (const kfix::Member& m : v.as_object()) Pointers(m.value, at.Child(m.key), out);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) Pointers(v.as_array()[i], at.Child(i), out);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  kfix::ParseOptions po;
  po.max_alias_expansion = 4096;
  po.max_nodes = 1u << 16;
  kfix::LoadResult loaded = kfix::LoadManifests(input, "fuzz.yaml", po);
  if (!loaded.errors.empty() || loaded.manifests.empty()) return 0;
  kfix::RenderOptions ro;
  ro.parse = po;
  auto same = kfix::RenderPatches(input, "fuzz.yaml", {}, ro);
  if (!same.ok() || same->text != input || same->changed) Die("no patches changed the text", input);

  static auto rules = kfix::RuleSet::Create(kfix::RulesConfig{});
  if (!rules.ok()) Die("rules", input);
  std::vector<kfix::ObjectPatch> patches;
  kfix::FixReport report = kfix::FixObjects(loaded.manifests, *rules, kfix::FixConfig{});
  for (const kfix::ObjectFix& o : report.objects) {
    if (!o.accepted) continue;
    const kfix::Manifest& m = loaded.manifests[o.object_index];
    patches.push_back(kfix::ObjectPatch{m.document, m.item, o.patch, nullptr});
  }
  // One patch from the input's hash on an object without a kfix patch.
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : input) h = (h ^ c) * 1099511628211ull;
  const kfix::Manifest& pick = loaded.manifests[h % loaded.manifests.size()];
  bool taken = false;
  for (const auto& p : patches) taken = taken || (p.document == pick.document && p.item == pick.item);
  if (!taken) {
    std::vector<kfix::JsonPointer> ptrs;
    Pointers(pick.root, kfix::JsonPointer(), ptrs);
    const kfix::JsonPointer& at = ptrs[(h >> 8) % ptrs.size()];
    kfix::PatchOp op;
    switch ((h >> 20) % 3) {
      case 0:
        op.op = kfix::PatchOpType::kReplace;
        op.path = at;
        op.value = (h >> 24) % 2 ? kfix::Value("new: value") : kfix::Value(static_cast<std::int64_t>(h % 1000));
        break;
      case 1:
        op.op = at.empty() ? kfix::PatchOpType::kAdd : kfix::PatchOpType::kRemove;
        op.path = at.empty() ? at.Child("k") : at;
        op.value = kfix::Value("x");
        break;
      default: {
        const kfix::Value* node = kfix::Lookup(pick.root, at);
        op.op = kfix::PatchOpType::kAdd;
        op.path = node && node->is_array() ? at.Child("-") : at.Child("kfix-fuzz");
        kfix::Value v = kfix::Value::MakeObject();
        v.Set("a", kfix::Value::MakeArray());
        v.Find("a")->PushBack("b c");
        v.Set("n", nullptr);
        op.value = std::move(v);
        if (!node || !(node->is_object() || node->is_array())) op.path = at;
        break;
      }
    }
    kfix::Patch p{op};
    if (kfix::ApplyPatchCopy(pick.root, p).ok()) patches.push_back(kfix::ObjectPatch{pick.document, pick.item, p, nullptr});
  }
  if (patches.empty()) return 0;
  auto r = kfix::RenderPatches(input, "fuzz.yaml", patches, ro);
  if (!r.ok()) {
    if (r.status().code() == kfix::StatusCode::kInternal) return 0;
    Die(("render failed: " + r.status().ToString()).c_str(), input);
  }
  kfix::LoadResult after = kfix::LoadManifests(r->text, "fuzz.yaml", po);
  if (!after.errors.empty() || after.manifests.size() != loaded.manifests.size()) Die("render does not load", input);
  for (std::size_t i = 0; i < loaded.manifests.size(); ++i) {
    kfix::Value want = loaded.manifests[i].root;
    for (const auto& p : patches) {
      bool refused = false;
      for (const auto& x : r->refused) refused = refused || (x.document == p.document && x.item == p.item);
      if (p.document == loaded.manifests[i].document && p.item == loaded.manifests[i].item && !refused)
        (void)kfix::ApplyPatch(want, p.patch);
    }
    if (after.manifests[i].root != want) Die("render loads to other objects", input);
  }
  // Kept bytes are a subsequence of the output (insertions may come between).
  std::size_t cursor = 0, at = 0;
  auto keep = [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      while (at < r->text.size() && r->text[at] != input[i]) ++at;
      if (at >= r->text.size()) Die("bytes outside the replaced ranges changed", input);
      ++at;
    }
  };
  for (const auto& [b, e] : r->replaced) {
    keep(cursor, b);
    cursor = e;
  }
  keep(cursor, input.size());
  return 0;
}
