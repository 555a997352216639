// fs/dcache.c, the in-lookup part: d_alloc_parallel and the machinery that
// ends a lookup and wakes the tasks waiting for it.
#include "core/bug.h"
#include "core/dcache.h"
#include "core/kernel_state.h"
#include "core/lockdep.h"
#include "core/plan.h"

namespace dcfuzz::model {

int d_hash_bucket(const dentry* parent, int name) {
  return int((parent->d_no * 7u + unsigned(name)) % unsigned(kBuckets));
}

namespace {

spinlock_t* in_lookup_hash(const dentry* parent, int name) {
  return &kstate().in_lookup_hashtable[d_hash_bucket(parent, name)];
}

// kernel: the walk of the in-lookup bucket in d_alloc_parallel.
dentry* in_lookup_match(const dentry* parent, int name) {
  for (dentry* d : kstate().dentries) {
    if (d->d_in_bucket && d->d_parent == parent && d->d_name == name) return d;
  }
  return nullptr;
}

// The steps of d_alloc_parallel, which the kernel writes as one function;
// each passes on its caller, so their events are d_alloc_parallel's.
enum class Step { found, retry, go_on, would_block };

// v4 4/7: what __d_alloc_parallel does on finding the name in lookup.
enum class AllocPara { wait, fail };

// Step 2: the main hash, validated by rename_lock and i_dir_seq.
Step search_main_hash(dentry* parent, int name, unsigned* seq, dentry** out,
                      const char* caller = __builtin_FUNCTION()) {
  inode* dir = d_inode_of_dir(parent, caller);
  seqcount_t* rename_seq = &kstate().rename_lock.seqcount;
  *seq = raw_seqcount(&dir->i_dir_seq);
  unsigned r = read_seqbegin(rename_seq, caller);
  unsigned d_seq = 0;
  if (dentry* d = __d_lookup_rcu(parent, name, &d_seq, caller)) {
    if (!lockref_get_not_dead(d)) return Step::retry;
    // Did it move (or leave the hash) since the walk matched it?
    if (read_seqcount_retry(d, d_seq) && !kstate().plan->options.selftest_parallel_no_d_seq_check) {
      dput(d);
      return Step::retry;
    }
    *out = d;
    return Step::found;
  }
  if (read_seqretry(rename_seq, r)) return Step::retry;
  if (*seq & 1) {  // an in-lookup dentry is moving into the main hash
    wait_seqcount_even(&dir->i_dir_seq, caller);
    return Step::retry;
  }
  return Step::go_on;
}

void in_lookup_hash_add(dentry* d, dentry* parent, int name, const char* caller) {
  d->d_in_bucket = true;
  d->lookup_owner = current().index;
  d->lookup_parent = parent;
  d->lookup_name = name;
  trace(EventKind::state, "in-lookup hash add", dref(Obj::dentry, d), caller);
}

// Waits for an in-lookup match; found if it ended hashed under the same name.
// AllocPara::fail (v4 4/7): would_block if it is still in lookup, with *out
// the referenced match for the caller to put.
Step wait_for_match(dentry* match, dentry* parent, int name, AllocPara how, dentry** out,
                    const char* caller) {
  if (!lockref_get_not_dead(match)) return Step::retry;
  spin_lock(&match->d_lock, caller);
  if (how == AllocPara::fail && d_in_lookup(match)) {
    spin_unlock(&match->d_lock, caller);
    *out = match;
    return Step::would_block;
  }
  d_wait_lookup(match);
  bool same = d_in_main_hash(match) && match->d_parent == parent && match->d_name == name;
  spin_unlock(&match->d_lock, caller);
  if (same) {
    *out = match;
    return Step::found;
  }
  dput(match);  // the lookup failed or another dentry took its place
  return Step::retry;
}

// Steps 3 to 5: the in-lookup hash, under its bucket lock.
Step search_in_lookup_hash(dentry* parent, int name, unsigned seq, dentry* nw, AllocPara how,
                           dentry** out, const char* caller = __builtin_FUNCTION()) {
  spinlock_t* b = in_lookup_hash(parent, name);
  spin_lock(b, caller);
  if (raw_seqcount(&parent->d_inode->i_dir_seq) != seq) {
    spin_unlock(b, caller);
    return Step::retry;
  }
  dentry* match = in_lookup_match(parent, name);
  if (!match) {
    in_lookup_hash_add(nw, parent, name, caller);
    spin_unlock(b, caller);
    *out = nw;
    return Step::found;
  }
  spin_unlock(b, caller);
  return wait_for_match(match, parent, name, how, out, caller);
}

// kernel: __d_alloc_parallel (v4 4/7 splits d_alloc_parallel into it and the
// two callers below; mainline's d_alloc_parallel is the `wait` case).
dentry* __d_alloc_parallel(dentry* parent, int name, wait_queue_head* wq, AllocPara how,
                           const char* caller) {
  dentry* nw = d_alloc(parent, name);
  if (!nw) return ERR_PTR(-ENOMEM);
  nw->d_flags |= DCACHE_PAR_LOOKUP;
  nw->d_wait = wq;
  for (;;) {
    unsigned seq = 0;
    dentry* out = nullptr;
    Step step = search_main_hash(parent, name, &seq, &out, caller);
    if (step == Step::go_on) step = search_in_lookup_hash(parent, name, seq, nw, how, &out, caller);
    if (step == Step::retry) continue;
    if (step == Step::would_block) {  // someone else is looking the name up: don't wait
      trace(EventKind::other, "in lookup elsewhere: -EWOULDBLOCK", dref(Obj::dentry, out), caller);
      dput(nw);
      dput(out);  // may be the last reference: the lookup may have ended meanwhile
      return ERR_PTR(-EWOULDBLOCK);
    }
    // What the callers rely on, true at the last check (the model's own check).
    if (out->d_parent != parent || out->d_name != name || (out != nw && !d_in_main_hash(out)))
      invariant_violation("d_alloc_parallel returned another name", out);
    if (out != nw) dput(nw);
    return out;
  }
}

}  // namespace

dentry* d_alloc_parallel(dentry* parent, int name, wait_queue_head* wq) {
  CALL_FRAME();
  return __d_alloc_parallel(parent, name, wq, AllocPara::wait, __func__);
}

// v4 4/7. The kernel's has no wait queue (2/7 removed it); with 4/7 on a
// kernel without 2/7 the caller's on-stack queue is passed on, as mainline's
// d_alloc_parallel takes one.
dentry* d_alloc_noblock(dentry* parent, int name, wait_queue_head* wq) {
  CALL_FRAME();
  if (dentry* d = d_lookup(parent, name)) return d;  // try_lookup_noperm
  return __d_alloc_parallel(parent, name, wq, AllocPara::fail, __func__);
}

dentry* d_duplicate(dentry* d, wait_queue_head* wq) {
  CALL_FRAME();
  dentry* parent = d->d_parent;
  dentry* nw = d_alloc(parent, d->d_name);  // __d_alloc, then d_parent under the parent's d_lock
  if (!nw) return ERR_PTR(-ENOMEM);
  nw->d_flags |= DCACHE_PAR_LOOKUP;
  nw->d_wait = wq;
  nw->dup_of = d;
  spinlock_t* b = in_lookup_hash(parent, d->d_name);
  spin_lock(b);
  in_lookup_hash_add(nw, parent, d->d_name, __func__);
  spin_unlock(b);
  return nw;
}

// Entered and left with d->d_lock held.
void d_wait_lookup(dentry* d) {
  CALL_FRAME();
  if (!d_in_lookup(d)) return;
  const bool var = patches().wait_var_event;
  if (var) {
    d->d_flags |= DCACHE_LOOKUP_WAITERS;
    trace(EventKind::state, "set LOOKUP_WAITERS", dref(Obj::dentry, d));
  }
  const int me = current().index;
  do {
    ObjRef key = dref(var ? Obj::d_flags : Obj::d_wait, d);
    if (var) {
      var_wait_enqueue(key);  // wait_var_event_spinlock(&d->d_flags, ..., &d->d_lock)
    } else if (!d->d_wait->waiters.contains(me)) {
      d->d_wait->waiters.push(me);  // add_wait_queue(d->d_wait, &wait)
    }
    prepare_to_wait(WaitSite{__func__, var ? "wait_var_event" : "wait_event", key, false, d});
    spin_unlock(&d->d_lock);
    might_sleep(__func__, __func__);  // schedule() with only d_lock dropped
    schedule_wait();
    spin_lock(&d->d_lock);
  } while (d_in_lookup(d));
}

// The lost-wakeup check: when PAR_LOOKUP is cleared on `d`, remember its
// waiters; when that d_lock section ends, they must have been woken.
void note_lookup_end(dentry* d, const char* function) {
  uint8_t mask = 0;
  for (int i = 0; i < kstate().ntasks; ++i) {
    const Task& t = kstate().tasks[i];
    if (t.state == TaskState::blocked && t.wait.lookup_of == d) mask |= uint8_t(1u << i);
  }
  d->wake_check = mask;
  d->wake_check_function = function;
}

void check_lookup_end_woke(dentry* d) {
  const uint8_t mask = d->wake_check;
  if (!mask || !kstate().plan->options.lost_wakeup_detector) return;
  d->wake_check = 0;
  for (int i = 0; i < kstate().ntasks; ++i) {
    const Task& t = kstate().tasks[i];
    if (!(mask & (1u << i)) || t.state != TaskState::blocked || t.wait.lookup_of != d) continue;
    Text& out = new_finding();
    out.add(
        "%s cleared DCACHE_PAR_LOOKUP on %s and ended its d_lock section without waking "
        "T%d, which sleeps in %s (%s on %s).\n",
        d->wake_check_function, ObjName(dref(Obj::dentry, d)).buf, i + 1, t.wait.function,
        t.wait.what, ObjName(t.wait.object).buf);
    describe_tasks(out);
    report_finding(FindingKind::lost_wakeup, i, d->wake_check_function, out,
                   "BUG: lost wakeup in %s", d->wake_check_function);
  }
}

wait_queue_head* __d_lookup_unhash(dentry* d, const char* caller) {
  CALL_FRAME();
  if (d->lookup_owner != current().index || !spin_is_held_by_me(&d->d_lock))
    invariant_violation("PAR_LOOKUP cleared by non-owner", d, caller);
  spinlock_t* b = in_lookup_hash(d->d_parent, d->d_name);
  spin_lock(b);
  d->d_flags &= ~DCACHE_PAR_LOOKUP;
  d->d_in_bucket = false;
  d->dup_of = nullptr;
  wait_queue_head* wq = d->d_wait;
  d->d_wait = nullptr;
  note_lookup_end(d, caller);
  trace(EventKind::lookup_end, "clear PAR_LOOKUP", dref(Obj::dentry, d));
  spin_unlock(b);
  return wq;
}

void __d_wake_in_lookup_waiters(dentry* d, wait_queue_head* wq) {
  CALL_FRAME();
  if (!patches().wait_var_event) {
    wake_up_all(wq, dref(Obj::d_wait, d));
    return;
  }
  if (!(d->d_flags & DCACHE_LOOKUP_WAITERS)) return;
  d->d_flags &= ~DCACHE_LOOKUP_WAITERS;
  wake_up_var(dref(Obj::d_flags, d));
}

void d_lookup_done(dentry* d) {
  CALL_FRAME();
  if (!d_in_lookup(d)) return;
  spin_lock(&d->d_lock);  // kernel: __d_lookup_unhash_wake, from here down
  wait_queue_head* wq = __d_lookup_unhash(d);
  __d_wake_in_lookup_waiters(d, wq);
  spin_unlock(&d->d_lock);
}

// preempt_disable_nested() .. preempt_enable_nested(): the i_dir_seq write
// section is preempt-off (on !PREEMPT_RT the d_lock held already makes it so).
unsigned start_dir_add(inode* dir) {
  CALL_FRAME();
  ++current().preempt_off;
  seqcount_t* s = &dir->i_dir_seq;
  for (;;) {
    unsigned n = s->seq;  // the cmpxchg below validates this plain read
    if (n & 1) {
      wait_seqcount_even(s);
      continue;
    }
    if (s->word.cmpxchg(n, n + 1)) {
      s->seq = n + 1;
      return n;
    }
  }
}

void end_dir_add(inode* dir, unsigned n) {
  seqcount_t* s = &dir->i_dir_seq;
  s->word.store(n + 2);  // smp_store_release
  s->seq = n + 2;
  --current().preempt_off;
  while (s->waiters.count > 0) wake_task(s->waiters.pop());
}

}  // namespace dcfuzz::model
