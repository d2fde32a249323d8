/*
 * Zihpm (unpriv. "Zihpm"; priv. "Hardware Performance Monitor", "mcounteren",
 * "scounteren", H "hcounteren"): mhpmcounter3 holds what M writes (no event counts on
 * this board, nor on QEMU 7.2 without an event selected), hpmcounter3 reads it from
 * S/U/VS/VU subject to mcounteren, scounteren and hcounteren: illegal when mcounteren
 * (or, from U, scounteren) denies it, virtual when hcounteren (or from VU scounteren) does.
 *   1-2   mhpmcounter3 write/read, mcountinhibit bit 3
 *   3-5   S: illegal, then readable
 *   6-7   U: illegal under scounteren, then readable
 *   8-10  VS: virtual under hcounteren, then readable; VU: virtual under scounteren
 */
#include "h.h"
#include "rva22.h"

#define VAL 0x123456789

TEST_BEGIN hpm
    li t0, VAL
    csrw CSR_MHPMCOUNTER3, t0
    csrr t1, CSR_MHPMCOUNTER3
    CHECK_EQ t1, VAL, 1
    li t0, 8
    csrs CSR_MCOUNTINHIBIT, t0
    csrr t1, CSR_MCOUNTINHIBIT
    CHECK_MASK t1, 8, 8, 2
    csrw CSR_MCOUNTINHIBIT, zero
    csrw mcounteren, zero
    csrw scounteren, zero
    csrw CSR_HCOUNTEREN, zero
    TO_HS
    CHECK_ILLEGAL 3, csrr t1, CSR_HPMCOUNTER3
    TO_M
    li t0, 8
    csrw mcounteren, t0
    TO_HS
    csrr t1, CSR_HPMCOUNTER3
    CHECK_EQ t1, VAL, 4
    CHECK_ILLEGAL 5, csrr t1, 0xC04     /* hpmcounter4: mcounteren[4] = 0 */
    S_TO_U
    CHECK_ILLEGAL 6, csrr t1, CSR_HPMCOUNTER3
    TO_M
    li t0, 8
    csrw scounteren, t0
    TO_U
    csrr t1, CSR_HPMCOUNTER3
    CHECK_EQ t1, VAL, 7
    TO_M
    TO_VS
    CHECK_VIRTUAL 8, csrr t1, CSR_HPMCOUNTER3
    TO_M
    li t0, 8
    csrw CSR_HCOUNTEREN, t0
    TO_VS
    csrr t1, CSR_HPMCOUNTER3
    CHECK_EQ t1, VAL, 9
    TO_M
    csrw scounteren, zero
    TO_VU
    CHECK_VIRTUAL 10, csrr t1, CSR_HPMCOUNTER3
    TO_M
    PASS
