/* CSR accessors for the bare-metal Clang shims (firmware, guests, demo), imported into
   Embedded Swift. RT_CSR_READ(name) defines csr_read_<name>(); RT_CSR_WRITE(name) defines
   csr_write_/csr_set_/csr_clear_<name>(). 64-bit values are unsigned long long (imports as
   UInt64). Only names rv64imac_zicsr assembles: swiftc silently drops inline asm it cannot
   assemble (../shared/EMBEDDED.md pitfall 1). */
#ifndef VIREO_RT_CSR_H
#define VIREO_RT_CSR_H

#define RT_CSR_READ(name)                                        \
  static inline unsigned long long csr_read_##name(void) {      \
    unsigned long long v;                                        \
    __asm__ volatile("csrr %0, " #name : "=r"(v) : : "memory"); \
    return v;                                                    \
  }

#define RT_CSR_WRITE(name)                                            \
  static inline void csr_write_##name(unsigned long long v) {         \
    __asm__ volatile("csrw " #name ", %0" : : "r"(v) : "memory");     \
  }                                                                   \
  static inline void csr_set_##name(unsigned long long bits) {        \
    __asm__ volatile("csrs " #name ", %0" : : "r"(bits) : "memory");  \
  }                                                                   \
  static inline void csr_clear_##name(unsigned long long bits) {      \
    __asm__ volatile("csrc " #name ", %0" : : "r"(bits) : "memory");  \
  }

#endif
