// Go encoding/json string escaping, shared by the byte-compatibility profiles
// that must reproduce Go-written bytes (the k8s4claw receipt in claw.cpp, the
// agentmoat plan hash in src/playbooks/gvisor/).
#pragma once

#include <string>
#include <string_view>

namespace kfix::internal {

/// Appends `s` as Go's encoding/json writes a string: HTMLEscape on (< > &
/// as \u003c \u003e \u0026), Go >= 1.22 short escapes (\b \f \n \r \t),
/// other controls as \u00xx, U+2028/U+2029 escaped, each invalid UTF-8 byte
/// as \ufffd.
void AppendGoString(std::string& out, std::string_view s);

}  // namespace kfix::internal
