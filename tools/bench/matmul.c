/* matmul: C = A x B on 96x96 matrices of 64-bit integers (arithmetic modulo 2^64), repeated;
   each round checks C with Freivalds' test (A(Bv) == Cv for a random vector v, exact in
   this ring), folds C into the checksum and derives the next A from C. */
#include "bench.h"
#include "expected.h"

const char bench_name[] = "matmul";
const u64 bench_expected = BENCH_EXPECTED_MATMUL;

#define N BENCH_MATMUL_N

static u64 a[N][N], b[N][N], c[N][N];

static void multiply(void) {
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < N; j++) c[i][j] = 0;
    for (int k = 0; k < N; k++) {
      u64 aik = a[i][k];
      for (int j = 0; j < N; j++) c[i][j] += aik * b[k][j];
    }
  }
}

static void mat_vec(u64 m[N][N], const u64 *v, u64 *out) {
  for (int i = 0; i < N; i++) {
    u64 s = 0;
    for (int j = 0; j < N; j++) s += m[i][j] * v[j];
    out[i] = s;
  }
}

static void freivalds(u64 *state) {
  u64 v[N], bv[N], abv[N], cv[N];
  for (int i = 0; i < N; i++) v[i] = xorshift64(state);
  mat_vec(b, v, bv);
  mat_vec(a, bv, abv);
  mat_vec(c, v, cv);
  for (int i = 0; i < N; i++)
    if (abv[i] != cv[i]) bench_fail("product fails Freivalds' check");
}

u64 bench_run(void) {
  u64 state = BENCH_MATMUL_SEED;
  u64 sum = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) a[i][j] = xorshift64(&state);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) b[i][j] = xorshift64(&state);
  for (u32 round = 0; round < BENCH_MATMUL_ROUNDS; round++) {
    multiply();
    freivalds(&state);
    u64 hash = round;
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) hash = hash * 0x100000001b3ull + c[i][j];
    sum = mix(sum, hash);
    for (int i = 0; i < N; i++)
      for (int j = 0; j < N; j++) a[i][j] = c[i][j] ^ (c[i][j] >> 29);
  }
  return sum;
}
