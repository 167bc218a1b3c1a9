// Control requests as the user surface records them (a use case the CLI and the HTTP
// API share): the store stores the intent and answers accepted / already requested /
// refused. On top of that, an accepted cancel also records a stop (nothing more
// starts or cuts over while held work is cancelled).
//
// The caller wakes its in-process worker (Worker::Notify) after an accepted request;
// other processes see it at their next poll.
//
// Thread-safety: as the store.
//
//   ORDO_ASSIGN_OR_RETURN(RequestAnswer a, RecordControl(store, apply, RequestKind::kStop, "cli"));
#pragma once

#include <string>
#include <string_view>

#include "ordo/store.h"

namespace ordo::app {

Result<RequestAnswer> RecordControl(Store& store, const ApplyRecord& apply, RequestKind kind,
                                    std::string_view requested_by);

// "accepted", "already requested", "refused: <why>".
std::string DescribeAnswer(const RequestAnswer& answer);

// Parses a CLI / URL spelling ("skip-revert" or "skip_revert", …); nullopt if unknown.
std::optional<RequestKind> ParseControlVerb(std::string_view verb);

}  // namespace ordo::app
