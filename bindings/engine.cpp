// kfix._core.Engine, PipelineRun, Queue, AuditLog and the receipt/audit
// functions: shims over kfix::Engine (kfix/engine.hpp) and the audit and
// queue layers. Arguments are converted with the GIL held, the work runs
// with it released, and results come back as Python values built from the
// result's one ToValue (the Value is built without the GIL; the Python
// objects with it, given away every few ms). No JSON text is parsed again.
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "bindings/module.hpp"
#include "convert.hpp"
#include "core/parallel_internal.hpp"
#include "engine/file_part_internal.hpp"
#include "kfix/audit.hpp"
#include "kfix/engine.hpp"
#include "kfix/queue.hpp"

namespace kfix::py {
namespace {

// The ToValue of a result, or its error.
template <typename T>
Result<Value> ValueOf(Result<T>&& r) {
  if (!r.ok()) return r.status();
  return ToValue(*r);
}

CallOptions Jobs(int jobs) {
  CallOptions o;
  o.jobs = jobs;
  return o;
}

// The Python object of one pipeline run: the whole C++ result, kept so that
// documents are built on demand and write() is WritePipelineOutputs itself.
// The last reference frees the result without the GIL (it can be large).
struct PyPipelineRun {
  std::shared_ptr<const PipelineResult> rep;

  explicit PyPipelineRun(std::shared_ptr<const PipelineResult> r) : rep(std::move(r)) {}
};

// Runs `work` (returning Result<PipelineResult>) without the GIL, and moves
// the result into its shared holder there too; raises its error.
template <typename Fn>
PyPipelineRun RunOrRaise(Fn&& work) {
  std::shared_ptr<const PipelineResult> rep;
  Status status;
  {
    pybind11::gil_scoped_release release;
    Result<PipelineResult> run = work();
    if (run.ok()) {
      rep = SharedFreedWithoutGil(std::move(*run));
    } else {
      status = run.status();
    }
  }
  RaiseIfError(status);
  return PyPipelineRun(std::move(rep));
}

// One of the five documents of a run by name, or an error naming them.
Result<Value> RunDocument(const PipelineResult& r, const std::string& name) {
  if (name == "findings") return PipelineFindingsToValue(r);
  if (name == "fixes") return PipelineFixesToValue(r);
  if (name == "risk") return PipelineRiskToValue(r);
  if (name == "schedule") return PipelineScheduleToValue(r);
  if (name == "summary") return PipelineSummaryToValue(r);
  return InvalidArgumentError("unknown run document \"" + name + "\" (findings, fixes, risk, schedule, summary)");
}

// Runs a per-file run (`run` takes the sink of a part's Value and returns
// the run's Status) without the GIL: each part's Value is built on the
// calling thread without it, and handed to `callback` as Python values with
// it. Whatever the callback raises stops the run (the engine's workers are
// joined first) and is raised again here.
template <typename Run>
void StreamParts(const pybind11::object& callback, Run&& run) {
  std::exception_ptr raised;
  Status status;
  {
    pybind11::gil_scoped_release release;
    status = run([&](const Value& part) -> Status {
      pybind11::gil_scoped_acquire gil;
      try {
        GilYielder y;
        callback(ToPython(part, y));
      } catch (...) {
        raised = std::current_exception();
        return Status(StatusCode::kInternal, "stopped by the callback");
      }
      return Status::Ok();
    });
  }
  if (raised) std::rethrow_exception(raised);
  RaiseIfError(status);
}

Engine EngineFromPython(const pybind11::object& config) {
  if (config.is_none()) {
    pybind11::gil_scoped_release release;
    return ValueOrRaise(Engine::Create());
  }
  if (pybind11::isinstance<pybind11::str>(config) || pybind11::isinstance<pybind11::bytes>(config)) {
    std::string text = pybind11::isinstance<pybind11::str>(config) ? config.cast<std::string>()
                                                                   : std::string(config.cast<pybind11::bytes>());
    Result<Engine> e = [&] {
      pybind11::gil_scoped_release release;
      return Engine::FromText(text, "config");
    }();
    return ValueOrRaise(std::move(e));
  }
  Value document = FromPython(config);
  Result<Engine> e = [&]() -> Result<Engine> {
    pybind11::gil_scoped_release release;
    Result<EngineConfig> c = EngineConfigFromValue(document, "config");
    if (!c.ok()) return c.status();
    return Engine::Create(std::move(*c));
  }();
  return ValueOrRaise(std::move(e));
}

// A queue handle: kfix::Queue is used by one thread at a time, so calls are
// serialised; close() releases the database before the object goes away.
struct PyQueue {
  std::unique_ptr<Queue> queue;
  std::mutex mu;
};

template <typename Op>
pybind11::object QueueCall(PyQueue& q, Op&& op) {
  return Document([&]() -> Result<Value> {
    std::lock_guard<std::mutex> lock(q.mu);
    if (!q.queue) return InvalidArgumentError("the queue is closed");
    return op(*q.queue);
  });
}

// An audit log writer (AuditLog::OpenFile with the system clock).
struct PyAuditLog {
  std::unique_ptr<AuditLog> log;
};

AuditLog& OpenLog(PyAuditLog& l) {
  if (!l.log) RaiseIfError(InvalidArgumentError("the audit log is closed"));
  return *l.log;
}

}  // namespace

AuditLog* AuditLogOf(pybind11::handle log) {
  if (log.is_none()) return nullptr;
  if (!pybind11::isinstance<PyAuditLog>(log)) RaiseIfError(InvalidArgumentError("audit must be a kfix.AuditLog"));
  return &OpenLog(log.cast<PyAuditLog&>());
}

void BindEngine(pybind11::module_& m) {
  namespace py = pybind11;
  py::class_<PyPipelineRun>(m, "PipelineRun", "The C++ result of Engine.run / Engine.run_paths (PipelineResult).")
      .def(
          "to_json",
          [](const PyPipelineRun& self) {
            py::gil_scoped_release release;
            return ToJson(PipelineRunToValue(*self.rep));
          },
          "The run document: {schemaVersion, findings, fixes, risk, schedule, summary} (compact JSON).")
      .def(
          "document",
          [](const PyPipelineRun& self, const std::string& name) {
            return Dict([&] { return RunDocument(*self.rep, name); });
          },
          py::arg("name"), "One of the five documents as Python values (findings, fixes, risk, schedule, summary).")
      .def(
          "view",
          [](const PyPipelineRun& self, const std::string& name) {
            return View([&] { return RunDocument(*self.rep, name); });
          },
          py::arg("name"),
          "One of the five documents as a DocumentView: nodes become Python values only when read.")
      .def(
          "schema_version",
          [](const PyPipelineRun& self) {
            std::int64_t version = 0;
            {
              py::gil_scoped_release release;
              Value doc = PipelineRunToValue(*self.rep);
              const Value* v = doc.Find("schemaVersion");
              version = v != nullptr && v->is_int() ? v->as_int() : 0;
            }
            return version;
          },
          "schemaVersion of the run document.")
      .def(
          "write",
          [](const PyPipelineRun& self, const std::string& dir) {
            Status st;
            {
              py::gil_scoped_release release;
              st = WritePipelineOutputs(*self.rep, dir);
            }
            RaiseIfError(st);
          },
          py::arg("dir"), "Writes the five documents into dir (WritePipelineOutputs).");

  py::class_<Engine>(m, "Engine", "Immutable engine built from one configuration document; thread-safe.")
      .def(py::init([](const py::object& config) { return EngineFromPython(config); }),
           py::arg("config") = py::none())
      .def_static(
          "from_file",
          [](const std::string& path) {
            Result<Engine> e = [&] {
              py::gil_scoped_release release;
              return Engine::FromFile(path);
            }();
            return ValueOrRaise(std::move(e));
          },
          py::arg("path"), "Engine from a configuration file (YAML or JSON), as `kfix --config PATH`.")
      .def(
          "scan",
          [](const Engine& self, const Text& text, const std::string& source_name) {
            return Dict([&] { return ToValue(self.ScanText(text.value, source_name)); });
          },
          py::arg("text"), py::arg("source_name") = "<string>", "Scan report document of manifest text.")
      .def(
          "scan_paths",
          [](const Engine& self, const std::vector<std::string>& paths, int jobs) {
            return View([&] { return ValueOf(self.ScanPaths(paths, Jobs(jobs))); });
          },
          py::arg("paths"), py::arg("jobs") = 0,
          "Scan report document of files and directories, as a DocumentView (it can be large).")
      .def(
          "scan_paths_per_file",
          [](const Engine& self, const std::vector<std::string>& paths, const py::object& callback, int jobs) {
            StreamParts(callback, [&](const auto& hand) {
              return self
                  .ScanPathsPerFile(
                      paths, [&](FileScanReport&& part) { return hand(internal::FileScanReportToValue(part)); },
                      Jobs(jobs))
                  .status();
            });
          },
          py::arg("paths"), py::arg("callback"), py::arg("jobs") = 0,
          "Calls callback(part) for each file of a per-file scan, in report order: the part document "
          "{file, errorInputs, warningInputs, report}. An exception from the callback stops the run.")
      .def(
          "fix_paths_per_file",
          [](const Engine& self, const std::vector<std::string>& paths, const py::object& callback, int jobs,
             const py::object& options) {
            const Value o = options.is_none() ? Value() : FromPython(options);
            const WriteBackOptions wb = ValueOrRaise(WriteBackOptionsFromValue(o));
            StreamParts(callback, [&](const auto& hand) {
              CallOptions call = Jobs(jobs);
              call.keep_trees = false;  // the part names each object; its tree is not needed
              return self
                  .FixPathsPerFile(
                      paths, wb,
                      [&](FileFixReport&& part) { return hand(internal::FileFixReportToValue(part)); }, call)
                  .status();
            });
          },
          py::arg("paths"), py::arg("callback"), py::arg("jobs") = 0, py::arg("options") = py::none(),
          "Calls callback(part) for each file of a per-file fix, in report order, after writing it back as "
          "options say ({write: DIR | inPlace: true, diff: bool}; None: nothing written): the part document "
          "{file, errorInputs, objectInputs, written, writtenIndex, diff, report}. An exception from the "
          "callback stops the run.")
      .def(
          "scan_many",
          [](const Engine& self, std::vector<Text> docs, std::vector<std::string> names, int jobs) {
            if (!names.empty() && names.size() != docs.size()) {
              RaiseIfError(InvalidArgumentError("source_names has " + std::to_string(names.size()) +
                                                " entries for " + std::to_string(docs.size()) + " documents"));
            }
            std::vector<Value> out(docs.size());
            {
              py::gil_scoped_release release;
              CallOptions per_doc = Jobs(1);  // parallel across documents instead
              internal::ParallelFor(docs.size(), internal::ThreadCount(jobs, docs.size()), [&](std::size_t i) {
                std::string name = names.empty() ? "<doc-" + std::to_string(i) + ">" : names[i];
                out[i] = ToValue(self.ScanText(docs[i].value, name, per_doc));
              });
            }
            GilYielder y;
            py::list result;
            for (const Value& v : out) result.append(ToPython(v, y));
            {
              py::gil_scoped_release release;
              out.clear();
            }
            return result;
          },
          py::arg("docs"), py::arg("source_names"), py::arg("jobs"),
          "Scan report documents of each text, on a C++ thread pool (jobs=0: one per core).")
      .def(
          "fix",
          [](const Engine& self, const Text& text, const std::string& source_name) {
            return Dict([&] { return ToValue(self.FixText(text.value, source_name)); });
          },
          py::arg("text"), py::arg("source_name") = "<string>", "`kfix fix --format json` document of text.")
      .def(
          "fix_paths",
          [](const Engine& self, const std::vector<std::string>& paths, int jobs) {
            return Dict([&] { return ValueOf(self.FixPaths(paths, Jobs(jobs))); });
          },
          py::arg("paths"), py::arg("jobs") = 0, "`kfix fix --format json` document of files and directories.")
      .def(
          "propose_paths",
          [](const Engine& self, const std::vector<std::string>& paths, const pybind11::object& overrides,
             const pybind11::object& post, int jobs) {
            ProposeBackend backend;
            if (!overrides.is_none()) {
              // The keyword arguments over the engine's `propose:` section, checked as that section.
              Value section = ProposeConfigToValue(self.config().propose);
              Value over = FromPython(overrides);
              if (!over.is_object()) RaiseIfError(InvalidArgumentError("propose overrides must be a dict"));
              for (const Member& member : over.as_object()) section.Set(member.key, member.value);
              backend.config = ValueOrRaise(ProposeConfigFromValue(section, "propose"));
            }
            if (!post.is_none()) {
              // Copies of the callback share one reference; the Python object
              // is released with the GIL held, whichever thread drops it last.
              std::shared_ptr<pybind11::object> callable(new pybind11::object(post), [](pybind11::object* o) {
                pybind11::gil_scoped_acquire gil;
                delete o;
              });
              backend.http = [callable](const HttpRequest& request) -> Result<HttpResponse> {
                pybind11::gil_scoped_acquire gil;  // the work runs without it; the POST is Python
                try {
                  pybind11::list headers;
                  for (const auto& [name, value] : request.headers) headers.append(pybind11::make_tuple(name, value));
                  pybind11::object out =
                      (*callable)(request.url, headers, pybind11::bytes(request.body), request.timeout_seconds);
                  auto t = out.cast<pybind11::tuple>();
                  if (t.size() < 2) return IoError("the HTTP callable must return (status, body, retry_after)");
                  HttpResponse response;
                  response.status = t[0].cast<int>();
                  response.body = t[1].cast<std::string>();
                  if (t.size() > 2 && !t[2].is_none()) response.retry_after_seconds = t[2].cast<double>();
                  return response;
                } catch (pybind11::error_already_set& e) {
                  return IoError(e.what());
                } catch (const std::exception& e) {
                  return IoError(std::string("the HTTP callable failed: ") + e.what());
                }
              };
            }
            return Dict([&] { return ValueOf(self.ProposePaths(paths, backend, Jobs(jobs))); });
          },
          py::arg("paths"), py::arg("overrides") = py::none(), py::arg("post") = py::none(), py::arg("jobs") = 0,
          "`kfix propose` document of files and directories; `post(url, headers, body, timeout) -> (status, body, "
          "retry_after)` is the HTTP POST of openai mode.")
      .def(
          "verify_patch",
          [](const Engine& self, const Text& manifest, const Text& patch, int document, const std::string& check,
             const std::string& container) {
            return Dict([&]() -> Result<Value> {
              LoadedInputs inputs = self.LoadText(manifest.value, "manifest");
              VerifyTarget target;
              target.document = document;
              target.check = check;
              target.container = container;
              return ValueOf(self.Verify(inputs, patch.value, target));
            });
          },
          py::arg("manifest"), py::arg("patch"), py::arg("document") = 0, py::arg("check") = "",
          py::arg("container") = "", "Verdict document of an external patch on one document of manifest.")
      .def(
          "risk",
          [](const Engine& self, const Text& text, const std::string& source_name) {
            return Dict([&] { return RiskReportToValue(self.ScoreText(text.value, source_name), *self.feeds()); });
          },
          py::arg("text"), py::arg("source_name") = "<string>", "`kfix risk --format json` document of text.")
      .def(
          "risk_paths",
          [](const Engine& self, const std::vector<std::string>& paths, int jobs) {
            return Dict([&]() -> Result<Value> {
              Result<RiskReport> r = self.ScorePaths(paths, Jobs(jobs));
              if (!r.ok()) return r.status();
              return RiskReportToValue(*r, *self.feeds());  // as `kfix risk` prints it, with its feeds
            });
          },
          py::arg("paths"), py::arg("jobs") = 0, "`kfix risk --format json` document of files and directories.")
      .def(
          "schedule",
          [](const Engine& self, const Text& text, const std::string& source_name) {
            return Dict([&] { return ToValue(self.Rank(self.ScoreText(text.value, source_name))); });
          },
          py::arg("text"), py::arg("source_name") = "<string>", "`kfix schedule rank` document of text.")
      .def(
          "run",
          [](const Engine& self, const Text& text, const std::string& source_name, double now) {
            return RunOrRaise([&] {
              CallOptions o;
              o.now = now;
              return self.RunText(text.value, source_name, o);
            });
          },
          py::arg("text"), py::arg("source_name") = "<string>", py::arg("now") = 0.0,
          "The whole loop over text as one lint context.")
      .def(
          "run_paths",
          [](const Engine& self, const std::vector<std::string>& paths, double now, int jobs) {
            return RunOrRaise([&] {
              CallOptions o = Jobs(jobs);
              o.now = now;
              return self.Run(paths, o);
            });
          },
          py::arg("paths"), py::arg("now") = 0.0, py::arg("jobs") = 0,
          "The whole loop over files and directories as one lint context.")
      .def(
          "checks",
          [](const Engine& self) {
            py::list out;
            for (const CheckInfo& c : self.rules()->checks()) out.append(ToPython(CheckInfoToValue(c)));
            return out;
          },
          "The enabled checks (`kfix checks list --format json` entries).");
}

void BindQueue(pybind11::module_& m) {
  namespace py = pybind11;
  py::class_<PyQueue, std::shared_ptr<PyQueue>>(m, "Queue",
                                                "Crash-safe SQLite fix queue; calls on one object are serialised.")
      .def(py::init([](const std::string& path, const py::object& options) {
             Value opts = options.is_none() ? Value() : FromPython(options);
             Result<std::unique_ptr<Queue>> q = [&]() -> Result<std::unique_ptr<Queue>> {
               py::gil_scoped_release release;
               Result<QueueOptions> o = QueueOptionsFromValue(opts);
               if (!o.ok()) return o.status();
               return Queue::Open(path, *o);
             }();
             auto h = std::make_shared<PyQueue>();
             h->queue = ValueOrRaise(std::move(q));
             return h;
           }),
           py::arg("path"), py::arg("options") = py::none())
      .def(
          "enqueue_fix_report",
          [](PyQueue& q, const py::object& report, double now) {
            Value v = FromPython(report);
            return QueueCall(q, [&](Queue& queue) { return QueueEnqueueReport(queue, v, now); });
          },
          py::arg("report"), py::arg("now"))
      .def(
          "lease",
          [](PyQueue& q, const std::string& worker, double lease_seconds, double now) {
            return QueueCall(q, [&](Queue& queue) { return QueueLeaseNext(queue, worker, lease_seconds, now); });
          },
          py::arg("worker"), py::arg("lease_seconds"), py::arg("now"))
      .def(
          "ack",
          [](PyQueue& q, std::int64_t id, std::int64_t lease_token, double now) {
            return QueueCall(q, [&](Queue& queue) { return QueueAckItem(queue, id, lease_token, now); });
          },
          py::arg("id"), py::arg("lease_token"), py::arg("now"))
      .def(
          "nack",
          [](PyQueue& q, std::int64_t id, const std::string& reason, std::int64_t lease_token, double now) {
            return QueueCall(q, [&](Queue& queue) { return QueueNackItem(queue, id, reason, lease_token, now); });
          },
          py::arg("id"), py::arg("reason"), py::arg("lease_token"), py::arg("now"))
      .def(
          "stats", [](PyQueue& q, double now) { return QueueCall(q, [&](Queue& queue) {
            return QueueStatsDocument(queue, now); }); },
          py::arg("now"))
      .def(
          "close",
          [](PyQueue& q) {
            py::gil_scoped_release release;
            std::lock_guard<std::mutex> lock(q.mu);
            q.queue.reset();
          },
          "Closes the database; later calls raise InvalidArgumentError. Idempotent.")
      .def_property_readonly("closed", [](PyQueue& q) {
        std::lock_guard<std::mutex> lock(q.mu);
        return !q.queue;
      });
}

void BindAudit(pybind11::module_& m) {
  namespace py = pybind11;
  m.def(
      "receipt_sign",
      [](const std::string& seed_hex, const py::object& payload) {
        Value v = FromPython(payload);
        Result<std::string> r = [&]() -> Result<std::string> {
          py::gil_scoped_release release;
          Result<SigningKey> key = SigningKey::FromSeedHex(seed_hex);
          if (!key.ok()) return key.status();
          return Sign(*key, v).ToJson();
        }();
        return ValueOrRaise(std::move(r));
      },
      py::arg("seed_hex"), py::arg("payload"),
      "Ed25519 receipt (canonical JSON) over the audit-canonical bytes of payload.");
  m.def(
      "receipt_verify",
      [](const Text& receipt, const py::object& payload, const std::string& public_key_hex) {
        Value v = FromPython(payload);
        Status st;
        {
          py::gil_scoped_release release;
          Result<PublicKey> key = PublicKey::FromHex(public_key_hex);
          if (!key.ok()) {
            st = key.status();
          } else {
            KeyRing ring;
            ring.Add(*key);
            st = VerifyJson(receipt.value, v, ring).status;
          }
        }
        RaiseIfError(st);
      },
      py::arg("receipt"), py::arg("payload"), py::arg("public_key_hex"),
      "Raises unless the receipt holds for payload and key.");
  m.def(
      "audit_verify",
      [](const Text& log, const py::object& options) {
        Value opts = options.is_none() ? Value() : FromPython(options);
        return Dict([&]() -> Result<Value> {
          Result<AuditVerifyOptions> o = AuditVerifyOptionsFromValue(opts);
          if (!o.ok()) return o.status();
          return ToValue(VerifyAuditLog(log.value, *o));
        });
      },
      py::arg("log"), py::arg("options") = py::none(),
      "Verifies a hash-chained JSONL audit log held in memory; returns the report document.");
  m.def(
      "keygen",
      [](const std::string& secret_path, const std::string& public_path) {
        Result<std::string> r = [&]() -> Result<std::string> {
          py::gil_scoped_release release;
          Result<SigningKey> key = SigningKey::Generate();
          if (!key.ok()) return key.status();
          KFIX_RETURN_IF_ERROR(key->SaveFile(secret_path));
          if (!public_path.empty()) KFIX_RETURN_IF_ERROR(key->public_key().SaveFile(public_path));
          return key->public_key().Hex();
        }();
        return ValueOrRaise(std::move(r));
      },
      py::arg("secret_path"), py::arg("public_path") = "",
      "Generates an Ed25519 key: the seed into secret_path (mode 0600), the public key into public_path; "
      "returns the public key as hex.");

  py::class_<PyAuditLog>(m, "AuditLog", "Hash-chained JSONL audit log writer (AuditLog::OpenFile).")
      .def(py::init([](const std::string& path, const std::string& key_file, bool repair_torn_tail) {
             Result<std::unique_ptr<AuditLog>> log = [&]() -> Result<std::unique_ptr<AuditLog>> {
               py::gil_scoped_release release;
               AuditLogOptions o;
               o.clock = SystemAuditClock();
               o.repair_torn_tail = repair_torn_tail;
               if (!key_file.empty()) {
                 Result<SigningKey> key = SigningKey::LoadFile(key_file);
                 if (!key.ok()) return key.status();
                 o.signer = std::make_shared<const SigningKey>(std::move(*key));
               }
               return AuditLog::OpenFile(path, std::move(o));
             }();
             PyAuditLog l;
             l.log = ValueOrRaise(std::move(log));
             return l;
           }),
           py::arg("path"), py::arg("key_file") = "", py::arg("repair_torn_tail") = false)
      .def(
          "append",
          [](PyAuditLog& self, const std::string& type, const py::object& record) {
            Value v = FromPython(record);
            AuditLog& log = OpenLog(self);
            Result<AuditEntry> e = [&] {
              py::gil_scoped_release release;
              return log.Append(type, v);
            }();
            AuditEntry entry = ValueOrRaise(std::move(e));
            py::dict out;
            out["seq"] = entry.seq;
            out["type"] = entry.type;
            out["ts"] = entry.ts;
            out["prev"] = entry.prev;
            out["hash"] = entry.hash;
            out["line"] = entry.line;
            return out;
          },
          py::arg("type"), py::arg("record"), "Appends one record; returns {seq, type, ts, prev, hash, line}.")
      .def(
          "state",
          [](PyAuditLog& self) {
            AuditChainState s = OpenLog(self).state();
            return py::make_tuple(s.next_seq - 1, s.prev_hash);
          },
          "(last seq, last hash): an anchor for audit_verify.")
      .def(
          "close", [](PyAuditLog& self) { self.log.reset(); }, "Closes the log (releases its lock). Idempotent.")
      .def_property_readonly("closed", [](const PyAuditLog& self) { return !self.log; });
}

}  // namespace kfix::py
