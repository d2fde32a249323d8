/// Cycle model v1: an in-order, single-issue core in the spirit of Rocket (DESIGN §2
/// "Cycle model"; LLVM `RISCVSchedRocket.td`, SiFive E31 manual). Every figure lives here and
/// is reproduced in docs/cycle-model.md. Costs are attached to each decoded instruction once,
/// so the interpreter only adds `Decoded.cost` (plus the branch-mispredict penalty).
public enum CycleModel {
    /// Modeled core clock. mtime (10 MHz) advances one tick every `cyclesPerTick` cycles.
    public static let coreHz: UInt64 = 1_000_000_000
    public static let cyclesPerTick: UInt64 = coreHz / 10_000_000

    public static let alu: UInt8 = 1
    public static let lui: UInt8 = 1
    public static let branch: UInt8 = 1
    /// Added when the static predictor (backward taken, forward not taken) is wrong.
    public static let branchMispredict: UInt64 = 3
    public static let jal: UInt8 = 1
    /// Indirect jumps are resolved late: the cost of a mispredict is always paid.
    public static let jalr: UInt8 = 4
    public static let load: UInt8 = 2
    public static let loadByteHalf: UInt8 = 3
    public static let store: UInt8 = 1
    public static let mul: UInt8 = 4
    public static let mulw: UInt8 = 4
    /// Zbc clmul, clmulh, clmulr: a carry-less multiplier is the integer multiplier's array
    /// with XORs in place of adders, and cores that have one run it in (or beside) the
    /// multiplier pipeline, so it costs what mul costs. The other Zba/Zbb/Zbs instructions
    /// (shift-and-add, logic with negation, clz/ctz/cpop, min/max, extensions, rotates,
    /// orc.b, rev8, single-bit operations) are one ALU cycle.
    public static let clmul: UInt8 = 4
    public static let div: UInt8 = 33
    public static let divw: UInt8 = 33
    public static let atomic: UInt8 = 4
    public static let csr: UInt8 = 3
    public static let fence: UInt8 = 1
    /// FENCE.I flushes the pipeline and the instruction cache.
    public static let fenceI: UInt8 = 5
    public static let sfenceVma: UInt8 = 5
    /// xRET, ECALL and EBREAK flush the pipeline.
    public static let xret: UInt8 = 5
    public static let system: UInt8 = 1
    /// An FP operation other than a load or store (a mean: the divider and square root are
    /// iterative in hardware, but the table keeps one cost per class).
    public static let fp: UInt8 = 4
    public static let wfi: UInt8 = 1
    /// Trap entry (exception or interrupt): pipeline flush and redirect.
    public static let trapEntry: UInt64 = 5
    /// A TLB miss: fixed cost plus one memory reference per page-table entry read.
    public static let tlbMiss: UInt64 = 2
    public static let pteRead: UInt64 = 4
    /// CBO.ZERO writes a 64-byte block: eight doubleword stores, the first being the
    /// instruction's own store cost. CBO.CLEAN/FLUSH/INVAL cost a store (the board is
    /// coherent: nothing to write back).
    public static let cboZeroExtra: UInt64 = 7
    /// A device register access (load or store) on top of the instruction's cost.
    public static let mmioAccess: UInt64 = 10
    /// From a virtio notification to the request's used-ring entry and interrupt (10 µs).
    public static let virtioLatency: UInt64 = 10_000

    @inline(__always)
    static func baseCost(_ op: Op) -> UInt8 {
        switch op {
        case .undecoded, .pageEnd, .straddle: return 0
        case .illegal: return system
        case .lui, .auipc, .cLui: return lui
        case .jal, .cJal: return jal
        case .jalr, .cJalr: return jalr
        case .beq, .bne, .blt, .bge, .bltu, .bgeu, .cBeq, .cBne: return branch
        case .lb, .lh, .lbu, .lhu, .flh: return loadByteHalf
        case .lw, .ld, .lwu, .cLw, .cLd, .hlv, .flw, .fld, .cFld: return load
        case .sb, .sh, .sw, .sd, .cSw, .cSd, .hsv, .fsw, .fsd, .cFsd, .cbo, .fsh: return store
        case .fp: return fp
        case .mul, .mulh, .mulhsu, .mulhu: return mul
        case .mulw: return mulw
        case .clmul, .clmulh, .clmulr: return clmul
        case .div, .divu, .rem, .remu: return div
        case .divw, .divuw, .remw, .remuw: return divw
        case .lrW, .scW, .lrD, .scD,
             .amoswapW, .amoaddW, .amoxorW, .amoandW, .amoorW, .amominW, .amomaxW, .amominuW, .amomaxuW,
             .amoswapD, .amoaddD, .amoxorD, .amoandD, .amoorD, .amominD, .amomaxD, .amominuD, .amomaxuD:
            return atomic
        case .fence: return fence
        case .fenceI: return fenceI
        case .sfenceVma, .hfenceVvma, .hfenceGvma: return sfenceVma
        case .ecall, .ebreak, .cEbreak, .mret, .sret: return xret
        case .wfi: return wfi
        case .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci: return csr
        default: return alu
        }
    }
}
