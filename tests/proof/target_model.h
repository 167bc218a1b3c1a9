// What the engine does to a target, as the model sees it: one table per deployment,
// and the ordo objects an operation may have there — its shadow (`<t>_ordo_new`), the
// old table kept through its revert window (`<t>_ordo_old`) and its fence row. The
// engine never touches another operation's objects: a shadow of another operation
// refuses the copy (ownership is recorded on the target).
//
// Thread-safety: functions over values.
#pragma once

#include "world.h"

namespace ordo::proof {

// Copy: creates the operation's shadow and fence (nothing after its swap). False when
// another operation's shadow is there.
bool CreateShadow(State& s, int op);
// Cutover (with its catch-up): the shadow becomes the table; the old one is kept with
// the fence (for the window, or until the swap is finished). After an earlier swap:
// nothing. False when another operation's shadow is there.
bool CatchUpAndSwap(State& s, int op);
// The engine finds no window to keep: nothing swapped, or the old table is gone.
bool WindowOver(const State& s, int op);
// Revert: the old table comes back; the new one and the fence go.
void RevertOnTarget(State& s, int op);
// The window's end, or the end of a swap without one: the old table and the fence go.
void FinishWindow(State& s, int op);
// Cancel: the shadow and the fence go (refused after a swap: nothing changes).
void DropShadow(State& s, int op);

}  // namespace ordo::proof
