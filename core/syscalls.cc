// The system calls of the thread programs (fs/namei.c, fs/open.c,
// fs/fhandle.c): each takes and drops everything it uses.
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

// The parent locked and the last name looked up for a create; on error the
// parent is unlocked again.
dentry* filename_create(dentry* parent, int name) {
  CALL_FRAME();
  inode* dir = parent->d_inode;
  inode_lock(dir);
  dentry* d = lookup_one_qstr_excl(name, parent, LOOKUP_CREATE | LOOKUP_EXCL);
  if (IS_ERR(d)) inode_unlock(dir);
  return d;
}

void done_path_create(dentry* parent, dentry* d) {
  CALL_FRAME();
  dput(d);
  inode_unlock(parent->d_inode);
}

// kernel: do_mknodat / do_mkdirat -- filename_create, vfs_create or
// vfs_mkdir, done_path_create.
int do_create(const PlanOp& op, bool is_dir) {
  CALL_FRAME();
  dentry* parent = walk_parent(op.path);
  if (IS_ERR(parent)) return int(PTR_ERR(parent));
  dentry* d = filename_create(parent, last_name(op.path));
  int err = IS_ERR(d) ? int(PTR_ERR(d)) : fs_create(parent->d_inode, d, is_dir);
  if (!IS_ERR(d)) done_path_create(parent, d);
  dput(parent);
  return err;
}

int do_unlinkat(const PlanOp& op) {
  CALL_FRAME();
  dentry* parent = walk_parent(op.path);
  if (IS_ERR(parent)) return int(PTR_ERR(parent));
  inode* dir = parent->d_inode;
  inode_lock(dir);
  dentry* d = lookup_one_qstr_excl(last_name(op.path), parent, 0);
  int err = 0;
  if (IS_ERR(d)) {
    err = int(PTR_ERR(d));
  } else {
    if (d->d_inode->dir) {
      err = -EISDIR;
    } else {
      err = fs_unlink(dir, d);
      if (!err) d_delete(d);
    }
    dput(d);
  }
  inode_unlock(dir);
  dput(parent);
  return err;
}

// O_CREAT: the parent held exclusive around lookup_open.
dentry* open_last_lookups(dentry* parent, int name) {
  CALL_FRAME();
  inode* dir = parent->d_inode;
  inode_lock(dir);
  dentry* d = lookup_open(parent, name);
  inode_unlock(dir);
  return d;
}

// kernel: do_sys_openat2 with O_CREAT (path_openat: open_last_lookups,
// then do_open). *got: the inode it opened or created.
int do_open_create(const PlanOp& op, inode** got) {
  CALL_FRAME();
  dentry* parent = walk_parent(op.path);
  if (IS_ERR(parent)) return int(PTR_ERR(parent));
  dentry* d = open_last_lookups(parent, last_name(op.path));
  int err = IS_ERR(d) ? int(PTR_ERR(d)) : 0;
  if (!IS_ERR(d)) {
    *got = d->d_inode;
    if (d->d_inode->dir) err = -EISDIR;  // do_open: O_CREAT on a directory
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

}  // namespace

// kernel: filename_parentat -- the parent of the last name, a directory.
dentry* walk_parent(const std::vector<int>& path) {
  dentry* parent = walk_components(path.data(), int(path.size()) - 1);
  if (!IS_ERR(parent) && !parent->d_inode->dir) {
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
    case OpKind::server_rename:
    case OpKind::server_unlink:
      return nfs_server_op(op);
  }
  return -EINVAL;
}

}  // namespace

int sys_op(const PlanOp& op, inode** got) {
  const bool needs_name = op.kind != OpKind::lookup && op.kind != OpKind::fh_decode;
  if (needs_name && op.path.empty()) return -EBUSY;  // the root itself
  int err = do_op(op, got);
  // retry_estale: a path walk that met -ESTALE (d_splice_alias's __d_unalias)
  // is made once more with LOOKUP_REVAL (no ->d_revalidate here to force).
  if (err == -ESTALE && op.kind != OpKind::fh_decode) err = do_op(op, got);
  return err;
}

}  // namespace dcfuzz::model
