/* Machine-mode helpers for the demo, imported into Swift as the Clang module `Shim`.
   Only instructions rv64imac_zicsr assembles (swiftc silently drops inline asm it cannot
   assemble, see EMBEDDED.md). 64-bit values use unsigned long long (imports as UInt64). */
#ifndef DEMO_SHIM_H
#define DEMO_SHIM_H

#define DEMO_CSR_READ(name)                                      \
  static inline unsigned long long csr_read_##name(void) {      \
    unsigned long long v;                                        \
    __asm__ volatile("csrr %0, " #name : "=r"(v) : : "memory"); \
    return v;                                                    \
  }

#define DEMO_CSR_SET_CLEAR(name)                                              \
  static inline void csr_set_##name(unsigned long long bits) {               \
    __asm__ volatile("csrs " #name ", %0" : : "r"(bits) : "memory");         \
  }                                                                          \
  static inline void csr_clear_##name(unsigned long long bits) {             \
    __asm__ volatile("csrc " #name ", %0" : : "r"(bits) : "memory");         \
  }

DEMO_CSR_READ(misa)
DEMO_CSR_READ(mhartid)
DEMO_CSR_READ(mcycle)
DEMO_CSR_READ(minstret)
DEMO_CSR_SET_CLEAR(mstatus)
DEMO_CSR_SET_CLEAR(mie)

/* Waits for an interrupt; the clobber makes the compiler re-read memory afterwards. */
static inline void wait_for_interrupt(void) {
  __asm__ volatile("wfi" : : : "memory");
}

/* start.S: stores the exit code to the test finisher (0 = pass). */
__attribute__((noreturn)) void demo_exit(unsigned long long code);

#endif
