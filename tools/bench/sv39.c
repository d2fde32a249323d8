/* Sv39 page tables for the *-sv39.elf variants (Priv. §10.4 "Sv39"): identity maps the
   256 MiB of DRAM at 0x8000_0000 and the MMIO pages the kernels touch, all with 4 KiB pages,
   so every TLB miss costs a full three-level walk. Runs in M-mode before translation is on. */
#include "bench.h"

#define PAGE_SIZE 4096ul
#define PTES_PER_TABLE 512

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_G (1ull << 5)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)

#define SATP_MODE_SV39 (8ull << 60)

#define DRAM_BASE 0x80000000ul
#define DRAM_SIZE (256ul << 20)
#define DRAM_PAGES (DRAM_SIZE / PAGE_SIZE)

/* root + 2 level-1 tables (VA 0-1 GiB for MMIO, 2-3 GiB for DRAM) + 128 level-0 tables for
   DRAM + 3 level-0 tables for MMIO (finisher, CLINT, UART) = 134 pages = 536 KiB. */
#define TABLE_POOL 134

typedef u64 pte_t;

static pte_t tables[TABLE_POOL][PTES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));
static unsigned tables_used;

static pte_t *new_table(void) {
  if (tables_used == TABLE_POOL) bench_fail("sv39: page-table pool exhausted");
  return tables[tables_used++]; /* already zero (.bss) */
}

static pte_t pointer_pte(pte_t *table) {
  return (((usize)table / PAGE_SIZE) << 10) | PTE_V;
}

static pte_t *pte_target(pte_t pte) {
  return (pte_t *)((pte >> 10) * PAGE_SIZE);
}

/* Maps the 4 KiB page at virtual address va to physical address pa. A and D are preset so
   the kernels never depend on hardware A/D updates. */
static void map_page(pte_t *root, usize va, usize pa, pte_t perms) {
  pte_t *table = root;
  for (int level = 2; level > 0; level--) {
    pte_t *slot = &table[(va >> (12 + 9 * level)) & (PTES_PER_TABLE - 1)];
    if ((*slot & PTE_V) == 0) *slot = pointer_pte(new_table());
    table = pte_target(*slot);
  }
  table[(va >> 12) & (PTES_PER_TABLE - 1)] = ((pa / PAGE_SIZE) << 10) | perms | PTE_A | PTE_D | PTE_G | PTE_V;
}

/* Builds the tables and returns the satp value that enables them. */
u64 sv39_build(void) {
  pte_t *root = new_table();
  for (usize i = 0; i < DRAM_PAGES; i++) {
    usize a = DRAM_BASE + i * PAGE_SIZE;
    map_page(root, a, a, PTE_R | PTE_W | PTE_X);
  }
  static const usize mmio[] = {
    0x00100000ul, /* test finisher */
    0x02000000ul, /* CLINT msip */
    0x02004000ul, /* CLINT mtimecmp */
    0x0200b000ul, /* CLINT mtime */
    0x10000000ul, /* UART0 */
  };
  for (usize i = 0; i < sizeof mmio / sizeof mmio[0]; i++) map_page(root, mmio[i], mmio[i], PTE_R | PTE_W);
  return SATP_MODE_SV39 | ((usize)root / PAGE_SIZE);
}
