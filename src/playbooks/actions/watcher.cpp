// The kars-sre incident watcher (playbooks.md §4.5): event filtering,
// typed targets, name normalisation, dedupe windows with resync and
// pruning, CR reuse, priority ordering, burst collapse and the sliding-window
// rate limiter. One call = one poll.
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "kfix/actions.hpp"
#include "playbooks/actions/actions_internal.hpp"
#include "rules/internal.hpp"

namespace kfix {

using internal::Get;
using internal::Str;

namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Strips one trailing "-" + 5..10 lowercase alphanumerics; false when none.
bool StripSuffix(std::string& name) {
  std::size_t dash = name.rfind('-');
  if (dash == std::string::npos || dash == 0) return false;
  std::size_t len = name.size() - dash - 1;
  if (len < 5 || len > 10) return false;
  for (std::size_t i = dash + 1; i < name.size(); ++i) {
    if (!IsLowerAlnum(name[i])) return false;
  }
  name.resize(dash);
  return true;
}

int ReasonWeight(std::string_view reason) {
  static const std::map<std::string_view, int> kWeights = {
      {"FailedCreate", 40},     {"Failed", 35},          {"OOMKilling", 35},       {"Evicted", 30},
      {"ImagePullBackOff", 25}, {"ErrImagePull", 25},    {"CrashLoopBackOff", 20}, {"BackOff", 15},
      {"FailedScheduling", 10}, {"FailedMount", 10},
  };
  auto it = kWeights.find(reason);
  return it == kWeights.end() ? 0 : it->second;
}

bool IsIncidentReason(std::string_view reason) { return ReasonWeight(reason) > 0; }

std::optional<ActionTime> EventTime(const Value& e) {
  for (const char* key : {"lastTimestamp", "eventTime", "firstTimestamp"}) {
    if (auto t = internal::TimeMember(e.Find(key))) return t;
  }
  return std::nullopt;
}

// Audit-safe text: control bytes become spaces, at most `max` code points.
std::string SafeText(std::string_view s, std::size_t max) {
  std::string out;
  std::size_t points = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    bool lead = (c & 0xC0) != 0x80;
    if (lead && ++points > max) break;
    out.push_back((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F ? ' ' : static_cast<char>(c));
  }
  return out;
}

std::string Key(std::string_view a, std::string_view b, std::string_view c) {
  return std::string(a) + "/" + std::string(b) + "/" + std::string(c);
}

std::string ActionKey(const KnownAction& k) {
  std::string_view kind = k.type == "DeletePod" ? "Pod" : "";
  return Key(k.namespace_, k.type, NormalizeName(kind, k.target));
}

KnownAction KnownFromManifest(const Value& m) {
  KnownAction k;
  k.name = std::string(Str(m.FindPath({"metadata", "name"})));
  k.type = std::string(Str(m.FindPath({"spec", "action", "type"})));
  k.namespace_ = std::string(Str(m.FindPath({"spec", "action", "params", "namespace"})));
  k.target = std::string(Str(m.FindPath({"spec", "action", "params", "name"})));
  k.phase = std::string(Str(m.FindPath({"status", "phase"})));
  if (auto t = internal::TimeMember(m.FindPath({"metadata", "creationTimestamp"}))) k.created = *t;
  return k;
}

}  // namespace

std::string NormalizeName(std::string_view kind, std::string_view name) {
  std::string out(name);
  if (kind != "Pod" && kind != "ReplicaSet" && kind != "Job") return out;
  for (int i = 0; i < 2; ++i) {
    if (!StripSuffix(out)) break;
  }
  return out;
}

WatcherOptions::WatcherOptions() {
  protected_namespaces = SreProtectedNamespaces();
  protected_namespaces.push_back("default");
}

Value Incident::ToValue() const {
  Value v = Value::MakeObject();
  v.Set("namespace", namespace_);
  v.Set("kind", kind);
  v.Set("name", name);
  v.Set("reason", reason);
  v.Set("message", message);
  v.Set("dedupeKey", dedupe_key);
  v.Set("actionType", action_type);
  v.Set("target", target);
  v.Set("actionName", action_name);
  v.Set("reused", reused);
  v.Set("priority", priority);
  return v;
}

Value WatcherState::ToValue() const {
  Value v = Value::MakeObject();
  v.Set("primed", primed);
  Value s = Value::MakeObject();
  for (const auto& [k, t] : seen) s.Set(k, FormatRfc3339(t));
  v.Set("seen", std::move(s));
  Value sn = Value::MakeArray();
  for (ActionTime t : sent) sn.PushBack(FormatRfc3339(t));
  v.Set("sent", std::move(sn));
  Value a = Value::MakeArray();
  for (const KnownAction& k : actions) {
    Value o = Value::MakeObject();
    o.Set("name", k.name);
    o.Set("type", k.type);
    o.Set("namespace", k.namespace_);
    o.Set("target", k.target);
    o.Set("phase", k.phase);
    o.Set("created", FormatRfc3339(k.created));
    a.PushBack(std::move(o));
  }
  v.Set("actions", std::move(a));
  v.Set("lastSync", last_sync ? Value(FormatRfc3339(*last_sync)) : Value());
  return v;
}

Result<WatcherState> WatcherState::FromValue(const Value& v) {
  if (!v.is_object()) return ParseError("watcher state must be a JSON object");
  WatcherState s;
  for (const Member& m : v.as_object()) {
    if (m.key != "primed" && m.key != "seen" && m.key != "sent" && m.key != "actions" && m.key != "lastSync") {
      return ParseError("watcher state: unknown member " + JsonQuote(m.key));
    }
  }
  auto time = [](const Value& t, const std::string& where) -> Result<ActionTime> {
    if (!t.is_string()) return ParseError(where + " must be an RFC 3339 string");
    auto r = ParseRfc3339(t.as_string());
    if (!r.ok()) return ParseError(where + ": " + r.status().message());
    return *r;
  };
  if (const Value* p = v.Find("primed"); p && !p->is_null()) {
    if (!p->is_bool()) return ParseError("watcher state: primed must be a boolean");
    s.primed = p->as_bool();
  }
  if (const Value* seen = v.Find("seen"); seen && !seen->is_null()) {
    if (!seen->is_object()) return ParseError("watcher state: seen must be an object");
    for (const Member& m : seen->as_object()) {
      Result<ActionTime> t = time(m.value, "watcher state: seen." + m.key);
      if (!t.ok()) return t.status();
      s.seen[m.key] = *t;
    }
  }
  if (const Value* sent = v.Find("sent"); sent && !sent->is_null()) {
    if (!sent->is_array()) return ParseError("watcher state: sent must be an array");
    for (const Value& x : sent->as_array()) {
      Result<ActionTime> t = time(x, "watcher state: sent[]");
      if (!t.ok()) return t.status();
      s.sent.push_back(*t);
    }
  }
  if (const Value* acts = v.Find("actions"); acts && !acts->is_null()) {
    if (!acts->is_array()) return ParseError("watcher state: actions must be an array");
    std::size_t i = 0;
    for (const Value& a : acts->as_array()) {
      std::string where = "watcher state: actions[" + std::to_string(i++) + "]";
      if (!a.is_object()) return ParseError(where + " must be an object");
      if (Str(a.Find("kind")) == "KarsSREAction") {
        s.actions.push_back(KnownFromManifest(a));
        continue;
      }
      KnownAction k;
      k.name = std::string(Str(a.Find("name")));
      k.type = std::string(Str(a.Find("type")));
      k.namespace_ = std::string(Str(a.Find("namespace")));
      k.target = std::string(Str(a.Find("target")));
      k.phase = std::string(Str(a.Find("phase")));
      if (const Value* c = a.Find("created"); c && !c->is_null()) {
        Result<ActionTime> t = time(*c, where + ".created");
        if (!t.ok()) return t.status();
        k.created = *t;
      }
      s.actions.push_back(std::move(k));
    }
  }
  if (const Value* ls = v.Find("lastSync"); ls && !ls->is_null()) {
    Result<ActionTime> t = time(*ls, "watcher state: lastSync");
    if (!t.ok()) return t.status();
    s.last_sync = *t;
  }
  return s;
}

TriageResult Triage(const std::vector<Value>& events, const WatcherState& state, ActionTime now,
                    const WatcherOptions& o) {
  TriageResult r;
  WatcherState next = state;
  // Resync: the CR snapshot replaces the dedupe map, merged with in-memory
  // entries newer than the previous sync.
  if (!next.last_sync || now - *next.last_sync >= o.resync_interval) {
    std::map<std::string, ActionTime> fresh;
    for (const KnownAction& k : next.actions) {
      if (k.type.empty()) continue;
      std::string key = ActionKey(k);
      auto it = fresh.find(key);
      if (it == fresh.end() || it->second < k.created) fresh[key] = k.created;
    }
    for (const auto& [key, t] : next.seen) {
      if (!next.last_sync || t > *next.last_sync) {
        auto it = fresh.find(key);
        if (it == fresh.end() || it->second < t) fresh[key] = t;
      }
    }
    next.seen = std::move(fresh);
    next.last_sync = now;
  }
  // Prune entries older than twice the window.
  for (auto it = next.seen.begin(); it != next.seen.end();) {
    it = now - it->second > 2 * o.dedupe_window ? next.seen.erase(it) : std::next(it);
  }
  const bool priming = !next.primed;
  r.priming = priming;
  std::vector<Incident> incidents;
  for (const Value& e : events) {
    if (!e.is_object() || Str(e.Find("type")) != "Warning" || !IsIncidentReason(Str(e.Find("reason")))) {
      ++r.filtered;
      continue;
    }
    Incident in;
    in.reason = std::string(Str(e.Find("reason")));
    in.message = std::string(Str(e.Find("message")));
    in.kind = std::string(Str(e.FindPath({"involvedObject", "kind"})));
    in.name = std::string(Str(e.FindPath({"involvedObject", "name"})));
    in.namespace_ = std::string(Str(e.FindPath({"involvedObject", "namespace"})));
    if (in.namespace_.empty()) in.namespace_ = std::string(Str(e.FindPath({"metadata", "namespace"})));
    bool in_scope = in.namespace_.substr(0, o.namespace_prefix.size()) == o.namespace_prefix &&
                    std::find(o.protected_namespaces.begin(), o.protected_namespaces.end(), in.namespace_) ==
                        o.protected_namespaces.end();
    std::optional<ActionTime> ts = EventTime(e);
    if (!in_scope || (ts && now - *ts > o.max_event_age)) {
      ++r.filtered;
      continue;
    }
    // Event → typed target.
    constexpr std::string_view kMarker = "exceeded quota:";
    std::size_t at = in.message.find(kMarker);
    if (in.reason == "FailedCreate" && in.message.find("quota") != std::string::npos && at != std::string::npos) {
      std::string rest = in.message.substr(at + kMarker.size());
      rest = rest.substr(0, rest.find(','));
      std::size_t b = rest.find_first_not_of(" \t");
      std::size_t e2 = rest.find_last_not_of(" \t");
      in.target = b == std::string::npos ? "" : rest.substr(b, e2 - b + 1);
      if (!in.target.empty()) in.action_type = "DeleteResourceQuota";
    } else if ((in.reason == "BackOff" || in.reason == "CrashLoopBackOff") && in.kind == "Pod" && !in.name.empty()) {
      in.action_type = "DeletePod";
      in.target = in.name;
    }
    if (!in.action_type.empty()) {
      std::string_view kind = in.action_type == "DeletePod" ? "Pod" : "";
      in.dedupe_key = Key(in.namespace_, in.action_type, NormalizeName(kind, in.target));
    } else {
      in.dedupe_key = Key(in.namespace_, in.kind, NormalizeName(in.kind, in.name));
    }
    auto seen = next.seen.find(in.dedupe_key);
    if (seen != next.seen.end() && now - seen->second < o.dedupe_window) {
      ++r.deduplicated;
      continue;
    }
    next.seen[in.dedupe_key] = now;
    if (priming) continue;  // the first poll only absorbs
    if (!in.action_type.empty()) {
      const KnownAction* reuse = nullptr;
      for (const KnownAction& k : next.actions) {
        if (k.type == in.action_type && k.namespace_ == in.namespace_ && k.target == in.target &&
            (k.phase.empty() || k.phase == "Proposed" || k.phase == "Approved" || k.phase == "Applied")) {
          reuse = &k;
          break;
        }
      }
      if (reuse) {
        in.reused = true;
        in.action_name = reuse->name;
        r.reused_actions.push_back(reuse->name);
      } else {
        SreAction a;
        a.namespace_ = o.action_namespace;
        a.created = now;
        a.type = in.action_type;
        a.params = Value::MakeObject();
        a.params.Set("namespace", in.namespace_);
        a.params.Set("name", in.target);
        a.rationale = SafeText(in.reason + " on " + in.kind + " " + in.namespace_ + "/" + in.name + ": " + in.message, 2048);
        a.diagnosis = SafeText("incident watcher: " + in.reason + " (" + in.action_type + " " + in.target + ")", 512);
        a.ttl_minutes = o.ttl_minutes;
        r.new_actions.push_back(a);
        next.actions.push_back(KnownAction{"", a.type, in.namespace_, in.target, "Proposed", now});
      }
    }
    in.priority = ReasonWeight(in.reason) + (in.action_type.empty() ? 0 : 150);
    incidents.push_back(std::move(in));
  }
  next.primed = true;
  std::stable_sort(incidents.begin(), incidents.end(), [](const Incident& a, const Incident& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    if (a.reason != b.reason) return a.reason < b.reason;
    return a.name < b.name;
  });
  // Messages: the top incident in full, then one summary line.
  std::vector<std::string> messages;
  if (!incidents.empty()) {
    const Incident& top = incidents.front();
    std::string m = top.reason + " in " + top.namespace_ + ": " + top.kind + "/" + top.name + ": " + SafeText(top.message, 512);
    if (!top.action_type.empty()) {
      m += " | proposed " + top.action_type + " " + top.target +
           (top.reused ? " (reminder: " + top.action_name + " awaits approval)" : " (awaiting approval)");
    }
    messages.push_back(std::move(m));
    if (incidents.size() > 1) {
      std::map<std::string, int> counts;
      for (std::size_t i = 1; i < incidents.size(); ++i) ++counts[incidents[i].reason];
      std::vector<std::pair<std::string, int>> sorted(counts.begin(), counts.end());
      std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
      std::string s = "+" + std::to_string(incidents.size() - 1) + " more:";
      for (std::size_t i = 0; i < sorted.size(); ++i) {
        s += (i ? ", " : " ") + sorted[i].first + " x" + std::to_string(sorted[i].second);
      }
      messages.push_back(std::move(s));
    }
  }
  // Sliding-window rate limiter (cluster-wide).
  std::vector<ActionTime> window;
  for (ActionTime t : next.sent) {
    if (now - t < o.rate_window && t <= now) window.push_back(t);
  }
  if (!messages.empty()) {
    if (static_cast<int>(window.size()) >= o.rate_limit) {
      r.suppressed = std::move(messages);
    } else {
      for (std::string& m : messages) {
        window.push_back(now);
        r.sent.push_back(std::move(m));
      }
    }
  }
  next.sent = std::move(window);
  r.incidents = std::move(incidents);
  r.next_state = std::move(next);
  return r;
}

Value TriageResult::ToValue() const {
  Value v = Value::MakeObject();
  v.Set("priming", priming);
  Value inc = Value::MakeArray();
  for (const Incident& i : incidents) inc.PushBack(i.ToValue());
  v.Set("incidents", std::move(inc));
  Value na = Value::MakeArray();
  for (const SreAction& a : new_actions) na.PushBack(a.ToValue());
  v.Set("new_actions", std::move(na));
  Value ra = Value::MakeArray();
  for (const std::string& n : reused_actions) ra.PushBack(n);
  v.Set("reused_actions", std::move(ra));
  Value alerts = Value::MakeObject();
  Value s = Value::MakeArray();
  for (const std::string& m : sent) s.PushBack(m);
  alerts.Set("sent", std::move(s));
  Value sup = Value::MakeArray();
  for (const std::string& m : suppressed) sup.PushBack(m);
  alerts.Set("suppressed", std::move(sup));
  v.Set("alerts", std::move(alerts));
  v.Set("filtered", filtered);
  v.Set("deduplicated", deduplicated);
  v.Set("next_state", next_state.ToValue());
  return v;
}

std::vector<ActionAuditRecord> TriageResult::AuditRecords() const {
  std::vector<ActionAuditRecord> out;
  for (const SreAction& a : new_actions) out.push_back({"sre.proposed", a.ToValue()});
  for (const std::string& n : reused_actions) {
    Value r = Value::MakeObject();
    r.Set("action", n);
    out.push_back({"sre.reminder", std::move(r)});
  }
  return out;
}

}  // namespace kfix
