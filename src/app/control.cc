#include "app/control.h"

namespace ordo::app {

Result<RequestAnswer> RecordControl(Store& store, const ApplyRecord& apply, RequestKind kind,
                                    std::string_view requested_by) {
  // An accepted cancel records its stop in the same transaction (the store's decision).
  return store.RequestControl(apply.id, kind, requested_by);
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

}  // namespace ordo::app
