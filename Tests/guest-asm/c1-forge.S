/* Review finding: 8-bit C1 controls (CSI 0x9B, NEL 0x85) that terminals honouring them
   read as erase-line and next-line, to hide the [name] prefix and forge a line. The
   firmware must drop them. */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  la s0, msg
1: lbu a0, 0(s0)
  beqz a0, 2f
  li a7, 1
  ecall
  addi s0, s0, 1
  j 1b
2:
  /* SRST shutdown */
  li a7, 0x53525354
  li a6, 0
  li a0, 0
  li a1, 0
  ecall
3: j 3b
  .section .rodata
msg:
  /* 8-bit C1 CSI (0x9B) "2K" = erase line, CSI "1G" = column 1; then NEL (0x85) */
  .byte 0x9b
  .ascii "2K"
  .byte 0x9b
  .ascii "1Gvireo: domain 0 (dom0) shut down"
  .byte 0x85
  .ascii "vireo: forged after NEL\n"
  .byte 0
