// kfix._core: the pybind11 binding of the kfix C++ API.
//
// Thin by design (re2's _re2.cc): arguments are converted to C++ values with
// the GIL held, the GIL is released for the real work, results come back as
// Python values built in C++ from each result's one ToValue (never JSON text
// parsed again), and the typed classes live in pure Python
// (python/kfix/_model.py). Errors become kfix.errors exceptions through
// RaiseIfError(); report errors are the same objects (ErrorObject), not
// raised. No C++ exception escapes untranslated.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <utility>
#include <vector>

#include "bindings/module.hpp"
#include "convert.hpp"
#include "kfix/status.hpp"
#include "kfix/version.hpp"

namespace py = pybind11;
using kfix::py::ErrorList;
using kfix::py::FromPython;
using kfix::py::RaiseIfError;
using kfix::py::Text;
using kfix::py::ToPython;

namespace {

// LoadResult -> {"manifests": [(file, document, item, object)], "errors": [...],
// "warnings": [...], "documents": n}. GIL held.
py::dict LoadResultToPython(const kfix::LoadResult& r) {
  py::list manifests;
  for (const kfix::Manifest& m : r.manifests) {
    manifests.append(py::make_tuple(m.file, m.document, m.item, ToPython(m.root)));
  }
  py::dict d;
  d["manifests"] = manifests;
  d["errors"] = ErrorList(r.errors);
  d["warnings"] = ErrorList(r.warnings);
  d["documents"] = r.documents;
  return d;
}

// Document or patch argument: JSON text (str/bytes) or Python objects.
kfix::Value JsonArg(const py::handle& h, const char* what) {
  if (py::isinstance<py::str>(h) || py::isinstance<py::bytes>(h)) {
    std::string text = py::isinstance<py::str>(h) ? h.cast<std::string>() : std::string(h.cast<py::bytes>());
    kfix::Result<kfix::Value> v = [&] {
      py::gil_scoped_release release;
      return kfix::ParseJson(text);
    }();
    if (!v.ok()) {
      kfix::SourceLocation loc;
      loc.file = what;
      RaiseIfError(v.status().WithDefaultLocation(loc));
    }
    return std::move(*v);
  }
  return FromPython(h);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "kfix C++ core (private; use the kfix package)";
  kfix::py::RegisterErrorTranslator(m);

  m.def("version", []() { return std::string(kfix::VersionString()); },
        "Version of the linked kfix library, e.g. '0.1.0'.");
  m.def("version_number", []() { return kfix::VersionNumber(); },
        "Version as MAJOR*10000 + MINOR*100 + PATCH.");
  m.def(
      "status_name",
      [](int code) {
        if (code < 0 || code > static_cast<int>(kfix::StatusCode::kOutOfMemory)) return std::string("unknown");
        return std::string(kfix::StatusCodeName(static_cast<kfix::StatusCode>(code)));
      },
      py::arg("code"), "Stable name of a status code, e.g. 'parse_error' for 2.");

  // ---- core: loading, JSON, patches -----------------------------------------
  m.def(
      "parse",
      [](const Text& text, const std::string& source_name) {
        kfix::LoadResult r = [&] {
          py::gil_scoped_release release;
          return kfix::LoadManifests(text.value, source_name);
        }();
        return LoadResultToPython(r);
      },
      py::arg("text"), py::arg("source_name") = "<string>",
      "Loads manifests from YAML or JSON text. Returns {manifests: [(file, document, item, object)], errors, "
      "warnings, documents}; errors are kfix.Error instances (not raised).");
  m.def(
      "load",
      [](const std::vector<std::string>& paths, int jobs) {
        kfix::LoadResult all;
        kfix::Status status;
        {
          py::gil_scoped_release release;
          kfix::LoadPathsOptions o;
          o.jobs = jobs;
          kfix::Result<std::vector<kfix::LoadedFile>> files = kfix::LoadPaths(paths, o);
          if (!files.ok()) {
            status = files.status();
          } else {
            all = kfix::MergeLoadedFiles(std::move(*files));
          }
        }
        if (!status.ok()) RaiseIfError(status);
        return LoadResultToPython(all);
      },
      py::arg("paths"), py::arg("jobs") = 1,
      "Loads files and directories (*.yaml, *.yml, *.json, recursively, sorted) on `jobs` threads (0: one per "
      "core); the result is the same for any `jobs`.");
  m.def(
      "expand_paths",
      [](const std::vector<std::string>& paths) {
        kfix::Result<std::vector<std::string>> files = [&] {
          py::gil_scoped_release release;
          return kfix::ExpandPaths(paths);
        }();
        return kfix::py::ValueOrRaise(std::move(files));
      },
      py::arg("paths"), "Files to scan for PATH arguments: directories walked for *.yaml, *.yml, *.json (sorted).");
  m.def(
      "parse_json",
      [](const Text& text) {
        kfix::Result<kfix::Value> v = [&] {
          py::gil_scoped_release release;
          return kfix::ParseJson(text.value);
        }();
        return ToPython(kfix::py::ValueOrRaise(std::move(v)));
      },
      py::arg("text"), "Parses strict JSON (RFC 8259).");
  m.def(
      "to_json",
      [](const py::object& value, bool pretty, bool canonical) {
        kfix::Value v = FromPython(value);
        kfix::JsonStyle style = canonical ? kfix::JsonStyle::kCanonical
                                          : (pretty ? kfix::JsonStyle::kPretty : kfix::JsonStyle::kCompact);
        py::gil_scoped_release release;
        return kfix::ToJson(v, style);
      },
      py::arg("value"), py::arg("pretty") = false, py::arg("canonical") = false,
      "Serialises JSON-like Python values (compact, pretty or canonical).");
  m.def(
      "to_yaml",
      [](const py::object& value) {
        kfix::Value v = FromPython(value);
        py::gil_scoped_release release;
        return kfix::ToYaml(v);
      },
      py::arg("value"), "Block-style YAML that round-trips through the loader.");
  m.def(
      "apply_patch",
      [](const py::object& doc, const py::object& patch) {
        kfix::Value d = JsonArg(doc, "doc");
        kfix::Value p = JsonArg(patch, "patch");
        kfix::Status st;
        {
          py::gil_scoped_release release;
          kfix::Result<kfix::Patch> parsed = kfix::ParsePatch(p);
          if (!parsed.ok()) {
            kfix::SourceLocation loc;
            loc.file = "patch";
            st = parsed.status().WithDefaultLocation(loc);
          } else {
            st = kfix::ApplyPatch(d, *parsed);
          }
        }
        RaiseIfError(st);
        return ToPython(d);
      },
      py::arg("doc"), py::arg("patch"),
      "Applies an RFC 6902 patch atomically; doc and patch are JSON text or Python values.");
  m.def(
      "diff",
      [](const py::object& a, const py::object& b) {
        kfix::Value va = JsonArg(a, "from");
        kfix::Value vb = JsonArg(b, "to");
        kfix::Value patch = [&] {
          py::gil_scoped_release release;
          return kfix::PatchToValue(kfix::Diff(va, vb));
        }();
        return py::list(ToPython(patch));
      },
      py::arg("source"), py::arg("target"), "A small RFC 6902 patch turning source into target.");

  m.def(
      "errors_from_values",
      [](const py::list& values) {
        py::list out;
        for (py::handle v : values) {
          if (!py::isinstance<py::dict>(v)) RaiseIfError(kfix::InvalidArgumentError("an error must be a dict"));
          out.append(kfix::py::ErrorObject(kfix::py::StatusFromPython(v)));
        }
        return out;
      },
      py::arg("values"),
      "kfix.Error instances for error documents ({code, message, file, line, ...}), as exceptions carry them.");

  kfix::py::BindDocumentView(m);
  kfix::py::BindEngine(m);
  kfix::py::BindAudit(m);
  kfix::py::BindQueue(m);
  kfix::py::BindPlaybooks(m);

  // Test hook for the error translation (tests/python/test_errors.py): raises
  // exactly what a failing kfix call with this Status would raise.
  m.def(
      "_raise_status",
      [](int code, const std::string& message, const std::string& file, int line, int column, int document,
         const std::string& pointer) {
        kfix::SourceLocation loc;
        loc.file = file;
        loc.line = line;
        loc.column = column;
        loc.document = document;
        loc.pointer = pointer;
        RaiseIfError(kfix::Status(static_cast<kfix::StatusCode>(code), message, loc));
      },
      py::arg("code"), py::arg("message"), py::arg("file") = "", py::arg("line") = 0, py::arg("column") = 0,
      py::arg("document") = -1, py::arg("pointer") = "");
  m.def(
      "_throw_cpp",
      [](const std::string& kind) {
        if (kind == "bad_alloc") throw std::bad_alloc();
        if (kind == "runtime_error") throw std::runtime_error("boom");
        throw 42;  // not a std::exception
      },
      py::arg("kind"));
  m.def(
      "_echo",
      [](Text text) { return py::bytes(text.value); }, py::arg("text"));
}
