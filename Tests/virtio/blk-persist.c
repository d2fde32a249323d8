/* blk-persist: run after blk-rw on the same image file (a new emulator run). Checks that
   the pattern blk-rw wrote at sectors 8..11 survived, and that sector 0 still starts with
   "VIREO-DISK". Driver checks 1..39 as in virtio.h; program checks:
   40 read sectors 8..11 completes OK   41 they hold blk-rw's pattern
   42 read sector 0 completes OK        43 sector 0 starts with "VIREO-DISK" */
#include "virtio.h"

#define NBYTES (PATTERN_COUNT * SECTOR_SIZE)

static uint8_t want[NBYTES] __attribute__((aligned(16)));
static uint8_t rbuf[NBYTES] __attribute__((aligned(16)));

int main(void) {
  struct vblk d;
  print("blk-persist: data written by blk-rw is still there\n");
  vblk_init(&d, FEAT(VIRTIO_BLK_F_BLK_SIZE) | FEAT(VIRTIO_BLK_F_SEG_MAX) | FEAT(VIRTIO_BLK_F_RO));

  fill_pattern(want, PATTERN_SECTOR, PATTERN_COUNT);
  memset(rbuf, 0xee, NBYTES);
  CHECK_EQ(40, vblk_rw(&d, VIRTIO_BLK_T_IN, PATTERN_SECTOR, rbuf, NBYTES, 1, VM_CHAIN),
           VIRTIO_BLK_S_OK, "read sectors 8..11 status");
  size_t i = first_diff(rbuf, want, NBYTES);
  if (i != NBYTES) {
    print("  first difference at byte ");
    print_dec(i);
    print(" (was blk-rw run on this image first?)\n");
    fail_val(41, "sectors 8..11 hold the blk-rw pattern", rbuf[i], want[i]);
  }

  memset(rbuf, 0xee, SECTOR_SIZE);
  CHECK_EQ(42, vblk_rw(&d, VIRTIO_BLK_T_IN, 0, rbuf, SECTOR_SIZE, 1, VM_CHAIN), VIRTIO_BLK_S_OK,
           "read sector 0 status");
  i = first_diff(rbuf, DISK_MAGIC, DISK_MAGIC_LEN);
  if (i != DISK_MAGIC_LEN) fail_val(43, "sector 0 starts with VIREO-DISK", rbuf[i], (uint8_t)DISK_MAGIC[i]);
  pass("blk-persist");
}
