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

#endif
