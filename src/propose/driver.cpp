// The model loop for one finding (propose/driver_internal.hpp): prompt,
// redact, ask, extract, restore, vet through the guard's gates, feed the
// refusal back, up to maxAttempts.
#include <exception>
#include <string>

#include "propose/driver_internal.hpp"

namespace kfix::internal {

std::string FirstFailingGate(const Verdict& v, std::string* detail) {
  for (const GateResult& g : v.gates) {
    if (g.passed || g.detail.rfind("skipped: ", 0) == 0) continue;
    if (detail) *detail = g.detail;
    return g.name;
  }
  for (const GateResult& g : v.gates) {
    if (g.passed) continue;
    if (detail) *detail = g.detail;
    return g.name;
  }
  if (detail) *detail = v.reason;
  return v.accepted ? std::string() : std::string("structure");
}

namespace {

const CheckInfo* FindCheck(const GuardState& g, const std::string& name) {
  if (g.rules) {
    for (const CheckInfo& c : g.rules->checks()) {
      if (c.name == name) return &c;
    }
  }
  for (const CheckInfo& c : BuiltinChecks()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace

ModelOutcome ProposeWithModel(const GuardState& g, std::size_t index, const Finding& f, const ModelProposer& model) {
  ModelOutcome out;
  const Value& object = g.objects[index].root;
  const Redactor redactor = Redactor::ForObject(object);
  const Value shown = redactor.Redact(object);
  ModelRequest request;
  request.finding = f.check + " " + f.object.kind + "/" + (f.object.namespace_.empty() ? "" : f.object.namespace_ + "/") +
                    f.object.name;
  request.messages.push_back({"system", ProposerSystemPrompt()});
  request.messages.push_back(
      {"user", BuildProposalPrompt(shown, f, FindCheck(g, f.check), g.config.max_ops)});
  const int max_attempts = std::max(1, model.config.max_attempts);
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    request.attempt = attempt;
    ProposeAttempt a;
    a.number = attempt;
    a.proposer = "llm";
    for (const ChatMessage& m : request.messages) {
      if (redactor.Leaks(m.content)) {
        a.outcome = "error";
        a.detail = "redaction check: the request would carry a secret value of the object; nothing was sent";
        out.attempts.push_back(a);
        out.failure = "model: " + a.detail;
        return out;
      }
    }
    Result<ModelReply> reply = InternalError("no model transport");
    if (model.transport) {
      try {
        reply = model.transport(request);
      } catch (const std::exception& e) {
        reply = IoError(std::string("the model transport failed: ") + e.what());
      } catch (...) {
        reply = IoError("the model transport failed");
      }
    }
    if (!reply.ok()) {
      a.outcome = "error";
      a.detail = redactor.RedactText(reply.status().ToString(/*with_code=*/true));
      out.attempts.push_back(a);
      out.failure = "model: " + a.detail;
      return out;
    }
    a.prompt_tokens = reply->prompt_tokens;
    a.completion_tokens = reply->completion_tokens;
    a.requests = reply->requests;
    a.seconds = reply->seconds;
    Verdict v = g.VetText(index, reply->text, {&f}, &shown, [&redactor, &object](Patch& p) -> Status {
      Result<std::size_t> restored = redactor.Restore(p, object);
      return restored.ok() ? Status::Ok() : restored.status();
    });
    a.ops = v.patch.size();
    if (v.accepted) {
      a.outcome = "accepted";
      a.detail = "every gate passed";
      out.attempts.push_back(a);
      out.accepted = true;
      out.verdict = std::move(v);
      return out;
    }
    std::string detail;
    a.outcome = "refused";
    a.gate = FirstFailingGate(v, &detail);
    a.detail = redactor.RedactText(detail);
    out.attempts.push_back(a);
    if (attempt < max_attempts) {
      request.messages.push_back({"assistant", redactor.RedactText(reply->text)});
      request.messages.push_back({"user", redactor.RedactText(BuildRetryPrompt(v))});
    }
    out.verdict = std::move(v);
  }
  const ProposeAttempt& last = out.attempts.back();
  out.failure = "model: no answer accepted in " + std::to_string(out.attempts.size()) + " attempt" +
                (out.attempts.size() == 1 ? "" : "s") + "; the last was refused by the " + last.gate +
                " gate: " + last.detail;
  return out;
}

}  // namespace kfix::internal
