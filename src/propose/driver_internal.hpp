// Internal: the model loop for one finding, over the guard's state (the fix
// pipeline calls it for propose runs, pipeline/fix.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "guard/guard_impl.hpp"
#include "kfix/propose.hpp"

namespace kfix::internal {

struct ModelOutcome {
  bool accepted = false;
  Verdict verdict;                       ///< the accepted verdict, or the last refused one (no gates: no answer)
  std::vector<ProposeAttempt> attempts;  ///< one per model answer (or transport error), in order
  std::string failure;                   ///< why no answer was accepted ("" when accepted)
};

/// Asks the model for a patch for finding `f` of object `index` and vets
/// every answer with GuardState::VetText (the gates and rescan of every
/// patch), feeding each refusal back, up to config.max_attempts answers.
/// The object is redacted before it is shown; placeholders in an answer get
/// their values back before vetting; a message that would still carry a
/// secret value is never sent. Stops early on a transport error (the
/// transport has already retried) or an exhausted budget.
ModelOutcome ProposeWithModel(const GuardState& g, std::size_t index, const Finding& f, const ModelProposer& model);

/// The first gate that failed on its own (not "skipped: ..."), or "".
std::string FirstFailingGate(const Verdict& v, std::string* detail = nullptr);

}  // namespace kfix::internal
