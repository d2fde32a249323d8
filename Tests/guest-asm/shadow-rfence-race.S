/* Review finding (shadow mode, vireo.mmu=shadow, --harts 2, vcpus=2): an SBI remote
   SFENCE.VMA returns while the target vCPU's hart still holds the old translation.

   shadowPageFault (firmware/arch/Shadow.swift), when a walk finds a new table page,
   applies everything pending for the vCPU at once (syncShadows: the domain's log and the
   shadowStale an RFENCE set) and drops its shadows, but does not fence the hart; when the
   fault then ends in an emulated device access (or a reflected fault), nothing fences
   it later either: on the way back in syncShadows has nothing left to report, and the
   space built again for the same view reuses the root page it had, so satp is unchanged.

   vCPU 0 reads VA X (0x4000_0000) and, in between, the UART through ever new level-0
   tables (300 of them: each walk finds a table page not seen before). vCPU 1, per round,
   points X's PTE at the other of two pages (a trapped store), sends sbi_remote_sfence_vma
   to vCPU 0, and when that returns publishes the round. vCPU 0 then reads X, which must
   show the new page.

   Correct: "rfence-race: 0x00000000 stale of 0x00000040 rounds". Broken: a non-zero
   stale count (vCPU 0 read the old page after the fence had completed). */
#include "console.inc"
#include "guest.inc"

#define ROUNDS 64
#define TABLES 300
#define TBASE 0x80400000
#define XVA 0x40000000
#define MVA 0x40200000

  GUEST_START
  la a0, hello
  call puts
  /* markers */
  la t0, page1
  li t1, 0x1111
  sd t1, 0(t0)
  la t0, page2
  li t1, 0x2222
  sd t1, 0(t0)
  /* root[1] -> l1lo, root[2] -> l1hi; l1hi[1]: the image's 2 MiB identity (RWX);
     l1lo[0] -> l0x; l0x[0]: X -> page1 */
  MAP_IMAGE_AND_PAGE root, l1hi, l1lo, l0x, page1
  /* l1lo[1 + i] -> table i at TBASE + i * 4 KiB, whose entry 0 maps the UART */
  li t3, 0
  li t4, TBASE
  la t5, l1lo
  addi t5, t5, 8
  li t6, ((0x10000000 >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
1:sd t6, 0(t4)
  srli t1, t4, 12
  slli t1, t1, 10
  ori t1, t1, PTE_V
  sd t1, 0(t5)
  addi t5, t5, 8
  li t1, 4096
  add t4, t4, t1
  addi t3, t3, 1
  li t1, TABLES
  blt t3, t1, 1b
  SATP_ON
  /* start vCPU 1 */
  li a7, 0x48534D                      /* HSM hart_start(1, b_entry, 0) */
  li a6, 0
  li a0, 1
  la a1, b_entry
  li a2, 0
  ecall
  /* vCPU 0: s0 = round awaited, s1 = table index, s4 = stale reads */
  li s0, 1
  li s1, 0
  li s4, 0
  li s5, XVA
  la s6, flag
  la s7, ack
a_loop:
  ld t0, 0(s5)                         /* keeps X's translation in the hart's TLB */
  ld t1, 0(s6)
  bne t1, s0, a_mmio
  ld t0, 0(s5)                         /* after vCPU 1's fence: must be the new page */
  li t2, 0x1111
  andi t3, s0, 1
  beqz t3, 2f
  li t2, 0x2222
2:beq t0, t2, 3f
  addi s4, s4, 1
3:sd s0, 0(s7)
  addi s0, s0, 1
  li t1, ROUNDS
  bgt s0, t1, a_done
  j a_loop
a_mmio:
  li t0, MVA
  slli t1, s1, 21
  add t0, t0, t1
  lbu t2, 5(t0)                        /* UART LSR, through table s1 */
  addi s1, s1, 1
  li t1, TABLES
  blt s1, t1, a_loop
  li s1, 0
  j a_loop
a_done:
  PUT_FIELD m_res, s4
  la a0, m_of
  call puts
  li a0, ROUNDS
  call puthex
  la a0, m_rounds
  call puts
  SHUTDOWN

b_entry:
  TRAP_SETUP stack_b, trap
  SATP_ON
  li s0, 1
  la s6, flag
  la s7, ack
b_round:
  addi t0, s0, -1
5:ld t1, 0(s7)                         /* vCPU 0 has checked the last round */
  bne t1, t0, 5b
  li t0, 2000                          /* let it get back into its loop */
6:addi t0, t0, -1
  bnez t0, 6b
  la t0, l0x
  andi t2, s0, 1
  DATA_PTE t1, page1
  beqz t2, 7f
  DATA_PTE t1, page2
7:sd t1, 0(t0)                         /* X's PTE: a trapped store */
  li a7, 0x52464E43                    /* RFENCE remote_sfence_vma(mask 1, base 0, 0, -1) */
  li a6, 1
  li a0, 1
  li a1, 0
  li a2, 0
  li a3, -1
  ecall
  sd s0, 0(s6)                         /* the fence is done: publish the round */
  addi s0, s0, 1
  li t1, ROUNDS
  ble s0, t1, b_round
8:wfi
  j 8b

  .balign 4
trap:
  la a0, m_trap
  call puts
  csrr a0, scause
  call puthex
  csrr a0, stval
  call puthex
  NEWLINE
9:j 9b

  CONSOLE_ROUTINES

  .section .rodata
hello: .asciz "rfence-race: start\n"
m_res: .asciz "rfence-race: "
m_of: .asciz " stale of "
m_rounds: .asciz " rounds\n"
m_trap: .asciz "unexpected trap "

  .section .data
  .balign 8
flag: .dword 0
  .balign 64
ack: .dword 0

  .section .bss
  .balign 4096
root: .space 4096
l1lo: .space 4096
l1hi: .space 4096
l0x: .space 4096
page1: .space 4096
page2: .space 4096
  .space 16384
stack_top:
  .space 16384
stack_b:
