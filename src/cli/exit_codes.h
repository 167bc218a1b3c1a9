// Exit codes of `ordo` (docs/guide.md) and the one place a Status becomes one.
//
// Thread-safety: pure functions.
#pragma once

#include "ordo/model.h"
#include "ordo/status.h"

namespace ordo::cli {

inline constexpr int kExitOk = 0;
// The apply ended failed, stopped, cancelled or reverted; a control request was refused.
inline constexpr int kExitNotCompleted = 1;
inline constexpr int kExitUsage = 2;        // usage, config or input error
inline constexpr int kExitUnreachable = 3;  // the store or a target is unreachable
// `ordo lint` found a blocked finding; `ordo plan` found a blocked one, or an unsafe one
// without --allow-unsafe (docs/guide.md, "Lint").
inline constexpr int kExitRefusedByLint = 4;
inline constexpr int kExitInterrupted = 130;  // Ctrl-C stopped watching; the apply goes on

// InvalidArgument, NotFound → 2; Unavailable → 3; anything else → 1.
int ExitCodeFor(const Status& status);
// completed → 0; everything else → 1.
int ExitCodeFor(ApplyState final_state);

}  // namespace ordo::cli
