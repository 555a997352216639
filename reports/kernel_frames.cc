// The fixed map from the model's call chain to the kernel's frames (as of the
// tree v4 of the lookup-locking series applies to, 2026: the namei.c workers
// are filename_mkdirat, filename_unlinkat, filename_renameat2; locking and
// lookup for directory operations are in start_dirop / __start_renaming).
//
// Each model frame becomes the kernel function it is (printed plainly: the
// model runs it), preceded by the kernel frames the model folds into its
// caller (marked "?"): between a model function and the model function it
// calls (bridge()), above the innermost model frame (the lock primitive or
// the scheduler: primitive()), and below the outermost (the syscall entry:
// syscall_tail()).
#include <cstring>

#include "core/events.h"
#include "core/scenario.h"
#include "reports/kernel_trace.h"

namespace dcfuzz {

const char kFrameMarkerNote[] =
    "Frames marked \"?\" are kernel callers the model does not run; dcfuzz names them from a "
    "fixed map (reports/kernel_frames.cc). The others are the model's own call chain.";

namespace {

struct Context {
  const pb::Scenario& scenario;
  pb::OpKind op;
  const std::vector<std::string>& frames;  // outermost first
};

KernelFrame modelled(const char* function, const char* file, bool is_inline = false) {
  return KernelFrame{function, file, is_inline, true};
}

KernelFrame named(const char* function, const char* file, bool is_inline = false) {
  return KernelFrame{function, file, is_inline, false};
}

bool is(const std::string& s, const char* name) { return s == name; }

bool is_walk_step(const std::string& s) { return s == "link_path_walk" || s == "lookup_last"; }

const char* fs_create_function(pb::Filesystem fs, bool dir) {
  switch (fs) {
    case pb::CASE_INSENSITIVE:
      return dir ? "xfs_vn_mkdir" : "xfs_vn_mknod";
    case pb::NFS:
      return dir ? "nfs_mkdir" : "nfs_mknod";
    default:
      return dir ? "ext4_mkdir" : "ext4_mknod";
  }
}

const char* fs_file(pb::Filesystem fs) {
  switch (fs) {
    case pb::CASE_INSENSITIVE:
      return "fs/xfs/xfs_iops.c";
    case pb::NFS:
      return "fs/nfs/dir.c";
    default:
      return "fs/ext4/namei.c";
  }
}

// The kernel function model frame `i` is; `function` empty when the model
// function stands for no kernel frame of its own.
KernelFrame self(const Context& c, size_t i) {
  const std::string& f = c.frames[i];
  const std::string caller = i > 0 ? c.frames[i - 1] : "";
  static const struct {
    const char* model;
    const char* kernel;
    const char* file;
    bool is_inline;
  } plain[] = {
      {"do_stat", "vfs_statx", "fs/stat.c", false},
      {"link_path_walk", "link_path_walk", "fs/namei.c", false},
      {"lookup_fast", "lookup_fast", "fs/namei.c", false},
      {"lookup_slow", "lookup_slow", "fs/namei.c", false},
      {"__lookup_slow", "__lookup_slow", "fs/namei.c", false},
      {"lookup_one_qstr_excl", "lookup_one_qstr_excl", "fs/namei.c", false},
      {"lookup_one_qstr", "lookup_one_qstr", "fs/namei.c", false},  // "lift"
      {"start_dirop", "__start_dirop", "fs/namei.c", false},        // "lift"
      {"lookup_open", "lookup_open", "fs/namei.c", true},
      {"open_last_lookups", "open_last_lookups", "fs/namei.c", true},
      {"filename_create", "filename_create", "fs/namei.c", false},
      {"done_path_create", "end_creating_path", "fs/namei.c", true},
      {"do_unlinkat", "filename_unlinkat", "fs/namei.c", false},
      {"do_open_create", "do_sys_openat2", "fs/open.c", false},
      {"do_fh_decode", "do_handle_open", "fs/fhandle.c", false},
      {"do_open_path", "do_sys_openat2", "fs/open.c", false},
      {"lock_rename", "lock_rename", "fs/namei.c", false},
      {"unlock_rename", "unlock_rename", "fs/namei.c", false},
      {"do_rename", "filename_renameat2", "fs/namei.c", false},
      {"d_alloc", "d_alloc", "fs/dcache.c", false},
      {"lockref_get_not_dead", "lockref_get_not_dead", "lib/lockref.c", false},
      {"dput", "dput", "fs/dcache.c", false},
      {"__dentry_kill", "__dentry_kill", "fs/dcache.c", false},
      {"d_lookup", "d_lookup", "fs/dcache.c", false},
      {"d_instantiate", "d_instantiate", "fs/dcache.c", false},
      {"d_delete", "d_delete", "fs/dcache.c", false},
      {"__d_add", "__d_add", "fs/dcache.c", false},
      {"d_obtain_alias", "d_obtain_alias", "fs/dcache.c", false},
      {"d_alloc_parallel", "d_alloc_parallel", "fs/dcache.c", false},
      {"d_wait_lookup", "d_wait_lookup", "fs/dcache.c", true},
      {"__d_lookup_unhash", "__d_lookup_unhash", "fs/dcache.c", false},
      {"__d_wake_in_lookup_waiters", "__d_wake_in_lookup_waiters", "fs/dcache.c", false},
      {"d_lookup_done", "d_lookup_done", "include/linux/dcache.h", true},
      {"start_dir_add", "start_dir_add", "fs/dcache.c", true},
      {"__d_move", "__d_move", "fs/dcache.c", false},
      {"d_move", "d_move", "fs/dcache.c", false},
      {"d_splice_alias", "d_splice_alias", "fs/dcache.c", false},
      {"d_add_ci", "d_add_ci", "fs/dcache.c", false},
      {"ci_lookup", "xfs_vn_ci_lookup", "fs/xfs/xfs_iops.c", false},
      {"nfs_lookup", "nfs_lookup", "fs/nfs/dir.c", false},
      // rmdir, link, renameat2(RENAME_EXCHANGE)
      {"do_rmdir", "filename_rmdir", "fs/namei.c", false},
      {"vfs_rmdir", "vfs_rmdir", "fs/namei.c", false},
      {"shrink_dcache_parent", "shrink_dcache_parent", "fs/dcache.c", false},
      {"do_linkat", "filename_linkat", "fs/namei.c", false},
      {"filename_lookup", "filename_lookup", "fs/namei.c", false},
      {"vfs_link", "vfs_link", "fs/namei.c", false},
      {"vfs_rename_exchange", "vfs_rename", "fs/namei.c", false},
      {"d_exchange", "d_exchange", "fs/dcache.c", false},
      {"lock_two_nondirectories", "lock_two_nondirectories", "fs/inode.c", false},
      {"do_readdir", "__do_sys_getdents64", "fs/readdir.c", true},
      {"iterate_dir", "iterate_dir", "fs/readdir.c", false},
      {"nfs_readdir", "nfs_readdir", "fs/nfs/dir.c", false},
      {"nfs_prime_dcache", "nfs_prime_dcache", "fs/nfs/dir.c", false},
      {"d_alloc_noblock", "d_alloc_noblock", "fs/dcache.c", false},
      {"d_duplicate", "d_duplicate", "fs/dcache.c", false},
      {"do_open_held", "do_sys_openat2", "fs/open.c", false},
      {"nfs_rename", "nfs_rename", "fs/nfs/dir.c", false},
      {"nfs_unlink", "nfs_unlink", "fs/nfs/dir.c", false},
      {"nfs_sillyrename", "nfs_sillyrename", "fs/nfs/unlink.c", false},
  };
  if (is(f, "lookup_last")) {  // a parent walk's last step is still link_path_walk's
    return c.op == pb::LOOKUP || is(caller, "filename_lookup")
               ? modelled("lookup_last", "fs/namei.c", true)
               : modelled("link_path_walk", "fs/namei.c");
  }
  if (is(f, "do_create")) {
    return c.op == pb::MKDIR ? modelled("filename_mkdirat", "fs/namei.c")
                             : modelled("filename_mknodat", "fs/namei.c");
  }
  if (is(f, "plain_lookup")) {  // the nfs-like ->lookup calls it: one kernel function
    return is(caller, "nfs_lookup") ? KernelFrame{} : modelled("ext4_lookup", "fs/ext4/namei.c");
  }
  if (is(f, "fs_create")) {  // lookup_open calls ->create itself; the rest go through vfs_*
    if (is(caller, "lookup_open")) {
      return modelled(fs_create_function(c.scenario.fs(), false), fs_file(c.scenario.fs()));
    }
    return c.op == pb::MKDIR ? modelled("vfs_mkdir", "fs/namei.c")
                             : modelled("vfs_create", "fs/namei.c");
  }
  for (const auto& p : plain) {
    if (f == p.model) return modelled(p.kernel, p.file, p.is_inline);
  }
  return KernelFrame{f, "", false, true};  // a model function the map does not know
}

// Kernel frames between model frame `caller` and the function it calls
// (`callee`: a model frame, or the lock primitive: "inode_lock", ...),
// innermost first.
std::vector<KernelFrame> bridge(const Context& c, const std::string& caller,
                                const std::string& callee) {
  const bool lock_or_lookup = callee == "inode_lock" || callee == "inode_lock_nested" ||
                              callee == "lookup_one_qstr_excl" || callee == "lookup_one_qstr";
  if (is_walk_step(caller)) return {named("walk_component", "fs/namei.c", true)};
  if (is(caller, "do_readdir") && is_walk_step(callee)) {  // open(O_DIRECTORY)'s walk
    return {named("path_openat", "fs/namei.c"), named("do_filp_open", "fs/namei.c"),
            named("do_sys_openat2", "fs/open.c")};
  }
  if (is(caller, "do_open_held") && is_walk_step(callee)) {
    return {named("path_openat", "fs/namei.c"), named("do_filp_open", "fs/namei.c")};
  }
  if (is(caller, "nfs_readdir") && callee == "nfs_prime_dcache") {
    return {named("nfs_readdir_page_filler", "fs/nfs/dir.c"),
            named("nfs_readdir_xdr_to_array", "fs/nfs/dir.c")};
  }
  if ((is(caller, "do_stat") || is(caller, "filename_lookup")) && is_walk_step(callee)) {
    if (is(caller, "filename_lookup")) return {named("path_lookupat", "fs/namei.c")};
    return {named("path_lookupat", "fs/namei.c"), named("filename_lookup", "fs/namei.c")};
  }
  if (is_walk_step(callee) &&
      (is(caller, "do_create") || is(caller, "do_unlinkat") || is(caller, "do_rename") ||
       is(caller, "do_rmdir") || is(caller, "do_linkat"))) {
    std::vector<KernelFrame> out = {named("path_parentat", "fs/namei.c"),
                                    named("__filename_parentat", "fs/namei.c"),
                                    named("filename_parentat", "fs/namei.c", true)};
    if (is(caller, "do_create") || is(caller, "do_linkat"))
      out.push_back(named("filename_create", "fs/namei.c"));
    return out;
  }
  const bool opens = is(caller, "do_open_create") || is(caller, "do_open_path");
  if (opens && (is_walk_step(callee) || callee == "open_last_lookups")) {
    return {named("path_openat", "fs/namei.c"), named("do_filp_open", "fs/namei.c")};
  }
  const bool dirop =
      is(caller, "filename_create") || is(caller, "do_unlinkat") || is(caller, "do_rmdir");
  if (dirop && callee == "start_dirop") {
    return {named("start_dirop", "fs/namei.c", true)};  // "lift"
  }
  if (dirop && lock_or_lookup) {
    return {named("__start_dirop", "fs/namei.c", true), named("start_dirop", "fs/namei.c", true)};
  }
  if ((is(caller, "do_unlinkat") || is(caller, "do_rmdir")) && callee == "inode_unlock") {
    return {named("end_dirop", "fs/namei.c", true)};
  }
  if (is(caller, "done_path_create") && callee == "inode_unlock") {
    return {named("end_dirop", "fs/namei.c", true),
            named("end_creating", "include/linux/namei.h", true)};
  }
  if (is(caller, "do_rename") && (callee == "lock_rename" || callee == "lookup_one_qstr_excl")) {
    return {named("__start_renaming", "fs/namei.c")};
  }
  if (is(caller, "do_rename") && callee == "unlock_rename") {
    return {named("end_renaming", "fs/namei.c", true)};
  }
  if (is(caller, "do_rename") && (callee == "d_move" || callee == "shrink_dcache_parent"))
    return {named("vfs_rename", "fs/namei.c")};
  if ((is(caller, "do_unlinkat") || is(caller, "vfs_rmdir")) && callee == "d_delete") {
    if (is(caller, "vfs_rmdir"))
      return {named("d_delete_notify", "include/linux/fsnotify.h", true)};
    return {named("d_delete_notify", "include/linux/fsnotify.h", true),
            named("vfs_unlink", "fs/namei.c")};
  }
  if (is(caller, "do_fh_decode") && callee == "d_obtain_alias") {
    KernelFrame to_dentry = c.scenario.fs() == pb::CASE_INSENSITIVE
                                ? named("xfs_fs_fh_to_dentry", "fs/xfs/xfs_export.c")
                                : named("generic_fh_to_dentry", "fs/libfs.c");
    return {to_dentry, named("exportfs_decode_fh_raw", "fs/exportfs/expfs.c"),
            named("do_handle_to_path", "fs/fhandle.c", true),
            named("handle_to_path", "fs/fhandle.c")};
  }
  if (is(caller, "fs_create")) {
    // vfs_create / vfs_mkdir -> the filesystem's ->mknod / ->mkdir
    bool via_vfs = true;
    for (size_t i = 1; i < c.frames.size(); ++i)
      if (c.frames[i] == "fs_create" && c.frames[i - 1] == "lookup_open") via_vfs = false;
    if (via_vfs) {
      return {
          named(fs_create_function(c.scenario.fs(), c.op == pb::MKDIR), fs_file(c.scenario.fs()))};
    }
  }
  if (callee == "__d_add" && !is(caller, "d_splice_alias")) return {named("d_add", "fs/dcache.c")};
  if (is(caller, "d_lookup_done")) return {named("__d_lookup_unhash_wake", "fs/dcache.c")};
  return {};
}

const std::vector<KernelFrame>& schedule_frames() {
  static const std::vector<KernelFrame> frames = {
      named("context_switch", "kernel/sched/core.c", true),
      named("__schedule", "kernel/sched/core.c"),
      named("__schedule_loop", "kernel/sched/core.c", true),
      named("schedule", "kernel/sched/core.c")};
  return frames;
}

// The lock primitive or wait above the innermost model frame, innermost
// first. `what` is the model's name for it (the wait site's, or the failing
// release's); `caller` the innermost model frame.
std::vector<KernelFrame> primitive(const std::string& what, const std::string& caller, bool release,
                                   bool unlock_imbalance) {
  std::vector<KernelFrame> out;
  auto add = [&](std::initializer_list<KernelFrame> frames) {
    out.insert(out.end(), frames.begin(), frames.end());
  };
  if (release && unlock_imbalance) {  // lockdep's bad unlock balance, from the release
    add({named("__dump_stack", "lib/dump_stack.c", true),
         named("dump_stack_lvl", "lib/dump_stack.c"),
         named("print_unlock_imbalance_bug", "kernel/locking/lockdep.c"),
         named("__lock_release", "kernel/locking/lockdep.c", true),
         named("lock_release", "kernel/locking/lockdep.c")});
  }
  if (release) {
    if (what == "inode_unlock_shared") {
      add({named("up_read", "kernel/locking/rwsem.c"),
           named("inode_unlock_shared", "include/linux/fs.h", true)});
    } else if (what == "inode_unlock") {
      add({named("up_write", "kernel/locking/rwsem.c"),
           named("inode_unlock", "include/linux/fs.h", true)});
    } else if (what == "mutex_unlock") {
      add({named("__mutex_unlock_slowpath", "kernel/locking/mutex.c"),
           named("mutex_unlock", "kernel/locking/mutex.c")});
    } else if (what == "spin_unlock") {
      add({named("_raw_spin_unlock", "kernel/locking/spinlock.c"),
           named("spin_unlock", "include/linux/spinlock.h", true)});
    }
    return out;
  }
  if (what == "spin_lock") {  // a spinning CPU: never in schedule()
    add({named("queued_spin_lock_slowpath", "kernel/locking/qspinlock.c"),
         named("_raw_spin_lock", "kernel/locking/spinlock.c"),
         named("spin_lock", "include/linux/spinlock.h", true)});
    return out;
  }
  if (what == "spin until even") return out;  // a seqcount reader or writer spinning
  out = schedule_frames();
  if (what == "inode_lock_shared") {
    add({named("rwsem_down_read_slowpath", "kernel/locking/rwsem.c"),
         named("__down_read_common", "kernel/locking/rwsem.c", true),
         named("__down_read", "kernel/locking/rwsem.c", true),
         named("down_read", "kernel/locking/rwsem.c"),
         named("inode_lock_shared", "include/linux/fs.h", true)});
  } else if (what == "inode_lock") {
    // start_dirop and lock_rename take the parent with inode_lock_nested
    const bool nested = caller == "filename_create" || caller == "do_unlinkat" ||
                        caller == "lock_rename" || caller == "start_dirop";
    add({named("rwsem_down_write_slowpath", "kernel/locking/rwsem.c"),
         named("__down_write_common", "kernel/locking/rwsem.c", true),
         named("__down_write", "kernel/locking/rwsem.c", true)});
    if (nested) {
      add({named("down_write_nested", "kernel/locking/rwsem.c"),
           named("inode_lock_nested", "include/linux/fs.h", true)});
    } else {
      add({named("down_write", "kernel/locking/rwsem.c"),
           named("inode_lock", "include/linux/fs.h", true)});
    }
  } else if (what == "inode_lock_nested" &&
             (caller == "do_rmdir" || caller == "filename_create" ||
              caller == "vfs_rename_exchange" ||
              caller ==
                  "lock_two_nondirectories")) {  // rmdir's and link's parent, exchange's children
    add({named("rwsem_down_write_slowpath", "kernel/locking/rwsem.c"),
         named("__down_write_common", "kernel/locking/rwsem.c", true),
         named("__down_write", "kernel/locking/rwsem.c", true),
         named("down_write_nested", "kernel/locking/rwsem.c"),
         named("inode_lock_nested", "include/linux/fs.h", true)});
  } else if (what == "mutex_lock") {
    add({named("schedule_preempt_disabled", "kernel/sched/core.c"),
         named("__mutex_lock_common", "kernel/locking/mutex.c", true),
         named("__mutex_lock", "kernel/locking/mutex.c"),
         named("mutex_lock_nested", "kernel/locking/mutex.c")});
  }
  // wait_var_event (v4 2/7) and mainline's wait loop call schedule() from
  // d_wait_lookup itself: no frame between them.
  return out;
}

std::vector<KernelFrame> syscall_tail(pb::OpKind op) {
  std::vector<KernelFrame> out;
  switch (op) {
    case pb::LOOKUP:
      out = {named("vfs_fstatat", "fs/stat.c"), named("__do_sys_newfstatat", "fs/stat.c", true),
             named("__se_sys_newfstatat", "fs/stat.c")};
      break;
    case pb::CREATE:
      out = {named("__do_sys_mknodat", "fs/namei.c", true),
             named("__se_sys_mknodat", "fs/namei.c")};
      break;
    case pb::MKDIR:
      out = {named("__do_sys_mkdir", "fs/namei.c", true), named("__se_sys_mkdir", "fs/namei.c")};
      break;
    case pb::UNLINK:
      out = {named("__do_sys_unlink", "fs/namei.c", true), named("__se_sys_unlink", "fs/namei.c")};
      break;
    case pb::RENAME:
      out = {named("__do_sys_rename", "fs/namei.c", true), named("__se_sys_rename", "fs/namei.c")};
      break;
    case pb::OPEN_CREATE:
      out = {named("do_sys_open", "fs/open.c", true), named("__do_sys_openat", "fs/open.c", true),
             named("__se_sys_openat", "fs/open.c")};
      break;
    case pb::FH_DECODE:
      out = {named("__do_sys_open_by_handle_at", "fs/fhandle.c", true),
             named("__se_sys_open_by_handle_at", "fs/fhandle.c")};
      break;
    case pb::OPEN:
      out = {named("do_sys_open", "fs/open.c", true), named("__do_sys_openat", "fs/open.c", true),
             named("__se_sys_openat", "fs/open.c")};
      break;
    case pb::RMDIR:
      out = {named("__do_sys_rmdir", "fs/namei.c", true), named("__se_sys_rmdir", "fs/namei.c")};
      break;
    case pb::LINK:
      out = {named("__do_sys_link", "fs/namei.c", true), named("__se_sys_link", "fs/namei.c")};
      break;
    case pb::RENAMEAT2_EXCHANGE:
      out = {named("__do_sys_renameat2", "fs/namei.c", true),
             named("__se_sys_renameat2", "fs/namei.c")};
      break;
    case pb::READDIR:
      out = {named("__se_sys_getdents64", "fs/readdir.c")};
      break;
    case pb::OPEN_HELD:
      out = {named("do_sys_open", "fs/open.c", true), named("__do_sys_openat", "fs/open.c", true),
             named("__se_sys_openat", "fs/open.c")};
      break;
    case pb::SERVER_RENAME:
    case pb::SERVER_UNLINK:
      return out;  // another machine: no system call of this kernel
    default:
      break;
  }
  out.push_back(named("do_syscall_x64", "arch/x86/entry/syscall_64.c", true));
  out.push_back(named("do_syscall_64", "arch/x86/entry/syscall_64.c"));
  out.push_back(named("entry_SYSCALL_64_after_hwframe", ""));
  return out;
}

bool is_release(const std::string& what) {
  return what == "inode_unlock_shared" || what == "inode_unlock" || what == "mutex_unlock" ||
         what == "spin_unlock";
}

bool is_acquire(const std::string& what) {
  return what == "inode_lock_shared" || what == "inode_lock" || what == "mutex_lock" ||
         what == "spin_lock";
}

}  // namespace

std::string frame_line(const KernelFrame& f, int indent) {
  std::string line(size_t(indent), ' ');
  if (!f.modelled) line += "? ";
  line += f.function;
  if (!f.file.empty()) line += " " + f.file;
  if (f.is_inline) line += " [inline]";
  return line;
}

std::vector<KernelFrame> kernel_call_trace(const pb::Scenario& scenario, const Execution& execution,
                                           const TaskAtFinding& task) {
  std::vector<KernelFrame> out;
  if (task.frames.empty() || task.thread >= scenario.threads_size()) return out;
  const pb::Thread& thread = scenario.threads(task.thread);
  if (task.op < 0 || task.op >= thread.ops_size()) return out;
  std::vector<std::string> frames = task.frames;
  // Above the innermost frame: the wait it sleeps in, or -- for the task
  // whose last event fired the finding -- the lock operation it was in.
  std::string what;
  bool release = false;
  const bool checked_here = execution.kind == FindingKind::kernel_assertion &&
                            execution.thread == task.thread && !execution.function.empty();
  if (checked_here) {
    // the WARN_ON or BUG_ON's own function, not the lock operation before it
    if (execution.function != frames.back())
      out.push_back(modelled(execution.function.c_str(), execution.file.c_str()));
    if (execution.function == "xfs_dir2_sf_addname") {  // xfs's callers, by the op
      out.push_back(named("xfs_dir_createname", "fs/xfs/libxfs/xfs_dir2.c"));
      const pb::OpKind op = thread.ops(task.op).op();
      if (op == pb::RENAME) {
        out.push_back(named("xfs_rename", "fs/xfs/xfs_inode.c"));
        out.push_back(named("xfs_vn_rename", "fs/xfs/xfs_iops.c"));
        out.push_back(named("vfs_rename", "fs/namei.c"));
      } else if (op == pb::LINK) {
        out.push_back(named("xfs_link", "fs/xfs/xfs_inode.c"));
      } else {
        out.push_back(named("xfs_create", "fs/xfs/xfs_inode.c"));
        out.push_back(named("xfs_generic_create", "fs/xfs/xfs_iops.c"));
      }
    }
  } else if (task.blocked()) {
    what = task.wait_what;
  } else if (!execution.trace.empty() && execution.trace.back().thread == task.thread) {
    const TraceEvent& last = execution.trace.back();
    if (is_release(last.what) || is_acquire(last.what)) {
      what = last.what;
      release = is_release(last.what);
    } else if (last.what == "->lookup returned" && frames.size() >= 2 &&
               execution.title == kBadUnlockBalanceTitle) {
      // The model checks the parent's lock when ->lookup returns; the
      // kernel's lockdep fires at the unlock that follows, in the function
      // that took the lock: the ->lookup caller has returned by then, and
      // the unlock is the one matching that function's acquire.
      frames.pop_back();
      for (size_t i = execution.trace.size(); i-- > 0;) {
        const TraceEvent& ev = execution.trace[i];
        if (ev.thread != task.thread || ev.object != last.object) continue;
        if (ev.function != frames.back()) continue;
        if (ev.what == "inode_lock_shared" || ev.what == "inode_lock") {
          what = ev.what == "inode_lock" ? "inode_unlock" : "inode_unlock_shared";
          release = true;
          break;
        }
      }
    }
  }
  const Context c{scenario, thread.ops(task.op).op(), frames};
  auto append = [&](const std::vector<KernelFrame>& more) {
    out.insert(out.end(), more.begin(), more.end());
  };
  const std::string& innermost = frames.back();
  if (!what.empty()) {
    append(primitive(what, innermost, release, execution.title == kBadUnlockBalanceTitle));
    append(bridge(c, innermost, what));
  }
  for (size_t i = frames.size(); i-- > 0;) {
    if (i + 1 < frames.size()) append(bridge(c, frames[i], frames[i + 1]));
    KernelFrame f = self(c, i);
    if (!f.function.empty()) out.push_back(f);
  }
  append(syscall_tail(c.op));
  return out;
}

}  // namespace dcfuzz
