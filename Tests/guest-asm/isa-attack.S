/* The ISA review's attacks on the RVA22 extensions a guest now has (Zicbom/Zicboz,
   Svinval, Svnapot, Svpbmt, Sv48/Sv57, Zihpm), from VS and VU, one line each:
   "NAME: no trap" or "NAME: scause=0x… stval=0x…". Run with mem=32M (RAM is guest-physical
   0x8000_0000-0x8200_0000). Every CBO outside RAM must come back as an access fault (the
   G-stage misses it), every one inside must work, HS-only instructions and counters the
   firmware keeps closed must trap, and the guest goes on to "done" and shuts down. */
#include "console.inc"
#include "guest.inc"

#define RAM_END  0x82000000
#define LEAF     0xCF                  /* V R W X A D */
#define N_BIT    (1 << 63)
#define PBMT_IO  (2 << 61)
#define PBMT_RSV (3 << 61)

/* CBO function fn (0 inval, 1 clean, 2 flush, 4 zero) at addr, from VS */
.macro CBO fn, addr, name
  li s0, \addr
  CLEAR_LAST_CAUSE
  .insn i 0x0F, 2, x0, s0, \fn
  REPORT "\name"
.endm

/* the same from VU: the VS handler returns to 8f on the VU ecall that follows */
.macro UCBO fn, addr, name
  li s0, \addr
  CLEAR_LAST_CAUSE
  la s11, 8f
  SRET_TO_U 7f
7: .insn i 0x0F, 2, x0, s0, \fn
  ecall
8: REPORT "\name"
.endm

/* a 32-bit instruction word, from VS and from VU */
.macro INSN word, name
  CLEAR_LAST_CAUSE
  .word \word
  REPORT "\name"
.endm

.macro UINSN word, name
  CLEAR_LAST_CAUSE
  la s11, 8f
  SRET_TO_U 7f
7: .word \word
  ecall
8: REPORT "\name"
.endm

  GUEST_START
  la a0, hello
  call puts

  /* 1. VS, MMU off: CBO at guest-physical addresses around and outside its RAM */
  CBO 4, 0x80300000, "vs cbo.zero own RAM"
  CBO 4, 0x81FFFFC0, "vs cbo.zero last block of RAM"
  CBO 4, RAM_END, "vs cbo.zero RAM end"
  CBO 4, 0x7FFFFFC0, "vs cbo.zero below RAM"
  CBO 4, 0x00000000, "vs cbo.zero 0x0"
  CBO 4, 0x00001000, "vs cbo.zero boot ROM"
  CBO 4, 0x00100000, "vs cbo.zero test finisher"
  CBO 4, 0x02000000, "vs cbo.zero CLINT msip"
  CBO 4, 0x02004000, "vs cbo.zero CLINT mtimecmp"
  CBO 4, 0x0C000000, "vs cbo.zero PLIC"
  CBO 4, 0x0C200000, "vs cbo.zero PLIC context"
  CBO 4, 0x10000000, "vs cbo.zero UART"
  CBO 4, 0x10001000, "vs cbo.zero virtio slot 0"
  CBO 4, 0x88000000, "vs cbo.zero 0x88000000"
  CBO 4, 0x200000000, "vs cbo.zero 0x200000000"
  CBO 4, 0x1FFFFFFFFC0, "vs cbo.zero top of Sv39x4"
  CBO 4, 0x20000000000, "vs cbo.zero beyond Sv39x4"
  CBO 4, 0xFFFFFFFFFFFFFFC0, "vs cbo.zero 0xffffffffffffffc0"
  CBO 1, 0x10000000, "vs cbo.clean UART"
  CBO 2, 0x0C000000, "vs cbo.flush PLIC"
  CBO 0, 0x02000000, "vs cbo.inval CLINT"
  CBO 0, RAM_END, "vs cbo.inval RAM end"
  CBO 2, 0x20000000000, "vs cbo.flush beyond Sv39x4"
  CBO 0, 0x80300000, "vs cbo.inval own RAM"

  /* 2. VU, MMU off: without senvcfg's enables, then with them */
  csrw senvcfg, zero
  UCBO 4, 0x80300000, "vu cbo.zero, senvcfg 0"
  UCBO 2, 0x80300000, "vu cbo.flush, senvcfg 0"
  UCBO 0, 0x80300000, "vu cbo.inval, senvcfg 0"
  li t0, 0xD0                          /* CBZE, CBCFE, CBIE = 01 */
  csrw senvcfg, t0
  UCBO 4, 0x80300000, "vu cbo.zero own RAM"
  UCBO 4, RAM_END, "vu cbo.zero RAM end"
  UCBO 4, 0x10000000, "vu cbo.zero UART"
  UCBO 0, 0x0C000000, "vu cbo.inval PLIC"

  /* 3. Svinval and the fences from VS and VU */
  INSN 0x16000073, "vs sinval.vma"
  INSN 0x18000073, "vs sfence.w.inval"
  INSN 0x18100073, "vs sfence.inval.ir"
  INSN 0x26000073, "vs hinval.vvma"
  INSN 0x66000073, "vs hinval.gvma"
  INSN 0x22000073, "vs hfence.vvma"
  UINSN 0x16000073, "vu sinval.vma"
  UINSN 0x18000073, "vu sfence.w.inval"
  UINSN 0x18100073, "vu sfence.inval.ir"
  UINSN 0x26000073, "vu hinval.vvma"
  UINSN 0x66000073, "vu hinval.gvma"

  /* 4. Zihpm: the counters and their controls */
  INSN 0xC0002573, "vs csrr cycle"
  INSN 0xC0302573, "vs csrr hpmcounter3"
  INSN 0xC1F02573, "vs csrr hpmcounter31"
  INSN 0xC0351073, "vs csrw hpmcounter3"
  INSN 0xB0302573, "vs csrr mhpmcounter3"
  INSN 0x32302573, "vs csrr mhpmevent3"
  INSN 0x32002573, "vs csrr mcountinhibit"
  INSN 0x10602573, "vs csrr scounteren"
  li t0, -1
  csrw scounteren, t0
  UINSN 0xC0302573, "vu csrr hpmcounter3"
  UINSN 0xC1002573, "vu csrr hpmcounter16"

  /* 5. VS-stage tables crafted to point anywhere (Sv39, Sv48, Sv57; NAPOT; PBMT) */
  call build_tables
  SATP_ON t2root, 8                    /* vsatp = mode | root (ASID 0), then a full fence */
  CBO 4, 0x80300000, "sv39 cbo.zero identity RAM"
  CBO 4, 0x40000000, "sv39 cbo.zero -> gpa 0x0"
  CBO 4, 0x42000000, "sv39 cbo.zero -> gpa CLINT"
  CBO 4, 0x50000000, "sv39 cbo.zero -> gpa UART"
  CBO 4, 0xC0000000, "sv39 cbo.zero -> gpa 0x200000000"
  CBO 4, 0x100000000, "sv39 napot cbo.zero -> gpa RAM end"
  CBO 4, 0x10000F000, "sv39 napot cbo.zero -> gpa RAM end + 0xf000"
  CBO 1, 0x100008000, "sv39 napot cbo.clean -> gpa RAM end + 0x8000"
  CBO 4, 0x100010000, "sv39 napot cbo.zero -> gpa 0x81ff0000"
  CBO 4, 0x10001F000, "sv39 napot cbo.zero -> gpa 0x81fff000"
  CBO 4, 0x100020000, "sv39 napot ppn[3:0]=0 cbo.zero"
  CBO 4, 0x140300000, "sv39 pbmt=io cbo.zero -> gpa 0x80300000"
  CBO 4, 0x180300000, "sv39 pbmt=3 cbo.zero"
  CBO 4, 0x1C0000000, "sv39 cbo.zero -> gpa 1<<50"
  CBO 4, 0x8000000000, "sv39 cbo.zero non-canonical"
  SATP_ON t3root, 9
  CBO 4, 0x80300000, "sv48 cbo.zero identity RAM"
  CBO 4, 0x100000000, "sv48 napot cbo.zero -> gpa RAM end"
  CBO 4, 0x800000000000, "sv48 cbo.zero non-canonical"
  CBO 4, 0x8000000000, "sv48 cbo.zero unmapped"
  SATP_ON t4root, 10
  CBO 4, 0x80300000, "sv57 cbo.zero identity RAM"
  CBO 4, 0x42000000, "sv57 cbo.zero -> gpa CLINT"
  CBO 4, 0x100010000, "sv57 napot cbo.zero -> gpa 0x81ff0000"
  CBO 4, 0x100000000, "sv57 napot cbo.zero -> gpa RAM end"
  CBO 4, 0x100000000000000, "sv57 cbo.zero non-canonical"
  CBO 4, 0xFF00000000000000, "sv57 cbo.zero unmapped"
  csrw satp, zero
  sfence.vma

  la a0, done
  call puts
  SHUTDOWN

/* Every trap but the VU ecall: record scause and stval, skip the (4-byte) instruction;
   the VU ecall: back to VS at s11. */
  .align 2
trap:
  RECORD_TRAP_SKIP4

/* a0 = name: "NAME: no trap\n" or "NAME: scause=0x… stval=0x…\n" */
  REPORT_ROUTINE

  PUTHEX64_ROUTINE

/* t2root (Sv39 root, also level 2 of Sv48/Sv57 through t3root and t4root):
     [1] 0x4000_0000  -> gpa 0x0 (1 GiB)        [2] 0x8000_0000 -> identity (1 GiB)
     [3] 0xC000_0000  -> gpa 0x2_0000_0000       [4] 0x1_0000_0000 -> t1 -> t0 (4 KiB leaves)
     [5] 0x1_4000_0000 -> gpa 0x8000_0000, PBMT = IO   [6] 0x1_8000_0000 -> the same, PBMT = 3
     [7] 0x1_C000_0000 -> gpa 1 << 50
   t0: [0-15] NAPOT -> gpa 0x8200_0000 (RAM end), [16-31] NAPOT -> 0x81ff_0000,
       [32] N with ppn[3:0] = 0 (reserved) */
build_tables:
  la a0, t2root
  li t1, LEAF
  sd t1, 8(a0)
  li t1, (0x80000 << 10) | LEAF
  sd t1, 16(a0)
  li t1, (0x200000 << 10) | LEAF
  sd t1, 24(a0)
  TABLE_PTE t1, t1table
  sd t1, 32(a0)
  li t1, (0x80000 << 10) | LEAF | PBMT_IO
  sd t1, 40(a0)
  li t1, (0x80000 << 10) | LEAF | PBMT_RSV
  sd t1, 48(a0)
  li t1, ((1 << 38) << 10) | LEAF
  sd t1, 56(a0)
  la a0, t1table
  TABLE_PTE t1, t0table
  sd t1, 0(a0)
  la a0, t0table
  li t1, ((0x82000 | 8) << 10) | LEAF | N_BIT
  li t2, 16
1:sd t1, 0(a0)
  addi a0, a0, 8
  addi t2, t2, -1
  bnez t2, 1b
  li t1, ((0x81FF0 | 8) << 10) | LEAF | N_BIT
  li t2, 16
1:sd t1, 0(a0)
  addi a0, a0, 8
  addi t2, t2, -1
  bnez t2, 1b
  li t1, (0x81FF0 << 10) | LEAF | N_BIT
  sd t1, 0(a0)
  /* Sv48: root[0] -> t2root; Sv57: root[0] -> t3root */
  la a0, t3root
  TABLE_PTE t1, t2root
  sd t1, 0(a0)
  la a0, t4root
  TABLE_PTE t1, t3root
  sd t1, 0(a0)
  ret

  CONSOLE_ROUTINES

  .section .rodata
hello: .asciz "isa-attack: start\n"
done: .asciz "isa-attack: done\n"
sep: .asciz ": "
notrap: .asciz "no trap"
s_cause: .asciz "scause="
s_tval: .asciz " stval="

  .bss
  .align 12
t2root: .space 4096
t1table: .space 4096
t0table: .space 4096
t3root: .space 4096
t4root: .space 4096
  .align 4
last_cause: .space 16
  .space 4096
stack_top:
