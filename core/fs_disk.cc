// The model filesystems' disk: directory contents, and the inode operations
// every kind shares (create, unlink, rename) plus the ->lookup dispatch.
#include <utility>

#include "core/bug.h"
#include "core/coherence.h"
#include "core/events.h"
#include "core/fs.h"
#include "core/kernel_state.h"
#include "core/plan.h"
#include "core/program.h"

namespace dcfuzz::model {

namespace {

// Race detection: the contents are only read or written under i_rwsem.
void disk_read(inode* dir) { (void)int(dir->i_contents($)); }
void disk_write(inode* dir) {
  dir->i_contents($) = int(dir->i_contents($)) + 1;
  note_disk_change(dir);
}

// xfs and the nfs server find the names in their own directories (ramfs has
// none but the dcache): a name the dentry no longer matches is -ENOENT
// (xfs_dir_removename; xfs would call a wrong inode corruption).
bool on_disk_as_cached(inode* dir, const dentry* d) {
  if (kstate().plan->scenario.fs == FsKind::plain) return true;
  DirEntry* e = disk_find(dir, d->d_name);
  return e && e->inode == d->d_inode;
}

// How the current task holds `s`: "not", "shared" or "exclusive".
const char* held_mode(const rw_semaphore* s) {
  const Task& t = current();
  for (int i = 0; i < t.nheld; ++i)
    if (t.held[i].lock == &s->meta) return t.held[i].shared ? "shared" : "exclusive";
  return "not";
}

// The model's check when ->lookup returns: the parent is held as on entry.
// The kernel has none; its caller's unlock of the parent is the first to
// notice (lockdep: a bad unlock balance), and it always comes, so the
// finding carries that title, found where the lock state went wrong.
void check_lookup_lock(inode* dir, const char* before, const char* function, const char* caller) {
  const char* after = held_mode(&dir->i_rwsem);
  if (after == before) return;
  trace(EventKind::other, "->lookup returned", iref(Obj::i_rwsem, dir), function);
  Text& out = new_finding();
  out.add(
      "T%d: ->lookup (%s, called by %s) returned with %s %s%s, %s on entry: the unlock of it "
      "that follows will be a bad unlock balance (the model's check at ->lookup's return; "
      "lockdep's is at that unlock)\n",
      current().index + 1, function, caller, ObjName(iref(Obj::i_rwsem, dir)).buf,
      after[0] == 'n' ? "" : "held ", after[0] == 'n' ? "not held" : after, before);
  describe_tasks(out);
  report_finding(FindingKind::bad_unlock_balance, current().index, function, out, "%s",
                 kBadUnlockBalanceTitle);
}

}  // namespace

DirEntry* disk_find(inode* dir, int name) {
  disk_read(dir);
  for (DirEntry& e : dir->entries)
    if (e.name == name) return &e;
  return nullptr;
}

DirEntry* disk_find_ci(inode* dir, int name) {
  disk_read(dir);
  const std::vector<int>& folded = kstate().plan->folded;
  for (DirEntry& e : dir->entries)
    if (folded[size_t(e.name)] == folded[size_t(name)]) return &e;
  return nullptr;
}

void disk_add(inode* dir, int name, inode* in) {
  disk_write(dir);
  dir->entries.push_back(DirEntry{name, in});
  ++in->i_nlink;
}

void entries_remove(inode* dir, int name) {
  std::vector<DirEntry>& es = dir->entries;
  for (DirEntry& e : es)
    if (e.name == name) --e.inode->i_nlink;
  es.erase(
      std::remove_if(es.begin(), es.end(), [name](const DirEntry& e) { return e.name == name; }),
      es.end());
}

void disk_remove(inode* dir, int name) {
  disk_write(dir);
  entries_remove(dir, name);
}

bool disk_entry(inode* dir, size_t i, DirEntry* out) {
  disk_read(dir);
  if (i >= dir->entries.size()) return false;
  *out = dir->entries[i];
  return true;
}

void fs_readdir(dentry* dir) {
  if (kstate().plan->scenario.fs == FsKind::nfs) {
    nfs_readdir(dir);
    return;
  }
  disk_read(dir->d_inode);  // dcache_readdir (ramfs) / xfs_readdir: the dcache is not touched
}

// Inodes live until the execution ends (no eviction in the model).
inode* new_inode(inode* dir, int name, bool is_dir) {
  KernelState& v = kstate();
  inode* in = nullptr;
  if (!v.inode_pool.empty()) {
    in = v.inode_pool.back();
    v.inode_pool.pop_back();
  } else {
    in = new inode;
  }
  in->i_no = v.next_inode++;
  in->dir = is_dir;
  if (!dir) {
    snprintf(in->path, sizeof in->path, "/");
  } else {
    snprintf(in->path, sizeof in->path, "%s/%s", dir->i_no == 0 ? "" : dir->path, name_str(name));
  }
  in->i_rwsem.meta = LockMeta{iref(Obj::i_rwsem, in), LockRank::i_rwsem};
  in->i_lock.meta = LockMeta{iref(Obj::i_lock, in), LockRank::i_lock};
  in->i_dir_seq.ref = iref(Obj::i_dir_seq, in);
  v.inodes.push_back(in);
  if (dir) disk_add(dir, name, in);
  return in;
}

dentry* fs_lookup(inode* dir, dentry* d, unsigned flags, const char* caller) {
  trace(EventKind::other, "lookup", dref(Obj::dentry, d), "->lookup");  // the filesystem's i_op
  const char* before = held_mode(&dir->i_rwsem);
  dentry* res = nullptr;
  const char* function = "?";
  switch (kstate().plan->scenario.fs) {
    case FsKind::plain:
      res = plain_lookup(dir, d, flags);
      function = "plain_lookup";
      break;
    case FsKind::nfs:
      res = nfs_lookup(dir, d, flags);
      function = "nfs_lookup";
      break;
    case FsKind::case_insensitive:
      res = ci_lookup(dir, d, flags);
      function = "ci_lookup";
      break;
  }
  if (kstate().plan->options.lookup_lock_check) check_lookup_lock(dir, before, function, caller);
  return res;
}

// xfs_dir_createname on xfs ascii-ci: nothing refuses a name already there
// in another case -- the lookup under the parent's lock was to find it --
// but xfs_dir2_sf_addname asserts it is not (the model's directories stay
// shortform; an ASSERT is a WARN with CONFIG_XFS_WARN). Reachable only with
// the lookup before the lock ("lift").
static void xfs_dir_createname_check(inode* dir, const dentry* d) {
  if (kstate().plan->scenario.fs != FsKind::case_insensitive) return;
  if (disk_find_ci(dir, d->d_name))
    kernel_warning("xfs_dir2_sf_addname", "xfs_dir2_sf_lookup(args) == -ENOENT", d,
                   "fs/xfs/libxfs/xfs_dir2_sf.c");
}

// vfs_create / vfs_mkdir. A dentry the lookup left unhashed is added now.
int fs_create(inode* dir, dentry* d, bool is_dir, bool excl) {
  CALL_FRAME();
  // may_create: a positive child (only "lift" reaches here with one: another
  // task created the name between the lookup and the lock), then IS_DEADDIR
  if (d->d_inode) return -EEXIST;
  if (dir->dead) return -ENOENT;
  xfs_dir_createname_check(dir, d);
  if (DirEntry* e = disk_find(dir, d->d_name)) {  // nfs: the server's answer
    if (excl || kstate().plan->scenario.fs != FsKind::nfs) return -EEXIST;
    if (e->inode->dir) return -EISDIR;
    if (d_unhashed(d)) {  // nfs_instantiate
      d_add(d, e->inode);
    } else {
      d_instantiate(d, e->inode);
    }
    return 0;
  }
  inode* in = new_inode(dir, d->d_name, is_dir);
  in->slot = created_slot();
  if (kstate().plan->scenario.fs == FsKind::nfs && is_dir && d_unhashed(d)) {
    // nfs_add_or_obtain: d_splice_alias of the inode the server made (the
    // same steps as d_add, unless the server moved the new directory
    // meanwhile and another task's lookup spliced it under its new name:
    // then __d_unalias moves that alias here and d stays negative).
    dentry* alias = d_splice_alias(in, d);
    if (IS_ERR(alias)) return int(PTR_ERR(alias));
    if (alias) dput(alias);
    return 0;
  }
  if (kstate().plan->options.create_splices) {
    d_splice_alias(in, d);  // a new inode has no alias: NULL
  } else if (d_unhashed(d) && patches().lift && kstate().plan->scenario.fs != FsKind::nfs) {
    // ramfs/ext4 and xfs_generic_create d_instantiate: the dentry stays
    // unhashed, and it WARNs if still in lookup (xfs_vn_ci_lookup leaves a
    // missing name so); nfs's d_splice_alias hashes it. Without "lift" the
    // model keeps d_add for all: under the exclusive lock nobody can tell.
    d_instantiate(d, in);
  } else if (d_unhashed(d)) {
    d_add(d, in);
  } else if (kstate().plan->options.selftest_incoherence !=
             SelftestIncoherence::create_keeps_negative) {
    d_instantiate(d, in);
  }
  if (kstate().plan->options.selftest_fs_bug == FsSelftestBug::create_instantiates_twice)
    d_instantiate(d, in);
  return 0;
}

// xfs_vn_unlink: in ascii-ci mode the dentry is unhashed, not left negative
// (a negative dentry would hide the name in any other case).
int fs_unlink(inode* dir, dentry* d) {
  if (kstate().plan->scenario.fs == FsKind::nfs) return nfs_unlink(dir, d);
  if (!on_disk_as_cached(dir, d)) return -ENOENT;
  disk_remove(dir, d->d_name);
  if (kstate().plan->scenario.fs == FsKind::case_insensitive) d_invalidate(d);
  return 0;
}

namespace {

// The nfs server's RENAME: it renames what the names have now; the client's
// dentries may be stale (the server changed since they were revalidated).
int nfs_server_rename(inode* old_dir, dentry* old_d, inode* new_dir, dentry* new_d) {
  DirEntry* o = disk_find(old_dir, old_d->d_name);
  if (!o) return -ENOENT;
  inode* in = o->inode;
  DirEntry* t = disk_find(new_dir, new_d->d_name);
  inode* target = t ? t->inode : nullptr;
  if (in != old_d->d_inode || target != new_d->d_inode) {
    // The server answers about what the names have now, not what the
    // client's dentries name (it changed behind them): both directories'
    // change attributes tell the client its view is stale until revalidated.
    old_dir->server_changed = new_dir->server_changed = kstate().host->step();
  }
  if (target == in) return 0;
  if (server_is_subdir(new_dir, in)) return -EINVAL;  // the server's loop check
  if (target) {
    if (server_is_subdir(old_dir, target)) return -ENOTEMPTY;
    if (in->dir && !target->dir) return -ENOTDIR;
    if (!in->dir && target->dir) return -EISDIR;
    if (target->dir && !target->entries.empty()) return -ENOTEMPTY;
  }
  disk_remove(old_dir, old_d->d_name);
  disk_remove(new_dir, new_d->d_name);
  disk_add(new_dir, new_d->d_name, in);
  if (target && target->dir) target->dead = true;
  return 0;
}

}  // namespace

int fs_rename(inode* old_dir, dentry* old_d, inode* new_dir, dentry* new_d) {
  inode* in = old_d->d_inode;
  const FsKind fs = kstate().plan->scenario.fs;
  if (fs == FsKind::nfs) return nfs_server_rename(old_dir, old_d, new_dir, new_d);
  if (!on_disk_as_cached(old_dir, old_d)) return -ENOENT;
  if (new_d->d_inode && !on_disk_as_cached(new_dir, new_d)) return -ENOENT;
  if (!new_d->d_inode) xfs_dir_createname_check(new_dir, new_d);  // xfs_rename
  if (fs != FsKind::plain && !new_d->d_inode) {
    if (DirEntry* e = disk_find(new_dir, new_d->d_name)) {
      // the nfs server, which was not asked (LOOKUP_RENAME_TARGET),
      // replaces it after its checks.
      if (in->dir && !e->inode->dir) return -ENOTDIR;
      if (!in->dir && e->inode->dir) return -EISDIR;
      if (e->inode->dir && !e->inode->entries.empty()) return -ENOTEMPTY;
    }
  }
  disk_remove(old_dir, old_d->d_name);
  disk_remove(new_dir, new_d->d_name);  // nfs may not have looked the target up
  disk_add(new_dir, new_d->d_name, in);
  return 0;
}

// simple_rmdir / xfs_vn_unlink: the victim, locked by the caller, must be
// empty on disk (simple_empty, xfs_dir_isempty).
int fs_rmdir(inode* dir, dentry* d) {
  inode* victim = d->d_inode;
  if (!on_disk_as_cached(dir, d)) return -ENOENT;
  disk_read(victim);
  if (!victim->entries.empty()) return -ENOTEMPTY;
  // not fs_unlink: nfs_rmdir never silly-renames (open or not), and nfs's
  // ->unlink refuses a directory
  disk_remove(dir, d->d_name);
  if (kstate().plan->scenario.fs == FsKind::case_insensitive) d_invalidate(d);
  return 0;
}

// simple_link / xfs_link / nfs_link: the new name on disk, its dentry made
// positive (an unhashed one, which nfs leaves, added).
int fs_link(dentry* old_d, inode* dir, dentry* new_d) {
  inode* in = old_d->d_inode;
  xfs_dir_createname_check(dir, new_d);               // xfs_link
  if (disk_find(dir, new_d->d_name)) return -EEXIST;  // nfs: the server's answer
  if (in->i_nlink == 0) return -ENOENT;               // nfs: the server has no name left for it
  disk_add(dir, new_d->d_name, in);
  if (d_unhashed(new_d)) {
    d_add(new_d, in);
  } else {
    d_instantiate(new_d, in);
  }
  return 0;
}

// simple_rename_exchange / xfs_rename: the two names on disk keep their
// places and swap inodes. nfs_rename refuses any flag (-EINVAL).
int fs_rename_exchange(inode* old_dir, dentry* old_d, inode* new_dir, dentry* new_d) {
  if (kstate().plan->scenario.fs == FsKind::nfs) return -EINVAL;
  if (!on_disk_as_cached(old_dir, old_d) || !on_disk_as_cached(new_dir, new_d)) return -ENOENT;
  DirEntry* a = disk_find(old_dir, old_d->d_name);
  DirEntry* b = disk_find(new_dir, new_d->d_name);
  if (!a || !b) return -ENOENT;
  disk_write(old_dir);
  disk_write(new_dir);
  std::swap(a->inode, b->inode);
  return 0;
}

}  // namespace dcfuzz::model
