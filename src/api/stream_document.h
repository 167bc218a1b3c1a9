// What an apply's page shows, as one JSON document: the apply's document (as
// GET /v1/applies/{id}), the controls — for each request, whether the store would accept
// it now — and the rollout timeline. GET /v1/applies/{id}/stream sends it each time it
// changes (routes_stream.cc).
//
// The controls come from the store's own decision (core/request_decision.h) over the
// rows just read, so the console enables exactly the buttons whose request would be
// accepted, including a start's check that no other apply holds one of the deployments
// (Store::HolderOfDeployments). It is a preview: the request decides again, and its
// answer is what the console shows.
//
// Thread-safety: pure functions, and a load as thread-safe as the store.
//
//   ORDO_ASSIGN_OR_RETURN(nlohmann::json page, LoadPageDocument(store, "ap_…", now, window));
//   if (PageKey(page) != last_key) send(page);
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/request_decision.h"
#include "ordo/status.h"
#include "ordo/store.h"

namespace ordo::api {

// {"stop":{"outcome":"accepted","accepted":true,"reason":null},
//  "revert":{"outcome":"refused","accepted":false,"reason":"revert applies only during a
//  revert window"}, …}: one member per request, named as in the URL (skip-revert).
// `holder` answers a start's question of other applies (asked only for a start every
// other rule accepts).
nlohmann::json ControlsDocument(const RequestFacts& facts, const DeploymentHolderLookup& holder);

// {"apply":{…},"controls":{…},"timeline":{…}} of the apply "ap_…" at `now`;
// `revert_window`: the environment's window length (0: unknown). NotFound naming the id;
// the store's errors as they come.
Result<nlohmann::json> LoadPageDocument(Store& store, std::string_view external_id, Micros now,
                                        Micros revert_window);

// What tells two page documents apart for a person: the document without what moves
// with the clock alone (the timeline's "now" and an open revert window's time left),
// which the console counts down itself.
std::string PageKey(const nlohmann::json& page);

}  // namespace ordo::api
