// Call traces in the kernel's form, and the parts of a report laid out as
// the kernel prints them (hung_task, lockdep). The model records each task's
// own call chain (CALL_FRAME() in core/); this file turns it into the
// kernel's frames, innermost first, one function a line. Where the kernel
// has callers the model leaves out (the syscall entry, path_openat, the
// rwsem slow path, ...), a fixed map names them and the line starts with
// "?" -- as the kernel marks a frame it cannot vouch for. No offsets, no
// line numbers, no addresses: they would be invented.
#pragma once

#include <string>
#include <vector>

#include "schedule.pb.h"
#include "schedules/engine.h"

namespace dcfuzz {

struct KernelFrame {
  std::string function;
  std::string file;  // empty: not named (entry_SYSCALL_64_after_hwframe)
  bool is_inline = false;
  bool modelled = false;  // the model runs this function (else named from the map)
};

// One line of a trace: " name file [inline]", or " ? name file" when not
// modelled. `indent` spaces before the name (1 in a Call Trace, 7 in a
// lockdep dependency chain).
std::string frame_line(const KernelFrame& frame, int indent = 1);

// Task `task`'s call chain at the finding, innermost first; for the task a
// WARN_ON or BUG_ON fired in, that function first.
std::vector<KernelFrame> kernel_call_trace(const pb::Scenario& scenario, const Execution& execution,
                                           const TaskAtFinding& task);

// An edge of a cycle of waits: `from` cannot go on until `to` does something.
struct WaitEdge {
  int from = 0, to = 0;   // 0-based task indices
  std::string waits_for;  // "in-lookup dentry /a", "i_rwsem of / (shared)"
  std::string because;    // "owns in-lookup dentry /a", "holds i_rwsem of / exclusive"
};

// The cycle of waits through the first sleeper of a hang, or empty.
std::vector<WaitEdge> wait_cycle(const Execution& execution);

// The kernel-form account of a finding: hung-task splats, held locks,
// lockdep's circular-dependency or bad-unlock-balance shape, each task's
// trace. Empty when the execution has no task snapshots.
std::string format_kernel_report(const pb::Schedule& schedule, const Execution& execution);

// The one-line description of the "?" marker, for reports and mails.
extern const char kFrameMarkerNote[];

}  // namespace dcfuzz
