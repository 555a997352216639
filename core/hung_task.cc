// The hung-task check (kernel/hung_task.c, made exact): a task about to
// sleep, or exiting, that leaves every live task asleep reports the hang,
// with the cycle of waits when there is one.
#include "core/hung_task.h"

#include "core/bug.h"
#include "core/kernel_state.h"

namespace dcfuzz::model {

namespace {

// The task a hang is about: one waiting for a condition (lock waiters queue
// behind it), else a lock waiter; the earliest to fall asleep first.
const Task* first_sleeper() {
  const Task* best = nullptr;
  for (int i = 0; i < kstate().ntasks; ++i) {
    const Task& t = kstate().tasks[i];
    if (t.state != TaskState::blocked) continue;
    bool better = !best || (best->wait.on_lock && !t.wait.on_lock) ||
                  (best->wait.on_lock == t.wait.on_lock && t.blocked_at < best->blocked_at);
    if (better) best = &t;
  }
  return best;
}

// Why task `t` cannot go on until task `other` does something, or null.
// A lock waiter waits for the lock's holders and, wanting it shared, for the
// writers queued on it (a queued writer blocks new readers); a task in
// d_wait_lookup waits for the owner of the in-lookup dentry.
const char* waits_for(const Task& t, const Task& other, char* buf, size_t size) {
  if (t.state != TaskState::blocked) return nullptr;
  const WaitSite& w = t.wait;
  if (w.lookup_of && w.lookup_of->lookup_owner == other.index) {
    snprintf(buf, size, "owns in-lookup %s", ObjName(dref(Obj::dentry, w.lookup_of)).buf);
    return buf;
  }
  if (!w.lock) return nullptr;
  for (int i = 0; i < other.nheld; ++i) {
    if (other.held[i].lock != w.lock) continue;
    snprintf(buf, size, "holds %s %s", ObjName(w.lock->ref).buf,
             other.held[i].shared ? "shared" : "exclusive");
    return buf;
  }
  if (w.shared && other.state == TaskState::blocked && other.wait.lock == w.lock &&
      !other.wait.shared) {
    snprintf(buf, size, "is a writer queued on %s", ObjName(w.lock->ref).buf);
    return buf;
  }
  return nullptr;
}

// Depth-first search along waits-for edges from path[depth-1] back to
// path[0]; returns the length of the cycle found, or 0.
int find_cycle(int* path, int depth) {
  const Task& last = kstate().tasks[path[depth - 1]];
  char buf[160];
  for (int i = 0; i < kstate().ntasks; ++i) {
    if (!waits_for(last, kstate().tasks[i], buf, sizeof buf)) continue;
    if (i == path[0]) return depth;
    bool seen = false;
    for (int k = 0; k < depth; ++k) seen = seen || path[k] == i;
    if (seen || depth == kMaxTasks) continue;
    path[depth] = i;
    if (int length = find_cycle(path, depth + 1)) return length;
  }
  return 0;
}

// One line naming the waits-for cycle through `first`, if there is one.
void describe_cycle(Text& out, const Task& first) {
  int path[kMaxTasks] = {first.index};
  const int length = find_cycle(path, 1);
  if (length == 0) return;
  out.add("deadlock, a cycle of waits:");
  for (int k = 0; k < length; ++k) {
    const Task& from = kstate().tasks[path[k]];
    const Task& to = kstate().tasks[path[(k + 1) % length]];
    char buf[160];
    out.add("%s T%d waits for T%d, which %s", k ? ";" : "", from.index + 1, to.index + 1,
            waits_for(from, to, buf, sizeof buf));
  }
  out.add(".\n");
}

}  // namespace

void check_hang(bool current_sleeps) {
  const int me = current().index;
  bool someone_sleeps = current_sleeps;
  for (int i = 0; i < kstate().ntasks; ++i) {
    const Task& t = kstate().tasks[i];
    if (i == me || t.state == TaskState::finished) continue;
    if (t.state != TaskState::blocked || !t.parked) return;  // it can still run
    someone_sleeps = true;
  }
  if (!someone_sleeps) return;
  current().parked = current_sleeps;  // for the report: it is asleep from now on
  const Task* first = first_sleeper();
  Text& out = new_finding();
  out.add("T%d blocked for ever in %s (%s on %s); no task can run.\n", first->index + 1,
          first->wait.function, first->wait.what, ObjName(first->wait.object).buf);
  describe_cycle(out, *first);
  describe_tasks(out);
  report_finding(FindingKind::hung_task, first->index, first->wait.function, out,
                 "INFO: task hung in %s", first->wait.function);
}

}  // namespace dcfuzz::model
