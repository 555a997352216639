// The recorder: turns what an execution did into the canonical sparse form of
// a schedule -- only the decisions that differ from the default policy
// (preemptions), the random choices that are not 0, and the allocations that
// failed. Replaying the recording repeats the execution exactly.
#pragma once

#include <cstdint>

#include "schedule.pb.h"

namespace dcfuzz {

class Recorder {
 public:
  void begin(pb::Schedule* out) {
    out_ = out;
    out_->Clear();
  }
  void preemption(uint32_t step, int thread) {
    auto* p = out_->add_preemptions();
    p->set_step(step);
    p->set_thread(static_cast<uint32_t>(thread) + 1);
  }
  void choice(uint32_t call, uint32_t value) {
    auto* c = out_->add_choices();
    c->set_call(call);
    c->set_value(value);
  }
  void fault(int thread, uint32_t nth_of_thread) {
    auto* f = out_->add_faults();
    f->set_thread(static_cast<uint32_t>(thread) + 1);
    f->set_nth(nth_of_thread);
  }

 private:
  pb::Schedule* out_ = nullptr;
};

}  // namespace dcfuzz
