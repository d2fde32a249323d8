#!/usr/bin/env bash
# Builds the S-mode payloads used by firmware boot tests: Tests/payloads/*.S -> $OUT/payloads/.
source "$(dirname "$0")/env.sh"
SRC="$ROOT/Tests/payloads"
DST="$OUT/payloads"
mkdir -p "$DST"
for src in "$SRC"/*.S; do
  name="$(basename "$src" .S)"
  elf="$DST/$name.elf"
  if needs_rebuild "$elf" "$src" "$ROOT/linker/payload.ld" "$0"; then
    "$CLANG" "${RV_CFLAGS[@]}" -c "$src" -o "$DST/$name.o"
    "$LLD" -T "$ROOT/linker/payload.ld" -o "$elf" "$DST/$name.o"
    rm -f "$DST/$name.o"
    echo "built $elf"
  fi
done
