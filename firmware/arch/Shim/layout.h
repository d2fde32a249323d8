/* Layout constants of the Vireo firmware, the one place they are written: start.S, shim.h
   (and through it Swift) and the linker script (linker/firmware.ld.S, run through the C
   preprocessor) all include this file. Plain #defines only, so the assembler and the linker
   script can read it. FW_MAX_HARTS must equal VirtMap.maxHarts (Sources/RISCV/Board.swift);
   the firmware checks that at boot. */
#ifndef VIREO_FW_LAYOUT_H
#define VIREO_FW_LAYOUT_H

#define FW_MAX_HARTS 8
#define FW_STACK_SHIFT 14                 /* 16 KiB firmware stack per hart */
#define FW_STACK_SIZE (1 << FW_STACK_SHIFT)

/* struct vcpu_frame (shim.h) byte offsets; shim.h checks them with _Static_assert. */
#define FW_FRAME_PC 256
#define FW_FRAME_MODE 264
#define FW_FRAME_STACK 272
#define FW_FRAME_TRAPPED 280              /* mcycle when the trap was taken */
#define FW_FRAME_LOCKED 288               /* mcycle when the hypervisor lock was held */
#define FW_FRAME_SIZE 296

/* mstatus.MPV (bit 39) | mstatus.MPP (bits 12:11): the guest mode a frame resumes in. */
#define FW_MODE_MASK 0x8000001800

/* The firmware image: 2 MiB at the start of DRAM; the heap ends FW_PT_POOL_SIZE before the
   end, where the G-stage page-table pool begins. */
#define FW_IMAGE_SIZE 0x200000
#define FW_PT_POOL_SIZE 0x80000

/* The domain-name table `vireo_domain_names` (start.S, bss): FW_DOMAIN_NAME_SLOTS entries of
   FW_DOMAIN_NAME_BYTES, entry VMID % FW_DOMAIN_NAME_SLOTS holding a live domain's VMID (u64,
   0 = free) and its name (24 bytes, UTF-8, NUL-padded, cut at 23). The firmware writes an
   entry when it builds a domain and clears it when it destroys one; nothing reads it in the
   firmware. The board reads it from guest memory for `--trace-events` (decision 0015), so
   this layout is an interface: Sources/BoardCore/TraceEvents.swift has the same numbers. */
#define FW_DOMAIN_NAME_SLOTS 64
#define FW_DOMAIN_NAME_BYTES 32
#define FW_DOMAIN_NAME_MAX 23

#endif
