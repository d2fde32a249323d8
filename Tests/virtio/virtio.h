/* Small bare-metal driver for a virtio-mmio version 2 ("modern") block device, shared by the
   virtio test programs (blk-rw, blk-persist, blk-ro). Written from the virtio 1.2+ spec:
   transport-mmio.tex (register layout, MMIO initialisation), content.tex (status bits,
   general initialisation, reserved feature bits), split-ring.tex (descriptor table,
   available and used rings, indirect descriptors) and blk-description.tex (block device).

   Board facts (QEMU virt / Vireo): UART0 NS16550A at 0x1000_0000, test finisher at
   0x10_0000, PLIC at 0x0C00_0000 (context 0 = hart 0 M-mode), virtio-mmio slot 0 at
   0x1000_1000 on PLIC source 1.

   Check numbers: 1..39 are the driver's own checks (the same meaning in every program,
   listed below), 40..254 belong to the programs, 255 is an unexpected trap. A failing
   check prints "FAIL check N: <what>" on UART0 and exits through the finisher with
   (N << 16) | 0x3333, so QEMU's exit status is N. */
#ifndef VIREO_TESTS_VIRTIO_H
#define VIREO_TESTS_VIRTIO_H

#include <stddef.h>
#include <stdint.h>

/* ---- board ---- */
#define UART0_BASE     0x10000000ul
#define FINISHER_BASE  0x00100000ul
#define PLIC_BASE      0x0C000000ul
#define VIRTIO0_BASE   0x10001000ul
#define VIRTIO_STRIDE  0x1000ul
#define VIRTIO_SLOTS   8
#define VIRTIO0_IRQ    1u

/* ---- virtio-mmio registers (transport-mmio.tex, "MMIO Device Register Layout") ---- */
#define VIRTIO_MMIO_MAGIC            0x000
#define VIRTIO_MMIO_VERSION          0x004
#define VIRTIO_MMIO_DEVICE_ID        0x008
#define VIRTIO_MMIO_VENDOR_ID        0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES  0x010
#define VIRTIO_MMIO_DEVICE_FEAT_SEL  0x014
#define VIRTIO_MMIO_DRIVER_FEATURES  0x020
#define VIRTIO_MMIO_DRIVER_FEAT_SEL  0x024
#define VIRTIO_MMIO_QUEUE_SEL        0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX    0x034
#define VIRTIO_MMIO_QUEUE_NUM        0x038
#define VIRTIO_MMIO_QUEUE_READY      0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY     0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK    0x064
#define VIRTIO_MMIO_STATUS           0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW   0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH  0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW  0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW  0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG           0x100

#define VIRTIO_MAGIC 0x74726976u /* "virt" little-endian */

/* device status bits (content.tex, "Device Status Field") */
#define VIRTIO_STATUS_ACKNOWLEDGE        1u
#define VIRTIO_STATUS_DRIVER             2u
#define VIRTIO_STATUS_DRIVER_OK          4u
#define VIRTIO_STATUS_FEATURES_OK        8u
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED             128u

/* InterruptStatus / InterruptACK bits */
#define VIRTIO_INT_USED_BUFFER 1u
#define VIRTIO_INT_CONFIG      2u

/* feature bits */
#define VIRTIO_BLK_F_SIZE_MAX   1
#define VIRTIO_BLK_F_SEG_MAX    2
#define VIRTIO_BLK_F_GEOMETRY   4
#define VIRTIO_BLK_F_RO         5
#define VIRTIO_BLK_F_BLK_SIZE   6
#define VIRTIO_BLK_F_FLUSH      9
#define VIRTIO_F_INDIRECT_DESC  28
#define VIRTIO_F_EVENT_IDX      29
#define VIRTIO_F_VERSION_1      32
#define FEAT(bit) (1ull << (bit))

/* block device config layout offsets inside the config space (struct virtio_blk_config) */
#define VIRTIO_BLK_CFG_CAPACITY  0x00 /* le64 */
#define VIRTIO_BLK_CFG_SIZE_MAX  0x08 /* le32 */
#define VIRTIO_BLK_CFG_SEG_MAX   0x0c /* le32 */
#define VIRTIO_BLK_CFG_GEOMETRY  0x10 /* le16 cylinders, u8 heads, u8 sectors */
#define VIRTIO_BLK_CFG_BLK_SIZE  0x14 /* le32 */

/* block request types and status values */
#define VIRTIO_BLK_T_IN     0u
#define VIRTIO_BLK_T_OUT    1u
#define VIRTIO_BLK_T_FLUSH  4u
#define VIRTIO_BLK_T_GET_ID 8u
#define VIRTIO_BLK_S_OK     0u
#define VIRTIO_BLK_S_IOERR  1u
#define VIRTIO_BLK_S_UNSUPP 2u
#define VIRTIO_BLK_ID_BYTES 20u
#define SECTOR_SIZE 512u

/* split virtqueue descriptor flags */
#define VIRTQ_DESC_F_NEXT     1u
#define VIRTQ_DESC_F_WRITE    2u
#define VIRTQ_DESC_F_INDIRECT 4u

/* ---- PLIC ---- */
#define PLIC_PRIORITY(src)  (PLIC_BASE + 4ul * (src))
#define PLIC_PENDING(src)   (PLIC_BASE + 0x1000ul + 4ul * ((src) / 32))
#define PLIC_ENABLE0(src)   (PLIC_BASE + 0x2000ul + 4ul * ((src) / 32)) /* context 0 */
#define PLIC_THRESHOLD0     (PLIC_BASE + 0x200000ul)
#define PLIC_CLAIM0         (PLIC_BASE + 0x200004ul)
#define MIP_MEIP            (1ul << 11)

/* ---- driver check numbers (1..39) ---- */
enum {
  CK_MAGIC = 1,          /* MagicValue == 0x74726976 */
  CK_VERSION = 2,        /* Version == 2 */
  CK_DEVICE_ID = 3,      /* DeviceID == 2 (block) */
  CK_RESET_STATUS = 4,   /* Status reads 0 after writing 0 (reset) */
  CK_ACK_STATUS = 5,     /* Status reads ACKNOWLEDGE after setting it */
  CK_DRIVER_STATUS = 6,  /* Status reads ACKNOWLEDGE|DRIVER after setting DRIVER */
  CK_VERSION_1 = 7,      /* VIRTIO_F_VERSION_1 offered */
  CK_FEATURES_OK = 8,    /* FEATURES_OK still set after writing it */
  CK_CONFIG_GEN = 9,     /* ConfigGeneration stable around the config reads */
  CK_CAPACITY = 10,      /* capacity > 0 */
  CK_BLK_SIZE = 11,      /* blk_size a power of two >= 512 (when negotiated) */
  CK_SEG_MAX = 12,       /* seg_max >= 1 (when negotiated) */
  CK_QUEUE_BUSY = 13,    /* QueueReady reads 0 before the queue is set up */
  CK_QUEUE_MAX = 14,     /* QueueNumMax >= the driver's queue size */
  CK_QUEUE_READY = 15,   /* QueueReady reads 1 after writing 1 */
  CK_DRIVER_OK = 16,     /* Status reads ACK|DRIVER|FEATURES_OK|DRIVER_OK after DRIVER_OK */
  CK_INT_IDLE = 17,      /* InterruptStatus == 0 before any request */
  CK_USED_TIMEOUT = 18,  /* used.idx reaches the expected value */
  CK_USED_ID = 19,       /* used element id == head of a submitted chain */
  CK_USED_LEN = 20,      /* used element len <= bytes the device may write */
  CK_STATUS_BYTE = 21,   /* the device wrote the request's status byte */
  CK_INT_SET = 22,       /* InterruptStatus bit 0 set after a completion */
  CK_PLIC_PENDING = 23,  /* PLIC pending bit of source 1 set after a completion */
  CK_MEIP_SET = 24,      /* mip.MEIP set while source 1 is pending and enabled */
  CK_PLIC_CLAIM = 25,    /* PLIC claim (context 0) returns source 1 */
  CK_INT_ACKED = 26,     /* InterruptStatus bit 0 clear after InterruptACK */
  CK_PLIC_CLEAR = 27,    /* PLIC pending bit clear after claim + ACK + complete */
  CK_MEIP_CLEAR = 28,    /* mip.MEIP clear after claim + ACK + complete */
  CK_USED_EXTRA = 29,    /* used.idx does not run past the submitted requests */
  CK_DEVICE_STATE = 30,  /* Status keeps DRIVER_OK, no DEVICE_NEEDS_RESET, after a request */
  CK_PLIC_IDLE = 31,     /* PLIC pending bit of source 1 clear before any request */
  CK_INT_SPURIOUS = 32,  /* InterruptStatus has no bits other than 0 and 1 */
  CK_MEIP_IDLE = 33,     /* mip.MEIP clear before any request */
};
#define CK_TRAP 255

/* ---- runtime ---- */
void putc_(char c);
void print(const char *s);
void print_hex(uint64_t v);
void print_dec(uint64_t v);
void print_kv(const char *key, uint64_t v); /* "  key = 0x..." line */
_Noreturn void pass(const char *name);
_Noreturn void fail(unsigned n, const char *what);
_Noreturn void fail_val(unsigned n, const char *what, uint64_t got, uint64_t want);
#define CHECK(n, cond, what) do { if (!(cond)) fail((n), (what)); } while (0)
#define CHECK_EQ(n, got, want, what) \
  do { uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want); \
       if (g_ != w_) fail_val((n), (what), g_, w_); } while (0)

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
/* first differing offset of two buffers, or n */
size_t first_diff(const void *a, const void *b, size_t n);

static inline uint32_t mmio_r32(uintptr_t a) { return *(volatile uint32_t *)a; }
static inline void mmio_w32(uintptr_t a, uint32_t v) { *(volatile uint32_t *)a = v; }
static inline void fence_all(void) { __asm__ volatile("fence iorw, iorw" ::: "memory"); }
static inline uint64_t read_mip(void) {
  uint64_t v;
  __asm__ volatile("csrr %0, mip" : "=r"(v));
  return v;
}

/* The data pattern blk-rw writes at sectors 8..11 and blk-persist reads back. */
#define PATTERN_SECTOR 8u
#define PATTERN_COUNT  4u
static inline uint8_t pattern_byte(uint64_t sector, uint32_t i) {
  return (uint8_t)((sector * 37u + i * 7u + (i >> 8) * 13u) ^ 0xA5u);
}
void fill_pattern(uint8_t *buf, uint64_t sector, uint32_t sectors);

/* The image convention: sector 0 starts with these bytes. */
#define DISK_MAGIC "VIREO-DISK"
#define DISK_MAGIC_LEN 10u

/* ---- driver ---- */
#define VQ_SIZE 8u      /* descriptors in queue 0 */
#define VQ_SLOTS 2u     /* request slots, each owning 4 consecutive descriptors */

enum vmode {
  VM_CHAIN,    /* header -> data -> status, three ring descriptors */
  VM_SPLIT,    /* header -> data[0..len/2) -> data[len/2..len) -> status */
  VM_INDIRECT, /* one ring descriptor pointing at a 3-entry indirect table */
};

struct vblk {
  uintptr_t base;
  uint32_t vendor;
  uint64_t offered;
  uint64_t negotiated;
  uint64_t capacity;
  uint32_t blk_size; /* 0 when BLK_SIZE was not negotiated */
  uint32_t seg_max;  /* 0 when SEG_MAX was not negotiated */
  uint16_t avail_idx;
  uint16_t used_seen;
  uint32_t requests;
  uint32_t last_len; /* used len of the last vblk_rw request */
};

/* One request's outcome. */
struct vreq {
  uint8_t status;   /* status byte written by the device */
  uint32_t used_len;/* len of the used element */
};

static inline int has(const struct vblk *d, int bit) { return (d->negotiated >> bit) & 1; }

/* Reads MagicValue/Version/DeviceID of every slot and prints them (informative). */
void virtio_scan(void);
/* Full initialisation of the block device in slot 0; `wanted` is the set of features the
   program accepts when offered (VERSION_1 is always required and accepted). Also programs
   the PLIC for source 1 (priority 1, enabled for context 0, threshold 0). */
void vblk_init(struct vblk *d, uint64_t wanted);
/* Queues one request in slot `slot` (0..VQ_SLOTS-1) without notifying the device.
   `dev_writes` says whether the data buffer is device-writable (IN, GET_ID). len may be 0
   (no data descriptor). */
void vblk_queue(struct vblk *d, unsigned slot, uint32_t type, uint64_t sector, void *buf,
                uint32_t len, int dev_writes, enum vmode mode);
/* Publishes the queued requests (avail.idx) and notifies queue 0. */
void vblk_kick(struct vblk *d);
/* Waits for `n` completions of the requests queued in slots 0..n-1, checks the used
   elements, the interrupt path (InterruptStatus, PLIC, mip.MEIP, claim/ACK/complete) and
   fills out[slot]. */
void vblk_wait(struct vblk *d, unsigned n, struct vreq *out);
/* queue + kick + wait for one request in slot 0; returns the status byte and leaves the
   used len in d->last_len. */
uint8_t vblk_rw(struct vblk *d, uint32_t type, uint64_t sector, void *buf, uint32_t len,
                int dev_writes, enum vmode mode);

#endif
