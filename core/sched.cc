// Tasks sleeping and waking on Relacy fibers (kernel/sched/ in miniature).
#include "core/hung_task.h"
#include "core/kernel_state.h"

namespace dcfuzz::model {

void WaitList::push(int t) { task[count++] = int8_t(t); }

int WaitList::pop() {
  if (count == 0) return -1;
  int t = task[0];
  remove(t);
  return t;
}

bool WaitList::contains(int t) const {
  for (int i = 0; i < count; ++i)
    if (task[i] == t) return true;
  return false;
}

void WaitList::remove(int t) {
  int out = 0;
  for (int i = 0; i < count; ++i)
    if (task[i] != t) task[out++] = task[i];
  count = out;
}

Task& current() { return kstate().tasks[rl::thread_index()]; }

void prepare_to_wait(const WaitSite& site) {
  Task& t = current();
  t.state = TaskState::blocked;
  t.wait = site;
  t.blocked_at = ++kstate().block_clock;
}

void schedule_wait() {
  Task& t = current();
  if (t.state != TaskState::blocked) return;  // woken before it slept
  trace(EventKind::sleep, "sleep", t.wait.object, t.wait.function);
  check_hang(true);
  t.parked = true;
  rl::ctx().park_current_thread(false, false, false, $);
  t.parked = false;
}

void wake_task(int index) {
  Task& t = kstate().tasks[index];
  if (t.state != TaskState::blocked) return;
  t.state = TaskState::running;
  if (t.parked) rl::ctx().unpark_thread(rl::thread_id_t(index), false, $);
}

void task_exit() {
  Task& t = current();
  t.state = TaskState::finished;
  check_hang(false);
}

}  // namespace dcfuzz::model
