/* One ALU instruction checked against a precomputed result (the generated bit-manipulation
 * programs, Tests/programs-rva22-unpriv/bref.py): operands in a1/a2, result in a3, all 64
 * bits compared by CHECK_EQ (test.h) as check number n. */
.macro T_RR op, a, b, exp, n
    li a1, \a
    li a2, \b
    \op a3, a1, a2
    CHECK_EQ a3, \exp, \n
.endm

.macro T_R op, a, exp, n
    li a1, \a
    \op a3, a1
    CHECK_EQ a3, \exp, \n
.endm

.macro T_RI op, a, imm, exp, n
    li a1, \a
    \op a3, a1, \imm
    CHECK_EQ a3, \exp, \n
.endm
