/* sort: 64K 32-bit values, re-shuffled (Fisher-Yates with xorshift64) and sorted every round,
   alternately by an iterative quicksort (median of three, insertion sort for short ranges) and
   a bottom-up merge sort. Each round checks the result is ordered and is a permutation of the
   input (same sum and xor), folds a position-weighted hash of it into the checksum, then adds
   a constant to every value so the next round sorts a different set. */
#include "bench.h"
#include "expected.h"

const char bench_name[] = "sort";
const u64 bench_expected = BENCH_EXPECTED_SORT;

#define N BENCH_SORT_N
#define INSERTION_CUTOFF 16
#define STEP 0x9E3779B9u

static u32 values[N];
static u32 scratch[N];

static void insertion_sort(u32 *a, long lo, long hi) {
  for (long i = lo + 1; i <= hi; i++) {
    u32 v = a[i];
    long j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static inline void swap(u32 *a, long i, long j) {
  u32 t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/* Hoare partitioning; the larger side goes on an explicit stack, the smaller one is sorted
   next, so the stack never holds more than log2(N) ranges. */
static void quicksort(u32 *a, long n) {
  long stack[2 * 64];
  int top = 0;
  long lo = 0, hi = n - 1;
  for (;;) {
    while (hi - lo + 1 > INSERTION_CUTOFF) {
      long mid = lo + (hi - lo) / 2;
      if (a[mid] < a[lo]) swap(a, mid, lo);
      if (a[hi] < a[lo]) swap(a, hi, lo);
      if (a[hi] < a[mid]) swap(a, hi, mid);
      u32 pivot = a[mid];
      long i = lo - 1, j = hi + 1;
      for (;;) {
        do i++; while (a[i] < pivot);
        do j--; while (a[j] > pivot);
        if (i >= j) break;
        swap(a, i, j);
      }
      /* [lo, j] and [j+1, hi] */
      if (j - lo < hi - j) {
        stack[top++] = j + 1;
        stack[top++] = hi;
        hi = j;
      } else {
        stack[top++] = lo;
        stack[top++] = j;
        lo = j + 1;
      }
    }
    insertion_sort(a, lo, hi);
    if (top == 0) break;
    hi = stack[--top];
    lo = stack[--top];
  }
}

/* Bottom-up merge sort between a and tmp; the result ends up in a. */
static void merge_sort(u32 *a, u32 *tmp, long n) {
  u32 *src = a, *dst = tmp;
  for (long width = 1; width < n; width *= 2) {
    for (long lo = 0; lo < n; lo += 2 * width) {
      long mid = lo + width < n ? lo + width : n;
      long hi = lo + 2 * width < n ? lo + 2 * width : n;
      long i = lo, j = mid, k = lo;
      while (i < mid && j < hi) dst[k++] = src[j] < src[i] ? src[j++] : src[i++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    u32 *t = src;
    src = dst;
    dst = t;
  }
  if (src != a) memcpy(a, src, (usize)n * sizeof a[0]);
}

u64 bench_run(void) {
  u64 state = BENCH_SORT_SEED;
  u64 sum = 0;
  for (long i = 0; i < N; i++) values[i] = (u32)xorshift64(&state);
  for (u32 round = 0; round < BENCH_SORT_ROUNDS; round++) {
    for (long i = N - 1; i > 0; i--) swap(values, i, pick_below(xorshift64(&state), (u32)i + 1));
    u64 total_before = 0;
    u32 xor_before = 0;
    for (long i = 0; i < N; i++) {
      total_before += values[i];
      xor_before ^= values[i];
    }
    if (round % 2 == 0)
      quicksort(values, N);
    else
      merge_sort(values, scratch, N);
    u64 total_after = values[0];
    u32 xor_after = values[0];
    u64 hash = values[0];
    for (long i = 1; i < N; i++) {
      if (values[i - 1] > values[i]) bench_fail("result not sorted");
      total_after += values[i];
      xor_after ^= values[i];
      hash += (u64)values[i] * (u64)(2 * i + 1);
    }
    if (total_after != total_before || xor_after != xor_before) bench_fail("result not a permutation");
    sum = mix(sum, hash);
    for (long i = 0; i < N; i++) values[i] += STEP;
  }
  return sum;
}
