// Consumer of the installed C++ API (static libraries).
#include <iostream>

#include <kfix/core.hpp>
#include <kfix/status.hpp>
#include <kfix/version.hpp>

int main() {
  if (kfix::VersionNumber() != KFIX_VERSION_NUMBER) return 1;
  kfix::Status s = kfix::ParseError("bad", {});
  if (s.ok() || s.code() != kfix::StatusCode::kParseError) return 1;
  kfix::Value v = kfix::Value::MakeObject();
  v.Set("kind", "Deployment");
  if (v.Find("kind") == nullptr || v.Find("kind")->as_string() != "Deployment") return 1;
  std::cout << "c++ consumer ok: kfix " << kfix::VersionString() << "\n";
  return 0;
}
