/* Shared startup pieces for the bare-metal programs (tests, benchmarks, demo).
   Include from a .S file; the build adds -I tools/rt. */
#ifndef VIREO_RT_CRT_H
#define VIREO_RT_CRT_H

/* Zero [__bss_start, __bss_end): doublewords, then the byte tail. Clobbers t0-t2. */
.macro ZERO_BSS
  la t0, __bss_start
  la t1, __bss_end
1:
  addi t2, t0, 8
  bgtu t2, t1, 2f
  sd zero, 0(t0)
  mv t0, t2
  j 1b
2:
  bgeu t0, t1, 3f
  sb zero, 0(t0)
  addi t0, t0, 1
  j 2b
3:
.endm

#endif
