// Status -> Python exception translation (kfix.errors), and the catch-all
// translator for stray C++ exceptions.
#include <exception>
#include <new>
#include <string>

#include "convert.hpp"

namespace py = pybind11;

namespace kfix::py {
namespace {

// The one Status shape (kfix::StatusToValue): the known location members,
// plus "status" (the code name); the numeric code is the exception's .code.
pybind11::dict DetailDict(const Status& status) {
  Value doc = StatusToValue(status);
  pybind11::dict d;
  d["status"] = StatusCodeName(status.code());
  for (const Member& m : doc.as_object()) {
    if (m.key != "code" && m.key != "message") d[pybind11::str(m.key)] = ToPython(m.value);
  }
  return d;
}

// Sets kfix.InternalError as the pending Python exception (translator context).
void SetInternal(const std::string& message) {
  try {
    RaiseIfError(Status(StatusCode::kInternal, message));
  } catch (pybind11::error_already_set& err) {
    err.restore();
  }
}

}  // namespace

void RaiseIfError(const Status& status) {
  if (status.ok()) return;
  // Lazy import: kfix.errors is pure Python and cached in sys.modules.
  pybind11::object make = pybind11::module_::import("kfix.errors").attr("_from_status");
  pybind11::object exc =
      make(static_cast<int>(status.code()), status.ToString(), DetailDict(status));
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
  throw pybind11::error_already_set();
}

void RegisterErrorTranslator(pybind11::module_& /*m*/) {
  pybind11::register_local_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    try {
      std::rethrow_exception(p);
    } catch (const pybind11::error_already_set&) {
      throw;  // already a Python exception
    } catch (const pybind11::builtin_exception&) {
      throw;  // pybind11's own (TypeError, ValueError, ...) keep their meaning
    } catch (const std::bad_alloc&) {
      throw;  // pybind11's default: MemoryError
    } catch (const std::exception& e) {
      SetInternal(std::string("internal error: ") + e.what());
    } catch (...) {
      SetInternal("internal error: unknown C++ exception");
    }
  });
}

}  // namespace kfix::py
