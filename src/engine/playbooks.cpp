// The playbooks behind the engine (kfix/engine.hpp): gVisor migration,
// container-escape response and typed actions. Every surface (the CLI, the C
// ABI, Python) reads its inputs, calls these and prints or converts the
// result; the decoding of inputs and the documents live here once.
#include <utility>

#include "engine/file_part_internal.hpp"
#include "kfix/engine.hpp"

namespace kfix {

namespace {

SourceLocation FileLoc(std::string_view name) {
  SourceLocation loc;
  loc.file = std::string(name);
  return loc;
}

// `s` re-issued as "<name>: <bare message>" (no position), the form the
// commands have always printed for a shape error of a whole input.
Status NamedShapeError(const Status& s, std::string_view name) {
  return Status(s.code(), s.message(), FileLoc(name));
}

Value ErrorsToValue(const std::vector<Status>& errors) {
  Value out = Value::MakeArray();
  for (const Status& e : errors) out.PushBack(StatusToValue(e));
  return out;
}

}  // namespace

// ---- Inputs -------------------------------------------------------------------

bool IsInputReadError(const Status& status) noexcept {
  return status.code() == StatusCode::kIoError || status.code() == StatusCode::kNotFound ||
         status.code() == StatusCode::kPermissionDenied;
}

Status FirstInputReadError(const LoadedInputs& inputs) {
  for (const Status& e : inputs.load.errors) {
    if (IsInputReadError(e)) return e;
  }
  return Status::Ok();
}

Result<std::string> ReadInputFile(const std::string& path) { return ReadFileToString(path); }

Result<Value> LoadOneObject(std::string_view text, std::string_view name) {
  LoadResult r = LoadManifests(text, name);
  if (!r.errors.empty()) return r.errors.front();
  if (r.manifests.size() != 1) {
    return InvalidArgumentError("expected exactly one object, found " + std::to_string(r.manifests.size()),
                                FileLoc(name));
  }
  return std::move(r.manifests.front().root);
}

namespace {

bool IsListObject(const Value& v) {
  const Value* items = v.Find("items");
  const Value* kind = v.Find("kind");
  std::string_view k = kind != nullptr ? kind->string_or() : std::string_view();
  return items != nullptr && items->is_array() && k.size() > 4 && k.substr(k.size() - 4) == "List";
}

}  // namespace

Result<std::vector<Value>> LoadObjectStream(std::string_view text, std::string_view name) {
  LoadResult r = LoadManifests(text, name);
  if (!r.errors.empty()) return r.errors.front();
  std::vector<Value> out;
  for (Manifest& m : r.manifests) {
    if (IsListObject(m.root)) {
      for (const Value& i : m.root.Find("items")->as_array()) out.push_back(i);
    } else {
      out.push_back(std::move(m.root));
    }
  }
  return out;
}

Result<std::vector<Value>> ObjectsFromValue(const Value& value, std::string_view what) {
  std::vector<Value> out;
  if (value.is_null()) return out;
  if (value.is_array()) {
    for (const Value& v : value.as_array()) {
      if (!v.is_object()) return InvalidArgumentError(std::string(what) + ": every entry must be an object");
      out.push_back(v);
    }
    return out;
  }
  if (!value.is_object()) return InvalidArgumentError(std::string(what) + " must be an object or a list of objects");
  if (IsListObject(value)) {
    for (const Value& i : value.Find("items")->as_array()) out.push_back(i);
  } else {
    out.push_back(value);
  }
  return out;
}

Status CheckOptionMembers(const Value& options, std::initializer_list<std::string_view> allowed) {
  if (options.is_null()) return Status::Ok();
  if (!options.is_object()) return InvalidArgumentError("options must be an object");
  for (const Member& m : options.as_object()) {
    bool known = false;
    std::string list;
    for (std::string_view a : allowed) {
      known = known || m.key == a;
      list += (list.empty() ? "" : ", ") + std::string(a);
    }
    if (!known) return InvalidArgumentError("options: unknown member \"" + m.key + "\" (" + list + ")");
  }
  return Status::Ok();
}

Result<std::optional<std::chrono::system_clock::time_point>> TimeMember(const Value& options, std::string_view member,
                                                                        std::string_view what) {
  const Value* v = options.is_object() ? options.Find(member) : nullptr;
  if (v == nullptr || v->is_null()) return std::optional<std::chrono::system_clock::time_point>();
  if (!v->is_string()) {
    return InvalidArgumentError(std::string(what) + "." + std::string(member) + " must be an RFC 3339 string");
  }
  Result<std::chrono::system_clock::time_point> t = ParseRfc3339(v->as_string());
  if (!t.ok()) return InvalidArgumentError(std::string(what) + "." + std::string(member) + ": " + t.status().message());
  return std::optional<std::chrono::system_clock::time_point>(*t);
}

// ---- gVisor ---------------------------------------------------------------------

gvisor::CompatibilityReport Engine::GvisorScan(const LoadedInputs& inputs, const gvisor::Options& options) const {
  gvisor::CompatibilityReport report = gvisor::ScanWorkloads(inputs.load.manifests, options.scan_options());
  std::vector<Status> parse_errors;
  for (const Status& e : inputs.load.errors) {
    if (!IsInputReadError(e)) parse_errors.push_back(e);
  }
  report.warnings.insert(report.warnings.begin(), parse_errors.begin(), parse_errors.end());
  return report;
}

Engine::GvisorPlanResult Engine::GvisorPlan(const LoadedInputs& inputs, const gvisor::Options& options,
                                            AuditLog* audit) const {
  gvisor::CompatibilityReport report = gvisor::ScanWorkloads(inputs.load.manifests, options.scan_options());
  GvisorPlanResult out;
  out.plan = gvisor::BuildPlan(report, options.plan, options.metadata, options.profile,
                               options.facts ? &*options.facts : nullptr);
  out.warnings = std::move(report.warnings);
  if (audit != nullptr) out.audit_status = gvisor::AuditPlan(*audit, out.plan);
  return out;
}

gvisor::RunResult Engine::GvisorApply(const gvisor::MigrationPlan& plan, const LoadedInputs* live,
                                      const gvisor::Options& options, AuditLog* audit) const {
  gvisor::RunOptions o = options.run_options(live != nullptr ? &live->load.manifests : nullptr, audit);
  o.rules = rules();
  return gvisor::Apply(plan, o);
}

gvisor::RunResult Engine::GvisorRollback(const gvisor::MigrationPlan& plan, const LoadedInputs* live,
                                         const gvisor::Options& options, AuditLog* audit) const {
  gvisor::RunOptions o = options.run_options(live != nullptr ? &live->load.manifests : nullptr, audit);
  o.rules = rules();
  return gvisor::Rollback(plan, o);
}

gvisor::VerifyReport Engine::GvisorVerify(const gvisor::MigrationPlan& plan, const LoadedInputs& live,
                                          const gvisor::Options& options) const {
  return gvisor::Verify(plan, live.load.manifests, options.facts ? &*options.facts : nullptr);
}

Result<LoadedInputs> Engine::LoadReadable(const std::vector<std::string>& paths, const CallOptions& options) const {
  Result<LoadedInputs> inputs = Load(paths, options);
  if (!inputs.ok()) return inputs.status();
  KFIX_RETURN_IF_ERROR(FirstInputReadError(*inputs));
  return inputs;
}

Result<Value> Engine::GvisorPlanDocument(const LoadedInputs& inputs, const gvisor::Options& options,
                                         AuditLog* audit) const {
  if (!inputs.load.errors.empty()) return inputs.load.errors.front();
  GvisorPlanResult planned = GvisorPlan(inputs, options, audit);
  KFIX_RETURN_IF_ERROR(planned.audit_status);
  return gvisor::ToValue(planned.plan);
}

Result<Value> Engine::GvisorRunDocument(GvisorCommand command, std::string_view plan, const std::string_view* live,
                                        const gvisor::Options& options, AuditLog* audit) const {
  if (command == GvisorCommand::kVerify && live == nullptr) return InvalidArgumentError("verify needs the live state");
  Result<gvisor::MigrationPlan> parsed = gvisor::ParsePlan(plan, "plan");
  if (!parsed.ok()) return parsed.status();
  LoadedInputs state;
  if (live != nullptr) {
    state = LoadText(*live, "live");
    if (!state.load.errors.empty()) return state.load.errors.front();
  }
  const LoadedInputs* live_state = live != nullptr ? &state : nullptr;
  switch (command) {
    case GvisorCommand::kVerify: return gvisor::ToValue(GvisorVerify(*parsed, state, options));
    case GvisorCommand::kRollback: return gvisor::ToValue(GvisorRollback(*parsed, live_state, options, audit));
    case GvisorCommand::kApply: break;
  }
  return gvisor::ToValue(GvisorApply(*parsed, live_state, options, audit));
}

// ---- Container escape -------------------------------------------------------------

escape::DetectResult EscapeDetect(const std::vector<escape::EventSource>& sources, escape::DetectOptions options) {
  if (!options.clock) options.clock = SystemAuditClock();
  return escape::Detect(sources, options);
}

Result<std::vector<escape::EventSource>> ReadEventSources(const std::vector<std::string>& paths) {
  std::vector<escape::EventSource> sources;
  for (const std::string& p : paths) {
    Result<std::string> text = ReadFileToString(p);
    if (!text.ok()) return text.status();
    sources.push_back({p, std::move(*text)});
  }
  return sources;
}

std::string EscapeDetectToJsonLines(const escape::DetectResult& result, escape::FindingFormat format) {
  std::string out;
  for (const escape::Finding& f : result.findings) {
    AppendJson(out, escape::FindingToValue(f, format));
    out += '\n';
  }
  return out;
}

Value EscapeDetectToValue(const escape::DetectResult& result, escape::FindingFormat format) {
  Value doc = Value::MakeObject();
  doc.Set("schemaVersion", static_cast<std::int64_t>(1));
  Value findings = Value::MakeArray();
  for (const escape::Finding& f : result.findings) findings.PushBack(escape::FindingToValue(f, format));
  doc.Set("findings", std::move(findings));
  doc.Set("errors", ErrorsToValue(result.errors));
  doc.Set("events", result.events);
  return doc;
}

Result<escape::ClusterSnapshot> LoadClusterSnapshot(const std::vector<std::string>& paths) {
  escape::ClusterSnapshot cluster;
  if (paths.empty()) return cluster;
  Result<std::vector<LoadedFile>> files = LoadPaths(paths);
  if (!files.ok()) return files.status();
  LoadResult merged = MergeLoadedFiles(std::move(*files));
  if (!merged.errors.empty()) return merged.errors.front();
  cluster.AddObjects(merged.manifests);
  return cluster;
}

Result<escape::ClusterSnapshot> ClusterSnapshotFromText(std::string_view text, std::string_view name) {
  escape::ClusterSnapshot cluster;
  LoadResult r = LoadManifests(text, name);
  if (!r.errors.empty()) return r.errors.front();
  cluster.AddObjects(r.manifests);
  return cluster;
}

Result<escape::ClusterSnapshot> QuarantineCluster(Result<escape::ClusterSnapshot> loaded, escape::Operation op) {
  if (loaded.ok() || op != escape::Operation::kReverify) return loaded;
  escape::ClusterSnapshot unreachable;
  unreachable.SetUnreachable(IoError(loaded.status().ToString()));
  return unreachable;
}

escape::RunResult Quarantine(const escape::FindingsInput& findings, const escape::ClusterSnapshot& cluster,
                             const QuarantineRequest& request) {
  escape::RunOptions options = request.options;
  if (!options.clock) options.clock = SystemAuditClock();
  switch (request.operation) {
    case escape::Operation::kApply:
      return escape::Apply(findings.findings, cluster, options, request.approval, request.audit, request.executor);
    case escape::Operation::kReverify:
      return escape::Reverify(findings.findings, cluster, options);
    case escape::Operation::kPlan:
      break;
  }
  return escape::Plan(findings.findings, cluster, options);
}

Result<QuarantineRequest> QuarantineRequestFromValue(const Value& options, escape::Operation op) {
  QuarantineRequest request;
  request.operation = op;
  Result<escape::RunOptions> run = escape::RunOptionsFromValue(options);
  if (!run.ok()) return run.status();
  request.options = std::move(*run);
  if (op == escape::Operation::kApply) {
    Result<escape::ApplyRequest> approval = escape::ApplyRequestFromValue(options);
    if (!approval.ok()) return approval.status();
    request.approval = std::move(*approval);
  }
  return request;
}

Value QuarantineToValue(const escape::FindingsInput& findings, const escape::RunResult& result) {
  Value doc = Value::MakeObject();
  doc.Set("schemaVersion", static_cast<std::int64_t>(1));
  Value records = Value::MakeArray();
  for (const escape::OutputRecord& r : result.records) {
    records.PushBack(escape::OutputToValue(r));
    if (const auto* v = std::get_if<escape::VerificationRecord>(&r);
        v != nullptr && v->status == escape::VerificationStatus::kDrift) {
      records.PushBack(escape::DriftFindingToValue(*v));
    }
  }
  doc.Set("records", std::move(records));
  doc.Set("errors", ErrorsToValue(findings.errors));
  doc.Set("warnings", ErrorsToValue(result.warnings));
  doc.Set("status", result.status.ok() ? Value() : StatusToValue(result.status));
  return doc;
}

Result<Value> EscapeDetectDocument(std::string_view events, std::string_view source_name, const Value& options) {
  Result<escape::DetectOptions> detect = escape::DetectOptionsFromValue(options);
  if (!detect.ok()) return detect.status();
  escape::DetectResult r = EscapeDetect({escape::EventSource{std::string(source_name), std::string(events)}}, *detect);
  return EscapeDetectToValue(r, detect->format);
}

Result<Value> QuarantineDocument(escape::Operation op, std::string_view findings, std::string_view findings_name,
                                 const std::string_view* cluster, const Value& options, AuditLog* audit) {
  Result<QuarantineRequest> request = QuarantineRequestFromValue(options, op);
  if (!request.ok()) return request.status();
  if (op == escape::Operation::kApply) request->audit = audit;
  escape::FindingsInput input = escape::ParseFindings(findings, findings_name);
  Result<escape::ClusterSnapshot> snapshot = QuarantineCluster(
      cluster != nullptr ? ClusterSnapshotFromText(*cluster, "cluster") : Result<escape::ClusterSnapshot>(escape::ClusterSnapshot{}),
      op);
  if (!snapshot.ok()) return snapshot.status();
  return QuarantineToValue(input, Quarantine(input, *snapshot, *request));
}

// ---- Typed actions ------------------------------------------------------------------

Value IntentValidateDocument(std::string_view intent_json) {
  Result<Intent> intent = ParseIntent(intent_json);
  Value out = Value::MakeObject();
  out.Set("valid", intent.ok());
  out.Set("error", intent.ok() ? std::string() : intent.status().message());
  return out;
}

Result<ConsumeOptions> ConsumeOptionsFromValue(const Value& options) {
  KFIX_RETURN_IF_ERROR(CheckOptionMembers(options, {"now", "container", "pods"}));
  ConsumeOptions defaults;
  auto now = TimeMember(options, "now");
  if (!now.ok()) return now.status();
  defaults.now = *now ? **now : std::chrono::system_clock::now();
  if (const Value* c = options.is_object() ? options.Find("container") : nullptr; c != nullptr && !c->is_null()) {
    if (!c->is_string() || c->as_string().empty()) return InvalidArgumentError("options.container must be a name");
    defaults.container = c->as_string();
  }
  if (const Value* p = options.is_object() ? options.Find("pods") : nullptr; p != nullptr) {
    auto pods = ObjectsFromValue(*p, "options.pods");
    if (!pods.ok()) return pods.status();
    defaults.pods = std::move(*pods);
  }
  return defaults;
}

SreValidation ValidateSreActionText(std::string_view text, std::string_view name, const Value* target,
                                    ActionTime now) {
  SreValidation out;
  out.document = Value::MakeObject();
  auto reject = [&](const Status& s) {
    out.valid = false;
    out.document.Set("valid", false);
    out.document.Set("error", s.ToString());
    out.document.Set("plan", Value());
    return out;
  };
  Result<Value> doc = ParseYaml(text);
  if (!doc.ok()) {
    return reject(doc.status().WithDefaultLocation(SourceLocation{std::string(name), 0, 0, -1, -1, ""}));
  }
  Result<SreAction> action = ParseSreAction(*doc);
  if (!action.ok()) return reject(action.status());
  Status admission = CheckSreAdmission(*action);
  if (!admission.ok()) return reject(admission);
  Result<SrePlan> plan = PlanSreAction(*action, target, now);
  if (!plan.ok()) return reject(plan.status());
  out.valid = true;
  out.document.Set("valid", true);
  out.document.Set("error", "");
  out.document.Set("plan", plan->ToValue());
  return out;
}

Result<SreAction> LoadSreAction(std::string_view text, std::string_view name) {
  Result<Value> manifest = LoadOneObject(text, name);
  if (!manifest.ok()) return manifest.status();
  Result<SreAction> action = ParseSreAction(*manifest);
  if (!action.ok()) return NamedShapeError(action.status(), name);
  return action;
}

Result<SreStepRequest> SreStepRequestFromValue(const Value& options) {
  KFIX_RETURN_IF_ERROR(CheckOptionMembers(options, {"now", "snapshot"}));
  auto now = TimeMember(options, "now");
  if (!now.ok()) return now.status();
  if (!*now) return InvalidArgumentError("options.now (RFC 3339, e.g. 2026-04-20T10:00:00Z) is required");
  SreStepRequest out;
  out.now = **now;
  if (const Value* s = options.Find("snapshot"); s != nullptr && !s->is_null()) {
    auto objects = ObjectsFromValue(*s, "options.snapshot");
    if (!objects.ok()) return objects.status();
    out.snapshot = std::move(*objects);
  }
  return out;
}

Result<WatcherState> WatcherStateFromDocument(const Value& state, std::string_view name) {
  if (state.is_null()) return WatcherState{};
  Result<WatcherState> s = WatcherState::FromValue(state);
  if (!s.ok()) return NamedShapeError(s.status(), name);
  return s;
}

Result<SreValidateRequest> SreValidateRequestFromValue(const Value& options) {
  KFIX_RETURN_IF_ERROR(CheckOptionMembers(options, {"now", "target"}));
  auto now = TimeMember(options, "now");
  if (!now.ok()) return now.status();
  SreValidateRequest out;
  out.now = *now ? **now : std::chrono::system_clock::now();
  if (const Value* t = options.is_object() ? options.Find("target") : nullptr; t != nullptr && !t->is_null()) {
    if (!t->is_object()) return InvalidArgumentError("options.target must be an object");
    out.target = *t;
  }
  return out;
}

Result<TriageRequest> TriageRequestFromValue(const Value& options) {
  KFIX_RETURN_IF_ERROR(CheckOptionMembers(options, {"now", "state"}));
  auto now = TimeMember(options, "now");
  if (!now.ok()) return now.status();
  if (!*now) return InvalidArgumentError("options.now (RFC 3339, e.g. 2026-04-20T10:00:00Z) is required");
  TriageRequest out;
  out.now = **now;
  const Value* state = options.is_object() ? options.Find("state") : nullptr;
  Result<WatcherState> s = WatcherStateFromDocument(state != nullptr ? *state : Value(), "state");
  if (!s.ok()) return s.status();
  out.state = std::move(*s);
  return out;
}

Result<Value> IntentConsumeDocument(std::string_view object, const Value& options, AuditLog* audit) {
  Result<Value> obj = LoadOneObject(object, "object");
  if (!obj.ok()) return obj.status();
  Result<ConsumeOptions> consume = ConsumeOptionsFromValue(options);
  if (!consume.ok()) return consume.status();
  ConsumeResult r = ConsumeIntent(*obj, *consume);
  if (audit != nullptr) KFIX_RETURN_IF_ERROR(AppendActionAudit(*audit, r.AuditRecords()));
  return r.ToValue();
}

Result<Value> ActionValidateDocument(std::string_view action, const Value& options) {
  Result<SreValidateRequest> request = SreValidateRequestFromValue(options);
  if (!request.ok()) return request.status();
  return ValidateSreActionText(action, "action", request->target ? &*request->target : nullptr, request->now)
      .document;
}

Result<Value> ActionStepDocument(std::string_view action, const Value& options, AuditLog* audit) {
  Result<SreStepRequest> request = SreStepRequestFromValue(options);
  if (!request.ok()) return request.status();
  Result<SreAction> parsed = LoadSreAction(action, "action");
  if (!parsed.ok()) return parsed.status();
  SreStep step = StepSreAction(*parsed, request->now, request->snapshot ? &*request->snapshot : nullptr);
  if (audit != nullptr) KFIX_RETURN_IF_ERROR(AppendActionAudit(*audit, step.AuditRecords(*parsed)));
  return step.ToValue();
}

Result<Value> IncidentsTriageDocument(std::string_view events, const Value& options, AuditLog* audit) {
  Result<TriageRequest> request = TriageRequestFromValue(options);
  if (!request.ok()) return request.status();
  Result<std::vector<Value>> list = LoadObjectStream(events, "events");
  if (!list.ok()) return list.status();
  TriageResult r = Triage(*list, request->state, request->now);
  if (audit != nullptr) KFIX_RETURN_IF_ERROR(AppendActionAudit(*audit, r.AuditRecords()));
  return r.ToValue();
}

// ---- Write-back ------------------------------------------------------------------------

namespace {

// The fields every written-file entry shares: file, fixed, notes, refused, error.
Value WrittenFileToValue(const WrittenFile& f) {
  Value e = Value::MakeObject();
  e.Set("file", f.input);
  e.Set("fixed", f.fixed);
  Value notes = Value::MakeArray();
  for (const std::string& n : f.notes) notes.PushBack(Value(n));
  e.Set("notes", std::move(notes));
  Value refused = Value::MakeArray();
  for (const RenderRefusal& r : f.refused) {
    Value x = Value::MakeObject();
    x.Set("document", static_cast<std::int64_t>(r.document));
    if (r.item >= 0) x.Set("item", static_cast<std::int64_t>(r.item));
    x.Set("reason", r.reason);
    refused.PushBack(std::move(x));
  }
  e.Set("refused", std::move(refused));
  e.Set("error", f.status.ok() ? Value() : StatusToValue(f.status));
  return e;
}

}  // namespace

Result<Value> Engine::RenderDocument(const FixReport& report) const {
  Result<std::vector<WrittenFile>> files = Render(report);
  if (!files.ok()) return files.status();
  Value doc = Value::MakeObject();
  doc.Set("schemaVersion", static_cast<std::int64_t>(1));
  Value list = Value::MakeArray();
  for (const WrittenFile& f : *files) {
    Value e = WrittenFileToValue(f);
    e.Set("text", f.status.ok() ? Value(f.text) : Value());
    list.PushBack(std::move(e));
  }
  doc.Set("files", std::move(list));
  return doc;
}

Result<WriteBackOptions> WriteBackOptionsFromValue(const Value& options) {
  WriteBackOptions out;
  if (options.is_null()) return out;
  if (!options.is_object()) return InvalidArgumentError("write-back options must be an object");
  for (const Member& m : options.as_object()) {
    if (m.key == "write") {
      if (!m.value.is_string() || m.value.as_string().empty()) {
        return InvalidArgumentError("write-back options: \"write\" must name a directory");
      }
      out.mode = WriteMode::kDirectory;
      out.directory = m.value.as_string();
    } else if (m.key == "inPlace" || m.key == "diff") {
      if (!m.value.is_bool()) return InvalidArgumentError("write-back options: \"" + m.key + "\" must be a bool");
      if (m.key == "diff") out.diff = m.value.as_bool();
    } else {
      return InvalidArgumentError("write-back options: unknown member \"" + m.key + "\" (write, inPlace, diff)");
    }
  }
  const Value* in_place = options.Find("inPlace");
  if (in_place != nullptr && in_place->as_bool()) {
    if (out.mode == WriteMode::kDirectory) {
      return InvalidArgumentError("write-back options: \"write\" and \"inPlace\" exclude each other");
    }
    out.mode = WriteMode::kInPlace;
  }
  return out;
}

namespace internal {

Value WriteBackEntryToValue(const WrittenFile& f) {
  Value e = WrittenFileToValue(f);
  e.Set("output", f.output);
  return e;
}

}  // namespace internal

Value WriteBackResultToValue(const WriteBackResult& result) {
  Value doc = Value::MakeObject();
  doc.Set("schemaVersion", static_cast<std::int64_t>(1));
  Value list = Value::MakeArray();
  for (const WrittenFile& f : result.files) list.PushBack(internal::WriteBackEntryToValue(f));
  doc.Set("files", std::move(list));
  doc.Set("diff", result.diff);
  return doc;
}

}  // namespace kfix
