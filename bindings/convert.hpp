// bindings/convert.hpp - conversions shared by the pybind11 glue.
//
// `Text` accepts `str` (encoded to UTF-8) or `bytes` (taken as is) and holds
// a copy, so functions taking it can release the GIL for the whole call.
// Errors: RaiseIfError() turns a non-OK kfix::Status into the matching
// kfix.errors exception (see errors.cpp).
#pragma once

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

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
/// The kfix.errors instance RaiseIfError raises for `status`, not raised:
/// what reports hold in their `errors` lists (GIL held).
pybind11::object ErrorObject(const Status& status);
pybind11::list ErrorList(const std::vector<Status>& statuses);
/// A Status from its document shape (kfix::StatusToValue: {"code": name,
/// "message", "file", "line", ...}); unknown codes become kInternal.
Status StatusFromPython(pybind11::handle value);

/// Returns the value of `result` or raises its error (GIL held).
template <typename T>
T ValueOrRaise(Result<T>&& result) {
  if (!result.ok()) RaiseIfError(result.status());
  return std::move(*result);
}

/// Lets other Python threads run while a long conversion builds Python
/// objects with the GIL held: call Tick() once per object built.
///
/// Every 256 ticks it calls a Python function with an empty body, which runs
/// the interpreter's own switch check: if another thread has waited for the
/// GIL longer than sys.getswitchinterval(), the GIL is handed to it (a forced
/// switch), exactly as between bytecodes; otherwise nothing happens. A plain
/// release and re-acquire does not do this: CPython's waiter only asks for
/// the GIL when no switch happened during its wait, so frequent voluntary
/// releases that the releasing thread wins back starve it (measured: 40-70
/// ms holds with a release every 5 ms). The check also runs pending signal
/// handlers, so Ctrl-C interrupts a long conversion.
///
/// Objects under construction are only reachable from the caller's stack,
/// so other threads running between them is safe.
class GilYielder {
 public:
  /// False when the switch check raised (a signal handler's exception, e.g.
  /// KeyboardInterrupt): the Python error is set; stop and propagate it.
  [[nodiscard]] bool Tick();

 private:
  std::uint32_t count_ = 0;
};

/// A Value as plain Python objects (None, bool, int, float, str, list, dict).
/// Large values are converted with the GIL given away every few ms.
pybind11::object ToPython(const Value& v);
/// Same, sharing one yielder across several conversions.
pybind11::object ToPython(const Value& v, GilYielder& y);
/// A read-only view of one object or array node of a document shared by
/// every view into it (kfix._core.DocumentView, bindings/view.cpp).
struct DocumentView {
  std::shared_ptr<const Value> root;
  const Value* node = nullptr;
};
/// `value` in a shared holder whose last owner frees it without the GIL
/// when that owner goes away with the GIL held (a Python dealloc), so other
/// threads keep running while a large result is freed.
template <typename T>
std::shared_ptr<const T> SharedFreedWithoutGil(T value) {
  return std::shared_ptr<const T>(new T(std::move(value)), [](const T* p) {
    if (Py_IsInitialized() != 0 && PyGILState_Check() != 0 && !_Py_IsFinalizing()) {
      pybind11::gil_scoped_release release;
      delete p;
    } else {
      delete p;
    }
  });
}
/// `document` shared by the views into it (SharedFreedWithoutGil).
inline std::shared_ptr<const Value> SharedDocument(Value document) {
  return SharedFreedWithoutGil(std::move(document));
}
/// The document as a DocumentView (a scalar document: its Python value).
/// GIL held.
pybind11::object ViewOf(std::shared_ptr<const Value> root);
/// The Value of `h` when it is a DocumentView (*is_view = true), else
/// *is_view = false and a null Value. GIL held.
Value ViewValue(pybind11::handle h, bool* is_view);
/// Registers kfix._core.DocumentView.
void BindDocumentView(pybind11::module_& m);

/// Plain Python objects (or DocumentViews) as a Value; raises kfix.InvalidArgumentError for
/// anything not JSON-like (non-str keys, sets, objects, ...).
Value FromPython(pybind11::handle h);

// Runs `build` (returning a Value or a Result<Value>) without the GIL and
// converts its value to Python objects; raises its error.
template <typename Fn>
pybind11::object Document(Fn&& build) {
  auto v = [&] {
    pybind11::gil_scoped_release release;
    return build();
  }();
  pybind11::object out;
  if constexpr (std::is_same_v<decltype(v), Value>) {
    out = ToPython(v);
  } else {
    if (!v.ok()) RaiseIfError(v.status());
    out = ToPython(*v);
  }
  {
    pybind11::gil_scoped_release release;  // a large tree takes a while to free
    auto drop = std::move(v);
  }
  return out;
}

// Runs `build` (returning a Value or a Result<Value>) without the GIL and
// returns its value as a DocumentView (ViewOf): for documents that can be
// large, read node by node instead of converted whole; raises its error.
template <typename Fn>
pybind11::object View(Fn&& build) {
  std::shared_ptr<const Value> doc;
  Status status;
  {
    pybind11::gil_scoped_release release;
    auto v = build();
    if constexpr (std::is_same_v<decltype(v), Value>) {
      doc = SharedDocument(std::move(v));
    } else if (v.ok()) {
      doc = SharedDocument(std::move(*v));
    } else {
      status = v.status();
    }
  }
  RaiseIfError(status);
  return ViewOf(std::move(doc));
}

// Document() of a result whose document is a JSON object.
template <typename Fn>
pybind11::dict Dict(Fn&& build) {
  return pybind11::dict(Document(std::forward<Fn>(build)));
}

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
