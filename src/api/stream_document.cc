#include "api/stream_document.h"

#include "api/documents.h"
#include "api/timeline_document.h"
#include "app/apply_view.h"
#include "app/timeline.h"

namespace ordo::api {
namespace {

constexpr RequestKind kControls[] = {
    RequestKind::kStop,       RequestKind::kStart,  RequestKind::kCutover, RequestKind::kRevert,
    RequestKind::kSkipRevert, RequestKind::kCancel, RequestKind::kRelease};

// The URL's spelling of a request: skip_revert → skip-revert.
std::string Verb(RequestKind kind) {
  std::string verb(ToString(kind));
  for (char& c : verb)
    if (c == '_') c = '-';
  return verb;
}

void DropClockFields(nlohmann::json& node) {
  if (node.is_array()) {
    for (auto& item : node) DropClockFields(item);
    return;
  }
  if (!node.is_object()) return;
  node.erase("now");
  if (node.contains("seconds_left")) {
    node.erase("seconds_left");
    node.erase("label");  // "revert window, 1:23 left"
  }
  for (auto& [key, value] : node.items()) DropClockFields(value);
}

}  // namespace

nlohmann::json ControlsDocument(const RequestFacts& facts, const DeploymentHolderLookup& holder) {
  static const char* const kOutcomes[] = {"accepted", "already_requested", "refused"};
  nlohmann::json doc = nlohmann::json::object();
  for (RequestKind kind : kControls) {
    auto decision = DecideRequest(facts, kind, holder);
    if (!decision.ok()) {
      doc[Verb(kind)] = {
          {"outcome", "unknown"}, {"accepted", false}, {"reason", decision.status().message()}};
      continue;
    }
    const RequestAnswer& answer = decision->answer;
    doc[Verb(kind)] = {{"outcome", kOutcomes[static_cast<int>(answer.outcome)]},
                       {"accepted", answer.outcome == RequestOutcome::kAccepted},
                       {"reason", answer.reason.empty() ? nlohmann::json(nullptr)
                                                        : nlohmann::json(answer.reason)}};
  }
  return doc;
}

Result<nlohmann::json> LoadPageDocument(Store& store, std::string_view external_id, Micros now,
                                        Micros revert_window) {
  ORDO_ASSIGN_OR_RETURN(app::ApplyView view, app::LoadApplyView(store, external_id));
  ORDO_ASSIGN_OR_RETURN(std::vector<ControlRequestRecord> requests,
                        store.ListRequests(view.apply.id));
  ORDO_ASSIGN_OR_RETURN(std::vector<EventRecord> events, store.ListEvents(view.apply.id));
  RequestFacts facts{view.apply, {}, std::move(requests)};
  for (const app::OperationView& op : view.operations) facts.operations.push_back(op.operation);
  app::Timeline timeline = app::BuildTimeline(view, events, now, revert_window);
  const int64_t apply_id = view.apply.id;
  DeploymentHolderLookup holder = [&store, apply_id](const std::vector<std::string>&) {
    return store.HolderOfDeployments(apply_id);
  };
  return nlohmann::json{{"apply", ApplyDocument(view)},
                        {"controls", ControlsDocument(facts, holder)},
                        {"timeline", TimelineDocument(timeline)}};
}

std::string PageKey(const nlohmann::json& page) {
  nlohmann::json copy = page;
  DropClockFields(copy);
  return copy.dump();
}

}  // namespace ordo::api
