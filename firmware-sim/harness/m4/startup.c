// Start-up for the Cortex-M4F harness on QEMU mps2-an386 (linker script mps2-an386.ld): vector table, reset
// handler, and fault handlers that end the run with a message and exit status 3 rather than hang.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[], __stack_top[];
extern void initialise_monitor_handles(void);
extern int main(void);

void reset_handler(void) {
    // Full access to CP10 and CP11 (the FPU) before any floating-point instruction.
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    for (uint32_t *s = __data_load, *d = __data_start; d < __data_end;)
        *d++ = *s++;
    for (uint32_t *d = __bss_start; d < __bss_end;)
        *d++ = 0;
    initialise_monitor_handles();  // semihosting stdio; without it printf prints nothing, exit(n) returns 0
    exit(main());
}

// frame: the registers the core stacked on exception entry (r0-r3, r12, lr, pc, xPSR).
void fault_report(const uint32_t *frame) {
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    fprintf(stderr, "fault: exception %lu at pc 0x%08lx\n", (unsigned long)(ipsr & 0x1ff),
            (unsigned long)frame[6]);
    _exit(3);
}

// The harness only runs on the main stack, so the frame is at msp.
__attribute__((naked)) void fault_handler(void) {
    __asm__ volatile("mrs r0, msp\n\tb fault_report");
}

typedef void (*vector)(void);

__attribute__((section(".vectors"), used)) static const vector vectors[16] = {
    (vector)(uintptr_t)__stack_top,
    reset_handler,
    fault_handler,  // NMI
    fault_handler,  // HardFault
    fault_handler,  // MemManage
    fault_handler,  // BusFault
    fault_handler,  // UsageFault
    0, 0, 0, 0,
    fault_handler,  // SVCall
    fault_handler,  // DebugMonitor
    0,
    fault_handler,  // PendSV
    fault_handler,  // SysTick
};
