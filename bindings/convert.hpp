// bindings/convert.hpp - conversions shared by the pybind11 glue.
//
// `Text` accepts `str` (encoded to UTF-8) or `bytes` (taken as is) and holds
// a copy, so functions taking it can release the GIL for the whole call.
// Errors: RaiseIfError() turns a non-OK kfix::Status into the matching
// kfix.errors exception (see errors.cpp).
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <utility>

#include "kfix/core.hpp"
#include "kfix/status.hpp"

namespace kfix::py {

/// Text input: str or bytes, copied while the GIL is held.
struct Text {
  std::string value;
};

/// Raises the kfix.errors exception for `status` (no-op when OK). Must be
/// called with the GIL held. Throws pybind11::error_already_set.
void RaiseIfError(const Status& status);

/// Returns the value of `result` or raises its error (GIL held).
template <typename T>
T ValueOrRaise(Result<T>&& result) {
  if (!result.ok()) RaiseIfError(result.status());
  return std::move(*result);
}

/// A Value as plain Python objects (None, bool, int, float, str, list, dict).
pybind11::object ToPython(const Value& v);
/// Plain Python objects as a Value; raises kfix.InvalidArgumentError for
/// anything not JSON-like (non-str keys, sets, objects, ...).
Value FromPython(pybind11::handle h);

/// Registers the catch-all translator: any stray C++ exception becomes
/// kfix.InternalError (std::bad_alloc stays MemoryError).
void RegisterErrorTranslator(pybind11::module_& m);

}  // namespace kfix::py

namespace pybind11::detail {

template <>
struct type_caster<kfix::py::Text> {
  PYBIND11_TYPE_CASTER(kfix::py::Text, const_name("str | bytes"));

  bool load(handle src, bool /*convert*/) {
    if (PyUnicode_Check(src.ptr())) {
      Py_ssize_t size = 0;
      const char* data = PyUnicode_AsUTF8AndSize(src.ptr(), &size);
      if (data == nullptr) {
        PyErr_Clear();  // lone surrogates: not encodable; let pybind11 raise TypeError
        return false;
      }
      value.value.assign(data, static_cast<std::size_t>(size));
      return true;
    }
    if (PyBytes_Check(src.ptr())) {
      value.value.assign(PyBytes_AS_STRING(src.ptr()), static_cast<std::size_t>(PyBytes_GET_SIZE(src.ptr())));
      return true;
    }
    return false;
  }

  static handle cast(const kfix::py::Text& src, return_value_policy /*policy*/, handle /*parent*/) {
    return PyUnicode_DecodeUTF8(src.value.data(), static_cast<Py_ssize_t>(src.value.size()), "replace");
  }
};

}  // namespace pybind11::detail
