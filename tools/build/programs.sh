#!/usr/bin/env bash
# Build the bare-metal conformance programs: Tests/programs/*.S -> $OUT/programs/<name>.elf
# Each program is preprocessed and assembled by clang and linked with linker/bare.ld.
#
# Usage: tools/build/programs.sh [--qemu] [name...]     (default: every program)
#   --qemu   after building, run each program on qemu-system-riscv64 (virt, -bios none)
#            and report PASS/FAIL; exits non-zero if any program fails.
# VIREO_SPEC_STRICT=1 also builds the checks that the spec requires but QEMU 7.2 fails
# (the #ifdef SPEC_STRICT blocks) into $OUT/programs-strict/ instead.
source "$(dirname "$0")/env.sh"

SRC="$ROOT/Tests/programs"
DST="$OUT/programs"
DEFS=()
if [ "${VIREO_SPEC_STRICT:-0}" = 1 ]; then
  DST="$OUT/programs-strict"
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
  sources=("$SRC"/*.S)
fi

headers=("$SRC"/include/*.h)
built=0
for src in "${sources[@]}"; do
  [ -f "$src" ] || { echo "programs.sh: no such program: $src" >&2; exit 1; }
  name="$(basename "$src" .S)"
  elf="$DST/$name.elf"
  if needs_rebuild "$elf" "$src" "${headers[@]}" "$LDSCRIPT" "$0"; then
    obj="$DST/$name.o"
    "$CLANG" "${RV_CFLAGS[@]}" ${DEFS[@]+"${DEFS[@]}"} -I "$SRC/include" -c "$src" -o "$obj"
    "$LLD" -T "$LDSCRIPT" -o "$elf" "$obj"
    rm -f "$obj"
    echo "built $elf"
    built=$((built + 1))
  fi
done
echo "programs: $built built, $(( ${#sources[@]} - built )) up to date ($DST)"

if [ "$run_qemu" = 1 ]; then
  failed=0
  for src in "${sources[@]}"; do
    name="$(basename "$src" .S)"
    set +e
    line="$(timeout 10 qemu-system-riscv64 -machine virt -bios none -nographic \
              -kernel "$DST/$name.elf" 2>&1 < /dev/null | tr -d '\r' | tail -n 1)"
    rc=${PIPESTATUS[0]}
    set -e
    printf '%-12s exit %-3s %s\n' "$name" "$rc" "$line"
    [ "$rc" = 0 ] || failed=$((failed + 1))
  done
  echo "qemu: $(( ${#sources[@]} - failed )) passed, $failed failed"
  [ "$failed" = 0 ]
fi
