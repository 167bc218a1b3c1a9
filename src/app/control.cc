#include "app/control.h"

#include "operator/engine_factory.h"

namespace ordo {

Result<RequestAnswer> RecordControl(Store& store, const ApplyRecord& apply, RequestKind kind,
                                    std::string_view requested_by,
                                    const ControlCapabilities& caps) {
  // An accepted cancel records its stop in the same transaction (the store's decision).
  ORDO_ASSIGN_OR_RETURN(RequestAnswer answer, store.RequestControl(apply.id, kind, requested_by));
  if (kind == RequestKind::kRevert && answer.outcome == RequestOutcome::kAccepted &&
      !caps.can_revert) {
    // Recorded first so the refusal shows in status and logs like any other.
    ORDO_RETURN_IF_ERROR(store.FailRequest(apply.id, kind, kRevertUnsupported));
    return RequestAnswer{RequestOutcome::kRefused, kRevertUnsupported};
  }
  return answer;
}

std::string DescribeAnswer(const RequestAnswer& answer) {
  switch (answer.outcome) {
    case RequestOutcome::kAccepted:
      return "accepted";
    case RequestOutcome::kAlreadyRequested:
      return "already requested";
    case RequestOutcome::kRefused:
      return "refused: " + answer.reason;
  }
  return "refused: " + answer.reason;
}

std::optional<RequestKind> ParseControlVerb(std::string_view verb) {
  std::string s(verb);
  for (char& c : s)
    if (c == '-') c = '_';
  return ParseRequestKind(s);
}

}  // namespace ordo
