// Fuzz harness for the YAML loader: LoadManifests/LoadYaml must never crash,
// hang or leak; every error names the file; every loaded object survives
// LoadYaml(ToYaml(v)) == v (checked with abort() so the fuzzer reports it).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kfix/core.hpp"

namespace {

bool HasNaN(const kfix::Value& v) {
  if (v.is_double()) return std::isnan(v.as_double());
  if (v.is_array()) {
    for (const kfix::Value& x : v.as_array()) {
      if (HasNaN(x)) return true;
    }
  }
  if (v.is_object()) {
    for (const kfix::Member& m : v.as_object()) {
      if (HasNaN(m.value)) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  kfix::ParseOptions options;
  // Small limits keep each run fast and exercise the limit paths.
  options.max_depth = 32;
  options.max_alias_expansion = 4096;
  options.max_nodes = 1u << 16;
  options.max_scalar_bytes = 4096;
  options.require_objects = (size % 2) == 0;
  kfix::LoadResult r = kfix::LoadManifests(text, "fuzz.yaml", options);
  for (const kfix::Status& e : r.errors) {
    if (e.ok() || e.location().file != "fuzz.yaml") std::abort();
  }
  for (const kfix::Manifest& m : r.manifests) {
    if (HasNaN(m.root)) continue;
    kfix::ParseOptions back_options;
    back_options.max_depth = 64;
    kfix::Result<kfix::Value> back = kfix::ParseYaml(kfix::ToYaml(m.root), back_options);
    if (!back.ok() || !(*back == m.root)) std::abort();
  }
  kfix::Result<kfix::Value> one = kfix::ParseYaml(text, options);
  (void)one.ok();
  return 0;
}
