// kfix._core.Engine: the immutable scan/fix engine, shared with the C ABI's
// configuration format (capi/internal/engine_config.hpp).
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bindings/module.hpp"
#include "convert.hpp"
#include "internal/engine_config.hpp"
#include "internal/queue_ops.hpp"
#include "kfix/pipeline.hpp"
#include "kfix/rules.hpp"

namespace py = pybind11;

namespace kfix::py {
namespace {

using Spec = std::shared_ptr<const capi::EngineSpec>;

// The Python object: a handle on the immutable spec (pybind11 holders
// cannot hold pointers to const).
struct PyEngine {
  Spec spec;
  const capi::EngineSpec& operator*() const { return *spec; }
};

// The Python object of one pipeline run (kfix._core.PipelineRun): the whole
// C++ result, kept so that write() is WritePipelineOutputs itself.
struct PyPipelineRun {
  std::shared_ptr<const PipelineResult> rep;
};

PyPipelineRun RunOrRaise(Result<PipelineResult>&& run) {
  return PyPipelineRun{std::make_shared<const PipelineResult>(ValueOrRaise(std::move(run)))};
}

// Runs fn(i) for i in [0, n) on up to `jobs` threads (0 = hardware threads).
// Never calls into Python. Exceptions are captured and rethrown on the caller.
template <typename Fn>
void ParallelFor(std::size_t n, int jobs, Fn&& fn) {
  std::size_t workers = jobs > 0 ? static_cast<std::size_t>(jobs) : std::max(1u, std::thread::hardware_concurrency());
  workers = std::min(workers, n);
  if (workers <= 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::atomic<bool> failed{false};
  auto run = [&]() {
    for (;;) {
      std::size_t i = next.fetch_add(1);
      if (i >= n || failed.load()) return;
      try {
        fn(i);
      } catch (...) {
        if (!failed.exchange(true)) error = std::current_exception();
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(workers - 1);
  for (std::size_t t = 1; t < workers; ++t) threads.emplace_back(run);
  run();
  for (std::thread& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

std::string ScanJson(const capi::EngineSpec& e, const ScanReport& report) {
  (void)e;
  return ScanReportToJson(report, /*pretty=*/false);
}

}  // namespace

void BindEngine(pybind11::module_& m) {
  pybind11::class_<PyPipelineRun>(m, "PipelineRun",
                                  "The result of Engine.run / Engine.run_paths (kfix/pipeline.hpp PipelineResult).")
      .def(
          "to_json",
          [](const PyPipelineRun& self) {
            pybind11::gil_scoped_release release;
            return ToJson(capi::PipelineRunValue(*self.rep));
          },
          "The kfix_run document: {schemaVersion, findings, fixes, risk, schedule, summary} (compact JSON).")
      .def(
          "write",
          [](const PyPipelineRun& self, const std::string& dir) {
            Status st;
            {
              pybind11::gil_scoped_release release;
              st = WritePipelineOutputs(*self.rep, dir);
            }
            RaiseIfError(st);
          },
          pybind11::arg("dir"),
          "Writes findings.json, fixes.json, risk.json, schedule.json and summary.json into dir "
          "(WritePipelineOutputs).");
  pybind11::class_<PyEngine>(m, "Engine",
                                           "Immutable scan/fix engine; safe to share between threads.")
      .def(pybind11::init([](const pybind11::object& config) {
             Value v = config.is_none() ? Value() : FromPython(config);
             Result<Spec> spec = [&] {
               pybind11::gil_scoped_release release;
               return capi::BuildEngine(v);
             }();
             return PyEngine{ValueOrRaise(std::move(spec))};
           }),
           pybind11::arg("config") = pybind11::none())
      .def(
          "scan",
          [](const PyEngine& self, const Text& text, const std::string& source_name) {
            pybind11::gil_scoped_release release;
            const capi::EngineSpec& e = *self;
            return ScanJson(e, e.rules->ScanText(text.value, source_name, e.scan));
          },
          pybind11::arg("text"), pybind11::arg("source_name") = "<string>",
          "Scans YAML/JSON text; returns the scan report JSON.")
      .def(
          "scan_paths",
          [](const PyEngine& self, const std::vector<std::string>& paths) {
            pybind11::gil_scoped_release release;
            const capi::EngineSpec& e = *self;
            return ScanJson(e, e.rules->ScanPaths(paths, e.scan));
          },
          pybind11::arg("paths"), "Scans files and directories; returns the scan report JSON.")
      .def(
          "scan_many",
          [](const PyEngine& self, std::vector<Text> docs, std::vector<std::string> names, int jobs) {
            const capi::EngineSpec& e = *self;
            if (!names.empty() && names.size() != docs.size()) {
              RaiseIfError(InvalidArgumentError("source_names has " + std::to_string(names.size()) +
                                                " entries for " + std::to_string(docs.size()) + " documents"));
            }
            std::vector<std::string> out(docs.size());
            {
              pybind11::gil_scoped_release release;
              ScanOptions per_doc = e.scan;
              per_doc.jobs = 1;  // parallel across documents instead
              ParallelFor(docs.size(), jobs, [&](std::size_t i) {
                std::string name = names.empty() ? "<doc-" + std::to_string(i) + ">" : names[i];
                out[i] = ScanJson(e, e.rules->ScanText(docs[i].value, name, per_doc));
              });
            }
            return out;
          },
          pybind11::arg("docs"), pybind11::arg("source_names"), pybind11::arg("jobs"),
          "Scans each document on a C++ thread pool (jobs=0: one per core); returns one report JSON each.")
      .def(
          "fix",
          [](const PyEngine& self, const Text& text, const std::string& source_name) {
            pybind11::gil_scoped_release release;
            return capi::FixJson(*self.spec, text.value, source_name);
          },
          pybind11::arg("text"), pybind11::arg("source_name") = "<string>",
          "Proposes and vets a minimal fix per finding; returns the `kfix fix --format json` document.")
      .def(
          "verify_patch",
          [](const PyEngine& self, const Text& manifest, const Text& patch) {
            Result<std::string> verdict = [&] {
              pybind11::gil_scoped_release release;
              return capi::VerifyPatchJson(*self.spec, manifest.value, patch.value);
            }();
            return ValueOrRaise(std::move(verdict));
          },
          pybind11::arg("manifest"), pybind11::arg("patch"),
          "Vets an external patch against the first object of manifest; returns the verdict JSON.")
      .def(
          "risk",
          [](const PyEngine& self, const Text& text, const std::string& source_name) {
            pybind11::gil_scoped_release release;
            return ToJson(capi::RiskScoreValue(*self.spec, text.value, source_name));
          },
          pybind11::arg("text"), pybind11::arg("source_name") = "<string>",
          "Scans and scores every finding; returns the `kfix risk --format json` document.")
      .def(
          "schedule",
          [](const PyEngine& self, const Text& text, const std::string& source_name) {
            pybind11::gil_scoped_release release;
            return ToJson(capi::ScheduleValue(*self.spec, text.value, source_name));
          },
          pybind11::arg("text"), pybind11::arg("source_name") = "<string>",
          "Scans, scores and ranks every finding; returns {schemaVersion, items, errors} JSON.")
      .def(
          "run",
          [](const PyEngine& self, const Text& text, const std::string& source_name, double now) {
            Result<PipelineResult> run = [&] {
              pybind11::gil_scoped_release release;
              return capi::RunPipelineText(*self.spec, text.value, source_name, now);
            }();
            return RunOrRaise(std::move(run));
          },
          pybind11::arg("text"), pybind11::arg("source_name") = "<string>", pybind11::arg("now") = 0.0,
          "Runs the whole loop (scan, fix, guard, risk, schedule) over text as one lint context.")
      .def(
          "run_paths",
          [](const PyEngine& self, const std::vector<std::string>& paths, double now, int jobs) {
            Result<PipelineResult> run = [&] {
              pybind11::gil_scoped_release release;
              return capi::RunPipelinePaths(*self.spec, paths, now, jobs);
            }();
            return RunOrRaise(std::move(run));
          },
          pybind11::arg("paths"), pybind11::arg("now") = 0.0, pybind11::arg("jobs") = 1,
          "Runs the whole loop over files and directories (RunPipeline) on `jobs` threads.")
      .def(
          "checks",
          [](const PyEngine& self) {
            pybind11::gil_scoped_release release;
            return ChecksToJson(self.spec->rules->checks());
          },
          "The enabled checks as JSON (`kfix checks list --format json`).");
}

void BindQueue(pybind11::module_& m) {
  // shared_ptr holder: Python may keep the object alive from several places.
  pybind11::class_<capi::QueueHandle, std::shared_ptr<capi::QueueHandle>>(
      m, "Queue", "Crash-safe SQLite fix queue; calls on one object are serialised.")
      .def(pybind11::init([](const std::string& path, const pybind11::object& options) {
             Value opts = options.is_none() ? Value() : FromPython(options);
             Result<std::unique_ptr<capi::QueueHandle>> h = [&] {
               pybind11::gil_scoped_release release;
               return capi::OpenQueue(path, opts);
             }();
             return std::shared_ptr<capi::QueueHandle>(ValueOrRaise(std::move(h)));
           }),
           pybind11::arg("path"), pybind11::arg("options") = pybind11::none())
      .def(
          "enqueue_fix_report",
          [](capi::QueueHandle& q, const pybind11::object& report, double now) {
            Value v = FromPython(report);
            Result<Value> r = [&] {
              pybind11::gil_scoped_release release;
              return capi::QueueEnqueueFixReport(q, v, now);
            }();
            return ToPython(ValueOrRaise(std::move(r)));
          },
          pybind11::arg("report"), pybind11::arg("now"))
      .def(
          "lease",
          [](capi::QueueHandle& q, const std::string& worker, double lease_seconds, double now) {
            Result<Value> r = [&] {
              pybind11::gil_scoped_release release;
              return capi::QueueLease(q, worker, lease_seconds, now);
            }();
            return ToPython(ValueOrRaise(std::move(r)));
          },
          pybind11::arg("worker"), pybind11::arg("lease_seconds"), pybind11::arg("now"))
      .def(
          "finish",
          [](capi::QueueHandle& q, std::int64_t id, std::int64_t lease_token, const pybind11::object& reason,
             double now) {
            std::string reason_text = reason.is_none() ? std::string() : reason.cast<std::string>();
            const std::string* r_ptr = reason.is_none() ? nullptr : &reason_text;
            Result<Value> r = [&] {
              pybind11::gil_scoped_release release;
              return capi::QueueFinish(q, id, lease_token, r_ptr, now);
            }();
            return ToPython(ValueOrRaise(std::move(r)));
          },
          pybind11::arg("id"), pybind11::arg("lease_token"), pybind11::arg("reason"), pybind11::arg("now"))
      .def(
          "stats",
          [](capi::QueueHandle& q, double now) {
            Result<Value> r = [&] {
              pybind11::gil_scoped_release release;
              return capi::QueueStatsValue(q, now);
            }();
            return ToPython(ValueOrRaise(std::move(r)));
          },
          pybind11::arg("now"));
}

void BindAudit(pybind11::module_& m) {
  m.def(
      "receipt_sign",
      [](const std::string& seed_hex, const pybind11::object& payload) {
        Value v = FromPython(payload);
        Result<std::string> r = [&] {
          pybind11::gil_scoped_release release;
          return capi::ReceiptSignJson(seed_hex, v);
        }();
        return ValueOrRaise(std::move(r));
      },
      pybind11::arg("seed_hex"), pybind11::arg("payload"),
      "Ed25519 receipt (canonical JSON) over the audit-canonical bytes of payload.");
  m.def(
      "receipt_verify",
      [](const Text& receipt, const pybind11::object& payload, const std::string& public_key_hex) {
        Value v = FromPython(payload);
        Status st;
        {
          pybind11::gil_scoped_release release;
          st = capi::ReceiptVerify(receipt.value, v, public_key_hex);
        }
        RaiseIfError(st);
      },
      pybind11::arg("receipt"), pybind11::arg("payload"), pybind11::arg("public_key_hex"),
      "Raises unless the receipt holds for payload and key.");
  m.def(
      "audit_verify",
      [](const Text& log, const pybind11::object& options) {
        Value opts = options.is_none() ? Value() : FromPython(options);
        Result<capi::AuditVerifyRequest> request = capi::ParseAuditVerifyOptions(opts);
        capi::AuditVerifyRequest req = ValueOrRaise(std::move(request));
        Result<Value> report = [&] {
          pybind11::gil_scoped_release release;
          return capi::AuditVerifyValue(log.value, req);
        }();
        return ToJson(ValueOrRaise(std::move(report)));
      },
      pybind11::arg("log"), pybind11::arg("options") = pybind11::none(),
      "Verifies a hash-chained JSONL audit log held in memory; returns the report JSON.");
}

}  // namespace kfix::py
