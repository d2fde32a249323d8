/* Four harts (run with --harts 4, or QEMU -smp 4). Every hart adds 1 to a shared counter
 * 2000 times with an LR/SC loop and 2000 times with AMOADD; hart 0 waits for all, checks
 * both totals, then sends each other hart an IPI (CLINT msip); they take the machine
 * software interrupt in WFI, clear their msip and acknowledge with an AMO. */
#define HARTS     4
#define ROUNDS    2000
#define UART      0x10000000
#define CLINT     0x02000000
#define FINISHER  0x100000

    .section .text.init
    .globl _start
_start:
    csrr s0, mhartid
    la   sp, __stack_top
    slli t0, s0, 12
    sub  sp, sp, t0                 /* 4 KiB of stack per hart */
    li   t0, HARTS
    bgeu s0, t0, park
    li   s1, ROUNDS
1:  la   t0, counter_lrsc
2:  lr.d t1, (t0)
    addi t1, t1, 1
    sc.d t2, t1, (t0)
    bnez t2, 2b
    la   t0, counter_amo
    li   t1, 1
    amoadd.d zero, t1, (t0)
    addi s1, s1, -1
    bnez s1, 1b
    la   t0, finished
    li   t1, 1
    amoadd.d zero, t1, (t0)
    bnez s0, secondary

    /* hart 0: wait for everyone, check the totals */
    la   t0, finished
    li   t2, HARTS
3:  ld   t1, 0(t0)
    bne  t1, t2, 3b
    li   t2, HARTS * ROUNDS
    la   t0, counter_lrsc
    ld   t1, 0(t0)
    li   a0, 1
    bne  t1, t2, fail
    la   t0, counter_amo
    ld   t1, 0(t0)
    li   a0, 2
    bne  t1, t2, fail
    la   a0, msg_count
    call puts
    /* IPIs to harts 1..HARTS-1 once each is waiting */
    la   t0, waiting
    li   t2, HARTS - 1
4:  ld   t1, 0(t0)
    bne  t1, t2, 4b
    li   t3, 1
5:  li   t0, CLINT
    slli t1, t3, 2
    add  t0, t0, t1
    li   t1, 1
    sw   t1, 0(t0)
    addi t3, t3, 1
    li   t1, HARTS
    bne  t3, t1, 5b
    la   t0, acks
    li   t2, HARTS - 1
6:  ld   t1, 0(t0)
    bne  t1, t2, 6b
    la   a0, msg_ipi
    call puts
    li   t0, FINISHER
    li   t1, 0x5555
    sw   t1, 0(t0)
7:  j    7b

secondary:
    la   t0, ipi
    csrw mtvec, t0
    li   t0, 8                      /* mie.MSIE */
    csrs mie, t0
    la   t0, waiting
    li   t1, 1
    amoadd.d zero, t1, (t0)
    csrsi mstatus, 8                /* mstatus.MIE */
8:  wfi
    j    8b

    .align 4
ipi:
    csrr t0, mcause
    li   t1, (1 << 63) | 3
    li   a0, 3
    bne  t0, t1, fail
    li   t0, CLINT
    slli t1, s0, 2
    add  t0, t0, t1
    sw   zero, 0(t0)                /* clear our msip */
    la   t0, acks
    li   t1, 1
    amoadd.d zero, t1, (t0)
    mret

fail:                               /* a0 = check number */
    li   t0, FINISHER
    slli a0, a0, 16
    li   t1, 0x3333
    or   a0, a0, t1
    sw   a0, 0(t0)
    j    fail

park:
    wfi
    j    park

putc:
    li   t0, UART
9:  lbu  t1, 5(t0)
    andi t1, t1, 0x20
    beqz t1, 9b
    sb   a0, 0(t0)
    ret

puts:
    mv   t4, a0
    mv   t5, ra
10: lbu  a0, 0(t4)
    beqz a0, 11f
    call putc
    addi t4, t4, 1
    j    10b
11: mv   ra, t5
    ret

    .section .rodata
msg_count: .string "smp4: 4 harts counted 8000 with LR/SC and 8000 with AMOADD\n"
msg_ipi:   .string "smp4: IPIs delivered to harts 1-3 and acknowledged\n"

    .section .data
    .align 6
counter_lrsc: .dword 0
    .align 6
counter_amo:  .dword 0
finished:     .dword 0
waiting:      .dword 0
acks:         .dword 0
