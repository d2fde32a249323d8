/* Machine-mode helpers for the demo, imported into Swift as the Clang module `Shim`.
   Only instructions rv64imac_zicsr assembles (swiftc silently drops inline asm it cannot
   assemble, see EMBEDDED.md). 64-bit values use unsigned long long (imports as UInt64). */
#ifndef DEMO_SHIM_H
#define DEMO_SHIM_H

#include "csr.h"

RT_CSR_READ(misa)
RT_CSR_READ(mhartid)
RT_CSR_READ(mcycle)
RT_CSR_READ(minstret)
RT_CSR_WRITE(mstatus)
RT_CSR_WRITE(mie)

/* Waits for an interrupt; the clobber makes the compiler re-read memory afterwards. */
static inline void wait_for_interrupt(void) {
  __asm__ volatile("wfi" : : : "memory");
}

/* start.S: stores the exit code to the test finisher (0 = pass). */
__attribute__((noreturn)) void demo_exit(unsigned long long code);

#endif
