// An nfs-like filesystem: a rename target or an exclusive create is not
// looked up at all (nfs_lookup returns NULL at once), leaving the dentry
// negative, unhashed, and in lookup if it came from d_alloc_parallel.
#include "core/fs.h"

#include "core/kernel_state.h"
#include "core/plan.h"

namespace dcfuzz::model {

dentry* nfs_lookup(inode* dir, dentry* d, unsigned flags) {
  CALL_FRAME();
  if (flags & (LOOKUP_RENAME_TARGET | LOOKUP_EXCL)) return nullptr;
  return plain_lookup(dir, d, flags);
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

}  // namespace

// The server's listing, read and primed under `dir` held shared (the
// kernel reads it into the page cache in pieces; the model in one go).
void nfs_readdir(dentry* dir) {
  CALL_FRAME();
  wait_queue_head wq;  // mainline's DECLARE_WAIT_QUEUE_HEAD_ONSTACK in nfs_prime_dcache
  DirEntry e{};
  for (size_t i = 0; disk_entry(dir->d_inode, i, &e); ++i) nfs_prime_dcache(dir, e, &wq);
}

}  // namespace dcfuzz::model
