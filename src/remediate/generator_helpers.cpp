// Helpers shared by the fix-generator files (remediate/generator_helpers.hpp).
#include "remediate/generator_helpers.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace kfix::internal::generators {

std::optional<std::int64_t> AsInt(const Value* v) noexcept {
  if (!v) return std::nullopt;
  if (v->is_int()) return v->as_int();
  if (v->is_double() && std::floor(v->as_double()) == v->as_double()) return static_cast<std::int64_t>(v->as_double());
  return std::nullopt;
}

std::string Quoted(std::string_view msg, std::string_view after) {
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

namespace {

/// How many bytes of `p` the text of `ptr` (ToString) covers when `p` starts
/// with it; npos when it does not. No string is built.
std::size_t PointerTextPrefix(std::string_view p, const JsonPointer& ptr) {
  std::size_t at = 0;
  for (const std::string& token : ptr.tokens()) {
    if (at >= p.size() || p[at] != '/') return std::string_view::npos;
    ++at;
    if (token.find_first_of("~/") == std::string::npos) {  // the usual token: its text is itself
      if (p.compare(at, token.size(), token) != 0) return std::string_view::npos;
      at += token.size();
      continue;
    }
    for (char ch : token) {
      const std::string_view want = ch == '~' ? "~0" : ch == '/' ? "~1" : std::string_view(&ch, 1);
      if (p.compare(at, want.size(), want) != 0) return std::string_view::npos;
      at += want.size();
    }
  }
  return at;
}

}  // namespace

std::vector<const ContainerRef*> TargetContainers(const GenCtx& g) {
  std::vector<const ContainerRef*> out;
  if (!g.view) return out;
  const std::string& p = g.finding.pointer;
  if (!p.empty()) {
    for (const ContainerRef& c : g.view->containers) {
      // The finding's pointer is the container's or leads into it.
      const std::size_t n = PointerTextPrefix(p, c.pointer);
      if (n != std::string_view::npos && (n == p.size() || p[n] == '/')) {
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

Outcome NeedWorkload(const GenCtx& g) {
  if (!g.view) return Outcome::Unfixable("object kind \"" + g.finding.object.kind + "\" has no pod template");
  if (!g.view->pod_spec) return Outcome::Unfixable("object has no pod spec");
  return Outcome::Ok();
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

void GeneratorRegistry::Add(std::initializer_list<std::pair<const char*, Entry>> entries) {
  for (const auto& [name, entry] : entries) {
    if (!generators_.emplace(name, entry).second) {  // a programming error: fail every test at once
      std::fprintf(stderr, "kfix: fix generator \"%s\" is registered twice\n", name);
      std::abort();
    }
  }
}

void GeneratorRegistry::Unfixable(std::initializer_list<std::pair<const char*, const char*>> reasons) {
  for (const auto& [check, reason] : reasons) {
    if (!unfixable_.emplace(check, reason).second) {
      std::fprintf(stderr, "kfix: unfixable reason for \"%s\" is registered twice\n", check);
      std::abort();
    }
  }
}

}  // namespace kfix::internal::generators
