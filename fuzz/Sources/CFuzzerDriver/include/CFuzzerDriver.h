#ifndef PULSE_CFUZZERDRIVER_H
#define PULSE_CFUZZERDRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (in the runtime that -sanitize=fuzzer links): runs the fuzzer with the command line and the
/// callback given. SwiftPM on Linux links every executable with `main` aliased to `<module>_main`, so libFuzzer's
/// own `main` is not used: each harness defines `<module>_main` and calls this.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/// Makes processes forked by the code under test (pulse reads HDF5 files in a forked child) end as they would in
/// the CLI: default action for fatal signals, and no libFuzzer death callback. Without this a child inherits
/// libFuzzer's and AddressSanitizer's handlers: a crash becomes `exit(1)`, and an error AddressSanitizer reports in
/// the child (libhdf5 asking for 4 GiB, say) makes the child write a `crash-` file for the parent's input.
void pulse_fuzz_reset_forked_children(void);

#endif
