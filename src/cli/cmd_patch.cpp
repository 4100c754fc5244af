// kfix patch apply --doc FILE --patch FILE [--pretty]
//
// Applies an RFC 6902 JSON Patch to a JSON or YAML document (YAML when the
// first non-blank character is not `{` or `[`) and prints the result as JSON
// on stdout. On failure prints "kfix patch apply: <error>" (naming the op
// index) on stderr and exits 1. FILE may be "-" for stdin (not both).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "cli/command.hpp"
#include "kfix/core.hpp"

namespace {

constexpr const char* kUsage = "usage: kfix patch apply --doc FILE --patch FILE [--pretty]";

// Reads a whole file ("-" = stdin); false with `error` set on failure.
bool ReadAll(const std::string& path, std::string& out, std::string& error) {
  if (path == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open file";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    error = path + ": read error";
    return false;
  }
  out = ss.str();
  return true;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "kfix patch apply: %s\n", message.c_str());
  return kfix::cli::kExitError;
}

std::string Describe(const kfix::Status& s, const std::string& file) {
  return s.WithDefaultLocation(kfix::SourceLocation{file, 0, 0, -1, -1, ""}).ToString();
}

int RunApply(const std::vector<std::string>& args) {
  kfix::cli::Args a(args, {"doc", "patch"}, {"pretty"});
  if (!a.ok()) return kfix::cli::UsageError("patch apply", a.error());
  if (!a.positionals().empty()) return kfix::cli::UsageError("patch apply", "unexpected argument " + a.positionals()[0]);
  const std::string doc_path = a.Get("doc");
  const std::string patch_path = a.Get("patch");
  if (doc_path.empty() || patch_path.empty()) return kfix::cli::UsageError("patch apply", kUsage);
  if (doc_path == "-" && patch_path == "-") return kfix::cli::UsageError("patch apply", "--doc and --patch cannot both be -");

  std::string doc_text, patch_text, error;
  if (!ReadAll(doc_path, doc_text, error)) return Fail(error);
  if (!ReadAll(patch_path, patch_text, error)) return Fail(error);

  const std::size_t first = doc_text.find_first_not_of(" \t\r\n");
  const bool is_json = first != std::string::npos && (doc_text[first] == '{' || doc_text[first] == '[');
  kfix::Result<kfix::Value> doc = is_json ? kfix::ParseJson(doc_text) : kfix::ParseYaml(doc_text);
  if (!doc.ok()) return Fail(Describe(doc.status(), doc_path));
  kfix::Result<kfix::Patch> patch = kfix::ParsePatch(std::string_view(patch_text));
  if (!patch.ok()) return Fail(Describe(patch.status(), patch_path));

  kfix::Status s = kfix::ApplyPatch(*doc, *patch);
  if (!s.ok()) return Fail(s.ToString());
  std::string out = kfix::ToJson(*doc, a.Has("pretty") ? kfix::JsonStyle::kPretty : kfix::JsonStyle::kCompact);
  out.push_back('\n');
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kfix::cli::kExitOk;
}

int RunPatch(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::printf("%s\n", kUsage);
    return args.empty() ? kfix::cli::kExitError : kfix::cli::kExitOk;
  }
  if (args[0] == "apply") return RunApply(std::vector<std::string>(args.begin() + 1, args.end()));
  return kfix::cli::UsageError("patch", "unknown subcommand " + args[0] + " (" + kUsage + ")");
}

}  // namespace

KFIX_CLI_COMMAND("patch", "apply an RFC 6902 JSON Patch to a JSON document", kUsage, RunPatch, "apply");
