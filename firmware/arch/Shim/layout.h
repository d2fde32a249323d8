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
#define FW_FRAME_DEADLINE 296             /* no Sstc: the guest's SBI timer deadline (max = none) */
#define FW_FRAME_FAST_ECALL 304           /* exits the fast paths handled, by cause (start.S) */
#define FW_FRAME_FAST_LOAD 312
#define FW_FRAME_FAST_STORE 320
#define FW_FRAME_FAST_TIMER 328
#define FW_FRAME_OWNER 336                /* the VCPU object owning the frame (unretained) */
#define FW_FRAME_UART 344                 /* its domain's UART16550Registers */
#define FW_FRAME_SIZE 352

/* The fast paths (start.S, docs/fast-paths.md). fw_fast_flags: bit 0 = on (off with
   `vireo.fastpath=off`), bit 1 = the board has Sstc. Per hart, FW_FAST_HART_SIZE bytes at
   fw_fast_harts + hart * FW_FAST_HART_SIZE: the address of its mtimecmp, and the earliest
   time the machine timer must fire for anything but the loaded vCPU's own SBI deadline
   (core/Timers.swift programTimer writes it). */
#define FW_FAST_ON 1
#define FW_FAST_SSTC 2
#define FW_FAST_UART 4                    /* UART16550Registers has the byte offsets below */
/* FirmwareKit's UART16550Registers: one byte per field in declaration order (checked at
   boot, arch/FastPath.swift; FW_FAST_UART stays clear if Swift lays it out otherwise). */
#define FW_UART_LCR 0
#define FW_UART_IER 1
#define FW_UART_MCR 2
#define FW_UART_SCR 3
#define FW_UART_DLM 5
#define FW_FAST_HART_SIZE 16
#define FW_FAST_MTIMECMP 0
#define FW_FAST_NEXT 8

/* The SBI extensions the firmware implements (BASE probe_extension answers from this
   list, and the ecall fast path refuses every other EID at once). The fast path scans it
   in order, so the calls that take the full path most often come first: DBCN, legacy
   console_putchar, IPI, RFENCE, then HSM, BASE, SRST, Vireo's control extension, legacy
   console_getchar, shutdown and set_timer, and TIME (Sources/RISCV/SBI.swift has the
   names). */
#define FW_SBI_EXTENSIONS 0x4442434E, 0x01, 0x735049, 0x52464E43, 0x48534D, 0x10, 0x53525354, \
  0x0A564952, 0x02, 0x08, 0x00, 0x54494D45
#define FW_SBI_EXTENSION_COUNT 12
#define FW_SBI_TIME 0x54494D45

/* QEMU virt's UART0 and PLIC, which every domain sees emulated (vdev/VirtualUART.swift,
   vdev/VirtualPLIC.swift; VirtMap in Sources/RISCV/Board.swift has the same numbers). */
#define FW_UART_BASE 0x10000000
#define FW_UART_SIZE 0x100
#define FW_PLIC_BASE 0x0C000000
#define FW_PLIC_SIZE 0x600000

/* mstatus.MPV (bit 39) | mstatus.MPP (bits 12:11): the guest mode a frame resumes in. */
#define FW_MODE_MASK 0x8000001800

/* The firmware image: 2 MiB at the start of DRAM; the heap ends FW_PT_POOL_SIZE before the
   end, where the G-stage page-table pool begins. */
#define FW_IMAGE_SIZE 0x200000
#define FW_PT_POOL_SIZE 0xC0000

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
