#include "testing/toy_programs.h"

#include <utility>

#include "core/dcache.h"
#include "core/kernel_state.h"
#include "core/model.h"

// clang-format off
#include <relacy/relacy.hpp>  // last
// clang-format on

namespace dcfuzz::toy {
namespace {

class LockInversion final : public Program {
 public:
  int thread_count() const override { return 2; }
  void before(Host&) override { locks_ = new Locks; }
  void thread(int index) override {
    rl::mutex& first = index == 0 ? locks_->a : locks_->b;
    rl::mutex& second = index == 0 ? locks_->b : locks_->a;
    first.lock($);
    second.lock($);
    second.unlock($);
    first.unlock($);
  }
  void invariant() override {}
  void after() override { delete locks_; }

 private:
  struct Locks {
    rl::mutex a, b;
  };
  Locks* locks_ = nullptr;
};

class LostWakeup final : public Program {
 public:
  int thread_count() const override { return 2; }
  void before(Host& host) override {
    host_ = &host;
    state_ = new State;
    state_->flag.store(0, rl::memory_order_relaxed);
    state_->announce.store(0, rl::memory_order_relaxed);
  }
  void thread(int index) override {
    if (index == 0) {  // waiter
      if (state_->flag.load(rl::memory_order_acquire) == 0) {
        state_->announce.store(1, rl::memory_order_relaxed);  // a window: check, then sleep
        state_->sleeping = true;
        if (state_->woken_early) {
          // the wake happened between check and sleep: nobody will wake us
          host_->on_finding(Finding{FindingKind::lost_wakeup, "BUG: lost wakeup (toy)",
                                    "waiter slept after the wake"});
          host_->fail_execution("BUG: lost wakeup (toy)");
        }
        rl::ctx().park_current_thread(false, false, false, $);
      }
    } else {  // waker
      state_->flag.store(1, rl::memory_order_release);
      if (state_->sleeping) {
        state_->sleeping = false;
        rl::ctx().unpark_thread(0, false, $);
      } else {
        state_->woken_early = true;
      }
    }
  }
  void invariant() override {}
  void after() override { delete state_; }

 private:
  struct State {
    rl::atomic<int> flag;
    rl::atomic<int> announce;
    bool sleeping = false;
    bool woken_early = false;
  };
  Host* host_ = nullptr;
  State* state_ = nullptr;
};

class LeakOnEnomem final : public Program {
 public:
  int thread_count() const override { return 2; }
  void before(Host& host) override {
    host_ = &host;
    refs_ = new rl::atomic<int>;
    refs_->store(0, rl::memory_order_relaxed);
  }
  void thread(int index) override {
    refs_->fetch_add(1, rl::memory_order_relaxed);
    if (host_->should_fail_alloc(index)) {  // -ENOMEM: the error path forgets the put
      host_->on_finding(Finding{FindingKind::other, "BUG: reference leaked on -ENOMEM (toy)",
                                "the error path returned with its reference"});
      host_->fail_execution("BUG: reference leaked on -ENOMEM (toy)");
    }
    refs_->fetch_sub(1, rl::memory_order_relaxed);
  }
  void invariant() override {}
  void after() override { delete refs_; }

 private:
  Host* host_ = nullptr;
  rl::atomic<int>* refs_ = nullptr;
};

class Counter final : public Program {
 public:
  Counter(int threads, int rounds) : threads_(threads), rounds_(rounds) {}
  int thread_count() const override { return threads_; }
  void before(Host& host) override {
    host_ = &host;
    state_ = new State;
    state_->value($) = 0;
  }
  void thread(int index) override {
    for (int i = 0; i < rounds_; ++i) {
      state_->lock.lock($);
      host_->on_event(Event{EventKind::lock, index, "counter", "lock", 1,
                            host_->tracing() ? "counter lock" : ""});
      int v = state_->value($);
      state_->value($) = v + 1;
      state_->lock.unlock($);
    }
  }
  void invariant() override {}
  void after() override {
    if (state_->value($) != threads_ * rounds_) {
      host_->on_finding(Finding{FindingKind::other, "BUG: counter lost an update", ""});
      host_->fail_execution("BUG: counter lost an update");
    }
    delete state_;
  }

 private:
  struct State {
    rl::mutex lock;
    rl::var<int> value;
  };
  int threads_, rounds_;
  Host* host_ = nullptr;
  State* state_ = nullptr;
};

// T2 puts the first dead dentry once, before its ops.
class PutsADeadDentry final : public Program {
 public:
  explicit PutsADeadDentry(Scenario scenario) : inner_(make_dcache_program(std::move(scenario))) {}
  int thread_count() const override { return inner_->thread_count(); }
  void before(Host& host) override { inner_->before(host); }
  void thread(int index) override {
    const std::vector<model::dentry*>& dead = model::kstate().dead;
    if (index == 1 && !dead.empty()) model::dput(dead.front());
    inner_->thread(index);
  }
  void invariant() override { inner_->invariant(); }
  void after() override { inner_->after(); }

 private:
  std::unique_ptr<Program> inner_;
};

}  // namespace

std::unique_ptr<Program> make_lock_inversion() { return std::make_unique<LockInversion>(); }
std::unique_ptr<Program> make_lost_wakeup() { return std::make_unique<LostWakeup>(); }
std::unique_ptr<Program> make_leak_on_enomem() { return std::make_unique<LeakOnEnomem>(); }
std::unique_ptr<Program> make_counter(int threads, int rounds) {
  return std::make_unique<Counter>(threads, rounds);
}

std::unique_ptr<Program> make_dcache_putting_a_dead_dentry(Scenario scenario) {
  return std::make_unique<PutsADeadDentry>(std::move(scenario));
}

}  // namespace dcfuzz::toy
