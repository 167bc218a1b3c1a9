// Mutex and MutexLock: std::mutex and its scoped lock, annotated for Clang's thread
// safety analysis, so "this field is guarded by that mutex" is a checked fact rather
// than a comment.
//
//   class Counter {
//    public:
//     void Add(int n) {
//       MutexLock lock(&mu_);
//       total_ += n;
//     }
//    private:
//     Mutex mu_;
//     int total_ ORDO_GUARDED_BY(mu_) = 0;
//   };
//
// A field marked ORDO_GUARDED_BY(mu_) read or written without mu_ held, or a function
// marked ORDO_REQUIRES(mu_) called without it, is an error in the Clang build that
// scripts/check-thread-safety runs (`-Wthread-safety -Werror`); other compilers ignore
// the annotations. MutexLock is BasicLockable, so a std::condition_variable_any waits
// on it: `cv_.wait(lock, [&] { return ready_; })`.
//
// Thread-safety: a Mutex is shared between threads by design; a MutexLock belongs to
// the thread that made it.
#pragma once

#include <mutex>

#if defined(__clang__)
#define ORDO_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define ORDO_THREAD_ANNOTATION(x)
#endif

#define ORDO_CAPABILITY(x) ORDO_THREAD_ANNOTATION(capability(x))
#define ORDO_SCOPED_CAPABILITY ORDO_THREAD_ANNOTATION(scoped_lockable)
#define ORDO_GUARDED_BY(x) ORDO_THREAD_ANNOTATION(guarded_by(x))
#define ORDO_PT_GUARDED_BY(x) ORDO_THREAD_ANNOTATION(pt_guarded_by(x))
#define ORDO_REQUIRES(...) ORDO_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define ORDO_EXCLUDES(...) ORDO_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ORDO_ACQUIRE(...) ORDO_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ORDO_RELEASE(...) ORDO_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define ORDO_TRY_ACQUIRE(...) ORDO_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))

namespace ordo {

class ORDO_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() ORDO_ACQUIRE() { mu_.lock(); }
  void unlock() ORDO_RELEASE() { mu_.unlock(); }
  bool try_lock() ORDO_TRY_ACQUIRE(true) { return mu_.try_lock(); }

 private:
  std::mutex mu_;
};

// Holds `mu` from construction to destruction; unlock() and lock() let a condition
// variable release it while waiting.
class ORDO_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ORDO_ACQUIRE(mu) : mu_(mu) { mu_->lock(); }
  ~MutexLock() ORDO_RELEASE() {
    if (held_) mu_->unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void lock() ORDO_ACQUIRE() {
    mu_->lock();
    held_ = true;
  }
  void unlock() ORDO_RELEASE() {
    held_ = false;
    mu_->unlock();
  }

 private:
  Mutex* const mu_;
  bool held_ = true;
};

}  // namespace ordo
