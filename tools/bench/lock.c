/* lock: a spinlock taken and released around a small critical section, BENCH_LOCK_ROUNDS
   times, as a kernel's hot lock: amoswap.w.aq takes it (retrying while it was held), a fence
   orders the section after it, and fence rw,w plus a plain store release it. The section
   adds a byte of xorshift64 to a counter; every 1024th round folds the counter into the
   checksum. One hart, so the lock is always free: the loop measures the atomics' cost. */
#include "bench.h"
#include "expected.h"

const char bench_name[] = "lock";
const u64 bench_expected = BENCH_EXPECTED_LOCK;

static volatile u32 lock_word;
static volatile u64 counter;

u64 bench_run(void) {
  u64 state = BENCH_LOCK_SEED;
  u64 sum = 0;
  for (u32 i = 0; i < BENCH_LOCK_ROUNDS; i++) {
    u32 old;
    do {
      __asm__ volatile("amoswap.w.aq %0, %1, (%2)" : "=r"(old) : "r"(1), "r"(&lock_word) : "memory");
    } while (old != 0);
    __asm__ volatile("fence rw, rw" ::: "memory");
    counter = counter + (xorshift64(&state) & 0xff);
    __asm__ volatile("fence rw, w" ::: "memory");
    lock_word = 0;
    if ((i & 1023) == 0) sum = mix(sum, counter);
  }
  return mix(sum, counter);
}
