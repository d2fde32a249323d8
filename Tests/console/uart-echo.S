/* UART receive interrupts through the PLIC: the 16550's received-data interrupt (IER.ERBFI)
 * goes to PLIC source 10, M-mode context 0 of hart 0, then to mip.MEIP. The handler claims
 * the source, drains the FIFO echoing letters in upper case, completes the claim and
 * returns; the main loop sleeps in WFI. A newline ends the program: it prints how many
 * interrupts it took and exits through the test finisher. */
#define UART      0x10000000
#define PLIC      0x0c000000
#define FINISHER  0x100000

    .section .text.init
    .globl _start
_start:
    la   sp, __stack_top
    la   t0, trap
    csrw mtvec, t0
    li   s1, 0                      /* interrupts taken */
    li   t0, UART                   /* reset the FIFOs before anything is received */
    li   t1, 0x07                   /* FCR: FIFOs on, both cleared */
    sb   t1, 2(t0)
    la   a0, prompt
    call puts
    li   t0, PLIC + 4 * 10          /* priority of source 10 */
    li   t1, 1
    sw   t1, 0(t0)
    li   t0, PLIC + 0x2000          /* enables, context 0 (hart 0, M) */
    li   t1, 1 << 10
    sw   t1, 0(t0)
    li   t0, PLIC + 0x200000        /* threshold, context 0 */
    sw   zero, 0(t0)
    li   t0, UART
    li   t1, 0x01                   /* IER: received data available */
    sb   t1, 1(t0)
    li   t0, 1 << 11                /* mie.MEIE */
    csrs mie, t0
    csrsi mstatus, 8                /* mstatus.MIE */
1:  wfi
    j    1b

    .align 4
trap:
    csrr t0, mcause
    li   t1, (1 << 63) | 11         /* machine external interrupt */
    bne  t0, t1, fail
    addi s1, s1, 1
    li   t2, PLIC + 0x200004        /* claim */
    lw   s2, 0(t2)
    li   t1, 10
    bne  s2, t1, fail
2:  li   t0, UART
    lbu  t1, 5(t0)                  /* LSR */
    andi t1, t1, 1                  /* data ready */
    beqz t1, 3f
    lbu  a0, 0(t0)                  /* RBR */
    li   t1, '\n'
    beq  a0, t1, done
    li   t1, 'a'
    blt  a0, t1, 4f
    li   t1, 'z'
    bgt  a0, t1, 4f
    addi a0, a0, 'A' - 'a'
4:  call putc
    j    2b
3:  li   t2, PLIC + 0x200004        /* complete */
    sw   s2, 0(t2)
    mret

done:
    la   a0, count
    call puts
    addi a0, s1, '0'
    call putc
    li   a0, '\n'
    call putc
    li   t0, FINISHER
    li   t1, 0x5555
    sw   t1, 0(t0)
5:  j    5b

fail:
    li   t0, FINISHER
    li   t1, (1 << 16) | 0x3333
    sw   t1, 0(t0)
    j    fail

putc:
    li   t0, UART
6:  lbu  t1, 5(t0)
    andi t1, t1, 0x20
    beqz t1, 6b
    sb   a0, 0(t0)
    ret

puts:
    mv   t2, a0
    mv   t3, ra
7:  lbu  a0, 0(t2)
    beqz a0, 8f
    call putc
    addi t2, t2, 1
    j    7b
8:  mv   ra, t3
    ret

    .section .rodata
prompt: .string "type: "
count:  .string "\ninterrupts: "
