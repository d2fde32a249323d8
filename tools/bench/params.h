/* Workload sizes of the benchmark kernels. reference.py reads the BENCH_* lines of this file
   and regenerates expected.h: change a number here, then run
   `python3 tools/bench/reference.py > tools/bench/expected.h`. */
#ifndef BENCH_PARAMS_H
#define BENCH_PARAMS_H

/* crc: buffer size in bytes (multiple of 8) and rounds; each round refills the buffer. */
#define BENCH_CRC_BYTES   65536
#define BENCH_CRC_ROUNDS  80
#define BENCH_CRC_SEED    0x243F6A8885A308D3ull

/* sort: element count and rounds (even rounds quicksort, odd rounds merge sort). */
#define BENCH_SORT_N      65536
#define BENCH_SORT_ROUNDS 20
#define BENCH_SORT_SEED   0x13198A2E03707344ull

/* matmul: square matrix order and rounds of C = A x B. */
#define BENCH_MATMUL_N      96
#define BENCH_MATMUL_ROUNDS 40
#define BENCH_MATMUL_SEED   0xA4093822299F31D0ull

/* list: node count and walks over the list. */
#define BENCH_LIST_NODES  100000
#define BENCH_LIST_WALKS  400
#define BENCH_LIST_SEED   0x082EFA98EC4E6C89ull

/* lock: rounds of take (amoswap.w.aq), fence, update, release (fence rw,w + sw). */
#define BENCH_LOCK_ROUNDS 16000000
#define BENCH_LOCK_SEED   0x452821E638D01377ull

#endif
