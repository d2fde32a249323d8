#!/usr/bin/env bash
# Build the bare-metal conformance programs: Tests/programs/*.S -> $OUT/programs/<name>.elf
# Each program is preprocessed and assembled by clang and linked with linker/bare.ld.
# Usage: tools/build/programs.sh [name...]   (default: every program)
# VIREO_SPEC_STRICT=1 also builds the checks QEMU 7.2 fails but the spec requires
# (blocks under #ifdef SPEC_STRICT) into $OUT/programs-strict/ instead.
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

if [ $# -gt 0 ]; then
  sources=()
  for n in "$@"; do sources+=("$SRC/${n%.S}.S"); done
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
