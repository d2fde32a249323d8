/* blk-rw: the full virtio-blk check on a writable 1 MiB image whose sector 0 starts with
   "VIREO-DISK". Device initialisation and every completion's interrupt path are checked by
   the driver (checks 1..39, virtio.h); this program adds the block-level checks:

   40 read sector 0 (chained) completes OK        41 sector 0 starts with "VIREO-DISK"
   42 capacity holds the test sectors (>= 16)
   43 write sectors 8..11 (chained) completes OK  44 the device left the written buffer alone
   45 FLUSH completes OK (when negotiated)
   46 read 8..11 back (chained) completes OK      47 ... and matches the pattern
   48 read 8..11 split over two data descriptors completes OK   49 ... and matches
   50 re-read sector 0 completes OK               51 sector 0 unchanged by the writes
   52 GET_ID completes OK                         53 the ID is NUL-padded printable ASCII
   54 request type 0x7f completes UNSUPP
   55 read at sector == capacity completes IOERR  56 2-sector read over the end: IOERR
   57 read of the last sector completes OK
   58 write sector 12 through an indirect table OK (when VIRTIO_F_INDIRECT_DESC offered)
   59 read 8..11 through an indirect table OK     60 ... and matches
   61 chained read of sector 12 OK                62 ... holds the indirect write
   63 two requests in flight: first completes OK  64 second completes OK
   65 ... and both halves match
   (used len is printed, not checked beyond driver check 20: the spec lets it underestimate)
   The data pattern stays in sectors 8..11 for blk-persist. */
#include "virtio.h"

#define NSECT PATTERN_COUNT
#define NBYTES (NSECT * SECTOR_SIZE)

static uint8_t wbuf[NBYTES] __attribute__((aligned(16)));
static uint8_t wcopy[NBYTES] __attribute__((aligned(16)));
static uint8_t want[NBYTES] __attribute__((aligned(16)));
static uint8_t rbuf[NBYTES] __attribute__((aligned(16)));
static uint8_t sec0[SECTOR_SIZE] __attribute__((aligned(16)));
static uint8_t sec0b[SECTOR_SIZE] __attribute__((aligned(16)));
static uint8_t idbuf[32] __attribute__((aligned(16)));

static void compare(unsigned n, const uint8_t *got, const uint8_t *exp, size_t len, const char *what) {
  size_t i = first_diff(got, exp, len);
  if (i != len) {
    print("  first difference at byte ");
    print_dec(i);
    print("\n");
    fail_val(n, what, got[i], exp[i]);
  }
}

static void step(const char *s) {
  print("- ");
  print(s);
  print("\n");
}

int main(void) {
  struct vblk d;
  print("blk-rw: virtio-mmio block device test\n");
  virtio_scan();
  vblk_init(&d, FEAT(VIRTIO_BLK_F_FLUSH) | FEAT(VIRTIO_BLK_F_BLK_SIZE) | FEAT(VIRTIO_BLK_F_SEG_MAX) |
                    FEAT(VIRTIO_F_INDIRECT_DESC) | FEAT(VIRTIO_BLK_F_RO));
  if (has(&d, VIRTIO_BLK_F_RO)) print("  note: device is read-only (BLK_F_RO); writes will fail\n");

  step("read sector 0");
  memset(sec0, 0xee, sizeof sec0);
  CHECK_EQ(40, vblk_rw(&d, VIRTIO_BLK_T_IN, 0, sec0, SECTOR_SIZE, 1, VM_CHAIN), VIRTIO_BLK_S_OK,
           "read sector 0 status");
  print_kv("used len of a 512-byte read", d.last_len);
  compare(41, sec0, (const uint8_t *)DISK_MAGIC, DISK_MAGIC_LEN, "sector 0 starts with VIREO-DISK");
  CHECK(42, d.capacity >= 16, "capacity >= 16 sectors");

  step("write sectors 8..11 (chained)");
  fill_pattern(wbuf, PATTERN_SECTOR, NSECT);
  memcpy(wcopy, wbuf, NBYTES);
  CHECK_EQ(43, vblk_rw(&d, VIRTIO_BLK_T_OUT, PATTERN_SECTOR, wbuf, NBYTES, 0, VM_CHAIN),
           VIRTIO_BLK_S_OK, "write sectors 8..11 status");
  print_kv("used len of a write", d.last_len);
  compare(44, wbuf, wcopy, NBYTES, "device-readable buffer unchanged by the write");

  if (has(&d, VIRTIO_BLK_F_FLUSH)) {
    step("flush");
    CHECK_EQ(45, vblk_rw(&d, VIRTIO_BLK_T_FLUSH, 0, 0, 0, 0, VM_CHAIN), VIRTIO_BLK_S_OK,
             "flush status");
  } else {
    step("flush skipped (VIRTIO_BLK_F_FLUSH not offered)");
  }

  step("read sectors 8..11 back (chained)");
  fill_pattern(want, PATTERN_SECTOR, NSECT);
  memset(rbuf, 0xee, NBYTES);
  CHECK_EQ(46, vblk_rw(&d, VIRTIO_BLK_T_IN, PATTERN_SECTOR, rbuf, NBYTES, 1, VM_CHAIN),
           VIRTIO_BLK_S_OK, "read sectors 8..11 status");
  compare(47, rbuf, want, NBYTES, "sectors 8..11 read back");

  if (!has(&d, VIRTIO_BLK_F_SEG_MAX) || d.seg_max >= 2) {
    step("read sectors 8..11 into two data descriptors");
    memset(rbuf, 0xee, NBYTES);
    CHECK_EQ(48, vblk_rw(&d, VIRTIO_BLK_T_IN, PATTERN_SECTOR, rbuf, NBYTES, 1, VM_SPLIT),
             VIRTIO_BLK_S_OK, "split read status");
    compare(49, rbuf, want, NBYTES, "split read data");
  }

  step("re-read sector 0");
  memset(sec0b, 0xee, sizeof sec0b);
  CHECK_EQ(50, vblk_rw(&d, VIRTIO_BLK_T_IN, 0, sec0b, SECTOR_SIZE, 1, VM_CHAIN), VIRTIO_BLK_S_OK,
           "re-read sector 0 status");
  compare(51, sec0b, sec0, SECTOR_SIZE, "sector 0 unchanged");

  step("GET_ID");
#ifdef SPEC_STRICT
  memset(idbuf, 0xee, sizeof idbuf);
#else
  memset(idbuf, 0, sizeof idbuf);
#endif
  CHECK_EQ(52, vblk_rw(&d, VIRTIO_BLK_T_GET_ID, 0, idbuf, VIRTIO_BLK_ID_BYTES, 1, VM_CHAIN),
           VIRTIO_BLK_S_OK, "GET_ID status");
  {
    /* The ID is NUL-padded ASCII, up to 20 bytes: printable characters, then only NULs.
       Normally the buffer is zeroed first, so a device that writes just the string and one
       NUL passes. SPEC_STRICT fills it with 0xee instead and checks every byte the used
       len claims was written (the device MUST write at least len bytes): QEMU 7.2 reports
       len 21 but writes only strlen(serial) + 1 bytes, so it fails this. */
    unsigned limit = VIRTIO_BLK_ID_BYTES;
#ifdef SPEC_STRICT
    if (d.last_len < limit) limit = d.last_len;
#endif
    unsigned i = 0;
    while (i < limit && idbuf[i] >= 0x20 && idbuf[i] < 0x7f) i++;
    unsigned k = i;
    while (i < limit && idbuf[i] == 0) i++;
    CHECK_EQ(53, i, limit, "GET_ID string is NUL-padded printable ASCII (index of first bad byte)");
    print("  id = \"");
    for (i = 0; i < k; i++) putc_((char)idbuf[i]);
    print("\"\n");
    print_kv("used len of GET_ID", d.last_len);
  }

  step("unsupported request type 0x7f");
  CHECK_EQ(54, vblk_rw(&d, 0x7f, 0, 0, 0, 0, VM_CHAIN), VIRTIO_BLK_S_UNSUPP, "type 0x7f status");

  step("reads beyond capacity");
  CHECK_EQ(55, vblk_rw(&d, VIRTIO_BLK_T_IN, d.capacity, rbuf, SECTOR_SIZE, 1, VM_CHAIN),
           VIRTIO_BLK_S_IOERR, "read at sector == capacity status");
  CHECK_EQ(56, vblk_rw(&d, VIRTIO_BLK_T_IN, d.capacity - 1, rbuf, 2 * SECTOR_SIZE, 1, VM_CHAIN),
           VIRTIO_BLK_S_IOERR, "2-sector read over the end status");
  CHECK_EQ(57, vblk_rw(&d, VIRTIO_BLK_T_IN, d.capacity - 1, rbuf, SECTOR_SIZE, 1, VM_CHAIN),
           VIRTIO_BLK_S_OK, "read of the last sector status");

  if (has(&d, VIRTIO_F_INDIRECT_DESC)) {
    step("write sector 12 through an indirect descriptor table");
    fill_pattern(wbuf, 12, 1);
    CHECK_EQ(58, vblk_rw(&d, VIRTIO_BLK_T_OUT, 12, wbuf, SECTOR_SIZE, 0, VM_INDIRECT),
             VIRTIO_BLK_S_OK, "indirect write status");
    step("read sectors 8..11 through an indirect descriptor table");
    memset(rbuf, 0xee, NBYTES);
    CHECK_EQ(59, vblk_rw(&d, VIRTIO_BLK_T_IN, PATTERN_SECTOR, rbuf, NBYTES, 1, VM_INDIRECT),
             VIRTIO_BLK_S_OK, "indirect read status");
    compare(60, rbuf, want, NBYTES, "indirect read data");
    step("read sector 12 (chained)");
    memset(rbuf, 0xee, NBYTES);
    CHECK_EQ(61, vblk_rw(&d, VIRTIO_BLK_T_IN, 12, rbuf, SECTOR_SIZE, 1, VM_CHAIN),
             VIRTIO_BLK_S_OK, "read sector 12 status");
    compare(62, rbuf, wbuf, SECTOR_SIZE, "sector 12 holds the indirect write");
  } else {
    step("indirect descriptors skipped (VIRTIO_F_INDIRECT_DESC not offered)");
  }

  step("two requests in flight");
  {
    struct vreq r[2];
    memset(rbuf, 0xee, NBYTES);
    vblk_queue(&d, 0, VIRTIO_BLK_T_IN, PATTERN_SECTOR, rbuf, NBYTES / 2, 1, VM_CHAIN);
    vblk_queue(&d, 1, VIRTIO_BLK_T_IN, PATTERN_SECTOR + NSECT / 2, rbuf + NBYTES / 2, NBYTES / 2, 1,
               has(&d, VIRTIO_F_INDIRECT_DESC) ? VM_INDIRECT : VM_CHAIN);
    vblk_kick(&d);
    vblk_wait(&d, 2, r);
    CHECK_EQ(63, r[0].status, VIRTIO_BLK_S_OK, "first in-flight read status");
    CHECK_EQ(64, r[1].status, VIRTIO_BLK_S_OK, "second in-flight read status");
    compare(65, rbuf, want, NBYTES, "in-flight reads data");
  }

  print_kv("requests completed", d.requests);
  pass("blk-rw");
}
