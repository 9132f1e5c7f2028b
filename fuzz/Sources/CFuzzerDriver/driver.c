#include "CFuzzerDriver.h"
#include <pthread.h>
#include <signal.h>

/* Weak: present when a sanitizer runtime is linked (AddressSanitizer's and libFuzzer's both carry it). */
__attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)(void));

static void pulse_fuzz_child_after_fork(void) {
    static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP };
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) signal(fatal[i], SIG_DFL);
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(NULL);
}

static void pulse_fuzz_install(void) { pthread_atfork(NULL, NULL, pulse_fuzz_child_after_fork); }

void pulse_fuzz_reset_forked_children(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, pulse_fuzz_install);
}
