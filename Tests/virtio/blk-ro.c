/* blk-ro: for a read-only drive (QEMU: -drive ...,readonly=on). Driver checks 1..39 as in
   virtio.h; program checks:
   40 VIRTIO_BLK_F_RO offered (and, being wanted, negotiated)
   41 capacity holds sector 8
   42 read sector 8 before the write completes OK
   43 write sector 8 completes IOERR
   44 read sector 8 after the write completes OK   45 ... and is unchanged (no data written)
   46 read sector 0 completes OK                    47 sector 0 starts with "VIREO-DISK" */
#include "virtio.h"

static uint8_t before[SECTOR_SIZE] __attribute__((aligned(16)));
static uint8_t after[SECTOR_SIZE] __attribute__((aligned(16)));
static uint8_t wbuf[SECTOR_SIZE] __attribute__((aligned(16)));

int main(void) {
  struct vblk d;
  print("blk-ro: read-only virtio-blk device\n");
  vblk_init(&d, FEAT(VIRTIO_BLK_F_RO) | FEAT(VIRTIO_BLK_F_BLK_SIZE) | FEAT(VIRTIO_BLK_F_SEG_MAX) |
                    FEAT(VIRTIO_BLK_F_FLUSH));
  CHECK(40, has(&d, VIRTIO_BLK_F_RO), "VIRTIO_BLK_F_RO offered");
  CHECK(41, d.capacity > PATTERN_SECTOR, "capacity > 8 sectors");

  memset(before, 0xee, SECTOR_SIZE);
  CHECK_EQ(42, vblk_rw(&d, VIRTIO_BLK_T_IN, PATTERN_SECTOR, before, SECTOR_SIZE, 1, VM_CHAIN),
           VIRTIO_BLK_S_OK, "read sector 8 status");

  /* Something surely different from what is there. */
  for (unsigned i = 0; i < SECTOR_SIZE; i++) wbuf[i] = (uint8_t)~before[i];
  print("- write sector 8 on a read-only device\n");
  CHECK_EQ(43, vblk_rw(&d, VIRTIO_BLK_T_OUT, PATTERN_SECTOR, wbuf, SECTOR_SIZE, 0, VM_CHAIN),
           VIRTIO_BLK_S_IOERR, "write status on a read-only device");

  memset(after, 0xee, SECTOR_SIZE);
  CHECK_EQ(44, vblk_rw(&d, VIRTIO_BLK_T_IN, PATTERN_SECTOR, after, SECTOR_SIZE, 1, VM_CHAIN),
           VIRTIO_BLK_S_OK, "read sector 8 after the write status");
  size_t i = first_diff(after, before, SECTOR_SIZE);
  if (i != SECTOR_SIZE) fail_val(45, "sector 8 unchanged by the refused write", after[i], before[i]);

  memset(after, 0xee, SECTOR_SIZE);
  CHECK_EQ(46, vblk_rw(&d, VIRTIO_BLK_T_IN, 0, after, SECTOR_SIZE, 1, VM_CHAIN), VIRTIO_BLK_S_OK,
           "read sector 0 status");
  i = first_diff(after, DISK_MAGIC, DISK_MAGIC_LEN);
  if (i != DISK_MAGIC_LEN) fail_val(47, "sector 0 starts with VIREO-DISK", after[i], (uint8_t)DISK_MAGIC[i]);
  pass("blk-ro");
}
