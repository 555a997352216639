// The system calls of the thread programs (fs/namei.c, fs/open.c,
// fs/fhandle.c): each takes and drops everything it uses.
#include "core/bug.h"
#include "core/fs.h"
#include "core/kernel_state.h"
#include "core/namei.h"
#include "core/plan.h"

namespace dcfuzz::model {

namespace {

int last_name(const std::vector<int>& path) { return path.back(); }

// kernel: vfs_statx. *got: the inode it found.
int do_stat(const PlanOp& op, inode** got) {
  CALL_FRAME();
  dentry* d = walk_components(op.path.data(), int(op.path.size()));
  if (IS_ERR(d)) return int(PTR_ERR(d));
  *got = d->d_inode;
  dput(d);
  return 0;
}

// "lift": the name looked up first, then the parent taken exclusive; a
// dentry that left the hash or its parent meanwhile is looked up again (one
// still in lookup cannot have). Returns it with the parent locked, or
// ERR_PTR unlocked. kernel: __start_dirop after "VFS: lift d_alloc_parallel
// above inode_lock" (the model has no killable waits).
dentry* start_dirop(dentry* parent, int name, unsigned flags, wait_queue_head* wq) {
  CALL_FRAME();
  inode* dir = d_inode_of_dir(parent);
  for (;;) {
    dentry* d = lookup_one_qstr(name, parent, flags, wq);
    if (IS_ERR(d)) return d;
    inode_lock_nested(dir, I_MUTEX_PARENT);
    if (d_in_lookup(d) || (!d_unhashed(d) && d->d_parent == parent)) return d;
    inode_unlock(dir);
    d_lookup_done(d);
    dput(d);
  }
}

// The parent locked and the last name looked up for a create; on error the
// parent is unlocked again. `wq`: see lookup_one_qstr. The parent's lock:
// create and mkdir take it plainly, link as the kernel does (I_MUTEX_PARENT:
// vfs_link then takes the inode's).
dentry* filename_create(dentry* parent, int name, wait_queue_head* wq,
                        int subclass = I_MUTEX_NORMAL) {
  CALL_FRAME();
  if (patches().lift) return start_dirop(parent, name, LOOKUP_CREATE | LOOKUP_EXCL, wq);
  inode* dir = d_inode_of_dir(parent);
  if (subclass) {
    inode_lock_nested(dir, subclass);
  } else {
    inode_lock(dir);
  }
  dentry* d = lookup_one_qstr_excl(name, parent, LOOKUP_CREATE | LOOKUP_EXCL);
  if (IS_ERR(d)) inode_unlock(dir);
  return d;
}

// end_dirop: under "lift" the lookup a create left open ends after the unlock.
void done_path_create(dentry* parent, dentry* d) {
  CALL_FRAME();
  if (patches().lift) {
    inode_unlock(d_inode_of_dir(parent));
    d_lookup_done(d);
    dput(d);
    return;
  }
  dput(d);
  inode_unlock(d_inode_of_dir(parent));
}

// kernel: do_mknodat / do_mkdirat -- filename_create, vfs_create or
// vfs_mkdir, done_path_create.
int do_create(const PlanOp& op, bool is_dir) {
  CALL_FRAME();
  dentry* parent = walk_parent(op.path);
  if (IS_ERR(parent)) return int(PTR_ERR(parent));
  wait_queue_head wq;  // "lift" without 2/7: the queue of a dentry left in lookup
  dentry* d = filename_create(parent, last_name(op.path), &wq);
  int err = IS_ERR(d) ? int(PTR_ERR(d)) : fs_create(d_inode_of_dir(parent), d, is_dir);
  if (!IS_ERR(d)) done_path_create(parent, d);
  dput(parent);
  return err;
}

int do_unlinkat(const PlanOp& op) {
  CALL_FRAME();
  dentry* parent = walk_parent(op.path);
  if (IS_ERR(parent)) return int(PTR_ERR(parent));
  inode* dir = d_inode_of_dir(parent);
  wait_queue_head wq;
  dentry* d = nullptr;
  if (patches().lift) {
    d = start_dirop(parent, last_name(op.path), 0, &wq);  // the parent locked unless ERR_PTR
  } else {
    inode_lock_nested(dir, I_MUTEX_PARENT);  // start_removing_path
    d = lookup_one_qstr_excl(last_name(op.path), parent, 0);
  }
  int err = 0;
  if (IS_ERR(d)) {
    err = int(PTR_ERR(d));
    if (patches().lift) {
      dput(parent);
      return err;
    }
  } else {
    err = may_delete(dir, d, false);  // vfs_unlink ("lift": in lookup, or emptied before the lock)
    if (!err) {  // vfs_unlink: the victim's i_rwsem around ->unlink (vfs_link takes it too)
      inode* target = d->d_inode;
      inode_lock(target);
      err = fs_unlink(dir, d);
      inode_unlock(target);
    }
    if (!err && !(d->d_flags & DCACHE_NFSFS_RENAMED)) d_delete(d);  // vfs_unlink
    if (!patches().lift) dput(d);
  }
  inode_unlock(dir);
  if (patches().lift) {  // end_dirop (ci's ->lookup leaves a name not on disk in lookup)
    d_lookup_done(d);
    dput(d);
  }
  dput(parent);
  return err;
}

// vfs_rmdir: the victim locked (I_MUTEX_NORMAL under the parent's
// I_MUTEX_PARENT) while the filesystem removes it; then its unused children
// go, it is S_DEAD (IS_DEADDIR: nothing is created or looked up in it any
// more), and its dentry is made negative or unhashed (d_delete). No mounts:
// dont_mount and detach_mounts have nothing to do.
int vfs_rmdir(inode* dir, dentry* d) {
  CALL_FRAME();
  int err = may_delete(dir, d, true);
  if (err) return err;
  inode* victim = d->d_inode;
  dget(d);
  inode_lock(victim);
  err = fs_rmdir(dir, d);
  if (!err) {
    shrink_dcache_parent(d);
    victim->dead = true;
  }
  inode_unlock(victim);
  dput(d);
  if (!err) d_delete(d);  // d_delete_notify
  return err;
}

int do_rmdir(const PlanOp& op) {
  CALL_FRAME();
  dentry* parent = walk_parent(op.path);
  if (IS_ERR(parent)) return int(PTR_ERR(parent));
  inode* dir = d_inode_of_dir(parent);
  wait_queue_head wq;  // "lift" without 2/7: the queue of a dentry left in lookup
  dentry* d = nullptr;
  if (patches().lift) {
    d = start_dirop(parent, last_name(op.path), 0, &wq);  // start_removing
    if (IS_ERR(d)) {
      dput(parent);
      return int(PTR_ERR(d));
    }
  } else {
    inode_lock_nested(dir, I_MUTEX_PARENT);
    d = lookup_one_qstr_excl(last_name(op.path), parent, 0);
  }
  int err = IS_ERR(d) ? int(PTR_ERR(d)) : vfs_rmdir(dir, d);
  if (patches().lift) {  // end_removing: unlock, then end the lookup
    inode_unlock(dir);
    d_lookup_done(d);
    dput(d);
  } else {
    if (!IS_ERR(d)) dput(d);
    inode_unlock(dir);
  }
  dput(parent);
  return err;
}

// kernel: filename_lookup -- every component of the path, the last one too
// (link's old name: a directory or not).
dentry* filename_lookup(const std::vector<int>& path) {
  CALL_FRAME();
  return walk_components(path.data(), int(path.size()));
}

// vfs_link: may_create's IS_DEADDIR, no link to a directory, and -- under
// the inode's lock -- none to an inode whose last name went meanwhile.
int vfs_link(dentry* old_d, inode* dir, dentry* new_d) {
  CALL_FRAME();
  inode* in = old_d->d_inode;
  if (!in) return -ENOENT;
  if (dir->dead) return -ENOENT;  // may_create (new_d is negative: filename_create)
  if (in->dir) return -EPERM;
  inode_lock(in);
  int err = in->i_nlink == 0 ? -ENOENT : fs_link(old_d, dir, new_d);
  inode_unlock(in);
  return err;
}

// kernel: do_linkat -- the old path looked up, then filename_create on the
// new one (the root: -EEXIST), vfs_link, done_path_create.
int do_linkat(const PlanOp& op) {
  CALL_FRAME();
  dentry* old_d = filename_lookup(op.path);
  if (IS_ERR(old_d)) return int(PTR_ERR(old_d));
  if (op.path2.empty()) {
    dput(old_d);
    return -EEXIST;
  }
  dentry* parent = walk_parent(op.path2);
  if (IS_ERR(parent)) {
    dput(old_d);
    return int(PTR_ERR(parent));
  }
  wait_queue_head wq;  // "lift" without 2/7: the queue of a dentry left in lookup
  dentry* d = filename_create(parent, last_name(op.path2), &wq, I_MUTEX_PARENT);
  int err = IS_ERR(d) ? int(PTR_ERR(d)) : vfs_link(old_d, d_inode_of_dir(parent), d);
  if (!IS_ERR(d)) done_path_create(parent, d);
  dput(parent);
  dput(old_d);
  return err;
}

// The last name of an open: without O_CREAT the dcache first (lookup_fast),
// then the parent held shared around lookup_open; with O_CREAT held exclusive.
dentry* open_last_lookups(dentry* parent, int name, bool o_creat) {
  CALL_FRAME();
  if (patches().lift && o_creat) return lookup_open(parent, name, true);  // locks in there
  inode* dir = d_inode_of_dir(parent);
  if (!o_creat) {
    if (dentry* d = lookup_fast(name, parent)) return d;
  }
  // "lift" (RFC 52/53): the parent locking moves from open_last_lookups into
  // lookup_open, shared around ->lookup only, without O_CREAT too
  if (patches().lift) return lookup_open(parent, name, false);
  if (o_creat) {
    inode_lock(dir);
  } else {
    inode_lock_shared(dir);
  }
  dentry* d = lookup_open(parent, name, o_creat);
  if (o_creat) {
    inode_unlock(dir);
  } else {
    inode_unlock_shared(dir);
  }
  return d;
}

// kernel: do_sys_openat2 with O_CREAT (path_openat: open_last_lookups,
// then do_open). *got: the inode it opened or created.
int do_open_create(const PlanOp& op, inode** got) {
  CALL_FRAME();
  dentry* parent = walk_parent(op.path);
  if (IS_ERR(parent)) return int(PTR_ERR(parent));
  dentry* d = open_last_lookups(parent, last_name(op.path), true);
  int err = IS_ERR(d) ? int(PTR_ERR(d)) : 0;
  if (!IS_ERR(d)) {
    *got = d_inode_held(d, "do_open");
    if ((*got)->dir) err = -EISDIR;  // do_open: O_CREAT on a directory
    dput(d);
  }
  dput(parent);
  return err;
}

// kernel: do_sys_openat2 without O_CREAT (path_openat: open_last_lookups,
// then do_open, whose step_into fails a negative dentry with -ENOENT). A
// directory opens too (O_RDONLY). *got: the inode it opened.
int do_open_path(const PlanOp& op, inode** got) {
  CALL_FRAME();
  if (op.path.empty()) return do_stat(op, got);  // open("/"): no last name to look up
  dentry* parent = walk_parent(op.path);
  if (IS_ERR(parent)) return int(PTR_ERR(parent));
  dentry* d = open_last_lookups(parent, last_name(op.path), false);
  int err = IS_ERR(d) ? int(PTR_ERR(d)) : 0;
  if (!IS_ERR(d)) {
    if (d->d_inode) {
      *got = d->d_inode;
    } else {
      err = -ENOENT;
    }
    dput(d);
  }
  dput(parent);
  return err;
}

// open_by_handle_at: the handle names a directory of the initial tree;
// exportfs_decode_fh gets an alias of its inode (disconnected if none),
// held until the op ends. reconnect_path is left out (the lookup of the name
// in its parent that would splice the alias): the alias is put still
// disconnected, and dies then, as on the kernel's -ESTALE path.
// kernel: do_handle_open.
int do_fh_decode(const PlanOp& op) {
  CALL_FRAME();
  if (op.tree_node < 0) return -ESTALE;
  inode* in = kstate().tree_inodes[size_t(op.tree_node)];
  if (!in->dir) return -ESTALE;
  dentry* d = d_obtain_alias(in);
  if (IS_ERR(d)) return int(PTR_ERR(d));
  dput(d);
  return 0;
}

// fs/readdir.c iterate_dir: ->iterate_shared under the directory's i_rwsem
// held shared; a directory that died meanwhile reads as -ENOENT.
int iterate_dir(dentry* dir) {
  CALL_FRAME();
  inode* in = d_inode_of_dir(dir);
  inode_lock_shared(in);
  int err = -ENOENT;
  if (!in->dead) {
    fs_readdir(dir);
    err = 0;
  }
  inode_unlock_shared(in);
  return err;
}

// getdents64 on open(path, O_RDONLY | O_DIRECTORY). *got: the directory.
// kernel: __do_sys_getdents64 (after do_sys_open's path walk).
int do_readdir(const PlanOp& op, inode** got) {
  CALL_FRAME();
  dentry* d = walk_components(op.path.data(), int(op.path.size()));
  if (IS_ERR(d)) return int(PTR_ERR(d));
  // The inode as do_open sees it: the kernel's d_flags read is an acquire
  // (__d_entry_type) pairing with the instantiation's release; the model's
  // walk reads d_inode plainly, so it re-reads it under d_lock.
  spin_lock(&d->d_lock);
  inode* in = d_inode_held(d, "do_open");
  spin_unlock(&d->d_lock);
  int err = -ENOTDIR;  // O_DIRECTORY on a file
  if (in->dir) {
    err = iterate_dir(d);
    *got = in;
  }
  dput(d);
  return err;
}

// open(path, O_RDONLY) whose file stays open until the execution ends: its
// dentry reference is held outside the scenario from then on (released with
// the rest at the end; no close within the run). *got: the inode opened.
// kernel: do_sys_openat2 (path_openat's walk, do_open).
int do_open_held(const PlanOp& op, inode** got) {
  CALL_FRAME();
  dentry* d = walk_components(op.path.data(), int(op.path.size()));
  if (IS_ERR(d)) return int(PTR_ERR(d));
  spin_lock(&d->d_lock);  // as do_readdir: the acquire of the kernel's d_flags read
  *got = d->d_inode;
  spin_unlock(&d->d_lock);
  kstate().held_outside.push_back(d);
  return 0;
}

}  // namespace

// may_delete, without permissions, sticky bits or mounts.
int may_delete(inode* dir, dentry* victim, bool isdir) {
  if (!victim->d_inode) return -ENOENT;
  if (isdir) {
    if (!victim->d_inode->dir) return -ENOTDIR;
    if (IS_ROOT(victim)) return -EBUSY;
  } else if (victim->d_inode->dir) {
    return -EISDIR;
  }
  if (dir->dead) return -ENOENT;  // IS_DEADDIR
  return 0;
}

// kernel: filename_parentat -- the parent of the last name, a directory.
dentry* walk_parent(const std::vector<int>& path) {
  dentry* parent = walk_components(path.data(), int(path.size()) - 1);
  if (!IS_ERR(parent) && !d_inode_of_dir(parent)->dir) {
    dput(parent);
    return ERR_PTR(-ENOTDIR);
  }
  return parent;
}

namespace {

int do_op(const PlanOp& op, inode** got) {
  switch (op.kind) {
    case OpKind::lookup:
      return do_stat(op, got);
    case OpKind::create:
      return do_create(op, false);
    case OpKind::mkdir:
      return do_create(op, true);
    case OpKind::unlink:
      return do_unlinkat(op);
    case OpKind::rename:
      return do_rename(op);
    case OpKind::open_create:
      return do_open_create(op, got);
    case OpKind::fh_decode:
      return do_fh_decode(op);
    case OpKind::open:
      return do_open_path(op, got);
    case OpKind::rmdir:
      return do_rmdir(op);
    case OpKind::link:
      return do_linkat(op);
    case OpKind::rename_exchange:
      return do_rename(op);
    case OpKind::readdir:
      return do_readdir(op, got);
    case OpKind::open_held:
      return do_open_held(op, got);
    case OpKind::server_rename:
    case OpKind::server_unlink:
      return nfs_server_op(op);
  }
  return -EINVAL;
}

}  // namespace

int sys_op(const PlanOp& op, inode** got) {
  // link's old path may be the root (vfs_link: -EPERM); its new one is checked in do_linkat
  const bool needs_name = op.kind != OpKind::lookup && op.kind != OpKind::fh_decode &&
                          op.kind != OpKind::open && op.kind != OpKind::link &&
                          op.kind != OpKind::readdir && op.kind != OpKind::open_held;
  if (needs_name && op.path.empty()) return -EBUSY;  // the root itself
  int err = do_op(op, got);
  // retry_estale: a path walk that met -ESTALE (d_splice_alias's __d_unalias)
  // is made once more with LOOKUP_REVAL (no ->d_revalidate here to force).
  if (err == -ESTALE && op.kind != OpKind::fh_decode) err = do_op(op, got);
  return err;
}

}  // namespace dcfuzz::model
