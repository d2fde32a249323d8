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
           -mcmodel=medany -ffreestanding -fno-pic -nostdlib -fno-builtin -O2 -g0
           -I "$ROOT/tools/rt")
# Embedded Swift for the same target (../shared/EMBEDDED.md); each build adds its shim's -I
# and module name. tools/rt holds headers the shims include (csr.h).
EMBEDDED_SWIFT_FLAGS=(-target riscv64-none-none-eabi -enable-experimental-feature Embedded
           -enable-experimental-feature Extern -wmo -parse-as-library -Osize
           -Xcc -fno-pic -Xcc -ffreestanding -Xcc -march=rv64imac_zicsr_zifencei -Xcc -mabi=lp64
           -Xcc -I -Xcc "$ROOT/tools/rt"
           -Xfrontend -function-sections -Xfrontend -disable-stack-protector)
# Shared runtime headers (startup macros): a change to them rebuilds their users.
RT_HEADERS=("$ROOT/tools/rt/crt.h" "$ROOT/tools/rt/csr.h")
mkdir -p "$OUT"

# needs_rebuild OUTPUT INPUT... : true when OUTPUT is missing or older than any input.
needs_rebuild() {
  local out="$1"; shift
  [ -f "$out" ] || return 0
  local f
  for f in "$@"; do [ "$f" -nt "$out" ] && return 0; done
  return 1
}

# build_asm_programs NAME LDSCRIPT: assembles every Tests/NAME/*.S into $OUT/NAME/<name>.elf,
# linked with linker/LDSCRIPT; skips up-to-date outputs.
build_asm_programs() {
  local name="$1" ld="$ROOT/linker/$2" src elf prog
  mkdir -p "$OUT/$name"
  for src in "$ROOT/Tests/$name"/*.S; do
    prog="$(basename "$src" .S)"
    elf="$OUT/$name/$prog.elf"
    # Shared macros live beside the programs as *.inc (not programs themselves).
    if needs_rebuild "$elf" "$src" "$ld" "$ROOT/tools/build/env.sh" "$ROOT/Tests/$name"/*.inc; then
      "$CLANG" "${RV_CFLAGS[@]}" -I "$ROOT/Tests/$name" -c "$src" -o "$OUT/$name/$prog.o"
      "$LLD" -T "$ld" -o "$elf" "$OUT/$name/$prog.o"
      rm -f "$OUT/$name/$prog.o"
      echo "built $elf"
    fi
  done
}
