// Status and Result<T>: ordo's error values.
//
// Expected failures (lease lost, not found, deadlock, server gone, bad input) are
// returned as values, never thrown. A Status carries a small code, a message and a
// `retryable` bit: retryable failures (deadlock, lock wait timeout, SQLITE_BUSY,
// target unreachable) may succeed if the caller tries again; the rest will not.
// Each backend maps its native errors to these codes in one place.
//
// Thread-safety: values; safe to copy and move between threads.
//
//   Result<int> r = ParsePort("3306");
//   if (!r.ok()) return r.status();
//   int port = *r;
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ordo {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input: config, DDL, identifiers
  kNotFound,            // the row or object does not exist
  kAlreadyExists,       // unique conflict
  kConflict,            // refused by the current state (e.g. deployment busy)
  kLeaseLost,           // a fenced write found another lease token
  kAborted,             // deadlock, lock wait timeout, busy: the transaction did nothing
  kUnavailable,         // server unreachable / connection lost
  kFailedPrecondition,  // the system is not in a state where this can run
  kDataLoss,            // a change would lose or alter rows (checksum mismatch, duplicates)
  kTimeout,             // a bounded wait expired (cutover lock, deadline)
  kCancelled,           // stopped on request
  kInternal,            // a bug or an unexpected server answer
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, bool retryable = false)
      : code_(code), retryable_(retryable), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // True when repeating the same call may succeed (deadlock, busy, unreachable).
  bool retryable() const { return retryable_; }
  const std::string& message() const { return message_; }

  bool Is(StatusCode code) const { return code_ == code; }
  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(std::string_view context) const;
  // "lease_lost: message" (with " (retryable)" when set); "ok" for success.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  bool retryable_ = false;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
inline Status LeaseLost(std::string m) { return {StatusCode::kLeaseLost, std::move(m)}; }
inline Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m), true}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m), true}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Timeout(std::string m) { return {StatusCode::kTimeout, std::move(m), true}; }
inline Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result built from an ok Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; an ok Status when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace ordo

#define ORDO_CONCAT_INNER(a, b) a##b
#define ORDO_CONCAT(a, b) ORDO_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not ok.
#define ORDO_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::ordo::Status ordo_status_ = (expr);        \
    if (!ordo_status_.ok()) return ordo_status_; \
  } while (0)

#define ORDO_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

// `ORDO_ASSIGN_OR_RETURN(auto x, Compute());` returns the error or binds the value.
#define ORDO_ASSIGN_OR_RETURN(lhs, expr) \
  ORDO_ASSIGN_OR_RETURN_IMPL(ORDO_CONCAT(ordo_result_, __LINE__), lhs, expr)
