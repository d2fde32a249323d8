/* An S-mode payload for firmware boot tests (--bios FW --kernel this): prints through the
 * SBI legacy console (EID 0x01), reports a0 (hart id) and whether a1 points at a device tree
 * (magic 0xd00dfeed), then powers off through SBI SRST (EID "SRST", shutdown), falling back
 * to the legacy shutdown call. Linked at 0x8020_0000, where QEMU virt puts the kernel. */
    .section .text.init
    .globl _start
_start:
    la   sp, __stack_top
    mv   s0, a0                 /* hart id */
    mv   s1, a1                 /* DTB address */
    la   a0, hello
    call puts
    la   a0, hartmsg
    call puts
    addi a0, s0, '0'
    call putc
    li   a0, '\n'
    call putc
    lwu  t0, 0(s1)              /* FDT magic, stored big-endian */
    li   t1, 0xedfe0dd0
    la   a0, dtbbad
    bne  t0, t1, 1f
    la   a0, dtbok
1:  call puts
    li   a7, 0x53525354         /* SRST */
    li   a6, 0                  /* system_reset */
    li   a0, 0                  /* shutdown */
    li   a1, 0                  /* no reason */
    ecall
    li   a7, 8                  /* legacy shutdown */
    ecall
2:  wfi
    j    2b

putc:                           /* a0 = character */
    li   a7, 1
    ecall
    ret

puts:                           /* a0 = NUL-terminated string */
    addi sp, sp, -16
    sd   ra, 8(sp)
    sd   s2, 0(sp)
    mv   s2, a0
3:  lbu  a0, 0(s2)
    beqz a0, 4f
    call putc
    addi s2, s2, 1
    j    3b
4:  ld   s2, 0(sp)
    ld   ra, 8(sp)
    addi sp, sp, 16
    ret

    .section .rodata
hello:   .string "vireo payload: hello from S-mode\n"
hartmsg: .string "vireo payload: hart "
dtbok:   .string "vireo payload: a1 points at a device tree\n"
dtbbad:  .string "vireo payload: a1 does not point at a device tree\n"
