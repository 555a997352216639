// The mail: a finding written up for the list, in the shape of a syzbot
// (ci) report -- subject, what was tested, what happens, the kernel-form
// traces, then the model's own account and a reproducer that replays it.
#include <sstream>
#include <string>
#include <vector>

#include "core/events.h"
#include "core/scenario.h"
#include "reports/describe.h"
#include "reports/kernel_trace.h"
#include "reports/report.h"
#include "schedules/model_enums.h"
#include "schedules/normalize.h"
#include "schedules/schedule_io.h"

namespace dcfuzz {
namespace {

constexpr const char* kCover =
    "[PATCH v4 0/7] VFS: Prepare to lift lookup out of exclusive lock for directory ops";

// The variant in the series' terms, for the subject; a composed kernel as
// --kernel spells it ("v4-fixed,-7/7").
std::string variant_phrase(const pb::Scenario& scenario) {
  const Kernel variant = to_model(scenario.kernel());
  const PatchSet switches = switches_of(scenario);
  if (switches != variant_info(variant).switches) return kernel_spelling(variant, switches);
  switch (scenario.kernel()) {
    case pb::MAINLINE:
      return "mainline, no patches";
    case pb::V4:
      return "v4 as posted";
    case pb::V4_FIXED:
      return "v4 + both fixes from review";
    case pb::V4_FIX_MOVE:
      return "v4 + the __d_move fix";
    case pb::V4_FIX_ADD_CI:
      return "v4 + the d_add_ci fix";
    default:
      return "?";
  }
}

void write_patches(std::ostream& out, const pb::Scenario& scenario) {
  const PatchSet switches = switches_of(scenario);
  const Patches p = patches_for(switches);
  if (!p.wait_var_event && !p.splice_hashed && !p.alloc_noblock && !p.duplicate &&
      !p.lookup_shared && !p.add_ci_drops_lock) {
    out << "dcfuzz found the following issue on mainline (no patches applied).\n";
    return;
  }
  out << "dcfuzz found the following issue on\n"
      << "  " << kCover << "\n"
      << "  (NeilBrown, 30 Apr 2026), as modelled by dcfuzz --kernel "
      << kernel_spelling(to_model(scenario.kernel()), switches) << ":\n";
  if (p.wait_var_event) {
    out << "* [PATCH v4 2/7] VFS: use wait_var_event for waiting in d_alloc_parallel()\n";
    out << (p.move_wakes_dentry ? "  as posted: __d_move() wakes the waiters of dentry\n"
                                : "  + the fix from review: __d_move() wakes the waiters of "
                                  "target, not dentry\n");
  }
  if (p.splice_hashed) {
    out << "* [PATCH v4 3/7] VFS: enhance d_splice_alias() to handle in-lookup dentries\n";
  }
  if (p.alloc_noblock) {
    out << "* [PATCH v4 4/7] VFS: introduce d_alloc_noblock()\n";
    out << "  with its user: nfs_prime_dcache() calls d_alloc_noblock()\n";
  }
  if (p.lookup_shared) out << "* [PATCH v4 6/7] VFS: Add LOOKUP_SHARED flag.\n";
  if (p.add_ci_drops_lock) {
    out << "* [PATCH v4 7/7] VFS/xfs/ntfs: drop parent lock across d_alloc_parallel() in "
           "d_add_ci()\n";
    out << (p.add_ci_early_return_unlocked
                ? "  as posted: three early returns leave the parent unlocked\n"
                : "  + the fix from review: d_add_ci() re-takes the parent lock on its early "
                  "returns\n");
  }
  // The series' patches left out: those the model has no switch for, then
  // those it has but this kernel does not apply.
  std::vector<std::string> unmodelled = {"1/7"}, off;
  for (int i = 0; i < kPatchCount; ++i) {
    const PatchInfo& info = patch_info(Patch(i));
    const std::string name = info.name;
    if (name.size() != 3 || name.substr(1) != "/7") continue;
    if (!info.modelled) unmodelled.push_back(name);
    const bool brought_by_lift =  // patches_for: lift runs 4/7's and 5/7's nfs users
        p.lift && (Patch(i) == Patch::alloc_noblock || Patch(i) == Patch::duplicate);
    if (info.modelled && !(switches & patch_bit(Patch(i))) && !brought_by_lift) off.push_back(name);
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i)
      s += (i == 0 ? "" : i + 1 == v.size() ? " and " : ", ") + v[i];
    return s;
  };
  out << "(" << list(unmodelled) << (unmodelled.size() == 1 ? " is" : " are")
      << " not modelled: no switch of the model stands for "
      << (unmodelled.size() == 1 ? "it" : "them")
      << (off.empty() ? "" : "; not applied here: " + list(off)) << ".)\n";
}

// An operation as the system call it stands for. The model's "create" is
// filename_create + vfs_create, which is mknod(2) (creat(2) is an open).
std::string mail_op(const pb::Op& op) {
  if (op.op() == pb::CREATE) return "mknod(\"" + op.path() + "\", S_IFREG)";
  return describe_op(op);
}

std::string task_op(const pb::Scenario& scenario, const TaskAtFinding& t) {
  if (t.thread >= scenario.threads_size()) return "?";
  const pb::Thread& thread = scenario.threads(t.thread);
  if (t.op < 0 || t.op >= thread.ops_size()) return "(not started)";
  return mail_op(thread.ops(t.op));
}

std::string tname(int thread) { return "T" + std::to_string(thread + 1); }

// `text` as lines of at most 72 columns (words are never split).
std::string wrap(const std::string& text) {
  std::istringstream words(text);
  std::string out, line, word;
  while (words >> word) {
    if (!line.empty() && line.size() + 1 + word.size() > 72) {
      out += line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  return line.empty() ? out : out + line + "\n";
}

// The step at which task `thread` dropped `object` in d_add_ci, or -1.
long dropped_in_add_ci(const Execution& e, int thread, const std::string& object) {
  for (const TraceEvent& ev : e.trace) {
    if (ev.thread == thread && ev.function == "d_add_ci" && ev.object == object &&
        ev.what.rfind("inode_unlock", 0) == 0)
      return long(ev.step);
  }
  return -1;
}

void write_setting(std::ostream& out, const pb::Scenario& scenario) {
  out << "The threads, on a " << fs_name(FsKind(int(scenario.fs()))) << " filesystem";
  if (scenario.fs() == pb::CASE_INSENSITIVE) out << " (XFS ascii-ci: ->lookup is xfs_vn_ci_lookup)";
  out << ":\n";
  for (int t = 0; t < scenario.threads_size(); ++t) {
    out << "  T" << t + 1 << ": ";
    const pb::Thread& thread = scenario.threads(t);
    for (int k = 0; k < thread.ops_size(); ++k) out << (k ? "; " : "") << mail_op(thread.ops(k));
    if (thread.ops_size() == 0) out << "(nothing)";
    out << "\n";
  }
  out << "initial tree:" << (scenario.tree_size() ? "\n" : " only the root\n");
  for (const auto& line : describe_tree(scenario)) out << "  " << line << "\n";
}

// Why an in-lookup rule broken after d_add_ci dropped the parent lock
// matters, in kernel terms.
std::string rule_explanation(const std::string& title) {
  if (title == "BUG: dcache invariant: two hashed dentries for one name") {
    return "Under an exclusive parent lock (start_dirop, lock_rename) d_add_ci() "
           "allocates with d_alloc(), not d_alloc_parallel(): only that lock kept other lookups "
           "of the name out. Once it is dropped, a lookup under the shared lock hashes the name "
           "too, and d_add_ci() then hashes a second dentry for it: d_lookup() may return either.";
  }
  if (title == "BUG: dcache invariant: in-lookup dentry beside a hashed one") {
    return "lookup_one_qstr_excl() allocates with d_alloc(), not d_alloc_parallel(): it counts on "
           "the parent's exclusive lock to keep in-lookup dentries of the name away. d_add_ci() "
           "creates one with d_alloc_parallel() after dropping the parent lock, so a task holding "
           "the parent exclusive hashes the same name beside it.";
  }
  return "";
}

// Which early return of d_add_ci (the kAddCiReturn* events).
std::string early_return_reason(const std::string& what) {
  if (what == kAddCiReturnNotInLookup) return "d_alloc_parallel() found the name already looked up";
  if (what == kAddCiReturnParallelError) return "d_alloc_parallel() failed with -ENOMEM";
  if (what == kAddCiReturnAllocError) return "d_alloc() failed with -ENOMEM";
  return what;
}

// What happens, in kernel terms, from the facts of the execution.
void write_what_happens(std::ostream& out, const pb::Schedule& schedule, const Execution& e) {
  const pb::Scenario& scenario = schedule.scenario();
  const std::vector<WaitEdge> cycle = wait_cycle(e);
  if (!cycle.empty()) {
    const size_t n = cycle.size();
    size_t start = 0;  // the story begins with the lowest task
    for (size_t k = 0; k < n; ++k)
      if (cycle[k].from < cycle[start].from) start = k;
    std::string text;
    for (size_t j = 0; j < n; ++j) {
      const size_t k = (start + j) % n;
      const TaskAtFinding& t = e.tasks[size_t(cycle[k].from)];
      text += tname(t.thread) + ", in " + task_op(scenario, t) + ", " +
              cycle[(k + n - 1) % n].because + " and sleeps in " + t.wait_function +
              "() waiting for " + cycle[k].waits_for;
      const long step = dropped_in_add_ci(e, t.thread, t.wait_object);
      if (step >= 0) {
        text += " -- a lock it dropped itself in d_add_ci() (step " + std::to_string(step) +
                " below) to call d_alloc_parallel() without it";
      }
      text += ". ";
    }
    bool all_locks = true;  // no task of the cycle sleeps on an in-lookup dentry
    for (const WaitEdge& edge : cycle)
      all_locks = all_locks && e.tasks[size_t(edge.from)].wait_on_lock;
    text += std::string(n == 2 ? "Neither" : "None of them") + " can go on: a deadlock of " +
            std::to_string(n) + " tasks. " +
            (all_locks ? "Lockdep does not report it (each i_rwsem is taken under another "
                         "nesting annotation: I_MUTEX_PARENT, I_MUTEX_PARENT2, I_MUTEX_NORMAL); "
                       : "Lockdep cannot see it (an in-lookup dentry is not a lock it tracks); ") +
            "hung_task reports it.";
    out << wrap(text);
  } else {
    std::string text;
    if (e.title == kBadUnlockBalanceTitle && !e.trace.empty()) {
      const TraceEvent& release = e.trace.back();
      text += tname(release.thread) + "'s " + release.function + "() releases " + release.object +
              " (" + release.what + ") but holds no lock to release. ";
      const TraceEvent* early = nullptr;
      for (const TraceEvent& ev : e.trace) {
        if (ev.thread == release.thread && ev.function == "d_add_ci" &&
            ev.what.rfind("return: ", 0) == 0)
          early = &ev;
      }
      if (early) {
        text += "At step " + std::to_string(early->step) +
                " its d_add_ci() (v4 7/7), having dropped " + early->object +
                ", returned early -- " + early_return_reason(early->what) +
                " -- without taking it again.";
      }
    } else {
      std::istringstream lines(e.details);
      std::string line;
      const bool invariant = e.title.rfind("BUG: dcache invariant", 0) == 0;
      if (invariant && std::getline(lines, line)) {
        text += "The model's check of the dcache's rules fired: " + line + ". ";
      }
      while (std::getline(lines, line) && line.rfind("T1 program:", 0) != 0) text += line + " ";
      bool dropped = false;
      for (const TraceEvent& ev : e.trace) {
        if (ev.function != "d_add_ci" || ev.what.rfind("inode_unlock", 0) != 0) continue;
        dropped = true;
        text += "T" + std::to_string(ev.thread + 1) + "'s d_add_ci() dropped " + ev.object +
                (ev.what == "inode_unlock" ? " (held exclusive)" : " (held shared)") + " at step " +
                std::to_string(ev.step) + " below (v4 7/7) to allocate without it. ";
      }
      if (dropped) text += rule_explanation(e.title);
    }
    out << wrap(text);
  }
  if (e.title == "INFO: task hung in d_wait_lookup") {
    out << wrap(
        "(A kernel would title this \"INFO: task hung in d_alloc_parallel\": "
        "d_wait_lookup() is inlined into it.)");
  } else if (e.title.rfind("BUG: lost wakeup", 0) == 0) {
    if (patches_for(switches_of(schedule.scenario())).move_wakes_dentry) {
      out << wrap(
          "v4 2/7's __d_move() clears DCACHE_PAR_LOOKUP on target but wakes the waiters "
          "of dentry, which has none.");
    }
    out << wrap(
        "(In a kernel the waiter just sleeps for ever: \"INFO: task hung in "
        "d_alloc_parallel\".)");
  } else if (e.title.rfind("BUG: dcache invariant", 0) == 0) {
    out << wrap(
        "(No kernel check fires here; the dcache is left inconsistent, and what follows "
        "depends on who looks next.)");
  }
}

}  // namespace

std::string format_mail(const pb::Schedule& schedule, const Execution& execution) {
  std::ostringstream out;
  const pb::Scenario& scenario = schedule.scenario();
  const std::string title = execution.found ? execution.title : std::string("no finding");
  out << "Subject: [dcfuzz] " << title << " (" << variant_phrase(scenario) << ")\n\n"
      << "Hello,\n\n";
  write_patches(out, scenario);
  out << "dcfuzz runs a model of fs/dcache.c and fs/namei.c (parallel lookups, in-lookup\n"
      << "dentries, d_add_ci, __d_move) thread by thread under a deterministic scheduler.\n"
      << "\n"
      << title << "\n\n";
  write_setting(out, scenario);
  out << "\n";
  if (execution.found) write_what_happens(out, schedule, execution);
  const std::string kernel = format_kernel_report(schedule, execution);
  if (!kernel.empty()) {
    out << "\n"
        << wrap(std::string("As the kernel would print it. ") + kFrameMarkerNote) << "\n"
        << kernel;
  }
  out << "\nThe model's own account, step by step (its events; a kernel prints nothing like it):\n"
      << format_interleaving(schedule, execution)
      << "\nReproducer (dcfuzz schedule, text format; save it as " << kReproducerFile << "):\n\n"
      << to_text(schedule) << "\n"
      << "It replays exactly, every time:\n"
      << "  dcfuzz replay " << kReproducerFile << "\n"
      << "and the same schedule on another variant:\n"
      << "  dcfuzz replay " << kReproducerFile << " --kernel mainline\n"
      << "\n---\n"
      << "This report is generated by dcfuzz from one schedule; the same schedule gives the same\n"
      << "report byte for byte. It is a finding of the model: please check it against the code.\n";
  return out.str();
}

}  // namespace dcfuzz
