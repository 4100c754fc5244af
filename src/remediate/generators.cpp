// Fix generators: one finding -> the smallest RFC 6902 patch that resolves it.
// See include/kfix/remediate.hpp and docs/remediation.md.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "kfix/remediate.hpp"
#include "remediate/builder.hpp"

namespace kfix {

using internal::EqualsIgnoreCase;
using internal::OpBuilder;
using internal::ToLower;

const char* FixProfileName(FixProfile p) noexcept { return p == FixProfile::kHarden ? "harden" : "minimal"; }

Result<FixProfile> ParseFixProfile(std::string_view name) {
  if (name == "minimal") return FixProfile::kMinimal;
  if (name == "harden") return FixProfile::kHarden;
  return InvalidArgumentError("unknown fix profile \"" + std::string(name) + "\" (expected minimal or harden)");
}

const char* ProposalStatusName(ProposalStatus s) noexcept {
  switch (s) {
    case ProposalStatus::kProposed: return "proposed";
    case ProposalStatus::kNothingToDo: return "nothing-to-do";
    case ProposalStatus::kNeedsReview: return "needs-review";
    case ProposalStatus::kUnfixable: return "unfixable";
  }
  return "unfixable";
}

namespace {

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

const Value* Field(const Value* obj, std::string_view key) noexcept {
  return (obj && obj->is_object()) ? obj->Find(key) : nullptr;
}

bool IsTrue(const Value* v) noexcept { return v && v->is_bool() && v->as_bool(); }
bool IsFalse(const Value* v) noexcept { return v && v->is_bool() && !v->as_bool(); }

std::optional<std::int64_t> AsInt(const Value* v) noexcept {
  if (!v) return std::nullopt;
  if (v->is_int()) return v->as_int();
  if (v->is_double() && std::floor(v->as_double()) == v->as_double()) return static_cast<std::int64_t>(v->as_double());
  return std::nullopt;
}

/// The first "quoted" string in a message, optionally after `after`.
std::string Quoted(std::string_view msg, std::string_view after = {}) {
  std::size_t start = 0;
  if (!after.empty()) {
    start = msg.find(after);
    if (start == std::string_view::npos) return {};
    start += after.size();
  }
  std::size_t a = msg.find('"', start);
  if (a == std::string_view::npos) return {};
  std::size_t b = msg.find('"', a + 1);
  if (b == std::string_view::npos) return {};
  return std::string(msg.substr(a + 1, b - a - 1));
}

bool Contains(std::string_view s, std::string_view part) noexcept { return s.find(part) != std::string_view::npos; }

struct GenCtx {
  const Value& object;
  const std::optional<WorkloadView>& view;
  const Finding& finding;
  const FixConfig& config;
  const FixContext* context;
};

struct Outcome {
  ProposalStatus status = ProposalStatus::kProposed;
  std::string reason;
  static Outcome Ok(std::string r = {}) { return {ProposalStatus::kProposed, std::move(r)}; }
  static Outcome Review(std::string r) { return {ProposalStatus::kNeedsReview, std::move(r)}; }
  static Outcome Unfixable(std::string r) { return {ProposalStatus::kUnfixable, std::move(r)}; }
};

using Generator = std::function<Outcome(const GenCtx&, OpBuilder&)>;

/// Containers the finding is about: by pointer, else by name, else all.
std::vector<const ContainerRef*> TargetContainers(const GenCtx& g) {
  std::vector<const ContainerRef*> out;
  if (!g.view) return out;
  const std::string& p = g.finding.pointer;
  if (!p.empty()) {
    for (const ContainerRef& c : g.view->containers) {
      std::string cp = c.pointer.ToString();
      if (p == cp || (p.size() > cp.size() && p.compare(0, cp.size(), cp) == 0 && p[cp.size()] == '/')) {
        out.push_back(&c);
        return out;
      }
    }
  }
  if (!g.finding.container.empty()) {
    for (const ContainerRef& c : g.view->containers) {
      if (c.name == g.finding.container) out.push_back(&c);
    }
    if (!out.empty()) return out;
  }
  for (const ContainerRef& c : g.view->containers) out.push_back(&c);
  return out;
}

/// The current container value in the builder's working copy.
const Value* Current(const OpBuilder& b, const ContainerRef& c) {
  return internal::Walk(b.doc(), c.pointer.tokens(), c.pointer.size());
}
const Value* CurrentAt(const OpBuilder& b, const JsonPointer& p) {
  return internal::Walk(b.doc(), p.tokens(), p.size());
}

JsonPointer Sc(const ContainerRef& c) { return c.pointer.Child("securityContext"); }

const Value* PodSc(const OpBuilder& b, const GenCtx& g) {
  if (!g.view) return nullptr;
  return Field(CurrentAt(b, g.view->pod_spec_pointer), "securityContext");
}

Outcome NeedWorkload(const GenCtx& g) {
  if (!g.view) return Outcome::Unfixable("object kind \"" + g.finding.object.kind + "\" has no pod template");
  if (!g.view->pod_spec) return Outcome::Unfixable("object has no pod spec");
  return Outcome::Ok();
}

Outcome Fail(const OpBuilder& b) { return Outcome::Unfixable("cannot build patch: " + b.error()); }

/// Runs `fn` for every targeted container; aggregates failures.
template <typename Fn>
Outcome ForContainers(const GenCtx& g, OpBuilder& b, Fn fn, bool skip_ephemeral_with_reason = false,
                      std::string_view ephemeral_reason = {}) {
  Outcome w = NeedWorkload(g);
  if (w.status != ProposalStatus::kProposed) return w;
  auto targets = TargetContainers(g);
  if (targets.empty()) return Outcome::Unfixable("no container found for the finding");
  std::size_t ephemeral_only = 0;
  for (const ContainerRef* c : targets) {
    if (skip_ephemeral_with_reason && c->group == ContainerGroup::kEphemeral) {
      ++ephemeral_only;
      continue;
    }
    Outcome o = fn(*c);
    if (o.status != ProposalStatus::kProposed) return o;
    if (b.failed()) return Fail(b);
  }
  if (ephemeral_only == targets.size()) return Outcome::Unfixable(std::string(ephemeral_reason));
  return Outcome::Ok();
}

// ---------------------------------------------------------------------------
// Container-level generators
// ---------------------------------------------------------------------------

Outcome FixPrivileged(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    if (IsTrue(Field(Field(Current(b, c), "securityContext"), "privileged"))) b.Set(Sc(c).Child("privileged"), false);
    return Outcome::Ok();
  });
}

Outcome FixReadOnlyRootFs(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    if (!IsTrue(Field(Field(Current(b, c), "securityContext"), "readOnlyRootFilesystem")))
      b.Set(Sc(c).Child("readOnlyRootFilesystem"), true);
    return Outcome::Ok();
  });
}

Outcome FixNoPrivilegeEscalation(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    if (!IsFalse(Field(Field(Current(b, c), "securityContext"), "allowPrivilegeEscalation")))
      b.Set(Sc(c).Child("allowPrivilegeEscalation"), false);
    return Outcome::Ok();
  });
}

/// Removes every entry of capabilities.add matching one of `caps` (case-insensitive).
void RemoveAddedCaps(OpBuilder& b, const ContainerRef& c, const std::vector<std::string>& caps) {
  const Value* add = Field(Field(Field(Current(b, c), "securityContext"), "capabilities"), "add");
  if (!add || !add->is_array()) return;
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < add->as_array().size(); ++i) {
    std::string_view s = add->as_array()[i].string_or();
    for (const auto& cap : caps) {
      if (EqualsIgnoreCase(s, cap)) idx.push_back(i);
    }
  }
  b.RemoveIndices(Sc(c).Child("capabilities").Child("add"), idx);
}

/// Ensures capabilities.drop contains `cap` (or ALL).
void EnsureDropped(OpBuilder& b, const ContainerRef& c, const std::string& cap) {
  const Value* drop = Field(Field(Field(Current(b, c), "securityContext"), "capabilities"), "drop");
  if (drop && drop->is_array()) {
    for (const Value& d : drop->as_array()) {
      if (EqualsIgnoreCase(d.string_or(), cap) || EqualsIgnoreCase(d.string_or(), "ALL")) return;
    }
  }
  if (drop && !drop->is_array() && !drop->is_null()) {
    Value arr = Value::MakeArray();
    arr.PushBack(Value(cap));
    b.Set(Sc(c).Child("capabilities").Child("drop"), arr);
    return;
  }
  b.Append(Sc(c).Child("capabilities").Child("drop"), Value(cap));
}

Outcome FixPrivilegeEscalationContainer(const GenCtx& g, OpBuilder& b) {
  // kube-linter reports one cause at a time; the finding is only gone when
  // every cause is (explicit APE true, privileged, SYS_ADMIN added).
  const bool ape = true, priv = true, sysadmin = true;
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* sc = Field(Current(b, c), "securityContext");
    if (ape && IsTrue(Field(sc, "allowPrivilegeEscalation"))) b.Set(Sc(c).Child("allowPrivilegeEscalation"), false);
    if (priv && IsTrue(Field(sc, "privileged"))) b.Set(Sc(c).Child("privileged"), false);
    if (sysadmin) RemoveAddedCaps(b, c, {"SYS_ADMIN"});
    return Outcome::Ok();
  });
}

Outcome FixDropNetRaw(const GenCtx& g, OpBuilder& b) {
  const std::string& m = g.finding.message;
  return ForContainers(g, b, [&](const ContainerRef& c) {
    if (Contains(m, "has ADD capability")) {
      std::string cap = Quoted(m, "ADD capability:");
      RemoveAddedCaps(b, c, {cap.empty() ? std::string("NET_RAW") : cap});
    } else if (Contains(m, "all capabilities are required to be dropped")) {
      EnsureDropped(b, c, "ALL");
    } else if (Contains(m, "does not drop capability")) {
      std::string cap = Quoted(m, "does not drop capability");
      EnsureDropped(b, c, cap.empty() ? std::string("NET_RAW") : cap);
    } else {
      RemoveAddedCaps(b, c, {"NET_RAW", "ALL"});
      EnsureDropped(b, c, "NET_RAW");
    }
    return Outcome::Ok();
  });
}

Outcome FixDropCapabilities(const GenCtx& g, OpBuilder& b) {
  static const std::vector<std::string> kDangerous = {"ALL",        "NET_RAW",    "NET_ADMIN", "SYS_ADMIN",
                                                      "SYS_MODULE", "SYS_PTRACE", "SYS_CHROOT"};
  return ForContainers(g, b, [&](const ContainerRef& c) {
    RemoveAddedCaps(b, c, kDangerous);
    EnsureDropped(b, c, "ALL");
    const Value* sc = Field(Current(b, c), "securityContext");
    if (IsTrue(Field(sc, "privileged"))) b.Set(Sc(c).Child("privileged"), false);
    if (!IsFalse(Field(sc, "allowPrivilegeEscalation"))) b.Set(Sc(c).Child("allowPrivilegeEscalation"), false);
    return Outcome::Ok();
  });
}

Outcome FixDropCapSysAdmin(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    RemoveAddedCaps(b, c, {"SYS_ADMIN"});
    EnsureDropped(b, c, "SYS_ADMIN");
    return Outcome::Ok();
  });
}

Outcome FixRunAsNonRoot(const GenCtx& g, OpBuilder& b) {
  const std::string& m = g.finding.message;
  bool group = Contains(m, "runAsGroup");
  bool user0 = Contains(m, "runAsUser set to");
  bool nonroot = Contains(m, "not set to runAsNonRoot");
  if (!group && !user0 && !nonroot) nonroot = true;
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* psc = PodSc(b, g);
    const Value* sc = Field(Current(b, c), "securityContext");
    auto eff = [&](std::string_view key) -> const Value* {
      const Value* v = Field(sc, key);
      if (v && !v->is_null()) return v;
      v = Field(psc, key);
      return (v && !v->is_null()) ? v : nullptr;
    };
    if (group) {
      auto gid = AsInt(eff("runAsGroup"));
      if (!gid || *gid == 0) b.Set(Sc(c).Child("runAsGroup"), g.config.run_as_group);
    }
    if (nonroot && !IsTrue(eff("runAsNonRoot"))) b.Set(Sc(c).Child("runAsNonRoot"), true);
    auto uid = AsInt(eff("runAsUser"));
    if ((user0 || nonroot) && uid && *uid == 0) b.Set(Sc(c).Child("runAsUser"), g.config.run_as_user);
    return Outcome::Ok();
  });
}

Outcome FixRunAsUser(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* sc = Field(Current(b, c), "securityContext");
    auto uid = AsInt(Field(sc, "runAsUser"));
    if (!uid) uid = AsInt(Field(PodSc(b, g), "runAsUser"));
    if (!uid || *uid == 0) b.Set(Sc(c).Child("runAsUser"), g.config.run_as_user);
    return Outcome::Ok();
  });
}

Outcome FixSeccomp(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* t = Field(Field(Field(Current(b, c), "securityContext"), "seccompProfile"), "type");
    if (t && (t->string_or() == "RuntimeDefault" || t->string_or() == "Localhost")) return Outcome::Ok();
    if (!t) {
      const Value* pt = Field(Field(PodSc(b, g), "seccompProfile"), "type");
      if (pt && (pt->string_or() == "RuntimeDefault" || pt->string_or() == "Localhost")) return Outcome::Ok();
    }
    Value prof = Value::MakeObject();
    prof.Set("type", "RuntimeDefault");
    b.Set(Sc(c).Child("seccompProfile"), prof);
    return Outcome::Ok();
  });
}

// Resources -------------------------------------------------------------------

constexpr std::string_view kEphemeralResources = "ephemeral containers cannot carry resources";

/// Sets resources.<side>.<res> when missing or zero. `other` is the opposite
/// side's value (limit for a request, request for a limit) used to keep
/// request <= limit.
void EnsureResource(OpBuilder& b, const ContainerRef& c, std::string_view side, std::string_view res,
                    const std::string& default_value) {
  const Value* resources = Field(Current(b, c), "resources");
  const Value* cur = Field(Field(resources, side), res);
  if (cur && !cur->is_null()) {
    auto q = ParseQuantity(*cur);
    if (q.ok() && *q > 0) return;
  }
  Value value(default_value);
  const Value* other = Field(Field(resources, side == "requests" ? "limits" : "requests"), res);
  if (other && !other->is_null()) {
    auto oq = ParseQuantity(*other);
    auto dq = ParseQuantity(Value(default_value));
    if (oq.ok() && dq.ok() && *oq > 0) {
      // request must not exceed the limit; a limit must not be below the request.
      if ((side == "requests" && *dq > *oq) || (side == "limits" && *dq < *oq)) value = *other;
    }
  }
  b.Set(c.pointer.Child("resources").Child(side).Child(res), value);
}

Outcome FixCpuRequest(const GenCtx& g, OpBuilder& b) {
  return ForContainers(
      g, b,
      [&](const ContainerRef& c) {
        EnsureResource(b, c, "requests", "cpu", g.config.cpu_request);
        return Outcome::Ok();
      },
      true, kEphemeralResources);
}

Outcome FixMemoryLimit(const GenCtx& g, OpBuilder& b) {
  return ForContainers(
      g, b,
      [&](const ContainerRef& c) {
        EnsureResource(b, c, "limits", "memory", g.config.memory_limit);
        return Outcome::Ok();
      },
      true, kEphemeralResources);
}

Outcome FixRequestsLimits(const GenCtx& g, OpBuilder& b) {
  return ForContainers(
      g, b,
      [&](const ContainerRef& c) {
        EnsureResource(b, c, "requests", "cpu", g.config.cpu_request);
        EnsureResource(b, c, "requests", "memory", g.config.memory_request);
        EnsureResource(b, c, "limits", "cpu", g.config.cpu_limit);
        EnsureResource(b, c, "limits", "memory", g.config.memory_limit);
        return Outcome::Ok();
      },
      true, kEphemeralResources);
}

// Images ----------------------------------------------------------------------

/// The repository part of an image reference (without tag or digest).
std::string ImageRepository(std::string_view image) {
  std::string_view s = image;
  if (auto at = s.find('@'); at != std::string_view::npos) s = s.substr(0, at);
  std::size_t slash = s.rfind('/');
  std::size_t colon = s.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) s = s.substr(0, colon);
  return std::string(s);
}

/// kube-linter's latest-tag block list: ":latest" or no tag (digests pass).
bool ImageIsUnpinned(std::string_view image) {
  if (image.find('@') != std::string_view::npos) return false;
  std::size_t slash = image.rfind('/');
  std::size_t colon = image.rfind(':');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash)) return true;
  return image.substr(colon + 1) == "latest";
}

Outcome FixLatestTag(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) -> Outcome {
    const Value* image = Field(Current(b, c), "image");
    if (!image || !image->is_string() || image->as_string().empty())
      return Outcome::Review("container \"" + c.name + "\" has no image; kfix never invents one");
    const std::string& img = image->as_string();
    if (!ImageIsUnpinned(img)) return Outcome::Ok();
    auto it = g.config.image_pins.find(img);
    if (it == g.config.image_pins.end()) it = g.config.image_pins.find(ImageRepository(img));
    if (it == g.config.image_pins.end())
      return Outcome::Review("no pinned image configured for \"" + img +
                             "\" (add it to fix.imagePins); kfix never invents a tag");
    if (ImageIsUnpinned(it->second))
      return Outcome::Review("the configured pin for \"" + img + "\" (\"" + it->second + "\") is itself unpinned");
    b.Set(c.pointer.Child("image"), it->second);
    return Outcome::Ok();
  });
}

// Probe ports -----------------------------------------------------------------

Outcome FixProbePort(const GenCtx& g, OpBuilder& b, std::string_view probe_field) {
  return ForContainers(
      g, b,
      [&](const ContainerRef& c) -> Outcome {
        const Value* probe = Field(Current(b, c), probe_field);
        if (!probe || !probe->is_object()) return Outcome::Ok();
        // Every handler's port must be declared (kube-linter reports one at a time).
        for (std::string_view handler : {"httpGet", "tcpSocket", "grpc"}) {
          const Value* port = Field(Field(probe, handler), "port");
          if (!port) continue;
          const Value* ports = Field(Current(b, c), "ports");
          auto exposes = [&](auto pred) {
            if (!ports || !ports->is_array()) return false;
            for (const Value& p : ports->as_array()) {
              if (pred(p)) return true;
            }
            return false;
          };
          std::optional<std::int64_t> number = AsInt(port);
          bool numeric_string = false;
          if (!number && port->is_string()) {
            const std::string& s = port->as_string();
            if (!s.empty() && s.size() < 6 &&
                std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
              number = std::stoll(s);
              numeric_string = true;
            } else {
              if (exposes([&](const Value& p) { return Field(&p, "name") && Field(&p, "name")->string_or() == s; }))
                continue;
              return Outcome::Review("probe uses the named port \"" + s + "\" that container \"" + c.name +
                                     "\" does not declare; its number cannot be derived");
            }
          }
          if (!number || *number < 1 || *number > 65535)
            return Outcome::Unfixable("probe port is not a valid port number or name");
          JsonPointer port_ptr = c.pointer.Child(probe_field).Child(handler).Child("port");
          if (numeric_string) b.Set(port_ptr, *number);
          if (!exposes([&](const Value& p) {
                auto cp = AsInt(Field(&p, "containerPort"));
                return cp && *cp == *number;
              })) {
            Value entry = Value::MakeObject();
            entry.Set("containerPort", *number);
            b.Append(c.pointer.Child("ports"), entry);
          }
        }
        return Outcome::Ok();
      },
      true, "ephemeral containers cannot carry probes or ports");
}

// Env -------------------------------------------------------------------------

Outcome FixDuplicateEnv(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* env = Field(Current(b, c), "env");
    if (!env || !env->is_array()) return Outcome::Ok();
    // Kubernetes resolves duplicates last-wins: keep the last occurrence so
    // the effective environment does not change.
    std::map<std::string, std::size_t> last;
    const auto& arr = env->as_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const Value* n = Field(&arr[i], "name");
      if (n && n->is_string()) last[n->as_string()] = i;
    }
    std::vector<std::size_t> remove;
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const Value* n = Field(&arr[i], "name");
      if (n && n->is_string() && last[n->as_string()] != i) remove.push_back(i);
    }
    b.RemoveIndices(c.pointer.Child("env"), remove);
    return Outcome::Ok();
  });
}

std::string SecretNameFor(std::string_view env_name) {
  std::string out;
  bool dash = false;
  for (char ch : env_name) {
    unsigned char u = static_cast<unsigned char>(ch);
    if (std::isalnum(u)) {
      if (dash && !out.empty()) out.push_back('-');
      dash = false;
      out.push_back(static_cast<char>(std::tolower(u)));
    } else {
      dash = true;
    }
  }
  if (out.empty()) out = "app";
  return out + "-secret";
}

std::string SecretKeyFor(std::string_view env_name) {
  std::string out;
  for (char ch : env_name) {
    unsigned char u = static_cast<unsigned char>(ch);
    out.push_back(std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_');
  }
  return out.empty() ? "value" : out;
}

Outcome FixEnvVarSecret(const GenCtx& g, OpBuilder& b) {
  std::string var = Quoted(g.finding.message);  // fallback
  const std::string& m = g.finding.message;
  if (auto p = m.find("environment variable "); p != std::string::npos) {
    std::size_t s = p + 21, e = m.find(' ', s);
    var = m.substr(s, e == std::string::npos ? std::string::npos : e - s);
  }
  Outcome o = ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* env = Field(Current(b, c), "env");
    if (!env || !env->is_array()) return Outcome::Ok();
    for (std::size_t i = 0; i < env->as_array().size(); ++i) {
      const Value& e = env->as_array()[i];
      const Value* n = Field(&e, "name");
      const Value* v = Field(&e, "value");
      if (!n || !n->is_string() || !v || v->string_or().empty()) continue;
      bool match = var.empty() ? Contains(ToLower(n->as_string()), "secret") : n->as_string() == var;
      if (!match) continue;
      Value entry = Value::MakeObject();
      entry.Set("name", n->as_string());
      Value ref = Value::MakeObject();
      ref.Set("name", SecretNameFor(n->as_string()));
      ref.Set("key", SecretKeyFor(n->as_string()));
      Value vf = Value::MakeObject();
      vf.Set("secretKeyRef", ref);
      entry.Set("valueFrom", vf);
      b.Set(c.pointer.Child("env").Child(i), entry);
    }
    return Outcome::Ok();
  });
  if (o.status != ProposalStatus::kProposed) return o;
  if (b.patch().empty()) return o;
  return Outcome::Review(
      "the literal value must first be stored in a Secret; the suggested patch references a Secret that kfix "
      "cannot create");
}

// Ports -----------------------------------------------------------------------

Outcome FixHostPorts(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* ports = Field(Current(b, c), "ports");
    if (!ports || !ports->is_array()) return Outcome::Ok();
    for (std::size_t j = 0; j < ports->as_array().size(); ++j) {
      const Value* hp = Field(&ports->as_array()[j], "hostPort");
      if (!hp || hp->is_null()) continue;
      auto n = AsInt(hp);
      if (n && *n == 0) continue;
      if (hp->is_string() && (hp->as_string().empty() || hp->as_string() == "0")) continue;
      b.Remove(c.pointer.Child("ports").Child(j).Child("hostPort"));
    }
    return Outcome::Ok();
  });
}

Outcome FixSshPort(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* ports = Field(Current(b, c), "ports");
    if (!ports || !ports->is_array()) return Outcome::Ok();
    std::vector<std::size_t> idx;
    for (std::size_t j = 0; j < ports->as_array().size(); ++j) {
      const Value& p = ports->as_array()[j];
      auto n = AsInt(Field(&p, "containerPort"));
      if (!n && Field(&p, "containerPort") && Field(&p, "containerPort")->string_or() == "22") n = 22;
      std::string proto = std::string(Field(&p, "protocol") ? Field(&p, "protocol")->string_or("TCP") : "TCP");
      if (n && *n == 22 && EqualsIgnoreCase(proto, "TCP")) idx.push_back(j);
    }
    b.RemoveIndices(c.pointer.Child("ports"), idx);
    return Outcome::Ok();
  });
}

Outcome FixWritableHostMount(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* vols = Field(CurrentAt(b, g.view->pod_spec_pointer), "volumes");
    std::set<std::string> host;
    if (vols && vols->is_array()) {
      for (const Value& v : vols->as_array()) {
        if (Field(&v, "hostPath") && Field(&v, "name")) host.insert(std::string(Field(&v, "name")->string_or()));
      }
    }
    const Value* mounts = Field(Current(b, c), "volumeMounts");
    if (!mounts || !mounts->is_array()) return Outcome::Ok();
    for (std::size_t j = 0; j < mounts->as_array().size(); ++j) {
      const Value& m = mounts->as_array()[j];
      const Value* n = Field(&m, "name");
      if (n && host.count(std::string(n->string_or())) && !IsTrue(Field(&m, "readOnly")))
        b.Set(c.pointer.Child("volumeMounts").Child(j).Child("readOnly"), true);
    }
    return Outcome::Ok();
  });
}

Outcome FixProcMount(const GenCtx& g, OpBuilder& b) {
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* pm = Field(Field(Current(b, c), "securityContext"), "procMount");
    if (pm && pm->string_or() == "Unmasked") b.Set(Sc(c).Child("procMount"), "Default");
    return Outcome::Ok();
  });
}

// ---------------------------------------------------------------------------
// Pod-level generators
// ---------------------------------------------------------------------------

Generator HostFlag(std::string flag) {
  return [flag](const GenCtx& g, OpBuilder& b) {
    Outcome w = NeedWorkload(g);
    if (w.status != ProposalStatus::kProposed) return w;
    if (IsTrue(Field(CurrentAt(b, g.view->pod_spec_pointer), flag)))
      b.Set(g.view->pod_spec_pointer.Child(flag), false);
    return Outcome::Ok();
  };
}

Outcome FixHostPath(const GenCtx& g, OpBuilder& b) {
  Outcome w = NeedWorkload(g);
  if (w.status != ProposalStatus::kProposed) return w;
  const JsonPointer vols_ptr = g.view->pod_spec_pointer.Child("volumes");
  const Value* vols = CurrentAt(b, vols_ptr);
  if (!vols || !vols->is_array()) return Outcome::Ok();
  std::string path = Quoted(g.finding.message, "host system directory");
  // Volumes mounted by the targeted container(s), when the finding names one.
  std::set<std::string> mounted;
  bool by_container = !g.finding.container.empty();
  if (by_container) {
    for (const ContainerRef* c : TargetContainers(g)) {
      const Value* mounts = Field(c->container, "volumeMounts");
      if (!mounts || !mounts->is_array()) continue;
      for (const Value& m : mounts->as_array()) {
        if (Field(&m, "name")) mounted.insert(std::string(Field(&m, "name")->string_or()));
      }
    }
  }
  for (std::size_t i = 0; i < vols->as_array().size(); ++i) {
    const Value& v = vols->as_array()[i];
    const Value* hp = Field(&v, "hostPath");
    if (!hp) continue;
    if (!path.empty() && Field(hp, "path") && Field(hp, "path")->string_or() != path) continue;
    if (by_container && !mounted.count(std::string(Field(&v, "name") ? Field(&v, "name")->string_or() : "")))
      continue;
    b.Remove(vols_ptr.Child(i).Child("hostPath"));
    if (!Field(&v, "emptyDir")) b.Set(vols_ptr.Child(i).Child("emptyDir"), Value::MakeObject());
  }
  return Outcome::Ok();
}

bool IsUnsafeSysctl(std::string_view name) {
  for (std::string_view p : {"kernel.msg", "kernel.sem", "kernel.shm", "fs.mqueue.", "net."}) {
    if (name.substr(0, p.size()) == p) return true;
  }
  return false;
}

Outcome FixUnsafeSysctls(const GenCtx& g, OpBuilder& b) {
  Outcome w = NeedWorkload(g);
  if (w.status != ProposalStatus::kProposed) return w;
  const JsonPointer ptr = g.view->pod_spec_pointer.Child("securityContext").Child("sysctls");
  const Value* list = CurrentAt(b, ptr);
  if (!list || !list->is_array()) return Outcome::Ok();
  std::string name = Quoted(g.finding.message);
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < list->as_array().size(); ++i) {
    std::string_view n = Field(&list->as_array()[i], "name") ? Field(&list->as_array()[i], "name")->string_or() : "";
    if (name.empty() ? IsUnsafeSysctl(n) : n == name) idx.push_back(i);
  }
  b.RemoveIndices(ptr, idx);
  return Outcome::Ok();
}

Outcome FixDeprecatedServiceAccount(const GenCtx& g, OpBuilder& b) {
  Outcome w = NeedWorkload(g);
  if (w.status != ProposalStatus::kProposed) return w;
  const JsonPointer ps = g.view->pod_spec_pointer;
  const Value* spec = CurrentAt(b, ps);
  const Value* sa = Field(spec, "serviceAccount");
  if (!sa || sa->is_null()) return Outcome::Ok();
  const Value* san = Field(spec, "serviceAccountName");
  if ((!san || san->string_or().empty()) && !sa->string_or().empty()) b.Set(ps.Child("serviceAccountName"), *sa);
  b.Remove(ps.Child("serviceAccount"));
  return Outcome::Ok();
}

/// Pod template labels as currently in the builder.
const Value* PodLabels(const OpBuilder& b, const GenCtx& g) {
  return Field(CurrentAt(b, g.view->pod_metadata_pointer), "labels");
}

/// The controller's selector (pod spec path minus template/spec + selector).
JsonPointer SelectorPointer(const GenCtx& g) {
  std::vector<std::string> t = g.view->pod_spec_pointer.tokens();
  if (t.size() >= 2) {
    t.resize(t.size() - 2);
  } else {
    t.clear();
  }
  t.push_back("selector");
  return JsonPointer(std::move(t));
}

bool HasMapSelector(const GenCtx& g) {
  return HasLabelMapSelector(Field(&g.object, "kind") ? Field(&g.object, "kind")->string_or() : "");
}

/// The selector's label map: matchLabels, or the selector itself for map selectors.
const Value* SelectorLabels(const GenCtx& g, const Value* sel) {
  return HasMapSelector(g) ? sel : Field(sel, "matchLabels");
}

Outcome FixAntiAffinity(const GenCtx& g, OpBuilder& b) {
  Outcome w = NeedWorkload(g);
  if (w.status != ProposalStatus::kProposed) return w;
  const Value* labels = PodLabels(b, g);
  if (!labels || !labels->is_object() || labels->size() == 0)
    return Outcome::Review("the pod template has no labels to build an anti-affinity selector from");
  // Prefer the controller's matchLabels (the pods' identity) restricted to
  // labels the pod really carries; else all pod labels.
  Value match = Value::MakeObject();
  const Value* ml = SelectorLabels(g, CurrentAt(b, SelectorPointer(g)));
  if (ml && ml->is_object()) {
    for (const Member& m : ml->as_object()) {
      const Value* pv = labels->Find(m.key);
      if (pv && *pv == m.value && m.value.is_string()) match.Set(m.key, m.value);
    }
  }
  if (match.size() == 0) {
    for (const Member& m : labels->as_object()) {
      if (m.value.is_string()) match.Set(m.key, m.value);
    }
  }
  if (match.size() == 0) return Outcome::Review("the pod template labels are not strings");
  // Already satisfied by an existing term with this selector?
  const JsonPointer pref = g.view->pod_spec_pointer.Child("affinity")
                               .Child("podAntiAffinity")
                               .Child("preferredDuringSchedulingIgnoredDuringExecution");
  const Value* existing = CurrentAt(b, pref);
  if (existing && existing->is_array()) {
    for (const Value& t : existing->as_array()) {
      const Value* term = Field(&t, "podAffinityTerm");
      if (Field(term, "topologyKey") && Field(term, "topologyKey")->string_or() == "kubernetes.io/hostname" &&
          Field(Field(term, "labelSelector"), "matchLabels") &&
          *Field(Field(term, "labelSelector"), "matchLabels") == match && !Field(term, "namespaces"))
        return Outcome::Ok();
    }
  }
  Value selector = Value::MakeObject();
  selector.Set("matchLabels", match);
  Value term = Value::MakeObject();
  term.Set("labelSelector", selector);
  term.Set("topologyKey", "kubernetes.io/hostname");
  Value weighted = Value::MakeObject();
  weighted.Set("weight", 100);
  weighted.Set("podAffinityTerm", term);
  b.Append(pref, weighted);
  return Outcome::Ok();
}

Outcome FixMismatchingSelector(const GenCtx& g, OpBuilder& b) {
  Outcome w = NeedWorkload(g);
  if (w.status != ProposalStatus::kProposed) return w;
  const Value* sel = CurrentAt(b, SelectorPointer(g));
  if (!sel || !sel->is_object()) {
    // No selector (invalid for apps/v1): derive it from the template labels.
    const Value* labels = PodLabels(b, g);
    if (!labels || !labels->is_object() || labels->size() == 0)
      return Outcome::Review("neither a selector nor pod template labels to derive one from");
    Value match = Value::MakeObject();
    for (const Member& m : labels->as_object()) {
      if (m.value.is_string()) match.Set(m.key, m.value);
    }
    if (match.size() == 0) return Outcome::Review("the pod template labels are not strings");
    if (HasMapSelector(g)) {
      b.Set(SelectorPointer(g), match);
    } else {
      Value selector = Value::MakeObject();
      selector.Set("matchLabels", match);
      b.Set(SelectorPointer(g), selector);
    }
    return Outcome::Ok();
  }
  const Value* ml = SelectorLabels(g, sel);
  const Value* me = HasMapSelector(g) ? nullptr : Field(sel, "matchExpressions");
  const bool has_labels = ml && ml->is_object() && ml->size() > 0;
  const bool has_exprs = me && me->is_array() && me->size() > 0;
  if (!has_labels && !has_exprs) return Outcome::Review("the selector has neither matchLabels nor matchExpressions");
  const JsonPointer labels_ptr = g.view->pod_metadata_pointer.Child("labels");
  if (has_labels) {
    for (const Member& m : ml->as_object()) {
      if (!m.value.is_string()) return Outcome::Unfixable("selector label \"" + m.key + "\" is not a string");
      const Value* cur = Field(PodLabels(b, g), m.key);
      if (cur && *cur == m.value) continue;
      b.Set(labels_ptr.Child(m.key), m.value);
      if (b.failed()) return Fail(b);
    }
  }
  if (!has_exprs) return Outcome::Ok();
  // Requirements the template already satisfies stay untouched; an unmet `In`
  // takes its first value (the selector names it); any other unmet requirement
  // (NotIn / DoesNotExist would remove a label, Exists would invent a value)
  // needs a human decision.
  for (const Value& req : me->as_array()) {
    const Value* key = Field(&req, "key");
    const Value* op = Field(&req, "operator");
    const Value* values = Field(&req, "values");
    if (!key || !key->is_string() || !op || !op->is_string())
      return Outcome::Review("a matchExpressions requirement has no key or operator");
    const Value* cur = Field(PodLabels(b, g), key->as_string());
    const bool present = cur && cur->is_string();
    auto in_values = [&](const Value* v) {
      if (!v || !v->is_string() || !values || !values->is_array()) return false;
      for (const Value& x : values->as_array()) {
        if (x == *v) return true;
      }
      return false;
    };
    const std::string_view o = op->as_string();
    bool met = false;
    if (o == "In") {
      met = present && in_values(cur);
    } else if (o == "NotIn") {
      met = !present || !in_values(cur);
    } else if (o == "Exists") {
      met = present;
    } else if (o == "DoesNotExist") {
      met = !present;
    } else {
      return Outcome::Review("unknown matchExpressions operator \"" + std::string(o) + "\"");
    }
    if (met) continue;
    if (o == "In" && values && values->is_array() && values->size() > 0 && values->as_array()[0].is_string()) {
      b.Set(labels_ptr.Child(key->as_string()), values->as_array()[0]);
      if (b.failed()) return Fail(b);
      continue;
    }
    return Outcome::Review("the template does not meet the selector's \"" + key->as_string() + " " + std::string(o) +
                           "\" requirement and no label value can be derived");
  }
  return Outcome::Ok();
}

Outcome FixJobTtl(const GenCtx& g, OpBuilder& b) {
  std::string_view kind = Field(&g.object, "kind") ? Field(&g.object, "kind")->string_or() : "";
  JsonPointer spec({"spec"});
  if (kind == "CronJob") {
    JsonPointer p({"spec", "jobTemplate", "spec", "ttlSecondsAfterFinished"});
    if (CurrentAt(b, p)) b.Remove(p);
    return Outcome::Ok();
  }
  if (kind != "Job") return Outcome::Unfixable("job-ttl-seconds-after-finished applies to Job and CronJob only");
  auto ttl = AsInt(CurrentAt(b, spec.Child("ttlSecondsAfterFinished")));
  if (!ttl || *ttl < 0) b.Set(spec.Child("ttlSecondsAfterFinished"), g.config.job_ttl_seconds_after_finished);
  return Outcome::Ok();
}

Outcome FixPdbEviction(const GenCtx& g, OpBuilder& b) {
  JsonPointer p({"spec", "unhealthyPodEvictionPolicy"});
  const Value* cur = CurrentAt(b, p);
  if (cur && !cur->string_or().empty()) return Outcome::Ok();
  if (!Field(&g.object, "spec") || !Field(&g.object, "spec")->is_object())
    return Outcome::Unfixable("PodDisruptionBudget has no spec");
  b.Set(p, g.config.pdb_unhealthy_pod_eviction_policy);
  return Outcome::Ok();
}

Outcome FixMinReplicas(const GenCtx& g, OpBuilder& b) {
  std::string_view kind = Field(&g.object, "kind") ? Field(&g.object, "kind")->string_or() : "";
  if (kind == "HorizontalPodAutoscaler") {
    auto mn = AsInt(CurrentAt(b, JsonPointer({"spec", "minReplicas"})));
    if (!mn || *mn < g.config.min_replicas) b.Set(JsonPointer({"spec", "minReplicas"}), g.config.min_replicas);
    auto mx = AsInt(CurrentAt(b, JsonPointer({"spec", "maxReplicas"})));
    if (mx && *mx < g.config.min_replicas) b.Set(JsonPointer({"spec", "maxReplicas"}), g.config.min_replicas);
    return Outcome::Ok();
  }
  if (kind == "Pod" || kind == "Job" || kind == "CronJob" || kind == "DaemonSet")
    return Outcome::Unfixable("kind " + std::string(kind) + " has no replicas");
  auto r = AsInt(CurrentAt(b, JsonPointer({"spec", "replicas"})));
  if (!r || *r < g.config.min_replicas) b.Set(JsonPointer({"spec", "replicas"}), g.config.min_replicas);
  return Outcome::Ok();
}

/// IANA_SVC_NAME (RFC 6335): 1-15 chars of [a-z0-9-], at least one letter,
/// no leading/trailing '-', no "--".
bool IsValidPortName(std::string_view n) {
  if (n.empty() || n.size() > 15 || n.front() == '-' || n.back() == '-') return false;
  bool letter = false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    char ch = n[i];
    if (ch >= 'a' && ch <= 'z') {
      letter = true;
    } else if (!((ch >= '0' && ch <= '9') || ch == '-')) {
      return false;
    }
    if (ch == '-' && i > 0 && n[i - 1] == '-') return false;
  }
  return letter;
}

/// Renames an invalid container port name when a valid name can be derived
/// ("8080" -> "port-8080", "HTTP" -> "http") and nothing refers to the old
/// name (no probe in the pod, no Service of the lint context).
Outcome FixContainerPortName(const GenCtx& g, OpBuilder& b) {
  Outcome w = NeedWorkload(g);
  if (w.status != ProposalStatus::kProposed) return w;
  std::string name = Quoted(g.finding.message, "port name");
  if (name.empty()) return Outcome::Review("cannot tell which port name is invalid");
  if (IsValidPortName(name)) return Outcome::Ok();
  bool present = false;
  for (const ContainerRef* c : TargetContainers(g)) {
    const Value* ports = Field(Current(b, *c), "ports");
    if (!ports || !ports->is_array()) continue;
    for (const Value& p : ports->as_array()) {
      if (Field(&p, "name") && Field(&p, "name")->string_or() == name) present = true;
    }
  }
  if (!present) return Outcome::Ok();
  std::string candidate = ToLower(name);
  if (!IsValidPortName(candidate)) candidate = "port-" + candidate;
  if (!IsValidPortName(candidate))
    return Outcome::Review("no valid port name can be derived from \"" + name + "\"");
  // References to the old name, and clashes with the new one, anywhere in the pod.
  for (const ContainerRef& c : g.view->containers) {
    for (std::string_view probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
      for (std::string_view h : {"httpGet", "tcpSocket", "grpc"}) {
        const Value* port = Field(Field(Field(c.container, probe), h), "port");
        if (port && port->is_string() && port->as_string() == name)
          return Outcome::Review("a probe refers to the port name \"" + name + "\"; rename both together");
      }
    }
    const Value* ports = Field(c.container, "ports");
    if (!ports || !ports->is_array()) continue;
    for (const Value& p : ports->as_array()) {
      if (Field(&p, "name") && Field(&p, "name")->string_or() == candidate)
        return Outcome::Review("the derived name \"" + candidate + "\" is already used in the pod");
    }
  }
  const Value* md = Field(&g.object, "metadata");
  std::string ns = Field(md, "namespace") ? std::string(Field(md, "namespace")->string_or()) : "";
  if (!g.context) return Outcome::Review("renaming a port needs the lint context to check Services");
  if (g.context->service_target_ports.count(ns + "/" + name))
    return Outcome::Review("a Service targets the port name \"" + name + "\"; rename both together");
  // Ephemeral containers cannot carry ports at all (the API server rejects
  // them): the invalid entry is removed there instead of renamed.
  return ForContainers(g, b, [&](const ContainerRef& c) {
    const Value* ports = Field(Current(b, c), "ports");
    if (!ports || !ports->is_array()) return Outcome::Ok();
    std::vector<std::size_t> drop;
    for (std::size_t j = 0; j < ports->as_array().size(); ++j) {
      const Value* n = Field(&ports->as_array()[j], "name");
      if (!n || !n->is_string() || n->as_string() != name) continue;
      if (c.group == ContainerGroup::kEphemeral) {
        drop.push_back(j);
      } else {
        b.Set(c.pointer.Child("ports").Child(j).Child("name"), candidate);
      }
    }
    if (!drop.empty() && drop.size() == ports->as_array().size()) {
      b.Remove(c.pointer.Child("ports"));
    } else if (!drop.empty()) {
      b.RemoveIndices(c.pointer.Child("ports"), std::move(drop));
    }
    return Outcome::Ok();
  });
}

Outcome FixInvalidTargetPorts(const GenCtx& g, OpBuilder& b) {
  std::string_view kind = Field(&g.object, "kind") ? Field(&g.object, "kind")->string_or() : "";
  if (kind != "Service") return FixContainerPortName(g, b);
  const JsonPointer ports_ptr({"spec", "ports"});
  const Value* ports = CurrentAt(b, ports_ptr);
  if (!ports || !ports->is_array()) return Outcome::Ok();
  bool review = false;
  for (std::size_t i = 0; i < ports->as_array().size(); ++i) {
    const Value* tp = Field(&ports->as_array()[i], "targetPort");
    if (!tp || !tp->is_string()) continue;
    const std::string& s = tp->as_string();
    bool digits = !s.empty() && s.size() < 6 && std::all_of(s.begin(), s.end(), [](char ch) {
      return ch >= '0' && ch <= '9';
    });
    if (digits) {
      std::int64_t n = std::stoll(s);
      if (n >= 1 && n <= 65535) {
        b.Set(ports_ptr.Child(i).Child("targetPort"), n);
        continue;
      }
    }
    review = true;
  }
  if (review && b.patch().empty())
    return Outcome::Review("the targetPort name is invalid and the port it should name cannot be derived");
  return Outcome::Ok();
}

Outcome ReviewDanglingService(const GenCtx&, OpBuilder&) {
  return Outcome::Review(
      "the Service selector matches no pod in the lint context; whether the selector or the pod labels are wrong "
      "needs a human decision");
}

Outcome ReviewServiceAccount(const GenCtx&, OpBuilder&) {
  return Outcome::Review(
      "the ServiceAccount does not exist in the lint context; create it or reference an existing one (switching to "
      "\"default\" would be a regression)");
}

// ---------------------------------------------------------------------------
// Hardening (opt-in profile)
// ---------------------------------------------------------------------------

void Harden(const GenCtx& g, OpBuilder& b) {
  if (!g.view || !g.view->pod_spec) return;
  b.set_role(OpRole::kHardening);
  for (const ContainerRef& c : g.view->containers) {
    EnsureDropped(b, c, "ALL");
    const Value* sc = Field(Current(b, c), "securityContext");
    if (IsTrue(Field(sc, "privileged"))) b.Set(Sc(c).Child("privileged"), false);
    if (!IsFalse(Field(sc, "allowPrivilegeEscalation"))) b.Set(Sc(c).Child("allowPrivilegeEscalation"), false);
    const Value* psc = PodSc(b, g);
    sc = Field(Current(b, c), "securityContext");
    if (!IsTrue(Field(sc, "runAsNonRoot")) && !(Field(sc, "runAsNonRoot") == nullptr && IsTrue(Field(psc, "runAsNonRoot"))))
      b.Set(Sc(c).Child("runAsNonRoot"), true);
    if (!IsTrue(Field(sc, "readOnlyRootFilesystem"))) b.Set(Sc(c).Child("readOnlyRootFilesystem"), true);
    if (!Field(sc, "seccompProfile") && !Field(psc, "seccompProfile")) {
      Value prof = Value::MakeObject();
      prof.Set("type", "RuntimeDefault");
      b.Set(Sc(c).Child("seccompProfile"), prof);
    }
    if (c.group != ContainerGroup::kEphemeral && !Field(Current(b, c), "resources")) {
      Value req = Value::MakeObject();
      req.Set("cpu", g.config.cpu_request);
      req.Set("memory", g.config.memory_request);
      Value lim = Value::MakeObject();
      lim.Set("cpu", g.config.cpu_limit);
      lim.Set("memory", g.config.memory_limit);
      Value res = Value::MakeObject();
      res.Set("requests", req);
      res.Set("limits", lim);
      b.Set(c.pointer.Child("resources"), res);
    } else if (c.group != ContainerGroup::kEphemeral) {
      EnsureResource(b, c, "requests", "cpu", g.config.cpu_request);
      EnsureResource(b, c, "requests", "memory", g.config.memory_request);
      EnsureResource(b, c, "limits", "cpu", g.config.cpu_limit);
      EnsureResource(b, c, "limits", "memory", g.config.memory_limit);
    }
    if (b.failed()) return;
  }
  b.set_role(OpRole::kTarget);
}

// ---------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------

struct Entry {
  Generator gen;
  bool automatic;  ///< produces kProposed fixes with the default config
};

const std::unordered_map<std::string, Entry>& Registry() {
  static const auto* registry = new std::unordered_map<std::string, Entry>{
      // kube-linter checks
      {"privileged-container", {FixPrivileged, true}},
      {"privilege-escalation-container", {FixPrivilegeEscalationContainer, true}},
      {"drop-net-raw-capability", {FixDropNetRaw, true}},
      {"no-read-only-root-fs", {FixReadOnlyRootFs, true}},
      {"run-as-non-root", {FixRunAsNonRoot, true}},
      {"unset-cpu-requirements", {FixCpuRequest, true}},
      {"unset-memory-requirements", {FixMemoryLimit, true}},
      {"latest-tag", {FixLatestTag, false}},
      {"liveness-port", {[](const GenCtx& g, OpBuilder& b) { return FixProbePort(g, b, "livenessProbe"); }, true}},
      {"readiness-port", {[](const GenCtx& g, OpBuilder& b) { return FixProbePort(g, b, "readinessProbe"); }, true}},
      {"startup-port", {[](const GenCtx& g, OpBuilder& b) { return FixProbePort(g, b, "startupProbe"); }, true}},
      {"env-var-secret", {FixEnvVarSecret, false}},
      {"duplicate-env-var", {FixDuplicateEnv, true}},
      {"ssh-port", {FixSshPort, true}},
      {"host-network", {HostFlag("hostNetwork"), true}},
      {"host-pid", {HostFlag("hostPID"), true}},
      {"host-ipc", {HostFlag("hostIPC"), true}},
      {"sensitive-host-mounts", {FixHostPath, true}},
      {"docker-sock", {FixHostPath, true}},
      {"unsafe-sysctls", {FixUnsafeSysctls, true}},
      {"deprecated-service-account-field", {FixDeprecatedServiceAccount, true}},
      {"no-anti-affinity", {FixAntiAffinity, true}},
      {"mismatching-selector", {FixMismatchingSelector, true}},
      {"job-ttl-seconds-after-finished", {FixJobTtl, true}},
      {"pdb-unhealthy-pod-eviction-policy", {FixPdbEviction, true}},
      {"invalid-target-ports", {FixInvalidTargetPorts, true}},
      {"dangling-service", {ReviewDanglingService, false}},
      {"non-existent-service-account", {ReviewServiceAccount, false}},
      {"minimum-three-replicas", {FixMinReplicas, true}},
      {"hpa-minimum-three-replicas", {FixMinReplicas, true}},
      {"writable-host-mount", {FixWritableHostMount, true}},
      {"unsafe-proc-mount", {FixProcMount, true}},
      // canonical policy ids and other detectors' rule names
      {"no_latest_tag", {FixLatestTag, false}},
      {"no_privileged", {FixPrivileged, true}},
      {"drop_capabilities", {FixDropCapabilities, true}},
      {"drop_cap_sys_admin", {FixDropCapSysAdmin, true}},
      {"cap-sys-admin", {FixDropCapSysAdmin, true}},
      {"no_allow_privilege_escalation", {FixNoPrivilegeEscalation, true}},
      {"no_host_path", {FixHostPath, true}},
      {"hostpath-volume", {FixHostPath, true}},
      {"no_host_ports", {FixHostPorts, true}},
      {"host-ports", {FixHostPorts, true}},
      {"ssh_port", {FixSshPort, true}},
      {"no_host_network", {HostFlag("hostNetwork"), true}},
      {"no_host_pid", {HostFlag("hostPID"), true}},
      {"no_host_ipc", {HostFlag("hostIPC"), true}},
      {"run_as_non_root", {FixRunAsNonRoot, true}},
      {"run_as_user", {FixRunAsUser, true}},
      {"read_only_root_fs", {FixReadOnlyRootFs, true}},
      {"set_requests_limits", {FixRequestsLimits, true}},
      {"liveness_port", {[](const GenCtx& g, OpBuilder& b) { return FixProbePort(g, b, "livenessProbe"); }, true}},
      {"readiness_port", {[](const GenCtx& g, OpBuilder& b) { return FixProbePort(g, b, "readinessProbe"); }, true}},
      {"startup_port", {[](const GenCtx& g, OpBuilder& b) { return FixProbePort(g, b, "startupProbe"); }, true}},
      {"env_var_secret", {FixEnvVarSecret, false}},
      {"duplicate_env_var", {FixDuplicateEnv, true}},
      {"dangling_service", {ReviewDanglingService, false}},
      {"non_existent_service_account", {ReviewServiceAccount, false}},
      {"deprecated_service_account_field", {FixDeprecatedServiceAccount, true}},
      {"pdb_unhealthy_eviction_policy", {FixPdbEviction, true}},
      {"job_ttl_after_finished", {FixJobTtl, true}},
      {"unsafe_sysctls", {FixUnsafeSysctls, true}},
      {"no_anti_affinity", {FixAntiAffinity, true}},
      {"invalid_target_ports", {FixInvalidTargetPorts, true}},
      {"mismatching_selector", {FixMismatchingSelector, true}},
      {"enforce_seccomp", {FixSeccomp, true}},
  };
  return *registry;
}

/// Checks with nothing safe to propose, with the reason.
std::optional<std::string> UnfixableReason(std::string_view check) {
  static const std::unordered_map<std::string_view, std::string_view> reasons = {
      {"no-extensions-v1beta",
       "migrating to a new API group changes apiVersion and usually the schema; kfix never changes apiVersion"},
      {"pdb-max-unavailable", "a non-zero maxUnavailable is an availability decision kfix cannot derive"},
      {"pdb-min-available", "a lower minAvailable is an availability decision kfix cannot derive"},
      {"no-liveness-probe", "a probe's command or endpoint cannot be derived from the manifest"},
      {"no-readiness-probe", "a probe's command or endpoint cannot be derived from the manifest"},
      {"default-service-account", "a dedicated ServiceAccount must be created first"},
      {"use-namespace", "the target namespace is a deployment decision"},
      {"required-label-owner", "the owner cannot be derived from the manifest"},
      {"required-annotation-email", "the owner's e-mail cannot be derived from the manifest"},
      {"privileged-ports", "moving to an unprivileged port changes the Service contract"},
  };
  auto it = reasons.find(check);
  if (it == reasons.end()) return std::nullopt;
  return std::string(it->second);
}

}  // namespace

FixProposal ProposeFix(const Value& object, const Finding& finding, const FixConfig& config,
                       const FixContext* context) {
  return internal::ProposeFixWithView(object, nullptr, finding, config, context);
}

FixProposal internal::ProposeFixWithView(const Value& object, const std::optional<WorkloadView>* known_view,
                                         const Finding& finding, const FixConfig& config, const FixContext* context) {
  FixProposal out;
  const auto& reg = Registry();
  const Entry* entry = nullptr;
  std::string name = finding.check;
  if (auto it = reg.find(finding.check); it != reg.end()) {
    entry = &it->second;
  } else if (auto it2 = reg.find(finding.policy); !finding.policy.empty() && it2 != reg.end()) {
    entry = &it2->second;
    name = finding.policy;
  }
  out.generator = name;
  if (!object.is_object()) {
    out.status = ProposalStatus::kUnfixable;
    out.reason = "the object is not a mapping";
    return out;
  }
  if (!entry) {
    out.status = ProposalStatus::kUnfixable;
    auto r = UnfixableReason(finding.check);
    out.reason = r ? *r : "no automatic fix exists for check \"" + finding.check + "\"";
    return out;
  }
  if (config.disabled_checks.count(finding.check) || (!finding.policy.empty() && config.disabled_checks.count(finding.policy))) {
    out.status = ProposalStatus::kNeedsReview;
    out.reason = "automatic fixes for \"" + finding.check + "\" are disabled by configuration";
    return out;
  }
  std::optional<WorkloadView> own_view;
  if (!known_view) own_view = ViewWorkload(object);
  GenCtx g{object, known_view ? *known_view : own_view, finding, config, context};
  OpBuilder b(object);
  Outcome o = entry->gen(g, b);
  if (b.failed() && o.status == ProposalStatus::kProposed) o = Fail(b);
  out.reason = o.reason;
  switch (o.status) {
    case ProposalStatus::kProposed:
      if (b.patch().empty()) {
        out.status = ProposalStatus::kNothingToDo;
        if (out.reason.empty()) out.reason = "the object already satisfies the check";
        return out;
      }
      if (config.profile == FixProfile::kHarden) Harden(g, b);
      if (b.failed()) {
        out.status = ProposalStatus::kUnfixable;
        out.reason = "cannot build patch: " + b.error();
        return out;
      }
      out.status = ProposalStatus::kProposed;
      out.auto_applicable = true;
      out.roles = b.TakeRoles();
      out.patch = b.TakePatch();
      return out;
    case ProposalStatus::kNeedsReview:
      out.status = ProposalStatus::kNeedsReview;
      out.roles = b.TakeRoles();
      out.patch = b.TakePatch();  // a suggestion, possibly empty
      return out;
    case ProposalStatus::kNothingToDo:
    case ProposalStatus::kUnfixable:
      out.status = o.status;
      return out;
  }
  return out;
}

bool HasAutoFix(std::string_view check_or_policy) noexcept {
  const auto& reg = Registry();
  auto it = reg.find(std::string(check_or_policy));
  return it != reg.end() && it->second.automatic;
}

std::vector<std::string> AutoFixableChecks() {
  std::vector<std::string> out;
  for (const auto& [k, e] : Registry()) {
    if (e.automatic) out.push_back(k);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace kfix
