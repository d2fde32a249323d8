#!/usr/bin/env bash
# Dom0's disks (DESIGN §4): a ustar archive of the sample guest kernels and their xl.cfg
# configurations, $OUT/dom0/guests.tar (read-only in the default stack), and, when the Linux
# test kernel is built (tools/build/linux.sh), $OUT/dom0/linux.tar: the kernel, its
# initramfs, linux.cfg and linux-disk.img, the guest's writable disk (the default stack
# gives it to Dom0 as its last drive, writable; rebuilt, and the disk reset, only when the
# kernel, initramfs or config change). GNU tar with fixed owners, times and order, so the
# same inputs give the same bytes. Needs the guests built (tools/build/guests.sh).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
DST="$OUT/dom0"
STAGE="$DST/stage"
KERNELS=(hello ticker crash smp pager hostile)
mkdir -p "$STAGE"
inputs=()
for k in "${KERNELS[@]}"; do
  [ -f "$OUT/guests/$k.elf" ] || { echo "dom0disk: $OUT/guests/$k.elf missing (tools/build/guests.sh)" >&2; exit 1; }
  inputs+=("$OUT/guests/$k.elf")
done
inputs+=("$ROOT"/guests/dom0/configs/*.cfg)
if needs_rebuild "$DST/guests.tar" "${inputs[@]}" "$ROOT/tools/build/dom0disk.sh"; then
  rm -rf "$STAGE" && mkdir -p "$STAGE"
  cp "${inputs[@]}" "$STAGE/"
  names=()
  for f in "${inputs[@]}"; do names+=("$(basename "$f")"); done
  tar --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
     -C "$STAGE" -cf "$DST/guests.tar" "${names[@]}"
fi
echo "dom0disk: $DST/guests.tar"

LINUX="$OUT/linux"
if [ -f "$LINUX/Image" ] && [ -f "$LINUX/initramfs.cpio" ] && [ -f "$LINUX/disk.img" ]; then
  linputs=("$LINUX/Image" "$LINUX/initramfs.cpio" "$LINUX/disk.img" "$ROOT/guests/linux/linux.cfg")
  if needs_rebuild "$DST/linux.tar" "${linputs[@]}" "$ROOT/tools/build/dom0disk.sh"; then
    LSTAGE="$DST/linux-stage"
    rm -rf "$LSTAGE" && mkdir -p "$LSTAGE"
    cp "$LINUX/Image" "$LINUX/initramfs.cpio" "$ROOT/guests/linux/linux.cfg" "$LSTAGE/"
    cp "$LINUX/disk.img" "$LSTAGE/linux-disk.img"
    tar --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
       -C "$LSTAGE" -cf "$DST/linux.tar" Image initramfs.cpio linux.cfg linux-disk.img
  fi
  echo "dom0disk: $DST/linux.tar"
fi
