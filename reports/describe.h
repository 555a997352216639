// What the text report and the picture say alike: a scenario in a kernel
// developer's words, and which events of an execution are the fatal ones.
#pragma once

#include <string>
#include <vector>

#include "schedule.pb.h"
#include "schedules/engine.h"

namespace dcfuzz {

// "v4 (2/7, 6/7 and 7/7 as posted: both bugs)"
std::string describe_kernel(const pb::Scenario& scenario);
// The system call an operation stands for: stat("d/foo"), rename("a", "b").
std::string describe_op(const pb::Op& op);
// One thread's program: "stat("d/foo"); unlink("d/x")".
std::string describe_thread(const pb::Thread& thread);
// The initial tree, one line per node: "/d/  directory, disconnected alias".
std::vector<std::string> describe_tree(const pb::Scenario& scenario);

// Per trace event: is it one of the events the finding is about? The last
// event (where the detector fired), except for a hang; for a hang or a lost
// wakeup, where each thread that never wakes went to sleep; for a lost
// wakeup, also the last clearing of PAR_LOOKUP.
std::vector<bool> fatal_events(const Execution& execution);

// Index of the first trace event after each preemption of `schedule`, or
// trace.size() when it took effect after the last event: where a reader sees
// the interleaving turn.
std::vector<size_t> preemption_positions(const pb::Schedule& schedule, const Execution& execution);

}  // namespace dcfuzz
