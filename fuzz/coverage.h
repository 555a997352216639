// Interleaving coverage: libFuzzer's extra counters, fed from the model's
// events. For every object (a lock, a dentry's flags, a wait variable) a
// feature is a hand-off: the pair (previous event on it, this event), which
// function did what, when another thread did the previous one. A lock
// handed from one thread to another, a wake that meets a waiter, a wait that
// comes after the wake -- each is a feature that plain edge coverage of
// core/ does not see. Counts are kept, so libFuzzer's count buckets apply.
#pragma once

#include <cstddef>
#include <cstdint>

#include "schedules/engine.h"

namespace dcfuzz {

// The counters libFuzzer reads after every execution (and clears before it).
constexpr size_t kInterleavingCounters = 1 << 13;
uint8_t* interleaving_counters();

// One more counter, set by every execution of a schedule whatever it ran (with
// or without interleaving coverage): libFuzzer keeps a first input only when
// it shows a feature, and a campaign from an empty corpus starts from
// libFuzzer's one-byte input, which runs the empty schedule -- no model code,
// so no other feature. (It used to have two: the global operator delete's
// edges, which now stay out of the counters.)
void note_schedule_ran();

class InterleavingCoverage final : public EventListener {
 public:
  // Starts an execution: forgets the previous events on every object.
  void begin();
  void on_event(const Event& event) override;

 private:
  struct Last {
    uint32_t object;
    uint32_t generation;  // == generation_: valid in this execution
    uint32_t signature;   // hash of function and what
    int thread;
  };
  static constexpr size_t kSlots = 512;  // objects of one execution (open addressing)
  Last* slot_for(uint32_t object);

  // The hash of an event's function and what, remembered by the addresses of
  // the two literals (Event says they are literals): hashing the text at
  // every event cost more than all the rest of on_event.
  struct Signature {
    const char* function;
    const char* what;
    uint32_t hash;
    bool valid;
  };
  static constexpr size_t kSignatures = 512;  // direct-mapped; a clash just rehashes
  uint32_t signature_of(const Event& event);

  Last slots_[kSlots] = {};
  uint32_t generation_ = 0;
  Signature signatures_[kSignatures] = {};
};

}  // namespace dcfuzz
