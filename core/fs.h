// The model filesystems: the directory store on "disk" (fs_disk.cc) and the
// ->lookup of each kind: plain (ramfs-like), nfs-like, case-insensitive
// (xfs ascii-ci-like).
#pragma once

#include "core/dcache.h"

namespace dcfuzz::model {

struct PlanOp;

// The directory store. Callers hold dir->i_rwsem (shared to read).
DirEntry* disk_find(inode* dir, int name);
DirEntry* disk_find_ci(inode* dir, int name);  // case-insensitive match
void disk_add(inode* dir, int name, inode* in);
void disk_remove(inode* dir, int name);
// The entry and its inode's count, without the race bookkeeping of
// disk_write (the nfs server's own changes: under none of the client's locks).
void entries_remove(inode* dir, int name);
// The i-th entry of `dir` into *out; false past the last.
bool disk_entry(inode* dir, size_t i, DirEntry* out);
inode* new_inode(inode* dir, int name, bool is_dir);

// ->lookup of the mounted filesystem: NULL, a dentry to use instead, or ERR_PTR.
dentry* plain_lookup(inode* dir, dentry* d, unsigned flags);
dentry* nfs_lookup(inode* dir, dentry* d, unsigned flags);
dentry* ci_lookup(inode* dir, dentry* d, unsigned flags);
// ->iterate_shared of each kind, `dir` held shared: nfs primes the dcache
// with every name (nfs_readdir -> nfs_prime_dcache), the others only read.
void fs_readdir(dentry* dir);
void nfs_readdir(dentry* dir);
// ->d_revalidate of the nfs kind: 1 valid, 0 stale (d_invalidate and look up again).
int nfs_lookup_revalidate(inode* dir, int name, dentry* d, unsigned flags);
// SERVER_RENAME, SERVER_UNLINK: the nfs server changes its own directories,
// at once and under none of the client's locks; -EOPNOTSUPP on the other kinds.
int nfs_server_op(const PlanOp& op);
// On the server: `ancestor` is `in` or holds it (the server's rename checks).
bool server_is_subdir(const inode* in, const inode* ancestor);
// Checks that ->lookup returns with `dir` held as on entry.
dentry* fs_lookup(inode* dir, dentry* d, unsigned flags, const char* caller = __builtin_FUNCTION());

// ->create / ->mkdir, ->unlink, ->rename (the same for every kind).
// `excl` false: open(O_CREAT) without O_EXCL, which on nfs opens a file the
// server has under a name the client caches as negative (an UNCHECKED create).
int fs_create(inode* dir, dentry* d, bool is_dir, bool excl = true);
int fs_unlink(inode* dir, dentry* d);
int fs_rename(inode* old_dir, dentry* old_d, inode* new_dir, dentry* new_d);
// ->rmdir (the victim's i_rwsem held), ->link (the inode's held), ->rename
// with RENAME_EXCHANGE.
int fs_rmdir(inode* dir, dentry* d);
int fs_link(dentry* old_d, inode* dir, dentry* new_d);
int fs_rename_exchange(inode* old_dir, dentry* old_d, inode* new_dir, dentry* new_d);
// nfs's ->rename, which also d_moves (FS_RENAME_DOES_D_MOVE): an open target
// is silly-renamed first (nfs_sillyrename) and its name copied for the rename.
int nfs_rename(inode* old_dir, dentry* old_d, inode* new_dir, dentry* new_d);
// nfs's ->unlink: an open file is silly-renamed instead of removed.
int nfs_unlink(inode* dir, dentry* d);
bool nfs_open_and_busy(const dentry* d, int others,
                       const char* caller = __builtin_FUNCTION());  // under d->d_lock

}  // namespace dcfuzz::model
