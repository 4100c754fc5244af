// Value <-> Python object conversion (GIL held).
#include "convert.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <string>

namespace kfix::py {

void GilYielder::Tick() {
  if (++count_ % 256 != 0) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < kSlice) return;
  {
    pybind11::gil_scoped_release release;  // let a waiting thread run
  }
  last_ = std::chrono::steady_clock::now();
}

namespace {

pybind11::object ToPythonAt(const Value& v, GilYielder& y) {
  y.Tick();
  switch (v.type()) {
    case Value::Type::kNull: return pybind11::none();
    case Value::Type::kBool: return pybind11::bool_(v.as_bool());
    case Value::Type::kInt: return pybind11::int_(v.as_int());
    case Value::Type::kDouble: return pybind11::float_(v.as_double());
    case Value::Type::kString: return pybind11::str(v.as_string());
    case Value::Type::kArray: {
      pybind11::list out(v.as_array().size());
      std::size_t i = 0;
      for (const Value& e : v.as_array()) out[i++] = ToPythonAt(e, y);
      return out;
    }
    case Value::Type::kObject: {
      pybind11::dict out;
      for (const Member& m : v.as_object()) out[pybind11::str(m.key)] = ToPythonAt(m.value, y);
      return out;
    }
  }
  return pybind11::none();
}

}  // namespace

pybind11::object ToPython(const Value& v) {
  GilYielder y;
  return ToPythonAt(v, y);
}

pybind11::object ToPython(const Value& v, GilYielder& y) { return ToPythonAt(v, y); }

namespace {

Status FromPythonAt(pybind11::handle h, int depth, const std::string& where, Value* out) {
  if (depth > 512) return LimitExceededError("nesting deeper than 512 at " + (where.empty() ? "/" : where));
  PyObject* o = h.ptr();
  if (o == Py_None) {
    *out = Value();
  } else if (PyBool_Check(o)) {
    *out = Value(o == Py_True);
  } else if (PyLong_Check(o)) {
    int overflow = 0;
    long long i = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow != 0) {
      *out = Value(PyLong_AsDouble(o));
      if (PyErr_Occurred()) {
        PyErr_Clear();
        return InvalidArgumentError("integer too large at " + (where.empty() ? "/" : where));
      }
    } else {
      *out = Value(static_cast<std::int64_t>(i));
    }
  } else if (PyFloat_Check(o)) {
    *out = Value(PyFloat_AS_DOUBLE(o));
  } else if (PyUnicode_Check(o)) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(o, &size);
    if (data == nullptr) {
      PyErr_Clear();
      return InvalidArgumentError("string is not valid Unicode at " + (where.empty() ? "/" : where));
    }
    *out = Value(std::string(data, static_cast<std::size_t>(size)));
  } else if (PyDict_Check(o)) {
    Value obj = Value::MakeObject();
    PyObject* key = nullptr;
    PyObject* value = nullptr;
    Py_ssize_t pos = 0;
    while (PyDict_Next(o, &pos, &key, &value)) {
      if (!PyUnicode_Check(key)) {
        return InvalidArgumentError("object keys must be str at " + (where.empty() ? "/" : where));
      }
      std::string k = pybind11::reinterpret_borrow<pybind11::str>(key).cast<std::string>();
      Value child;
      KFIX_RETURN_IF_ERROR(FromPythonAt(value, depth + 1, where + "/" + JsonPointer::EscapeToken(k), &child));
      obj.as_object().push_back(Member{std::move(k), std::move(child)});
    }
    *out = std::move(obj);
  } else if (PyList_Check(o) || PyTuple_Check(o)) {
    Value arr = Value::MakeArray();
    pybind11::sequence seq = pybind11::reinterpret_borrow<pybind11::sequence>(h);
    std::size_t i = 0;
    for (pybind11::handle item : seq) {
      Value child;
      KFIX_RETURN_IF_ERROR(FromPythonAt(item, depth + 1, where + "/" + std::to_string(i++), &child));
      arr.PushBack(std::move(child));
    }
    *out = std::move(arr);
  } else {
    return InvalidArgumentError(std::string("cannot convert a ") + Py_TYPE(o)->tp_name + " to JSON at " +
                                (where.empty() ? "/" : where));
  }
  return Status::Ok();
}

}  // namespace

Value FromPython(pybind11::handle h) {
  Value out;
  RaiseIfError(FromPythonAt(h, 0, "", &out));
  return out;
}

}  // namespace kfix::py
