#include "fuzz/crash_handler.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>

namespace dcfuzz {
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};

char g_dir[4096];
const uint8_t* volatile g_data = nullptr;
volatile size_t g_size = 0;
char g_alt_stack[1 << 16];

// Async-signal-safe output: write(2) only, no allocation, no stdio.
void put(int fd, const char* s) {
  for (size_t n = std::strlen(s); n > 0;) {
    const ssize_t w = write(fd, s, n);
    if (w <= 0) return;
    s += w;
    n -= size_t(w);
  }
}

void on_crash(int sig) {
  char path[sizeof g_dir + 64];
  const uint8_t* data = g_data;
  const size_t size = g_size;
  put(STDERR_FILENO, "dcfuzz worker: the model crashed (signal ");
  char number[8] = {};
  number[0] = char('0' + sig / 10);
  number[sig >= 10 ? 1 : 0] = char('0' + sig % 10);
  put(STDERR_FILENO, number);
  put(STDERR_FILENO, ") running ");
  if (data) {
    // FNV-1a of the input: the same input, the same file name.
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
    char hex[17] = {};
    for (int i = 15; i >= 0; --i, h >>= 4) hex[i] = "0123456789abcdef"[h & 15];
    path[0] = 0;
    std::strcat(path, g_dir);
    std::strcat(path, "/crash-model-");
    std::strcat(path, hex);
    const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      for (size_t done = 0; done < size;) {
        const ssize_t w = write(fd, data + done, size - done);
        if (w <= 0) break;
        done += size_t(w);
      }
      close(fd);
      put(STDERR_FILENO, "an input, saved as ");
      put(STDERR_FILENO, path);
      put(STDERR_FILENO, " (`dcfuzz replay` it: a dcfuzz bug)\n");
    } else {
      put(STDERR_FILENO, "an input it could not save\n");
    }
  } else {
    put(STDERR_FILENO, "no input\n");
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace

const char* const kCrashHandlerFlags[4] = {"-handle_segv=0", "-handle_bus=0", "-handle_ill=0",
                                           "-handle_fpe=0"};

void install_crash_handler(const std::string& dir) {
  std::strncpy(g_dir, dir.c_str(), sizeof g_dir - 1);
  stack_t alt = {};
  alt.ss_sp = g_alt_stack;
  alt.ss_size = sizeof g_alt_stack;
  sigaltstack(&alt, nullptr);
  struct sigaction action = {};
  action.sa_handler = on_crash;
  action.sa_flags = SA_ONSTACK | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  for (int sig : kSignals) sigaction(sig, &action, nullptr);
}

void note_current_input(const uint8_t* data, size_t size) {
  g_size = size;
  g_data = data;
}

}  // namespace dcfuzz
