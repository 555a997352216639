// Hung task: called when the current task is about to sleep, and when a task
// exits; reports "INFO: task hung in <function>" when no live task can run
// any more.
#pragma once

namespace dcfuzz::model {

void check_hang(bool current_sleeps);

}  // namespace dcfuzz::model
