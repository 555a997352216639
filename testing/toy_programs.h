// Small classic concurrency bugs written on the engine's primitives, for the
// engine's own tests and benchmarks.
#pragma once

#include <memory>

#include "core/program.h"
#include "core/scenario.h"

namespace dcfuzz::toy {

// Lock-order inversion: T1 takes A then B, T2 takes B then A. Deadlocks only
// if T2 takes B between T1's two locks.
std::unique_ptr<Program> make_lock_inversion();

// Lost wakeup: the waiter checks a flag, then sleeps, without a lock; the
// waker sets the flag and wakes. If the waker runs between the check and the
// sleep, the waiter sleeps for ever. The waiter hangs -> a finding.
std::unique_ptr<Program> make_lost_wakeup();

// A bug behind a failed allocation only: each of two threads takes a
// reference, then allocates (Host::should_fail_alloc); the -ENOMEM path
// returns without dropping it, and says so as a finding. No interleaving
// shows it without a fault.
std::unique_ptr<Program> make_leak_on_enomem();

// `threads` threads each increment a shared counter `rounds` times under a
// mutex (no bug), with model events; for determinism and memory checks.
std::unique_ptr<Program> make_counter(int threads, int rounds);

// The dcache model on `scenario` with one reference put too many, as a
// patch's extra dput: T2 first puts the first dentry T1's ops killed (if
// any), then runs its own ops.
std::unique_ptr<Program> make_dcache_putting_a_dead_dentry(Scenario scenario);

}  // namespace dcfuzz::toy
