// Metadata and API versions: nothing kfix can derive, with the reason.
// Fix generators of this domain; the file registers its own entries (remediate/generator_helpers.hpp).
#include "remediate/generator_helpers.hpp"

namespace kfix::internal::generators {

KFIX_REGISTER_GENERATORS(metadata) {
  registry.Unfixable({
    {"no-extensions-v1beta",
     "migrating to a new API group changes apiVersion and usually the schema; kfix never changes apiVersion"},
    {"use-namespace", "the target namespace is a deployment decision"},
    {"required-label-owner", "the owner cannot be derived from the manifest"},
    {"required-annotation-email", "the owner's e-mail cannot be derived from the manifest"},
  });
}

}  // namespace kfix::internal::generators
