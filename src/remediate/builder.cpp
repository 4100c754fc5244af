// Internal patch builder (see builder.hpp).
#include "remediate/builder.hpp"

#include <algorithm>
#include <cctype>

namespace kfix::internal {

std::optional<std::size_t> ParseIndex(std::string_view token) noexcept {
  if (token.empty() || token.size() > 18) return std::nullopt;
  if (token.size() > 1 && token[0] == '0') return std::nullopt;
  std::size_t v = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  return v;
}

const Value* Walk(const Value& root, const std::vector<std::string>& tokens, std::size_t n) noexcept {
  const Value* cur = &root;
  for (std::size_t i = 0; i < n && cur; ++i) {
    if (cur->is_object()) {
      cur = cur->Find(tokens[i]);
    } else if (cur->is_array()) {
      auto idx = ParseIndex(tokens[i]);
      if (!idx || *idx >= cur->as_array().size()) return nullptr;
      cur = &cur->as_array()[*idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

Value* WalkMutable(Value& root, const std::vector<std::string>& tokens, std::size_t n) noexcept {
  return const_cast<Value*>(Walk(root, tokens, n));
}

std::string Concat(std::initializer_list<std::string_view> parts) {
  std::size_t n = 0;
  for (std::string_view p : parts) n += p.size();
  std::string out;
  out.reserve(n);
  for (std::string_view p : parts) out.append(p.data(), p.size());
  return out;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

void OpBuilder::ApplyToDoc(Value& doc, const PatchOp& o) {
  const auto& t = o.path.tokens();
  if (t.empty()) {
    if (o.op != PatchOpType::kRemove) doc = o.value;
    return;
  }
  Value* parent = WalkMutable(doc, t, t.size() - 1);
  if (parent && parent->is_object()) {
    if (o.op == PatchOpType::kRemove) {
      parent->Erase(t.back());
    } else {
      parent->Set(t.back(), o.value);
    }
  } else if (parent && parent->is_array()) {
    auto& arr = parent->as_array();
    if (t.back() == "-") {
      arr.push_back(o.value);
    } else if (auto idx = ParseIndex(t.back())) {
      if (o.op == PatchOpType::kRemove) {
        if (*idx < arr.size()) arr.erase(arr.begin() + static_cast<std::ptrdiff_t>(*idx));
      } else if (o.op == PatchOpType::kReplace) {
        if (*idx < arr.size()) arr[*idx] = o.value;
      } else if (*idx <= arr.size()) {
        arr.insert(arr.begin() + static_cast<std::ptrdiff_t>(*idx), o.value);
      }
    }
  }
}

void OpBuilder::Materialize() const {
  doc_ = *base_;
  copied_ = true;
  pending_ = false;
  for (const PatchOp& o : patch_) ApplyToDoc(doc_, o);
}

void OpBuilder::Emit(PatchOpType op, const JsonPointer& path, Value v) {
  PatchOp o;
  o.op = op;
  o.path = path;
  o.value = std::move(v);
  if (copied_) {
    ApplyToDoc(doc_, o);  // mirror on the working copy so later ops see it
  } else {
    pending_ = true;  // applied by Materialize() on the next read
  }
  patch_.push_back(std::move(o));
  roles_.push_back(role_);
}

bool OpBuilder::Set(const JsonPointer& ptr, const Value& v) {
  const auto& t = ptr.tokens();
  if (t.empty()) {
    error_ = "cannot replace the whole object";
    return false;
  }
  // Find the deepest existing ancestor.
  std::size_t depth = 0;
  const Value* cur = &doc();
  while (depth < t.size()) {
    const Value* next = nullptr;
    if (cur->is_object()) {
      next = cur->Find(t[depth]);
    } else if (cur->is_array()) {
      auto idx = ParseIndex(t[depth]);
      if (idx && *idx < cur->as_array().size()) next = &cur->as_array()[*idx];
    }
    if (!next) break;
    cur = next;
    ++depth;
  }
  if (depth == t.size()) {
    if (*cur == v) return true;
    Emit(PatchOpType::kReplace, ptr, v);
    return true;
  }
  // cur is the deepest existing node at depth; t[depth] is missing in it.
  if (cur->is_null() && depth > 0) {
    // `securityContext:` with no value: replace the null by the nested mapping.
    Value nested = v;
    for (std::size_t i = t.size(); i-- > depth;) {
      Value obj = Value::MakeObject();
      obj.Set(t[i], std::move(nested));
      nested = std::move(obj);
    }
    std::vector<std::string> prefix(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(depth));
    Emit(PatchOpType::kReplace, JsonPointer(std::move(prefix)), std::move(nested));
    return true;
  }
  if (!cur->is_object()) {
    std::vector<std::string> prefix(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(depth));
    error_ = Concat({"\"", JsonPointer(std::move(prefix)).ToString(), "\" is a ", cur->type_name(), ", not a mapping"});
    return false;
  }
  Value nested = v;
  for (std::size_t i = t.size(); i-- > depth + 1;) {
    Value obj = Value::MakeObject();
    obj.Set(t[i], std::move(nested));
    nested = std::move(obj);
  }
  std::vector<std::string> prefix(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(depth + 1));
  Emit(PatchOpType::kAdd, JsonPointer(std::move(prefix)), std::move(nested));
  return true;
}

bool OpBuilder::SetIfAbsent(const JsonPointer& ptr, const Value& v) {
  const Value* cur = Walk(doc(), ptr.tokens(), ptr.size());
  if (cur && !cur->is_null()) return true;
  return Set(ptr, v);
}

void OpBuilder::Remove(const JsonPointer& ptr) {
  if (Walk(doc(), ptr.tokens(), ptr.size())) Emit(PatchOpType::kRemove, ptr, Value());
}

bool OpBuilder::Append(const JsonPointer& ptr, const Value& v) {
  const Value* cur = Walk(doc(), ptr.tokens(), ptr.size());
  if (cur && cur->is_array()) {
    Emit(PatchOpType::kAdd, ptr.Child("-"), v);
    return true;
  }
  Value arr = Value::MakeArray();
  arr.PushBack(v);
  return Set(ptr, arr);
}

void OpBuilder::RemoveIndices(const JsonPointer& array_ptr, std::vector<std::size_t> indices) {
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  for (auto it = indices.rbegin(); it != indices.rend(); ++it) Remove(array_ptr.Child(*it));
}

}  // namespace kfix::internal
