#include "store/values.h"

#include <optional>
#include <set>
#include <string>

namespace ordo {
namespace {

template <typename T>
Result<T> Stored(std::string_view column, std::string_view text,
                 std::optional<T> (*parse)(std::string_view)) {
  std::optional<T> value = parse(text);
  if (!value)
    return Internal("unknown " + std::string(column) + " \"" + std::string(text) +
                    "\" in the store");
  return *value;
}

template <typename T>
Status OneOf(std::string_view field, const std::string& value,
             std::optional<T> (*parse)(std::string_view), std::string_view allowed) {
  if (parse(value)) return Status::Ok();
  return InvalidArgument("apply: " + std::string(field) + " \"" + value + "\" is not one of " +
                         std::string(allowed));
}

}  // namespace

Status ValidateNewApply(const NewApply& apply) {
  if (apply.database.empty()) return InvalidArgument("apply: empty database");
  if (apply.environment.empty()) return InvalidArgument("apply: empty environment");
  if (apply.operations.empty()) return InvalidArgument("apply: no deployments");
  std::set<std::string> seen;
  for (const auto& op : apply.operations) {
    if (op.deployment.empty()) return InvalidArgument("apply: empty deployment name");
    if (!seen.insert(op.deployment).second)
      return InvalidArgument("apply: deployment " + op.deployment + " listed twice");
  }
  ORDO_RETURN_IF_ERROR(OneOf("cutover_policy", apply.cutover_policy, &ParseCutoverPolicyExact,
                             "rolling, barrier, parallel"));
  return OneOf("on_failure", apply.on_failure, &ParseOnFailureExact, "halt, continue, pause");
}

Result<OperationState> StoredOperationState(std::string_view text) {
  return Stored("operation state", text, &ParseOperationState);
}

Result<ApplyState> StoredApplyState(std::string_view text) {
  return Stored("apply state", text, &ParseApplyState);
}

Result<RequestKind> StoredRequestKind(std::string_view text) {
  return Stored("request kind", text, &ParseRequestKind);
}

Result<RequestStatus> StoredRequestStatus(std::string_view text) {
  return Stored("request status", text, &ParseRequestStatus);
}

bool TransitionClearsError(OperationState to, const std::optional<std::string>& error) {
  if (error) return false;
  return to == OperationState::kRevertWindow || to == OperationState::kCompleted ||
         to == OperationState::kReverted;
}

}  // namespace ordo
