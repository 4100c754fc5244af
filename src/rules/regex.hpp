// rules/regex.hpp - the one place kfix touches RE2 (internal).
//
// kube-linter compiles its patterns with Go's `regexp`, whose syntax RE2
// implements; `Regex::Search` has Go's `MatchString` semantics (unanchored).
// Compiled patterns are immutable and safe to share across threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "kfix/status.hpp"

namespace kfix::internal {

class Regex {
 public:
  Regex();
  ~Regex();
  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;
  Regex(const Regex&);
  Regex& operator=(const Regex&);

  /// Compiles `pattern` (RE2 / Go syntax). Errors are kInvalidArgument with
  /// RE2's reason.
  static Result<Regex> Compile(std::string_view pattern);

  /// Unanchored search (Go's MatchString). A default-constructed Regex
  /// matches everything.
  bool Search(std::string_view text) const noexcept;
  /// The whole text must match.
  bool FullMatch(std::string_view text) const noexcept;
  const std::string& pattern() const noexcept { return pattern_; }

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
  std::string pattern_;
};

}  // namespace kfix::internal
