// Following one apply to its end from the CLI: embedded (a SQLite store) runs a
// worker in this process and drives the apply; otherwise (`watch`, an apply against a
// fleet store) it only watches. Either way the live view shows progress until the
// apply settles, or stops.
//
// Ctrl-C or SIGTERM while driving records a stop (the apply stays resumable with
// `ordo start`), lets copies stop at their next safe point and a running cutover
// finish, then exits; a second signal exits at once (what was left is recovered
// once its lease is stale). While only watching, a signal just stops watching.
//
// Thread-safety: call from the command's main thread.
#pragma once

#include <optional>
#include <string>

#include "cli/session.h"
#include "ordo/store.h"

namespace ordo::cli {

struct FollowOptions {
  bool drive = false;     // run a worker in-process (embedded mode)
  bool view = true;       // show the live view (on stdout)
  bool tty = false;       // redraw in place
  bool timeline = false;  // draw the rollout timeline (cli/timeline_render.h)
  // A control command that drives: also end once its own request has failed (e.g. a
  // revert the engine refused), since nothing will carry it out.
  std::optional<RequestKind> request;
};

struct FollowResult {
  ApplyState state = ApplyState::kPending;
  bool interrupted = false;  // a signal ended it early
};

Result<FollowResult> FollowApply(Session& session, const std::string& external_id,
                                 const FollowOptions& options);

// The terminal's width (stdout), 80 when it has none.
int TerminalColumns();

// After a Ctrl-C that only stopped watching (nothing here drives the apply): says so
// on stderr, and that the apply goes on. The command then exits kExitInterrupted.
void SayStillRunning(const std::string& external_id);

// True for a store URL of the embedded kind (sqlite:…).
bool IsEmbeddedStore(const std::string& url);

// "host/pid" for lease owners.
std::string OwnerPrefix();

}  // namespace ordo::cli
