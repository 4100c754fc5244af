// Value <-> Python object conversion (GIL held).
#include "convert.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>

namespace kfix::py {

namespace {

// `lambda: None`, created once: calling it enters the interpreter's eval loop,
// whose entry checks for a pending GIL drop request and signals.
PyObject* SwitchCheck() {
  static PyObject* fn = [] {
    PyObject* globals = PyDict_New();
    PyObject* f = globals != nullptr ? PyRun_String("lambda: None", Py_eval_input, globals, globals) : nullptr;
    Py_XDECREF(globals);
    if (f == nullptr) PyErr_Clear();
    return f;  // kept for the life of the process
  }();
  return fn;
}

}  // namespace

bool GilYielder::Tick() {
  if (++count_ % 256 != 0) return true;
  PyObject* fn = SwitchCheck();
  if (fn == nullptr) return true;
  PyObject* r = PyObject_CallNoArgs(fn);
  if (r == nullptr) return false;
  Py_DECREF(r);
  return true;
}

namespace {

// Object keys repeat across a document ("name", "passed", "detail", ...):
// each distinct key becomes one Python str, shared by every dict that uses
// it. The cache lives for one conversion and holds at most kMaxKeys keys, so
// a document with many distinct keys (labels, annotations) costs no more
// than an uncached conversion.
class KeyCache {
 public:
  static constexpr std::size_t kMaxKeys = 4096;
  ~KeyCache() {
    for (auto& [key, obj] : keys_) Py_DECREF(obj);
  }
  // A new reference to the str of `key`, or nullptr with a Python error set.
  PyObject* Get(const std::string& key) {
    auto it = keys_.find(key);
    if (it != keys_.end()) {
      Py_INCREF(it->second);
      return it->second;
    }
    PyObject* s = PyUnicode_DecodeUTF8(key.data(), static_cast<Py_ssize_t>(key.size()), "replace");
    if (s == nullptr || keys_.size() >= kMaxKeys) return s;
    Py_INCREF(s);
    keys_.emplace(key, s);
    return s;
  }

 private:
  std::unordered_map<std::string, PyObject*> keys_;
};

// A new reference to the Python value of `v`, or nullptr with a Python
// error set (out of memory). Raw C API: this runs once per node of every
// document a result is read through.
PyObject* ToPythonAt(const Value& v, GilYielder& y, KeyCache& keys) {
  if (!y.Tick()) return nullptr;
  switch (v.type()) {
    case Value::Type::kNull: Py_RETURN_NONE;
    case Value::Type::kBool: return PyBool_FromLong(v.as_bool() ? 1 : 0);
    case Value::Type::kInt: return PyLong_FromLongLong(v.as_int());
    case Value::Type::kDouble: return PyFloat_FromDouble(v.as_double());
    case Value::Type::kString: {
      const std::string& s = v.as_string();
      return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
    }
    case Value::Type::kArray: {
      const Value::Array& a = v.as_array();
      PyObject* out = PyList_New(static_cast<Py_ssize_t>(a.size()));
      if (out == nullptr) return nullptr;
      Py_ssize_t i = 0;
      for (const Value& e : a) {
        PyObject* item = ToPythonAt(e, y, keys);
        if (item == nullptr) {
          Py_DECREF(out);
          return nullptr;
        }
        PyList_SET_ITEM(out, i++, item);  // steals item
      }
      return out;
    }
    case Value::Type::kObject: {
      PyObject* out = PyDict_New();
      if (out == nullptr) return nullptr;
      for (const Member& m : v.as_object()) {
        PyObject* key = keys.Get(m.key);
        PyObject* item = key != nullptr ? ToPythonAt(m.value, y, keys) : nullptr;
        int rc = item != nullptr ? PyDict_SetItem(out, key, item) : -1;
        Py_XDECREF(key);
        Py_XDECREF(item);
        if (rc != 0) {
          Py_DECREF(out);
          return nullptr;
        }
      }
      return out;
    }
  }
  Py_RETURN_NONE;
}

}  // namespace

pybind11::object ToPython(const Value& v, GilYielder& y) {
  KeyCache keys;
  PyObject* out = ToPythonAt(v, y, keys);
  if (out == nullptr) throw pybind11::error_already_set();
  return pybind11::reinterpret_steal<pybind11::object>(out);
}

pybind11::object ToPython(const Value& v) {
  GilYielder y;
  return ToPython(v, y);
}


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
  } else if (bool is_view = false; *out = ViewValue(h, &is_view), is_view) {
    // a DocumentView: its node, copied
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
