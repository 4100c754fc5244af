// The CEL interpreter: a recursive walk over the syntax tree with CEL's
// error semantics, a cost budget and no exceptions escaping.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "rules/cel/ast_internal.hpp"

namespace kfix::internal {

std::string CelFormatDouble(double d);       // value.cpp
int CelCompare(const CelVal& a, const CelVal& b);  // value.cpp

class CelEvaluator {
 public:
  CelEvaluator(const CelProgram& program, const std::vector<std::pair<std::string, CelVal>>& bindings,
               const CelLimits& limits)
      : program_(program), bindings_(bindings), budget_(limits.cost_budget), limit_(limits.cost_budget) {}

  CelVal Run() {
    CelVal v = Eval(*program_.root_);
    if (exhausted_) return CelVal::Error("cost budget of " + std::to_string(limit_) + " exceeded", -1);
    return v;
  }

 private:
  using Node = CelNode;
  using K = CelVal::Kind;

  // Charges `n` units; false (and the budget marked spent) when exhausted.
  bool Charge(std::int64_t n) {
    budget_ -= n;
    if (budget_ < 0) exhausted_ = true;
    return !exhausted_;
  }

  CelVal Err(const Node& n, std::string message) { return CelVal::Error(std::move(message), n.offset); }
  CelVal NoOverload(const Node& n, const std::string& what, const CelVal& a) {
    return Err(n, "no such overload: " + what + "(" + a.type_name() + ")");
  }
  CelVal NoOverload(const Node& n, const std::string& what, const CelVal& a, const CelVal& b) {
    return Err(n, std::string("no such overload: ") + a.type_name() + " " + what + " " + b.type_name());
  }

  bool Lookup(const std::string& name, CelVal* out) const {
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it) {
      if (it->first == name) {
        *out = it->second;
        return true;
      }
    }
    for (const auto& [k, v] : bindings_) {
      if (k == name) {
        *out = v;
        return true;
      }
    }
    return false;
  }

  CelVal Eval(const Node& n) {
    if (!Charge(1)) return CelVal::Error("cost budget exceeded", n.offset);
    switch (n.op) {
      case Node::Op::kLiteral: return n.literal;
      case Node::Op::kIdent: {
        CelVal v;
        if (Lookup(n.name, &v)) return v;
        if (n.name == "int" || n.name == "uint" || n.name == "double" || n.name == "bool" || n.name == "string" ||
            n.name == "bytes" || n.name == "list" || n.name == "map" || n.name == "null_type" || n.name == "type") {
          return CelVal::Type(n.name);
        }
        return Err(n, "no value bound to '" + n.name + "'");
      }
      case Node::Op::kSelect: {
        CelVal target = Eval(*n.args[0]);
        if (target.is_error()) return target;
        return Select(n, target, n.name);
      }
      case Node::Op::kHas: return Has(n);
      case Node::Op::kIndex: {
        CelVal target = Eval(*n.args[0]);
        if (target.is_error()) return target;
        CelVal index = Eval(*n.args[1]);
        if (index.is_error()) return index;
        return Index(n, target, index);
      }
      case Node::Op::kList: {
        std::vector<CelVal> items;
        items.reserve(n.args.size());
        for (const auto& a : n.args) {
          CelVal v = Eval(*a);
          if (v.is_error()) return v;
          items.push_back(std::move(v));
        }
        return CelVal::List(std::move(items));
      }
      case Node::Op::kMap: return MapLiteral(n);
      case Node::Op::kAnd:
      case Node::Op::kOr: return Logical(n);
      case Node::Op::kNot: {
        CelVal v = Eval(*n.args[0]);
        if (v.is_error()) return v;
        if (!v.is_bool()) return NoOverload(n, "!_", v);
        return CelVal::Bool(!v.as_bool());
      }
      case Node::Op::kNeg: {
        CelVal v = Eval(*n.args[0]);
        if (v.is_error()) return v;
        if (v.kind() == K::kInt) {
          if (v.as_int() == std::numeric_limits<std::int64_t>::min()) return Err(n, "integer overflow");
          return CelVal::Int(-v.as_int());
        }
        if (v.kind() == K::kDouble) return CelVal::Double(-v.as_double());
        return NoOverload(n, "-_", v);
      }
      case Node::Op::kTernary: {
        CelVal c = Eval(*n.args[0]);
        if (c.is_error()) return c;
        if (!c.is_bool()) return NoOverload(n, "_?_:_", c);
        return Eval(*n.args[c.as_bool() ? 1 : 2]);
      }
      case Node::Op::kBinary: {
        CelVal a = Eval(*n.args[0]);
        if (a.is_error()) return a;
        CelVal b = Eval(*n.args[1]);
        if (b.is_error()) return b;
        return Binary(n, a, b);
      }
      case Node::Op::kCall: return Call(n);
      case Node::Op::kComprehension: return Comprehension(n);
    }
    return Err(n, "unsupported expression");
  }

  CelVal Select(const Node& n, const CelVal& target, const std::string& field) {
    if (target.kind() != K::kMap) {
      return Err(n, std::string("type '") + target.type_name() + "' does not support field selection");
    }
    CelVal out;
    if (!target.Find(CelVal::String(field), &out)) return Err(n, "no such key: " + field);
    return out;
  }

  // has(e.f). With lenient_has, a missing step anywhere in a selection path
  // makes the test false instead of an error.
  CelVal Has(const Node& n) {
    CelVal target;
    if (program_.options_.lenient_has) {
      bool present = true;
      target = Resolve(*n.args[0], &present);
      if (!present) return CelVal::Bool(false);
    } else {
      target = Eval(*n.args[0]);
    }
    if (target.is_error()) return target;
    if (target.kind() != K::kMap) {
      if (program_.options_.lenient_has && target.kind() == K::kNull) return CelVal::Bool(false);
      return Err(n, std::string("type '") + target.type_name() + "' does not support field selection");
    }
    CelVal out;
    return CelVal::Bool(target.Find(CelVal::String(n.name), &out));
  }

  // Evaluates a selection path; *present becomes false at the first missing
  // (or null) map step.
  CelVal Resolve(const Node& n, bool* present) {
    if (n.op != Node::Op::kSelect) return Eval(n);
    if (!Charge(1)) return CelVal::Error("cost budget exceeded", n.offset);
    CelVal target = Resolve(*n.args[0], present);
    if (!*present || target.is_error()) return target;
    if (target.kind() == K::kNull) {
      *present = false;
      return target;
    }
    if (target.kind() != K::kMap) return Select(n, target, n.name);
    CelVal out;
    if (!target.Find(CelVal::String(n.name), &out)) {
      *present = false;
      return target;
    }
    return out;
  }

  CelVal Index(const Node& n, const CelVal& target, const CelVal& index) {
    if (target.kind() == K::kList) {
      std::int64_t i;
      if (index.kind() == K::kInt) {
        i = index.as_int();
      } else if (index.kind() == K::kUint) {
        i = index.as_uint() > static_cast<std::uint64_t>(INT64_MAX) ? -1 : static_cast<std::int64_t>(index.as_uint());
      } else if (index.kind() == K::kDouble && std::trunc(index.as_double()) == index.as_double() &&
                 std::abs(index.as_double()) < 9.0e18) {
        i = static_cast<std::int64_t>(index.as_double());
      } else {
        return NoOverload(n, "_[_]", target, index);
      }
      if (i < 0 || static_cast<std::uint64_t>(i) >= target.size()) {
        return Err(n, "index out of range: " + std::to_string(i) + " (list size " + std::to_string(target.size()) + ")");
      }
      return target.at(static_cast<std::size_t>(i));
    }
    if (target.kind() == K::kMap) {
      CelVal out;
      if (target.Find(index, &out)) return out;
      return Err(n, "no such key: " + (index.kind() == K::kString ? index.text() : index.DebugString()));
    }
    return NoOverload(n, "_[_]", target, index);
  }

  CelVal MapLiteral(const Node& n) {
    std::vector<std::pair<CelVal, CelVal>> entries;
    for (std::size_t i = 0; i + 1 < n.args.size(); i += 2) {
      CelVal k = Eval(*n.args[i]);
      if (k.is_error()) return k;
      if (k.kind() != K::kString && k.kind() != K::kInt && k.kind() != K::kUint && k.kind() != K::kBool) {
        return Err(*n.args[i], std::string("unsupported map key type: ") + k.type_name());
      }
      CelVal v = Eval(*n.args[i + 1]);
      if (v.is_error()) return v;
      for (const auto& e : entries) {
        CelVal eq = CelEquals(e.first, k);
        if (eq.is_bool() && eq.as_bool()) return Err(*n.args[i], "repeated key in map literal: " + k.DebugString());
      }
      if (!Charge(static_cast<std::int64_t>(entries.size() / 8))) return CelVal::Error("cost budget exceeded", n.offset);
      entries.emplace_back(std::move(k), std::move(v));
    }
    return CelVal::Map(std::move(entries));
  }

  // && and ||: commutative with respect to errors. A decisive operand (false
  // for &&, true for ||) wins over an error on the other side.
  CelVal Logical(const Node& n) {
    const bool is_and = n.op == Node::Op::kAnd;
    CelVal a = Eval(*n.args[0]);
    if (a.is_bool() && a.as_bool() != is_and) return a;  // short circuit
    CelVal b = Eval(*n.args[1]);
    if (b.is_bool() && b.as_bool() != is_and) return b;
    if (a.is_bool() && b.is_bool()) return CelVal::Bool(is_and);
    if (a.is_error()) return a;
    if (!a.is_bool()) return NoOverload(n, is_and ? "_&&_" : "_||_", a);
    if (b.is_error()) return b;
    return NoOverload(n, is_and ? "_&&_" : "_||_", b);
  }

  static bool AddOverflow(std::int64_t a, std::int64_t b, std::int64_t* r) { return __builtin_add_overflow(a, b, r); }
  static bool SubOverflow(std::int64_t a, std::int64_t b, std::int64_t* r) { return __builtin_sub_overflow(a, b, r); }
  static bool MulOverflow(std::int64_t a, std::int64_t b, std::int64_t* r) { return __builtin_mul_overflow(a, b, r); }

  CelVal Binary(const Node& n, const CelVal& a, const CelVal& b) {
    static const char* kSym[] = {"+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "in"};
    const char* sym = kSym[static_cast<int>(n.binop)];
    switch (n.binop) {
      case CelBinOp::kEq:
      case CelBinOp::kNe: {
        if (!Charge(static_cast<std::int64_t>(a.size() + a.text().size() / 16))) {
          return CelVal::Error("cost budget exceeded", n.offset);
        }
        CelVal eq = CelEquals(a, b);
        if (eq.is_error()) return eq;
        return CelVal::Bool(n.binop == CelBinOp::kEq ? eq.as_bool() : !eq.as_bool());
      }
      case CelBinOp::kLt:
      case CelBinOp::kLe:
      case CelBinOp::kGt:
      case CelBinOp::kGe: {
        const int c = CelCompare(a, b);
        if (c == 3) return NoOverload(n, sym, a, b);
        if (c == 2) return CelVal::Bool(false);
        switch (n.binop) {
          case CelBinOp::kLt: return CelVal::Bool(c < 0);
          case CelBinOp::kLe: return CelVal::Bool(c <= 0);
          case CelBinOp::kGt: return CelVal::Bool(c > 0);
          default: return CelVal::Bool(c >= 0);
        }
      }
      case CelBinOp::kIn: {
        if (b.kind() == K::kList) {
          if (!Charge(static_cast<std::int64_t>(b.size()))) return CelVal::Error("cost budget exceeded", n.offset);
          for (std::size_t i = 0; i < b.size(); ++i) {
            CelVal eq = CelEquals(a, b.at(i));
            if (eq.is_bool() && eq.as_bool()) return CelVal::Bool(true);
          }
          return CelVal::Bool(false);
        }
        if (b.kind() == K::kMap) {
          CelVal out;
          return CelVal::Bool(b.Find(a, &out));
        }
        return NoOverload(n, sym, a, b);
      }
      default: break;
    }
    // Arithmetic: both operands of the same kind (no implicit conversions).
    if (a.kind() != b.kind()) return NoOverload(n, sym, a, b);
    switch (a.kind()) {
      case K::kInt: {
        const std::int64_t x = a.as_int(), y = b.as_int();
        std::int64_t r = 0;
        switch (n.binop) {
          case CelBinOp::kAdd:
            if (AddOverflow(x, y, &r)) return Err(n, "integer overflow");
            return CelVal::Int(r);
          case CelBinOp::kSub:
            if (SubOverflow(x, y, &r)) return Err(n, "integer overflow");
            return CelVal::Int(r);
          case CelBinOp::kMul:
            if (MulOverflow(x, y, &r)) return Err(n, "integer overflow");
            return CelVal::Int(r);
          case CelBinOp::kDiv:
            if (y == 0) return Err(n, "division by zero");
            if (x == std::numeric_limits<std::int64_t>::min() && y == -1) return Err(n, "integer overflow");
            return CelVal::Int(x / y);
          case CelBinOp::kMod:
            if (y == 0) return Err(n, "modulus by zero");
            if (x == std::numeric_limits<std::int64_t>::min() && y == -1) return Err(n, "integer overflow");
            return CelVal::Int(x % y);
          default: break;
        }
        break;
      }
      case K::kUint: {
        const std::uint64_t x = a.as_uint(), y = b.as_uint();
        std::uint64_t r = 0;
        switch (n.binop) {
          case CelBinOp::kAdd:
            if (__builtin_add_overflow(x, y, &r)) return Err(n, "unsigned integer overflow");
            return CelVal::Uint(r);
          case CelBinOp::kSub:
            if (__builtin_sub_overflow(x, y, &r)) return Err(n, "unsigned integer overflow");
            return CelVal::Uint(r);
          case CelBinOp::kMul:
            if (__builtin_mul_overflow(x, y, &r)) return Err(n, "unsigned integer overflow");
            return CelVal::Uint(r);
          case CelBinOp::kDiv:
            if (y == 0) return Err(n, "division by zero");
            return CelVal::Uint(x / y);
          case CelBinOp::kMod:
            if (y == 0) return Err(n, "modulus by zero");
            return CelVal::Uint(x % y);
          default: break;
        }
        break;
      }
      case K::kDouble: {
        const double x = a.as_double(), y = b.as_double();
        switch (n.binop) {
          case CelBinOp::kAdd: return CelVal::Double(x + y);
          case CelBinOp::kSub: return CelVal::Double(x - y);
          case CelBinOp::kMul: return CelVal::Double(x * y);
          case CelBinOp::kDiv: return CelVal::Double(x / y);
          default: break;
        }
        break;
      }
      case K::kString:
      case K::kBytes:
        if (n.binop == CelBinOp::kAdd) {
          const std::size_t size = a.text().size() + b.text().size();
          if (!Charge(static_cast<std::int64_t>(size / 16))) return CelVal::Error("cost budget exceeded", n.offset);
          std::string s = a.text() + b.text();
          return a.kind() == K::kString ? CelVal::String(std::move(s)) : CelVal::Bytes(std::move(s));
        }
        break;
      case K::kList:
        if (n.binop == CelBinOp::kAdd) {
          if (!Charge(static_cast<std::int64_t>(a.size() + b.size()))) {
            return CelVal::Error("cost budget exceeded", n.offset);
          }
          std::vector<CelVal> items;
          items.reserve(a.size() + b.size());
          for (std::size_t i = 0; i < a.size(); ++i) items.push_back(a.at(i));
          for (std::size_t i = 0; i < b.size(); ++i) items.push_back(b.at(i));
          return CelVal::List(std::move(items));
        }
        break;
      default: break;
    }
    return NoOverload(n, sym, a, b);
  }

  static std::size_t CodePoints(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  }

  static bool ValidUtf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
      const auto c = static_cast<unsigned char>(s[i]);
      std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      if (len == 0 || i + len > s.size()) return false;
      std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
      for (std::size_t k = 1; k < len; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) return false;
        cp = (cp << 6) | (cc & 0x3F);
      }
      if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
          (cp >= 0xD800 && cp <= 0xDFFF)) {
        return false;
      }
      i += len;
    }
    return true;
  }

  CelVal Call(const Node& n) {
    std::vector<CelVal> args;
    args.reserve(n.args.size());
    for (const auto& a : n.args) {
      CelVal v = Eval(*a);
      if (v.is_error()) return v;
      args.push_back(std::move(v));
    }
    const CelVal& x = args[0];
    auto want_string = [&](const CelVal& v) { return v.kind() == K::kString; };
    switch (n.fn) {
      case CelFn::kSize:
        if (x.kind() == K::kString) {
          if (!Charge(static_cast<std::int64_t>(x.text().size() / 16))) return CelVal::Error("cost budget exceeded", n.offset);
          return CelVal::Int(static_cast<std::int64_t>(CodePoints(x.text())));
        }
        if (x.kind() == K::kBytes) return CelVal::Int(static_cast<std::int64_t>(x.text().size()));
        if (x.kind() == K::kList || x.kind() == K::kMap) return CelVal::Int(static_cast<std::int64_t>(x.size()));
        return NoOverload(n, "size", x);
      case CelFn::kMatches: {
        if (!want_string(x) || !want_string(args[1])) return NoOverload(n, "matches", x, args[1]);
        if (!Charge(static_cast<std::int64_t>(x.text().size() / 16 + 1))) return CelVal::Error("cost budget exceeded", n.offset);
        if (n.regex) return CelVal::Bool(n.regex->Search(x.text()));
        if (!Charge(static_cast<std::int64_t>(args[1].text().size()))) return CelVal::Error("cost budget exceeded", n.offset);
        Result<Regex> re = Regex::Compile(args[1].text());
        if (!re.ok()) return Err(*n.args[1], re.status().message());
        return CelVal::Bool(re->Search(x.text()));
      }
      case CelFn::kStartsWith:
      case CelFn::kEndsWith:
      case CelFn::kContains: {
        if (!want_string(x) || !want_string(args[1])) return NoOverload(n, n.name, x, args[1]);
        if (!Charge(static_cast<std::int64_t>(x.text().size() / 16))) return CelVal::Error("cost budget exceeded", n.offset);
        const std::string& s = x.text();
        const std::string& t = args[1].text();
        if (n.fn == CelFn::kStartsWith) return CelVal::Bool(s.compare(0, t.size(), t) == 0 && s.size() >= t.size());
        if (n.fn == CelFn::kEndsWith) {
          return CelVal::Bool(s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0);
        }
        return CelVal::Bool(s.find(t) != std::string::npos);
      }
      case CelFn::kLowerAscii:
      case CelFn::kUpperAscii: {
        if (!want_string(x)) return NoOverload(n, n.name, x);
        if (!Charge(static_cast<std::int64_t>(x.text().size() / 16))) return CelVal::Error("cost budget exceeded", n.offset);
        std::string s = x.text();
        for (char& c : s) {
          if (n.fn == CelFn::kLowerAscii && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
          if (n.fn == CelFn::kUpperAscii && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        }
        return CelVal::String(std::move(s));
      }
      case CelFn::kTrim: {
        if (!want_string(x)) return NoOverload(n, n.name, x);
        const std::string& s = x.text();
        auto space = [](unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
        std::size_t b = 0, e = s.size();
        while (b < e && space(static_cast<unsigned char>(s[b]))) ++b;
        while (e > b && space(static_cast<unsigned char>(s[e - 1]))) --e;
        return CelVal::String(s.substr(b, e - b));
      }
      case CelFn::kSplit: {
        if (!want_string(x) || !want_string(args[1])) return NoOverload(n, "split", x, args[1]);
        const std::string& s = x.text();
        const std::string& sep = args[1].text();
        if (!Charge(static_cast<std::int64_t>(s.size()))) return CelVal::Error("cost budget exceeded", n.offset);
        std::vector<CelVal> parts;
        if (sep.empty()) {  // one element per code point
          std::size_t i = 0;
          while (i < s.size()) {
            std::size_t j = i + 1;
            while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
            parts.push_back(CelVal::String(s.substr(i, j - i)));
            i = j;
          }
        } else {
          std::size_t start = 0;
          while (true) {
            const std::size_t at = s.find(sep, start);
            if (at == std::string::npos) break;
            parts.push_back(CelVal::String(s.substr(start, at - start)));
            start = at + sep.size();
          }
          parts.push_back(CelVal::String(s.substr(start)));
        }
        return CelVal::List(std::move(parts));
      }
      case CelFn::kJoin: {
        if (x.kind() != K::kList || (args.size() == 2 && !want_string(args[1]))) return NoOverload(n, "join", x);
        const std::string sep = args.size() == 2 ? args[1].text() : std::string();
        std::string out;
        for (std::size_t i = 0; i < x.size(); ++i) {
          CelVal e = x.at(i);
          if (e.kind() != K::kString) return Err(n, std::string("join: list element of type ") + e.type_name() + ", want string");
          if (i) out += sep;
          out += e.text();
          if (!Charge(static_cast<std::int64_t>(1 + e.text().size() / 16))) return CelVal::Error("cost budget exceeded", n.offset);
        }
        return CelVal::String(std::move(out));
      }
      case CelFn::kInt: return ToInt(n, x);
      case CelFn::kUint: return ToUint(n, x);
      case CelFn::kDouble:
        switch (x.kind()) {
          case K::kDouble: return x;
          case K::kInt: return CelVal::Double(static_cast<double>(x.as_int()));
          case K::kUint: return CelVal::Double(static_cast<double>(x.as_uint()));
          case K::kString: {
            const std::string& s = x.text();
            char* end = nullptr;
            const double d = s.empty() ? 0 : std::strtod(s.c_str(), &end);
            if (s.empty() || end != s.c_str() + s.size()) return Err(n, "cannot convert \"" + s + "\" to double");
            return CelVal::Double(d);
          }
          default: return NoOverload(n, "double", x);
        }
      case CelFn::kString:
        switch (x.kind()) {
          case K::kString: return x;
          case K::kInt: return CelVal::String(std::to_string(x.as_int()));
          case K::kUint: return CelVal::String(std::to_string(x.as_uint()));
          case K::kDouble: return CelVal::String(CelFormatDouble(x.as_double()));
          case K::kBool: return CelVal::String(x.as_bool() ? "true" : "false");
          case K::kBytes:
            if (!ValidUtf8(x.text())) return Err(n, "invalid UTF-8 in bytes, cannot convert to string");
            return CelVal::String(x.text());
          case K::kType: return CelVal::String(x.text());
          default: return NoOverload(n, "string", x);
        }
      case CelFn::kBytes:
        if (x.kind() == K::kBytes) return x;
        if (x.kind() == K::kString) return CelVal::Bytes(x.text());
        return NoOverload(n, "bytes", x);
      case CelFn::kBool:
        if (x.kind() == K::kBool) return x;
        if (x.kind() == K::kString) {
          const std::string& s = x.text();
          if (s == "1" || s == "t" || s == "true" || s == "TRUE" || s == "True") return CelVal::Bool(true);
          if (s == "0" || s == "f" || s == "false" || s == "FALSE" || s == "False") return CelVal::Bool(false);
          return Err(n, "cannot convert \"" + s + "\" to bool");
        }
        return NoOverload(n, "bool", x);
      case CelFn::kType: return CelVal::Type(x.type_name());
      case CelFn::kDyn: return x;
      case CelFn::kNone: break;
    }
    return Err(n, "unsupported function " + n.name);
  }

  CelVal ToInt(const Node& n, const CelVal& x) {
    switch (x.kind()) {
      case K::kInt: return x;
      case K::kUint:
        if (x.as_uint() > static_cast<std::uint64_t>(INT64_MAX)) return Err(n, "integer overflow");
        return CelVal::Int(static_cast<std::int64_t>(x.as_uint()));
      case K::kDouble: {
        const double d = x.as_double();
        // The closed range cel-go accepts: (-2^63, 2^63) exclusive.
        if (std::isnan(d) || d <= -9223372036854775808.0 || d >= 9223372036854775808.0) return Err(n, "integer overflow");
        return CelVal::Int(static_cast<std::int64_t>(d));
      }
      case K::kString: {
        const std::string& s = x.text();
        errno = 0;
        char* end = nullptr;
        const long long v = s.empty() ? 0 : std::strtoll(s.c_str(), &end, 10);
        if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE || s[0] == ' ' || s[0] == '+') {
          return Err(n, "cannot convert \"" + s + "\" to int");
        }
        return CelVal::Int(v);
      }
      default: return NoOverload(n, "int", x);
    }
  }

  CelVal ToUint(const Node& n, const CelVal& x) {
    switch (x.kind()) {
      case K::kUint: return x;
      case K::kInt:
        if (x.as_int() < 0) return Err(n, "unsigned integer overflow");
        return CelVal::Uint(static_cast<std::uint64_t>(x.as_int()));
      case K::kDouble: {
        const double d = x.as_double();
        if (std::isnan(d) || d < 0 || d >= 18446744073709551616.0) return Err(n, "unsigned integer overflow");
        return CelVal::Uint(static_cast<std::uint64_t>(d));
      }
      case K::kString: {
        const std::string& s = x.text();
        errno = 0;
        char* end = nullptr;
        const unsigned long long v = s.empty() ? 0 : std::strtoull(s.c_str(), &end, 10);
        if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE || s[0] == '-' || s[0] == ' ' || s[0] == '+') {
          return Err(n, "cannot convert \"" + s + "\" to uint");
        }
        return CelVal::Uint(v);
      }
      default: return NoOverload(n, "uint", x);
    }
  }

  CelVal Comprehension(const Node& n) {
    CelVal range = Eval(*n.args[0]);
    if (range.is_error()) return range;
    if (range.kind() != K::kList && range.kind() != K::kMap) {
      return Err(n, std::string("cannot iterate over a value of type ") + range.type_name());
    }
    const bool is_map = range.kind() == K::kMap;
    const std::size_t count = range.size();
    CelVal first_error;
    bool have_error = false;
    std::int64_t matches = 0;
    std::vector<CelVal> out;
    scope_.emplace_back(n.name, CelVal());
    struct Pop {
      std::vector<std::pair<std::string, CelVal>>* s;
      ~Pop() { s->pop_back(); }
    } pop{&scope_};
    for (std::size_t i = 0; i < count; ++i) {
      if (!Charge(1)) return CelVal::Error("cost budget exceeded", n.offset);
      scope_.back().second = is_map ? range.key_at(i) : range.at(i);
      CelVal p = Eval(*n.args[1]);
      if (exhausted_) return p;
      switch (n.macro) {
        case CelMacro::kAll:
        case CelMacro::kExists: {
          const bool decisive = n.macro == CelMacro::kExists;  // exists stops at true, all at false
          if (p.is_bool()) {
            if (p.as_bool() == decisive) return p;
          } else if (!have_error) {
            have_error = true;
            first_error = p.is_error() ? p : NoOverload(*n.args[1], n.macro == CelMacro::kAll ? "all" : "exists", p);
          }
          break;
        }
        case CelMacro::kExistsOne:
          if (p.is_error()) return p;
          if (!p.is_bool()) return NoOverload(*n.args[1], "exists_one", p);
          if (p.as_bool()) ++matches;
          break;
        case CelMacro::kFilter:
          if (p.is_error()) return p;
          if (!p.is_bool()) return NoOverload(*n.args[1], "filter", p);
          if (p.as_bool()) out.push_back(scope_.back().second);
          break;
        case CelMacro::kMap:
          if (p.is_error()) return p;
          out.push_back(std::move(p));
          break;
        case CelMacro::kMapFilter: {
          if (p.is_error()) return p;
          if (!p.is_bool()) return NoOverload(*n.args[1], "map", p);
          if (p.as_bool()) {
            CelVal t = Eval(*n.args[2]);
            if (t.is_error()) return t;
            out.push_back(std::move(t));
          }
          break;
        }
      }
    }
    switch (n.macro) {
      case CelMacro::kAll:
      case CelMacro::kExists:
        if (have_error) return first_error;
        return CelVal::Bool(n.macro == CelMacro::kAll);
      case CelMacro::kExistsOne: return CelVal::Bool(matches == 1);
      default: return CelVal::List(std::move(out));
    }
  }

  const CelProgram& program_;
  const std::vector<std::pair<std::string, CelVal>>& bindings_;
  std::vector<std::pair<std::string, CelVal>> scope_;
  std::int64_t budget_;
  std::int64_t limit_;
  bool exhausted_ = false;
};

CelVal CelProgram::Evaluate(const std::vector<std::pair<std::string, CelVal>>& bindings, const CelLimits& limits) const {
  try {
    CelEvaluator evaluator(*this, bindings, limits);
    return evaluator.Run();
  } catch (const std::bad_alloc&) {
    return CelVal::Error("out of memory", -1);
  } catch (const std::exception& e) {
    return CelVal::Error(std::string("internal error: ") + e.what(), -1);
  }
}

}  // namespace kfix::internal
