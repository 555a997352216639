// A libFuzzer worker's own handler for the signals a crash of the model
// raises (SIGSEGV, SIGBUS, SIGILL, SIGFPE). libFuzzer's handler cannot be
// used in this process: it allocates and frees, and while the model runs,
// Relacy owns the global operator delete, so a crash came back as a finding
// ("KASAN: double-free or invalid-free in the model") that did not replay,
// and the worker went on in the middle of a signal handler. This one saves
// the input being run as DIR/crash-model-<hash>, says so in one line, and
// lets the signal end the worker; the campaign reports it (exit 3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dcfuzz {

// Installs the handler (on an alternate stack: a model thread's own stack
// may be what overflowed) and remembers DIR, where the input goes.
void install_crash_handler(const std::string& dir);

// The input the worker runs now (null: none); read by the handler.
void note_current_input(const uint8_t* data, size_t size);

// libFuzzer's flags that leave these signals to install_crash_handler.
extern const char* const kCrashHandlerFlags[4];

}  // namespace dcfuzz
