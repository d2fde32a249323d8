# teaching-os: entry and machine trap vector. Booted like xv6 with `-bios none`: every
# hart starts here in M-mode at 0x80000000; hart 0 runs the kernel, the others park.
        .section .text.entry
        .globl _entry
_entry:
        csrr    t0, mhartid
        bnez    t0, park
        la      sp, stack_top
        la      t0, trapvec
        csrw    mtvec, t0
        call    main
park:
        wfi
        j       park

# Saves the caller-saved registers, calls trap() in C, restores them and returns (mret).
        .align 4
        .globl trapvec
trapvec:
        addi    sp, sp, -128
        sd      ra, 0(sp)
        sd      t0, 8(sp)
        sd      t1, 16(sp)
        sd      t2, 24(sp)
        sd      a0, 32(sp)
        sd      a1, 40(sp)
        sd      a2, 48(sp)
        sd      a3, 56(sp)
        sd      a4, 64(sp)
        sd      a5, 72(sp)
        sd      a6, 80(sp)
        sd      a7, 88(sp)
        sd      t3, 96(sp)
        sd      t4, 104(sp)
        sd      t5, 112(sp)
        sd      t6, 120(sp)
        call    trap
        ld      ra, 0(sp)
        ld      t0, 8(sp)
        ld      t1, 16(sp)
        ld      t2, 24(sp)
        ld      a0, 32(sp)
        ld      a1, 40(sp)
        ld      a2, 48(sp)
        ld      a3, 56(sp)
        ld      a4, 64(sp)
        ld      a5, 72(sp)
        ld      a6, 80(sp)
        ld      a7, 88(sp)
        ld      t3, 96(sp)
        ld      t4, 104(sp)
        ld      t5, 112(sp)
        ld      t6, 120(sp)
        addi    sp, sp, 128
        mret

        .section .bss.stack
        .align 12
        .space 16384
stack_top:
