// An nfs-like filesystem: a rename target or an exclusive create is not
// looked up at all (nfs_lookup returns NULL at once), leaving the dentry
// negative, unhashed, and in lookup if it came from d_alloc_parallel.
// The server (the model's disk) may change behind the client (SERVER_RENAME,
// SERVER_UNLINK), so a cached dentry is checked with the server before a
// lookup uses it: ->d_revalidate, as nfs mounted with lookupcache=none does.
#include "core/fs.h"

#include <algorithm>

#include "core/bug.h"
#include "core/coherence.h"
#include "core/events.h"
#include "core/kernel_state.h"
#include "core/namei.h"
#include "core/plan.h"
#include "core/program.h"

namespace dcfuzz::model {

dentry* nfs_lookup(inode* dir, dentry* d, unsigned flags) {
  CALL_FRAME();
  if (flags & (LOOKUP_RENAME_TARGET | LOOKUP_EXCL)) return nullptr;
  return plain_lookup(dir, d, flags);
}

// Called under d->d_lock: d_count(d) > `others`, where the model counts only
// files held open (open_held). A walk's passing reference makes the kernel
// silly-rename too, and its dput unlinks the silly name at once
// (nfs_dentry_iput), which the model leaves out: so it keeps to open files,
// which stay open until the execution ends.
bool nfs_open_and_busy(const dentry* d, int others, const char* caller) {
  if (d->d_count <= others) return false;
  const std::vector<dentry*>& held = kstate().held_outside;
  return std::find(held.begin(), held.end(), d) != held.end() &&
         !kstate().plan->silly_name.empty() && d_inode_held(d, caller)->slot >= 0;
}

namespace {

// The server answers one call at a time under its own locks, not the
// client's i_rwsem: its reads and writes skip the disk's race bookkeeping
// (disk_find's rl::var), which stands for the client's locking.
const DirEntry* server_find(const inode* dir, int name) {
  for (const DirEntry& e : dir->entries)
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace

// nfs_lookup_revalidate for a mount with lookupcache=none (the model's one
// mount option): a positive dentry is looked up on the server again
// (nfs_lookup_revalidate_dentry) and stale unless the name still gives its
// inode; a negative one is stale (NFS_MOUNT_LOOKUP_CACHE_NONEG) unless the
// lookup is for a create or a rename target (nfs_neg_need_reval).
// The name asked about is the one the walk looked up (d_revalidate's `name`):
// the dentry may have been moved since, by a rename between __d_lookup and
// the call, which sleeps (one scheduling decision).
int nfs_lookup_revalidate(inode* dir, int name, dentry* d, unsigned flags) {
  CALL_FRAME();
  if (!d->d_inode) return (flags & (LOOKUP_CREATE | LOOKUP_RENAME_TARGET)) ? 1 : 0;
  if (IS_ROOT(d)) return 1;  // nfs_lookup_revalidate_done: never drop a disconnected root
  inode* in = d->d_inode;
  kstate().server_calls.fetch_add(1);  // the LOOKUP call to the server
  const DirEntry* e = server_find(dir, name);
  const bool valid = e && e->inode == in;
  trace(EventKind::other, valid ? "valid" : "stale", dref(Obj::dentry, d));
  return valid ? 1 : 0;
}

namespace {

// fs/nfs/dir.c nfs_prime_dcache: a name the server listed, with its inode
// (nfs_fhget), put in the dcache. Mainline looks it up and else
// d_alloc_parallel()s it, waiting for another task's lookup of the name; v4
// 4/7's d_alloc_noblock() does both and gives up (-EWOULDBLOCK) instead.
// No mountpoints, no verifiers, no attribute refresh in the model.
void nfs_prime_dcache(dentry* parent, const DirEntry& entry, wait_queue_head* wq) {
  CALL_FRAME();
  const bool noblock = patches().alloc_noblock;
  dentry* d = noblock ? nullptr : d_lookup(parent, entry.name);
  for (;;) {  // again:
    if (noblock) {
      d = d_alloc_noblock(parent, entry.name, wq);
    } else if (!d) {
      d = d_alloc_parallel(parent, entry.name, wq);
    }
    if (IS_ERR(d)) return;
    if (d_in_lookup(d)) break;
    if (d->d_inode == entry.inode) {  // nfs_same_file
      dput(d);
      return;
    }
    d_invalidate(d);  // cached under the name, but not what the server has
    dput(d);
    d = nullptr;
  }
  dentry* alias = d_splice_alias(entry.inode, d);
  d_lookup_done(d);
  if (alias && !IS_ERR(alias)) {
    dput(d);
    d = alias;
  }
  dput(d);
}

// fs/nfs/unlink.c nfs_sillyrename: the open file `d` gets a name no
// operation uses, on the server and in the dcache (d_move), so that it stays
// reachable while open. `dir` is held exclusive. The unlink of that name at
// the last close (nfs_dentry_iput -> nfs_complete_unlink) is not modelled:
// files stay open until the execution ends, and the server keeps the name.
int nfs_sillyrename(inode* dir, dentry* d) {
  CALL_FRAME();
  // "We don't allow a dentry to be silly-renamed twice" (else d_move onto itself)
  if (d->d_flags & DCACHE_NFSFS_RENAMED) return -EBUSY;
  const int silly = kstate().plan->silly_name[size_t(d->d_inode->slot)];
  // kernel: lookup_noperm, retried with the next counter while positive;
  // the model's silly names are the inode's own and never taken
  dentry* sd = lookup_one_qstr_excl(silly, d->d_parent, LOOKUP_CREATE);
  if (IS_ERR(sd)) return int(PTR_ERR(sd));
  inode* in = d->d_inode;
  if (!disk_find(dir, d->d_name)) {  // the server's RENAME: the name went meanwhile
    dput(sd);
    return -ENOENT;
  }
  disk_remove(dir, d->d_name);  // nfs_async_rename(dir, dir, d, sd): the server renames
  disk_add(dir, silly, in);
  d_move(d, sd);
  spin_lock(&d->d_lock);
  d->d_flags |= DCACHE_NFSFS_RENAMED;
  spin_unlock(&d->d_lock);
  dput(sd);
  return 0;
}

// The server's own walk from its root: the directory of a path's last
// component, or -ENOENT / -ENOTDIR (the sequential filesystem's order).
int server_walk_parent(const std::vector<int>& path, inode** out) {
  inode* cur = kstate().root->d_inode;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    if (!cur->dir) return -ENOTDIR;
    const DirEntry* e = server_find(cur, path[i]);
    if (!e) return -ENOENT;
    cur = e->inode;
  }
  if (!cur->dir) return -ENOTDIR;
  *out = cur;
  return 0;
}

// The directory that holds `in` on the server, or NULL (the root, or unlinked).
inode* server_parent(const inode* in) {
  for (inode* dir : kstate().inodes)
    if (dir->dir && !dir->dead)
      for (const DirEntry& e : dir->entries)
        if (e.inode == in) return dir;
  return nullptr;
}

// A change the server made: the client's dcache is not told.
void server_changed(inode* dir) {
  note_disk_change(dir);
  dir->server_changed = kstate().host->step();
}

}  // namespace

bool server_is_subdir(const inode* in, const inode* ancestor) {
  for (int hops = 0; in && hops < 64; in = server_parent(in), ++hops)
    if (in == ancestor) return true;
  return false;
}

namespace {

int server_unlink(const PlanOp& op) {
  inode* dir = nullptr;
  if (int err = server_walk_parent(op.path, &dir)) return err;
  const DirEntry* e = server_find(dir, op.path.back());
  if (!e) return -ENOENT;
  if (e->inode->dir) return -EISDIR;
  entries_remove(dir, op.path.back());
  server_changed(dir);
  return 0;
}

// rename(2)'s checks, made by the server on its own tree.
int server_rename(const PlanOp& op) {
  inode *p1 = nullptr, *p2 = nullptr;
  if (int err = server_walk_parent(op.path, &p1)) return err;
  if (int err = server_walk_parent(op.path2, &p2)) return err;
  const DirEntry* o = server_find(p1, op.path.back());
  if (!o) return -ENOENT;
  inode* in = o->inode;
  const DirEntry* t = server_find(p2, op.path2.back());
  inode* target = t ? t->inode : nullptr;
  if (target == in) return 0;
  if (server_is_subdir(p2, in)) return -EINVAL;
  if (target) {
    if (server_is_subdir(p1, target)) return -ENOTEMPTY;
    if (in->dir && !target->dir) return -ENOTDIR;
    if (!in->dir && target->dir) return -EISDIR;
    if (target->dir && !target->entries.empty()) return -ENOTEMPTY;
  }
  entries_remove(p1, op.path.back());
  entries_remove(p2, op.path2.back());
  p2->entries.push_back(DirEntry{op.path2.back(), in});
  ++in->i_nlink;
  if (target && target->dir) target->dead = true;  // the server's rmdir of it
  server_changed(p1);
  server_changed(p2);
  return 0;
}

}  // namespace

int nfs_unlink(inode* dir, dentry* d) {
  CALL_FRAME();
  spin_lock(&d->d_lock);
  const bool busy = nfs_open_and_busy(d, 1);
  spin_unlock(&d->d_lock);
  if (busy) return nfs_sillyrename(dir, d);  // vfs_unlink then leaves it (DCACHE_NFSFS_RENAMED)
  // The REMOVE call: the server removes what the name has now (the client's
  // dentry may be stale), its check and its change one step.
  DirEntry* e = disk_find(dir, d->d_name);
  if (!e) return -ENOENT;
  if (e->inode->dir) return -EISDIR;
  disk_remove(dir, d->d_name);
  return 0;
}

int nfs_rename(inode* old_dir, dentry* old_d, inode* new_dir, dentry* new_d) {
  CALL_FRAME();
  dentry* copy = nullptr;
  wait_queue_head wq;  // without 2/7: the queue of the copy's waiters, until its lookup ends
  inode* target = new_d->d_inode;
  if (target && !target->dir) {
    spin_lock(&new_d->d_lock);
    const bool busy = nfs_open_and_busy(new_d, 1);  // kernel: > 2, with vfs_rename's dget
    spin_unlock(&new_d->d_lock);
    if (busy) {
      // copy the target dentry's name: v4 5/7 (the series' nfs user) with
      // d_duplicate, in lookup beside new_d; mainline with d_alloc, unhashed
      copy =
          patches().duplicate ? d_duplicate(new_d, &wq) : d_alloc(new_d->d_parent, new_d->d_name);
      if (!copy) return -ETXTBSY;
      // The series' nfs_rename tests `!dentry`, but d_duplicate returns
      // ERR_PTR(-ENOMEM): it goes on and nfs_async_rename dereferences it.
      if (IS_ERR(copy)) err_ptr_dereference("nfs_rename", "d_duplicate", PTR_ERR(copy));
      int err = nfs_sillyrename(new_dir, new_d);
      if (err) {
        if (patches().duplicate) d_lookup_done(copy);
        dput(copy);
        return err;
      }
      new_d = copy;
    }
  }
  int err = fs_rename(old_dir, old_d, new_dir, new_d);  // the RENAME call and its result
  if (!err) d_move(old_d, new_d);
  if (copy) {
    if (patches().duplicate) d_lookup_done(copy);
    dput(copy);
  }
  return err;
}

// The server's listing, read and primed under `dir` held shared (the
// kernel reads it into the page cache in pieces; the model in one go).

void nfs_readdir(dentry* dir) {
  CALL_FRAME();
  wait_queue_head wq;        // mainline's DECLARE_WAIT_QUEUE_HEAD_ONSTACK in nfs_prime_dcache
  inode* in = dir->d_inode;  // nfs_readdir's d_inode(dentry), read once
  DirEntry e{};
  for (size_t i = 0; disk_entry(in, i, &e); ++i) nfs_prime_dcache(dir, e, &wq);
}

int nfs_server_op(const PlanOp& op) {
  CALL_FRAME();
  if (op.kind == OpKind::server_rename && op.path2.empty()) return -EBUSY;
  if (kstate().plan->scenario.fs != FsKind::nfs) return -EOPNOTSUPP;  // no server
  kstate().server_calls.fetch_add(1);  // the call arrives: a scheduling decision
  return op.kind == OpKind::server_rename ? server_rename(op) : server_unlink(op);
}

}  // namespace dcfuzz::model
