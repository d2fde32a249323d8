#!/usr/bin/env bash
# Installs what the build needs and is missing: libelf (Debian libelf-dev) and pkg-config.
# With --test it also installs the small test-only packages: device-tree-compiler (dtc),
# opensbi (firmware images the boot tests run on the board), libarchive-tools (bsdtar,
# whose archives Dom0's tar reader is tested on), tmux (the Dom0 shell is tested on a
# real terminal) and gdb-multiarch (the gdb stub is tested with Debian's gdb).
# With --linux it also installs what tools/build/linux.sh needs for the Linux test kernel:
# Debian's kernel source (linux-source-6.1), the RISC-V cross compiler, the kernel build's
# host tools (flex, bison, bc; gcc and make come with the cross compiler's dependencies),
# cpio and e2fsprogs (mke2fs -d, debugfs).
# Uses apt-get (as root, or through sudo when available). Safe to run repeatedly.
set -euo pipefail
want=()
pkg-config --exists libelf 2>/dev/null || want+=(libelf-dev)
command -v pkg-config >/dev/null 2>&1 || want+=(pkg-config)
if [ "${1:-}" = "--test" ]; then
  command -v dtc >/dev/null 2>&1 || want+=(device-tree-compiler)
  [ -f /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf ] || want+=(opensbi)
  command -v bsdtar >/dev/null 2>&1 || want+=(libarchive-tools)
  command -v tmux >/dev/null 2>&1 || want+=(tmux)
  command -v gdb-multiarch >/dev/null 2>&1 || want+=(gdb-multiarch)
fi
if [ "${1:-}" = "--linux" ]; then
  [ -f /usr/src/linux-source-6.1.tar.xz ] || want+=(linux-source-6.1)
  command -v riscv64-linux-gnu-gcc >/dev/null 2>&1 || want+=(gcc-riscv64-linux-gnu)
  command -v gcc >/dev/null 2>&1 || want+=(gcc)
  command -v make >/dev/null 2>&1 || want+=(make)
  command -v flex >/dev/null 2>&1 || want+=(flex)
  command -v bison >/dev/null 2>&1 || want+=(bison)
  command -v bc >/dev/null 2>&1 || want+=(bc)
  command -v cpio >/dev/null 2>&1 || want+=(cpio)
  command -v mke2fs >/dev/null 2>&1 || want+=(e2fsprogs)
  command -v xz >/dev/null 2>&1 || want+=(xz-utils)
fi
[ ${#want[@]} -eq 0 ] && exit 0
echo "setup: installing ${want[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
  echo "setup: need root (or sudo) to install: ${want[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
