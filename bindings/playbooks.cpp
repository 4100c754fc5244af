// kfix._core: the playbooks (gVisor, container escape, typed actions) and the
// write-back of fix results. Shims over the engine's playbook functions
// (kfix/engine.hpp): arguments are copied with the GIL held, the work runs
// without it, results are Python values built from each result's one
// ToValue, the same documents the C ABI returns and the CLI prints.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bindings/module.hpp"
#include "convert.hpp"
#include "kfix/engine.hpp"

namespace kfix::py {
namespace {

namespace py = pybind11;
namespace gv = kfix::gvisor;
namespace esc = kfix::escape;

// An options argument: a dict (or None) as a Value, converted with the GIL.
Value OptionsArg(const py::object& options) { return options.is_none() ? Value() : FromPython(options); }

// The fix report of Engine.fix_report / fix_report_paths: the whole C++
// result (with the inputs' texts), so render() and write() edit the bytes
// that were fixed. `paths` are the inputs of a paths call (empty for text).
// The last reference frees the report without the GIL (SharedFreedWithoutGil).
struct PyFixReport {
  Engine engine;
  std::shared_ptr<const FixReport> rep;
  std::vector<std::string> paths;
};

gv::Options GvisorOptions(const Value& options) {
  Result<gv::Options> o = [&] {
    py::gil_scoped_release release;
    return gv::OptionsFromValue(options, "options");
  }();
  return ValueOrRaise(std::move(o));
}

// The apply / rollback / verify document (Engine::GvisorRunDocument).
py::dict GvisorRunCall(const Engine& engine, const Text& plan, const std::optional<Text>& live, const Value& options,
                       AuditLog* audit, Engine::GvisorCommand command) {
  gv::Options o = GvisorOptions(options);
  return Dict([&] {
    std::string_view live_text = live ? std::string_view(live->value) : std::string_view();
    return engine.GvisorRunDocument(command, plan.value, live ? &live_text : nullptr, o, audit);
  });
}

CallOptions Jobs(int jobs) {
  CallOptions call;
  call.jobs = jobs;
  return call;
}

}  // namespace

void BindPlaybooks(pybind11::module_& m) {
  auto engine = py::reinterpret_borrow<py::class_<Engine>>(m.attr("Engine"));

  // ---- write-back ------------------------------------------------------------------
  py::class_<PyFixReport, std::shared_ptr<PyFixReport>>(
      m, "FixReport", "The C++ result of Engine.fix_report / fix_report_paths (FixReport with its inputs' texts).")
      .def(
          "document", [](const PyFixReport& self) { return Dict([&] { return ToValue(*self.rep); }); },
          "The `kfix fix --format json` document.")
      .def(
          "view", [](const PyFixReport& self) { return View([&] { return ToValue(*self.rep); }); },
          "The `kfix fix --format json` document as a DocumentView (read node by node; it can be large).")
      .def(
          "render", [](const PyFixReport& self) { return Dict([&] { return self.engine.RenderDocument(*self.rep); }); },
          "The render document: {schemaVersion, files: [{file, fixed, notes, refused, error, text}]}.")
      .def(
          "write",
          [](const PyFixReport& self, const py::object& options) {
            Value o = OptionsArg(options);
            return Dict([&]() -> Result<Value> {
              if (self.paths.empty()) {
                return InvalidArgumentError(
                    "this result was fixed from text: there are no input files to write back (use render(), or "
                    "fix_paths())");
              }
              Result<WriteBackOptions> wb = WriteBackOptionsFromValue(o);
              if (!wb.ok()) return wb.status();
              Result<WriteBackResult> written = self.engine.WriteBack(*self.rep, self.paths, *wb);
              if (!written.ok()) return written.status();
              return WriteBackResultToValue(*written);
            });
          },
          py::arg("options"), "WriteBack with {write: DIR | inPlace: true, diff: bool}; the write-back document.");

  engine
      .def(
          "fix_report",
          [](const Engine& self, const Text& text, const std::string& source_name) {
            auto out = std::make_shared<PyFixReport>(PyFixReport{self, nullptr, {}});
            py::gil_scoped_release release;
            CallOptions call;
            call.keep_sources = true;
            out->rep = SharedFreedWithoutGil(self.FixText(text.value, source_name, call));
            return out;
          },
          py::arg("text"), py::arg("source_name") = "<string>", "The fix report of text, kept for render().")
      .def(
          "fix_report_paths",
          [](const Engine& self, const std::vector<std::string>& paths, int jobs) {
            auto out = std::make_shared<PyFixReport>(PyFixReport{self, nullptr, paths});
            Result<FixReport> r = [&] {
              py::gil_scoped_release release;
              CallOptions call;
              call.jobs = jobs;
              call.keep_sources = true;
              return self.FixPaths(paths, call);
            }();
            out->rep = SharedFreedWithoutGil(ValueOrRaise(std::move(r)));
            return out;
          },
          py::arg("paths"), py::arg("jobs") = 0, "The fix report of files, kept for render() and write().");

  // ---- gVisor ----------------------------------------------------------------------------
  engine
      .def(
          "gvisor_scan",
          [](const Engine& self, const Text& text, const std::string& source_name, const py::object& options) {
            gv::Options o = GvisorOptions(OptionsArg(options));
            return Dict([&] { return gv::ToValue(self.GvisorScan(self.LoadText(text.value, source_name), o)); });
          },
          py::arg("text"), py::arg("source_name") = "<string>", py::arg("options") = py::none(),
          "`kfix gvisor scan` document of manifest text.")
      .def(
          "gvisor_scan_paths",
          [](const Engine& self, const std::vector<std::string>& paths, const py::object& options, int jobs) {
            gv::Options o = GvisorOptions(OptionsArg(options));
            return Dict([&]() -> Result<Value> {
              Result<LoadedInputs> inputs = self.LoadReadable(paths, Jobs(jobs));
              if (!inputs.ok()) return inputs.status();
              return gv::ToValue(self.GvisorScan(*inputs, o));
            });
          },
          py::arg("paths"), py::arg("options") = py::none(), py::arg("jobs") = 1,
          "`kfix gvisor scan` document of files and directories.")
      .def(
          "gvisor_plan",
          [](const Engine& self, const Text& text, const std::string& source_name, const py::object& options,
             const py::object& audit) {
            gv::Options o = GvisorOptions(OptionsArg(options));
            AuditLog* log = AuditLogOf(audit);
            return Dict([&] { return self.GvisorPlanDocument(self.LoadText(text.value, source_name), o, log); });
          },
          py::arg("text"), py::arg("source_name") = "<string>", py::arg("options") = py::none(),
          py::arg("audit") = py::none(), "MigrationPlan document of manifest text.")
      .def(
          "gvisor_plan_paths",
          [](const Engine& self, const std::vector<std::string>& paths, const py::object& options, int jobs,
             const py::object& audit) {
            gv::Options o = GvisorOptions(OptionsArg(options));
            AuditLog* log = AuditLogOf(audit);
            return Dict([&]() -> Result<Value> {
              Result<LoadedInputs> inputs = self.LoadReadable(paths, Jobs(jobs));
              if (!inputs.ok()) return inputs.status();
              return self.GvisorPlanDocument(*inputs, o, log);
            });
          },
          py::arg("paths"), py::arg("options") = py::none(), py::arg("jobs") = 1, py::arg("audit") = py::none(),
          "MigrationPlan document of files and directories.")
      .def(
          "gvisor_apply",
          [](const Engine& self, const Text& plan, const std::optional<Text>& live, const py::object& options,
             const py::object& audit) {
            return GvisorRunCall(self, plan, live, OptionsArg(options), AuditLogOf(audit), Engine::GvisorCommand::kApply);
          },
          py::arg("plan"), py::arg("live") = py::none(), py::arg("options") = py::none(),
          py::arg("audit") = py::none(), "ApplyResult document of a plan over the live state.")
      .def(
          "gvisor_rollback",
          [](const Engine& self, const Text& plan, const std::optional<Text>& live, const py::object& options,
             const py::object& audit) {
            return GvisorRunCall(self, plan, live, OptionsArg(options), AuditLogOf(audit), Engine::GvisorCommand::kRollback);
          },
          py::arg("plan"), py::arg("live") = py::none(), py::arg("options") = py::none(),
          py::arg("audit") = py::none(), "RollbackResult document of a plan over the live state.")
      .def(
          "gvisor_verify",
          [](const Engine& self, const Text& plan, const std::optional<Text>& live, const py::object& options) {
            return GvisorRunCall(self, plan, live, OptionsArg(options), nullptr, Engine::GvisorCommand::kVerify);
          },
          py::arg("plan"), py::arg("live") = py::none(), py::arg("options") = py::none(),
          "VerifyResult document of a plan over the live pods.");

  // ---- container escape -------------------------------------------------------------------
  m.def(
      "escape_detect",
      [](const Text& events, const std::string& source_name, const py::object& options) {
        Value o = OptionsArg(options);
        return Dict([&] { return EscapeDetectDocument(events.value, source_name, o); });
      },
      py::arg("events"), py::arg("source_name") = "<string>", py::arg("options") = py::none(),
      "Detection document {schemaVersion, findings, errors, events} of JSON-lines events.");
  m.def(
      "quarantine",
      [](const std::string& operation, const Text& findings, const std::string& findings_name,
         const std::optional<Text>& cluster, const py::object& options, const py::object& audit) {
        esc::Operation op = esc::Operation::kPlan;
        if (operation == "apply") {
          op = esc::Operation::kApply;
        } else if (operation == "reverify") {
          op = esc::Operation::kReverify;
        } else if (operation != "plan") {
          RaiseIfError(InvalidArgumentError("operation must be plan, apply or reverify"));
        }
        AuditLog* log = op == esc::Operation::kApply ? AuditLogOf(audit) : nullptr;
        Value o = OptionsArg(options);
        return Dict([&] {
          std::string_view cluster_text = cluster ? std::string_view(cluster->value) : std::string_view();
          return QuarantineDocument(op, findings.value, findings_name, cluster ? &cluster_text : nullptr, o, log);
        });
      },
      py::arg("operation"), py::arg("findings"), py::arg("findings_name") = "<string>",
      py::arg("cluster") = py::none(), py::arg("options") = py::none(), py::arg("audit") = py::none(),
      "Quarantine document {schemaVersion, records, errors, warnings, status} of plan, apply or reverify.");

  // ---- typed actions -------------------------------------------------------------------------
  m.def(
      "intent_validate", [](const Text& intent) { return Dict([&] { return IntentValidateDocument(intent.value); }); },
      py::arg("intent"), "{valid, error} of intent JSON.");
  m.def(
      "intent_consume",
      [](const Text& object, const py::object& options, const py::object& audit) {
        Value o = OptionsArg(options);
        AuditLog* log = AuditLogOf(audit);
        return Dict([&] { return IntentConsumeDocument(object.value, o, log); });
      },
      py::arg("object"), py::arg("options") = py::none(), py::arg("audit") = py::none(),
      "{decision, annotations, patch, error} of an object.");
  m.def(
      "action_validate",
      [](const Text& action, const py::object& options) {
        Value o = OptionsArg(options);
        return Dict([&] { return ActionValidateDocument(action.value, o); });
      },
      py::arg("action"), py::arg("options") = py::none(), "{valid, error, plan} of a KarsSREAction.");
  m.def(
      "action_step",
      [](const Text& action, const py::object& options, const py::object& audit) {
        Value o = OptionsArg(options);
        AuditLog* log = AuditLogOf(audit);
        return Dict([&] { return ActionStepDocument(action.value, o, log); });
      },
      py::arg("action"), py::arg("options") = py::none(), py::arg("audit") = py::none(),
      "{phase, status, effects} of one reconcile.");
  m.def(
      "incidents_triage",
      [](const Text& events, const py::object& options, const py::object& audit) {
        Value o = OptionsArg(options);
        AuditLog* log = AuditLogOf(audit);
        return Dict([&] { return IncidentsTriageDocument(events.value, o, log); });
      },
      py::arg("events"), py::arg("options") = py::none(), py::arg("audit") = py::none(),
      "The watcher's decisions and next state for one poll.");
}

}  // namespace kfix::py
