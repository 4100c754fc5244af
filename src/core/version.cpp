#include "kfix/version.hpp"

namespace kfix {
const char* VersionString() noexcept { return KFIX_VERSION_STRING; }
int VersionNumber() noexcept { return KFIX_VERSION_NUMBER; }
}  // namespace kfix
