// The oracles of issue 12 in the model. A directory is quiescent when no
// task holds or waits for its i_rwsem, none of its dentries is in lookup and
// no __d_move is under way (rename_lock's count is even): then its cached
// names must be what the disk has (on nfs, the server). On a case-insensitive
// filesystem the cache keeps the disk's own spelling (d_add_ci), so a
// positive dentry must match its name exactly, and a negative one must not
// match any name on disk even but for case (xfs unhashes, rather than keeps,
// a dentry it unlinks). Reads plain state only, and stays out of the
// fuzzer's edge coverage (cmake/coverage-ignorelist.txt).
#include "core/coherence.h"

#include "core/bug.h"
#include "core/kernel_state.h"
#include "core/plan.h"
#include "core/program.h"

namespace dcfuzz::model {

namespace {

constexpr uint32_t kMaxInodes = 64;  // i_no of the inodes tracked for quiescence

// The disk's entry for `name` in `dir`, read without disk_find's race
// bookkeeping (an observer's read, not the model's).
const DirEntry* on_disk(const inode* dir, int name, bool fold) {
  for (const DirEntry& e : dir->entries)
    if (e.name == name) return &e;
  if (!fold) return nullptr;
  const std::vector<int>& folded = kstate().plan->folded;
  for (const DirEntry& e : dir->entries)
    if (folded[size_t(e.name)] == folded[size_t(name)]) return &e;
  return nullptr;
}

// Which directories may be checked now.
struct Quiet {
  bool all = false;  // the end of the execution
  bool busy[kMaxInodes] = {};
  bool of(const inode* dir) const {
    return dir && (all || (dir->i_no < kMaxInodes && !busy[dir->i_no]));
  }
};

void find_busy(Quiet* q) {
  for (const inode* in : kstate().inodes) {
    const rw_semaphore& s = in->i_rwsem;
    if (in->i_no < kMaxInodes && (s.writer >= 0 || s.readers > 0 || s.waiters.count > 0))
      q->busy[in->i_no] = true;
  }
  for (const dentry* d : kstate().dentries) {
    const inode* dir = d->d_parent->d_inode;
    if ((d->d_in_bucket || d_in_lookup(d)) && dir && dir->i_no < kMaxInodes)
      q->busy[dir->i_no] = true;
  }
}

thread_local char g_title[160];
thread_local char g_details[4096];

// "T2 rename foo bar (step 31)", or "the initial tree".
void add_change(Text& out, const Change& c) {
  if (c.op < 0) {
    out.add("the initial tree");
    return;
  }
  const std::vector<PlanOp>& ops = kstate().plan->threads[size_t(c.op / 16)];
  out.add("T%d %s (step %u)", c.op / 16 + 1, ops[size_t(c.op % 16)].text.c_str(), c.step);
}

void add_dentry(Text& out, const dentry* d) { out.add("%s", ObjName(dref(Obj::dentry, d)).buf); }

[[noreturn]] void incoherent(const char* what, const dentry* d, const inode* dir,
                             const DirEntry* e) {
  Text& out = new_finding();
  out.add("dcache: ");
  add_dentry(out, d);
  if (d->d_inode)
    out.add(" is hashed and names inode %s", d->d_inode->path);
  else
    out.add(" is hashed and negative");
  out.add(" (last changed by ");
  add_change(out, d->changed);
  out.add(").\ndisk: directory %s ", dir->path);
  if (e)
    out.add("has \"%s\" -> inode %s", name_str(e->name), e->inode->path);
  else
    out.add("has no entry \"%s\"", name_str(d->d_name));
  out.add(" (last changed by ");
  add_change(out, dir->disk_changed);
  out.add(").\nLeft so by ");
  add_change(out, d->changed.step >= dir->disk_changed.step ? d->changed : dir->disk_changed);
  out.add(".\n");
  describe_tasks(out);
  report_finding(FindingKind::incoherent, -1, nullptr, out, "BUG: dcache incoherent: %s", what);
}

void check_dentry(const dentry* d, const Quiet& q, bool ci) {
  if (IS_ROOT(d) || !d_in_main_hash(d)) return;  // s_roots aliases are DISCONNECTED
  const inode* dir = d->d_parent->d_inode;
  if (!dir || !q.of(dir) || !(q.all || dir->coherence_dirty)) return;
  // nfs: the server changed the directory itself since the op that last set
  // the dentry began (so perhaps after all that op learnt of it): the dentry
  // may be stale until a lookup revalidates it (nfs_lookup_revalidate).
  if (dir->server_changed && dir->server_changed >= d->d_verifier) return;
  if (d->d_inode) {
    const DirEntry* e = on_disk(dir, d->d_name, false);
    if (!e || e->inode != d->d_inode) incoherent("stale positive dentry", d, dir, e);
  } else if (const DirEntry* e = on_disk(dir, d->d_name, ci)) {
    incoherent("stale negative dentry", d, dir, e);
  }
}

bool aliases_quiet(const inode* in, const Quiet& q) {
  for (const dentry* a : in->i_dentry)
    if (!IS_ROOT(a) && !q.of(a->d_parent->d_inode)) return false;
  return true;
}

// A directory has one alias: d_splice_alias moves an existing one rather
// than add another. The caller saw its aliases' directories quiet.
void check_aliases(const inode* in) {
  if (!in->dir || in->i_dentry.size() < 2) return;
  Text& out = new_finding();
  out.add("directory inode %s has %zu aliases:", in->path, in->i_dentry.size());
  for (const dentry* a : in->i_dentry) {
    out.add(" ");
    add_dentry(out, a);
    out.add(" (last changed by ");
    add_change(out, a->changed);
    out.add(")");
  }
  out.add(".\n");
  describe_tasks(out);
  report_finding(FindingKind::incoherent, -1, nullptr, out,
                 "BUG: dcache incoherent: directory with two aliases");
}

Change current_change() {
  Change c;
  const KernelState& v = kstate();
  if (!v.tree_built) return c;
  const Task& t = current();
  if (t.op >= 0) c.op = int16_t(t.index * 16 + t.op);
  c.step = v.host->step();
  return c;
}

}  // namespace

// Marks what the next check must look at: a directory whose names changed
// (in the cache or on disk), an inode that gained an alias.
void note_dentry_change(dentry* d) {
  d->changed = current_change();
  if (kstate().tree_built) d->d_verifier = current().op_begin;
  if (inode* dir = d->d_parent->d_inode) dir->coherence_dirty = true;
  if (d->d_inode) d->d_inode->alias_dirty = true;
  kstate().coherence_pending = true;
}

void note_disk_change(inode* dir) {
  dir->disk_changed = current_change();
  dir->coherence_dirty = true;
  kstate().coherence_pending = true;
}

int created_slot() {
  const Task& t = current();
  if (t.index >= oracle::kMaxThreads || t.op < 0 || t.op >= oracle::kMaxOps) return -1;
  return oracle::op_slot(t.index, t.op);
}

// Between two changes nothing new can be stale: a scheduling decision with
// nothing marked costs one test. What is marked is checked once quiet.
void check_coherence(bool at_end) {
  KernelState& v = kstate();
  if (!v.plan->options.oracles || (!at_end && !v.coherence_pending)) return;
  if (!at_end && (v.rename_lock.seqcount.seq & 1)) return;  // a __d_move under way
  Quiet q;
  q.all = at_end;
  if (!at_end) find_busy(&q);
  const bool ci = v.plan->scenario.fs == FsKind::case_insensitive;
  for (const dentry* d : v.dentries) check_dentry(d, q, ci);
  bool left = false;
  for (inode* in : v.inodes) {
    if ((at_end || in->alias_dirty) && aliases_quiet(in, q)) {
      check_aliases(in);
      in->alias_dirty = false;
    }
    if (in->coherence_dirty && q.of(in)) in->coherence_dirty = false;
    left = left || in->coherence_dirty || in->alias_dirty;
  }
  v.coherence_pending = left;
}

void check_results() {
  const KernelState& v = kstate();
  if (!v.plan->options.oracles) return;
  const oracle::Verdict verdict = oracle::check_history(v.plan->seq, v.history);
  if (verdict.ok) return;
  oracle::describe_verdict(v.plan->seq, v.history, verdict, g_title, sizeof g_title, g_details,
                           sizeof g_details);
  Text& out = new_finding();
  out.add("%s", g_details);
  describe_tasks(out);
  report_finding(FindingKind::wrong_result, verdict.thread, nullptr, out, "%s", g_title);
}

}  // namespace dcfuzz::model
