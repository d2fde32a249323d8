#!/usr/bin/env bash
# Builds the hypervisor firmware (firmware/) into $OUT/firmware/vireo-fw.elf, following
# ../shared/EMBEDDED.md: one Embedded Swift module (riscv64-none-none-eabi, rv64imac, lp64)
# made of the firmware's own files plus the shared host/firmware sources - the ISA facts in
# Sources/RISCV and the ELF/FDT code in Sources/FirmwareKit, compiled here unchanged - and
# the start.S / libc.c shim, linked by ld.lld with linker/firmware.ld.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

SRC="$ROOT/firmware"
DST="$OUT/firmware"
OBJ="$DST/obj"
mkdir -p "$OBJ"

# firmware/ is split by concern (arch, core, sbi, vdev, drivers, boot: docs/architecture.md);
# every .swift under it is part of the one module.
mapfile -t FW_SWIFT < <(find "$SRC" -name '*.swift' | LC_ALL=C sort)
SWIFT_SOURCES=("${FW_SWIFT[@]}" "$ROOT"/Sources/RISCV/*.swift "$ROOT"/Sources/FirmwareKit/*.swift)
SHIM_DIR="$SRC/arch/Shim"
# start.S also saves/restores guest FP registers (only run when misa has D) and uses the
# H instructions, so it is assembled for rv64imafdc + H.
ASM_FLAGS=(--target=riscv64-unknown-none-elf -march=rv64imafdc_zicsr_zifencei_h -mabi=lp64 -mcmodel=medany -I "$ROOT/tools/rt")
SWIFT_FLAGS=("${EMBEDDED_SWIFT_FLAGS[@]/-Osize/-O}" -I "$SHIM_DIR" -module-name VireoFirmware)
SELF="$ROOT/tools/build/firmware.sh"
UNICODE="$TC/../lib/swift/embedded/riscv64-none-none-eabi/libswiftUnicodeDataTables.a"

if needs_rebuild "$OBJ/start.o" "$SRC/arch/start.S" "$SHIM_DIR/layout.h" "${RT_HEADERS[@]}" "$SELF"; then
  "$CLANG" "${ASM_FLAGS[@]}" -c "$SRC/arch/start.S" -o "$OBJ/start.o"
fi
# The linker script takes its sizes from layout.h through the C preprocessor.
if needs_rebuild "$OBJ/firmware.ld" "$ROOT/linker/firmware.ld.S" "$SHIM_DIR/layout.h" "$SELF"; then
  "$CLANG" -E -P -x c -undef -I "$SHIM_DIR" "$ROOT/linker/firmware.ld.S" -o "$OBJ/firmware.ld"
fi
if needs_rebuild "$OBJ/libc.o" "$ROOT/tools/rt/libc.c" "$SELF"; then
  "$CLANG" "${RV_CFLAGS[@]}" -ffunction-sections -Wall -Wextra -Werror -c "$ROOT/tools/rt/libc.c" -o "$OBJ/libc.o"
fi
if needs_rebuild "$OBJ/firmware.o" "${SWIFT_SOURCES[@]}" "$SHIM_DIR/shim.h" "$SHIM_DIR/layout.h" "$SHIM_DIR/module.modulemap" "${RT_HEADERS[@]}" "$SELF"; then
  "$SWIFTC" "${SWIFT_FLAGS[@]}" -c "${SWIFT_SOURCES[@]}" -o "$OBJ/firmware.o"
fi
OBJS=("$OBJ/start.o" "$OBJ/firmware.o" "$OBJ/libc.o")
if needs_rebuild "$DST/vireo-fw.elf" "${OBJS[@]}" "$OBJ/firmware.ld"; then
  "$LLD" -T "$OBJ/firmware.ld" --gc-sections -o "$DST/vireo-fw.elf" "${OBJS[@]}" "$UNICODE"
fi
echo "firmware: $DST/vireo-fw.elf"
