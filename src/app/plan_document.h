// A plan as JSON: what `ordo plan --json` prints and `POST /v1/plans` answers.
//
//   {"database": "shop", "environment": "production", "schema_dir": "schema/shop",
//    "desired_hash": "…", "changes": true,
//    "drift": {"drifted": true, "groups": [{"deployments": ["eu-1"], "live_fingerprint": "…",
//              "differences": [{"table": "t", "kind": "alter", "statement": "…",
//                               "details": ["…"]}]}, …]},
//    "deployments": [{"deployment": "eu-1", "schema": "shop", "live_fingerprint": "…",
//                     "tables_changed": ["t"], "statements": ["ALTER TABLE `t` …"],
//                     "changes": [{"table": "t", "kind": "alter", "statement": "…",
//                                  "details": ["…"]}],
//                     "findings": [{"severity": "unsafe", "rule": "drop-column",
//                                   "table": "t", "column": "c", "index": null,
//                                   "message": "…"}]}]}
//
// Thread-safety: a pure function.
#pragma once

#include <nlohmann/json.hpp>

#include "app/plan.h"

namespace ordo::app {

nlohmann::json PlanDocument(const PlanResult& plan);

}  // namespace ordo::app
