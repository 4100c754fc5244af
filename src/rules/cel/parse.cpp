// CEL lexer, parser and static checks (declared variables, known functions
// and arities, macro shapes). Grammar: the CEL language definition, without
// message construction and the optional syntax.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <set>

#include "rules/cel/ast_internal.hpp"

namespace kfix::internal {
namespace {

enum class Tok : std::uint8_t {
  kEnd,
  kIdent,
  kInt,
  kUint,
  kDouble,
  kString,
  kBytes,
  kTrue,
  kFalse,
  kNull,
  kIn,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kDot,
  kComma,
  kColon,
  kQuestion,
  kNot,
  kMinus,
  kPlus,
  kStar,
  kSlash,
  kPercent,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::int32_t offset = 0;
  std::string text;   // identifier, decoded string/bytes, number text
};

struct SyntaxError {
  std::int32_t offset;
  std::string message;
};

const std::set<std::string, std::less<>>& Reserved() {
  static const std::set<std::string, std::less<>> kReserved = {
      "as",   "break",     "const", "continue", "else", "for", "function", "if",  "import",
      "let",  "loop",      "package", "namespace", "return", "var", "void", "while"};
  return kReserved;
}

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int HexVal(char c) { return IsDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10; }

void AppendUtf8(std::string* out, std::uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  // Returns false with *err set on a lexical error.
  bool Next(Token* t, SyntaxError* err) {
    SkipSpace();
    t->text.clear();
    t->offset = static_cast<std::int32_t>(i_);
    if (i_ >= s_.size()) {
      t->kind = Tok::kEnd;
      return true;
    }
    const char c = s_[i_];
    auto two = [&](char next) { return i_ + 1 < s_.size() && s_[i_ + 1] == next; };
    auto one = [&](Tok k, std::size_t n = 1) {
      t->kind = k;
      i_ += n;
      return true;
    };
    switch (c) {
      case '(': return one(Tok::kLParen);
      case ')': return one(Tok::kRParen);
      case '[': return one(Tok::kLBracket);
      case ']': return one(Tok::kRBracket);
      case '{': return one(Tok::kLBrace);
      case '}': return one(Tok::kRBrace);
      case ',': return one(Tok::kComma);
      case ':': return one(Tok::kColon);
      case '?': return one(Tok::kQuestion);
      case '+': return one(Tok::kPlus);
      case '-': return one(Tok::kMinus);
      case '*': return one(Tok::kStar);
      case '/': return one(Tok::kSlash);
      case '%': return one(Tok::kPercent);
      case '!': return two('=') ? one(Tok::kNe, 2) : one(Tok::kNot);
      case '=':
        if (two('=')) return one(Tok::kEq, 2);
        break;
      case '<': return two('=') ? one(Tok::kLe, 2) : one(Tok::kLt);
      case '>': return two('=') ? one(Tok::kGe, 2) : one(Tok::kGt);
      case '&':
        if (two('&')) return one(Tok::kAnd, 2);
        break;
      case '|':
        if (two('|')) return one(Tok::kOr, 2);
        break;
      case '.':
        if (i_ + 1 < s_.size() && IsDigit(s_[i_ + 1])) return Number(t, err);
        return one(Tok::kDot);
      default: break;
    }
    if (IsDigit(c)) return Number(t, err);
    if (c == '"' || c == '\'') return Quoted(t, err, false, false);
    if (IsIdentStart(c)) {
      // String prefixes: r"..", b"..", rb"..", br"..".
      std::size_t j = i_;
      bool raw = false, bytes = false;
      while (j < s_.size() && j - i_ < 2 && (s_[j] == 'r' || s_[j] == 'R' || s_[j] == 'b' || s_[j] == 'B')) {
        if (s_[j] == 'r' || s_[j] == 'R') {
          if (raw) break;
          raw = true;
        } else {
          if (bytes) break;
          bytes = true;
        }
        ++j;
        if (j < s_.size() && (s_[j] == '"' || s_[j] == '\'')) {
          i_ = j;
          return Quoted(t, err, raw, bytes);
        }
      }
      std::size_t start = i_;
      while (i_ < s_.size() && (IsIdentStart(s_[i_]) || IsDigit(s_[i_]))) ++i_;
      t->text = std::string(s_.substr(start, i_ - start));
      if (t->text == "true") t->kind = Tok::kTrue;
      else if (t->text == "false") t->kind = Tok::kFalse;
      else if (t->text == "null") t->kind = Tok::kNull;
      else if (t->text == "in") t->kind = Tok::kIn;
      else t->kind = Tok::kIdent;
      return true;
    }
    *err = {t->offset, "unexpected character " + Describe(c)};
    return false;
  }

 private:
  static std::string Describe(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%02x", u);
    return buf;
  }

  void SkipSpace() {
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++i_;
      } else if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '/') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else {
        break;
      }
    }
  }

  bool Number(Token* t, SyntaxError* err) {
    const std::size_t start = i_;
    if (s_[i_] == '0' && i_ + 1 < s_.size() && (s_[i_ + 1] == 'x' || s_[i_ + 1] == 'X')) {
      i_ += 2;
      const std::size_t digits = i_;
      while (i_ < s_.size() && IsHex(s_[i_])) ++i_;
      if (i_ == digits) {
        *err = {static_cast<std::int32_t>(start), "hexadecimal literal without digits"};
        return false;
      }
      t->text = std::string(s_.substr(start, i_ - start));
      t->kind = Tok::kInt;
      if (i_ < s_.size() && (s_[i_] == 'u' || s_[i_] == 'U')) {
        ++i_;
        t->kind = Tok::kUint;
      }
      return true;
    }
    bool is_double = false;
    while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    if (i_ < s_.size() && s_[i_] == '.' && i_ + 1 < s_.size() && IsDigit(s_[i_ + 1])) {
      is_double = true;
      ++i_;
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      std::size_t j = i_ + 1;
      if (j < s_.size() && (s_[j] == '+' || s_[j] == '-')) ++j;
      if (j < s_.size() && IsDigit(s_[j])) {
        is_double = true;
        i_ = j;
        while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
      }
    }
    t->text = std::string(s_.substr(start, i_ - start));
    t->kind = is_double ? Tok::kDouble : Tok::kInt;
    if (!is_double && i_ < s_.size() && (s_[i_] == 'u' || s_[i_] == 'U')) {
      ++i_;
      t->kind = Tok::kUint;
    }
    return true;
  }

  bool Quoted(Token* t, SyntaxError* err, bool raw, bool bytes) {
    const std::int32_t start = t->offset;
    const char q = s_[i_];
    const bool triple = i_ + 2 < s_.size() && s_[i_ + 1] == q && s_[i_ + 2] == q;
    i_ += triple ? 3 : 1;
    std::string out;
    while (true) {
      if (i_ >= s_.size()) {
        *err = {start, "unterminated string literal"};
        return false;
      }
      const char c = s_[i_];
      if (triple) {
        if (c == q && i_ + 2 < s_.size() && s_[i_ + 1] == q && s_[i_ + 2] == q) {
          i_ += 3;
          break;
        }
      } else {
        if (c == q) {
          ++i_;
          break;
        }
        if (c == '\n' || c == '\r') {
          *err = {start, "unterminated string literal (line break in a quoted string)"};
          return false;
        }
      }
      if (c == '\\' && !raw) {
        if (!Escape(&out, err, bytes)) return false;
        continue;
      }
      if (c == '\\' && raw && i_ + 1 < s_.size() && s_[i_ + 1] == q && !triple) {
        // r'\'' keeps the backslash and the quote.
        out.push_back('\\');
        out.push_back(q);
        i_ += 2;
        continue;
      }
      out.push_back(c);
      ++i_;
    }
    t->kind = bytes ? Tok::kBytes : Tok::kString;
    t->text = std::move(out);
    return true;
  }

  bool Escape(std::string* out, SyntaxError* err, bool bytes) {
    const auto at = static_cast<std::int32_t>(i_);
    if (i_ + 1 >= s_.size()) {
      *err = {at, "unterminated escape sequence"};
      return false;
    }
    const char e = s_[i_ + 1];
    i_ += 2;
    switch (e) {
      case 'a': out->push_back('\a'); return true;
      case 'b': out->push_back('\b'); return true;
      case 'f': out->push_back('\f'); return true;
      case 'n': out->push_back('\n'); return true;
      case 'r': out->push_back('\r'); return true;
      case 't': out->push_back('\t'); return true;
      case 'v': out->push_back('\v'); return true;
      case '\\': out->push_back('\\'); return true;
      case '\'': out->push_back('\''); return true;
      case '"': out->push_back('"'); return true;
      case '`': out->push_back('`'); return true;
      case '?': out->push_back('?'); return true;
      case 'x':
      case 'X': {
        if (i_ + 2 > s_.size() || !IsHex(s_[i_]) || !IsHex(s_[i_ + 1])) {
          *err = {at, "\\x escape needs two hexadecimal digits"};
          return false;
        }
        const int v = HexVal(s_[i_]) * 16 + HexVal(s_[i_ + 1]);
        i_ += 2;
        if (bytes) out->push_back(static_cast<char>(v));
        else AppendUtf8(out, static_cast<std::uint32_t>(v));
        return true;
      }
      case 'u':
      case 'U': {
        const std::size_t n = e == 'u' ? 4 : 8;
        if (i_ + n > s_.size()) {
          *err = {at, std::string("\\") + e + " escape needs " + std::to_string(n) + " hexadecimal digits"};
          return false;
        }
        std::uint32_t cp = 0;
        for (std::size_t k = 0; k < n; ++k) {
          if (!IsHex(s_[i_ + k])) {
            *err = {at, std::string("\\") + e + " escape needs " + std::to_string(n) + " hexadecimal digits"};
            return false;
          }
          cp = cp * 16 + static_cast<std::uint32_t>(HexVal(s_[i_ + k]));
        }
        i_ += n;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          *err = {at, "escape names an invalid code point"};
          return false;
        }
        AppendUtf8(out, cp);
        return true;
      }
      default:
        if (e >= '0' && e <= '3') {
          if (i_ + 2 > s_.size() || s_[i_] < '0' || s_[i_] > '7' || s_[i_ + 1] < '0' || s_[i_ + 1] > '7') {
            *err = {at, "octal escape needs three digits"};
            return false;
          }
          const int v = (e - '0') * 64 + (s_[i_] - '0') * 8 + (s_[i_ + 1] - '0');
          i_ += 2;
          if (bytes) out->push_back(static_cast<char>(v));
          else AppendUtf8(out, static_cast<std::uint32_t>(v));
          return true;
        }
        *err = {at, std::string("invalid escape sequence \\") + (e >= 0x20 && e < 0x7f ? std::string(1, e) : "?")};
        return false;
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

struct FnSpec {
  const char* name;
  CelFn fn;
  int global_arity;    // -1: no global form
  int receiver_arity;  // -1: no method form (arity excludes the receiver)
  int receiver_arity2 = -2;  // a second accepted method arity
};

constexpr FnSpec kFunctions[] = {
    {"size", CelFn::kSize, 1, 0},
    {"matches", CelFn::kMatches, 2, 1},
    {"startsWith", CelFn::kStartsWith, -1, 1},
    {"endsWith", CelFn::kEndsWith, -1, 1},
    {"contains", CelFn::kContains, -1, 1},
    {"lowerAscii", CelFn::kLowerAscii, -1, 0},
    {"upperAscii", CelFn::kUpperAscii, -1, 0},
    {"trim", CelFn::kTrim, -1, 0},
    {"split", CelFn::kSplit, -1, 1},
    {"join", CelFn::kJoin, -1, 0, 1},
    {"int", CelFn::kInt, 1, -1},
    {"uint", CelFn::kUint, 1, -1},
    {"double", CelFn::kDouble, 1, -1},
    {"string", CelFn::kString, 1, -1},
    {"bytes", CelFn::kBytes, 1, -1},
    {"bool", CelFn::kBool, 1, -1},
    {"type", CelFn::kType, 1, -1},
    {"dyn", CelFn::kDyn, 1, -1},
};

const FnSpec* FindFn(std::string_view name) {
  for (const FnSpec& f : kFunctions) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

bool IsTypeName(std::string_view n) {
  return n == "int" || n == "uint" || n == "double" || n == "bool" || n == "string" || n == "bytes" || n == "list" ||
         n == "map" || n == "null_type" || n == "type";
}

class Parser {
 public:
  Parser(std::string_view text, const CelCompileOptions& options) : lex_(text), options_(options) {}

  std::unique_ptr<CelNode> ParseAll() {
    Advance();
    if (failed_) return nullptr;
    auto e = Expr();
    if (failed_) return nullptr;
    if (tok_.kind != Tok::kEnd) {
      Fail(tok_.offset, "unexpected " + Describe(tok_) + " after the end of the expression");
      return nullptr;
    }
    return e;
  }

  bool failed() const { return failed_; }
  const SyntaxError& error() const { return error_; }

 private:
  using NodeP = std::unique_ptr<CelNode>;

  void Fail(std::int32_t offset, std::string message) {
    if (failed_) return;
    failed_ = true;
    error_ = {offset, std::move(message)};
  }

  void Advance() {
    if (failed_) return;
    SyntaxError err;
    if (!lex_.Next(&tok_, &err)) Fail(err.offset, err.message);
  }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case Tok::kEnd: return "end of expression";
      case Tok::kIdent: return "identifier '" + t.text + "'";
      case Tok::kInt:
      case Tok::kUint:
      case Tok::kDouble: return "number " + t.text;
      case Tok::kString: return "string literal";
      case Tok::kBytes: return "bytes literal";
      default: break;
    }
    static const char* kNames[] = {"", "", "", "", "", "", "", "'true'", "'false'", "'null'", "'in'", "'('", "')'",
                                   "'['", "']'", "'{'", "'}'", "'.'", "','", "':'", "'?'", "'!'", "'-'", "'+'", "'*'",
                                   "'/'", "'%'", "'=='", "'!='", "'<'", "'<='", "'>'", "'>='", "'&&'", "'||'"};
    return kNames[static_cast<int>(t.kind)];
  }

  bool Expect(Tok k, const char* what) {
    if (failed_) return false;
    if (tok_.kind != k) {
      Fail(tok_.offset, std::string("expected ") + what + ", found " + Describe(tok_));
      return false;
    }
    Advance();
    return !failed_;
  }

  NodeP Make(CelNode::Op op, std::int32_t offset) {
    auto n = std::make_unique<CelNode>();
    n->op = op;
    n->offset = offset;
    return n;
  }

  // Sets the node's height and enforces the depth limit.
  NodeP Seal(NodeP n) {
    if (!n) return n;
    std::int32_t h = 0;
    for (const auto& a : n->args) {
      if (a) h = std::max(h, a->height);
    }
    n->height = h + 1;
    if (n->height > options_.max_depth) {
      Fail(n->offset, "expression nested too deeply (more than " + std::to_string(options_.max_depth) + " levels)");
    }
    return n;
  }

  NodeP Binary(CelNode::Op op, std::int32_t offset, NodeP a, NodeP b, CelBinOp binop = CelBinOp::kAdd) {
    auto n = Make(op, offset);
    n->binop = binop;
    n->args.push_back(std::move(a));
    n->args.push_back(std::move(b));
    return Seal(std::move(n));
  }

  struct DepthGuard {
    explicit DepthGuard(Parser* p) : p_(p) { ++p_->recursion_; }
    ~DepthGuard() { --p_->recursion_; }
    Parser* p_;
  };

  NodeP Expr() {
    DepthGuard guard(this);
    if (recursion_ > options_.max_depth) {
      Fail(tok_.offset, "expression nested too deeply (more than " + std::to_string(options_.max_depth) + " levels)");
      return nullptr;
    }
    NodeP cond = Or();
    if (failed_) return nullptr;
    if (tok_.kind != Tok::kQuestion) return cond;
    const std::int32_t at = tok_.offset;
    Advance();
    NodeP a = Or();
    if (!Expect(Tok::kColon, "':' of the conditional")) return nullptr;
    NodeP b = Expr();
    if (failed_) return nullptr;
    auto n = Make(CelNode::Op::kTernary, at);
    n->args.push_back(std::move(cond));
    n->args.push_back(std::move(a));
    n->args.push_back(std::move(b));
    return Seal(std::move(n));
  }

  NodeP Or() {
    NodeP left = And();
    while (!failed_ && tok_.kind == Tok::kOr) {
      const std::int32_t at = tok_.offset;
      Advance();
      NodeP right = And();
      if (failed_) return nullptr;
      left = Binary(CelNode::Op::kOr, at, std::move(left), std::move(right));
    }
    return failed_ ? nullptr : std::move(left);
  }

  NodeP And() {
    NodeP left = Relation();
    while (!failed_ && tok_.kind == Tok::kAnd) {
      const std::int32_t at = tok_.offset;
      Advance();
      NodeP right = Relation();
      if (failed_) return nullptr;
      left = Binary(CelNode::Op::kAnd, at, std::move(left), std::move(right));
    }
    return failed_ ? nullptr : std::move(left);
  }

  NodeP Relation() {
    NodeP left = Addition();
    while (!failed_) {
      CelBinOp op;
      switch (tok_.kind) {
        case Tok::kEq: op = CelBinOp::kEq; break;
        case Tok::kNe: op = CelBinOp::kNe; break;
        case Tok::kLt: op = CelBinOp::kLt; break;
        case Tok::kLe: op = CelBinOp::kLe; break;
        case Tok::kGt: op = CelBinOp::kGt; break;
        case Tok::kGe: op = CelBinOp::kGe; break;
        case Tok::kIn: op = CelBinOp::kIn; break;
        default: return left;
      }
      const std::int32_t at = tok_.offset;
      Advance();
      NodeP right = Addition();
      if (failed_) return nullptr;
      left = Binary(CelNode::Op::kBinary, at, std::move(left), std::move(right), op);
    }
    return nullptr;
  }

  NodeP Addition() {
    NodeP left = Multiplication();
    while (!failed_ && (tok_.kind == Tok::kPlus || tok_.kind == Tok::kMinus)) {
      const CelBinOp op = tok_.kind == Tok::kPlus ? CelBinOp::kAdd : CelBinOp::kSub;
      const std::int32_t at = tok_.offset;
      Advance();
      NodeP right = Multiplication();
      if (failed_) return nullptr;
      left = Binary(CelNode::Op::kBinary, at, std::move(left), std::move(right), op);
    }
    return failed_ ? nullptr : std::move(left);
  }

  NodeP Multiplication() {
    NodeP left = Unary();
    while (!failed_ && (tok_.kind == Tok::kStar || tok_.kind == Tok::kSlash || tok_.kind == Tok::kPercent)) {
      const CelBinOp op = tok_.kind == Tok::kStar ? CelBinOp::kMul : tok_.kind == Tok::kSlash ? CelBinOp::kDiv : CelBinOp::kMod;
      const std::int32_t at = tok_.offset;
      Advance();
      NodeP right = Unary();
      if (failed_) return nullptr;
      left = Binary(CelNode::Op::kBinary, at, std::move(left), std::move(right), op);
    }
    return failed_ ? nullptr : std::move(left);
  }

  NodeP Unary() {
    if (tok_.kind == Tok::kNot || tok_.kind == Tok::kMinus) {
      std::vector<std::pair<Tok, std::int32_t>> ops;
      while (!failed_ && (tok_.kind == Tok::kNot || tok_.kind == Tok::kMinus)) {
        ops.emplace_back(tok_.kind, tok_.offset);
        if (ops.size() > static_cast<std::size_t>(options_.max_depth)) {
          Fail(tok_.offset, "expression nested too deeply (more than " + std::to_string(options_.max_depth) + " levels)");
          return nullptr;
        }
        Advance();
      }
      if (failed_) return nullptr;
      NodeP operand;
      // A single '-' directly before a number literal is a negative literal
      // (so that -9223372036854775808 is an int).
      if (ops.back().first == Tok::kMinus && (tok_.kind == Tok::kInt || tok_.kind == Tok::kDouble)) {
        const std::int32_t at = ops.back().second;
        ops.pop_back();
        operand = Member(Literal(true, at));
      } else {
        operand = Member(nullptr);
      }
      if (failed_) return nullptr;
      for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
        auto n = Make(it->first == Tok::kNot ? CelNode::Op::kNot : CelNode::Op::kNeg, it->second);
        n->args.push_back(std::move(operand));
        operand = Seal(std::move(n));
        if (failed_) return nullptr;
      }
      return operand;
    }
    return Member(nullptr);
  }

  // A number, string, bytes, bool or null literal at the current token.
  NodeP Literal(bool negate, std::int32_t at) {
    auto n = Make(CelNode::Op::kLiteral, at);
    const std::string& t = tok_.text;
    switch (tok_.kind) {
      case Tok::kInt: {
        const bool hex = t.size() > 2 && (t[1] == 'x' || t[1] == 'X');
        errno = 0;
        char* end = nullptr;
        const unsigned long long u = std::strtoull(t.c_str() + (hex ? 2 : 0), &end, hex ? 16 : 10);
        const unsigned long long limit = negate ? 9223372036854775808ULL : 9223372036854775807ULL;
        if (errno == ERANGE || u > limit) {
          Fail(at, "integer literal out of range: " + std::string(negate ? "-" : "") + t);
          return nullptr;
        }
        n->literal = CelVal::Int(negate ? static_cast<std::int64_t>(0 - u) : static_cast<std::int64_t>(u));
        break;
      }
      case Tok::kUint: {
        const std::string& digits = t;  // the token text has no 'u' suffix
        const bool hex = digits.size() > 2 && (digits[1] == 'x' || digits[1] == 'X');
        errno = 0;
        const unsigned long long u = std::strtoull(digits.c_str() + (hex ? 2 : 0), nullptr, hex ? 16 : 10);
        if (errno == ERANGE) {
          Fail(at, "unsigned integer literal out of range: " + t);
          return nullptr;
        }
        n->literal = CelVal::Uint(u);
        break;
      }
      case Tok::kDouble: {
        const double d = std::strtod(t.c_str(), nullptr);
        n->literal = CelVal::Double(negate ? -d : d);
        break;
      }
      case Tok::kString: n->literal = CelVal::String(t); break;
      case Tok::kBytes: n->literal = CelVal::Bytes(t); break;
      case Tok::kTrue: n->literal = CelVal::Bool(true); break;
      case Tok::kFalse: n->literal = CelVal::Bool(false); break;
      case Tok::kNull: n->literal = CelVal::Null(); break;
      default: Fail(tok_.offset, "expected a literal"); return nullptr;
    }
    Advance();
    return Seal(std::move(n));
  }

  // Member chains: primary followed by .field, .method(args), [index].
  NodeP Member(NodeP start) {
    NodeP e = start ? std::move(start) : Primary();
    while (!failed_) {
      if (tok_.kind == Tok::kDot) {
        Advance();
        if (tok_.kind != Tok::kIdent) {
          if (tok_.kind == Tok::kQuestion) {
            Fail(tok_.offset, "optional field selection (.?) is not supported");
          } else {
            Fail(tok_.offset, "expected a field name after '.', found " + Describe(tok_));
          }
          return nullptr;
        }
        // Reserved words are valid field names after '.' (obj.metadata.namespace), as in cel-go.
        std::string name = tok_.text;
        const std::int32_t at = tok_.offset;
        Advance();
        if (tok_.kind == Tok::kLParen) {
          Advance();
          std::vector<NodeP> args = ArgList(Tok::kRParen, "')'");
          if (failed_) return nullptr;
          e = Call(std::move(name), at, std::move(e), std::move(args));
        } else {
          auto n = Make(CelNode::Op::kSelect, at);
          n->name = std::move(name);
          n->args.push_back(std::move(e));
          e = Seal(std::move(n));
        }
      } else if (tok_.kind == Tok::kLBracket) {
        const std::int32_t at = tok_.offset;
        Advance();
        if (tok_.kind == Tok::kQuestion) {
          Fail(tok_.offset, "optional indexing ([?) is not supported");
          return nullptr;
        }
        NodeP index = Expr();
        if (!Expect(Tok::kRBracket, "']'")) return nullptr;
        auto n = Make(CelNode::Op::kIndex, at);
        n->args.push_back(std::move(e));
        n->args.push_back(std::move(index));
        e = Seal(std::move(n));
      } else {
        break;
      }
    }
    return failed_ ? nullptr : std::move(e);
  }

  std::vector<NodeP> ArgList(Tok close, const char* close_text) {
    std::vector<NodeP> args;
    if (tok_.kind == close) {
      Advance();
      return args;
    }
    while (!failed_) {
      args.push_back(Expr());
      if (failed_) break;
      if (tok_.kind == Tok::kComma) {
        Advance();
        if (close == Tok::kRBracket && tok_.kind == close) {  // trailing comma in a list
          Advance();
          break;
        }
        continue;
      }
      Expect(close, close_text);
      break;
    }
    return args;
  }

  NodeP Primary() {
    const std::int32_t at = tok_.offset;
    switch (tok_.kind) {
      case Tok::kInt:
      case Tok::kUint:
      case Tok::kDouble:
      case Tok::kString:
      case Tok::kBytes:
      case Tok::kTrue:
      case Tok::kFalse:
      case Tok::kNull: return Literal(false, at);
      case Tok::kLParen: {
        Advance();
        NodeP e = Expr();
        if (!Expect(Tok::kRParen, "')'")) return nullptr;
        return e;
      }
      case Tok::kLBracket: {
        Advance();
        auto n = Make(CelNode::Op::kList, at);
        n->args = ArgList(Tok::kRBracket, "']'");
        if (failed_) return nullptr;
        return Seal(std::move(n));
      }
      case Tok::kLBrace: {
        Advance();
        auto n = Make(CelNode::Op::kMap, at);
        while (!failed_ && tok_.kind != Tok::kRBrace) {
          n->args.push_back(Expr());
          if (!Expect(Tok::kColon, "':' in a map literal")) return nullptr;
          n->args.push_back(Expr());
          if (failed_) return nullptr;
          if (tok_.kind == Tok::kComma) {
            Advance();
          } else if (tok_.kind != Tok::kRBrace) {
            Fail(tok_.offset, "expected ',' or '}' in a map literal, found " + Describe(tok_));
          }
        }
        if (!Expect(Tok::kRBrace, "'}'")) return nullptr;
        return Seal(std::move(n));
      }
      case Tok::kDot:
        Advance();  // a leading '.' names the root scope: .object == object
        if (tok_.kind != Tok::kIdent) {
          Fail(tok_.offset, "expected an identifier after a leading '.'");
          return nullptr;
        }
        return Primary();
      case Tok::kIdent: {
        std::string name = tok_.text;
        if (Reserved().count(name)) {
          Fail(at, "reserved identifier '" + name + "'");
          return nullptr;
        }
        Advance();
        if (tok_.kind == Tok::kLParen) {
          Advance();
          std::vector<NodeP> args = ArgList(Tok::kRParen, "')'");
          if (failed_) return nullptr;
          return Call(std::move(name), at, nullptr, std::move(args));
        }
        if (tok_.kind == Tok::kLBrace) {
          Fail(tok_.offset, "message construction (Type{...}) is not supported");
          return nullptr;
        }
        auto n = Make(CelNode::Op::kIdent, at);
        n->name = std::move(name);
        return Seal(std::move(n));
      }
      default:
        Fail(at, "unexpected " + Describe(tok_));
        return nullptr;
    }
  }

  // Function calls and macros. `target` is the receiver (null for global calls).
  NodeP Call(std::string name, std::int32_t at, NodeP target, std::vector<NodeP> args) {
    if (!target && name == "has") {
      if (args.size() != 1 || args[0]->op != CelNode::Op::kSelect) {
        Fail(at, "has() takes one field selection, e.g. has(object.metadata.labels)");
        return nullptr;
      }
      auto n = Make(CelNode::Op::kHas, at);
      n->name = args[0]->name;
      n->args.push_back(std::move(args[0]->args[0]));
      return Seal(std::move(n));
    }
    if (target) {
      CelMacro macro;
      bool is_macro = true;
      if (name == "all") macro = CelMacro::kAll;
      else if (name == "exists") macro = CelMacro::kExists;
      else if (name == "exists_one") macro = CelMacro::kExistsOne;
      else if (name == "map") macro = args.size() == 3 ? CelMacro::kMapFilter : CelMacro::kMap;
      else if (name == "filter") macro = CelMacro::kFilter;
      else is_macro = false;
      if (is_macro) {
        const std::size_t want = macro == CelMacro::kMapFilter ? 3 : 2;
        if (args.size() != want && !(name == "map" && args.size() == 2)) {
          Fail(at, name + "() takes " + (name == "map" ? std::string("2 or 3") : std::to_string(want)) +
                       " arguments: a variable name and an expression");
          return nullptr;
        }
        if (args[0]->op != CelNode::Op::kIdent) {
          Fail(args[0]->offset, name + "(): the first argument must be a simple variable name");
          return nullptr;
        }
        auto n = Make(CelNode::Op::kComprehension, at);
        n->macro = macro;
        n->name = args[0]->name;
        n->args.push_back(std::move(target));
        for (std::size_t i = 1; i < args.size(); ++i) n->args.push_back(std::move(args[i]));
        return Seal(std::move(n));
      }
    }
    const FnSpec* spec = FindFn(name);
    if (!spec) {
      Fail(at, "undeclared reference to '" + name + "'");
      return nullptr;
    }
    const int arity = static_cast<int>(args.size());
    if (target ? (spec->receiver_arity != arity && spec->receiver_arity2 != arity) : spec->global_arity != arity) {
      Fail(at, "found no matching overload for '" + name + "' applied to " + (target ? "a receiver and " : "") +
                   std::to_string(arity) + " argument" + (arity == 1 ? "" : "s"));
      return nullptr;
    }
    auto n = Make(CelNode::Op::kCall, at);
    n->name = std::move(name);
    n->fn = spec->fn;
    n->receiver = target != nullptr;
    if (target) n->args.push_back(std::move(target));
    for (auto& a : args) n->args.push_back(std::move(a));
    if (n->fn == CelFn::kMatches && n->args.size() == 2 && n->args[1]->op == CelNode::Op::kLiteral &&
        n->args[1]->literal.kind() == CelVal::Kind::kString) {
      Result<Regex> re = Regex::Compile(n->args[1]->literal.text());
      if (!re.ok()) {
        Fail(n->args[1]->offset, re.status().message());
        return nullptr;
      }
      n->regex = std::make_shared<const Regex>(std::move(*re));
    }
    return Seal(std::move(n));
  }

  Lexer lex_;
  const CelCompileOptions& options_;
  Token tok_;
  bool failed_ = false;
  SyntaxError error_;
  int recursion_ = 0;
};

// Static check: every identifier is a declared variable, an iteration
// variable in scope or a type name.
bool CheckNames(const CelNode& n, const std::set<std::string>& declared, std::vector<std::string>* scope,
                SyntaxError* err) {
  if (n.op == CelNode::Op::kIdent) {
    for (const std::string& s : *scope) {
      if (s == n.name) return true;
    }
    if (declared.count(n.name) || IsTypeName(n.name)) return true;
    *err = {n.offset, "undeclared reference to '" + n.name + "'"};
    return false;
  }
  if (n.op == CelNode::Op::kComprehension) {
    if (!CheckNames(*n.args[0], declared, scope, err)) return false;
    scope->push_back(n.name);
    for (std::size_t i = 1; i < n.args.size(); ++i) {
      if (!CheckNames(*n.args[i], declared, scope, err)) {
        scope->pop_back();
        return false;
      }
    }
    scope->pop_back();
    return true;
  }
  for (const auto& a : n.args) {
    if (!CheckNames(*a, declared, scope, err)) return false;
  }
  return true;
}

}  // namespace

CelProgram::~CelProgram() = default;

std::pair<std::int32_t, std::int32_t> CelProgram::Position(std::int32_t offset) const {
  std::int32_t line = 1, column = 1;
  const auto end = std::min<std::size_t>(static_cast<std::size_t>(std::max(offset, 0)), text_.size());
  for (std::size_t i = 0; i < end; ++i) {
    const auto c = static_cast<unsigned char>(text_[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;  // count code points, not bytes
    }
  }
  return {line, column};
}

std::string CelProgram::ErrorText(const CelVal& error) const {
  if (error.error_offset() < 0) return error.text();
  auto [line, column] = Position(error.error_offset());
  return std::to_string(line) + ":" + std::to_string(column) + ": " + error.text();
}

Result<std::shared_ptr<const CelProgram>> CelProgram::Compile(std::string_view text, const CelCompileOptions& options) {
  if (text.size() > options.max_length) {
    return InvalidArgumentError("1:1: expression is " + std::to_string(text.size()) + " bytes long (the limit is " +
                                std::to_string(options.max_length) + ")");
  }
  std::shared_ptr<CelProgram> program(new CelProgram());
  program->text_ = std::string(text);
  program->options_ = options;
  Parser parser(program->text_, options);
  std::unique_ptr<CelNode> root = parser.ParseAll();
  SyntaxError err;
  bool ok = !parser.failed() && root;
  if (!ok) {
    err = parser.error();
    if (!parser.failed()) err = {0, "empty expression"};
  } else {
    const std::set<std::string> declared(options.variables.begin(), options.variables.end());
    std::vector<std::string> scope;
    ok = CheckNames(*root, declared, &scope, &err);
  }
  if (!ok) {
    auto [line, column] = program->Position(err.offset);
    return InvalidArgumentError(std::to_string(line) + ":" + std::to_string(column) + ": " + err.message);
  }
  program->root_ = std::move(root);
  return std::shared_ptr<const CelProgram>(std::move(program));
}

namespace {

// Collects the first select chain rooted at `variable` (pre-order).
bool FirstPath(const CelNode& n, std::string_view variable, std::vector<std::string>* out) {
  if (n.op == CelNode::Op::kSelect || n.op == CelNode::Op::kIndex || n.op == CelNode::Op::kHas) {
    std::vector<std::string> path;
    const CelNode* cur = &n;
    while (true) {
      if (cur->op == CelNode::Op::kSelect || cur->op == CelNode::Op::kHas) {
        path.push_back(cur->name);
        cur = cur->args[0].get();
      } else if (cur->op == CelNode::Op::kIndex && cur->args[1]->op == CelNode::Op::kLiteral &&
                 (cur->args[1]->literal.kind() == CelVal::Kind::kString ||
                  cur->args[1]->literal.kind() == CelVal::Kind::kInt)) {
        const CelVal& k = cur->args[1]->literal;
        path.push_back(k.kind() == CelVal::Kind::kString ? k.text() : std::to_string(k.as_int()));
        cur = cur->args[0].get();
      } else {
        break;
      }
    }
    if (cur->op == CelNode::Op::kIdent && cur->name == variable) {
      out->assign(path.rbegin(), path.rend());
      return true;
    }
  }
  for (const auto& a : n.args) {
    if (FirstPath(*a, variable, out)) return true;
  }
  return false;
}

bool UsesName(const CelNode& n, std::string_view variable) {
  if (n.op == CelNode::Op::kIdent && n.name == variable) return true;
  for (const auto& a : n.args) {
    if (UsesName(*a, variable)) return true;
  }
  return false;
}

}  // namespace

bool CelProgram::Uses(std::string_view variable) const { return root_ && UsesName(*root_, variable); }

std::vector<std::string> CelProgram::FirstPathOf(std::string_view variable) const {
  std::vector<std::string> out;
  if (root_) FirstPath(*root_, variable, &out);
  return out;
}

}  // namespace kfix::internal
