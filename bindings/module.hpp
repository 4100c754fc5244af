// bindings/module.hpp - the parts of kfix._core defined in separate files.
#pragma once

#include <pybind11/pybind11.h>

namespace kfix {
class AuditLog;
}  // namespace kfix

namespace kfix::py {

/// kfix._core.Engine (bindings/engine.cpp).
void BindEngine(pybind11::module_& m);
/// receipt_sign / receipt_verify / audit_verify (bindings/engine.cpp).
void BindAudit(pybind11::module_& m);
/// kfix._core.Queue (bindings/engine.cpp).
void BindQueue(pybind11::module_& m);
/// The playbooks and write-back (bindings/playbooks.cpp): Engine.gvisor_*,
/// Engine.fix_report / FixReport, escape_detect, quarantine, intent_*,
/// action_*, incidents_triage. After BindEngine and BindAudit.
void BindPlaybooks(pybind11::module_& m);
/// The kfix::AuditLog of a kfix._core.AuditLog (None: null). Raises
/// InvalidArgumentError for a closed log or another type.
AuditLog* AuditLogOf(pybind11::handle log);

}  // namespace kfix::py
