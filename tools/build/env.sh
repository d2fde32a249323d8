# Shared settings for building RISC-V artefacts (sourced, not run).
# Only the Swift toolchain is needed: it ships clang, ld.lld and the Embedded Swift stdlib.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TC="$(dirname "$(readlink -f "$(command -v swiftc)")")"
CLANG="$TC/clang"
LLD="$TC/ld.lld"
SWIFTC="$TC/swiftc"
OUT="${VIREO_RISCV_OUT:-$ROOT/.build-riscv}"
# Bare-metal C/assembly for the board and QEMU virt (-bios none): rv64imac, lp64, medany.
RV_CFLAGS=(--target=riscv64-unknown-none-elf -march=rv64imac_zicsr_zifencei -mabi=lp64
           -mcmodel=medany -ffreestanding -fno-pic -nostdlib -fno-builtin -O2 -g0)
mkdir -p "$OUT"

# needs_rebuild OUTPUT INPUT... : true when OUTPUT is missing or older than any input.
needs_rebuild() {
  local out="$1"; shift
  [ -f "$out" ] || return 0
  local f
  for f in "$@"; do [ "$f" -nt "$out" ] && return 0; done
  return 1
}
