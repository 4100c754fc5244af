// Options documents of the container-escape playbook: the one schema the C
// ABI, Python and other hosts pass (docs/playbooks-escape.md § Options).
#include <chrono>
#include <string>
#include <vector>

#include "kfix/escape.hpp"
#include "playbooks/escape/util.hpp"

namespace kfix::escape {
namespace {

Status Bad(std::string_view member, const std::string& why) {
  return InvalidArgumentError("options: `" + std::string(member) + "` " + why);
}

Status CheckMembers(const Value& v, std::initializer_list<std::string_view> allowed, bool strict) {
  if (v.is_null()) return Status::Ok();
  if (!v.is_object()) return InvalidArgumentError("options must be a JSON object, got " + internal::WithArticle(v));
  if (!strict) return Status::Ok();
  for (const Member& m : v.as_object()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || m.key == a;
    if (!known) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return Bad(internal::Clip(m.key), "is not an option (valid: " + list + ")");
    }
  }
  return Status::Ok();
}

Status GetString(const Value& v, std::string_view key, std::string* out) {
  const Value* m = v.is_object() ? v.Find(key) : nullptr;
  if (m == nullptr || m->is_null()) return Status::Ok();
  if (!m->is_string()) return Bad(key, "must be a string, got " + internal::WithArticle(*m));
  *out = m->as_string();
  return Status::Ok();
}

Status GetStrings(const Value& v, std::string_view key, std::vector<std::string>* out, bool* present) {
  const Value* m = v.is_object() ? v.Find(key) : nullptr;
  *present = m != nullptr && !m->is_null();
  if (!*present) return Status::Ok();
  if (!m->is_array()) return Bad(key, "must be an array of strings, got " + internal::WithArticle(*m));
  out->clear();
  for (const Value& item : m->as_array()) {
    if (!item.is_string()) return Bad(key, "must be an array of strings");
    out->push_back(item.as_string());
  }
  return Status::Ok();
}

Status GetMs(const Value& v, std::string_view key, std::int64_t* out, bool* present) {
  const Value* m = v.is_object() ? v.Find(key) : nullptr;
  *present = m != nullptr && !m->is_null();
  if (!*present) return Status::Ok();
  if (!m->is_int() || m->as_int() < 0) return Bad(key, "must be a non-negative integer (milliseconds)");
  *out = m->as_int();
  return Status::Ok();
}

AuditClock FixedClock(std::int64_t ms) {
  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
  return [t] { return t; };
}

}  // namespace

Result<DetectOptions> DetectOptionsFromValue(const Value& v) {
  KFIX_RETURN_IF_ERROR(CheckMembers(v, {"format", "knownOperators", "nowMs"}, true));
  DetectOptions o;
  std::string format = "ocsf";
  KFIX_RETURN_IF_ERROR(GetString(v, "format", &format));
  Result<FindingFormat> f = ParseFindingFormat(format);
  if (!f.ok()) return Bad("format", f.status().message());
  o.format = *f;
  std::vector<std::string> ops;
  bool present = false;
  KFIX_RETURN_IF_ERROR(GetStrings(v, "knownOperators", &ops, &present));
  o.known_operators.insert(o.known_operators.end(), ops.begin(), ops.end());
  std::int64_t now = 0;
  KFIX_RETURN_IF_ERROR(GetMs(v, "nowMs", &now, &present));
  if (present) o.clock = FixedClock(now);
  return o;
}

static const std::initializer_list<std::string_view> kApplyMembers = {
    "mode",        "protectedNamespaces", "slaMs",          "nodeName",    "nowMs",
    "incidentId",  "approver",            "secondApprover", "clusterName", "allowedClusters"};

Result<RunOptions> RunOptionsFromValue(const Value& v) {
  // The apply members are allowed here too, so one document serves Apply.
  KFIX_RETURN_IF_ERROR(CheckMembers(v, kApplyMembers, true));
  RunOptions o;
  std::string mode = "quarantine";
  KFIX_RETURN_IF_ERROR(GetString(v, "mode", &mode));
  Result<ActionMode> m = ParseActionMode(mode);
  if (!m.ok()) return Bad("mode", m.status().message());
  o.mode = *m;
  bool present = false;
  std::vector<std::string> ns;
  KFIX_RETURN_IF_ERROR(GetStrings(v, "protectedNamespaces", &ns, &present));
  if (present) o.protected_namespaces = ns;
  KFIX_RETURN_IF_ERROR(GetMs(v, "slaMs", &o.sla_ms, &present));
  KFIX_RETURN_IF_ERROR(GetString(v, "nodeName", &o.node_name));
  std::int64_t now = 0;
  KFIX_RETURN_IF_ERROR(GetMs(v, "nowMs", &now, &present));
  if (present) o.clock = FixedClock(now);
  return o;
}

Result<ApplyRequest> ApplyRequestFromValue(const Value& v) {
  KFIX_RETURN_IF_ERROR(CheckMembers(v, kApplyMembers, true));
  ApplyRequest r;
  KFIX_RETURN_IF_ERROR(GetString(v, "incidentId", &r.incident_id));
  KFIX_RETURN_IF_ERROR(GetString(v, "approver", &r.approver));
  KFIX_RETURN_IF_ERROR(GetString(v, "secondApprover", &r.second_approver));
  KFIX_RETURN_IF_ERROR(GetString(v, "clusterName", &r.cluster_name));
  const Value* allowed = v.is_object() ? v.Find("allowedClusters") : nullptr;
  if (allowed != nullptr && allowed->is_string()) {
    r.allowed_clusters = SplitClusterList(allowed->as_string());
  } else {
    bool present = false;
    std::vector<std::string> list;
    KFIX_RETURN_IF_ERROR(GetStrings(v, "allowedClusters", &list, &present));
    for (const std::string& c : list) {
      std::string t = internal::Trim(c);
      if (!t.empty()) r.allowed_clusters.push_back(t);
    }
  }
  return r;
}

}  // namespace kfix::escape
