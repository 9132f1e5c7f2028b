// Firmware harness: runs the generated model (pulse_model.h, int8 or float32) on every window of pulse_windows.h and prints
// "out <window> <outputs in hex: two digits per int8, eight per float32 bit pattern>" per window, then "done". One file for the host, Cortex-M4
// (mps2-an386, newlib semihosting) and AArch64 Linux builds.
#include <stdio.h>
#include <string.h>
#include "pulse_model.h"
#include "pulse_windows.h"

// Called by pulse_model_run before each kernel and after the last. Never inlined, and the volatile asm keeps
// its calls from being optimised away, so every call enters a QEMU translation block at its first
// instruction: the counting plugin (plugin/insn-count.c) starts a new region there.
__attribute__((noinline)) void pulse_mark(void) {
    __asm__ volatile("");
}

int main(void) {
    for (int w = 0; w < PULSE_WINDOW_COUNT; w++) {
        pulse_value output[PULSE_MODEL_OUTPUT_SIZE];
        if (pulse_model_run(pulse_windows[w], output) != 0) {
            fprintf(stderr, "pulse_model_run failed on window %d\n", w);
            return 1;
        }
        printf("out %d ", w);
        for (int i = 0; i < PULSE_MODEL_OUTPUT_SIZE; i++) {
#ifdef PULSE_MODEL_FLOAT
            uint32_t bits;
            memcpy(&bits, &output[i], sizeof bits);
            printf("%08lx", (unsigned long)bits);
#else
            printf("%02x", (uint8_t)output[i]);
#endif
        }
        putchar('\n');
    }
    puts("done");
    return 0;
}
