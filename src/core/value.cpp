// Value: the document model.
#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>

#include "kfix/core.hpp"

namespace kfix {

const char* Value::type_name() const noexcept {
  switch (type()) {
    case Type::kNull: return "null";
    case Type::kBool: return "boolean";
    case Type::kInt: return "integer";
    case Type::kDouble: return "number";
    case Type::kString: return "string";
    case Type::kArray: return "array";
    case Type::kObject: return "object";
  }
  return "unknown";
}

std::size_t Value::size() const noexcept {
  if (is_array()) return as_array().size();
  if (is_object()) return as_object().size();
  return 0;
}

const Member* Value::FindMember(std::string_view key) const noexcept {
  if (!is_object()) return nullptr;
  for (const Member& m : std::get<Object>(data_)) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

Member* Value::FindMember(std::string_view key) noexcept {
  return const_cast<Member*>(static_cast<const Value*>(this)->FindMember(key));
}

const Value* Value::Find(std::string_view key) const noexcept {
  const Member* m = FindMember(key);
  return m ? &m->value : nullptr;
}

Value* Value::Find(std::string_view key) noexcept {
  Member* m = FindMember(key);
  return m ? &m->value : nullptr;
}

const Value* Value::FindPath(std::initializer_list<std::string_view> keys) const noexcept {
  const Value* v = this;
  for (std::string_view k : keys) {
    v = v->Find(k);
    if (!v) return nullptr;
  }
  return v;
}

Value& Value::Set(std::string_view key, Value v) {
  if (Member* m = FindMember(key)) {
    m->value = std::move(v);
    return m->value;
  }
  Object& o = as_object();
  o.push_back(Member{std::string(key), std::move(v), 0, 0});
  return o.back().value;
}

bool Value::Erase(std::string_view key) {
  Object& o = as_object();
  auto it = std::find_if(o.begin(), o.end(), [&](const Member& m) { return m.key == key; });
  if (it == o.end()) return false;
  o.erase(it);
  return true;
}

void Value::PushBack(Value v) { as_array().push_back(std::move(v)); }

bool operator==(const Value& a, const Value& b) noexcept {
  using T = Value::Type;
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) return a.as_int() == b.as_int();
    return a.as_number() == b.as_number();
  }
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case T::kNull: return true;
    case T::kBool: return a.as_bool() == b.as_bool();
    case T::kString: return a.as_string() == b.as_string();
    case T::kArray: {
      const auto& x = a.as_array();
      const auto& y = b.as_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (x[i] != y[i]) return false;
      }
      return true;
    }
    case T::kObject: {
      const auto& x = a.as_object();
      const auto& y = b.as_object();
      if (x.size() != y.size()) return false;
      // Same order (the usual case): one pass. Otherwise the rest is
      // compared through a hash index, so large objects stay linear.
      std::size_t i = 0;
      for (; i < x.size() && x[i].key == y[i].key; ++i) {
        if (x[i].value != y[i].value) return false;
      }
      if (i == x.size()) return true;
      if (x.size() - i <= 16) {
        for (std::size_t k = i; k < x.size(); ++k) {
          const Value* other = b.Find(x[k].key);
          if (!other || *other != x[k].value) return false;
        }
        return true;
      }
      std::unordered_map<std::string_view, const Value*> index;
      index.reserve((y.size() - i) * 2);
      for (std::size_t k = i; k < y.size(); ++k) index.emplace(y[k].key, &y[k].value);
      for (std::size_t k = i; k < x.size(); ++k) {
        auto it = index.find(x[k].key);
        if (it == index.end() || *it->second != x[k].value) return false;
      }
      return true;
    }
    default: return false;
  }
}

ObjectRef Manifest::Ref() const {
  ObjectRef r;
  r.api_version = std::string(root.Find("apiVersion") ? root.Find("apiVersion")->string_or() : "");
  r.kind = std::string(root.Find("kind") ? root.Find("kind")->string_or() : "");
  if (const Value* md = root.Find("metadata")) {
    if (const Value* ns = md->Find("namespace")) r.namespace_ = std::string(ns->string_or());
    if (const Value* n = md->Find("name")) r.name = std::string(n->string_or());
  }
  return r;
}

SourceLocation Manifest::Location() const {
  SourceLocation l;
  l.file = file;
  l.document = document;
  l.item = item;
  l.line = root.line();
  l.column = root.column();
  return l;
}

}  // namespace kfix
