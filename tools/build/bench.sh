#!/usr/bin/env bash
# Builds the benchmark kernels (tools/bench/) into $OUT/bench/: for each kernel K,
# K.elf (M-mode, MMU off) and K-sv39.elf (S-mode under identity-mapped Sv39, 4 KiB pages).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

SRC="$ROOT/tools/bench"
DST="$OUT/bench"
OBJ="$DST/obj"
mkdir -p "$OBJ"

KERNELS=(crc sort matmul list lock)
HEADERS=("$SRC/bench.h" "$SRC/params.h" "$SRC/expected.h")
CFLAGS=("${RV_CFLAGS[@]}" -O2 -std=c11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections)

# compile OBJECT SOURCE [extra flags...]
compile() {
  local obj="$1" src="$2"; shift 2
  if needs_rebuild "$obj" "$src" "${HEADERS[@]}" "${RT_HEADERS[@]}" "$ROOT/tools/build/bench.sh"; then
    "$CLANG" "${CFLAGS[@]}" "$@" -c "$src" -o "$obj"
  fi
}

# link ELF OBJECT...
link() {
  local elf="$1"; shift
  if needs_rebuild "$elf" "$@" "$ROOT/linker/bare.ld"; then
    "$LLD" -T "$ROOT/linker/bare.ld" --gc-sections -o "$elf" "$@"
  fi
}

compile "$OBJ/start.o" "$SRC/start.S"
compile "$OBJ/start-sv39.o" "$SRC/start.S" -DSV39
compile "$OBJ/rt.o" "$SRC/rt.c"
compile "$OBJ/sv39.o" "$SRC/sv39.c"
for k in "${KERNELS[@]}"; do
  compile "$OBJ/$k.o" "$SRC/$k.c"
  link "$DST/$k.elf" "$OBJ/start.o" "$OBJ/rt.o" "$OBJ/$k.o"
  link "$DST/$k-sv39.elf" "$OBJ/start-sv39.o" "$OBJ/rt.o" "$OBJ/sv39.o" "$OBJ/$k.o"
done
echo "bench: ${KERNELS[*]} (+ -sv39) in $DST"
