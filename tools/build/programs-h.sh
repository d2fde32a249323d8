#!/usr/bin/env bash
# Build the hypervisor-extension (H) conformance programs:
# Tests/programs-h/*.S -> $OUT/programs-h/<name>.elf. Like tools/build/programs.sh, but
# assembled for RV64IMAC + H and run on QEMU with the H and Sstc extensions on.
# They use the runtime in Tests/programs/include (h.h, which includes test.h).
#
# Usage: tools/build/programs-h.sh [--qemu] [name...]     (default: every program)
#   --qemu   after building, run each program on qemu-system-riscv64 (virt, -bios none,
#            -cpu rv64,h=true,sstc=true) and report PASS/FAIL; exits non-zero if any fails.
# VIREO_SPEC_STRICT=1 also builds the checks that the spec requires but QEMU 7.2 fails
# (the #ifdef SPEC_STRICT blocks) into $OUT/programs-h-strict/ instead.
source "$(dirname "$0")/env.sh"

SRC="$ROOT/Tests/programs-h"
INC="$ROOT/Tests/programs/include"
DST="$OUT/programs-h"
DEFS=()
if [ "${VIREO_SPEC_STRICT:-0}" = 1 ]; then
  DST="$OUT/programs-h-strict"
  DEFS=(-DSPEC_STRICT)
fi
LDSCRIPT="$ROOT/linker/bare.ld"
QEMU_CPU="rv64,h=true,sstc=true"
mkdir -p "$DST"

run_qemu=0
names=()
for arg in "$@"; do
  case "$arg" in
    --qemu) run_qemu=1 ;;
    *) names+=("$arg") ;;
  esac
done

sources=()
if [ ${#names[@]} -gt 0 ]; then
  for n in "${names[@]}"; do sources+=("$SRC/$(basename "${n%.S}").S"); done
else
  shopt -s nullglob
  sources=("$SRC"/*.S)
  shopt -u nullglob
fi

headers=("$INC"/*.h)
built=0
for src in "${sources[@]}"; do
  [ -f "$src" ] || { echo "programs-h.sh: no such program: $src" >&2; exit 1; }
  name="$(basename "$src" .S)"
  elf="$DST/$name.elf"
  if needs_rebuild "$elf" "$src" "${headers[@]}" "$LDSCRIPT" "$0"; then
    obj="$DST/$name.o"
    # RV_CFLAGS with the H extension added to -march (the later -march wins)
    "$CLANG" "${RV_CFLAGS[@]}" -march=rv64imac_zicsr_zifencei_h ${DEFS[@]+"${DEFS[@]}"} \
      -I "$INC" -c "$src" -o "$obj"
    "$LLD" -T "$LDSCRIPT" -o "$elf" "$obj"
    rm -f "$obj"
    echo "built $elf"
    built=$((built + 1))
  fi
done
echo "programs-h: $built built, $(( ${#sources[@]} - built )) up to date ($DST)"

if [ "$run_qemu" = 1 ]; then
  failed=0
  for src in "${sources[@]}"; do
    name="$(basename "$src" .S)"
    set +e
    line="$(timeout 10 qemu-system-riscv64 -machine virt -cpu "$QEMU_CPU" -bios none -nographic \
              -kernel "$DST/$name.elf" 2>&1 < /dev/null | tr -d '\r' | tail -n 1)"
    rc=${PIPESTATUS[0]}
    set -e
    printf '%-14s exit %-3s %s\n' "$name" "$rc" "$line"
    [ "$rc" = 0 ] || failed=$((failed + 1))
  done
  echo "qemu: $(( ${#sources[@]} - failed )) passed, $failed failed"
  [ "$failed" = 0 ]
fi
