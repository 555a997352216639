// The detectors that fire inside the model's primitives: hung task, lost
// wakeup, lock order and unlock balance; and the finding text.
#include "core/detectors.h"

#include <cstdarg>

#include "core/events.h"
#include "core/kernel_state.h"
#include "core/plan.h"
#include "core/program.h"

namespace dcfuzz::model {

Text& Text::add(const char* format, ...) {
  va_list args;
  va_start(args, format);
  int n = vsnprintf(buf_ + len_, sizeof buf_ - len_, format, args);
  va_end(args);
  if (n > 0) len_ = std::min(sizeof buf_ - 1, len_ + size_t(n));
  return *this;
}

namespace {

// A name for a format argument; lives until the end of the full expression.
struct Name {
  explicit Name(const ObjRef& r) { object_name(r, buf, sizeof buf); }
  char buf[128];
};

const char* state_name(const Task& t) {
  if (t.state == TaskState::finished) return "finished";
  if (t.state == TaskState::blocked && t.parked) return "blocked";
  return "running";
}

void describe_task(Text& out, const Task& t) {
  const std::vector<PlanOp>& ops = kstate().plan->threads[size_t(t.index)];
  out.add("T%d program:", t.index + 1);
  for (size_t k = 0; k < ops.size(); ++k) out.add("%s%s", k ? "; " : " ", ops[k].text.c_str());
  out.add("\n  state: %s", state_name(t));
  if (t.op >= 0 && t.state != TaskState::finished)
    out.add(" in op %s", ops[size_t(t.op)].text.c_str());
  if (t.state == TaskState::blocked && t.parked) {
    out.add(", waiting in %s: %s on %s", t.wait.function, t.wait.what, Name(t.wait.object).buf);
  }
  out.add("\n  held locks:");
  if (t.nheld == 0) out.add(" none");
  for (int i = 0; i < t.nheld; ++i) {
    const HeldLock& h = t.held[i];
    out.add(" [%s (%s, by %s)]", Name(h.lock->ref).buf, h.shared ? "shared" : "exclusive",
            h.function);
  }
  out.add("\n");
}

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
    snprintf(buf, size, "owns in-lookup %s", Name(dref(Obj::dentry, w.lookup_of)).buf);
    return buf;
  }
  if (!w.lock) return nullptr;
  for (int i = 0; i < other.nheld; ++i) {
    if (other.held[i].lock != w.lock) continue;
    snprintf(buf, size, "holds %s %s", Name(w.lock->ref).buf,
             other.held[i].shared ? "shared" : "exclusive");
    return buf;
  }
  if (w.shared && other.state == TaskState::blocked && other.wait.lock == w.lock &&
      !other.wait.shared) {
    snprintf(buf, size, "is a writer queued on %s", Name(w.lock->ref).buf);
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

thread_local Text g_details;  // one finding per execution
thread_local char g_title[160];

Text& fresh_details() {
  g_details = Text();
  return g_details;
}

}  // namespace

void describe_tasks(Text& out) {
  for (int i = 0; i < kstate().ntasks; ++i) describe_task(out, kstate().tasks[i]);
}

[[noreturn]] void report_finding(const char* title, const Text& details) {
  Host& host = *kstate().host;
  host.on_finding(title, details.str());
  host.fail_execution(title);
}

[[noreturn]] void invariant_violation(const char* rule, const dentry* d, const char* function) {
  Text& out = fresh_details();
  out.add("%s: %s (in %s)\n", rule, d ? Name(dref(Obj::dentry, d)).buf : "-", function);
  describe_tasks(out);
  snprintf(g_title, sizeof g_title, "BUG: dcache invariant: %s", rule);
  report_finding(g_title, out);
}

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
  Text& out = fresh_details();
  out.add("T%d blocked for ever in %s (%s on %s); no task can run.\n", first->index + 1,
          first->wait.function, first->wait.what, Name(first->wait.object).buf);
  describe_cycle(out, *first);
  describe_tasks(out);
  snprintf(g_title, sizeof g_title, "INFO: task hung in %s", first->wait.function);
  report_finding(g_title, out);
}

void note_lookup_end(dentry* d, const char* function) {
  uint8_t mask = 0;
  for (int i = 0; i < kstate().ntasks; ++i) {
    const Task& t = kstate().tasks[i];
    if (t.state == TaskState::blocked && t.wait.lookup_of == d) mask |= uint8_t(1u << i);
  }
  d->wake_check = mask;
  d->wake_check_function = function;
}

void check_lookup_end_woke(dentry* d) {
  const uint8_t mask = d->wake_check;
  if (!mask || !kstate().plan->options.lost_wakeup_detector) return;
  d->wake_check = 0;
  for (int i = 0; i < kstate().ntasks; ++i) {
    const Task& t = kstate().tasks[i];
    if (!(mask & (1u << i)) || t.state != TaskState::blocked || t.wait.lookup_of != d) continue;
    Text& out = fresh_details();
    out.add(
        "%s cleared DCACHE_PAR_LOOKUP on %s and ended its d_lock section without waking "
        "T%d, which sleeps in %s (%s on %s).\n",
        d->wake_check_function, Name(dref(Obj::dentry, d)).buf, i + 1, t.wait.function, t.wait.what,
        Name(t.wait.object).buf);
    describe_tasks(out);
    snprintf(g_title, sizeof g_title, "BUG: lost wakeup in %s", d->wake_check_function);
    report_finding(g_title, out);
  }
}

void check_lock_order(const LockMeta& lock, const char* function) {
  const Task& t = current();
  for (int i = 0; i < t.nheld; ++i) {
    const HeldLock& h = t.held[i];
    if (h.lock->rank <= lock.rank) continue;
    Text& out = fresh_details();
    out.add("%s takes %s while holding %s (taken by %s)\n", function, Name(lock.ref).buf,
            Name(h.lock->ref).buf, h.function);
    describe_tasks(out);
    report_finding("BUG: dcache invariant: lock order", out);
  }
}

void check_unlock_balance(const LockMeta& lock, bool shared, const char* function,
                          const char* what) {
  const Task& t = current();
  const HeldLock* mine = nullptr;
  for (int i = 0; i < t.nheld; ++i)
    if (t.held[i].lock == &lock) mine = &t.held[i];
  if (mine && mine->shared == shared) return;
  trace(function, what, lock.ref);  // the failing release: the report's fatal event
  const char* why = !mine          ? "but there are no more locks to release!"
                    : mine->shared ? "but it holds the lock shared"
                                   : "but it holds the lock exclusive";
  Text& out = fresh_details();
  out.add("T%d is trying to release lock (%s) at:\n  %s -> %s\n%s\n", t.index + 1,
          Name(lock.ref).buf, function, what, why);
  describe_tasks(out);
  report_finding(kBadUnlockBalanceTitle, out);
}

}  // namespace dcfuzz::model
