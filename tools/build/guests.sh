#!/usr/bin/env bash
# Builds the Embedded Swift guest kernels (guests/) into $OUT/guests/<name>.elf,
# following ../shared/EMBEDDED.md: each guest's Swift files, the shared runtime
# (guests/rt/*.swift), the ISA/SBI numbers (Sources/RISCV/*.swift) and the FDT reader
# (Sources/FirmwareKit/*.swift) as one whole-module compile for riscv64-none-none-eabi
# (rv64imac, lp64), plus the runtime's start.S and runtime.c and the shared bare-metal libc
# (tools/rt/libc.c, built as firmware.sh builds it), linked by ld.lld with linker/guest.ld
# (S-mode payloads at 0x8020_0000). A guest may also have assembly of its own
# (guests/<name>/*.S, e.g. hostile's attacks.S): each file is assembled like start.S and
# linked after the guest's object.
# Usage: tools/build/guests.sh [GUEST...]   (default: every guest)
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

RT="$ROOT/guests/rt"
DST="$OUT/guests"
OBJ="$DST/obj"
LDSCRIPT="$ROOT/linker/guest.ld"
SELF="$ROOT/tools/build/guests.sh"
UNICODE_TABLES="$TC/../lib/swift/embedded/riscv64-none-none-eabi/libswiftUnicodeDataTables.a"
mkdir -p "$OBJ"

GUESTS=("$@"); [ ${#GUESTS[@]} -gt 0 ] || GUESTS=(hello ticker crash bench smp hostile pager mmubench disk dom0)

FDT_SOURCES=("$ROOT/Sources/FirmwareKit"/*.swift)
[ -f "${FDT_SOURCES[0]}" ] || { echo "guests: Sources/FirmwareKit/*.swift (the FDT reader) is missing" >&2; exit 1; }
RISCV_SOURCES=("$ROOT/Sources/RISCV"/*.swift)
[ -f "${RISCV_SOURCES[0]}" ] || { echo "guests: Sources/RISCV/*.swift (the SBI and CSR numbers) is missing" >&2; exit 1; }
LIBC="$ROOT/tools/rt/libc.c"
RT_SOURCES=("$RT"/*.swift)
SHIM=("$RT/Shim/guest.h" "$RT/Shim/module.modulemap" "${RT_HEADERS[@]}")

ASM_FLAGS=(--target=riscv64-unknown-none-elf -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -I "$ROOT/tools/rt" -I "$RT")
# The runtime's assembly headers (frame.h: the GPR save and load of a trap frame), for
# start.S and for a guest's own .S files.
RT_ASM_HEADERS=("$RT"/*.h)
SWIFT_FLAGS=("${EMBEDDED_SWIFT_FLAGS[@]}" -I "$RT/Shim")

# Shared runtime objects.
if needs_rebuild "$OBJ/start.o" "$RT/start.S" "${RT_HEADERS[@]}" "${RT_ASM_HEADERS[@]}" "$SELF"; then
  "$CLANG" "${ASM_FLAGS[@]}" -c "$RT/start.S" -o "$OBJ/start.o"
fi
if needs_rebuild "$OBJ/runtime.o" "$RT/runtime.c" "$SELF"; then
  "$CLANG" "${RV_CFLAGS[@]}" -ffunction-sections -Wall -Wextra -Werror -c "$RT/runtime.c" -o "$OBJ/runtime.o"
fi
# The shared bare-metal libc (memory routines, the allocator over [__heap_start, __heap_end),
# arc4random_buf), compiled once for all guests with the flags firmware.sh uses for it.
if needs_rebuild "$OBJ/libc.o" "$LIBC" "$SELF"; then
  "$CLANG" "${RV_CFLAGS[@]}" -ffunction-sections -Wall -Wextra -Werror -c "$LIBC" -o "$OBJ/libc.o"
fi
# Lint the shim: swiftc silently drops inline asm it cannot assemble (EMBEDDED.md pitfall 1).
# With `static inline` defined away every helper is emitted, so clang assembles each one.
if needs_rebuild "$OBJ/shim-lint.o" "${SHIM[@]}" "$SELF"; then
  "$CLANG" "${RV_CFLAGS[@]}" -Wall -Werror -Dstatic= -Dinline= -x c -c "$RT/Shim/guest.h" -o "$OBJ/shim-lint.o"
fi

for guest in "${GUESTS[@]}"; do
  src="$ROOT/guests/$guest"
  [ -d "$src" ] || { echo "guests: no such guest '$guest'" >&2; exit 2; }
  # A guest may say in guests/<name>/build.conf (sourced) that it links with another
  # script (LDSCRIPT) or compiles more shared sources in (EXTRA_SOURCES): Dom0 does both.
  guest_ld="$LDSCRIPT"
  extra=()
  conf="$src/build.conf"
  if [ -f "$conf" ]; then
    LDSCRIPT_SAVED="$LDSCRIPT"; EXTRA_SOURCES=()
    # shellcheck source=/dev/null
    source "$conf"
    guest_ld="$LDSCRIPT"; LDSCRIPT="$LDSCRIPT_SAVED"; extra=("${EXTRA_SOURCES[@]}")
  fi
  sources=("$src"/*.swift "${RT_SOURCES[@]}" "${RISCV_SOURCES[@]}" "${FDT_SOURCES[@]}" ${extra[@]+"${extra[@]}"})
  module="$(echo "${guest:0:1}" | tr a-z A-Z)${guest:1}"
  if needs_rebuild "$OBJ/$guest.o" "${sources[@]}" "${SHIM[@]}" "$SELF" ${conf:+$( [ -f "$conf" ] && echo "$conf")}; then
    "$SWIFTC" "${SWIFT_FLAGS[@]}" -module-name "$module" -c "${sources[@]}" -o "$OBJ/$guest.o"
  fi
  guest_asm=()
  for asm in "$src"/*.S; do
    [ -f "$asm" ] || continue
    asm_obj="$OBJ/$guest-$(basename "$asm" .S).o"
    if needs_rebuild "$asm_obj" "$asm" "${RT_HEADERS[@]}" "${RT_ASM_HEADERS[@]}" "$SELF"; then
      "$CLANG" "${ASM_FLAGS[@]}" -c "$asm" -o "$asm_obj"
    fi
    guest_asm+=("$asm_obj")
  done
  objs=("$OBJ/start.o" "$OBJ/$guest.o" ${guest_asm[@]+"${guest_asm[@]}"} "$OBJ/runtime.o" "$OBJ/libc.o")
  if needs_rebuild "$DST/$guest.elf" "${objs[@]}" "$guest_ld" "$SELF"; then
    "$LLD" -T "$guest_ld" --gc-sections -o "$DST/$guest.elf" "${objs[@]}" "$UNICODE_TABLES"
  fi
  echo "guests: $DST/$guest.elf"
done
