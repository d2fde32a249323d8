/* The Vireo firmware: M-mode, loaded at the start of DRAM (QEMU virt -bios / vireo --bios).
   Everything it owns lies in [__fw_start, __fw_end): code, data, bss, the hart stacks, the
   heap (domain state) and the G-stage page-table pool [__pt_start, __pt_end). PMP denies
   [__fw_start, __pt_start) to every mode below M and makes the pool read-only to them. The
   end is 2 MiB aligned, so boot modules the board places after the image never share a
   megapage with the firmware. (Alignment goes inside the section statements: with MEMORY
   regions ld.lld ignores a bare ". = ALIGN()" between sections.) This file goes through the C
   preprocessor (tools/build/firmware.sh) for the sizes in firmware/arch/Shim/layout.h. */
#include "layout.h"
OUTPUT_ARCH(riscv)
ENTRY(_start)
MEMORY { RAM (rwx) : ORIGIN = 0x80000000, LENGTH = FW_IMAGE_SIZE }
SECTIONS {
  /* swiftc writes a per-build hash here; dropping it keeps builds reproducible. */
  /DISCARD/ : { *(.swift_modhash) }
  .text : { __fw_start = .; *(.text.init) *(.text .text.*) } > RAM
  .rodata : ALIGN(16) { *(.rodata .rodata.* .srodata .srodata.*) } > RAM
  .data : ALIGN(0x1000) { *(.data .data.* .sdata .sdata.*) *(.got .got.*) } > RAM
  .bss (NOLOAD) : ALIGN(16) { __bss_start = .; *(.bss .bss.* .sbss .sbss.* COMMON) __bss_end = .; } > RAM
  .stacks (NOLOAD) : ALIGN(0x1000) { . = . + FW_MAX_HARTS * FW_STACK_SIZE; __stack_top = .; } > RAM
  .heap (NOLOAD) : ALIGN(0x1000) { __heap_start = .; . = ORIGIN(RAM) + LENGTH(RAM) - FW_PT_POOL_SIZE; __heap_end = .; } > RAM
  /* G-stage page tables: the hart's G-stage walks are S-level accesses that PMP checks
     (Priv. §3.7.1), so this pool is readable below M; no guest maps it. */
  .pagetables (NOLOAD) : ALIGN(0x4000) { __pt_start = .; . = ORIGIN(RAM) + LENGTH(RAM); __pt_end = .; __fw_end = .; } > RAM
}
