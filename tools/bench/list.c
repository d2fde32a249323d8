/* list: ~100K 32-byte nodes in one array, linked in a random order (Fisher-Yates), so the
   walk jumps across ~800 pages. Each walk adds every node's key to its value and sums the
   values; walk results and a final order-dependent hash are folded into the checksum. */
#include "bench.h"
#include "expected.h"

const char bench_name[] = "list";
const u64 bench_expected = BENCH_EXPECTED_LIST;

#define NODES BENCH_LIST_NODES

struct node {
  struct node *next;
  u64 value;
  u64 key;
  u64 position; /* index in list order, checked once after linking */
};

static struct node nodes[NODES];
static u32 order[NODES];

static struct node *build(u64 *state) {
  for (u32 i = 0; i < NODES; i++) order[i] = i;
  for (u32 i = NODES - 1; i > 0; i--) {
    u32 j = pick_below(xorshift64(state), i + 1);
    u32 t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (u32 p = 0; p < NODES; p++) {
    struct node *n = &nodes[order[p]];
    n->next = p + 1 < NODES ? &nodes[order[p + 1]] : 0;
    n->value = xorshift64(state);
    n->key = xorshift64(state) >> 40;
    n->position = p;
  }
  return &nodes[order[0]];
}

u64 bench_run(void) {
  u64 state = BENCH_LIST_SEED;
  u64 sum = 0;
  struct node *head = build(&state);

  u64 count = 0;
  for (struct node *n = head; n; n = n->next, count++)
    if (n->position != count) bench_fail("list out of order");
  if (count != NODES) bench_fail("list has the wrong length");

  for (u32 walk = 0; walk < BENCH_LIST_WALKS; walk++) {
    u64 total = 0;
    for (struct node *n = head; n; n = n->next) {
      n->value += n->key;
      total += n->value;
    }
    sum = mix(sum, total);
  }

  u64 hash = 0xcbf29ce484222325ull;
  for (struct node *n = head; n; n = n->next) hash = (hash ^ n->value) * 0x100000001b3ull;
  return mix(sum, hash);
}
