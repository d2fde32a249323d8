#!/usr/bin/env bash
# Builds the Embedded Swift demo (guests/demo/) into $OUT/demo/demo.elf, following
# ../shared/EMBEDDED.md: swiftc for riscv64-none-none-eabi (rv64imac, lp64), a startup .S and
# the C memory routines, linked by ld.lld with linker/bare.ld.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

SRC="$ROOT/guests/demo"
DST="$OUT/demo"
OBJ="$DST/obj"
mkdir -p "$OBJ"

SWIFT_SOURCES=("$SRC"/*.swift)
ASM_FLAGS=(--target=riscv64-unknown-none-elf -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -I "$ROOT/tools/rt")
SWIFT_FLAGS=("${EMBEDDED_SWIFT_FLAGS[@]}" -I "$SRC/Shim" -module-name Demo)
SELF="$ROOT/tools/build/demo.sh"

if needs_rebuild "$OBJ/start.o" "$SRC/start.S" "${RT_HEADERS[@]}" "$SELF"; then
  "$CLANG" "${ASM_FLAGS[@]}" -c "$SRC/start.S" -o "$OBJ/start.o"
fi
if needs_rebuild "$OBJ/libc.o" "$ROOT/tools/rt/libc.c" "$SELF"; then
  "$CLANG" "${RV_CFLAGS[@]}" -ffunction-sections -Wall -Wextra -Werror -c "$ROOT/tools/rt/libc.c" -o "$OBJ/libc.o"
fi
if needs_rebuild "$OBJ/demo.o" "${SWIFT_SOURCES[@]}" "$SRC/Shim/shim.h" "$SRC/Shim/module.modulemap" "${RT_HEADERS[@]}" "$SELF"; then
  "$SWIFTC" "${SWIFT_FLAGS[@]}" -c "${SWIFT_SOURCES[@]}" -o "$OBJ/demo.o"
fi
OBJS=("$OBJ/start.o" "$OBJ/demo.o" "$OBJ/libc.o")
if needs_rebuild "$DST/demo.elf" "${OBJS[@]}" "$ROOT/linker/bare.ld"; then
  "$LLD" -T "$ROOT/linker/bare.ld" --gc-sections -o "$DST/demo.elf" "${OBJS[@]}"
fi
echo "demo: $DST/demo.elf"
