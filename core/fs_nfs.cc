// An nfs-like filesystem: a rename target or an exclusive create is not
// looked up at all (nfs_lookup returns NULL at once), leaving the dentry
// negative, unhashed, and in lookup if it came from d_alloc_parallel.
#include "core/fs.h"

#include <algorithm>

#include "core/bug.h"
#include "core/kernel_state.h"
#include "core/namei.h"
#include "core/plan.h"

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
bool nfs_open_and_busy(const dentry* d, int others) {
  if (d->d_count <= others) return false;
  const std::vector<dentry*>& held = kstate().held_outside;
  return std::find(held.begin(), held.end(), d) != held.end() &&
         !kstate().plan->silly_name.empty() && d->d_inode->slot >= 0;
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
  const int silly = kstate().plan->silly_name[size_t(d->d_inode->slot)];
  // kernel: lookup_noperm, retried with the next counter while positive;
  // the model's silly names are the inode's own and never taken
  dentry* sd = lookup_one_qstr_excl(silly, d->d_parent, LOOKUP_CREATE);
  if (IS_ERR(sd)) return int(PTR_ERR(sd));
  inode* in = d->d_inode;
  disk_remove(dir, d->d_name);  // nfs_async_rename(dir, dir, d, sd): the server renames
  disk_add(dir, silly, in);
  d_move(d, sd);
  spin_lock(&d->d_lock);
  d->d_flags |= DCACHE_NFSFS_RENAMED;
  spin_unlock(&d->d_lock);
  dput(sd);
  return 0;
}

}  // namespace

int nfs_unlink(inode* dir, dentry* d) {
  CALL_FRAME();
  spin_lock(&d->d_lock);
  const bool busy = nfs_open_and_busy(d, 1);
  spin_unlock(&d->d_lock);
  if (busy) return nfs_sillyrename(dir, d);  // vfs_unlink then leaves it (DCACHE_NFSFS_RENAMED)
  disk_remove(dir, d->d_name);
  return 0;
}

int nfs_rename(inode* old_dir, dentry* old_d, inode* new_dir, dentry* new_d) {
  CALL_FRAME();
  dentry* copy = nullptr;
  inode* target = new_d->d_inode;
  if (target && !target->dir) {
    spin_lock(&new_d->d_lock);
    const bool busy = nfs_open_and_busy(new_d, 1);  // kernel: > 2, with vfs_rename's dget
    spin_unlock(&new_d->d_lock);
    if (busy) {
      // copy the target dentry's name: v4 5/7 (the series' nfs user) with
      // d_duplicate, in lookup beside new_d; mainline with d_alloc, unhashed
      copy = patches().duplicate ? d_duplicate(new_d) : d_alloc(new_d->d_parent, new_d->d_name);
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
  wait_queue_head wq;  // mainline's DECLARE_WAIT_QUEUE_HEAD_ONSTACK in nfs_prime_dcache
  DirEntry e{};
  for (size_t i = 0; disk_entry(dir->d_inode, i, &e); ++i) nfs_prime_dcache(dir, e, &wq);
}

}  // namespace dcfuzz::model
