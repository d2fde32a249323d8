#!/usr/bin/env bash
# Builds the SMP test programs (run with --harts N): Tests/smp/*.S -> $OUT/smp/.
source "$(dirname "$0")/env.sh"
SRC="$ROOT/Tests/smp"
DST="$OUT/smp"
mkdir -p "$DST"
for src in "$SRC"/*.S; do
  name="$(basename "$src" .S)"
  elf="$DST/$name.elf"
  if needs_rebuild "$elf" "$src" "$ROOT/linker/bare.ld" "$0"; then
    "$CLANG" "${RV_CFLAGS[@]}" -c "$src" -o "$DST/$name.o"
    "$LLD" -T "$ROOT/linker/bare.ld" -o "$elf" "$DST/$name.o"
    rm -f "$DST/$name.o"
    echo "built $elf"
  fi
done
