// Findings: their text, every task's state, and the end of the execution.
#include "core/bug.h"

#include <cstdarg>
#include <cstring>

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
    out.add(", waiting in %s: %s on %s", t.wait.function, t.wait.what, ObjName(t.wait.object).buf);
  }
  out.add("\n  held locks:");
  if (t.nheld == 0) out.add(" none");
  for (int i = 0; i < t.nheld; ++i) {
    const HeldLock& h = t.held[i];
    out.add(" [%s (%s, by %s)]", ObjName(h.lock->ref).buf, h.shared ? "shared" : "exclusive",
            h.function);
  }
  out.add("\n");
}

const char* lock_kind(Obj kind) {
  switch (kind) {
    case Obj::i_rwsem:
      return "i_rwsem";
    case Obj::d_lock:
      return "d_lock";
    case Obj::rename_mutex:
      return "s_vfs_rename_mutex";
    case Obj::rename_lock:
      return "rename_lock";
    case Obj::bucket:
      return "bucket";
    case Obj::i_dir_seq:
      return "i_dir_seq";
    default:
      return "";
  }
}

// The task for the report's call traces (kernel form: reports/kernel_trace.cc).
void snapshot_task(Host& host, const Task& t) {
  TaskSnapshot s;
  s.thread = t.index;
  s.op = t.op;
  s.state = state_name(t);
  s.nframes = std::min(t.nframes, TaskSnapshot::kMaxFrames);
  for (int i = 0; i < s.nframes; ++i) s.frame[i] = t.frame[i];
  if (t.state == TaskState::blocked && t.parked) {
    const WaitSite& w = t.wait;
    s.wait_function = w.function;
    s.wait_what = w.what;
    object_name(w.object, s.wait_object, sizeof s.wait_object);
    s.wait_on_lock = w.on_lock;
    s.wait_shared = w.shared;
    if (w.lock) s.wait_kind = lock_kind(w.lock->ref.kind);
    if (w.lookup_of) {
      s.wait_lookup_owner = w.lookup_of->lookup_owner;
      dentry_path(w.lookup_of, s.wait_lookup_dentry, sizeof s.wait_lookup_dentry);
    }
    s.blocked_at = t.blocked_at;
  }
  s.nheld = std::min(t.nheld, TaskSnapshot::kMaxHeld);
  for (int i = 0; i < s.nheld; ++i) {
    const HeldLock& h = t.held[i];
    TaskSnapshot::Held& out = s.held[i];
    object_name(h.lock->ref, out.object, sizeof out.object);
    out.kind = lock_kind(h.lock->ref.kind);
    out.shared = h.shared;
    out.function = h.function;
  }
  host.on_task(s);
}

thread_local Text g_details;  // one finding per execution
thread_local char g_title[160];

}  // namespace

void describe_tasks(Text& out) {
  for (int i = 0; i < kstate().ntasks; ++i) describe_task(out, kstate().tasks[i]);
}

Text& new_finding() {
  g_details = Text();
  return g_details;
}

namespace {

// After the title is in g_title.
[[noreturn]] void deliver(const Finding& where, const Text& details) {
  Host& host = *kstate().host;
  if (host.tracing()) {
    for (int i = 0; i < kstate().ntasks; ++i) snapshot_task(host, kstate().tasks[i]);
  }
  Finding finding = where;
  finding.title = g_title;
  finding.details = details.str();
  host.on_finding(finding);
  host.fail_execution(g_title);
}

// The kernel source file of a function that reads a held dentry's inode:
// the VFS's own (fs/namei.c) but for these.
const char* kernel_file_of(const char* function) {
  static const struct {
    const char* function;
    const char* file;
  } files[] = {
      {"d_alloc_parallel", "fs/dcache.c"}, {"__d_add", "fs/dcache.c"},
      {"__d_move", "fs/dcache.c"},         {"__d_unalias", "fs/dcache.c"},
      {"iterate_dir", "fs/readdir.c"},     {"nfs_unlink", "fs/nfs/dir.c"},
      {"nfs_rename", "fs/nfs/dir.c"},
  };
  for (const auto& f : files)
    if (std::strcmp(f.function, function) == 0) return f.file;
  return "fs/namei.c";
}

}  // namespace

[[noreturn]] void report_finding(FindingKind kind, int thread, const char* function,
                                 const Text& details, const char* title_format, ...) {
  va_list args;
  va_start(args, title_format);
  vsnprintf(g_title, sizeof g_title, title_format, args);
  va_end(args);
  Finding where;
  where.kind = kind;
  where.thread = thread;
  where.function = function;
  deliver(where, details);
}

[[noreturn]] void report_kernel_check(const char* function, const char* file, const Text& details,
                                      const char* title_format, ...) {
  va_list args;
  va_start(args, title_format);
  vsnprintf(g_title, sizeof g_title, title_format, args);
  va_end(args);
  Finding where;
  where.kind = FindingKind::kernel_assertion;
  where.thread = current().index;
  where.function = function;
  where.file = file;
  deliver(where, details);
}

namespace {

[[noreturn]] void kernel_check(const char* kind, const char* title, const char* function,
                               const char* check, const dentry* d, const char* file) {
  Text& out = new_finding();
  out.add("%s: %s at %s: %s (T%d, %s)\n", kind, check, file, function, current().index + 1,
          ObjName(dref(Obj::dentry, d)).buf);
  describe_tasks(out);
  report_kernel_check(function, file, out, "%s in %s", title, function);
}

}  // namespace

[[noreturn]] void kernel_warning(const char* function, const char* check, const dentry* d,
                                 const char* file) {
  kernel_check("WARN_ON", "WARNING", function, check, d, file);
}

[[noreturn]] void kernel_bug(const char* function, const char* check, const dentry* d,
                             const char* file) {
  kernel_check("BUG_ON", "kernel BUG", function, check, d, file);
}

[[noreturn]] void err_ptr_dereference(const char* function, const char* from, long err) {
  Text& out = new_finding();
  out.add(
      "T%d: %s returned ERR_PTR(%ld) and %s tested it for NULL only: its first dereference "
      "faults at address %016lx.\n",
      current().index + 1, from, err, function, static_cast<unsigned long>(err));
  describe_tasks(out);
  report_kernel_check(function, kernel_file_of(function), out,
                      "BUG: unable to handle page fault in %s", function);
}

namespace {

[[noreturn]] void null_inode(const dentry* d, const char* caller, const char* held_as) {
  Text& out = new_finding();
  out.add(
      "T%d: %s reads the inode of %s, which it holds as %s, and finds none: the kernel "
      "dereferences NULL there.\n",
      current().index + 1, caller, ObjName(dref(Obj::dentry, d)).buf, held_as);
  describe_tasks(out);
  report_kernel_check(caller, kernel_file_of(caller), out,
                      "BUG: kernel NULL pointer dereference in %s", caller);
}

}  // namespace

inode* d_inode_of_dir(const dentry* d, const char* caller) {
  if (!d->d_inode) null_inode(d, caller, "a directory");
  return d->d_inode;
}

inode* d_inode_held(const dentry* d, const char* caller) {
  if (!d->d_inode) null_inode(d, caller, "a positive dentry");
  return d->d_inode;
}

[[noreturn]] void invariant_violation(const char* rule, const dentry* d, const char* function) {
  Text& out = new_finding();
  out.add("%s: %s (in %s)\n", rule, d ? ObjName(dref(Obj::dentry, d)).buf : "-", function);
  describe_tasks(out);
  report_finding(FindingKind::invariant, -1, function, out, "BUG: dcache invariant: %s", rule);
}

}  // namespace dcfuzz::model
