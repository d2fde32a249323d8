#!/usr/bin/env bash
# A small Linux test kernel, our own initramfs and a test disk, in $OUT/linux/:
#   Image            the kernel (a hard link to <key>/Image), Debian's linux-source-6.1 built
#                    for riscv64 from tinyconfig plus guests/linux/kernel.config: what a QEMU
#                    virt guest needs and no more (ttyS0 and hvc0 consoles, PLIC, SMP up to
#                    8 harts, virtio-mmio block, ext2, initrd support).
#   initramfs.cpio   an uncompressed newc archive holding /init (guests/linux/init.c and
#                    start.S: no libc), /dev/console, /dev, /mnt, /proc and /sys. It is an
#                    external initrd (--initrd / -initrd), so changing /init never rebuilds
#                    the kernel.
#   disk.img         a 4 MiB ext2 image with hello.txt = "hello from the guest disk\n".
#                    Boot with `vireo.test=disk` on the command line and /init mounts it,
#                    prints hello.txt's first line, writes out.txt and powers off. Run on a
#                    copy; then read the result back on the host with
#                      debugfs -R 'cat /out.txt' copy-of-disk.img
#                    (`debugfs -R 'ls -l /' IMG` lists the files).
#   bench.img        16 MiB of a deterministic pattern, no file system: 16-byte lines, each
#                    its own index as 15 zero-padded digits and a newline (line k at byte
#                    16*k). Boot with `vireo.test=bench` and /init reads all of /dev/vda in
#                    64 KiB O_DIRECT reads, writes the same bytes back in 64 KiB pwrites
#                    plus fsync, prints
#                      vireo-init: bench read N bytes in T us
#                      vireo-init: bench wrote N bytes in T us
#                    (CLOCK_MONOTONIC, the guest's time) and powers off. Any raw image
#                    works, e.g. `dd if=/dev/urandom of=b.img bs=1M count=16`; run on a
#                    copy (its content is unchanged, but it is opened for writing).
# Example (on the board; QEMU: qemu-system-riscv64 -M virt -smp 2 -m 256M -nographic
# -bios default -kernel Image -initrd initramfs.cpio -drive file=COPY,if=none,format=raw,id=d
# -device virtio-blk-device,drive=d -append ...):
#   cp .build-riscv/linux/disk.img /tmp/d.img
#   .build/release/vireo run --isa rv64gc_sstc --harts 2 \
#     --bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf \
#     --kernel .build-riscv/linux/Image --initrd .build-riscv/linux/initramfs.cpio \
#     --drive file=/tmp/d.img --append "console=ttyS0 vireo.test=disk"
# Without vireo.test=disk or =bench /init runs a tiny shell on the console (`help` lists its
# builtins).
#
# The kernel is cached by a key: the sha256 of the fragment's sha256, the linux-source
# package version, the cross compiler's version and the sha256 of this script's Source and
# Kernel sections (so editing the rest, /init or the disks never rebuilds it). An unchanged key
# does nothing ("linux: cached"). The source is extracted once per package version to
# $OUT/linux/src/, and one object tree ($OUT/linux/obj, make O=) is kept across keys, so a
# new key rebuilds only what its configuration changed. Images of older keys are pruned.
# A cold build (extract, configure, compile) takes about 6 minutes on 2 cores.
#
# Needs (tools/setup.sh --linux installs them, and this script runs it when one is missing):
# linux-source-6.1, gcc-riscv64-linux-gnu, gcc, make, flex, bison, bc, cpio, e2fsprogs.
# Usage: tools/build/linux.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

PKG=linux-source-6.1
TARBALL=/usr/src/$PKG.tar.xz
CROSS=riscv64-linux-gnu-
DST="$OUT/linux"
SRC="$DST/src"
TREE="$SRC/$PKG"
OBJ="$DST/obj"
HERE="$ROOT/guests/linux"
FRAG="$HERE/kernel.config"
SELF="$ROOT/tools/build/linux.sh"
mkdir -p "$DST"

# ---- Tools ----
have_all() {
  local t
  [ -f "$TARBALL" ] || return 1
  for t in "${CROSS}gcc" gcc make flex bison bc cpio mke2fs xz dpkg-query sha256sum; do
    command -v "$t" >/dev/null 2>&1 || return 1
  done
}
if ! have_all; then
  echo "linux: installing what is missing (tools/setup.sh --linux)" >&2
  bash "$ROOT/tools/setup.sh" --linux
  have_all || { echo "linux: still missing a tool or $TARBALL after tools/setup.sh --linux" >&2; exit 1; }
fi

# ---- Source: extracted once per package version ----
pkgver="$(dpkg-query -W -f='${Version}' "$PKG" 2>/dev/null || true)"
[ -n "$pkgver" ] || { echo "linux: package $PKG is not installed (tools/setup.sh --linux)" >&2; exit 1; }
if [ "$(cat "$SRC/.version" 2>/dev/null || true)" != "$pkgver" ]; then
  echo "linux: extracting $TARBALL ($pkgver)"
  # A new source invalidates the object tree too.
  rm -rf "$SRC" "$OBJ"
  mkdir -p "$SRC"
  tar -xJf "$TARBALL" -C "$SRC"
  [ -f "$TREE/Makefile" ] || { echo "linux: $TARBALL did not hold $PKG/" >&2; exit 1; }
  echo "$pkgver" >"$SRC/.version"
fi

# ---- Kernel ----
gccver="$("${CROSS}gcc" --version | head -n 1)"
# The script's part in the key: from "# ---- Source" up to "# ---- /init" (the lines that
# fetch, configure and build the kernel).
kernel_steps() { sed -n '/^# ---- Source/,/^# ---- \/init/p' "$SELF"; }
[ -n "$(kernel_steps)" ] || { echo "linux: $SELF lost its section markers" >&2; exit 1; }
key="$( { sha256sum <"$FRAG"; echo "$PKG $pkgver"; echo "$gccver"; kernel_steps | sha256sum; } \
        | sha256sum | cut -c1-64)"
KDIR="$DST/$key"
# A fixed build user and host, so the version banner does not name this machine.
kmake=(make -C "$TREE" O="$OBJ" ARCH=riscv CROSS_COMPILE="$CROSS"
       KBUILD_BUILD_USER=vireo KBUILD_BUILD_HOST=vireo)

# check_config: every assignment in the fragment is in .config, and every "is not set"
# symbol is not; a symbol Kconfig dropped (renamed, unmet dependency) fails the build.
check_config() {
  local line sym got bad=0
  while IFS= read -r line; do
    case "$line" in
      CONFIG_*=*)
        if ! grep -qxF -- "$line" "$OBJ/.config"; then
          sym="${line%%=*}"
          got="$(grep -E "^(# )?$sym[= ]" "$OBJ/.config" || echo "absent")"
          echo "linux: $FRAG wants $line, but .config has: $got" >&2
          bad=1
        fi ;;
      "# CONFIG_"*" is not set")
        sym="${line#\# }"; sym="${sym%% *}"
        if grep -q "^$sym=" "$OBJ/.config"; then
          echo "linux: $FRAG wants $sym unset, but .config has: $(grep "^$sym=" "$OBJ/.config")" >&2
          bad=1
        fi ;;
    esac
  done <"$FRAG"
  return $bad
}

if [ -f "$KDIR/Image" ]; then
  echo "linux: cached"
else
  echo "linux: configuring (key ${key:0:12})"
  mkdir -p "$OBJ"
  "${kmake[@]}" -s tinyconfig >/dev/null
  # merge_config.sh makes its temporary files in the working directory: run it in $OBJ.
  (cd "$OBJ" && "$TREE/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" "$FRAG") \
    >"$OBJ/merge_config.log" 2>&1 \
    || { cat "$OBJ/merge_config.log" >&2; echo "linux: merge_config.sh failed" >&2; exit 1; }
  "${kmake[@]}" -s olddefconfig
  check_config || { echo "linux: the configuration lost symbols of the fragment (see above)" >&2; exit 1; }
  echo "linux: building Image (-j$(nproc))"
  start=$SECONDS
  "${kmake[@]}" -s -j"$(nproc)" Image
  rm -rf "$KDIR.tmp"
  mkdir -p "$KDIR.tmp"
  cp "$OBJ/arch/riscv/boot/Image" "$KDIR.tmp/Image"
  cp "$OBJ/.config" "$KDIR.tmp/config"
  rm -rf "$KDIR"
  mv "$KDIR.tmp" "$KDIR"
  echo "linux: built $KDIR/Image in $((SECONDS - start)) s"
fi
# $DST/Image is the current key's Image (hard link; a copy if links are not possible).
if ! [ "$DST/Image" -ef "$KDIR/Image" ]; then
  ln -f "$KDIR/Image" "$DST/Image" 2>/dev/null || cp "$KDIR/Image" "$DST/Image"
fi
# Prune the Images of other keys.
for d in "$DST"/*; do
  b="$(basename "$d")"
  if [ -d "$d" ] && [[ "$b" =~ ^[0-9a-f]{64}(\.tmp)?$ ]] && [ "$b" != "$key" ]; then
    rm -rf "$d"
  fi
done

# ---- /init and the initramfs ----
INITDIR="$DST/init"
INIT="$INITDIR/init"
GEN="$SRC/gen_init_cpio"   # the kernel's own tool, built from the extracted tree
CPIO="$DST/initramfs.cpio"
INIT_CFLAGS=(-march=rv64imac -mabi=lp64 -static -nostdlib -ffreestanding -O2
             -fno-pie -no-pie -fno-stack-protector -fno-asynchronous-unwind-tables
             -fno-tree-loop-distribute-patterns -Wall -Wextra -Werror
             -Wl,--build-id=none -Wl,-z,noexecstack -s)
mkdir -p "$INITDIR"
if needs_rebuild "$INIT" "$HERE/init.c" "$HERE/start.S" "$SELF"; then
  "${CROSS}gcc" "${INIT_CFLAGS[@]}" -o "$INIT.tmp" "$HERE/start.S" "$HERE/init.c"
  mv "$INIT.tmp" "$INIT"
  echo "linux: built $INIT"
fi
if needs_rebuild "$GEN" "$TREE/usr/gen_init_cpio.c"; then
  gcc -O2 -o "$GEN" "$TREE/usr/gen_init_cpio.c"
fi
if needs_rebuild "$CPIO" "$INIT" "$GEN" "$SELF"; then
  cat >"$INITDIR/initramfs.list" <<EOF
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /mnt 0755 0 0
dir /proc 0755 0 0
dir /sys 0755 0 0
file /init $INIT 0755 0 0
EOF
  # -t 0: directories and nodes get mtime 0 (files keep theirs).
  "$GEN" -t 0 "$INITDIR/initramfs.list" >"$CPIO.tmp"
  mv "$CPIO.tmp" "$CPIO"
  echo "linux: built $CPIO"
fi

# ---- Test disk ----
DISK="$DST/disk.img"
if needs_rebuild "$DISK" "$SELF"; then
  stage="$DST/disk"
  rm -rf "$stage" "$DISK.tmp"
  mkdir -p "$stage"
  printf 'hello from the guest disk\n' >"$stage/hello.txt"
  # -d fills the new file system from a directory without root or a loop mount.
  mke2fs -q -F -t ext2 -b 1024 -L vireo-test -d "$stage" "$DISK.tmp" 4M >/dev/null
  mv "$DISK.tmp" "$DISK"
  echo "linux: built $DISK"
fi

# ---- Benchmark disk: raw, no file system ----
BENCH="$DST/bench.img"
if needs_rebuild "$BENCH" "$SELF"; then
  seq -f '%015.0f' 0 1048575 >"$BENCH.tmp"
  [ "$(stat -c %s "$BENCH.tmp")" = 16777216 ] || { echo "linux: $BENCH.tmp is not 16 MiB" >&2; exit 1; }
  mv "$BENCH.tmp" "$BENCH"
  echo "linux: built $BENCH"
fi
echo "linux: $DST/Image $CPIO $DISK $BENCH"
