// A strategy decides what a schedule leaves open: which thread runs at each
// scheduling decision, the value of each engine random choice, and which
// allocations fail. Replaying a schedule is one strategy (replay.h); random
// walk and PCT are others. Whatever the strategy, the engine records the
// execution back into a canonical schedule (recorder.h).
#pragma once

#include <cstdint>

namespace dcfuzz {

// One scheduling decision. `runnable` is sorted; `fallback` is the thread
// the default policy picks (the current thread if it can go on, else the
// next runnable one after it, cyclically).
struct Decision {
  uint32_t step;  // 0-based index of this decision in the execution
  int current;    // thread that ran last (-1 at the start)
  bool yielded;   // the current thread yielded (spin-wait)
  const int* runnable;
  int runnable_count;
  int fallback;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual const char* name() const = 0;
  // A new execution of a program with `threads` threads starts.
  virtual void begin(int threads) = 0;
  // Returns a thread; a thread that is not runnable means the fallback.
  virtual int pick_thread(const Decision& decision) = 0;
  // The `call`-th random choice of the execution, in [0, limit).
  virtual uint32_t pick_value(uint32_t call, uint32_t limit) = 0;
  // Allocation number `nth_global` of the execution (1-based), which is
  // number `nth_of_thread` of thread `thread`: does it fail?
  virtual bool fail_alloc(int thread, uint32_t nth_of_thread, uint32_t nth_global) = 0;
};

}  // namespace dcfuzz
