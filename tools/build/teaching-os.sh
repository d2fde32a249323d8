#!/usr/bin/env bash
# Builds the teaching-OS-style kernel (Tests/teaching-os: entry.S, kernel.c, kernel.ld) into
# $OUT/teaching-os/kernel.elf, the way such kernels are built: with a GNU cross compiler,
# riscv64-unknown-elf-gcc, or Debian's riscv64-linux-gnu-gcc as xv6's Makefile falls back
# to; without either, with the Swift toolchain's clang and ld.lld.
#
#   tools/build/teaching-os.sh          build kernel.elf
#   tools/build/teaching-os.sh --qemu   build, then run it on qemu-system-riscv64 with a
#                                       fresh disk image and a few lines of console input
source "$(dirname "$0")/env.sh"

SRC="$ROOT/Tests/teaching-os"
DST="$OUT/teaching-os"
SELF="$ROOT/tools/build/teaching-os.sh"
mkdir -p "$DST"
ELF="$DST/kernel.elf"
INPUTS=("$SRC/entry.S" "$SRC/kernel.c" "$SRC/kernel.ld" "$SELF")

CROSS=""
for prefix in riscv64-unknown-elf- riscv64-linux-gnu-; do
  if command -v "${prefix}gcc" >/dev/null 2>&1; then CROSS="$prefix"; break; fi
done
if needs_rebuild "$ELF" "${INPUTS[@]}"; then
  FLAGS=(-march=rv64imac_zicsr -mabi=lp64 -mcmodel=medany -ffreestanding -fno-builtin -nostdlib
         -fno-pic -fno-stack-protector -fno-common -O2 -Wall -Wextra -Werror)
  if [ -n "$CROSS" ]; then
    "${CROSS}gcc" "${FLAGS[@]}" -no-pie -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T "$SRC/kernel.ld" \
      -o "$ELF.tmp" "$SRC/entry.S" "$SRC/kernel.c"
  else
    "$CLANG" --target=riscv64-unknown-none-elf "${FLAGS[@]}" -c "$SRC/entry.S" -o "$DST/entry.o"
    "$CLANG" --target=riscv64-unknown-none-elf "${FLAGS[@]}" -c "$SRC/kernel.c" -o "$DST/kernel.o"
    "$LLD" -T "$SRC/kernel.ld" -o "$ELF.tmp" "$DST/entry.o" "$DST/kernel.o"
    rm -f "$DST/entry.o" "$DST/kernel.o"
  fi
  mv "$ELF.tmp" "$ELF"
  if [ -n "$CROSS" ]; then echo "built $ELF (with ${CROSS}gcc)"; else echo "built $ELF (with clang)"; fi
fi

[ "${1:-}" = "--qemu" ] || exit 0

IMG="$DST/disk.img"
rm -f "$IMG"
dd if=/dev/zero of="$IMG" bs=1M count=1 status=none
printf 'TEACHING-OS DISK: this is sector 0' | dd of="$IMG" conv=notrunc status=none
printf 'and this is sector 5' | dd of="$IMG" bs=512 seek=5 conv=notrunc status=none
# Input after a pause, once the kernel has set up its UART (QEMU reads stdin at once).
(sleep 1; printf 'hello qemu\nls -l\npoweroff\n') | timeout 20 qemu-system-riscv64 -machine virt -bios none \
  -kernel "$ELF" -m 128M -smp 1 -nographic -global virtio-mmio.force-legacy=false \
  -drive "file=$IMG,if=none,format=raw,id=x0" -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0
