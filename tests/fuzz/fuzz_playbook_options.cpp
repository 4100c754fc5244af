// Fuzz target: the option documents and object readers the surfaces share
// for the playbooks and write-back (kfix/engine.hpp): the C ABI and Python
// hand them whatever their callers pass.
//
// The input is read as a YAML/JSON document and given to every options
// parser (QuarantineRequestFromValue for plan/apply/reverify,
// ConsumeOptionsFromValue, SreValidateRequestFromValue,
// SreStepRequestFromValue, TriageRequestFromValue, WriteBackOptionsFromValue,
// gvisor::OptionsFromValue, escape::DetectOptionsFromValue), and as text to
// LoadOneObject and LoadObjectStream.
//
// Checks:
// - no crash, hang or sanitizer report on any input;
// - every refusal is kInvalidArgument or kParseError (never kInternal);
// - what is accepted holds: write-back never has a directory and in-place
//   together, a step/triage request always has its required time, objects
//   read from a stream or a value are objects or come from one, and
//   LoadOneObject returns exactly the stream's single object.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "kfix/engine.hpp"

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_playbook_options: %s\n", what);
  std::abort();
}

void Refusal(const kfix::Status& s) {
  if (s.ok()) return;
  if (s.code() != kfix::StatusCode::kInvalidArgument && s.code() != kfix::StatusCode::kParseError &&
      s.code() != kfix::StatusCode::kLimitExceeded) {
    Fail("an options parser refused with an unexpected code");
  }
}

template <typename T>
void Check(const kfix::Result<T>& r) {
  if (!r.ok()) Refusal(r.status());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto stream = kfix::LoadObjectStream(text, "fuzz");
  auto one = kfix::LoadOneObject(text, "fuzz");
  if (one.ok()) {
    kfix::LoadResult loaded = kfix::LoadManifests(text, "fuzz");
    if (loaded.manifests.size() != 1 || !(loaded.manifests.front().root == *one)) {
      Fail("LoadOneObject is not the stream's single object");
    }
  }
  if (stream.ok() && !one.ok() && one.status().code() != kfix::StatusCode::kInvalidArgument) {
    Fail("LoadOneObject failed to load what LoadObjectStream loaded");
  }

  kfix::Result<kfix::Value> doc = kfix::ParseYaml(text);
  if (!doc.ok()) return 0;
  const kfix::Value& v = *doc;

  auto objects = kfix::ObjectsFromValue(v, "fuzz");
  Check(objects);
  if (objects.ok() && v.is_array()) {
    for (const kfix::Value& o : *objects) {
      if (!o.is_object()) Fail("ObjectsFromValue returned a non-object");
    }
  }
  for (auto op : {kfix::escape::Operation::kPlan, kfix::escape::Operation::kApply, kfix::escape::Operation::kReverify}) {
    Check(kfix::QuarantineRequestFromValue(v, op));
  }
  Check(kfix::ConsumeOptionsFromValue(v));
  Check(kfix::SreValidateRequestFromValue(v));
  auto step = kfix::SreStepRequestFromValue(v);
  Check(step);
  if (step.ok() && (!v.is_object() || v.Find("now") == nullptr)) Fail("a step request without now");
  auto triage = kfix::TriageRequestFromValue(v);
  Check(triage);
  if (triage.ok() && (!v.is_object() || v.Find("now") == nullptr)) Fail("a triage request without now");
  auto wb = kfix::WriteBackOptionsFromValue(v);
  Check(wb);
  if (wb.ok() && wb->mode == kfix::WriteMode::kInPlace && v.Find("write") != nullptr) {
    Fail("write-back options with a directory and in place");
  }
  Check(kfix::gvisor::OptionsFromValue(v, "fuzz"));
  Check(kfix::escape::DetectOptionsFromValue(v));
  return 0;
}
