// Declarative kfix rules (`kfixRules:` in the configuration file): a path
// selection plus predicates, compiled once (regexes, operands) at
// RuleSet::Create. See docs/rules.md for the format.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "rules/internal.hpp"

namespace kfix::internal {
namespace {

struct Segment {
  enum Kind { kKey, kAll, kIndex } kind = kKey;
  std::string key;
  std::size_t index = 0;
};

enum class Root { kObject, kContainers, kPodSpec };

struct Path {
  Root root = Root::kObject;
  std::vector<Segment> segments;
};

Status PathError(const std::string& source, const Value* at, const std::string& path, const std::string& why) {
  SourceLocation l;
  l.file = source;
  if (at) {
    l.line = at->line();
    l.column = at->column();
  }
  return ParseError("kfix rule: bad select path \"" + path + "\": " + why, l);
}

Result<Path> ParsePath(const std::string& text, const std::string& source, const Value* at) {
  Path p;
  std::string_view s = text;
  if (s.rfind("$containers", 0) == 0) {
    p.root = Root::kContainers;
    s.remove_prefix(11);
  } else if (s.rfind("$podSpec", 0) == 0) {
    p.root = Root::kPodSpec;
    s.remove_prefix(8);
  } else if (!s.empty() && s[0] == '$') {
    return PathError(source, at, text, "unknown root (want $containers, $podSpec or a field name)");
  }
  if (p.root != Root::kObject) {
    if (!s.empty() && s[0] != '.') return PathError(source, at, text, "expected '.' after the root");
    if (!s.empty()) s.remove_prefix(1);
  }
  std::size_t i = 0;
  bool expect_key = true;
  while (i < s.size()) {
    if (s[i] == '[') {
      std::size_t close = s.find(']', i);
      if (close == std::string_view::npos) return PathError(source, at, text, "unclosed '['");
      std::string_view inner = s.substr(i + 1, close - i - 1);
      Segment seg;
      if (inner == "*") {
        seg.kind = Segment::kAll;
      } else if (!inner.empty() && std::all_of(inner.begin(), inner.end(), ::isdigit)) {
        seg.kind = Segment::kIndex;
        seg.index = static_cast<std::size_t>(std::strtoull(std::string(inner).c_str(), nullptr, 10));
      } else if (inner.size() >= 2 && (inner[0] == '"' || inner[0] == '\'') && inner.back() == inner[0]) {
        seg.kind = Segment::kKey;
        seg.key = std::string(inner.substr(1, inner.size() - 2));
      } else {
        return PathError(source, at, text, "bad bracket segment [" + std::string(inner) + "] (want [*], [N] or [\"key\"])");
      }
      p.segments.push_back(std::move(seg));
      i = close + 1;
      expect_key = false;
      continue;
    }
    if (s[i] == '.') {
      if (expect_key) return PathError(source, at, text, "empty segment");
      ++i;
      expect_key = true;
      continue;
    }
    if (!expect_key) return PathError(source, at, text, "expected '.' or '['");
    std::size_t end = i;
    while (end < s.size() && s[end] != '.' && s[end] != '[') ++end;
    Segment seg;
    seg.key = std::string(s.substr(i, end - i));
    p.segments.push_back(std::move(seg));
    i = end;
    expect_key = false;
  }
  if (expect_key && !s.empty()) return PathError(source, at, text, "trailing '.'");
  if (p.root == Root::kObject && p.segments.empty()) return PathError(source, at, text, "empty path");
  return p;
}

// A selected place: the value (nullptr when missing) and its pointer.
struct Candidate {
  const Value* value;
  std::string pointer;
};

void Expand(const Value* v, const std::vector<Segment>& segs, std::size_t i, std::string ptr,
            std::vector<Candidate>* out) {
  if (i == segs.size()) {
    out->push_back({v, std::move(ptr)});
    return;
  }
  const Segment& s = segs[i];
  if (!v || v->is_null()) {
    // Missing: report where it belongs (keys spelled out; wildcards stop).
    for (std::size_t k = i; k < segs.size(); ++k) {
      if (segs[k].kind == Segment::kAll) break;
      ptr = segs[k].kind == Segment::kKey ? Ptr(ptr, segs[k].key) : Ptr(ptr, segs[k].index);
    }
    out->push_back({nullptr, std::move(ptr)});
    return;
  }
  switch (s.kind) {
    case Segment::kKey:
      if (!v->is_object()) return;
      Expand(v->Find(s.key), segs, i + 1, Ptr(ptr, s.key), out);
      return;
    case Segment::kIndex:
      if (!v->is_array()) return;
      Expand(s.index < v->as_array().size() ? &v->as_array()[s.index] : nullptr, segs, i + 1, Ptr(ptr, s.index), out);
      return;
    case Segment::kAll:
      if (!v->is_array()) return;
      for (std::size_t k = 0; k < v->as_array().size(); ++k) Expand(&v->as_array()[k], segs, i + 1, Ptr(ptr, k), out);
      return;
  }
}

struct Compare {
  enum Op { kGt, kLt, kGe, kLe } op;
  bool quantity = false;  // operand was a string: compare as Kubernetes quantities
  long double operand = 0;
};

class KfixRule final : public CheckImpl {
 public:
  Path path;
  std::string message;
  std::optional<bool> exists;  // true: must exist, false: must be absent
  std::optional<Value> equals;
  std::vector<Value> one_of;
  bool has_one_of = false;
  std::optional<Regex> matches;
  std::optional<Regex> not_matches;
  std::vector<Compare> compares;

  static bool ScalarEq(const Value& a, const Value& b) {
    if (a == b) return true;
    bool sa = !a.is_object() && !a.is_array() && !a.is_null();
    bool sb = !b.is_object() && !b.is_array() && !b.is_null();
    return sa && sb && ScalarText(&a) == ScalarText(&b);
  }

  bool Holds(const Value* v) const {
    bool present = v && !v->is_null();
    if (exists && *exists != present) return false;
    if (equals && (!present || !ScalarEq(*v, *equals))) return false;
    if (has_one_of) {
      if (!present) return false;
      bool any = std::any_of(one_of.begin(), one_of.end(), [&](const Value& o) { return ScalarEq(*v, o); });
      if (!any) return false;
    }
    if (matches && (!present || !matches->Search(ScalarText(v)))) return false;
    if (not_matches && present && not_matches->Search(ScalarText(v))) return false;
    for (const Compare& c : compares) {
      if (!present) return false;
      long double x = 0;
      if (c.quantity) {
        Quantity q = QuantityOf(v);
        if (!q.ok) return false;
        x = q.value;
      } else if (v->is_number()) {
        x = v->as_number();
      } else if (v->is_string()) {
        char* end = nullptr;
        x = std::strtold(v->as_string().c_str(), &end);
        if (v->as_string().empty() || *end != '\0') return false;
      } else {
        return false;
      }
      // Values within a relative 1e-12 compare equal (0.5 == 500m).
      long double eps = 1e-12L * std::max(std::fabs(x), std::fabs(c.operand));
      bool eq = std::fabs(x - c.operand) <= eps;
      bool ok = false;
      switch (c.op) {
        case Compare::kGt: ok = !eq && x > c.operand; break;
        case Compare::kLt: ok = !eq && x < c.operand; break;
        case Compare::kGe: ok = eq || x > c.operand; break;
        case Compare::kLe: ok = eq || x < c.operand; break;
      }
      if (!ok) return false;
    }
    return true;
  }

  std::string Format(const ObjectInfo& o, const Candidate& c, const std::string& container) const {
    std::string out;
    for (std::size_t i = 0; i < message.size(); ++i) {
      if (message[i] == '{') {
        std::size_t close = message.find('}', i);
        if (close != std::string::npos) {
          std::string_view name = std::string_view(message).substr(i + 1, close - i - 1);
          bool known = true;
          if (name == "value") {
            out += c.value ? (c.value->is_object() || c.value->is_array() ? ToJson(*c.value) : ScalarText(c.value))
                           : std::string("<absent>");
          } else if (name == "path") {
            out += c.pointer;
          } else if (name == "container") {
            out += container;
          } else if (name == "name") {
            out += o.name;
          } else if (name == "namespace") {
            out += o.namespace_;
          } else if (name == "kind") {
            out += o.kind;
          } else {
            known = false;
          }
          if (known) {
            i = close;
            continue;
          }
        }
      }
      out.push_back(message[i]);
    }
    return out;
  }

  void Run(const ObjectInfo& o, const LintIndex&, Sink& sink) const override {
    std::vector<Candidate> cands;
    switch (path.root) {
      case Root::kObject:
        Expand(&o.root(), path.segments, 0, "", &cands);
        for (const Candidate& c : cands) {
          if (Holds(c.value)) sink.Add(Format(o, c, ""), c.pointer);
        }
        return;
      case Root::kPodSpec:
        if (!o.workload) return;
        Expand(o.workload->pod_spec, path.segments, 0, o.pod_spec_ptr, &cands);
        for (const Candidate& c : cands) {
          if (Holds(c.value)) sink.Add(Format(o, c, ""), c.pointer);
        }
        return;
      case Root::kContainers:
        if (!o.workload) return;
        for (std::size_t i = 0; i < o.workload->containers.size(); ++i) {
          const ContainerRef& ref = o.workload->containers[i];
          cands.clear();
          Expand(ref.container, path.segments, 0, o.container_ptrs[i], &cands);
          for (const Candidate& c : cands) {
            if (Holds(c.value)) sink.Add(Format(o, c, ref.name), c.pointer, ref.name);
          }
        }
        return;
    }
  }
};

Status RuleError(const std::string& source, const Value* at, const std::string& name, const std::string& why) {
  SourceLocation l;
  l.file = source;
  if (at) {
    l.line = at->line();
    l.column = at->column();
  }
  return ParseError("kfix rule" + (name.empty() ? std::string() : " \"" + name + "\"") + ": " + why, l);
}

}  // namespace

Result<std::unique_ptr<CheckImpl>> CompileKfixRule(const Value& rule, const std::string& source, CheckInfo* info) {
  if (!rule.is_object()) return RuleError(source, &rule, "", "each kfixRules entry must be a mapping");
  std::string name(Str(rule.Find("name")));
  if (name.empty()) return RuleError(source, &rule, "", "missing \"name\"");
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
      return RuleError(source, rule.Find("name"), name, "name must match [a-zA-Z0-9-_]+");
    }
  }
  auto impl = std::make_unique<KfixRule>();
  bool any_predicate = false;
  for (const Member& m : rule.as_object()) {
    const Value* v = &m.value;
    const std::string& k = m.key;
    if (k == "name" || k == "description" || k == "remediation" || k == "message" || k == "policy" || k == "notes") {
      if (!v->is_string()) return RuleError(source, v, name, "\"" + k + "\" must be a string");
    } else if (k == "severity") {
      auto s = ParseSeverity(Str(v));
      if (!s.ok()) return RuleError(source, v, name, s.status().message());
      info->severity = *s;
    } else if (k == "kinds") {
      if (v->is_string()) {
        info->object_kinds = {v->as_string()};
      } else if (v->is_array()) {
        for (const Value& e : v->as_array()) {
          if (!e.is_string()) return RuleError(source, &e, name, "kinds entries must be strings");
          info->object_kinds.push_back(e.as_string());
        }
      } else {
        return RuleError(source, v, name, "\"kinds\" must be a string or a list of strings");
      }
    } else if (k == "enabled") {
      if (!v->is_bool()) return RuleError(source, v, name, "\"enabled\" must be a boolean");
    } else if (k == "select") {
      if (!v->is_string()) return RuleError(source, v, name, "\"select\" must be a string");
      auto p = ParsePath(v->as_string(), source, v);
      if (!p.ok()) return p.status();
      impl->path = std::move(*p);
    } else if (k == "exists" || k == "absent") {
      if (!v->is_bool()) return RuleError(source, v, name, "\"" + k + "\" must be a boolean");
      bool want_present = (k == "exists") == v->as_bool();
      if (impl->exists && *impl->exists != want_present) {
        return RuleError(source, v, name, "\"exists\" and \"absent\" contradict each other");
      }
      impl->exists = want_present;
      any_predicate = true;
    } else if (k == "equals") {
      if (v->is_object() || v->is_array()) return RuleError(source, v, name, "\"equals\" must be a scalar");
      impl->equals = *v;
      any_predicate = true;
    } else if (k == "oneOf") {
      if (!v->is_array() || v->as_array().empty()) return RuleError(source, v, name, "\"oneOf\" must be a non-empty list");
      impl->one_of = v->as_array();
      impl->has_one_of = true;
      any_predicate = true;
    } else if (k == "matches" || k == "notMatches") {
      if (!v->is_string()) return RuleError(source, v, name, "\"" + k + "\" must be a regular expression string");
      auto re = Regex::Compile(v->as_string());
      if (!re.ok()) return RuleError(source, v, name, re.status().message());
      (k == "matches" ? impl->matches : impl->not_matches) = std::move(*re);
      any_predicate = true;
    } else if (k == "gt" || k == "lt" || k == "ge" || k == "le") {
      Compare c;
      c.op = k == "gt" ? Compare::kGt : k == "lt" ? Compare::kLt : k == "ge" ? Compare::kGe : Compare::kLe;
      if (v->is_number()) {
        c.operand = v->as_number();
      } else if (v->is_string()) {
        Quantity q = ParseQuantity(v->as_string());
        if (!q.ok) return RuleError(source, v, name, "\"" + k + "\": \"" + v->as_string() + "\" is not a number or quantity");
        c.quantity = true;
        c.operand = q.value;
      } else {
        return RuleError(source, v, name, "\"" + k + "\" must be a number or a quantity string such as 500m or 1Gi");
      }
      impl->compares.push_back(c);
      any_predicate = true;
    } else {
      return RuleError(source, nullptr, name, "unknown field \"" + k + "\"")
          .WithDefaultLocation(SourceLocation{source, m.key_line, m.key_column, -1, -1, ""});
    }
  }
  if (!rule.Find("select")) return RuleError(source, &rule, name, "missing \"select\"");
  if (!any_predicate) {
    return RuleError(source, &rule, name,
                     "no predicate (want one of exists, absent, equals, oneOf, matches, notMatches, gt, lt, ge, le)");
  }
  info->name = name;
  info->policy = std::string(Str(rule.Find("policy")));
  info->description = std::string(Str(rule.Find("description")));
  info->remediation = std::string(Str(rule.Find("remediation")));
  info->template_name = "kfix-rule";
  info->custom = true;
  info->enabled_by_default = !IsFalse(rule.Find("enabled"));
  info->notes = std::string(Str(rule.Find("notes")));
  if (info->object_kinds.empty()) {
    info->object_kinds = impl->path.root == Root::kObject ? std::vector<std::string>{"Any"}
                                                          : std::vector<std::string>{"DeploymentLike"};
  }
  info->params = rule;
  impl->message = rule.Find("message") ? std::string(Str(rule.Find("message")))
                                       : name + ": {path} matched (value {value})";
  return std::unique_ptr<CheckImpl>(std::move(impl));
}

}  // namespace kfix::internal
