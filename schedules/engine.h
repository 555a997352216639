// The engine: runs a Program under a Strategy on Relacy, exactly, and
// returns what happened with the execution recorded as a canonical schedule.
//
// One Relacy context per thread count lives for the whole process, on its own
// stack: each run() resumes it for one iteration, so memory stays flat over
// millions of executions. A finding ends that context; the next run() starts
// a new one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/program.h"
#include "schedule.pb.h"
#include "schedules/strategy.h"

namespace dcfuzz {

constexpr int kMaxThreads = 4;

struct TraceEvent {
  uint32_t step;
  int thread;  // 0-based
  std::string function;
  std::string what;
  std::string object;
  EventKind kind = EventKind::other;
};

// One task when a finding fired (TaskSnapshot, copied): the report's call
// traces and lock lists come from here.
struct TaskAtFinding {
  struct Held {
    std::string object, kind, function;
    bool shared = false;
  };
  int thread = 0;
  int op = -1;
  std::string state;
  std::vector<std::string> frames;  // the model's call chain, outermost first
  std::string wait_function, wait_what, wait_object, wait_kind, wait_lookup_dentry;
  bool wait_on_lock = false, wait_shared = false;
  int wait_lookup_owner = -1;
  uint32_t blocked_at = 0;
  std::vector<Held> held;
  bool blocked() const { return !wait_function.empty(); }
};

struct Execution {
  bool found = false;
  std::string title;    // the bucket: one line, stable across schedules of one bug
  std::string details;  // several lines from the detector
  FindingKind kind = FindingKind::none;
  int thread = -1;        // the task the finding is about (Finding::thread)
  std::string function;   // where it fired (Finding::function), or empty
  std::string file;       // a kernel check's source file (Finding::file), or empty
  pb::Schedule recorded;  // interleaving part only (preemptions, choices, faults)
  uint32_t steps = 0;     // scheduling decisions taken
  // Allocations each thread reached (the fault points: a Fault of thread
  // i + 1 with nth up to allocs[i] fails one of them).
  uint32_t random_calls = 0;  // engine random choices made (Choice.call below it)
  uint32_t allocs[kMaxThreads] = {};
  std::vector<TraceEvent> trace;     // when RunOptions::trace
  std::vector<TaskAtFinding> tasks;  // when RunOptions::trace and the model found something
};

// Called on every model event of every execution (interleaving coverage).
class EventListener {
 public:
  virtual ~EventListener() = default;
  virtual void on_event(const Event& event) = 0;
};

struct RunOptions {
  bool trace = false;  // collect Execution::trace (slower)
  EventListener* listener = nullptr;
  uint32_t max_steps = 20000;  // beyond: livelock finding
};

// Runs `program` once. program.thread_count() must be in [1, kMaxThreads].
Execution run_program(Program& program, Strategy& strategy, const RunOptions& options = {});

// Baseline for benchmarks: `iterations` executions of `program` under
// Relacy's own random scheduler (rl::random_scheduler), in a fresh context.
// Returns how many ran before the first finding (or `iterations`).
uint64_t run_program_relacy_random(Program& program, uint64_t iterations);

}  // namespace dcfuzz
