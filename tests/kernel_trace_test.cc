// Call traces in the kernel's form and the mail (reports/kernel_trace.h,
// reports/mail.cc): for each reproducer, the kernel's call path of its bug,
// frame by frame; the same bytes on every replay; the lockdep-shaped cycle
// where there is one and not where there is none; `replay --mail`.
#include "reports/kernel_trace.h"

#include <gtest/gtest.h>

#include <regex>

#include "reports/report.h"
#include "schedules/run.h"
#include "schedules/schedule_io.h"
#include "tests/run_binary.h"

namespace dcfuzz {
namespace {

struct ExpectedTrace {
  const char* file;  // under corpus/
  int task;          // T1 = 1
  // The kernel's frames, innermost first; "? " marks the ones the model
  // does not run (named from the fixed map).
  std::vector<const char*> frames;
};

const ExpectedTrace kExpected[] = {
    {"regressions/wrong-waiter-alias-splice.textproto",
     2,
     {"? context_switch", "? __schedule", "? __schedule_loop", "? schedule", "d_wait_lookup",
      "d_alloc_parallel", "__lookup_slow", "lookup_slow", "? walk_component", "lookup_last",
      "? path_lookupat", "? filename_lookup", "vfs_statx", "? vfs_fstatat", "? __do_sys_newfstatat",
      "? __se_sys_newfstatat", "? do_syscall_x64", "? do_syscall_64",
      "? entry_SYSCALL_64_after_hwframe"}},
    {"regressions/wrong-waiter-alias-splice.textproto",
     1,
     {"? _raw_spin_unlock", "? spin_unlock", "__d_move", "d_splice_alias", "ext4_lookup",
      "__lookup_slow", "lookup_slow", "? walk_component", "lookup_last", "? path_lookupat",
      "? filename_lookup", "vfs_statx", "? vfs_fstatat", "? __do_sys_newfstatat",
      "? __se_sys_newfstatat", "? do_syscall_x64", "? do_syscall_64",
      "? entry_SYSCALL_64_after_hwframe"}},
    {"regressions/add-ci-not-in-lookup.textproto",
     2,
     {"? __dump_stack", "? dump_stack_lvl", "? print_unlock_imbalance_bug", "? __lock_release",
      "? lock_release", "? up_read", "? inode_unlock_shared", "lookup_slow", "? walk_component",
      "lookup_last", "? path_lookupat", "? filename_lookup", "vfs_statx", "? vfs_fstatat",
      "? __do_sys_newfstatat", "? __se_sys_newfstatat", "? do_syscall_x64", "? do_syscall_64",
      "? entry_SYSCALL_64_after_hwframe"}},
    {"regressions/add-ci-alloc-parallel-enomem.textproto",
     1,
     {"? __dump_stack", "? dump_stack_lvl", "? print_unlock_imbalance_bug", "? __lock_release",
      "? lock_release", "? up_read", "? inode_unlock_shared", "lookup_slow", "? walk_component",
      "lookup_last", "? path_lookupat", "? filename_lookup", "vfs_statx", "? vfs_fstatat",
      "? __do_sys_newfstatat", "? __se_sys_newfstatat", "? do_syscall_x64", "? do_syscall_64",
      "? entry_SYSCALL_64_after_hwframe"}},
    {"regressions/add-ci-d-alloc-enomem.textproto",
     1,
     {"? __dump_stack", "? dump_stack_lvl", "? print_unlock_imbalance_bug", "? __lock_release",
      "? lock_release", "? up_write", "? inode_unlock", "filename_create", "filename_mknodat",
      "? __do_sys_mknodat", "? __se_sys_mknodat", "? do_syscall_x64", "? do_syscall_64",
      "? entry_SYSCALL_64_after_hwframe"}},
    {"lock-drop/add-ci-relock-deadlock.textproto",
     1,
     {"? context_switch",
      "? __schedule",
      "? __schedule_loop",
      "? schedule",
      "? rwsem_down_read_slowpath",
      "? __down_read_common",
      "? __down_read",
      "? down_read",
      "? inode_lock_shared",
      "d_add_ci",
      "xfs_vn_ci_lookup",
      "__lookup_slow",
      "lookup_slow",
      "? walk_component",
      "link_path_walk",
      "? path_lookupat",
      "? filename_lookup",
      "vfs_statx",
      "? vfs_fstatat",
      "? __do_sys_newfstatat",
      "? __se_sys_newfstatat",
      "? do_syscall_x64",
      "? do_syscall_64",
      "? entry_SYSCALL_64_after_hwframe"}},
    {"lock-drop/add-ci-relock-deadlock.textproto",
     2,
     {"? context_switch", "? __schedule", "? __schedule_loop", "? schedule", "d_wait_lookup",
      "d_alloc_parallel", "lookup_open", "open_last_lookups", "? path_openat", "? do_filp_open",
      "do_sys_openat2", "? do_sys_open", "? __do_sys_openat", "? __se_sys_openat",
      "? do_syscall_x64", "? do_syscall_64", "? entry_SYSCALL_64_after_hwframe"}},
    {"lock-drop/add-ci-two-hashed.textproto",
     1,
     {"__d_add", "d_splice_alias", "d_add_ci", "xfs_vn_ci_lookup", "lookup_one_qstr_excl",
      "? __start_dirop", "? start_dirop", "filename_create", "filename_mknodat",
      "? __do_sys_mknodat", "? __se_sys_mknodat", "? do_syscall_x64", "? do_syscall_64",
      "? entry_SYSCALL_64_after_hwframe"}},
    {"lock-drop/add-ci-in-lookup-beside-hashed.textproto",
     1,
     {"d_add_ci", "xfs_vn_ci_lookup", "__lookup_slow", "lookup_slow", "? walk_component",
      "lookup_last", "? path_lookupat", "? filename_lookup", "vfs_statx", "? vfs_fstatat",
      "? __do_sys_newfstatat", "? __se_sys_newfstatat", "? do_syscall_x64", "? do_syscall_64",
      "? entry_SYSCALL_64_after_hwframe"}},
    {"regressions/lift-ci-mkdir-in-lookup.textproto",
     1,
     {"__d_instantiate", "d_instantiate", "? xfs_vn_mkdir", "vfs_mkdir", "filename_mkdirat",
      "? __do_sys_mkdir", "? __se_sys_mkdir", "? do_syscall_x64", "? do_syscall_64",
      "? entry_SYSCALL_64_after_hwframe"}},
    {"regressions/lift-ci-rename-duplicate-name.textproto",
     2,
     {"xfs_dir2_sf_addname", "? xfs_dir_createname", "? xfs_rename", "? xfs_vn_rename",
      "? vfs_rename", "filename_renameat2", "? __do_sys_rename", "? __se_sys_rename",
      "? do_syscall_x64", "? do_syscall_64", "? entry_SYSCALL_64_after_hwframe"}},
    {"lock-drop/add-ci-in-lookup-beside-hashed.textproto",
     2,
     {"__d_add", "d_splice_alias", "xfs_vn_ci_lookup", "lookup_one_qstr_excl", "? __start_dirop",
      "? start_dirop", "filename_unlinkat", "? __do_sys_unlink", "? __se_sys_unlink",
      "? do_syscall_x64", "? do_syscall_64", "? entry_SYSCALL_64_after_hwframe"}},
};

std::string corpus_path(const std::string& file) { return testing::source_path("corpus/" + file); }

pb::Schedule load(const std::string& file) {
  pb::Schedule s;
  std::string error;
  EXPECT_TRUE(load_schedule(corpus_path(file), &s, &error)) << error;
  return s;
}

std::vector<std::string> names_of(const std::vector<KernelFrame>& frames) {
  std::vector<std::string> out;
  for (const KernelFrame& f : frames) out.push_back((f.modelled ? "" : "? ") + f.function);
  return out;
}

class KernelTrace : public ::testing::TestWithParam<ExpectedTrace> {};

TEST_P(KernelTrace, NamesTheKernelsCallPathOfTheBug) {
  const ExpectedTrace& x = GetParam();
  const pb::Schedule schedule = load(x.file);
  const Execution e = run_schedule_traced(schedule);
  ASSERT_TRUE(e.found) << x.file;
  ASSERT_EQ(e.tasks.size(), size_t(schedule.scenario().threads_size()));
  const TaskAtFinding& task = e.tasks[size_t(x.task - 1)];
  EXPECT_EQ(names_of(kernel_call_trace(schedule.scenario(), e, task)),
            std::vector<std::string>(x.frames.begin(), x.frames.end()))
      << x.file << " T" << x.task;
}

TEST_P(KernelTrace, TracesAndMailAreTheSameBytesOnEveryReplay) {
  const ExpectedTrace& x = GetParam();
  const pb::Schedule schedule = load(x.file);
  const Execution a = run_schedule_traced(schedule);
  const Execution b = run_schedule_traced(schedule);
  const std::string kernel = format_kernel_report(schedule, a);
  EXPECT_FALSE(kernel.empty());
  EXPECT_EQ(kernel, format_kernel_report(schedule, b));
  const std::string mail = format_mail(schedule, a);
  EXPECT_EQ(mail, format_mail(schedule, b));
  EXPECT_NE(mail.find(kernel), std::string::npos) << "the mail carries the traces";
  EXPECT_FALSE(std::regex_search(mail, std::regex("0x[0-9a-f]|ffff[0-9a-f]{4}|\\+0x")))
      << "no addresses or offsets";
  // Through the binary, twice: the same bytes.
  const auto first = testing::run_dcfuzz("replay " + corpus_path(x.file) + " --mail -");
  const auto second = testing::run_dcfuzz("replay " + corpus_path(x.file) + " --mail -");
  EXPECT_EQ(first.exit_code, 1) << first.err;
  EXPECT_EQ(first.out, second.out);
  EXPECT_EQ(first.out.rfind("Subject: [dcfuzz] " + a.title + " (", 0), 0u) << first.out;
}

std::string test_name(const ::testing::TestParamInfo<ExpectedTrace>& info) {
  std::string name = info.param.file;
  name = name.substr(name.find('/') + 1);
  name = name.substr(0, name.find('.')) + "_T" + std::to_string(info.param.task);
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

INSTANTIATE_TEST_SUITE_P(Reproducers, KernelTrace, ::testing::ValuesIn(kExpected), test_name);

TEST(KernelTraceCycle, TheLockDropDeadlockInLockdepsShape) {
  const pb::Schedule schedule = load("lock-drop/add-ci-relock-deadlock.textproto");
  const Execution e = run_schedule_traced(schedule);
  ASSERT_EQ(e.title, "INFO: task hung in d_wait_lookup");
  const std::vector<WaitEdge> cycle = wait_cycle(e);
  ASSERT_EQ(cycle.size(), 2u);
  EXPECT_EQ(cycle[0].from, 1);
  EXPECT_EQ(cycle[0].waits_for, "in-lookup dentry /a");
  EXPECT_EQ(cycle[0].because, "owns in-lookup dentry /a");
  EXPECT_EQ(cycle[1].waits_for, "i_rwsem of / (shared)");
  EXPECT_EQ(cycle[1].because, "holds i_rwsem of / (exclusive)");
  const std::string k = format_kernel_report(schedule, e);
  for (const char* part : {
           "INFO: task T1:1 blocked for more than 120 seconds.",
           "INFO: task T2:2 blocked for more than 120 seconds.",
           "INFO: task T1:1 <reader> blocked on an rw-semaphore likely owned by task T2:2 <writer>",
           "WARNING: possible circular locking dependency detected",
           "dcfuzz: T2 holds i_rwsem of / (exclusive), waits for in-lookup dentry /a; T1 owns "
           "in-lookup dentry /a, waits for i_rwsem of / (shared)\n",
           "T2/2 is trying to acquire lock:\n in-lookup dentry /a, at: d_wait_lookup fs/dcache.c "
           "[inline]\n",
           "-> #1 (in-lookup dentry /a):\n       T1/1 owns it and waits for i_rwsem of / "
           "(shared):\n",
           "-> #0 (i_rwsem of /):\n       T2/2 holds it (exclusive) and waits for in-lookup "
           "dentry /a:\n",
           "  lock(i_rwsem of /);\n                               lock(in-lookup dentry /a);\n"
           "                               rlock(i_rwsem of /);\n  lock(in-lookup dentry /a);\n",
           " *** DEADLOCK ***",
           "1 lock held by T2/2:\n #0: i_rwsem of / (&type->i_mutex_dir_key){++++}-{4:4}, at: "
           "open_last_lookups fs/namei.c [inline]\n",
       }) {
    EXPECT_NE(k.find(part), std::string::npos) << part << "\n---\n" << k;
  }
  const std::string mail = format_mail(schedule, e);
  std::string flat = mail;  // the paragraphs are wrapped
  for (char& c : flat) c = c == '\n' ? ' ' : c;
  EXPECT_EQ(mail.substr(0, mail.find('\n')),
            "Subject: [dcfuzz] INFO: task hung in d_wait_lookup (v4 + both fixes from review)");
  for (const char* part :
       {"* [PATCH v4 2/7] VFS: use wait_var_event for waiting in d_alloc_parallel()",
        "* [PATCH v4 6/7] VFS: Add LOOKUP_SHARED flag.",
        "* [PATCH v4 7/7] VFS/xfs/ntfs: drop parent lock across d_alloc_parallel() in d_add_ci()",
        "+ the fix from review: d_add_ci() re-takes", "T1: stat(\"a/A\")",
        "T2: open(\"a\", O_CREAT)", "a lock it dropped itself in d_add_ci() (step 17",
        "dcfuzz replay schedule.textproto"}) {
    EXPECT_NE(flat.find(part), std::string::npos) << part;
  }
}

// No cycle where there is none: a lost wakeup's sleeper waits for nobody.
TEST(KernelTraceCycle, NoCycleForALostWakeup) {
  const pb::Schedule schedule = load("regressions/wrong-waiter-alias-splice.textproto");
  const Execution e = run_schedule_traced(schedule);
  ASSERT_EQ(e.title, "BUG: lost wakeup in __d_move");
  EXPECT_TRUE(wait_cycle(e).empty());
  const std::string k = format_kernel_report(schedule, e);
  EXPECT_EQ(k.find("circular locking dependency"), std::string::npos);
  EXPECT_NE(k.find("INFO: task T2:2 blocked for more than 120 seconds."), std::string::npos);
  const std::string mail = format_mail(schedule, e);
  EXPECT_NE(mail.find("as posted: __d_move() wakes the waiters of dentry"), std::string::npos);
}

// A WARN_ON or BUG_ON the model runs is printed as the kernel opens it,
// with the file of the function it is in; a check of the model's own (an
// invariant) says no kernel check reports it.
TEST(KernelTraceCycle, KernelChecksOpenAsTheKernelPrintsThem) {
  const pb::Schedule warn = load("regressions/lift-ci-rename-duplicate-name.textproto");
  const std::string w = format_kernel_report(warn, run_schedule_traced(warn));
  EXPECT_NE(w.find("------------[ cut here ]------------\n"
                   "WARNING: CPU: 0 PID: 2 at fs/xfs/libxfs/xfs_dir2_sf.c xfs_dir2_sf_addname\n"),
            std::string::npos)
      << w;
  EXPECT_NE(w.find("Comm: T2 (dcfuzz model of mainline,+6/7,+7/7,+fix-add-ci,+lift)"),
            std::string::npos)
      << w;
  EXPECT_EQ(w.find("No kernel check reports this"), std::string::npos);
  const pb::Schedule inv = load("regressions/lift-open-create-stale-negative.textproto");
  const std::string i = format_kernel_report(inv, run_schedule_traced(inv));
  EXPECT_NE(i.find("No kernel check reports this"), std::string::npos) << i;
}

TEST(KernelTraceCycle, ACleanRunHasNoKernelForm) {
  pb::Schedule schedule = load("lock-drop/add-ci-relock-deadlock.textproto");
  schedule.mutable_scenario()->set_kernel(pb::MAINLINE);
  const Execution e = run_schedule_traced(schedule);
  ASSERT_FALSE(e.found);
  EXPECT_EQ(format_kernel_report(schedule, e), "");
  EXPECT_NE(format_mail(schedule, e).find("on mainline (no patches applied)"), std::string::npos);
}

// The lock-drop reproducers: found on every variant with v4 7/7, never on mainline.
TEST(LockDropReproducers, FoundWhereD_add_ciDropsTheLockOnly) {
  const struct {
    const char* file;
    const char* title;
  } cases[] = {
      {"lock-drop/add-ci-relock-deadlock.textproto", "INFO: task hung in d_wait_lookup"},
      {"lock-drop/add-ci-two-hashed.textproto",
       "BUG: dcache invariant: two hashed dentries for one name"},
      {"lock-drop/add-ci-in-lookup-beside-hashed.textproto",
       "BUG: dcache invariant: in-lookup dentry beside a hashed one"},
  };
  for (const auto& c : cases) {
    pb::Schedule s = load(c.file);
    for (pb::Kernel k : {pb::V4, pb::V4_FIXED, pb::V4_FIX_MOVE, pb::V4_FIX_ADD_CI, pb::MAINLINE}) {
      s.mutable_scenario()->set_kernel(k);
      const Execution e = run_schedule(s);
      if (k == pb::MAINLINE) {
        EXPECT_FALSE(e.found) << c.file << ": " << e.title;
      } else {
        EXPECT_EQ(e.title, c.title) << c.file << " on " << pb::Kernel_Name(k);
      }
    }
  }
}

TEST(ReplayMail, ToAFileTheSameAsToStdout) {
  const std::string file = corpus_path("lock-drop/add-ci-relock-deadlock.textproto");
  const std::string path = ::testing::TempDir() + "dcfuzz_mail_" + std::to_string(getpid());
  const auto to_file = testing::run_dcfuzz("replay " + file + " --mail " + path);
  EXPECT_EQ(to_file.exit_code, 1) << to_file.err;
  EXPECT_EQ(to_file.out.substr(0, to_file.out.find('\n')), "INFO: task hung in d_wait_lookup");
  const auto to_stdout = testing::run_dcfuzz("replay " + file + " --mail -");
  EXPECT_EQ(testing::slurp(path), to_stdout.out);
  std::remove(path.c_str());
}

TEST(ReplayMail, BadPathsAreOneLineAndExitTwo) {
  const std::string file = corpus_path("lock-drop/add-ci-relock-deadlock.textproto");
  testing::expect_bad("replay " + file + " --mail /nonexistent/dir/mail.txt", "--mail");
  testing::expect_bad("replay " + file + " --mail " + ::testing::TempDir(), "--mail");
  testing::expect_bad("replay " + file + " --mail", "mail");
}

}  // namespace
}  // namespace dcfuzz

namespace dcfuzz {
namespace {

// README's "What it finds" shows the first screen of each lock-drop mail:
// it must be what `replay --mail -` prints today.
TEST(ReadmeMails, FirstScreensAreCurrent) {
  const std::string readme = testing::slurp(testing::source_path("README.md"));
  for (const char* name :
       {"lock-drop/add-ci-relock-deadlock", "lock-drop/add-ci-two-hashed",
        "lock-drop/add-ci-in-lookup-beside-hashed", "regressions/lock-drop-stale-positive",
        "regressions/lock-drop-double-rename"}) {
    const pb::Schedule schedule = load(std::string(name) + ".textproto");
    const std::string mail = format_mail(schedule, run_schedule_traced(schedule));
    const std::string screen = mail.substr(0, mail.find("\n\nAs the kernel would print it"));
    EXPECT_NE(readme.find("```\n" + screen + "\n```"), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace dcfuzz
