// ORDO_CHECK and ORDO_DCHECK: internal invariants stated as checks.
//
// An invariant is something only a bug in ordo can make false: a state a table must
// hold, an index in range, a claim's state its gate admits. What the environment
// controls (a server's answer, a lost lease, bad input, a row in the store) is never
// checked this way: it is a Status.
//
// - ORDO_CHECK(cond) is always on. Use it where going on could corrupt data (a claim
//   handing out a row its gate does not admit, a swap of a table that is not ready).
// - ORDO_DCHECK(cond) is on in debug builds only; with NDEBUG it evaluates nothing
//   (the condition and the message are still compiled, so they keep type-checking).
//
// A failed check prints "file:line: ORDO_CHECK failed: <condition>" and whatever was
// streamed into it to stderr, then aborts.
//
//   ORDO_CHECK(IsSettled(op.state)) << "operation " << op.id;
//   ORDO_DCHECK(busy_ > 0);
//
// Thread-safety: a check may fail on any thread; the message is written in one call.
#pragma once

#include <cstddef>
#include <sstream>

namespace ordo::check_internal {

// Collects the message of a failed check; its destructor prints it and aborts.
class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* kind, const char* condition);
  CheckFailure(const CheckFailure&) = delete;
  CheckFailure& operator=(const CheckFailure&) = delete;
  [[noreturn]] ~CheckFailure();

  std::ostream& stream() { return message_; }

 private:
  std::ostringstream message_;
  size_t header_chars_ = 0;  // "file:line: kind failed: condition"
};

}  // namespace ordo::check_internal

// `while` rather than `if`: no dangling else, and the failure's destructor never
// returns, so the loop never runs twice.
#define ORDO_CHECK_IMPL(kind, cond) \
  while (!(cond)) ::ordo::check_internal::CheckFailure(__FILE__, __LINE__, kind, #cond).stream()

#define ORDO_CHECK(cond) ORDO_CHECK_IMPL("ORDO_CHECK", cond)

#ifdef NDEBUG
#define ORDO_DCHECK(cond)  \
  while (false && !(cond)) \
  ::ordo::check_internal::CheckFailure(__FILE__, __LINE__, "ORDO_DCHECK", #cond).stream()
#else
#define ORDO_DCHECK(cond) ORDO_CHECK_IMPL("ORDO_DCHECK", cond)
#endif
