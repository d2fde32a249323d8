/* crc: CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) computed bit by bit without a
   table and again with a 256-entry table, plus 64-bit FNV-1a, over a buffer refilled from
   xorshift64 every round. The two CRCs must agree; all results are folded into the checksum. */
#include "bench.h"
#include "expected.h"

const char bench_name[] = "crc";
const u64 bench_expected = BENCH_EXPECTED_CRC;

#define CRC32_POLY 0xEDB88320u
#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME 0x100000001b3ull

static u64 buffer[BENCH_CRC_BYTES / 8];
static u32 crc_table[256];

static u32 crc32_bitwise(const u8 *p, usize n) {
  u32 crc = 0xffffffffu;
  for (usize i = 0; i < n; i++) {
    crc ^= p[i];
    for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (CRC32_POLY & (0u - (crc & 1)));
  }
  return ~crc;
}

static void crc32_make_table(void) {
  for (u32 i = 0; i < 256; i++) {
    u32 c = i;
    for (int bit = 0; bit < 8; bit++) c = (c & 1) ? (c >> 1) ^ CRC32_POLY : c >> 1;
    crc_table[i] = c;
  }
}

static u32 crc32_table(const u8 *p, usize n) {
  u32 crc = 0xffffffffu;
  for (usize i = 0; i < n; i++) crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

static u64 fnv1a64(const u8 *p, usize n) {
  u64 h = FNV64_OFFSET;
  for (usize i = 0; i < n; i++) {
    h ^= p[i];
    h *= FNV64_PRIME;
  }
  return h;
}

u64 bench_run(void) {
  const u8 *bytes = (const u8 *)buffer;
  u64 state = BENCH_CRC_SEED;
  u64 sum = 0;
  crc32_make_table();
  for (u32 round = 0; round < BENCH_CRC_ROUNDS; round++) {
    for (usize i = 0; i < BENCH_CRC_BYTES / 8; i++) buffer[i] = xorshift64(&state);
    u32 slow = crc32_bitwise(bytes, BENCH_CRC_BYTES);
    u32 fast = crc32_table(bytes, BENCH_CRC_BYTES);
    if (slow != fast) bench_fail("bitwise and table-driven CRC-32 differ");
    sum = mix(sum, ((u64)slow << 32) | round);
    sum = mix(sum, fnv1a64(bytes, BENCH_CRC_BYTES));
  }
  return sum;
}
