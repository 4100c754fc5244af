// The built-in Kubernetes schema table and its validator. The table itself is generated
// (k8s_schema_data.inc, by tools/gen_k8s_schema.mjs from npm kubernetes-models); this file reads it.
#include "rules/k8s_schema_internal.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <tuple>

namespace kfix::internal::k8s {

namespace {
enum class T : std::uint8_t {
  kString, kInteger, kNumber, kBoolean, kIntOrString, kQuantity, kAny, kObject, kArray, kMap, kEnum
};
struct TypeDef {
  T kind;
  std::uint16_t arg;  ///< kObject: struct index; kArray / kMap: element type index; kEnum: kEnums index
};
struct EnumDef {
  std::uint16_t first;  ///< into kEnumValues (sorted)
  std::uint16_t count;
};
struct FieldDef {
  std::string_view name;
  std::uint16_t type;
  std::uint8_t required;
};
}  // namespace

struct StructDef {
  std::string_view name;
  std::uint16_t first;  ///< into kFields; the struct's fields are sorted by name
  std::uint16_t count;
};

namespace {
struct KindDef {
  std::string_view kind;
  std::string_view api_version;
  std::uint16_t def;
};

#include "rules/k8s_schema_data.inc"

const FieldDef* FindField(const StructDef& s, std::string_view name) noexcept {
  const FieldDef* b = kFields + s.first;
  const FieldDef* e = b + s.count;
  const FieldDef* it = std::lower_bound(b, e, name, [](const FieldDef& f, std::string_view n) { return f.name < n; });
  return it != e && it->name == name ? it : nullptr;
}

/// v1 > v1beta2 > v1beta1 > v1alpha1; v2 > v1.
std::tuple<int, int, int> VersionRank(std::string_view api_version) {
  std::string_view v = api_version.substr(api_version.rfind('/') == std::string_view::npos ? 0 : api_version.rfind('/') + 1);
  int major = 0, stage = 2, minor = 0;
  std::size_t i = v.empty() || v[0] != 'v' ? v.size() : 1;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') major = major * 10 + (v[i++] - '0');
  if (v.substr(i, 5) == "alpha") stage = 0, i += 5;
  else if (v.substr(i, 4) == "beta") stage = 1, i += 4;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') minor = minor * 10 + (v[i++] - '0');
  return {stage == 2 ? 1 : 0, major, stage * 1000 + minor};
}

const std::map<std::string_view, const StructDef*>& BestByKind() {
  static const auto* m = [] {
    auto* out = new std::map<std::string_view, const StructDef*>();
    std::map<std::string_view, std::tuple<int, int, int>> rank;
    for (const KindDef& k : kKinds) {
      auto r = VersionRank(k.api_version);
      auto it = rank.find(k.kind);
      if (it == rank.end() || r > it->second) {
        rank[k.kind] = r;
        (*out)[k.kind] = &kStructs[k.def];
      }
    }
    return out;
  }();
  return *m;
}

const char* Want(T t) {
  switch (t) {
    case T::kString:
    case T::kEnum: return "null or string";
    case T::kInteger: return "integer or null";
    case T::kNumber: return "null or number";
    case T::kBoolean: return "boolean or null";
    case T::kIntOrString: return "integer or string";
    case T::kQuantity: return "number or string";
    case T::kObject:
    case T::kMap: return "null or object";
    case T::kArray: return "array or null";
    case T::kAny: return "anything";
  }
  return "";
}

bool IsIntegral(const Value& v) {
  if (v.is_int()) return true;
  if (!v.is_double()) return false;
  double d = v.as_double();
  return d == d && d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<std::int64_t>(d));
}

/// Whether a non-null value has the scalar/container shape of `t` (not its contents).
bool ShapeOk(const Value& v, T t) {
  switch (t) {
    case T::kString:
    case T::kEnum: return v.is_string();
    case T::kInteger: return IsIntegral(v);
    case T::kNumber: return v.is_number();
    case T::kBoolean: return v.is_bool();
    case T::kIntOrString: return v.is_string() || IsIntegral(v);
    case T::kQuantity: return v.is_string() || v.is_number();
    case T::kObject:
    case T::kMap: return v.is_object();
    case T::kArray: return v.is_array();
    case T::kAny: return true;
  }
  return true;
}

void AppendToken(std::string& ptr, std::string_view tok) {
  ptr.push_back('/');
  for (char c : tok) {
    if (c == '~') ptr.append("~0");
    else if (c == '/') ptr.append("~1");
    else ptr.push_back(c);
  }
}

std::string QuoteList(const std::vector<std::string_view>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) s += ", ";
    s.append("'").append(names[i]).append("'");
  }
  return s;
}

struct Walker {
  bool strict;
  bool enums;  ///< check closed sets of strings (the guard); kubeconform's schemas have no enums
  std::size_t max;
  std::vector<SchemaError>& out;
  std::string ptr;

  bool Full() const { return out.size() >= max; }
  void Error(std::string message, std::string_view focus_key = {}) {
    if (Full()) return;
    std::string focus = ptr;
    if (!focus_key.empty()) AppendToken(focus, focus_key);
    out.push_back({ptr, std::move(message), std::move(focus)});
  }

  void Check(const Value& v, std::uint16_t type) {
    if (v.is_null() || Full()) return;
    const TypeDef& t = kTypes[type];
    if (!ShapeOk(v, t.kind)) {
      Error(std::string("got ") + v.type_name() + ", want " + Want(t.kind));
      return;
    }
    switch (t.kind) {
      case T::kObject: Struct(v, kStructs[t.arg]); break;
      case T::kArray: {
        const auto& arr = v.as_array();
        for (std::size_t i = 0; i < arr.size() && !Full(); ++i) {
          std::size_t mark = ptr.size();
          ptr.append("/").append(std::to_string(i));
          Check(arr[i], t.arg);
          ptr.resize(mark);
        }
        break;
      }
      case T::kMap:
        for (const Member& m : v.as_object()) {
          std::size_t mark = ptr.size();
          AppendToken(ptr, m.key);
          Check(m.value, t.arg);
          ptr.resize(mark);
        }
        break;
      case T::kEnum: {
        const EnumDef& e = kEnums[t.arg];
        const std::string_view* b = kEnumValues + e.first;
        const std::string_view* end = b + e.count;
        // "" means "unset" for several enum fields (Toleration.effect, ...): accepted.
        if (enums && !v.as_string().empty() && !std::binary_search(b, end, std::string_view(v.as_string()))) {
          Error("value must be one of " + QuoteList(std::vector<std::string_view>(b, end)));
        }
        break;
      }
      default: break;
    }
  }

  void Struct(const Value& v, const StructDef& s) {
    std::vector<std::string_view> missing;
    for (std::uint16_t i = 0; i < s.count; ++i) {
      const FieldDef& f = kFields[s.first + i];
      if (f.required && !v.Find(f.name)) missing.push_back(f.name);
    }
    if (!missing.empty()) {
      Error((missing.size() == 1 ? "missing property " : "missing properties ") + QuoteList(missing));
    }
    std::vector<std::string_view> unknown;
    for (const Member& m : v.as_object()) {
      const FieldDef* f = FindField(s, m.key);
      if (!f) {
        if (strict) unknown.push_back(m.key);
        continue;
      }
      std::size_t mark = ptr.size();
      AppendToken(ptr, m.key);
      Check(m.value, f->type);
      ptr.resize(mark);
    }
    if (!unknown.empty()) {
      Error("additional properties " + QuoteList(unknown) + " not allowed", unknown.front());
    }
  }
};

std::string Describe(std::uint16_t type) {
  const TypeDef& t = kTypes[type];
  switch (t.kind) {
    case T::kString: return "string";
    case T::kInteger: return "integer";
    case T::kNumber: return "number";
    case T::kBoolean: return "boolean";
    case T::kIntOrString: return "int-or-string";
    case T::kQuantity: return "quantity";
    case T::kAny: return "any";
    case T::kObject: return "object " + std::string(kStructs[t.arg].name);
    case T::kArray: return "array of " + Describe(t.arg);
    case T::kMap: return "map of " + Describe(t.arg);
    case T::kEnum: {
      std::string out = "enum";
      for (std::uint16_t i = 0; i < kEnums[t.arg].count; ++i) {
        out.append(i ? "|" : " ").append(kEnumValues[kEnums[t.arg].first + i]);
      }
      return out;
    }
  }
  return "";
}

bool IsIndexToken(std::string_view tok) {
  if (tok.empty() || tok.size() > 9 || (tok.size() > 1 && tok[0] == '0')) return false;
  return std::all_of(tok.begin(), tok.end(), [](char c) { return c >= '0' && c <= '9'; });
}

const StructDef* ForObject(const Value& object) noexcept {
  const Value* kind = object.Find("kind");
  if (!kind || !kind->is_string()) return nullptr;
  const Value* av = object.Find("apiVersion");
  if (av && av->is_string()) {
    if (const StructDef* d = FindKind(av->as_string(), kind->as_string())) return d;
  }
  return FindKindAnyVersion(kind->as_string());
}
}  // namespace

const StructDef* FindKind(std::string_view api_version, std::string_view kind) noexcept {
  const KindDef* b = std::begin(kKinds);
  const KindDef* e = std::end(kKinds);
  const KindDef* it = std::lower_bound(b, e, std::make_pair(kind, api_version), [](const KindDef& k, const auto& key) {
    return std::tie(k.kind, k.api_version) < std::tie(key.first, key.second);
  });
  return it != e && it->kind == kind && it->api_version == api_version ? &kStructs[it->def] : nullptr;
}

const StructDef* FindKindAnyVersion(std::string_view kind) noexcept {
  const auto& m = BestByKind();
  auto it = m.find(kind);
  return it == m.end() ? nullptr : it->second;
}

std::string_view StructName(const StructDef& def) noexcept { return def.name; }

std::string Source() { return std::string(kSourcePackage) + " (Kubernetes " + std::string(kKubernetesVersion) + ")"; }

std::size_t KindCount() noexcept { return std::size(kKinds); }

std::vector<SchemaError> Validate(const Value& value, const StructDef& def, bool strict, std::size_t max_errors) {
  std::vector<SchemaError> out;
  Walker w{strict, /*enums=*/false, max_errors, out, {}};
  if (!value.is_object()) {
    w.Error(std::string("got ") + value.type_name() + ", want object");
    return out;
  }
  w.Struct(value, def);
  return out;
}

std::optional<FieldFacts> Lookup(const StructDef& def, const std::vector<std::string>& path) {
  const StructDef* s = &def;
  std::optional<std::uint16_t> type;
  FieldFacts facts;
  for (const std::string& tok : path) {
    if (type) {
      const TypeDef& t = kTypes[*type];
      if (t.kind == T::kArray || t.kind == T::kMap) {
        type = t.arg;
        facts.required = false;
        continue;
      }
      if (t.kind != T::kObject) return std::nullopt;
      s = &kStructs[t.arg];
    }
    const FieldDef* f = FindField(*s, tok);
    if (!f) return std::nullopt;
    type = f->type;
    facts.required = f->required != 0;
  }
  if (!type) return std::nullopt;
  facts.type = Describe(*type);
  return facts;
}

bool KnowsKind(const Value& object) noexcept { return ForObject(object) != nullptr; }

std::string CheckPatchOp(const Value& object, const PatchOp& op) {
  const StructDef* root = ForObject(object);
  if (!root) return {};
  const StructDef* s = root;
  std::optional<std::uint16_t> type;  // unset: at `s`
  std::string at;
  const auto& tokens = op.path.tokens();
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& tok = tokens[i];
    AppendToken(at, tok);
    if (type) {
      const TypeDef& t = kTypes[*type];
      if (t.kind == T::kAny) return {};
      if (t.kind == T::kArray) {
        if (tok != "-" && !IsIndexToken(tok)) return at + ": \"" + tok + "\" is not an array index";
        type = t.arg;
        continue;
      }
      if (t.kind == T::kMap) {
        type = t.arg;
        continue;
      }
      if (t.kind != T::kObject) return at + ": cannot descend into a scalar field";
      s = &kStructs[t.arg];
    }
    const FieldDef* f = FindField(*s, tok);
    if (!f) {
      // Removing a field the API does not define (the last token of a remove) only makes the object more valid.
      if (op.op == PatchOpType::kRemove && i + 1 == tokens.size()) return {};
      return at + ": unknown field \"" + tok + "\" in " + std::string(s->name);
    }
    type = f->type;
  }
  if (op.op != PatchOpType::kAdd && op.op != PatchOpType::kReplace) return {};
  std::vector<SchemaError> errors;
  Walker w{true, /*enums=*/true, 1, errors, at};
  if (type) w.Check(op.value, *type);
  else if (!op.value.is_object()) w.Error(std::string("got ") + op.value.type_name() + ", want object");
  else w.Struct(op.value, *s);
  if (errors.empty()) return {};
  return (errors[0].pointer.empty() ? std::string("/") : errors[0].pointer) + ": " + errors[0].message;
}

}  // namespace kfix::internal::k8s
