/* Runtime (UART, finisher, memory routines, trap report) and the virtio-mmio block driver
   shared by the virtio test programs. See virtio.h. */
#include "virtio.h"

/* ---------------------------------------------------------------- runtime */

#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20

void putc_(char c) {
  volatile uint8_t *uart = (volatile uint8_t *)UART0_BASE;
  while ((uart[UART_LSR] & UART_LSR_THRE) == 0) {
  }
  uart[UART_THR] = (uint8_t)c;
}

void print(const char *s) {
  for (; *s; s++) {
    if (*s == '\n') putc_('\r');
    putc_(*s);
  }
}

void print_hex(uint64_t v) {
  int shift = 60;
  while (shift > 0 && ((v >> shift) & 15) == 0) shift -= 4;
  print("0x");
  for (; shift >= 0; shift -= 4) putc_("0123456789abcdef"[(v >> shift) & 15]);
}

void print_dec(uint64_t v) {
  char buf[24];
  int i = 0;
  do {
    buf[i++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (i > 0) putc_(buf[--i]);
}

void print_kv(const char *key, uint64_t v) {
  print("  ");
  print(key);
  print(" = ");
  print_hex(v);
  print("\n");
}

static _Noreturn void finish(uint32_t code) {
  fence_all();
  *(volatile uint32_t *)FINISHER_BASE = code;
  for (;;) __asm__ volatile("wfi");
}

_Noreturn void pass(const char *name) {
  print("PASS ");
  print(name);
  print("\n");
  finish(0x5555u);
}

_Noreturn void fail(unsigned n, const char *what) {
  print("FAIL check ");
  print_dec(n);
  print(": ");
  print(what);
  print("\n");
  finish(((uint32_t)n << 16) | 0x3333u);
}

_Noreturn void fail_val(unsigned n, const char *what, uint64_t got, uint64_t want) {
  print("FAIL check ");
  print_dec(n);
  print(": ");
  print(what);
  print(" (got ");
  print_hex(got);
  print(", want ");
  print_hex(want);
  print(")\n");
  finish(((uint32_t)n << 16) | 0x3333u);
}

/* Called from start.S on any trap: nothing in these programs is expected to trap. */
_Noreturn void trap_report(uint64_t cause, uint64_t epc, uint64_t tval) {
  print("unexpected trap: mcause ");
  print_hex(cause);
  print(" mepc ");
  print_hex(epc);
  print(" mtval ");
  print_hex(tval);
  print("\n");
  fail(CK_TRAP, "unexpected trap");
}

/* Called from start.S if main returns. */
_Noreturn void main_returned(void) { fail(254, "main returned"); }

void *memset(void *d, int c, size_t n) {
  volatile uint8_t *p = d;
  while (n--) *p++ = (uint8_t)c;
  return d;
}

void *memcpy(void *d, const void *s, size_t n) {
  volatile uint8_t *p = d;
  const uint8_t *q = s;
  while (n--) *p++ = *q++;
  return d;
}

int memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *p = a, *q = b;
  for (; n; n--, p++, q++)
    if (*p != *q) return *p < *q ? -1 : 1;
  return 0;
}

size_t first_diff(const void *a, const void *b, size_t n) {
  const uint8_t *p = a, *q = b;
  size_t i = 0;
  while (i < n && p[i] == q[i]) i++;
  return i;
}

void fill_pattern(uint8_t *buf, uint64_t sector, uint32_t sectors) {
  for (uint32_t s = 0; s < sectors; s++)
    for (uint32_t i = 0; i < SECTOR_SIZE; i++)
      buf[s * SECTOR_SIZE + i] = pattern_byte(sector + s, i);
}

/* ---------------------------------------------------------------- virtqueue */

struct virtq_desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};

struct virtq_avail {
  uint16_t flags;
  uint16_t idx;
  uint16_t ring[VQ_SIZE];
  uint16_t used_event;
};

struct virtq_used_elem {
  uint32_t id;
  uint32_t len;
};

struct virtq_used {
  uint16_t flags;
  uint16_t idx;
  struct virtq_used_elem ring[VQ_SIZE];
  uint16_t avail_event;
};

struct blk_req_hdr {
  uint32_t type;
  uint32_t reserved;
  uint64_t sector;
};

/* Each part on its own page (the spec needs 16/2/4-byte alignment). */
static volatile struct virtq_desc vq_desc[VQ_SIZE] __attribute__((aligned(4096)));
static volatile struct virtq_avail vq_avail __attribute__((aligned(4096)));
static volatile struct virtq_used vq_used __attribute__((aligned(4096)));

/* Per request slot: header, status byte, indirect table and bookkeeping. */
static volatile struct blk_req_hdr req_hdr[VQ_SLOTS] __attribute__((aligned(16)));
static volatile uint8_t req_status[VQ_SLOTS][16] __attribute__((aligned(16)));
static volatile struct virtq_desc req_itable[VQ_SLOTS][4] __attribute__((aligned(16)));
static uint16_t slot_head[VQ_SLOTS];
static uint32_t slot_writable[VQ_SLOTS];
static unsigned queued;

#define POLL_LIMIT 20000000u
#define STATUS_SENTINEL 0xffu

static inline uint32_t reg(const struct vblk *d, uint32_t off) { return mmio_r32(d->base + off); }
static inline void wreg(const struct vblk *d, uint32_t off, uint32_t v) { mmio_w32(d->base + off, v); }

void virtio_scan(void) {
  for (unsigned n = 0; n < VIRTIO_SLOTS; n++) {
    uintptr_t b = VIRTIO0_BASE + n * VIRTIO_STRIDE;
    uint32_t magic = mmio_r32(b + VIRTIO_MMIO_MAGIC);
    uint32_t version = mmio_r32(b + VIRTIO_MMIO_VERSION);
    uint32_t id = mmio_r32(b + VIRTIO_MMIO_DEVICE_ID);
    if (id == 0) continue;
    print("  slot ");
    print_dec(n);
    print(" @ ");
    print_hex(b);
    print(": magic ");
    print_hex(magic);
    print(" version ");
    print_dec(version);
    print(" device ");
    print_dec(id);
    print("\n");
  }
}

static void set_status(struct vblk *d, uint32_t v) { wreg(d, VIRTIO_MMIO_STATUS, v); }

void vblk_init(struct vblk *d, uint64_t wanted) {
  d->base = VIRTIO0_BASE;
  d->avail_idx = 0;
  d->used_seen = 0;
  d->requests = 0;
  queued = 0;

  /* MMIO-specific initialisation: MagicValue, Version, then DeviceID. */
  CHECK_EQ(CK_MAGIC, reg(d, VIRTIO_MMIO_MAGIC), VIRTIO_MAGIC, "MagicValue");
  CHECK_EQ(CK_VERSION, reg(d, VIRTIO_MMIO_VERSION), 2, "Version (modern virtio-mmio)");
  uint32_t id = reg(d, VIRTIO_MMIO_DEVICE_ID);
  if (id == 0) {
    print("no device in slot 0; devices found:\n");
    virtio_scan();
    print("(on QEMU, put the disk in slot 0 with -device virtio-blk-device,...,bus=virtio-mmio-bus.0)\n");
  }
  CHECK_EQ(CK_DEVICE_ID, id, 2, "DeviceID is block (2)");
  d->vendor = reg(d, VIRTIO_MMIO_VENDOR_ID);
  print("virtio-blk in slot 0\n");
  print_kv("VendorID", d->vendor);

  /* General initialisation (content.tex §3.1.1). */
  set_status(d, 0);
  CHECK_EQ(CK_RESET_STATUS, reg(d, VIRTIO_MMIO_STATUS), 0, "Status after reset");
  set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
  CHECK_EQ(CK_ACK_STATUS, reg(d, VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE,
           "Status after ACKNOWLEDGE");
  set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
  CHECK_EQ(CK_DRIVER_STATUS, reg(d, VIRTIO_MMIO_STATUS),
           VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER, "Status after DRIVER");

  wreg(d, VIRTIO_MMIO_DEVICE_FEAT_SEL, 0);
  uint64_t lo = reg(d, VIRTIO_MMIO_DEVICE_FEATURES);
  wreg(d, VIRTIO_MMIO_DEVICE_FEAT_SEL, 1);
  uint64_t hi = reg(d, VIRTIO_MMIO_DEVICE_FEATURES);
  d->offered = lo | (hi << 32);
  print_kv("DeviceFeatures", d->offered);
  CHECK(CK_VERSION_1, d->offered & FEAT(VIRTIO_F_VERSION_1), "VIRTIO_F_VERSION_1 offered");

  d->negotiated = d->offered & (wanted | FEAT(VIRTIO_F_VERSION_1));
  wreg(d, VIRTIO_MMIO_DRIVER_FEAT_SEL, 0);
  wreg(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)d->negotiated);
  wreg(d, VIRTIO_MMIO_DRIVER_FEAT_SEL, 1);
  wreg(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(d->negotiated >> 32));
  print_kv("DriverFeatures", d->negotiated);
  set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
  uint32_t st = reg(d, VIRTIO_MMIO_STATUS);
  CHECK_EQ(CK_FEATURES_OK, st & VIRTIO_STATUS_FEATURES_OK, VIRTIO_STATUS_FEATURES_OK,
           "FEATURES_OK accepted by the device");

  /* Device configuration, read consistently (ConfigGeneration before and after). */
  uint32_t g1, g2;
  unsigned tries = 0;
  do {
    g1 = reg(d, VIRTIO_MMIO_CONFIG_GENERATION);
    uint64_t clo = reg(d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY);
    uint64_t chi = reg(d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_CAPACITY + 4);
    d->capacity = clo | (chi << 32);
    d->blk_size = has(d, VIRTIO_BLK_F_BLK_SIZE) ? reg(d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_BLK_SIZE) : 0;
    d->seg_max = has(d, VIRTIO_BLK_F_SEG_MAX) ? reg(d, VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_SEG_MAX) : 0;
    g2 = reg(d, VIRTIO_MMIO_CONFIG_GENERATION);
  } while (g1 != g2 && ++tries < 8);
  CHECK_EQ(CK_CONFIG_GEN, g2, g1, "ConfigGeneration stable across config reads");
  print_kv("capacity (sectors)", d->capacity);
  if (has(d, VIRTIO_BLK_F_BLK_SIZE)) print_kv("blk_size", d->blk_size);
  if (has(d, VIRTIO_BLK_F_SEG_MAX)) print_kv("seg_max", d->seg_max);
  CHECK(CK_CAPACITY, d->capacity > 0, "capacity > 0");
  if (has(d, VIRTIO_BLK_F_BLK_SIZE))
    CHECK(CK_BLK_SIZE, d->blk_size >= 512 && (d->blk_size & (d->blk_size - 1)) == 0,
          "blk_size is a power of two >= 512");
  if (has(d, VIRTIO_BLK_F_SEG_MAX)) CHECK(CK_SEG_MAX, d->seg_max >= 1, "seg_max >= 1");

  /* Virtqueue 0 (transport-mmio.tex, "Virtqueue Configuration"). The rings live in .bss,
     which start.S zeroed; zero them again in case of a re-init. */
  wreg(d, VIRTIO_MMIO_QUEUE_SEL, 0);
  CHECK_EQ(CK_QUEUE_BUSY, reg(d, VIRTIO_MMIO_QUEUE_READY), 0, "QueueReady 0 before setup");
  uint32_t qmax = reg(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
  print_kv("QueueNumMax", qmax);
  CHECK(CK_QUEUE_MAX, qmax >= VQ_SIZE, "QueueNumMax >= driver queue size (8)");
  memset((void *)vq_desc, 0, sizeof vq_desc);
  memset((void *)&vq_avail, 0, sizeof vq_avail);
  memset((void *)&vq_used, 0, sizeof vq_used);
  fence_all();
  wreg(d, VIRTIO_MMIO_QUEUE_NUM, VQ_SIZE);
  uint64_t a;
  a = (uintptr_t)vq_desc;
  wreg(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)a);
  wreg(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(a >> 32));
  a = (uintptr_t)&vq_avail;
  wreg(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)a);
  wreg(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(a >> 32));
  a = (uintptr_t)&vq_used;
  wreg(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)a);
  wreg(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(a >> 32));
  wreg(d, VIRTIO_MMIO_QUEUE_READY, 1);
  CHECK_EQ(CK_QUEUE_READY, reg(d, VIRTIO_MMIO_QUEUE_READY), 1, "QueueReady reads 1");

  set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
                    VIRTIO_STATUS_DRIVER_OK);
  CHECK_EQ(CK_DRIVER_OK, reg(d, VIRTIO_MMIO_STATUS),
           VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
               VIRTIO_STATUS_DRIVER_OK,
           "Status after DRIVER_OK");
  CHECK_EQ(CK_INT_IDLE, reg(d, VIRTIO_MMIO_INTERRUPT_STATUS), 0, "InterruptStatus 0 before any request");

  /* PLIC: source 1 at priority 1, enabled for context 0 (hart 0 M-mode), threshold 0.
     mstatus.MIE and mie.MEIE stay 0: the interrupt is observed, never taken. */
  mmio_w32(PLIC_PRIORITY(VIRTIO0_IRQ), 1);
  mmio_w32(PLIC_ENABLE0(VIRTIO0_IRQ), mmio_r32(PLIC_ENABLE0(VIRTIO0_IRQ)) | (1u << (VIRTIO0_IRQ % 32)));
  mmio_w32(PLIC_THRESHOLD0, 0);
  fence_all();
  CHECK_EQ(CK_PLIC_IDLE, (mmio_r32(PLIC_PENDING(VIRTIO0_IRQ)) >> (VIRTIO0_IRQ % 32)) & 1, 0,
           "PLIC source 1 not pending before any request");
  CHECK_EQ(CK_MEIP_IDLE, read_mip() & MIP_MEIP, 0, "mip.MEIP clear before any request");
  print("device ready\n");
}

void vblk_queue(struct vblk *d, unsigned slot, uint32_t type, uint64_t sector, void *buf,
                uint32_t len, int dev_writes, enum vmode mode) {
  (void)d;
  volatile struct virtq_desc *t;
  uint16_t base;
  if (mode == VM_INDIRECT) {
    t = req_itable[slot];
    base = 0;
  } else {
    t = &vq_desc[slot * 4];
    base = (uint16_t)(slot * 4);
  }
  req_hdr[slot].type = type;
  req_hdr[slot].reserved = 0;
  req_hdr[slot].sector = sector;
  req_status[slot][0] = STATUS_SENTINEL;

  unsigned n = 0;
  t[n].addr = (uintptr_t)&req_hdr[slot];
  t[n].len = sizeof(struct blk_req_hdr);
  t[n].flags = VIRTQ_DESC_F_NEXT;
  t[n].next = (uint16_t)(base + n + 1);
  n++;
  uint16_t dflags = (uint16_t)(VIRTQ_DESC_F_NEXT | (dev_writes ? VIRTQ_DESC_F_WRITE : 0));
  if (len > 0 && mode == VM_SPLIT) {
    uint32_t first = len / 2;
    t[n].addr = (uintptr_t)buf;
    t[n].len = first;
    t[n].flags = dflags;
    t[n].next = (uint16_t)(base + n + 1);
    n++;
    t[n].addr = (uintptr_t)buf + first;
    t[n].len = len - first;
    t[n].flags = dflags;
    t[n].next = (uint16_t)(base + n + 1);
    n++;
  } else if (len > 0) {
    t[n].addr = (uintptr_t)buf;
    t[n].len = len;
    t[n].flags = dflags;
    t[n].next = (uint16_t)(base + n + 1);
    n++;
  }
  t[n].addr = (uintptr_t)&req_status[slot][0];
  t[n].len = 1;
  t[n].flags = VIRTQ_DESC_F_WRITE;
  t[n].next = 0;
  n++;

  if (mode == VM_INDIRECT) {
    volatile struct virtq_desc *r = &vq_desc[slot * 4];
    r->addr = (uintptr_t)req_itable[slot];
    r->len = (uint32_t)(n * sizeof(struct virtq_desc));
    r->flags = VIRTQ_DESC_F_INDIRECT;
    r->next = 0;
  }
  slot_head[slot] = (uint16_t)(slot * 4);
  slot_writable[slot] = (dev_writes ? len : 0) + 1;
  vq_avail.ring[(uint16_t)(d->avail_idx + queued) % VQ_SIZE] = slot_head[slot];
  queued++;
}

void vblk_kick(struct vblk *d) {
  fence_all(); /* descriptors and ring entries before idx */
  d->avail_idx = (uint16_t)(d->avail_idx + queued);
  vq_avail.idx = d->avail_idx;
  queued = 0;
  fence_all(); /* idx before the notification */
  wreg(d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

static int plic_pending(void) {
  return (mmio_r32(PLIC_PENDING(VIRTIO0_IRQ)) >> (VIRTIO0_IRQ % 32)) & 1;
}

void vblk_wait(struct vblk *d, unsigned n, struct vreq *out) {
  uint32_t spins = 0;
  while ((uint16_t)(vq_used.idx - d->used_seen) < n) {
    if (++spins > POLL_LIMIT)
      fail_val(CK_USED_TIMEOUT, "used.idx did not advance (completions seen)",
               (uint16_t)(vq_used.idx - d->used_seen), n);
  }
  fence_all();
  unsigned done = 0; /* bit per slot */
  for (unsigned i = 0; i < n; i++) {
    volatile struct virtq_used_elem *e = &vq_used.ring[(uint16_t)(d->used_seen + i) % VQ_SIZE];
    uint32_t id = e->id, len = e->len;
    unsigned s = 0;
    while (s < n && (slot_head[s] != id || (done >> s) & 1)) s++;
    if (s == n) fail_val(CK_USED_ID, "used element id is not a pending head", id, slot_head[0]);
    done |= 1u << s;
    if (len > slot_writable[s])
      fail_val(CK_USED_LEN, "used len exceeds the device-writable bytes", len, slot_writable[s]);
    uint8_t st = req_status[s][0];
    if (st == STATUS_SENTINEL) fail(CK_STATUS_BYTE, "status byte not written by the device");
    out[s].status = st;
    out[s].used_len = len;
  }
  d->used_seen = (uint16_t)(d->used_seen + n);
  d->requests += n;

  /* Interrupt path: device InterruptStatus, PLIC pending, mip.MEIP, claim, ACK, complete. */
  uint32_t isr = 0;
  for (spins = 0; !((isr = reg(d, VIRTIO_MMIO_INTERRUPT_STATUS)) & VIRTIO_INT_USED_BUFFER); spins++)
    if (spins > POLL_LIMIT) fail_val(CK_INT_SET, "InterruptStatus bit 0 after completion", isr, 1);
  CHECK_EQ(CK_INT_SPURIOUS, isr & ~3u, 0, "InterruptStatus has only defined bits");
  for (spins = 0; !plic_pending(); spins++)
    if (spins > POLL_LIMIT) fail(CK_PLIC_PENDING, "PLIC pending bit of source 1 after completion");
  for (spins = 0; !(read_mip() & MIP_MEIP); spins++)
    if (spins > POLL_LIMIT) fail(CK_MEIP_SET, "mip.MEIP with source 1 pending and enabled");
  uint32_t claim = mmio_r32(PLIC_CLAIM0);
  CHECK_EQ(CK_PLIC_CLAIM, claim, VIRTIO0_IRQ, "PLIC claim returns source 1");
  wreg(d, VIRTIO_MMIO_INTERRUPT_ACK, isr & 3u);
  fence_all();
  CHECK_EQ(CK_INT_ACKED, reg(d, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_INT_USED_BUFFER, 0,
           "InterruptStatus bit 0 clear after InterruptACK");
  mmio_w32(PLIC_CLAIM0, claim);
  fence_all();
  CHECK_EQ(CK_PLIC_CLEAR, plic_pending(), 0, "PLIC pending clear after claim/ACK/complete");
  CHECK_EQ(CK_MEIP_CLEAR, read_mip() & MIP_MEIP, 0, "mip.MEIP clear after claim/ACK/complete");

  CHECK_EQ(CK_USED_EXTRA, vq_used.idx, d->used_seen, "used.idx matches the requests submitted");
  uint32_t status = reg(d, VIRTIO_MMIO_STATUS);
  CHECK_EQ(CK_DEVICE_STATE,
           status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_DEVICE_NEEDS_RESET | VIRTIO_STATUS_FAILED),
           VIRTIO_STATUS_DRIVER_OK, "Status keeps DRIVER_OK without DEVICE_NEEDS_RESET");
}

uint8_t vblk_rw(struct vblk *d, uint32_t type, uint64_t sector, void *buf, uint32_t len,
                int dev_writes, enum vmode mode) {
  struct vreq r;
  vblk_queue(d, 0, type, sector, buf, len, dev_writes, mode);
  vblk_kick(d);
  vblk_wait(d, 1, &r);
  d->last_len = r.used_len;
  return r.status;
}
