/* Shared declarations of the benchmark kernels: fixed-width types, the PRNG and checksum mix
   that reference.py mirrors, and the tiny runtime in rt.c. No libc anywhere. */
#ifndef BENCH_H
#define BENCH_H

#include "params.h"

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef unsigned long usize;

/* Each kernel defines these three; rt.c's bench_entry() runs and checks them. */
extern const char bench_name[];
extern const u64 bench_expected;
u64 bench_run(void);

/* xorshift64 (Marsaglia, shifts 13/7/17). */
static inline u64 xorshift64(u64 *state) {
  u64 x = *state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  *state = x;
  return x;
}

/* Uniform index in [0, n) from the low 32 bits of a PRNG word, without division. */
static inline u32 pick_below(u64 r, u32 n) {
  return (u32)(((r & 0xffffffffull) * n) >> 32);
}

/* Folds one 64-bit value into a running checksum. */
static inline u64 mix(u64 h, u64 v) {
  h = ((h << 5) | (h >> 59)) ^ v;
  return h * 0x9E3779B97F4A7C15ull;
}

/* rt.c */
void uart_puts(const char *s);
void uart_hex64(u64 v);
void uart_dec(u64 v);
__attribute__((noreturn)) void bench_exit(u32 code);
/* Reports "<name>: FAIL: <why>" and exits with code 1. */
__attribute__((noreturn)) void bench_fail(const char *why);

void *memset(void *dst, int c, usize n);
void *memcpy(void *dst, const void *src, usize n);

#endif
