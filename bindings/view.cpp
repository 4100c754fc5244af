// kfix._core.DocumentView: a read-only Python view of one node of a C++
// document (a result's ToValue), so that large results do not become a
// million Python dicts and lists before anyone reads them.
//
// Why: a `kfix.run_paths` over a few thousand manifests yields documents of
// tens of megabytes. Converted eagerly, they become hundreds of thousands of
// GC-tracked Python containers; CPython's full collections then walk all of
// them while holding the GIL (pauses of 100+ ms). A view is one small
// pybind11 object (not GC-tracked) that shares the document and converts a
// node only when it is read: scalars come back as Python values, objects and
// arrays as further views. `to_python()` converts a whole subtree.
//
// A view behaves as a read-only Mapping (object nodes) or Sequence (array
// nodes): `len`, iteration, `in`, `[]`, `get`, `keys`, `values`, `items`,
// `==` against another view or plain Python values. Pickling and
// `copy.deepcopy` give plain Python values.
#include <pybind11/pybind11.h>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "bindings/module.hpp"
#include "convert.hpp"

namespace kfix::py {

namespace {

namespace pyb = pybind11;

// A Python value for `node`: a scalar, or a view sharing `root`.
pyb::object Node(const std::shared_ptr<const Value>& root, const Value* node) {
  if (node->is_object() || node->is_array()) return pyb::cast(DocumentView{root, node});
  return ToPython(*node);
}

const Value& At(const DocumentView& v) { return *v.node; }

// Members of an object node, elements of an array node.
std::size_t Size(const DocumentView& v) {
  return At(v).is_object() ? At(v).as_object().size() : At(v).as_array().size();
}

// The member names of an object node.
pyb::list Keys(const DocumentView& v) {
  pyb::list out;
  for (const kfix::Member& mem : At(v).as_object()) out.append(pyb::str(mem.key));
  return out;
}

[[noreturn]] void RaiseKey(const pyb::handle& key) {
  PyErr_SetObject(PyExc_KeyError, key.ptr());
  throw pyb::error_already_set();
}

[[noreturn]] void RaiseIndex() {
  PyErr_SetString(PyExc_IndexError, "document view index out of range");
  throw pyb::error_already_set();
}

// The member `key` of an object node, or nullptr.
const Value* Member(const DocumentView& v, const pyb::handle& key) {
  if (!At(v).is_object() || !pyb::isinstance<pyb::str>(key)) return nullptr;
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(key.ptr(), &size);
  if (data == nullptr) {
    PyErr_Clear();
    return nullptr;
  }
  return At(v).Find(std::string_view(data, static_cast<std::size_t>(size)));
}

// The element `index` of an array node (negative counts from the end), or nullptr.
const Value* Element(const DocumentView& v, Py_ssize_t index) {
  const Value::Array& a = At(v).as_array();
  const auto n = static_cast<Py_ssize_t>(a.size());
  if (index < 0) index += n;
  if (index < 0 || index >= n) return nullptr;
  return &a[static_cast<std::size_t>(index)];
}

pyb::object GetItem(const DocumentView& v, const pyb::object& key) {
  if (At(v).is_object()) {
    const Value* m = Member(v, key);
    if (m == nullptr) RaiseKey(key);
    return Node(v.root, m);
  }
  if (pyb::isinstance<pyb::slice>(key)) {
    Py_ssize_t start = 0, stop = 0, step = 0, count = 0;
    const auto n = static_cast<Py_ssize_t>(At(v).as_array().size());
    if (!pyb::reinterpret_borrow<pyb::slice>(key).compute(n, &start, &stop, &step, &count)) {
      throw pyb::error_already_set();
    }
    pyb::list out(count);
    for (Py_ssize_t i = 0; i < count; ++i, start += step) {
      out[i] = Node(v.root, &At(v).as_array()[static_cast<std::size_t>(start)]);
    }
    return out;
  }
  if (!pyb::isinstance<pyb::int_>(key)) {
    throw pyb::type_error("document view (array) indices must be integers or slices");
  }
  const Value* e = Element(v, key.cast<Py_ssize_t>());
  if (e == nullptr) RaiseIndex();
  return Node(v.root, e);
}

// Equality with another view (Value equality) or with plain Python values.
bool Equal(const DocumentView& v, const pyb::handle& other) {
  if (pyb::isinstance<DocumentView>(other)) return At(v) == At(other.cast<const DocumentView&>());
  if (At(v).is_object() && !pyb::isinstance<pyb::dict>(other)) return false;
  if (At(v).is_array() && !pyb::isinstance<pyb::list>(other)) return false;
  return ToPython(At(v)).equal(other);
}

// An object node one level deep: a dict whose scalars are Python values
// and whose objects and arrays are views (one call builds a whole record).
pyb::dict Shallow(const std::shared_ptr<const Value>& root, const Value& node) {
  pyb::dict out;
  for (const kfix::Member& mem : node.as_object()) out[pyb::str(mem.key)] = Node(root, &mem.value);
  return out;
}

}  // namespace

Value ViewValue(pybind11::handle h, bool* is_view) {
  if (!pyb::isinstance<DocumentView>(h)) {
    *is_view = false;
    return Value();
  }
  *is_view = true;
  return At(h.cast<const DocumentView&>());
}

pybind11::object ViewOf(std::shared_ptr<const Value> root) {
  const Value* node = root.get();
  if (!node->is_object() && !node->is_array()) return ToPython(*node);
  return pyb::cast(DocumentView{std::move(root), node});
}

void BindDocumentView(pybind11::module_& m) {
  pyb::class_<DocumentView>(m, "DocumentView",
                            "A read-only view of an object or array of a kfix document: a Mapping or a Sequence "
                            "whose nodes are converted to Python only when read. to_python() converts it all.")
      .def("to_python", [](const DocumentView& v) { return ToPython(At(v)); },
           "The node as plain Python values (dict, list, str, int, float, bool, None).")
      .def(
          "shallow",
          [](const DocumentView& v) {
            if (!At(v).is_object()) throw pyb::type_error("shallow() on a document view of an array");
            return Shallow(v.root, At(v));
          },
          "The object one level deep: a dict of its members, nested objects and arrays as views.")
      .def(
          "records",
          [](const DocumentView& v) {
            if (!At(v).is_array()) throw pyb::type_error("records() on a document view of an object");
            pyb::list out(At(v).as_array().size());
            std::size_t i = 0;
            GilYielder y;  // a long list of records: let other threads in every few ms
            for (const Value& e : At(v).as_array()) {
              if (!y.Tick()) throw pyb::error_already_set();
              out[i++] = e.is_object() ? pyb::object(Shallow(v.root, e)) : Node(v.root, &e);
            }
            return out;
          },
          "The array's elements, each object one level deep (shallow()): one call for a list of records.")
      .def("is_mapping", [](const DocumentView& v) { return At(v).is_object(); }, "True for an object node.")
      .def("__len__", &Size)
      .def("__bool__", [](const DocumentView& v) { return Size(v) != 0; })
      .def("__getitem__", &GetItem, pyb::arg("key"))
      .def(
          "get",
          [](const DocumentView& v, const pyb::object& key, const pyb::object& fallback) -> pyb::object {
            if (!At(v).is_object()) throw pyb::type_error("get() on a document view of an array");
            const Value* found = Member(v, key);
            return found == nullptr ? fallback : Node(v.root, found);
          },
          pyb::arg("key"), pyb::arg("default") = pyb::none())
      .def("__contains__",
           [](const DocumentView& v, const pyb::object& key) {
             if (At(v).is_object()) return Member(v, key) != nullptr;
             for (const Value& e : At(v).as_array()) {
               if (Node(v.root, &e).equal(key)) return true;
             }
             return false;
           })
      .def("__iter__",
           [](const DocumentView& v) {
             if (At(v).is_object()) return pyb::iter(Keys(v));  // as a dict and a list iterate
             pyb::list items;
             GilYielder y;
             for (const Value& e : At(v).as_array()) {
               if (!y.Tick()) throw pyb::error_already_set();
               items.append(Node(v.root, &e));
             }
             return pyb::iter(items);
           })
      .def("keys",
           [](const DocumentView& v) {
             if (!At(v).is_object()) throw pyb::type_error("keys() on a document view of an array");
             return Keys(v);
           })
      .def("values",
           [](const DocumentView& v) {
             if (!At(v).is_object()) throw pyb::type_error("values() on a document view of an array");
             pyb::list out;
             for (const kfix::Member& mem : At(v).as_object()) out.append(Node(v.root, &mem.value));
             return out;
           })
      .def("items",
           [](const DocumentView& v) {
             if (!At(v).is_object()) throw pyb::type_error("items() on a document view of an array");
             pyb::list out;
             for (const kfix::Member& mem : At(v).as_object()) {
               out.append(pyb::make_tuple(pyb::str(mem.key), Node(v.root, &mem.value)));
             }
             return out;
           })
      .def("__eq__", [](const DocumentView& v, const pyb::object& other) { return Equal(v, other); })
      .def("__ne__", [](const DocumentView& v, const pyb::object& other) { return !Equal(v, other); })
      .def("__repr__",
           [](const DocumentView& v) {
             return std::string("DocumentView(") + (At(v).is_object() ? "object, " : "array, ") +
                    std::to_string(Size(v)) + (At(v).is_object() ? " members)" : " items)");
           })
      .def("__reduce__",
           [](const DocumentView& v) {
             pyb::object type = At(v).is_object() ? pyb::reinterpret_borrow<pyb::object>((PyObject*)&PyDict_Type)
                                                  : pyb::reinterpret_borrow<pyb::object>((PyObject*)&PyList_Type);
             return pyb::make_tuple(type, pyb::make_tuple(ToPython(At(v))));
           })
      .def("__copy__", [](const DocumentView& v) { return v; })
      .def("__deepcopy__", [](const DocumentView& v, const pyb::object&) { return ToPython(At(v)); },
           pyb::arg("memo"));
}

}  // namespace kfix::py
