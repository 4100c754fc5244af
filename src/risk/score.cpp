// Risk scoring: base weight + image CVE terms + optional ATT&CK term.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "kfix/risk.hpp"
#include "risk/util.hpp"

namespace kfix {
namespace {

double Round2(double x) { return std::round(x * 100.0) / 100.0; }

std::string FormatNumber(double x) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.4g", x);
  return buf;
}

// Techniques per check name (kube-linter names) and per canonical policy id.
const std::map<std::string, std::vector<std::string>, std::less<>>& AttackTable() {
  static const auto* table = new std::map<std::string, std::vector<std::string>, std::less<>>{
      // Escape to host (T1611).
      {"privileged-container", {"T1611"}},
      {"no_privileged", {"T1611"}},
      {"host-pid", {"T1611", "T1613"}},
      {"no_host_pid", {"T1611", "T1613"}},
      {"host-ipc", {"T1611"}},
      {"no_host_ipc", {"T1611"}},
      {"host-network", {"T1611"}},
      {"no_host_network", {"T1611"}},
      {"sensitive-host-mounts", {"T1611"}},
      {"no_host_path", {"T1611"}},
      {"docker-sock", {"T1611", "T1610"}},
      {"privilege-escalation-container", {"T1611"}},
      {"drop_capabilities", {"T1611"}},
      {"drop_cap_sys_admin", {"T1611"}},
      {"no_allow_privilege_escalation", {"T1611"}},
      {"run-as-non-root", {"T1611"}},
      {"run_as_non_root", {"T1611"}},
      {"run_as_user", {"T1611"}},
      {"unsafe-sysctls", {"T1611"}},
      {"unsafe_sysctls", {"T1611"}},
      // Unsecured credentials (T1552).
      {"env-var-secret", {"T1552"}},
      {"env_var_secret", {"T1552"}},
      {"read-secret-from-env-var", {"T1552"}},
      {"access-to-secrets", {"T1552"}},
      // Valid accounts (T1078), container discovery (T1613), deploy container (T1610).
      {"default-service-account", {"T1078"}},
      {"cluster-admin-role-binding", {"T1078", "T1613"}},
      {"wildcard-in-rules", {"T1078", "T1613"}},
      {"access-to-create-pods", {"T1610"}},
      // Implant internal image (T1525): mutable tags can be swapped underneath.
      {"latest-tag", {"T1525"}},
      {"no_latest_tag", {"T1525"}},
      // External remote services (T1133).
      {"ssh-port", {"T1133"}},
      {"ssh_port", {"T1133"}},
      // Endpoint denial of service (T1499): no resource limits.
      {"unset-cpu-requirements", {"T1499"}},
      {"unset-memory-requirements", {"T1499"}},
      {"set_requests_limits", {"T1499"}},
  };
  return *table;
}

double SeverityWeight(const RiskConfig& c, std::string_view sev) {
  if (sev == "CRITICAL") return c.critical_weight;
  if (sev == "HIGH") return c.high_weight;
  if (sev == "MEDIUM") return c.medium_weight;
  return c.low_weight;
}

int SeverityRank(std::string_view sev) {
  if (sev == "CRITICAL") return 4;
  if (sev == "HIGH") return 3;
  if (sev == "MEDIUM") return 2;
  if (sev == "LOW") return 1;
  return 0;
}

// "nginx" -> "nginx:latest", "docker.io/library/nginx:1" -> "nginx:1".
std::string NormaliseImage(std::string_view image) {
  std::string s(internal::TrimAscii(image));
  for (std::string_view prefix : {"docker.io/", "index.docker.io/", "registry-1.docker.io/"}) {
    if (s.rfind(prefix, 0) == 0) {
      s.erase(0, prefix.size());
      if (s.rfind("library/", 0) == 0) s.erase(0, 8);
      break;
    }
  }
  std::size_t slash = s.rfind('/');
  std::string_view last = std::string_view(s).substr(slash == std::string::npos ? 0 : slash + 1);
  if (last.find(':') == std::string_view::npos && s.find('@') == std::string::npos && !s.empty()) s += ":latest";
  return s;
}

}  // namespace

const std::map<std::string, double>& DefaultPolicyWeights() {
  // The reference's scheduler fallback table (remediation.md §8.1, right
  // column): the only one that ranks env_var_secret (a leaked credential) above
  // a mutable tag. docs/risk.md explains the choice.
  static const auto* table = new std::map<std::string, double>{
      {"no_privileged", 85},   {"drop_capabilities", 85}, {"drop_cap_sys_admin", 85}, {"no_host_path", 80},
      {"env_var_secret", 78},  {"enforce_seccomp", 75},   {"run_as_user", 72},        {"run_as_non_root", 70},
      {"no_host_ports", 65},   {"no_latest_tag", 50},     {"readiness_port", 50},     {"liveness_port", 45},
      {"startup_port", 35},
  };
  return *table;
}

const std::map<std::string, double>& DefaultAttackWeights() {
  static const auto* table = new std::map<std::string, double>{
      {"T1611", 15}, {"T1552", 12}, {"T1078", 10}, {"T1610", 8},
      {"T1133", 6},  {"T1525", 5},  {"T1613", 4},  {"T1499", 4},
  };
  return *table;
}

std::vector<std::string> AttackTechniquesFor(std::string_view check, std::string_view policy) {
  const auto& table = AttackTable();
  if (auto it = table.find(check); it != table.end()) return it->second;
  if (auto it = table.find(policy); it != table.end()) return it->second;
  return {};
}

double RiskScorer::BaseWeight(std::string_view check, std::string_view policy) const {
  if (auto it = config_.check_weights.find(std::string(check)); it != config_.check_weights.end()) return it->second;
  if (!policy.empty()) {
    if (auto it = config_.policy_weights.find(std::string(policy)); it != config_.policy_weights.end()) {
      return it->second;
    }
  }
  return config_.default_weight;
}

RiskResult RiskScorer::Score(const Finding& finding, const std::vector<std::string>& images) const {
  RiskResult r;
  r.images = images;

  // base
  double base = BaseWeight(finding.check, finding.policy);
  std::string base_detail;
  if (config_.check_weights.count(finding.check) != 0) {
    base_detail = "check " + finding.check;
  } else if (!finding.policy.empty() && config_.policy_weights.count(finding.policy) != 0) {
    base_detail = "policy " + finding.policy;
  } else {
    base_detail = "default weight";
  }

  // image vulnerabilities: each vulnerability id counted once, at its highest severity.
  std::map<std::string, std::string> sev_by_id;
  if (feeds_.images != nullptr) {
    for (const std::string& image : images) {
      std::string norm = NormaliseImage(image);
      for (const auto& [artifact, vulns] : feeds_.images->by_image) {
        if (artifact != image && NormaliseImage(artifact) != norm) continue;
        for (const ImageVulnerability& v : vulns) {
          auto [it, inserted] = sev_by_id.emplace(v.id, v.severity);
          if (!inserted && SeverityRank(v.severity) > SeverityRank(it->second)) it->second = v.severity;
        }
      }
    }
  }
  double vuln = 0.0;
  int counts[5] = {0, 0, 0, 0, 0};
  for (const auto& [id, sev] : sev_by_id) {
    vuln += SeverityWeight(config_, sev);
    ++counts[SeverityRank(sev)];
    if (id.rfind("CVE-", 0) == 0) r.cves.push_back(id);
  }
  if (config_.vuln_cap >= 0) vuln = std::min(vuln, config_.vuln_cap);
  std::string vuln_detail = feeds_.images == nullptr
                                ? "no image vulnerability data"
                                : std::to_string(counts[4]) + " critical, " + std::to_string(counts[3]) + " high, " +
                                      std::to_string(counts[2]) + " medium, " +
                                      std::to_string(counts[1] + counts[0]) + " low/unknown";

  // EPSS and KEV: properties of the image CVEs.
  std::string epss_cve, kev_cve;
  bool ransomware = false;
  for (const std::string& cve : r.cves) {
    if (feeds_.epss != nullptr) {
      if (const EpssScore* s = feeds_.epss->Find(cve); s != nullptr && (epss_cve.empty() || s->epss > r.max_epss)) {
        r.max_epss = s->epss;
        epss_cve = cve;
      }
    }
    if (feeds_.kev != nullptr) {
      if (const KevEntry* k = feeds_.kev->Find(cve); k != nullptr) {
        if (kev_cve.empty()) kev_cve = cve;
        r.kev = true;
        ransomware = ransomware || k->known_ransomware_use;
      }
    }
  }
  double epss = config_.epss_weight * r.max_epss;
  double kev = r.kev ? config_.kev_weight + (ransomware ? config_.ransomware_weight : 0.0) : 0.0;

  // ATT&CK
  r.attack_techniques = AttackTechniquesFor(finding.check, finding.policy);
  double attack = 0.0;
  std::string attack_technique;
  if (config_.attack_enabled) {
    for (const std::string& t : r.attack_techniques) {
      auto it = config_.attack_weights.find(t);
      if (it != config_.attack_weights.end() && it->second > attack) {
        attack = it->second;
        attack_technique = t;
      }
    }
  }

  r.terms.push_back({"base", base, base_detail});
  r.terms.push_back({"vuln", vuln, vuln_detail});
  r.terms.push_back({"epss", epss,
                     epss_cve.empty() ? (feeds_.epss == nullptr ? "no EPSS data" : "no scored image CVE")
                                      : "max EPSS " + FormatNumber(r.max_epss) + " (" + epss_cve + ")"});
  r.terms.push_back({"kev", kev,
                     kev_cve.empty() ? (feeds_.kev == nullptr ? "no KEV data" : "no image CVE in KEV")
                                     : kev_cve + (ransomware ? " in KEV (known ransomware use)" : " in KEV")});
  r.terms.push_back({"attack", attack,
                     !config_.attack_enabled ? "disabled"
                     : attack_technique.empty() ? "no mapped technique"
                                                : "ATT&CK " + attack_technique});
  double total = 0.0;
  for (const RiskTerm& t : r.terms) total += t.value;
  r.risk = Round2(std::clamp(total, 0.0, 100.0));
  return r;
}

std::vector<std::string> WorkloadImages(const Value& object, std::string_view container) {
  std::vector<std::string> all, named;
  const Value* kind = object.Find("kind");
  if (kind == nullptr || !kind->is_string()) return all;
  const std::string& k = kind->as_string();
  const Value* spec = nullptr;
  if (k == "Pod") {
    spec = object.Find("spec");
  } else if (k == "CronJob") {
    spec = object.FindPath({"spec", "jobTemplate", "spec", "template", "spec"});
  } else if (k == "Deployment" || k == "StatefulSet" || k == "DaemonSet" || k == "ReplicaSet" ||
             k == "ReplicationController" || k == "Job" || k == "DeploymentConfig") {
    spec = object.FindPath({"spec", "template", "spec"});
  }
  if (spec == nullptr || !spec->is_object()) return all;
  for (const char* group : {"initContainers", "containers", "ephemeralContainers"}) {
    const Value* list = spec->Find(group);
    if (list == nullptr || !list->is_array()) continue;
    for (const Value& c : list->as_array()) {
      if (!c.is_object()) continue;
      const Value* image = c.Find("image");
      if (image == nullptr || !image->is_string() || image->as_string().empty()) continue;
      const std::string& img = image->as_string();
      if (std::find(all.begin(), all.end(), img) == all.end()) all.push_back(img);
      const Value* name = c.Find("name");
      if (!container.empty() && name != nullptr && name->string_or() == container &&
          std::find(named.begin(), named.end(), img) == named.end()) {
        named.push_back(img);
      }
    }
  }
  return named.empty() ? all : named;
}

Value RiskResultToValue(const RiskResult& r) {
  Value v = Value::MakeObject();
  v.Set("risk", r.risk);
  v.Set("kev", r.kev);
  v.Set("maxEpss", r.max_epss);
  auto strings = [](const std::vector<std::string>& xs) {
    Value a = Value::MakeArray();
    for (const std::string& s : xs) a.PushBack(s);
    return a;
  };
  v.Set("images", strings(r.images));
  v.Set("cves", strings(r.cves));
  v.Set("attackTechniques", strings(r.attack_techniques));
  Value terms = Value::MakeArray();
  for (const RiskTerm& t : r.terms) {
    Value o = Value::MakeObject();
    o.Set("name", t.name);
    o.Set("value", Round2(t.value));
    o.Set("detail", t.detail);
    terms.PushBack(std::move(o));
  }
  v.Set("terms", std::move(terms));
  return v;
}

}  // namespace kfix
