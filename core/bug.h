// BUG() and WARN(): a broken rule becomes a finding with a stable one-line
// title (the bucket, in kernel words) and details that name every object by
// path and show every task's program, state and held locks. The checks live
// with what they check: lock order and unlock balance in lockdep.cc, the hung
// task in hung_task.cc, the lost wakeup beside __d_lookup_unhash, the
// in-lookup rules in invariants.cc.
#pragma once

#include "core/dcache.h"
#include "core/events.h"

namespace dcfuzz::model {

// Finding text is built in a fixed buffer: during an execution the heap is
// Relacy's, and std::string's out-of-line code would mix the two heaps.
class Text {
 public:
  Text& add(const char* format, ...) __attribute__((format(printf, 2, 3)));
  const char* str() const { return buf_; }

 private:
  char buf_[6144] = {};
  size_t len_ = 0;
};

// A printable name of an object for a format argument; lives until the end
// of the full expression.
struct ObjName {
  explicit ObjName(const ObjRef& r) { object_name(r, buf, sizeof buf); }
  char buf[128];
};

// The details of this execution's finding, empty (one finding per execution).
Text& new_finding();
// Reports `details` under the title (printf-style) and ends the execution;
// `thread` and `function` as in Finding (core/program.h).
[[noreturn]] void report_finding(FindingKind kind, int thread, const char* function,
                                 const Text& details, const char* title_format, ...)
    __attribute__((format(printf, 5, 6)));
// The same for a check of the kernel's own in `function` of kernel source
// `file` (a WARN_ON, a BUG_ON, an oops): the report prints it as the kernel.
[[noreturn]] void report_kernel_check(const char* function, const char* file, const Text& details,
                                      const char* title_format, ...)
    __attribute__((format(printf, 4, 5)));
// "BUG: dcache invariant: <rule>", about dentry `d` (may be null), found in
// `function`.
[[noreturn]] void invariant_violation(const char* rule, const dentry* d,
                                      const char* function = __builtin_FUNCTION());
// The kernel's own WARN_ON and BUG_ON in `function` (the execution ends, as
// with panic_on_warn), titled as syzbot titles them: "WARNING in
// __d_instantiate", "kernel BUG in d_splice_alias". `check` quotes the
// kernel's condition; `d` is the dentry it is about; `file` the function's.
[[noreturn]] void kernel_warning(const char* function, const char* check, const dentry* d,
                                 const char* file = "fs/dcache.c");
[[noreturn]] void kernel_bug(const char* function, const char* check, const dentry* d,
                             const char* file = "fs/dcache.c");
// `function` goes on with the ERR_PTR(err) that `from` returned as if it
// were a dentry: the first dereference oopses ("BUG: unable to handle page
// fault for address: fffffffffffffff4").
[[noreturn]] void err_ptr_dereference(const char* function, const char* from, long err);
// The inode of a directory dentry `d` that `caller` holds as a parent; a
// negative one (the kernel never leaves a held directory negative: d_delete
// unhashes it instead) is the NULL pointer dereference the kernel's next
// `d_inode(dir)->...` would oops on.
inode* d_inode_of_dir(const dentry* d, const char* caller = __builtin_FUNCTION());
// The same for a dentry `caller` holds and knows positive (a file it just
// created or holds open).
inode* d_inode_held(const dentry* d, const char* caller = __builtin_FUNCTION());
// Every task: program, op, state, held locks.
void describe_tasks(Text& out);

// The in-lookup rules over the whole cache (invariants.cc; run at every
// scheduling decision).
void check_invariants();

}  // namespace dcfuzz::model
