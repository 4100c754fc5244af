// Fuzz target: ParseJson.
// - never crashes, hangs or overflows the stack on any input;
// - if it parses: canonical, compact and pretty output re-parse to an equal
//   value, and emitting is a fixed point;
// - differential against nlohmann::json: what kfix accepts, nlohmann accepts
//   with an equal value; what nlohmann accepts, kfix accepts unless a limit
//   (depth 128 by default) or a number beyond double range is the reason.
//   Inputs with a NUL byte skip the differential: nlohmann's lexer treats NUL
//   as end of input and accepts "0\0garbage".
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kfix/core.hpp"

namespace {
[[noreturn]] void Die(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_json: %s\ninput: %.*s\n", what, static_cast<int>(input.size()), input.data());
  std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  kfix::Result<kfix::Value> v = kfix::ParseJson(text);

  const bool has_nul = text.find('\0') != std::string_view::npos;
  bool nl_ok = !has_nul;
  nlohmann::json nl;
  if (!has_nul) {
    try {
      nl = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception&) {
      nl_ok = false;
    }
  }

  if (!v.ok()) {
    const kfix::Status& s = v.status();
    if (s.code() != kfix::StatusCode::kParseError && s.code() != kfix::StatusCode::kLimitExceeded) {
      Die("unexpected status code", text);
    }
    if (s.location().line <= 0 && s.code() == kfix::StatusCode::kParseError) Die("parse error without line", text);
    if (nl_ok && s.code() == kfix::StatusCode::kParseError &&
        s.message().find("out of range") == std::string::npos) {
      Die("nlohmann accepts what kfix rejects", text);
    }
    return 0;
  }
  if (!has_nul) {
    if (!nl_ok) Die("kfix accepts what nlohmann rejects", text);
    // nlohmann's dump of its own tree, read back by kfix, must equal kfix's tree.
    kfix::Result<kfix::Value> from_nl = kfix::ParseJson(nl.dump());
    if (!from_nl.ok() || !(*from_nl == *v)) Die("value differs from nlohmann", text);
  }

  for (kfix::JsonStyle style : {kfix::JsonStyle::kCanonical, kfix::JsonStyle::kCompact, kfix::JsonStyle::kPretty}) {
    const std::string out = kfix::ToJson(*v, style);
    kfix::Result<kfix::Value> again = kfix::ParseJson(out);
    if (!again.ok()) Die("emitted JSON does not parse", text);
    if (!(*again == *v)) Die("round trip changed the value", text);
    if (kfix::ToJson(*again, style) != out) Die("emit is not a fixed point", text);
  }
  return 0;
}
