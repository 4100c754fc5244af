// Status -> Python exception translation (kfix.errors), and the catch-all
// translator for stray C++ exceptions.
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "convert.hpp"

namespace py = pybind11;

namespace kfix::py {
namespace {

// The one Status shape (kfix::StatusToValue) without its unknown members
// ("" file/pointer, 0 line/column, -1 document/item), plus "status" (the code name); the numeric code is the
// exception's .code and the message its text.
pybind11::dict DetailDict(const Status& status) {
  Value doc = StatusToValue(status);
  pybind11::dict d;
  d["status"] = StatusCodeName(status.code());
  for (const Member& m : doc.as_object()) {
    if (m.key == "code" || m.key == "message") continue;
    const Value& v = m.value;
    const bool unknown_position = (m.key == "line" || m.key == "column") && v.is_int() && v.as_int() == 0;
    if ((v.is_string() && v.as_string().empty()) || (v.is_int() && v.as_int() == -1) || unknown_position) continue;
    d[pybind11::str(m.key)] = ToPython(v);
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

pybind11::object ErrorObject(const Status& status) {
  // Lazy import: kfix.errors is pure Python and cached in sys.modules.
  pybind11::object make = pybind11::module_::import("kfix.errors").attr("_from_status");
  return make(static_cast<int>(status.code()), status.ToString(), DetailDict(status));
}

pybind11::list ErrorList(const std::vector<Status>& statuses) {
  pybind11::list out;
  for (const Status& s : statuses) out.append(ErrorObject(s));
  return out;
}

Status StatusFromPython(pybind11::handle value) {
  // The StatusToValue shape: {"code": name, "message", "file", "line", "column", "document", "item", "pointer"}.
  pybind11::dict d = pybind11::reinterpret_borrow<pybind11::dict>(value);
  auto str = [&](const char* key) {
    return d.contains(key) && pybind11::isinstance<pybind11::str>(d[key]) ? d[key].cast<std::string>() : std::string();
  };
  auto num = [&](const char* key, std::int32_t fallback) {
    return d.contains(key) && pybind11::isinstance<pybind11::int_>(d[key]) ? d[key].cast<std::int32_t>() : fallback;
  };
  StatusCode code = StatusCode::kInternal;
  const std::string name = str("code");
  for (int c = 1; c <= static_cast<int>(StatusCode::kOutOfMemory); ++c) {
    if (name == StatusCodeName(static_cast<StatusCode>(c))) code = static_cast<StatusCode>(c);
  }
  SourceLocation loc;
  loc.file = str("file");
  loc.line = num("line", 0);
  loc.column = num("column", 0);
  loc.document = num("document", -1);
  loc.item = num("item", -1);
  loc.pointer = str("pointer");
  return Status(code, str("message"), std::move(loc));
}

void RaiseIfError(const Status& status) {
  if (status.ok()) return;
  pybind11::object exc = ErrorObject(status);
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
