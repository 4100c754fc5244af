// Prompts for model proposers (kfix/propose.hpp): one finding, its check's
// guidance, the redacted object with the offending line marked, the answer
// format; and the follow-up that feeds a refusal back.
#include <cstdlib>
#include <map>
#include <string>

#include "kfix/propose.hpp"

namespace kfix {

namespace {

/// Check-specific hints: what a minimal, accepted fix looks like. Keyed by
/// check name (kube-linter's) with the canonical policy id as a second key.
const std::map<std::string, std::string, std::less<>>& Hints() {
  static const std::map<std::string, std::string, std::less<>> kHints = {
      {"no-read-only-root-fs",
       "Set securityContext.readOnlyRootFilesystem: true on the flagged container (create securityContext if it is "
       "missing). If the application writes to disk, also mount an emptyDir volume at the writable path."},
      {"run-as-non-root",
       "Set securityContext.runAsNonRoot: true and a non-zero runAsUser on the flagged container (or at pod level). "
       "Never set runAsUser: 0."},
      {"privileged-container", "Set securityContext.privileged: false on the flagged container."},
      {"privilege-escalation-container",
       "Set securityContext.allowPrivilegeEscalation: false on the flagged container; do not add capabilities."},
      {"unset-cpu-requirements",
       "Add resources.requests.cpu (for example \"100m\") to the flagged container; keep existing resources."},
      {"unset-memory-requirements",
       "Add resources.limits.memory (for example \"256Mi\") to the flagged container; keep existing resources."},
      {"drop-net-raw-capability",
       "Add \"NET_RAW\" (or \"ALL\") to securityContext.capabilities.drop of the flagged container and remove NET_RAW "
       "from capabilities.add."},
      {"host-network", "Set hostNetwork: false (or remove it) in the pod spec; never change other host settings."},
      {"host-pid", "Set hostPID: false (or remove it) in the pod spec."},
      {"host-ipc", "Set hostIPC: false (or remove it) in the pod spec."},
      {"latest-tag",
       "kfix never invents image tags: an image change is refused unless it is the configured pin. Prefer answering "
       "with an empty array [] if you do not know the pinned image."},
      {"no-anti-affinity",
       "Add a preferredDuringSchedulingIgnoredDuringExecution podAntiAffinity term (weight 100, topologyKey "
       "kubernetes.io/hostname) whose labelSelector matches the pod template's labels."},
      {"job-ttl-seconds-after-finished", "Set spec.ttlSecondsAfterFinished to a positive integer (e.g. 3600) on the Job."},
      {"env-var-secret",
       "Replace the literal env value by valueFrom.secretKeyRef {name, key}; never write a secret value into the "
       "patch."},
      {"unsafe-sysctls", "Remove only the flagged unsafe sysctl entries from securityContext.sysctls."},
      {"liveness-port", "Add the probe's port to the container's ports (containerPort and name), or point the probe "
                        "at an existing container port."},
      {"readiness-port", "Add the probe's port to the container's ports (containerPort and name), or point the probe "
                         "at an existing container port."},
      {"startup-port", "Add the probe's port to the container's ports (containerPort and name), or point the probe "
                       "at an existing container port."},
  };
  return kHints;
}

std::string_view HintFor(const Finding& f) {
  const auto& hints = Hints();
  if (auto it = hints.find(f.check); it != hints.end()) return it->second;
  return {};
}

}  // namespace

std::string ProposerSystemPrompt() {
  return "You fix one Kubernetes misconfiguration at a time. Answer with ONLY a JSON array of RFC 6902 JSON Patch "
         "operations relative to the object you are shown. No prose, no explanation.";
}

std::string MarkedObjectYaml(const Value& object, std::string_view pointer) {
  std::string yaml = ToYaml(object);
  // Positions come from reading the emitted text back.
  Result<Value> back = ParseYaml(yaml);
  if (!back.ok()) return yaml;
  std::int32_t line = 0;
  const Value* node = &*back;
  Result<JsonPointer> ptr = JsonPointer::Parse(pointer);
  if (ptr.ok()) {
    for (const std::string& token : ptr->tokens()) {
      const Value* next = nullptr;
      std::int32_t next_line = 0;
      if (node->is_object()) {
        if (const Member* m = node->FindMember(token)) {
          next = &m->value;
          next_line = m->key_line;
        }
      } else if (node->is_array()) {
        char* end = nullptr;
        unsigned long i = std::strtoul(token.c_str(), &end, 10);
        if (!token.empty() && end && *end == '\0' && i < node->as_array().size()) {
          next = &node->as_array()[i];
          next_line = next->line();
        }
      }
      if (!next) break;
      node = next;
      line = next_line;
    }
  }
  if (line <= 0) return yaml;
  std::string out;
  std::int32_t current = 1;
  std::size_t start = 0;
  while (start < yaml.size()) {
    std::size_t nl = yaml.find('\n', start);
    std::string_view l = std::string_view(yaml).substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    out.append(l);
    if (current == line) out.append("  # <-- finding");
    out.push_back('\n');
    if (nl == std::string::npos) break;
    start = nl + 1;
    ++current;
  }
  return out;
}

std::string BuildProposalPrompt(const Value& object, const Finding& f, const CheckInfo* check, std::size_t max_ops) {
  std::string p;
  p += "Fix exactly one finding in the Kubernetes object below.\n\n";
  p += "Finding: " + f.check;
  if (!f.policy.empty()) p += " (policy " + f.policy + ")";
  p += " on " + f.object.kind + " " + (f.object.namespace_.empty() ? "" : f.object.namespace_ + "/") + f.object.name;
  if (!f.container.empty()) p += ", container \"" + f.container + "\"";
  p += "\nMessage: " + f.message + "\n";
  if (!f.pointer.empty()) p += "Field: " + f.pointer + " (its line, or its nearest existing parent, is marked \"# <-- finding\")\n";
  p += "\nGuidance:\n";
  if (check && !check->description.empty()) p += "- What the check wants: " + check->description + "\n";
  const std::string& remediation = check && !check->remediation.empty() ? check->remediation : f.remediation;
  if (!remediation.empty()) p += "- What a correct fix looks like: " + remediation + "\n";
  if (std::string_view hint = HintFor(f); !hint.empty()) p += "- " + std::string(hint) + "\n";
  p += "\nForbidden (a patch that does any of these is refused):\n"
       "- removing a container, init container, ephemeral container or volume, or the spec or pod template;\n"
       "- changing an image, apiVersion, kind, metadata.name or metadata.namespace;\n"
       "- switching the service account (serviceAccountName / serviceAccount);\n"
       "- raising privileges: privileged: true, allowPrivilegeEscalation: true, added capabilities, hostNetwork / "
       "hostPID / hostIPC: true, hostPath volumes, host ports, runAsUser: 0, runAsNonRoot: false;\n"
       "- changing anything the finding does not need (other findings are fixed separately);\n"
       "- writing secret values: strings shown as <redacted:N> are hidden values; keep them exactly as written.\n";
  p += "\nObject (YAML):\n```yaml\n" + MarkedObjectYaml(object, f.pointer) + "```\n";
  p += "\nAnswer format: a JSON array of at most " + std::to_string(max_ops) +
       " RFC 6902 operations (op, path, value) on this object. Paths are RFC 6901 JSON Pointers: escape \"~\" as "
       "\"~0\" and \"/\" as \"~1\" inside a key (for example /metadata/labels/app.kubernetes.io~1name), no URL "
       "encoding. \"add\" on a missing parent fails: add the parent object with its content instead. Example:\n"
       "[{\"op\": \"add\", \"path\": \"/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem\", "
       "\"value\": true}]\n"
       "Return ONLY the JSON array.\n";
  return p;
}

std::string BuildRetryPrompt(const Verdict& refused) {
  std::string first_gate, first_detail, others;
  for (const GateResult& g : refused.gates) {
    if (g.passed || g.detail.rfind("skipped: ", 0) == 0) continue;
    if (first_gate.empty()) {
      first_gate = g.name;
      first_detail = g.detail;
    } else {
      others += "\n- " + g.name + ": " + g.detail;
    }
  }
  if (first_gate.empty()) {
    first_gate = "structure";
    first_detail = refused.reason.empty() ? "no patch could be read from the answer" : refused.reason;
  }
  std::string p = "Your answer was refused by the " + first_gate + " gate: " + first_detail + "\n";
  if (!others.empty()) p += "Other gates that failed:" + others + "\n";
  p += "Answer again with a corrected JSON array of RFC 6902 operations for the same object and finding. Return "
       "ONLY the JSON array.\n";
  return p;
}

}  // namespace kfix
