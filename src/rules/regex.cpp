// RE2 wrapper (the only file including re2).
#include "rules/regex.hpp"

#include <re2/re2.h>

namespace kfix::internal {

struct Regex::Impl {
  explicit Impl(std::string_view p) : re(re2::StringPiece(p.data(), p.size()), Options()) {}
  static RE2::Options Options() {
    RE2::Options o;
    o.set_log_errors(false);
    return o;
  }
  RE2 re;
};

Regex::Regex() = default;
Regex::~Regex() = default;
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;
Regex::Regex(const Regex&) = default;
Regex& Regex::operator=(const Regex&) = default;

Result<Regex> Regex::Compile(std::string_view pattern) {
  auto impl = std::make_shared<Impl>(pattern);
  if (!impl->re.ok()) {
    return InvalidArgumentError("invalid regular expression \"" + std::string(pattern) + "\": " + impl->re.error());
  }
  Regex r;
  r.impl_ = std::move(impl);
  r.pattern_ = std::string(pattern);
  return r;
}

bool Regex::Search(std::string_view text) const noexcept {
  if (!impl_) return true;
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), impl_->re);
}

bool Regex::FullMatch(std::string_view text) const noexcept {
  if (!impl_) return true;
  return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), impl_->re);
}

}  // namespace kfix::internal
