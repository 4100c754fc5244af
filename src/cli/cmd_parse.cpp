// kfix parse [--format text|json] [--with-objects] [--strict] PATH...
//
// Loads manifests (files, directories walked for *.yaml/*.yml/*.json, "-" for
// stdin) and lists every object with its origin. Text (default), one line per
// object:
//   FILE:LINE:COL doc=N [item=I] APIVERSION KIND/NAMESPACE/NAME
// ("-" stands for an empty field); errors and warnings go to stderr as
// "error: FILE:LINE:COL: message". JSON: one object on stdout,
//   {"schemaVersion":1,"objects":[...],"errors":[...],"warnings":[...]}
// with each object's tree under "object" when --with-objects is given.
// Exit 1 if any error was reported, 0 otherwise.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/command.hpp"
#include "kfix/core.hpp"

namespace {

constexpr const char* kUsage =
    "usage: kfix parse [--format text|json] [--with-objects] [--strict] PATH...\n"
    "Lists every object of PATH... (files, directories, - for stdin) with its file, document, item,\n"
    "line and column; --with-objects adds each object, --strict rejects duplicate mapping keys.\n";

kfix::Value StatusToValue(const kfix::Status& s) {
  kfix::Value v = kfix::Value::MakeObject();
  const kfix::SourceLocation& l = s.location();
  v.Set("code", kfix::Value(kfix::StatusCodeName(s.code())));
  v.Set("message", kfix::Value(s.message()));
  v.Set("file", kfix::Value(l.file));
  v.Set("line", kfix::Value(l.line));
  v.Set("column", kfix::Value(l.column));
  v.Set("document", kfix::Value(l.document));
  v.Set("item", kfix::Value(l.item));
  return v;
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

int RunParse(const std::vector<std::string>& args) {
  kfix::cli::Args a(args, {"format"}, {"with-objects", "strict"});
  if (!a.ok()) return kfix::cli::UsageError("parse", a.error());
  const std::string format = a.Get("format", "text");
  if (format != "text" && format != "json") {
    std::string msg = "--format must be text or json, got '";
    msg.append(format).append("'");
    return kfix::cli::UsageError("parse", msg);
  }
  if (a.positionals().empty()) return kfix::cli::UsageError("parse", "expected at least one PATH (or - for stdin)");
  kfix::ParseOptions options;
  options.strict_duplicate_keys = a.Has("strict");
  const bool with_objects = a.Has("with-objects");
  const bool json = format == "json";

  kfix::LoadPathsOptions load;
  load.parse = options;
  kfix::Result<std::vector<kfix::LoadedFile>> loaded = kfix::LoadPaths(a.positionals(), load);
  kfix::LoadResult all;
  if (!loaded.ok()) {
    all.errors.push_back(loaded.status());
  } else {
    all = kfix::MergeLoadedFiles(std::move(*loaded));
  }
  std::vector<kfix::Status>& errors = all.errors;
  std::vector<kfix::Status>& warnings = all.warnings;
  std::vector<kfix::Manifest>& manifests = all.manifests;

  if (json) {
    kfix::Value out = kfix::Value::MakeObject();
    out.Set("schemaVersion", kfix::Value(1));
    kfix::Value objects = kfix::Value::MakeArray();
    for (kfix::Manifest& m : manifests) {
      const kfix::ObjectRef ref = m.Ref();
      kfix::Value o = kfix::Value::MakeObject();
      o.Set("file", kfix::Value(m.file));
      o.Set("document", kfix::Value(m.document));
      o.Set("item", kfix::Value(m.item));
      o.Set("line", kfix::Value(m.root.line()));
      o.Set("column", kfix::Value(m.root.column()));
      o.Set("apiVersion", kfix::Value(ref.api_version));
      o.Set("kind", kfix::Value(ref.kind));
      o.Set("namespace", kfix::Value(ref.namespace_));
      o.Set("name", kfix::Value(ref.name));
      if (with_objects) o.Set("object", std::move(m.root));
      objects.PushBack(std::move(o));
    }
    out.Set("objects", std::move(objects));
    kfix::Value errs = kfix::Value::MakeArray();
    for (const kfix::Status& e : errors) errs.PushBack(StatusToValue(e));
    out.Set("errors", std::move(errs));
    kfix::Value warns = kfix::Value::MakeArray();
    for (const kfix::Status& w : warnings) warns.PushBack(StatusToValue(w));
    out.Set("warnings", std::move(warns));
    std::string text = kfix::ToJson(out, kfix::JsonStyle::kCompact);
    text.push_back('\n');
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    for (const kfix::Manifest& m : manifests) {
      const kfix::ObjectRef ref = m.Ref();
      std::string line;
      line.append(m.file).append(":").append(std::to_string(m.root.line())).append(":");
      line.append(std::to_string(m.root.column())).append(" doc=").append(std::to_string(m.document));
      if (m.item >= 0) line.append(" item=").append(std::to_string(m.item));
      line.append(" ").append(OrDash(ref.api_version)).append(" ").append(OrDash(ref.kind)).append("/");
      line.append(OrDash(ref.namespace_)).append("/").append(OrDash(ref.name)).append("\n");
      std::fwrite(line.data(), 1, line.size(), stdout);
    }
    for (const kfix::Status& w : warnings) std::fprintf(stderr, "warning: %s\n", w.ToString().c_str());
    for (const kfix::Status& e : errors) std::fprintf(stderr, "error: %s\n", e.ToString().c_str());
  }
  std::fflush(stdout);
  return errors.empty() ? kfix::cli::kExitOk : kfix::cli::kExitError;
}

}  // namespace

KFIX_CLI_COMMAND("parse", "list the objects in manifest files with their positions", kUsage, RunParse);
