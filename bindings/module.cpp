// kfix._core: the pybind11 binding of the kfix C++ API.
//
// Thin by design (re2's _re2.cc): arguments are converted to C++ values with
// the GIL held, the GIL is released for the real work, results come back as
// plain C++ values or JSON text, and the typed classes live in pure Python
// (python/kfix/__init__.py). Errors become kfix.errors exceptions through
// RaiseIfError(); no C++ exception escapes untranslated.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>

#include "convert.hpp"
#include "kfix/status.hpp"
#include "kfix/version.hpp"

namespace py = pybind11;
using kfix::py::RaiseIfError;
using kfix::py::Text;

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
