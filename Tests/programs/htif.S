/* HTIF (riscv-tests / Spike protocol): console output through tohost device 1 command 1,
 * then exit 0 by writing (0 << 1) | 1 to tohost. Runs on the Vireo board (which honours
 * tohost when the ELF defines it), not on QEMU virt, which has no HTIF. */
    .section .text.init
    .globl _start
_start:
    la   s0, message
1:  lbu  a0, 0(s0)
    beqz a0, 3f
    li   t0, 0x0101000000000000   /* device 1 (console), command 1 (putchar) */
    or   t0, t0, a0
    la   t1, tohost
    sd   t0, 0(t1)
2:  ld   t2, 0(t1)                /* the host clears tohost once it has the byte */
    bnez t2, 2b
    addi s0, s0, 1
    j    1b
3:  la   t1, tohost
    li   t0, 1
    sd   t0, 0(t1)
4:  j    4b

    .section .rodata
message:
    .string "HTIF console ok\n"

    .section .tohost, "aw", @progbits
    .align 6
    .globl tohost
tohost: .dword 0
    .align 6
    .globl fromhost
fromhost: .dword 0
