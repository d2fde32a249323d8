/*
 * Encodings for the RVA22S64 programs (Tests/programs-rva22) that the assembler is not
 * asked to know: .insn forms, so the suite builds for plain rv64imac(+h).
 *
 * CMO spec (Zicbom/Zicboz 1.0): CBO.* are MISC-MEM (0x0F), funct3 = 2, rd = 0,
 * imm = 0 INVAL, 1 CLEAN, 2 FLUSH, 4 ZERO; rs1 = the address.
 * Svinval (priv. "Svinval"): SYSTEM (0x73), funct3 = 0, rd = 0; funct7 0x0B SINVAL.VMA,
 * 0x0C SFENCE.W.INVAL (rs2 = 0) / SFENCE.INVAL.IR (rs2 = 1), 0x13 HINVAL.VVMA,
 * 0x33 HINVAL.GVMA.
 */
#ifndef VIREO_RVA22_H
#define VIREO_RVA22_H

#define CBO_INVAL(r)   .insn i 0x0F, 2, x0, r, 0
#define CBO_CLEAN(r)   .insn i 0x0F, 2, x0, r, 1
#define CBO_FLUSH(r)   .insn i 0x0F, 2, x0, r, 2
#define CBO_ZERO(r)    .insn i 0x0F, 2, x0, r, 4
#define SINVAL_VMA(a, b)  .insn r 0x73, 0, 0x0B, x0, a, b
#define HINVAL_VVMA(a, b) .insn r 0x73, 0, 0x13, x0, a, b
#define HINVAL_GVMA(a, b) .insn r 0x73, 0, 0x33, x0, a, b
#define SFENCE_W_INVAL    .insn r 0x73, 0, 0x0C, x0, x0, x0
#define SFENCE_INVAL_IR   .insn r 0x73, 0, 0x0C, x0, x0, x1

#define SATP_MODE_SV57    (10 << 60)
#define HGATP_MODE_SV57X4 (10 << 60)

#define PTE_N             (1 << 63)
#define PTE_PBMT_NC       (1 << 61)
#define PTE_PBMT_IO       (2 << 61)
#define PTE_PBMT_RSV      (3 << 61)

#define ENVCFG_CBIE_FLUSH (1 << 4)
#define ENVCFG_CBIE_INVAL (3 << 4)
#define ENVCFG_CBIE       (3 << 4)
#define ENVCFG_CBCFE      (1 << 6)
#define ENVCFG_CBZE       (1 << 7)
#define ENVCFG_PBMTE      (1 << 62)

#define CSR_HPMCOUNTER3   0xC03
#define CSR_MHPMCOUNTER3  0xB03
#define CSR_MHPMEVENT3    0x323

#endif
