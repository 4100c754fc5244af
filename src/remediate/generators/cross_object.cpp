// Cross-object references: Services and ServiceAccounts, the deprecated serviceAccount field.
// Fix generators of this domain; the file registers its own entries (remediate/generator_helpers.hpp).
#include "remediate/generator_helpers.hpp"

namespace kfix::internal::generators {
namespace {

Outcome FixDeprecatedServiceAccount(const GenCtx& g, OpBuilder& b) {
  Outcome w = NeedWorkload(g);
  if (w.status != ProposalStatus::kProposed) return w;
  const JsonPointer ps = g.view->pod_spec_pointer;
  const Value* spec = CurrentAt(b, ps);
  const Value* sa = Field(spec, "serviceAccount");
  if (!sa || sa->is_null()) return Outcome::Ok();
  const Value* san = Field(spec, "serviceAccountName");
  if ((!san || san->string_or().empty()) && !sa->string_or().empty()) b.Set(ps.Child("serviceAccountName"), *sa);
  b.Remove(ps.Child("serviceAccount"));
  return Outcome::Ok();
}

Outcome ReviewDanglingService(const GenCtx&, OpBuilder&) {
  return Outcome::Review(
      "the Service selector matches no pod in the lint context; whether the selector or the pod labels are wrong "
      "needs a human decision");
}

Outcome ReviewServiceAccount(const GenCtx&, OpBuilder&) {
  return Outcome::Review(
      "the ServiceAccount does not exist in the lint context; create it or reference an existing one (switching to "
      "\"default\" would be a regression)");
}

}  // namespace

KFIX_REGISTER_GENERATORS(cross_object) {
  registry.Add({
    {"deprecated-service-account-field", {FixDeprecatedServiceAccount, true}},
    {"dangling-service", {ReviewDanglingService, false}},
    {"non-existent-service-account", {ReviewServiceAccount, false}},
    {"dangling_service", {ReviewDanglingService, false}},
    {"non_existent_service_account", {ReviewServiceAccount, false}},
    {"deprecated_service_account_field", {FixDeprecatedServiceAccount, true}},
  });
  registry.Unfixable({
    {"default-service-account", "a dedicated ServiceAccount must be created first"},
  });
}

}  // namespace kfix::internal::generators
