// Secret redaction before anything leaves the process (kfix/propose.hpp).
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <string>

#include "kfix/propose.hpp"

namespace kfix {

namespace {

char Upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsTokenChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '+'; }
bool IsJwtChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_' || c == '-'; }

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

/// Shannon entropy of the bytes of `s`, in bits per character.
double Entropy(std::string_view s) {
  std::array<int, 256> counts{};
  for (char c : s) ++counts[static_cast<unsigned char>(c)];
  double h = 0.0;
  for (int n : counts) {
    if (n == 0) continue;
    const double p = static_cast<double>(n) / static_cast<double>(s.size());
    h -= p * std::log2(p);
  }
  return h;
}

/// Whether a maximal run of token characters is a credential.
bool IsTokenRun(std::string_view run) {
  static constexpr std::string_view kPrefixes[] = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-",
                                                   "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "sk-", "sk_live_",
                                                   "rk_live_", "pk_live_", "AIza", "hf_", "npm_"};
  for (std::string_view p : kPrefixes) {
    if (StartsWith(run, p) && run.size() >= p.size() + 16) return true;
  }
  if ((StartsWith(run, "AKIA") || StartsWith(run, "ASIA")) && run.size() >= 20) {
    bool upper_digits = std::all_of(run.begin() + 4, run.begin() + 20, [](char c) {
      return IsDigit(c) || (c >= 'A' && c <= 'Z');
    });
    if (upper_digits) return true;
  }
  if (run.size() < 32) return false;
  std::size_t digits = 0, letters = 0;
  for (char c : run) {
    digits += IsDigit(c) ? 1 : 0;
    letters += IsAlpha(c) ? 1 : 0;
  }
  if (digits == 0 || letters == 0) return false;
  if (std::all_of(run.begin(), run.end(), IsHex)) return digits >= 4 && letters >= 4;
  return Entropy(run) >= 4.2;
}

void AddSpan(std::vector<std::pair<std::size_t, std::size_t>>& out, std::size_t a, std::size_t n) {
  if (!out.empty() && a < out.back().first + out.back().second) return;  // inside the previous span
  out.emplace_back(a, n);
}

/// Base64 (standard or URL alphabet, padding optional) to bytes; false when
/// `s` is not base64.
bool DecodeBase64(std::string_view s, std::string& out) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  while (!s.empty() && (s.back() == '=' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  if (s.empty() || s.size() % 4 == 1) return false;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '\n' || c == '\r') continue;
    int v = val(c);
    if (v < 0) return false;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return true;
}

// Calls f on every string of `v` (a `Value` or a `const Value`: f may then
// change the strings in place).
template <typename V, typename F>
void ForEachString(V& v, F&& f) {
  switch (v.type()) {
    case Value::Type::kString: f(v.as_string()); break;
    case Value::Type::kArray:
      for (auto& e : v.as_array()) ForEachString(e, f);
      break;
    case Value::Type::kObject:
      for (auto& m : v.as_object()) ForEachString(m.value, f);
      break;
    default: break;
  }
}

}  // namespace

bool LooksLikeSecretName(std::string_view name) noexcept {
  std::string up;
  up.reserve(name.size());
  for (char c : name) up.push_back(c == '-' || c == '.' ? '_' : Upper(c));
  static constexpr std::string_view kWords[] = {"SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "PWD", "TOKEN",
                                                "APIKEY", "API_KEY", "ACCESS_KEY", "ACCESSKEY", "PRIVATE_KEY",
                                                "PRIVATEKEY", "CREDENTIAL", "AUTH", "SIGNING_KEY", "ENCRYPTION_KEY",
                                                "MASTER_KEY", "CLIENT_KEY", "SESSION_KEY", "CONNECTION_STRING",
                                                "CONN_STR", "DSN", "COOKIE", "SALT", "PASS"};
  for (std::string_view w : kWords) {
    if (up.find(w) != std::string::npos) return true;
  }
  return up == "KEY" || (up.size() > 4 && up.compare(up.size() - 4, 4, "_KEY") == 0);
}

std::vector<std::pair<std::size_t, std::size_t>> FindTokenLikeSpans(std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  // PEM private keys: the whole block.
  for (std::size_t at = text.find("-----BEGIN "); at != std::string_view::npos;
       at = text.find("-----BEGIN ", at + 1)) {
    std::size_t head_end = text.find("-----", at + 11);
    if (head_end == std::string_view::npos) break;
    std::string_view label = text.substr(at + 11, head_end - at - 11);
    if (label.find("PRIVATE KEY") == std::string_view::npos) continue;
    std::size_t end = text.find("-----END ", head_end + 5);
    std::size_t stop = end == std::string_view::npos ? text.size() : text.find("-----", end + 9);
    stop = stop == std::string_view::npos ? text.size() : stop + 5;
    AddSpan(out, at, stop - at);
    at = stop - 1;
  }
  std::size_t i = 0;
  while (i < text.size()) {
    if (!IsTokenChar(text[i])) {
      ++i;
      continue;
    }
    // Inside a PEM block already taken.
    if (!out.empty() && i >= out.back().first && i < out.back().first + out.back().second) {
      i = out.back().first + out.back().second;
      continue;
    }
    // JWT: three dot-separated base64url parts, the first starting with eyJ.
    if (StartsWith(text.substr(i), "eyJ")) {
      std::size_t j = i, parts = 1, part_len = 0;
      bool ok = true;
      while (j < text.size() && (IsJwtChar(text[j]) || text[j] == '.')) {
        if (text[j] == '.') {
          if (part_len < 10 && parts < 3) ok = false;
          ++parts;
          part_len = 0;
        } else {
          ++part_len;
        }
        ++j;
      }
      if (ok && parts >= 3) {
        AddSpan(out, i, j - i);
        i = j;
        continue;
      }
    }
    // A run starts at its first letter or digit ("--token=" is not part of
    // a token; "=" ends a run except as base64 padding at its end).
    if (!IsAlpha(text[i]) && !IsDigit(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && IsTokenChar(text[j])) ++j;
    while (j < text.size() && j - i >= 16 && text[j] == '=' && (j + 1 == text.size() || !IsTokenChar(text[j + 1]))) ++j;
    std::string_view run = text.substr(i, j - i);
    const bool digest = i >= 7 && (text.substr(i - 7, 7) == "sha256:" || text.substr(i - 7, 7) == "sha512:");
    if (!digest && IsTokenRun(run)) AddSpan(out, i, run.size());
    i = j;
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Redactor::Placeholder(std::string_view value) {
  for (const Entry& e : entries_) {
    if (e.value == value) return e.placeholder;
  }
  Entry e;
  e.placeholder = "<redacted:" + std::to_string(entries_.size() + 1) + ">";
  e.value = std::string(value);
  entries_.push_back(e);
  return e.placeholder;
}

Redactor Redactor::ForObject(const Value& object) {
  Redactor r;
  auto add = [&r](std::string_view v) {
    if (!v.empty()) r.Placeholder(v);
  };
  // Secret-looking env values, wherever an `env` list is.
  auto walk = [&](auto&& self, const Value& v) -> void {
    if (v.is_array()) {
      for (const Value& e : v.as_array()) self(self, e);
      return;
    }
    if (!v.is_object()) return;
    for (const Member& m : v.as_object()) {
      if (m.key == "env" && m.value.is_array()) {
        for (const Value& e : m.value.as_array()) {
          const Value* name = e.Find("name");
          const Value* value = e.Find("value");
          if (name && name->is_string() && value && value->is_string() && LooksLikeSecretName(name->as_string())) {
            add(value->as_string());
          }
        }
      }
      self(self, m.value);
    }
  };
  walk(walk, object);
  // A Secret's data and stringData (and the last-applied copy of them).
  const Value* kind = object.Find("kind");
  if (kind && kind->is_string() && kind->as_string() == "Secret") {
    if (const Value* data = object.Find("data"); data && data->is_object()) {
      for (const Member& m : data->as_object()) {
        if (!m.value.is_string()) continue;
        add(m.value.as_string());
        std::string decoded;
        if (DecodeBase64(m.value.as_string(), decoded)) add(decoded);
      }
    }
    if (const Value* sd = object.Find("stringData"); sd && sd->is_object()) {
      ForEachString(*sd, [&](const std::string& s) { add(s); });
    }
    if (const Value* last = object.FindPath({"metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"});
        last && last->is_string()) {
      add(last->as_string());
    }
  }
  // Token-like strings anywhere.
  ForEachString(object, [&](const std::string& s) {
    for (const auto& [a, n] : FindTokenLikeSpans(s)) add(std::string_view(s).substr(a, n));
  });
  return r;
}

std::string Redactor::ReplaceIn(std::string_view text) const {
  std::string out(text);
  // Longest values first, so a value inside another is not split.
  std::vector<const Entry*> order;
  for (const Entry& e : entries_) {
    if (e.value.size() >= kMinTextMatch) order.push_back(&e);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const Entry* a, const Entry* b) { return a->value.size() > b->value.size(); });
  for (const Entry* e : order) {
    for (std::size_t at = out.find(e->value); at != std::string::npos;
         at = out.find(e->value, at + e->placeholder.size())) {
      out.replace(at, e->value.size(), e->placeholder);
    }
  }
  return out;
}

Value Redactor::Redact(const Value& object) const {
  Value out = object;
  if (entries_.empty()) return out;
  ForEachString(out, [&](std::string& s) {
    for (const Entry& e : entries_) {
      if (e.value == s) {
        s = e.placeholder;
        return;
      }
    }
    s = ReplaceIn(s);
  });
  return out;
}

std::string Redactor::RedactText(std::string_view text) const {
  std::string out = ReplaceIn(text);
  // Token-like strings this object did not have (from a gate's detail).
  auto spans = FindTokenLikeSpans(out);
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    std::string_view s = std::string_view(out).substr(it->first, it->second);
    if (StartsWith(s, "<redacted:")) continue;
    out.replace(it->first, it->second, "<redacted>");
  }
  return out;
}

Result<std::size_t> Redactor::Restore(Patch& patch, const Value& original) const {
  std::size_t restored = 0;
  if (entries_.empty()) return restored;
  for (std::size_t i = 0; i < patch.size(); ++i) {
    PatchOp& op = patch[i];
    const Value* at = Lookup(original, op.path);
    Status refused;
    ForEachString(op.value, [&](std::string& s) {
      if (s.find("<redacted:") == std::string::npos) return;
      for (const Entry& e : entries_) {
        if (s.find(e.placeholder) == std::string::npos) continue;
        bool there = false;
        if (at) ForEachString(*at, [&](const std::string& o) { there = there || o.find(e.value) != std::string::npos; });
        if (!there) {
          if (refused.ok()) {
            refused = PermissionDeniedError("op " + std::to_string(i) + " puts the redacted value " + e.placeholder +
                                            " at " + op.path.ToString() +
                                            ", where the object does not hold it: a secret is never moved or "
                                            "copied by a model patch");
          }
          continue;
        }
        for (std::size_t pos = s.find(e.placeholder); pos != std::string::npos;
             pos = s.find(e.placeholder, pos + e.value.size())) {
          s.replace(pos, e.placeholder.size(), e.value);
          ++restored;
        }
      }
    });
    if (!refused.ok()) return refused;
  }
  return restored;
}

bool Redactor::Leaks(std::string_view text) const {
  for (const Entry& e : entries_) {
    if (e.value.size() >= kMinTextMatch && text.find(e.value) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace kfix
