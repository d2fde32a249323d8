#!/usr/bin/env bash
# Build the F/D floating-point conformance programs:
# Tests/programs-fp/*.S -> $OUT/programs-fp/<name>.elf. Like tools/build/programs.sh, but
# assembled for RV64IMAFDC and run on QEMU's default rv64 CPU (which has F and D).
# They use the runtime in Tests/programs/include (fp.h, which includes test.h).
# A program that includes h.h (the hypervisor runtime, e.g. fp-virt) is assembled with the H
# extension too and runs on QEMU with -cpu rv64,h=true,sstc=true, like Tests/programs-h.
#
# Usage: tools/build/programs-fp.sh [--qemu] [name...]     (default: every program)
#   --qemu   after building, run each program on qemu-system-riscv64 (virt, -bios none,
#            default CPU, or rv64,h=true,sstc=true for h.h programs) and report PASS/FAIL;
#            exits non-zero if any program fails.
# VIREO_SPEC_STRICT=1 also builds the checks that the spec requires but QEMU 7.2 fails
# (the #ifdef SPEC_STRICT blocks) into $OUT/programs-fp-strict/ instead.
source "$(dirname "$0")/env.sh"

SRC="$ROOT/Tests/programs-fp"
INC="$ROOT/Tests/programs/include"
DST="$OUT/programs-fp"
DEFS=()
if [ "${VIREO_SPEC_STRICT:-0}" = 1 ]; then
  DST="$OUT/programs-fp-strict"
  DEFS=(-DSPEC_STRICT)
fi
LDSCRIPT="$ROOT/linker/bare.ld"
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
# uses_h SRC: true when the program includes h.h (needs H in -march and on QEMU)
uses_h() { grep -q '^#include "h.h"' "$1"; }
built=0
for src in "${sources[@]}"; do
  [ -f "$src" ] || { echo "programs-fp.sh: no such program: $src" >&2; exit 1; }
  name="$(basename "$src" .S)"
  elf="$DST/$name.elf"
  if needs_rebuild "$elf" "$src" "${headers[@]}" "$LDSCRIPT" "$0"; then
    obj="$DST/$name.o"
    # RV_CFLAGS with F and D added to -march (the later -march wins); the ABI stays lp64
    march=rv64imafdc_zicsr_zifencei
    uses_h "$src" && march=${march}_h
    "$CLANG" "${RV_CFLAGS[@]}" -march=$march ${DEFS[@]+"${DEFS[@]}"} \
      -I "$INC" -c "$src" -o "$obj"
    "$LLD" -T "$LDSCRIPT" -o "$elf" "$obj"
    rm -f "$obj"
    echo "built $elf"
    built=$((built + 1))
  fi
done
echo "programs-fp: $built built, $(( ${#sources[@]} - built )) up to date ($DST)"

if [ "$run_qemu" = 1 ]; then
  failed=0
  for src in "${sources[@]}"; do
    name="$(basename "$src" .S)"
    cpu=()
    uses_h "$src" && cpu=(-cpu rv64,h=true,sstc=true)
    set +e
    line="$(timeout 10 qemu-system-riscv64 -machine virt ${cpu[@]+"${cpu[@]}"} -bios none -nographic \
              -kernel "$DST/$name.elf" 2>&1 < /dev/null | tr -d '\r' | tail -n 1)"
    rc=${PIPESTATUS[0]}
    set -e
    printf '%-14s exit %-3s %s\n' "$name" "$rc" "$line"
    [ "$rc" = 0 ] || failed=$((failed + 1))
  done
  echo "qemu: $(( ${#sources[@]} - failed )) passed, $failed failed"
  [ "$failed" = 0 ]
fi
