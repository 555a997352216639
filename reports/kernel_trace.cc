// The kernel-form account of a finding: what hung_task and lockdep would
// print, with the model's call chains as their traces (kernel_frames.cc).
#include "reports/kernel_trace.h"

#include <sstream>

#include "core/events.h"
#include "core/scenario.h"
#include "schedules/normalize.h"

namespace dcfuzz {
namespace {

std::string comm(int thread) { return "T" + std::to_string(thread + 1); }
std::string pid(int thread) { return std::to_string(thread + 1); }

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool sleeps(const TaskAtFinding& t) {  // a sleeping wait (D state), not a spinning one
  return t.blocked() && t.wait_what != "spin_lock" && t.wait_what != "spin until even";
}

// lockdep's class name, usage and wait type for a model lock.
std::string lock_class(const std::string& kind) {
  if (kind == "i_rwsem") return "(&type->i_mutex_dir_key){++++}-{4:4}";
  if (kind == "d_lock") return "(&lockref->lock){+.+.}-{3:3}";
  if (kind == "s_vfs_rename_mutex") return "(&type->s_vfs_rename_key){+.+.}-{4:4}";
  if (kind == "rename_lock") return "(rename_lock.lock){+.+.}-{3:3}";
  return "";
}

// The kernel name of the model function that took a lock ("at:").
std::string at_function(const pb::Scenario& scenario, const Execution& execution,
                        const TaskAtFinding& task, const std::string& model_function) {
  TaskAtFinding probe = task;
  probe.wait_function.clear();
  probe.wait_what.clear();
  for (size_t i = 0; i < task.frames.size(); ++i) {
    if (task.frames[i] != model_function) continue;
    probe.frames.assign(task.frames.begin(), task.frames.begin() + long(i) + 1);
    Execution none;
    for (const KernelFrame& f : kernel_call_trace(scenario, none, probe)) {
      if (f.modelled) return f.function + " " + f.file + (f.is_inline ? " [inline]" : "");
    }
  }
  (void)execution;
  return model_function;
}

void write_held_locks(std::ostream& out, const pb::Scenario& scenario, const Execution& execution,
                      const TaskAtFinding& task) {
  std::vector<const TaskAtFinding::Held*> shown;
  for (const auto& h : task.held)
    if (!lock_class(h.kind).empty()) shown.push_back(&h);  // the in-lookup hash bit lock: untracked
  if (shown.empty()) return;
  out << shown.size() << (shown.size() == 1 ? " lock" : " locks") << " held by "
      << comm(task.thread) << "/" << pid(task.thread) << ":\n";
  for (size_t i = 0; i < shown.size(); ++i) {
    out << " #" << i << ": " << shown[i]->object << " " << lock_class(shown[i]->kind)
        << ", at: " << at_function(scenario, execution, task, shown[i]->function) << "\n";
  }
}

void write_trace(std::ostream& out, const pb::Scenario& scenario, const Execution& execution,
                 const TaskAtFinding& task, int indent) {
  for (const KernelFrame& f : kernel_call_trace(scenario, execution, task))
    out << frame_line(f, indent) << "\n";
}

void write_call_trace(std::ostream& out, const pb::Scenario& scenario, const Execution& execution,
                      const TaskAtFinding& task) {
  out << "Call Trace:\n <TASK>\n";
  write_trace(out, scenario, execution, task, 1);
  out << " </TASK>\n";
}

std::string variant(const pb::Scenario& scenario) {
  return "dcfuzz model of " + kernel_spelling(scenario);
}

// hung_task's report of one task (kernel/hung_task.c), and its blocker line
// (CONFIG_DETECT_HUNG_TASK_BLOCKER) for an rw-semaphore.
void write_hung_task(std::ostream& out, const pb::Scenario& scenario, const Execution& execution,
                     const TaskAtFinding& t) {
  const std::string name = comm(t.thread) + ":" + pid(t.thread);
  if (!sleeps(t)) {
    out << comm(t.thread) << "/" << pid(t.thread) << " spins in " << t.wait_function << " ("
        << t.wait_what << " on " << t.wait_object
        << "): in the kernel a soft lockup, not a hung task\n";
    write_call_trace(out, scenario, execution, t);
    return;
  }
  out << "INFO: task " << name << " blocked for more than 120 seconds.\n"
      << "      Not tainted " << variant(scenario) << "\n"
      << "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.\n";
  std::string task_field = "task:" + comm(t.thread);
  task_field.resize(std::max<size_t>(task_field.size(), 20), ' ');
  out << task_field << " state:D pid:" << pid(t.thread) << "\n";
  write_call_trace(out, scenario, execution, t);
  if (t.wait_kind != "i_rwsem") return;
  for (const TaskAtFinding& owner : execution.tasks) {
    for (const auto& h : owner.held) {
      if (h.object != t.wait_object || owner.thread == t.thread) continue;
      out << "INFO: task " << name << " <" << (t.wait_shared ? "reader" : "writer")
          << "> blocked on an rw-semaphore likely owned by task " << comm(owner.thread) << ":"
          << pid(owner.thread) << " <" << (h.shared ? "reader" : "writer") << ">\n";
      return;
    }
  }
}

// Why `t` cannot go on until `other` does something (hung_task.cc's rule).
bool waits_for(const TaskAtFinding& t, const TaskAtFinding& other, WaitEdge* edge) {
  if (!t.blocked() || t.thread == other.thread) return false;
  edge->from = t.thread;
  edge->to = other.thread;
  if (t.wait_lookup_owner == other.thread) {
    edge->waits_for = "in-lookup dentry " + t.wait_lookup_dentry;
    edge->because = "owns " + edge->waits_for;
    return true;
  }
  if (!t.wait_on_lock || t.wait_kind.empty()) return false;
  edge->waits_for = t.wait_object + (t.wait_shared ? " (shared)" : " (exclusive)");
  for (const auto& h : other.held) {
    if (h.object != t.wait_object) continue;
    edge->because = "holds " + t.wait_object + (h.shared ? " (shared)" : " (exclusive)");
    return true;
  }
  if (t.wait_shared && other.blocked() && other.wait_object == t.wait_object &&
      other.wait_on_lock && !other.wait_shared) {
    edge->because = "is a writer queued on " + t.wait_object;
    return true;
  }
  return false;
}

bool find_cycle(const Execution& e, std::vector<WaitEdge>* path, int first) {
  const int last = path->empty() ? first : path->back().to;
  for (const TaskAtFinding& other : e.tasks) {
    WaitEdge edge;
    if (!waits_for(e.tasks[size_t(last)], other, &edge)) continue;
    if (other.thread == first) {
      path->push_back(edge);
      return true;
    }
    bool seen = false;
    for (const WaitEdge& p : *path) seen = seen || p.from == other.thread;
    if (seen) continue;
    path->push_back(edge);
    if (find_cycle(e, path, first)) return true;
    path->pop_back();
  }
  return false;
}

// The task a hang is about (hung_task.cc's first_sleeper).
const TaskAtFinding* first_sleeper(const Execution& e) {
  const TaskAtFinding* best = nullptr;
  for (const TaskAtFinding& t : e.tasks) {
    if (!t.blocked()) continue;
    bool better = !best || (best->wait_on_lock && !t.wait_on_lock) ||
                  (best->wait_on_lock == t.wait_on_lock && t.blocked_at < best->blocked_at);
    if (better) best = &t;
  }
  return best;
}

std::string lock_label(const std::string& waits_for) {  // "i_rwsem of / (shared)" -> "i_rwsem of /"
  const size_t paren = waits_for.find(" (");
  return paren == std::string::npos ? waits_for : waits_for.substr(0, paren);
}

// "owns in-lookup dentry /a" -> "owns it"; "holds X (shared)" -> "holds it (shared)"
std::string holds_it(const std::string& because) {
  if (starts_with(because, "owns")) return "owns it";
  if (starts_with(because, "holds")) {
    const size_t paren = because.find(" (");
    return "holds it" + (paren == std::string::npos ? "" : because.substr(paren));
  }
  return "is queued on it as a writer";
}

std::string acquire(const WaitEdge& e) {
  const bool read = e.waits_for.find("(shared)") != std::string::npos;
  return std::string(read ? "rlock(" : "lock(") + lock_label(e.waits_for) + ");";
}

// How the task an edge points to got what the edge's task waits for.
std::string holding(const WaitEdge& e) {
  const bool read = e.because.find("(shared)") != std::string::npos;
  return std::string(read ? "rlock(" : "lock(") + lock_label(e.waits_for) + ");";
}

// lockdep's "possible circular locking dependency" shape for the cycle of
// waits, with each side's trace.
void write_circular(std::ostream& out, const pb::Scenario& scenario, const Execution& execution,
                    const std::vector<WaitEdge>& cycle) {
  const size_t n = cycle.size();
  const TaskAtFinding& first = execution.tasks[size_t(cycle[0].from)];
  bool in_lookup = false;
  for (const WaitEdge& e : cycle) in_lookup = in_lookup || starts_with(e.waits_for, "in-lookup");
  out << "======================================================\n"
      << "WARNING: possible circular locking dependency detected\n"
      << variant(scenario) << "\n"
      << "------------------------------------------------------\n";
  if (in_lookup) {
    out << "(lockdep itself cannot report this one: an in-lookup dentry is not a lock it tracks;\n"
        << " here it stands as the lock its owner holds until d_lookup_done.)\n";
  }
  out << "dcfuzz: ";
  for (size_t k = 0; k < n; ++k) {
    out << (k ? "; " : "") << comm(cycle[k].from) << " " << cycle[(k + n - 1) % n].because
        << ", waits for " << cycle[k].waits_for;
  }
  out << "\n"
      << comm(first.thread) << "/" << pid(first.thread) << " is trying to acquire lock:\n"
      << " " << lock_label(cycle[0].waits_for) << ", at: "
      << at_function(scenario, execution, first, first.frames.empty() ? "" : first.frames.back())
      << "\n\nbut task is already holding lock:\n";
  const std::string held = lock_label(cycle[n - 1].waits_for);
  bool printed = false;
  for (const auto& h : first.held) {
    if (h.object != held || printed) continue;
    out << " " << h.object << " " << lock_class(h.kind)
        << ", at: " << at_function(scenario, execution, first, h.function) << "\n\n";
    printed = true;
  }
  if (!printed) out << " " << held << "\n\n";
  out << "which lock already depends on the new lock.\n\n\n"
      << "the existing dependency chain (in reverse order) is:\n";
  for (size_t k = 1; k <= n; ++k) {
    const WaitEdge& e = cycle[k % n];  // task e.from holds what cycle[k-1].from waits for
    const TaskAtFinding& t = execution.tasks[size_t(e.from)];
    out << "\n-> #" << (n - k) << " (" << lock_label(cycle[k - 1].waits_for) << "):\n"
        << "       " << comm(t.thread) << "/" << pid(t.thread) << " "
        << holds_it(cycle[k - 1].because) << " and waits for " << e.waits_for << ":\n";
    write_trace(out, scenario, execution, t, 7);
  }
  out << "\nother info that might help us debug this:\n\n";
  if (n == 2) {
    const WaitEdge& mine = cycle[0];   // first waits for what the other holds
    const WaitEdge& other = cycle[1];  // the other waits for what first holds
    char line[128];
    out << " Possible unsafe locking scenario:\n\n";
    std::snprintf(line, sizeof line, "       %-24s%s\n", comm(first.thread).c_str(),
                  comm(other.from).c_str());
    out << line << "       ----                    ----\n"
        << "  " << holding(other) << "\n"
        << "                               " << holding(mine) << "\n"
        << "                               " << acquire(other) << "\n"
        << "  " << acquire(mine) << "\n";
  } else {
    out << "Chain exists of:\n  ";
    for (size_t k = 0; k < n; ++k) out << (k ? " --> " : "") << lock_label(cycle[k].waits_for);
    out << "\n";
  }
  out << "\n *** DEADLOCK ***\n\n";
  write_held_locks(out, scenario, execution, first);
}

void write_hang(std::ostream& out, const pb::Scenario& scenario, const Execution& execution) {
  out << "(No task can run any more: hung_task would print this once its timeout passed, 120 s "
         "by default.)\n";
  for (const TaskAtFinding& t : execution.tasks) {
    if (t.blocked()) write_hung_task(out, scenario, execution, t);
  }
  out << "\nShowing all locks held in the system:\n";
  for (const TaskAtFinding& t : execution.tasks) write_held_locks(out, scenario, execution, t);
  out << "\n=============================================\n";
  const std::vector<WaitEdge> cycle = wait_cycle(execution);
  if (!cycle.empty()) {
    out << "\n";
    write_circular(out, scenario, execution, cycle);
  }
}

const TaskAtFinding* firing_task(const Execution& execution) {
  if (execution.trace.empty()) return nullptr;
  const int thread = execution.trace.back().thread;
  for (const TaskAtFinding& t : execution.tasks)
    if (t.thread == thread) return &t;
  return nullptr;
}

void write_unlock_balance(std::ostream& out, const pb::Scenario& scenario,
                          const Execution& execution, const TaskAtFinding& t) {
  const TraceEvent& release = execution.trace.back();
  out << "=====================================\n"
      << "WARNING: bad unlock balance detected!\n"
      << variant(scenario) << "\n"
      << "-------------------------------------\n"
      << comm(t.thread) << "/" << pid(t.thread) << " is trying to release lock (" << release.object
      << ") at:\n";
  // lockdep prints the release's call site: the frames below up_read & co.
  const std::vector<KernelFrame> frames = kernel_call_trace(scenario, execution, t);
  size_t i = 0;
  while (i < frames.size() && frames[i].function != "up_read" && frames[i].function != "up_write" &&
         frames[i].function != "mutex_unlock" && frames[i].function != "_raw_spin_unlock")
    ++i;
  for (++i; i < frames.size(); ++i) {
    out << frame_line(frames[i], 0) << "\n";
    if (!frames[i].is_inline) break;
  }
  out << "but there are no more locks to release!\n\n"
      << "other info that might help us debug this:\n";
  if (t.held.empty()) out << "no locks held by " << comm(t.thread) << "/" << pid(t.thread) << ".\n";
  write_held_locks(out, scenario, execution, t);
  out << "\nstack backtrace:\n";
  write_call_trace(out, scenario, execution, t);
}

void write_traces_of_live_tasks(std::ostream& out, const pb::Scenario& scenario,
                                const Execution& execution, int skip = -1) {
  for (const TaskAtFinding& t : execution.tasks) {
    if (t.thread == skip) continue;
    if (t.frames.empty()) {
      out << comm(t.thread) << "/" << pid(t.thread) << " ("
          << (t.state == "finished" ? "finished" : "between system calls") << ")\n";
      continue;
    }
    out << comm(t.thread) << "/" << pid(t.thread) << " ("
        << (t.blocked() ? "sleeping in " + t.wait_function : t.state) << "):\n";
    write_call_trace(out, scenario, execution, t);
  }
}

// A WARN_ON, a BUG_ON, or the oops of a dereferenced ERR_PTR, as the kernel
// opens its report, then the task's trace. No line numbers or offsets: they
// would be invented.
void write_kernel_check(std::ostream& out, const pb::Scenario& scenario, const Execution& execution,
                        const TaskAtFinding& t) {
  const std::string& title = execution.title;
  const std::string& file = execution.file;  // as core/ said where the check is
  if (starts_with(title, "WARNING in ")) {
    out << "------------[ cut here ]------------\n"
        << "WARNING: CPU: 0 PID: " << pid(t.thread) << " at " << file << " " << execution.function
        << "\nModules linked in:\n";
  } else if (starts_with(title, "kernel BUG in ")) {
    out << "------------[ cut here ]------------\n"
        << "kernel BUG at " << file << "!\n"
        << "Oops: invalid opcode: 0000 [#1] PREEMPT SMP\n";
  } else {
    out << title << "\nOops: 0000 [#1] PREEMPT SMP\n";
  }
  out << "CPU: 0 PID: " << pid(t.thread) << " Comm: " << comm(t.thread) << " (" << variant(scenario)
      << ")\n"
      << "RIP: 0010:" << execution.function << "\n";
  write_call_trace(out, scenario, execution, t);
}

}  // namespace

std::vector<WaitEdge> wait_cycle(const Execution& execution) {
  std::vector<WaitEdge> path;
  const TaskAtFinding* first = first_sleeper(execution);
  for (size_t i = 0; i < execution.tasks.size(); ++i)
    if (execution.tasks[i].thread != int(i)) return {};  // not in task order: no snapshot
  if (!first || !find_cycle(execution, &path, first->thread)) return {};
  return path;
}

std::string format_kernel_report(const pb::Schedule& schedule, const Execution& execution) {
  if (!execution.found || execution.tasks.empty()) return "";
  const pb::Scenario& scenario = schedule.scenario();
  std::ostringstream out;
  const std::string& title = execution.title;
  if (starts_with(title, "INFO: task hung")) {
    write_hang(out, scenario, execution);
  } else if (title == kBadUnlockBalanceTitle && firing_task(execution)) {
    write_unlock_balance(out, scenario, execution, *firing_task(execution));
  } else if (starts_with(title, "BUG: lost wakeup")) {
    out << "(The model stops where the wake-up is missed; in the kernel the waiter sleeps for "
           "ever and hung_task reports it:)\n";
    for (const TaskAtFinding& t : execution.tasks)
      if (t.blocked()) write_hung_task(out, scenario, execution, t);
    if (const TaskAtFinding* waker = firing_task(execution)) {
      out << "\nwhere " << comm(waker->thread) << "/" << pid(waker->thread)
          << " ended the lookup without waking it:\n";
      write_call_trace(out, scenario, execution, *waker);
    }
  } else if (execution.kind == FindingKind::kernel_assertion && execution.thread >= 0 &&
             size_t(execution.thread) < execution.tasks.size() &&
             execution.tasks[size_t(execution.thread)].thread == execution.thread) {
    write_kernel_check(out, scenario, execution, execution.tasks[size_t(execution.thread)]);
    if (execution.tasks.size() > 1) {
      out << "\nthe other tasks:\n";
      write_traces_of_live_tasks(out, scenario, execution, execution.thread);
    }
  } else {
    out << "(No kernel check reports this; each task's call chain when the model's check "
           "fired:)\n";
    write_traces_of_live_tasks(out, scenario, execution);
  }
  return out.str();
}

}  // namespace dcfuzz
