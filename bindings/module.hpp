// bindings/module.hpp - the parts of kfix._core defined in separate files.
#pragma once

#include <pybind11/pybind11.h>

namespace kfix::py {

/// kfix._core.Engine (bindings/engine.cpp).
void BindEngine(pybind11::module_& m);
/// receipt_sign / receipt_verify / audit_verify (bindings/engine.cpp).
void BindAudit(pybind11::module_& m);
/// kfix._core.Queue (bindings/engine.cpp).
void BindQueue(pybind11::module_& m);

}  // namespace kfix::py
