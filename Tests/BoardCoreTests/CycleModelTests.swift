import Testing
@testable import BoardCore
import RISCV

/// The cycle model of docs/cycle-model.md and CycleModel.swift.
@Suite("Cycle model (docs/cycle-model.md)")
struct CycleModelTests {
    /// Registers for the cost table: a0/a1 point at data, others are non-zero operands.
    private func board() -> TestBoard {
        let b = TestBoard()
        b[a0] = TestBoard.data
        b[a1] = TestBoard.data + 0x100
        b[a2] = 7
        b[a3] = 3
        b[sp] = TestBoard.data + 0x200
        b[s0] = TestBoard.data + 0x300
        b[s1] = TestBoard.data + 0x400
        return b
    }

    /// Documented cost of each instruction class (no traps, no TLB misses in bare M-mode).
    static let costTable: [(Piece, UInt64, String)] = [
        (.w(add(t0, a2, a3)), 1, "add"), (.w(sub(t0, a2, a3)), 1, "sub"), (.w(sll(t0, a2, a3)), 1, "sll"),
        (.w(slt(t0, a2, a3)), 1, "slt"), (.w(sltu(t0, a2, a3)), 1, "sltu"), (.w(xor(t0, a2, a3)), 1, "xor"),
        (.w(srl(t0, a2, a3)), 1, "srl"), (.w(sra(t0, a2, a3)), 1, "sra"), (.w(or(t0, a2, a3)), 1, "or"),
        (.w(and(t0, a2, a3)), 1, "and"), (.w(addi(t0, a2, 5)), 1, "addi"), (.w(slti(t0, a2, 5)), 1, "slti"),
        (.w(sltiu(t0, a2, 5)), 1, "sltiu"), (.w(xori(t0, a2, 5)), 1, "xori"), (.w(ori(t0, a2, 5)), 1, "ori"),
        (.w(andi(t0, a2, 5)), 1, "andi"), (.w(slli(t0, a2, 5)), 1, "slli"), (.w(srli(t0, a2, 5)), 1, "srli"),
        (.w(srai(t0, a2, 5)), 1, "srai"), (.w(lui(t0, 5)), 1, "lui"), (.w(auipc(t0, 5)), 1, "auipc"),
        (.w(addw(t0, a2, a3)), 1, "addw"), (.w(subw(t0, a2, a3)), 1, "subw"), (.w(sllw(t0, a2, a3)), 1, "sllw"),
        (.w(srlw(t0, a2, a3)), 1, "srlw"), (.w(sraw(t0, a2, a3)), 1, "sraw"), (.w(addiw(t0, a2, 5)), 1, "addiw"),
        (.w(slliw(t0, a2, 5)), 1, "slliw"), (.w(srliw(t0, a2, 5)), 1, "srliw"), (.w(sraiw(t0, a2, 5)), 1, "sraiw"),
        (.w(lw(t0, 0, a0)), 2, "lw"), (.w(lwu(t0, 0, a0)), 2, "lwu"), (.w(ld(t0, 0, a0)), 2, "ld"),
        (.w(lb(t0, 0, a0)), 3, "lb"), (.w(lbu(t0, 0, a0)), 3, "lbu"), (.w(lh(t0, 0, a0)), 3, "lh"),
        (.w(lhu(t0, 0, a0)), 3, "lhu"), (.w(ld(t0, 3, a0)), 2, "misaligned ld"),
        (.w(sb(a2, 0, a1)), 1, "sb"), (.w(sh(a2, 0, a1)), 1, "sh"), (.w(sw(a2, 0, a1)), 1, "sw"), (.w(sd(a2, 0, a1)), 1, "sd"),
        (.w(mul(t0, a2, a3)), 4, "mul"), (.w(mulh(t0, a2, a3)), 4, "mulh"), (.w(mulhsu(t0, a2, a3)), 4, "mulhsu"),
        (.w(mulhu(t0, a2, a3)), 4, "mulhu"), (.w(mulw(t0, a2, a3)), 4, "mulw"),
        (.w(div(t0, a2, a3)), 33, "div"), (.w(divu(t0, a2, a3)), 33, "divu"), (.w(rem(t0, a2, a3)), 33, "rem"),
        (.w(remu(t0, a2, a3)), 33, "remu"), (.w(divw(t0, a2, a3)), 33, "divw"), (.w(divuw(t0, a2, a3)), 33, "divuw"),
        (.w(remw(t0, a2, a3)), 33, "remw"), (.w(remuw(t0, a2, a3)), 33, "remuw"), (.w(div(t0, a2, zero)), 33, "div by 0"),
        (.w(lrD(t0, a0)), 4, "lr.d"), (.w(scD(t0, a2, a0)), 4, "sc.d"), (.w(amo(.add, wide: false, t0, a2, a1)), 4, "amoadd.w"),
        (.w(amo(.maxu, wide: true, t0, a2, a1)), 4, "amomaxu.d"),
        (.w(csrr(t0, CSR.mscratch)), 3, "csrr"), (.w(csrw(CSR.mscratch, a2)), 3, "csrw"), (.w(csrrsi(t0, CSR.mscratch, 1)), 3, "csrsi"),
        (.w(fence()), 1, "fence"), (.w(fenceI()), 5, "fence.i"), (.w(sfenceVma()), 5, "sfence.vma"),
        (.h(c_addi(t0, 1)), 1, "c.addi"), (.h(c_li(t0, 1)), 1, "c.li"), (.h(c_lui(t0, 1)), 1, "c.lui"),
        (.h(c_mv(t0, a2)), 1, "c.mv"), (.h(c_add(t0, a2)), 1, "c.add"), (.h(c_sub(s0, s1)), 1, "c.sub"),
        (.h(c_addw(a4, a5)), 1, "c.addw"), (.h(c_slli(t0, 3)), 1, "c.slli"), (.h(c_srli(a4, 3)), 1, "c.srli"),
        (.h(c_andi(a4, 3)), 1, "c.andi"), (.h(c_addiw(t0, 1)), 1, "c.addiw"), (.h(c_addi16sp(16)), 1, "c.addi16sp"),
        (.h(c_addi4spn(a4, 8)), 1, "c.addi4spn"),
        (.h(c_lw(a4, 0, a0)), 2, "c.lw"), (.h(c_ld(a4, 0, a0)), 2, "c.ld"), (.h(c_lwsp(t0, 0)), 2, "c.lwsp"),
        (.h(c_ldsp(t0, 0)), 2, "c.ldsp"), (.h(c_sw(a2, 0, a1)), 1, "c.sw"), (.h(c_sdsp(a2, 8)), 1, "c.sdsp"),
    ]

    @Test func everyInstructionClassCostsItsDocumentedCycles() {
        let b = board()
        for (piece, cost, what) in Self.costTable {
            b.load([piece])
            b.hart.pc = TestBoard.base
            let c0 = b.hart.cycles, i0 = b.hart.instret
            b.step()
            #expect(b.hart.cycles - c0 == cost, "\(what): \(b.hart.cycles - c0) cycles, documented \(cost)")
            #expect(b.hart.instret - i0 == 1, "\(what) retired once")
            #expect(b.hart.pc != TestBoard.mHandler, "\(what) trapped")
        }
    }

    @Test func aStraightLineBlockCostsTheSumOfItsInstructions() {
        // The same instructions as one block: charged once at entry, same total.
        let b = board()
        let pieces = Self.costTable.map(\.0)      // CSR accesses and SFENCE.VMA end blocks: several blocks
        let expected = Self.costTable.reduce(0) { $0 + $1.1 } + 1   // + the final `jal x0, +4`
        b.load(pieces + [.w(j(4)), .w(j(0))])
        b.hart.pc = TestBoard.base
        let end = TestBoard.base + UInt64(bytes(pieces).count) + 4
        let c0 = b.hart.cycles
        #expect(b.run(to: [end, TestBoard.mHandler]) == end)
        #expect(b.hart.cycles - c0 == expected)
        #expect(b.hart.instret == UInt64(Self.costTable.count + 1))
    }

    @Test func jumpsAndTheStaticBranchPredictor() {
        let b = board()
        let cases: [([Piece], UInt64, String)] = [
            ([.w(jal(ra, 8)), .w(nop)], 1, "jal"),
            ([.w(jalr(ra, a0))], 4, "jalr"),                    // a0 set below to base+8
            ([.h(c_j(4)), .h(c_nop())], 1, "c.j"),
            ([.h(c_jr(a0))], 4, "c.jr"),
            ([.h(c_jalr(a0))], 4, "c.jalr"),
            ([.w(beq(zero, zero, 8)), .w(nop)], 1 + 3, "forward taken: mispredicted"),
            ([.w(bne(zero, zero, 8)), .w(nop)], 1, "forward not taken: predicted"),
            ([.h(c_beqz(s1, 4)), .h(c_nop())], 1 + 3, "c.beqz forward taken"),
            ([.h(c_bnez(s1, 4)), .h(c_nop())], 1, "c.bnez forward not taken"),
        ]
        for (pieces, cost, what) in cases {
            b.load(pieces)
            b[a0] = TestBoard.base + 8
            b[s1] = 0
            b.hart.pc = TestBoard.base
            let c0 = b.hart.cycles
            b.step()
            #expect(b.hart.cycles - c0 == cost, "\(what): \(b.hart.cycles - c0)")
        }
        // Backward branches: taken is predicted, not taken is mispredicted.
        let back: [(UInt32, UInt64, UInt64, String)] = [
            (beq(zero, zero, -4), 1, 0, "backward taken: predicted"),
            (bne(zero, zero, -4), 1 + 3, 8, "backward not taken: mispredicted"),
            (bltu(zero, a2, -4), 1, 0, "bltu backward taken"),
            (bge(zero, a2, -4), 1 + 3, 8, "bge backward not taken"),
        ]
        for (w, cost, next, what) in back {
            b.load([nop, w])
            b.hart.pc = TestBoard.base + 4
            let c0 = b.hart.cycles
            b.step()
            #expect(b.hart.cycles - c0 == cost, "\(what): \(b.hart.cycles - c0)")
            #expect(b.hart.pc == TestBoard.base + next)
        }
    }

    @Test func loopTotalsInBlockMode() {
        // 10 iterations: body addi, mul, bne backward (taken 9 times, not taken once).
        let b = board()
        b[t1] = 10
        let c0 = b.hart.cycles
        b.runProgram([
            addi(t1, t1, -1),            // loop: 1
            mul(t2, t1, t1),             //       4
            bne(t1, zero, -8),           //       1 (+3 when not taken at the end)
            j(4),                        //       1, then the final j . is a block entry
        ])
        #expect(b.hart.cycles - c0 == 10 * (1 + 4 + 1) + 3 + 1)
        #expect(b.hart.instret == 10 * 3 + 1)
    }

    @Test func deviceAccessCostsExtra() {
        let b = board()
        b[a4] = VirtMap.uart0
        b[a5] = VirtMap.clint + 0xBFF8
        let cases: [(UInt32, UInt64, String)] = [
            (lbu(t0, 5, a4), 3 + 10, "lbu from the UART"),
            (sb(a2, 7, a4), 1 + 10, "sb to the UART"),
            (ld(t0, 0, a5), 2 + 10, "ld mtime"),
        ]
        for (w, cost, what) in cases {
            b.load([w])
            b.hart.pc = TestBoard.base
            let c0 = b.hart.cycles
            b.step()
            #expect(b.hart.cycles - c0 == cost, "\(what): \(b.hart.cycles - c0)")
        }
    }

    @Test func interruptEntryAndXRET() {
        let b = board()
        b.hart.mie = Interrupt.MSIP
        b.hart.mstatus |= Mstatus.MIE
        b.bus.clint.msip[0] = true
        let c0 = b.hart.cycles
        #expect(b.hart.checkInterrupts())
        #expect(b.hart.cycles - c0 == CycleModel.trapEntry)
        #expect(CycleModel.trapEntry == 5)
        // mret back: 5.
        b.bus.clint.msip[0] = false
        b.load([mret()])
        b.hart.mepc = TestBoard.base + 0x40
        b.hart.pc = TestBoard.base
        let c1 = b.hart.cycles
        b.step()
        #expect(b.hart.pc == TestBoard.base + 0x40)
        #expect(b.hart.cycles - c1 == 5)
        // wfi: 1, then the hart waits.
        b.load([wfi()])
        b.hart.pc = TestBoard.base
        let c2 = b.hart.cycles
        b.step()
        #expect(b.hart.cycles - c2 == 1 && b.hart.waitingForInterrupt)
    }

    /// docs/cycle-model.md: "ecall, ebreak | 5" and "trap entry … on top of the instruction | 5".
    /// The interpreter's catch handler refunds the faulting instruction's own cost
    /// (Hart+Execute.swift, `cycles &-= ip.pointee.tick >> 12`), so ECALL and EBREAK cost 5 in
    /// total (their table entry can never apply) and an illegal instruction 5 instead of 6.
    @Test
    func exceptionCostsTheInstructionPlusTrapEntry() {
        for stepping in [false, true] {
            for (w, cost, what) in [(ecall(), UInt64(5 + 5), "ecall"), (ebreak(), 5 + 5, "ebreak"), (0xFFFF_FFFF, 1 + 5, "illegal")] {
                let b = board()
                b.runProgram([nop, w], stepping: stepping)
                #expect(b.hart.pc == TestBoard.mHandler)
                #expect(b.hart.cycles == 1 + cost, "\(what), stepping \(stepping): \(b.hart.cycles - 1) cycles after the nop")
            }
        }
    }

    @Test func trapEntryIsCharged() {
        // Whatever the faulting instruction itself is charged, entry adds 5 and nothing runs.
        let b = board()
        b.runProgram([nop, ecall()])
        #expect(b.hart.pc == TestBoard.mHandler)
        #expect(b.hart.cycles >= 1 + 5 && b.hart.cycles <= 1 + 5 + 5)
        #expect(b.hart.stats.exceptions[11] == 1)
    }

    @Test func tlbMissAndPageTableWalk() {
        // Sv39 in S: code through a 1 GiB leaf (1 PTE read), data through 4 KiB (3) and 2 MiB (2).
        for levels in [3, 4] {
            let b = board()
            let pt = PageTables(b, levels: levels)
            pt.map(TestBoard.base, TestBoard.base, PTE.R | PTE.W | PTE.X | PTE.A | PTE.D, level: 2)
            pt.map(0x4000_0000, TestBoard.data, PTE.R | PTE.W | PTE.A | PTE.D)
            pt.map(0x4020_0000, dataPA, PTE.R | PTE.A | PTE.D, level: 1)
            pt.activate()
            b.enter(.supervisor)
            b[a4] = 0x4000_0000
            b[a5] = 0x4020_0000
            let words = [
                ld(t0, 0, a4),           // miss: 2 + 2 + 4 × levels
                ld(t1, 8, a4),           // hit: 2
                ld(t2, 0, a5),           // 2 MiB leaf: 2 + 2 + 4 × (levels − 1)
                ld(t3, 16, a5),          // hit: 2
                j(4),                    // 1
            ]
            let c0 = b.hart.cycles, m0 = b.hart.stats.tlbMisses, r0 = b.hart.stats.pageWalkReads
            #expect(b.runProgram(words, stepping: true) == TestBoard.end(of: words))
            let fetchWalk = UInt64(2 + 4 * (levels - 2))         // the code's 1 GiB leaf
            let dataWalks = UInt64(2 + 4 * levels) + UInt64(2 + 4 * (levels - 1))
            #expect(b.hart.stats.tlbMisses - m0 == 3, "Sv\(levels == 3 ? 39 : 48): one fetch miss, two data misses")
            #expect(b.hart.stats.pageWalkReads - r0 == UInt64((levels - 2) + levels + (levels - 1)))
            #expect(b.hart.cycles - c0 == 2 + 2 + 2 + 2 + 1 + fetchWalk + dataWalks,
                    "Sv\(levels == 3 ? 39 : 48): \(b.hart.cycles - c0)")
        }
    }

    /// docs/cycle-model.md: "The software TLB … is the modeled TLB: a miss costs the walk."
    /// A misaligned access that crosses into the next page takes the slow path, which splits it
    /// into bytes and calls `physical()` → `translate()` for each byte (twice per byte for a
    /// store: check, then write); `translate()` charges tlbMiss + a full walk every time without
    /// looking at the TLB (Hart+MMU.swift, `translate` / `loadSlow` / `storeSlow`). With both
    /// pages already in the TLB, an 8-byte load is charged 8 walks (+112 cycles under Sv39)
    /// and an 8-byte store 16 walks (+224). The same root cause charges two walks to every
    /// execution of a page-straddling instruction, and a walk to every store to a page that
    /// holds decoded code.
    @Test
    func pageCrossingAccessWithBothPagesInTheTLB() {
        let b = board()
        let pt = PageTables(b)
        pt.map(TestBoard.base, TestBoard.base, PTE.R | PTE.W | PTE.X | PTE.A | PTE.D, level: 2)
        pt.map(0x4000_0000, dataPA, PTE.R | PTE.W | PTE.A | PTE.D)
        pt.map(0x4000_1000, dataPA + 0x1000, PTE.R | PTE.W | PTE.A | PTE.D)
        pt.activate()
        b.enter(.supervisor)
        b[a4] = 0x4000_0000
        b[a5] = 0x4000_1000
        b[a6] = 0x4000_0FFC
        let words = [
            ld(t0, 0, a4), ld(t1, 0, a5), sd(t0, 0, a4), sd(t1, 0, a5),   // both pages in both TLBs
            ld(t2, 0, a6),               // crosses into the next page
            sd(t2, 0, a6),
        ]
        b.load(words + [j(0)])
        b.hart.pc = TestBoard.base
        for _ in 0..<4 { b.step() }
        let m0 = b.hart.stats.tlbMisses, c0 = b.hart.cycles
        b.step()
        #expect(b.hart.stats.tlbMisses == m0, "cross-page ld: \(b.hart.stats.tlbMisses - m0) TLB misses")
        #expect(b.hart.cycles - c0 == 2, "cross-page ld: \(b.hart.cycles - c0) cycles")
        let m1 = b.hart.stats.tlbMisses, c1 = b.hart.cycles
        b.step()
        #expect(b.hart.stats.tlbMisses == m1, "cross-page sd: \(b.hart.stats.tlbMisses - m1) TLB misses")
        #expect(b.hart.cycles - c1 == 1, "cross-page sd: \(b.hart.cycles - c1) cycles")
    }

    /// A program that exercises blocks, traps in the middle of blocks, device stores, code
    /// writes, compressed code and a page-straddling instruction.
    private func busyProgram(_ b: TestBoard) {
        let handler = TestBoard.base + 0x800
        b.load([
            csrr(t6, CSR.mepc),          // handler: skip the faulting instruction
            addi(t6, t6, 4),
            csrw(CSR.mepc, t6),
            addi(s5, s5, 1),             // count traps
            mret(),
        ], at: handler)
        b.hart.mtvec = handler
        b.hart.mstatus |= 3 << 11        // MPP = M: mret stays in M
        let straddle = TestBoard.base + 0x2000 - 2
        b.load([.w(addi(s6, s6, 3)), .w(jalr(zero, ra))], at: straddle)
        b[a0] = TestBoard.data
        b[a4] = VirtMap.uart0
        b[s2] = straddle
        b[t0] = 200
        b[s3] = UInt64(addi(s4, s4, 2))
        b[s7] = TestBoard.base + 0x30      // the patched instruction
        b.load([
            addi(t1, t1, 1),             // 0x00: loop
            mul(t2, t1, t0),             // 0x04
            sd(t2, 0, a0),               // 0x08
            ld(t3, 0, a0),               // 0x0c
            divu(t4, t3, t1),            // 0x10
            andi(t5, t1, 7),             // 0x14
            bne(t5, zero, 8),            // 0x18: skip the trap 7 of 8 times
            0xFFFF_FFFF,                 // 0x1c: illegal → handler → 0x20
            sb(t1, 0, a4),               // 0x20: device store (ends the block early)
            jalr(ra, s2),                // 0x24: call the straddling code
            sw(s3, 0, s7),               // 0x28: patch 0x30 (same block, ahead)
            nop,                         // 0x2c
            addi(s4, s4, 1),             // 0x30: becomes addi s4, s4, 2
            blt(t1, t0, -0x34),          // 0x34: loop while t1 < 200
            j(0),                        // 0x38: done
        ])
    }

    @Test func sameProgramSameCyclesAndInstructions() {
        // Twice in block mode, once stepping: identical cycles, instructions, state and output.
        var results: [(UInt64, UInt64, [UInt64], [UInt8], UInt64)] = []
        for stepping in [false, false, true] {
            let b = board()
            busyProgram(b)
            b.hart.pc = TestBoard.base
            #expect(b.run(to: [TestBoard.base + 0x38], maxCalls: 200_000, stepping: stepping) != nil)
            results.append((b.hart.cycles, b.hart.instret, (0..<32).map { b[$0] }, b.bus.uart.transcript,
                            b.hart.stats.exceptions[2]))
        }
        let (cycles, instret, regs, out, traps) = results[0]
        #expect(regs[t1] == 200)
        #expect(regs[s5] == 25 && traps == 25, "one trap every 8 iterations")
        #expect(regs[s6] == 600, "straddling instruction ran 200 times")
        #expect(regs[s4] == 2 * 200, "the patched instruction ran as its new self every time")
        #expect(out.count == 200)
        for (i, r) in results.enumerated().dropFirst() {
            #expect(r.0 == cycles, "run \(i): cycles \(r.0) vs \(cycles)")
            #expect(r.1 == instret, "run \(i): instret \(r.1) vs \(instret)")
            #expect(r.2 == regs, "run \(i): registers")
            #expect(r.3 == out && r.4 == traps)
        }
    }

    @Test func statisticsPerPrivilege() {
        let b = board()
        b.allowAllPMP()
        b.hart.mepc = TestBoard.base + 0x100
        b.hart.mstatus = (b.hart.mstatus & ~Mstatus.MPP) | (1 << 11)   // MPP = S
        b.load([nop, nop, ecall()], at: TestBoard.base + 0x100)         // in S: two nops, ecall
        b.runProgram([nop, mret()], stops: [TestBoard.base + 0x108])     // in M: nop, mret
        b.run(to: [TestBoard.mHandler])
        b.hart.settleStatistics()
        let st = b.hart.stats
        #expect(st.instructions[3] == 2, "M: nop, mret")
        #expect(st.instructions[1] == 2, "S: two nops")
        #expect(st.instructions.reduce(0, +) == b.hart.instret)
        #expect(st.cycles.reduce(0, +) == b.hart.cycles)
        #expect(st.exceptions[9] == 1)
    }

    @Test func decodedCodeCacheRefillsWhenFull() {
        // More executed pages than the cache holds (CodeCache.maxPages): a chain of jumps
        // through 4100 pages, then back to the first page.
        let pages = CodeCache.maxPages + 4
        let b = TestBoard(memory: UInt64(pages + 48) << 12)
        let step = bytes([addi(a0, a0, 1), j(4096 - 4)])   // addi a0, a0, 1; j to the next page
        var chain = [UInt8](repeating: 0, count: (pages + 1) * 4096)
        for i in 0..<pages { chain.replaceSubrange(i * 4096..<(i * 4096 + 8), with: step) }
        chain.replaceSubrange(pages * 4096..<(pages * 4096 + 4), with: bytes([j(0)]))
        #expect(b.bus.writeMemory(TestBoard.base + 0x10000, chain))
        b.hart.pc = TestBoard.base + 0x10000
        let end = TestBoard.base + 0x10000 + UInt64(pages) << 12
        #expect(b.run(to: [end], maxCalls: 100_000) == end)
        #expect(b[a0] == UInt64(pages))
        #expect(b.bus.dramCode.livePages <= CodeCache.maxPages)
        // Run the chain again: every page decodes afresh where needed, same result.
        b[a0] = 0
        b.hart.pc = TestBoard.base + 0x10000
        #expect(b.run(to: [end], maxCalls: 100_000) == end)
        #expect(b[a0] == UInt64(pages))
    }

    @Test func trapsInTheMiddleOfBlocksCostTheSameSteppingOrNot() {
        // Each trapping instruction sits between ALU instructions of one straight-line run;
        // the handler skips it. Block mode refunds the rest of the block at the trap and must
        // end with the same cycles and instret as stepping.
        var results: [(UInt64, UInt64, UInt64, [UInt64])] = []
        for stepping in [false, true] {
            let b = board()
            let handler = TestBoard.base + 0x800
            b.load([csrr(t6, CSR.mepc), addi(t6, t6, 4), csrw(CSR.mepc, t6), addi(s5, s5, 1), mret()], at: handler)
            b.hart.mtvec = handler
            b[a4] = 0x4000_0000                  // nothing there
            b[a5] = TestBoard.data + 2           // misaligned for AMOs
            let words = [
                addi(t0, t0, 1), lw(t1, 0, a4), addi(t0, t0, 1),          // load access fault
                addi(t0, t0, 1), sd(t0, 0, a4), addi(t0, t0, 1),          // store access fault
                addi(t0, t0, 1), amo(.add, wide: false, t1, t0, a5), addi(t0, t0, 1),  // misaligned AMO
                addi(t0, t0, 1), lrD(t1, a5), addi(t0, t0, 1),            // misaligned LR
                addi(t0, t0, 1), 0xFFFF_FFFF, addi(t0, t0, 1),                // illegal (0xffffffff)
                addi(t0, t0, 1), csrw(CSR.mhartid, t0), addi(t0, t0, 1),  // read-only CSR
                addi(t0, t0, 1), ecall(), addi(t0, t0, 1),
                addi(t0, t0, 1), ebreak(), addi(t0, t0, 1),
                mul(t2, t0, t0), j(4),
            ]
            b.load(words + [j(0)])
            b.hart.pc = TestBoard.base
            let end = TestBoard.end(of: words)
            #expect(b.run(to: [end], stepping: stepping) == end)
            results.append((b.hart.cycles, b.hart.instret, b[s5], (0..<32).map { b[$0] }))
        }
        #expect(results[0].2 == 8, "eight traps")
        #expect(results[0].3[t0] == 16)
        #expect(results[0].0 == results[1].0, "cycles: block \(results[0].0), stepping \(results[1].0)")
        #expect(results[0].1 == results[1].1, "instret: block \(results[0].1), stepping \(results[1].1)")
        #expect(results[0].3 == results[1].3)
    }

    @Test func timerInterruptsAreDeterministic() {
        // A loop interrupted by the timer every 100 ticks; the handler re-arms mtimecmp.
        func run() -> (UInt64, UInt64, UInt64, UInt64) {
            let b = board()
            let handler = TestBoard.base + 0x800
            b.load([
                ld(t3, 0, a5),           // handler: t3 = mtime
                addi(t3, t3, 100),
                sd(t3, 0, a6),           // mtimecmp = mtime + 1000
                addi(s5, s5, 1),
                mret(),
            ], at: handler)
            b.hart.mtvec = handler
            b[a5] = VirtMap.clint + 0xBFF8
            b[a6] = VirtMap.clint + 0x4000
            b.bus.clint.mtimecmp[0] = 100
            b.hart.mie = Interrupt.MTIP
            b.hart.mstatus |= Mstatus.MIE | (3 << 11)
            b.load([
                addi(t1, t1, 1),         // loop: t1 += 1
                mul(t2, t1, t1),
                bne(s5, a2, -8),         // until 7 interrupts
                j(0),
            ])
            b[a2] = 7
            b.hart.pc = TestBoard.base
            #expect(b.run(to: [TestBoard.base + 12], maxCalls: 1_000_000, interrupts: true) != nil)
            return (b.hart.cycles, b.hart.instret, b[t1], b.hart.stats.interrupts[7])
        }
        let first = run(), second = run()
        #expect(first == second)
        #expect(first.3 == 7)
        #expect(first.0 >= 7 * 10_000)
    }
}
