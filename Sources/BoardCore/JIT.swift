import RISCV
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The template JIT: a second tier under the interpreter for the hot integer code of a
/// decoded page (docs/decisions/0008). It translates a *region* — the straight-line blocks
/// reachable inside one decoded page from a hot block entry — into x86-64 code that does
/// exactly what the interpreter does, charge for charge: the same block ticks at the same
/// block entries, the same branch-mispredict cycles, the same budget checks. Everything else
/// goes back to the interpreter at a precise slot:
/// - a load or store that misses the data TLB (or crosses a page) returns *before* the
///   instruction, with its block already charged, and the interpreter's slow path does it;
/// - an instruction the translator does not know (CSR, AMO, FP, division, system…) likewise;
/// - a block entry outside the region, or an exhausted budget, returns *before* the entry;
/// - a jump out of the page returns the new pc, which `Hart.runJIT` follows itself (chaining)
///   when the interpreter's outer loop would find its page in the fetch TLB for nothing.
/// So the JIT never raises a trap, never touches a device, and runs are bit-for-bit the same
/// with and without it (tested: `JITEquivalenceTests`). The code is position-independent of
/// the virtual address (the page base is a register), so a decoded page's code serves every
/// mapping of the physical page, on every hart.
///
/// Host registers inside translated code: rdi = `JITState`, rbx = x0…x32, r12 = budget,
/// r13 = instret, rbp = the page's virtual base, r14/r15 = data read/write TLB; rax holds
/// the last guest register written (a one-entry register cache); rcx, rdx, rsi, r8, r9 are
/// scratch. Translated code calls nothing.
final class JIT {
    /// The table word of a slot that is never translated (the interpreter skips it).
    static let never: UInt = 1
    /// Block entries seen this many times get translated (0: at the first visit, which the
    /// equivalence tests use to send as much code as possible through the translator).
    var threshold: UInt = 16
    /// The largest threshold: visit counts are kept as even words below 4096, where code
    /// addresses cannot be.
    static let maxThreshold: UInt = 2000
    /// At most this many guest instructions per region.
    static let regionLimit = 400
    /// Executable memory per board; when it is full the decoded pages are flushed with it.
    static let bufferBytes = 64 << 20

    /// Off on hosts other than x86-64, or with `--no-jit`.
    var enabled: Bool
    /// The optional x86-64 instructions translations may use (tests narrow it to check the
    /// fallbacks): an instruction whose translation needs a missing one is left to the
    /// interpreter.
    var hostFeatures = HostFeatures.detected
    #if arch(x86_64)
    static let available = true
    #else
    static let available = false
    #endif
    private let buffer: UnsafeMutableRawPointer?
    private var used = 0
    /// Set when the buffer is full: the board flushes decoded pages and code at its next safe
    /// point (`Bus.freeRetiredCode`).
    private(set) var flushRequested = false
    /// Regions translated and guest instructions in them (for `--stats`).
    private(set) var regions = 0
    private(set) var translatedInstructions = 0
    /// The translator's per-slot label tables, kept from one translation to the next (see
    /// `SlotTables`).
    private var tables = SlotTables.make()
    /// Page leaves that translated code chained to another page without the interpreter
    /// (`Hart.runJIT`; for `--stats` and the tests that must see chaining happen).
    var chains: UInt64 = 0

    init(enabled: Bool) {
        #if arch(x86_64)
        let p = mmap(nil, JIT.bufferBytes, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if let p, p != MAP_FAILED {
            buffer = p
            self.enabled = enabled
        } else {
            buffer = nil
            self.enabled = false
        }
        #else
        buffer = nil
        self.enabled = false
        #endif
    }

    deinit {
        if let buffer { munmap(buffer, JIT.bufferBytes) }
    }

    /// Forgets all code (the caller has dropped every decoded page that pointed to it).
    func reset() {
        used = 0
        flushRequested = false
    }

    /// Translates the region entered at `slot` of decoded page `dp` (whose block is already
    /// charged). Returns the table word: the code's address, or `never`.
    func translate(slot: Int, _ dp: UnsafeMutablePointer<Decoded>) -> UInt {
        #if arch(x86_64)
        guard enabled, let buffer, !flushRequested else { return JIT.never }
        var t = RegionTranslator(dp: dp, features: hostFeatures)
        swap(&tables, &t.tables)
        let made = t.translate(head: slot)
        swap(&tables, &t.tables)
        tables.clear()
        guard let (code, count) = made else { return JIT.never }
        let start = (used + 63) & ~63
        guard start + code.count <= JIT.bufferBytes else {
            flushRequested = true
            return JIT.never
        }
        code.withUnsafeBytes { (buffer + start).copyMemory(from: $0.baseAddress!, byteCount: code.count) }
        used = start + code.count
        regions += 1
        translatedInstructions += count
        return UInt(bitPattern: buffer + start)
        #else
        return JIT.never
        #endif
    }
}

/// Optional x86-64 instructions the translator uses for Zbb and Zbc, found with CPUID at
/// run time (Intel SDM vol. 2A "CPUID"; AMD's LZCNT is reported as ABM).
struct HostFeatures: OptionSet {
    let rawValue: UInt8
    /// LZCNT (CPUID 8000_0001h ECX bit 5): clz, clzw.
    static let lzcnt = HostFeatures(rawValue: 1)
    /// BMI1's TZCNT (CPUID 7.0 EBX bit 3): ctz, ctzw.
    static let bmi1 = HostFeatures(rawValue: 2)
    /// POPCNT (CPUID 1 ECX bit 23): cpop, cpopw.
    static let popcnt = HostFeatures(rawValue: 4)
    /// PCLMULQDQ (CPUID 1 ECX bit 1): clmul, clmulh, clmulr.
    static let pclmulqdq = HostFeatures(rawValue: 8)

    /// What this host has (empty on other architectures).
    static let detected: HostFeatures = {
        #if arch(x86_64)
        // CPUID has no Swift spelling: a five-instruction routine in a page of its own,
        // called with a pointer to {leaf, subleaf} that it overwrites with {eax, ebx, ecx, edx}.
        var a = X86Assembler()
        a.push(.rbx)
        a.load(.rax, X86Assembler.Mem(.rdi, 0), size: 4, signed: false)
        a.load(.rcx, X86Assembler.Mem(.rdi, 4), size: 4, signed: false)
        a.cpuid()
        a.store(X86Assembler.Mem(.rdi, 0), .rax, size: 4)
        a.store(X86Assembler.Mem(.rdi, 4), .rbx, size: 4)
        a.store(X86Assembler.Mem(.rdi, 8), .rcx, size: 4)
        a.store(X86Assembler.Mem(.rdi, 12), .rdx, size: 4)
        a.pop(.rbx)
        a.ret()
        guard let code = a.finish() else { return [] }
        let p = mmap(nil, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let p, p != MAP_FAILED else { return [] }
        defer { munmap(p, 4096) }
        code.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: code.count) }
        let fn = unsafeBitCast(p, to: JITFunction.self)
        func cpuid(_ leaf: UInt32, _ subleaf: UInt32 = 0) -> (eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32) {
            var regs: (UInt32, UInt32, UInt32, UInt32) = (leaf, subleaf, 0, 0)
            withUnsafeMutableBytes(of: &regs) { fn($0.baseAddress!) }
            return regs
        }
        var f: HostFeatures = []
        let maxLeaf = cpuid(0).eax
        let l1 = cpuid(1)
        if l1.ecx & (1 << 23) != 0 { f.insert(.popcnt) }
        if l1.ecx & (1 << 1) != 0 { f.insert(.pclmulqdq) }
        if maxLeaf >= 7, cpuid(7).ebx & (1 << 3) != 0 { f.insert(.bmi1) }
        if cpuid(0x8000_0000).eax >= 0x8000_0001, cpuid(0x8000_0001).ecx & (1 << 5) != 0 { f.insert(.lzcnt) }
        return f
        #else
        return []
        #endif
    }()
}

/// What translated code reads on entry and writes on exit (words of a per-hart block).
enum JITState {
    static let x = 0, budget = 1, instret = 2, pageBase = 3, readTLB = 4, writeTLB = 5
    static let slot = 6, kind = 7, exitPC = 8
    /// The LR reservation (`Hart.reservation`, `Hart.reservationEpoch`: they live here), and
    /// the address of the bus's `interleavingEpoch` word.
    static let reservation = 9, reservationEpoch = 10, epoch = 11
    /// The modeled TLB's read and write entries of the data privilege (`Hart.xlate` at
    /// `xlateSlot(_, set, 0)`), or 0 when data accesses are not translated; and the address
    /// space they must carry. Set on each entry: LR/SC/AMO go through `physical`, which
    /// charges a modeled-TLB miss that the host TLB does not see (it has 1024 entries, the
    /// modeled one 256), so translated atomics check both.
    static let xlateRead = 12, xlateWrite = 13, space = 14
    /// `Hart.interruptCheckNeeded` (0 or 1).
    static let interruptCheck = 15
    /// Counter CSR reads (cycle, time, instret): bit 0/1/2 set when the current privilege may
    /// read that counter (mcounteren, hcounteren, scounteren) and it is not inhibited; and
    /// what the value is made of: cycle = `cycleBase` − budget, instret = instret +
    /// `instretBase`, time = (`runLimit` − budget) / cyclesPerTick + `timeAdd`. Set on each
    /// entry (`Hart.setJITCounters`).
    static let counters = 16, cycleBase = 17, instretBase = 18, runLimit = 19, timeAdd = 20
    /// FP loads and stores: `fp` bit 0 set when the FP unit is usable (mstatus.FS ≠ Off, and
    /// vsstatus.FS ≠ Off with V=1), bit 1 when it is also Dirty in both, so that a load's
    /// `fpDirty()` would change nothing; and the address of the f registers (`Hart.f`).
    /// Set on each entry (`Hart.setJITFP`).
    static let fp = 21, f = 22
    static let words = 23

    /// Exit kinds. `resume`: run the instruction at `slot` in the interpreter (its block is
    /// charged). `enter`: perform the block entry at `slot` (not charged yet). `leave`: the
    /// next pc is `exitPC`, outside the page.
    static let resume: UInt64 = 0, enter: UInt64 = 1, leave: UInt64 = 2
}

typealias JITFunction = @convention(c) (UnsafeMutableRawPointer) -> Void

/// A label per slot of a decoded page, for the four kinds the translator keeps (block
/// entry, instruction body with the register rax must hold there, enter and resume exits):
/// flat arrays indexed by slot instead of dictionaries, which hashed on every lookup and
/// cost about a tenth of a Linux boot's translation time. Slots run to
/// `CodeCache.slots + 1` (a sequence can step past the last slot before it is checked).
/// `JIT` keeps one set across translations; `clear()` resets only the slots used.
struct SlotTables {
    static let count = CodeCache.slots + 4
    enum Kind: Int { case entry = 0, body, enterStub, resumeStub }
    /// `Kind.rawValue * count + slot` → the label id, or -1.
    private var labels: [Int32]
    /// What rax must hold at a body (the guest register, or -1).
    private var expect: [Int32]
    /// The slots set, per kind, in the order they were set.
    private(set) var used: [[Int]]

    /// Empty arrays (no allocation): a translator's until `JIT` swaps its set in.
    init() {
        labels = []
        expect = []
        used = [[], [], [], []]
    }

    /// Whether these are the empty placeholder (`init()`).
    var isPlaceholder: Bool { labels.isEmpty }

    /// The tables a translation uses.
    static func make() -> SlotTables {
        var t = SlotTables()
        t.labels = [Int32](repeating: -1, count: 4 * count)
        t.expect = [Int32](repeating: -1, count: count)
        for k in 0..<4 { t.used[k].reserveCapacity(256) }
        return t
    }

    subscript(_ kind: Kind, _ s: Int) -> X86Assembler.Label? {
        let id = labels[kind.rawValue * SlotTables.count + s]
        return id < 0 ? nil : X86Assembler.Label(id: Int(id))
    }

    mutating func set(_ kind: Kind, _ s: Int, _ l: X86Assembler.Label) {
        let i = kind.rawValue * SlotTables.count + s
        if labels[i] < 0 { used[kind.rawValue].append(s) }
        labels[i] = Int32(l.id)
    }

    func expect(at s: Int) -> Int { Int(expect[s]) }
    mutating func setExpect(_ s: Int, _ r: Int) { expect[s] = Int32(r) }

    /// The slots of `kind` that have a label, in ascending order.
    func sortedSlots(_ kind: Kind) -> [Int] { used[kind.rawValue].sorted() }

    mutating func clear() {
        for k in 0..<4 {
            for s in used[k] {
                labels[k * SlotTables.count + s] = -1
                if k == Kind.body.rawValue { expect[s] = -1 }
            }
            used[k].removeAll(keepingCapacity: true)
        }
    }
}

/// Builds the code of one region (see `JIT`).
struct RegionTranslator {
    typealias A = X86Assembler
    let dp: UnsafeMutablePointer<Decoded>
    /// The optional host instructions this translation may use.
    let features: HostFeatures
    var a = A()
    /// Per slot: the charged entry of a block (budget check and charge, then its body); an
    /// instruction's code, and the guest register rax must hold when jumping there; exits
    /// before the instruction (`resume`) or before a block entry (`enter`).
    /// (`JIT.translate` swaps its tables in.)
    var tables = SlotTables()
    var pending: [Int] = []
    var count = 0
    /// The guest register whose value rax holds, or -1.
    var cached = -1
    var epilogue: A.Label
    var leaveTail: A.Label   // exitPC in rax
    var enterRuntimeTail: A.Label  // slot in rdx

    init(dp: UnsafeMutablePointer<Decoded>, features: HostFeatures = .detected) {
        self.dp = dp
        self.features = features
        epilogue = a.newLabel()
        leaveTail = a.newLabel()
        enterRuntimeTail = a.newLabel()
    }

    static func isTranslatable(_ op: Op) -> Bool {
        switch op {
        case .lui, .cLui, .auipc, .jal, .cJal, .jalr, .cJalr,
             .beq, .bne, .blt, .bge, .bltu, .bgeu, .cBeq, .cBne,
             .lb, .lh, .lw, .ld, .lbu, .lhu, .lwu, .cLw, .cLd,
             .sb, .sh, .sw, .sd, .cSw, .cSd,
             .addi, .cAddi, .slti, .sltiu, .xori, .ori, .andi, .cAndi,
             .slli, .cSlli, .srli, .cSrli, .srai, .cSrai,
             .addiw, .cAddiw, .slliw, .srliw, .sraiw,
             .add, .cAdd, .sub, .cSub, .sll, .slt, .sltu, .xor, .cXor, .srl, .sra, .or, .cOr, .and, .cAnd,
             .addw, .cAddw, .subw, .cSubw, .sllw, .srlw, .sraw,
             .mul, .mulw, .mulh, .mulhu,
             // Zba, Zbb, Zbc, Zbs (the counts and clmul only with their host instructions)
             .sh1add, .sh2add, .sh3add, .addUw, .sh1addUw, .sh2addUw, .sh3addUw, .slliUw,
             .andn, .orn, .xnor, .clz, .clzw, .ctz, .ctzw, .cpop, .cpopw, .max, .maxu, .min, .minu,
             .sextB, .sextH, .zextH, .rol, .rolw, .ror, .rori, .roriw, .rorw, .orcB, .rev8,
             .clmul, .clmulh, .clmulr,
             .bclr, .bclri, .bext, .bexti, .binv, .binvi, .bset, .bseti,
             // A: the fast case in line (aligned, both TLBs hit), else back to the interpreter
             .lrW, .scW, .lrD, .scD,
             .amoswapW, .amoaddW, .amoxorW, .amoandW, .amoorW, .amominW, .amomaxW, .amominuW, .amomaxuW,
             .amoswapD, .amoaddD, .amoxorD, .amoandD, .amoorD, .amominD, .amomaxD, .amominuD, .amomaxuD,
             // FENCE (and FENCE.TSO, PAUSE): one hart at a time, in order: nothing to do
             .fence,
             // F/D loads and stores: like the atomics, in line only when nothing but the
             // access itself can happen (see `fpAccess`)
             .flw, .fld, .fsw, .fsd, .cFld, .cFsd:
            return true
        case .csrrs, .csrrc, .csrrsi, .csrrci:
            return true  // only counter reads (`isCounterRead`): checked where the Decoded is known
        default:
            return false
        }
    }

    /// The host instructions an operation's translation needs beyond x86-64's baseline.
    static func hostNeeds(_ op: Op) -> HostFeatures {
        switch op {
        case .clz, .clzw: return .lzcnt
        case .ctz, .ctzw: return .bmi1
        case .cpop, .cpopw: return .popcnt
        case .clmul, .clmulh, .clmulr: return .pclmulqdq
        default: return []
        }
    }

    /// Translatable on this host.
    func translatable(_ op: Op) -> Bool {
        RegionTranslator.isTranslatable(op) && features.isSuperset(of: RegionTranslator.hostNeeds(op))
    }

    /// The instruction at slot `s` is translatable on this host.
    func translatable(at s: Int) -> Bool {
        let d = dp[s]
        switch d.op {
        case .csrrs, .csrrc, .csrrsi, .csrrci: return RegionTranslator.counterRead(d) != nil
        default: return translatable(d.op)
        }
    }

    /// A read of cycle, time or instret that writes nothing (CSRRS/CSRRC with rs1 = x0, or
    /// their immediate forms with 0): the counter's index (0, 1, 2), else nil.
    static func counterRead(_ d: Decoded) -> Int? {
        guard d.rs1 == 0 else { return nil }
        let csr = UInt16(truncatingIfNeeded: d.imm)
        guard csr >= CSR.cycle && csr <= CSR.instret else { return nil }
        return Int(csr - CSR.cycle)
    }

    /// Slots an instruction takes (1 compressed, 2 full-size), from its bits.
    static func length(_ d: Decoded) -> Int { d.raw & 3 == 3 ? 2 : 1 }

    // MARK: Region

    /// The code and the number of guest instructions in it, or nil when the head itself
    /// cannot be translated.
    mutating func translate(head: Int) -> ([UInt8], Int)? {
        guard head < CodeCache.slots, translatable(at: head) else { return nil }
        if tables.isPlaceholder { tables = SlotTables.make() }  // a translator made outside `JIT`
        // Prologue: save the callee-saved registers, load the state.
        for r in [A.Reg.rbx, .rbp, .r12, .r13, .r14, .r15] { a.push(r) }
        a.load64(.rbx, A.Mem(.rdi, Int32(JITState.x * 8)))
        a.load64(.r12, A.Mem(.rdi, Int32(JITState.budget * 8)))
        a.load64(.r13, A.Mem(.rdi, Int32(JITState.instret * 8)))
        a.load64(.rbp, A.Mem(.rdi, Int32(JITState.pageBase * 8)))
        a.load64(.r14, A.Mem(.rdi, Int32(JITState.readTLB * 8)))
        a.load64(.r15, A.Mem(.rdi, Int32(JITState.writeTLB * 8)))
        // The interpreter has charged the head's block: enter its body.
        let headBody = a.newLabel()
        a.jmp(headBody)
        emitEntry(head, bodyLabel: headBody)
        while let s = pending.popLast() {
            if let l = tables[.entry, s], a.isBound(l) { continue }
            guard count < JIT.regionLimit, s < CodeCache.slots,
                  translatable(at: s) else { continue }
            emitEntry(s, bodyLabel: nil)
        }
        // Entries that were referenced but not translated leave before the entry.
        // (Sorted: the same guest code always gives the same host code.)
        for s in tables.sortedSlots(.entry) {
            let l = tables[.entry, s]!
            if a.isBound(l) { continue }
            a.bind(l)
            a.jmp(enterLabel(s))
        }
        for s in tables.sortedSlots(.enterStub) {
            a.bind(tables[.enterStub, s]!)
            a.storeImm(A.Mem(.rdi, Int32(JITState.slot * 8)), Int32(s))
            a.storeImm(A.Mem(.rdi, Int32(JITState.kind * 8)), Int32(JITState.enter))
            a.jmp(epilogue)
        }
        for s in tables.sortedSlots(.resumeStub) {
            a.bind(tables[.resumeStub, s]!)
            a.storeImm(A.Mem(.rdi, Int32(JITState.slot * 8)), Int32(s))
            a.storeImm(A.Mem(.rdi, Int32(JITState.kind * 8)), Int32(JITState.resume))
            a.jmp(epilogue)
        }
        a.bind(leaveTail)
        a.store(A.Mem(.rdi, Int32(JITState.exitPC * 8)), .rax, size: 8)
        a.storeImm(A.Mem(.rdi, Int32(JITState.kind * 8)), Int32(JITState.leave))
        a.jmp(epilogue)
        a.bind(enterRuntimeTail)
        a.store(A.Mem(.rdi, Int32(JITState.slot * 8)), .rdx, size: 8)
        a.storeImm(A.Mem(.rdi, Int32(JITState.kind * 8)), Int32(JITState.enter))
        a.bind(epilogue)
        a.store(A.Mem(.rdi, Int32(JITState.budget * 8)), .r12, size: 8)
        a.store(A.Mem(.rdi, Int32(JITState.instret * 8)), .r13, size: 8)
        for r in [A.Reg.r15, .r14, .r13, .r12, .rbp, .rbx] { a.pop(r) }
        a.ret()
        guard let code = a.finish() else { return nil }
        return (code, count)
    }

    mutating func entryLabel(_ s: Int) -> A.Label {
        if let l = tables[.entry, s] { return l }
        let l = a.newLabel()
        tables.set(.entry, s, l)
        pending.append(s)
        return l
    }

    mutating func enterLabel(_ s: Int) -> A.Label {
        if let l = tables[.enterStub, s] { return l }
        let l = a.newLabel()
        tables.set(.enterStub, s, l)
        return l
    }

    mutating func resumeLabel(_ s: Int) -> A.Label {
        if let l = tables[.resumeStub, s] { return l }
        let l = a.newLabel()
        tables.set(.resumeStub, s, l)
        return l
    }

    /// A block entry at slot `s`, as the interpreter does it: leave if the budget is spent,
    /// else charge the block and run its body. `bodyLabel`: a label to bind at the body.
    mutating func emitEntry(_ s: Int, bodyLabel: A.Label?) {
        let l = tables[.entry, s] ?? a.newLabel()
        tables.set(.entry, s, l)
        a.bind(l)
        cached = -1
        let tick = dp[s].tick
        a.test(.r12, .r12)
        a.jcc(.le, enterLabel(s))
        a.alu(.sub, .r12, imm: Int32(tick >> 12))
        a.alu(.add, .r13, imm: Int32(tick & 0xFFF))
        if let bodyLabel { a.bind(bodyLabel) }
        emitSequence(from: s)
    }

    /// Instructions from slot `p` on, until a block ends or the code joins code already made.
    mutating func emitSequence(from start: Int) {
        var p = start
        while true {
            if let l = tables[.body, p] {
                jumpToBody(l, tables.expect(at: p))
                return
            }
            let d = dp[p]
            guard p < CodeCache.slots, translatable(at: p), count < JIT.regionLimit else {
                a.jmp(resumeLabel(p))
                return
            }
            let l = a.newLabel()
            a.bind(l)
            tables.set(.body, p, l)
            tables.setExpect(p, cached)
            count += 1
            let len = RegionTranslator.length(d)
            switch d.op {
            case .beq, .cBeq: branch(d, p, len, .e)
            case .bne, .cBne: branch(d, p, len, .ne)
            case .blt: branch(d, p, len, .l)
            case .bge: branch(d, p, len, .ge)
            case .bltu: branch(d, p, len, .b)
            case .bgeu: branch(d, p, len, .ae)
            case .jal, .cJal:
                a.mov(.rax, .rbp)
                addConstant(.rax, Int64(p * 2 + len * 2))
                storeRd(d)
                let t = p + Int(d.imm >> 1)
                if t >= 0 && t < CodeCache.slots {
                    continueAt(t)
                } else {
                    a.mov(.rax, .rbp)
                    addConstant(.rax, Int64(p * 2) + Int64(d.imm))
                    a.jmp(leaveTail)
                }
            case .csrrs, .csrrc, .csrrsi, .csrrci:
                // A counter read ends its block: then the next block's entry.
                counterRead(d, p, RegionTranslator.counterRead(d)!)
                continueAt(p + len)
            case .jalr, .cJalr:
                loadA(Int(d.rs1))
                if d.imm != 0 { a.alu(.add, .rax, imm: d.imm) }
                a.alu(.and, .rax, imm: -2)
                a.mov(.rcx, .rbp)
                addConstant(.rcx, Int64(p * 2 + len * 2))
                a.store(xMem(Int(d.rd)), .rcx, size: 8)
                cached = -1
                a.mov(.rdx, .rax)
                a.alu(.xor, .rdx, .rbp)
                a.shift(.shr, .rdx, 12)
                a.jcc(.ne, leaveTail)
                a.mov32(.rdx, .rax)
                a.alu(.and, .rdx, imm: 0xFFF, w: false)
                a.shift(.shr, .rdx, 1, w: false)
                a.jmp(enterRuntimeTail)
            default:
                emitSimple(d, p)
                p += len
                continue
            }
            return
        }
    }

    /// Goes on at the block entry `t`: inline when it is not made yet, else a jump.
    mutating func continueAt(_ t: Int) {
        if tables[.entry, t] == nil && count < JIT.regionLimit && t < CodeCache.slots
            && translatable(at: t) {
            emitEntry(t, bodyLabel: nil)
        } else {
            a.jmp(entryLabel(t))
        }
    }

    mutating func jumpToBody(_ l: A.Label, _ expect: Int) {
        if expect >= 0 && expect != cached { a.load64(.rax, xMem(expect)) }
        a.jmp(l)
    }

    /// A conditional branch (static prediction: backward taken, forward not taken; a
    /// mispredict costs `CycleModel.branchMispredict`).
    mutating func branch(_ d: Decoded, _ p: Int, _ len: Int, _ taken: A.Cond) {
        loadAB(Int(d.rs1), Int(d.rs2))
        a.alu(.cmp, .rax, .rcx)
        let notTaken = a.newLabel()
        a.jcc(A.Cond(rawValue: taken.rawValue ^ 1)!, notTaken)
        let mispredict = Int32(CycleModel.branchMispredict)
        if d.imm > 0 { a.alu(.sub, .r12, imm: mispredict) }
        let t = p + Int(d.imm >> 1)
        if t >= 0 && t < CodeCache.slots {
            a.jmp(entryLabel(t))
        } else {
            a.mov(.rax, .rbp)
            addConstant(.rax, Int64(p * 2) + Int64(d.imm))
            a.jmp(leaveTail)
        }
        a.bind(notTaken)
        if d.imm < 0 { a.alu(.sub, .r12, imm: mispredict) }
        continueAt(p + len)
    }

    // MARK: Straight-line instructions

    func xMem(_ r: Int) -> A.Mem { A.Mem(.rbx, Int32(r * 8)) }

    /// rax = x[r].
    mutating func loadA(_ r: Int) {
        if r == 0 {
            a.movImm(.rax, 0)
            cached = -1
        } else if r != cached {
            a.load64(.rax, xMem(r))
            cached = r
        }
    }

    /// rax = x[r1], rcx = x[r2].
    mutating func loadAB(_ r1: Int, _ r2: Int) {
        if r2 == 0 { a.movImm(.rcx, 0) } else if r2 == cached { a.mov(.rcx, .rax) } else { a.load64(.rcx, xMem(r2)) }
        loadA(r1)
    }

    /// x[rd] = rax (x0 writes go to the sink register 32, like the interpreter's).
    mutating func storeRd(_ d: Decoded) {
        a.store(xMem(Int(d.rd)), .rax, size: 8)
        cached = d.rd == sinkRegister ? -1 : Int(d.rd)
    }

    mutating func addConstant(_ r: A.Reg, _ v: Int64) {
        if v == 0 { return }
        if let s = Int32(exactly: v) {
            a.alu(.add, r, imm: s)
        } else {
            a.movImm(.rsi, UInt64(bitPattern: v))
            a.alu(.add, r, .rsi)
        }
    }

    mutating func emitSimple(_ d: Decoded, _ p: Int) {
        let rs1 = Int(d.rs1), rs2 = Int(d.rs2)
        switch d.op {
        case .lui, .cLui:
            a.movImm(.rax, UInt64(bitPattern: Int64(d.imm)))
        case .auipc:
            a.mov(.rax, .rbp)
            addConstant(.rax, Int64(p * 2) + Int64(d.imm))
        case .addi, .cAddi:
            loadA(rs1)
            if d.imm != 0 { a.alu(.add, .rax, imm: d.imm) }
        case .slti, .sltiu:
            loadA(rs1)
            a.alu(.cmp, .rax, imm: d.imm)
            a.setToRAX(d.op == .slti ? .l : .b)
        case .xori: loadA(rs1); a.alu(.xor, .rax, imm: d.imm)
        case .ori: loadA(rs1); a.alu(.or, .rax, imm: d.imm)
        case .andi, .cAndi: loadA(rs1); a.alu(.and, .rax, imm: d.imm)
        case .slli, .cSlli: loadA(rs1); a.shift(.shl, .rax, UInt8(d.imm & 63))
        case .srli, .cSrli: loadA(rs1); a.shift(.shr, .rax, UInt8(d.imm & 63))
        case .srai, .cSrai: loadA(rs1); a.shift(.sar, .rax, UInt8(d.imm & 63))
        case .addiw, .cAddiw:
            loadA(rs1)
            a.alu(.add, .rax, imm: d.imm, w: false)
            a.movsxd(.rax, .rax)
        case .slliw, .srliw, .sraiw:
            loadA(rs1)
            a.shift(d.op == .slliw ? .shl : d.op == .srliw ? .shr : .sar, .rax, UInt8(d.imm & 31), w: false)
            a.movsxd(.rax, .rax)
        case .add, .cAdd: loadAB(rs1, rs2); a.alu(.add, .rax, .rcx)
        case .sub, .cSub: loadAB(rs1, rs2); a.alu(.sub, .rax, .rcx)
        case .xor, .cXor: loadAB(rs1, rs2); a.alu(.xor, .rax, .rcx)
        case .or, .cOr: loadAB(rs1, rs2); a.alu(.or, .rax, .rcx)
        case .and, .cAnd: loadAB(rs1, rs2); a.alu(.and, .rax, .rcx)
        case .sll: loadAB(rs1, rs2); a.shiftCL(.shl, .rax)
        case .srl: loadAB(rs1, rs2); a.shiftCL(.shr, .rax)
        case .sra: loadAB(rs1, rs2); a.shiftCL(.sar, .rax)
        case .slt, .sltu:
            loadAB(rs1, rs2)
            a.alu(.cmp, .rax, .rcx)
            a.setToRAX(d.op == .slt ? .l : .b)
        case .addw, .cAddw: loadAB(rs1, rs2); a.alu(.add, .rax, .rcx, w: false); a.movsxd(.rax, .rax)
        case .subw, .cSubw: loadAB(rs1, rs2); a.alu(.sub, .rax, .rcx, w: false); a.movsxd(.rax, .rax)
        case .sllw, .srlw, .sraw:
            loadAB(rs1, rs2)
            a.shiftCL(d.op == .sllw ? .shl : d.op == .srlw ? .shr : .sar, .rax, w: false)
            a.movsxd(.rax, .rax)
        case .mul: loadAB(rs1, rs2); a.imul(.rax, .rcx)
        case .mulw: loadAB(rs1, rs2); a.imul(.rax, .rcx, w: false); a.movsxd(.rax, .rax)
        case .mulh, .mulhu:
            loadAB(rs1, rs2)
            a.mulWide(.rcx, signed: d.op == .mulh)
            a.mov(.rax, .rdx)
        // Zba (Unpriv. "Zba"): rs1 (zero-extended from 32 bits for .uw) shifted, plus rs2
        case .sh1add, .sh2add, .sh3add:
            loadAB(rs1, rs2)
            a.shift(.shl, .rax, d.op == .sh1add ? 1 : d.op == .sh2add ? 2 : 3)
            a.alu(.add, .rax, .rcx)
        case .addUw, .sh1addUw, .sh2addUw, .sh3addUw:
            loadAB(rs1, rs2)
            a.mov32(.rax, .rax)
            if d.op != .addUw { a.shift(.shl, .rax, d.op == .sh1addUw ? 1 : d.op == .sh2addUw ? 2 : 3) }
            a.alu(.add, .rax, .rcx)
        case .slliUw:
            loadA(rs1)
            a.mov32(.rax, .rax)
            if d.imm & 63 != 0 { a.shift(.shl, .rax, UInt8(d.imm & 63)) }
        // Zbb (Unpriv. "Zbb")
        case .andn: loadAB(rs1, rs2); a.not(.rcx); a.alu(.and, .rax, .rcx)
        case .orn: loadAB(rs1, rs2); a.not(.rcx); a.alu(.or, .rax, .rcx)
        case .xnor: loadAB(rs1, rs2); a.alu(.xor, .rax, .rcx); a.not(.rax)
        case .clz: loadA(rs1); a.lzcnt(.rax, .rax)
        case .clzw: loadA(rs1); a.lzcnt(.rax, .rax, w: false)   // 32 for a zero low word
        case .ctz: loadA(rs1); a.tzcnt(.rax, .rax)
        case .ctzw: loadA(rs1); a.tzcnt(.rax, .rax, w: false)
        case .cpop: loadA(rs1); a.popcnt(.rax, .rax)
        case .cpopw: loadA(rs1); a.popcnt(.rax, .rax, w: false)
        case .max, .maxu, .min, .minu:
            // rax = rs1; take rs2 when rs1 is below it (max) or above it (min)
            loadAB(rs1, rs2)
            a.alu(.cmp, .rax, .rcx)
            a.cmov(d.op == .max ? .l : d.op == .maxu ? .b : d.op == .min ? .g : .a, .rax, .rcx)
        case .sextB: loadA(rs1); a.movsx(.rax, .rax, bits: 8)
        case .sextH: loadA(rs1); a.movsx(.rax, .rax, bits: 16)
        case .zextH: loadA(rs1); a.movzx16(.rax, .rax)
        case .rol, .ror:  // x86 masks a 64-bit rotate count to 6 bits, as RISC-V does
            loadAB(rs1, rs2)
            a.shiftCL(d.op == .rol ? .rol : .ror, .rax)
        case .rolw, .rorw:  // 32-bit rotate (count mod 32), sign-extended
            loadAB(rs1, rs2)
            a.shiftCL(d.op == .rolw ? .rol : .ror, .rax, w: false)
            a.movsxd(.rax, .rax)
        case .rori:
            loadA(rs1)
            if d.imm & 63 != 0 { a.shift(.ror, .rax, UInt8(d.imm & 63)) }
        case .roriw:
            loadA(rs1)
            a.shift(.ror, .rax, UInt8(d.imm & 31), w: false)
            a.movsxd(.rax, .rax)
        case .orcB:
            // Bit 7 of each byte of ((x & 0x7f…) + 0x7f…) | x is set iff the byte is nonzero;
            // those bits, moved to bit 0 and multiplied by 0xff, fill their bytes.
            loadA(rs1)
            a.movImm(.rcx, 0x7F7F_7F7F_7F7F_7F7F)
            a.mov(.rdx, .rax)
            a.alu(.and, .rdx, .rcx)
            a.alu(.add, .rdx, .rcx)
            a.alu(.or, .rdx, .rax)
            a.not(.rcx)
            a.alu(.and, .rdx, .rcx)
            a.shift(.shr, .rdx, 7)
            a.imul(.rax, .rdx, imm: 0xFF)
        case .rev8: loadA(rs1); a.bswap(.rax)
        // Zbc (Unpriv. "Zbc"): the 128-bit carry-less product in xmm0
        case .clmul, .clmulh, .clmulr:
            loadAB(rs1, rs2)
            a.movq(.xmm0, .rax)
            a.movq(.xmm1, .rcx)
            a.pclmulqdq(.xmm0, .xmm1, 0x00)
            switch d.op {
            case .clmul:
                a.movq(.rax, .xmm0)
            case .clmulh:
                a.psrldq(.xmm0, 8)
                a.movq(.rax, .xmm0)
            default:  // clmulr: bits 126…63 = high << 1 | low >> 63
                a.movq(.rdx, .xmm0)
                a.psrldq(.xmm0, 8)
                a.movq(.rax, .xmm0)
                a.alu(.add, .rax, .rax)
                a.shift(.shr, .rdx, 63)
                a.alu(.or, .rax, .rdx)
            }
        // Zbs (Unpriv. "Zbs"): bit index mod 64, as bt* take it from a 64-bit register
        case .bclr: loadAB(rs1, rs2); a.bitTest(.btr, .rax, .rcx)
        case .bset: loadAB(rs1, rs2); a.bitTest(.bts, .rax, .rcx)
        case .binv: loadAB(rs1, rs2); a.bitTest(.btc, .rax, .rcx)
        case .bext:
            loadAB(rs1, rs2)
            a.bitTest(.bt, .rax, .rcx)
            a.setToRAX(.b)  // CF = the bit
        case .bclri: loadA(rs1); a.bitTest(.btr, .rax, UInt8(d.imm & 63))
        case .bseti: loadA(rs1); a.bitTest(.bts, .rax, UInt8(d.imm & 63))
        case .binvi: loadA(rs1); a.bitTest(.btc, .rax, UInt8(d.imm & 63))
        case .bexti:
            loadA(rs1)
            if d.imm & 63 != 0 { a.shift(.shr, .rax, UInt8(d.imm & 63)) }
            a.alu(.and, .rax, imm: 1)
        case .lb: memoryLoad(d, p, size: 1, signed: true); return
        case .lh: memoryLoad(d, p, size: 2, signed: true); return
        case .lw, .cLw: memoryLoad(d, p, size: 4, signed: true); return
        case .ld, .cLd: memoryLoad(d, p, size: 8, signed: false); return
        case .lbu: memoryLoad(d, p, size: 1, signed: false); return
        case .lhu: memoryLoad(d, p, size: 2, signed: false); return
        case .lwu: memoryLoad(d, p, size: 4, signed: false); return
        case .sb: memoryStore(d, p, size: 1); return
        case .sh: memoryStore(d, p, size: 2); return
        case .sw, .cSw: memoryStore(d, p, size: 4); return
        case .sd, .cSd: memoryStore(d, p, size: 8); return
        case .fence: return
        case .flw: fpLoad(d, p, size: 4); return
        case .fld, .cFld: fpLoad(d, p, size: 8); return
        case .fsw: fpStore(d, p, size: 4); return
        case .fsd, .cFsd: fpStore(d, p, size: 8); return
        case .lrW, .lrD: loadReserved(d, p, size: d.op == .lrD ? 8 : 4); return
        case .scW, .scD: storeConditional(d, p, size: d.op == .scD ? 8 : 4); return
        case .amoswapW, .amoaddW, .amoxorW, .amoandW, .amoorW, .amominW, .amomaxW, .amominuW, .amomaxuW:
            atomic(d, p, size: 4); return
        case .amoswapD, .amoaddD, .amoxorD, .amoandD, .amoorD, .amominD, .amomaxD, .amominuD, .amomaxuD:
            atomic(d, p, size: 8); return
        default:
            preconditionFailure("not translatable: \(d.op)")
        }
        storeRd(d)
    }

    /// The data-TLB probe of the interpreter's fast path, for the address in rax:
    /// rcx = the host page, r8 = the page offset; a miss (or an access crossing the page)
    /// resumes the interpreter at slot `p`, which takes the slow path.
    mutating func probeTLB(_ tlb: A.Reg, _ p: Int, size: Int) {
        precondition(MemoryLayout<TLBEntry>.stride == 16 && Hart.tlbMask == 1023)
        a.mov(.rdx, .rax)
        a.shift(.shr, .rdx, 12)
        a.mov32(.rcx, .rdx)
        a.alu(.and, .rcx, imm: Int32(Hart.tlbMask), w: false)
        a.shift(.shl, .rcx, 4, w: false)
        a.alu(.cmp, .rdx, A.Mem(tlb, 0, index: .rcx))
        a.jcc(.ne, resumeLabel(p))
        a.mov32(.r8, .rax)
        a.alu(.and, .r8, imm: 0xFFF, w: false)
        if size > 1 {
            a.alu(.cmp, .r8, imm: Int32(4096 - size), w: false)
            a.jcc(.a, resumeLabel(p))
        }
        a.load64(.rcx, A.Mem(tlb, 8, index: .rcx))
    }

    mutating func memoryLoad(_ d: Decoded, _ p: Int, size: Int, signed: Bool) {
        loadA(Int(d.rs1))
        if d.imm != 0 { a.alu(.add, .rax, imm: d.imm) }
        cached = -1
        probeTLB(.r14, p, size: size)
        a.load(.rax, A.Mem(.rcx, 0, index: .r8), size: size, signed: signed)
        storeRd(d)
    }

    mutating func memoryStore(_ d: Decoded, _ p: Int, size: Int) {
        let rs2 = Int(d.rs2)
        if rs2 == 0 { a.movImm(.r9, 0) } else if rs2 == cached { a.mov(.r9, .rax) } else { a.load64(.r9, xMem(rs2)) }
        loadA(Int(d.rs1))
        if d.imm != 0 { a.alu(.add, .rax, imm: d.imm) }
        cached = -1
        probeTLB(.r15, p, size: size)
        a.store(A.Mem(.rcx, 0, index: .r8), .r9, size: size)
    }
}

// MARK: A extension (Unpriv. "A"): LR/SC and AMOs

extension RegionTranslator {
    func state(_ w: Int) -> A.Mem { A.Mem(.rdi, Int32(w * 8)) }

    /// rax = x[rs1], the address; resumes the interpreter at `p` (which raises the
    /// address-misaligned exception) unless it is aligned to `size`.
    /// Also resumes when `interruptCheckNeeded` is set: the interpreter's atomic would then
    /// leave the block after it.
    mutating func atomicAddress(_ d: Decoded, _ p: Int, size: Int) {
        a.alu(.cmp, state(JITState.interruptCheck), imm: 0)
        a.jcc(.ne, resumeLabel(p))
        loadA(Int(d.rs1))
        cached = -1
        a.mov32(.rdx, .rax)
        a.alu(.and, .rdx, imm: Int32(size - 1), w: false)
        a.jcc(.ne, resumeLabel(p))
    }

    /// The modeled-TLB check of `Hart.translate` for the address in rax: resumes at `p`
    /// unless data accesses are untranslated or the entry of `which` (`JITState.xlateRead`
    /// or `.xlateWrite`) holds the page in the current address space, as `physical` would
    /// then charge nothing. Uses rsi, rdx, r8.
    mutating func checkXlate(_ which: Int, _ p: Int) {
        precondition(MemoryLayout<XlateEntry>.stride == 24 && Hart.xlateSize == 256)
        let hit = a.newLabel()
        a.load64(.rsi, state(which))
        a.test(.rsi, .rsi)
        a.jcc(.e, hit)
        a.mov(.rdx, .rax)
        a.shift(.shr, .rdx, 12)
        a.mov32(.r8, .rdx)
        a.alu(.and, .r8, imm: 255, w: false)
        a.imul(.r8, .r8, imm: 24)
        a.alu(.add, .rsi, .r8)
        a.alu(.cmp, .rdx, A.Mem(.rsi, 0))
        a.jcc(.ne, resumeLabel(p))
        a.load64(.rdx, state(JITState.space))
        a.alu(.cmp, .rdx, A.Mem(.rsi, 16))
        a.jcc(.ne, resumeLabel(p))
        a.bind(hit)
    }

    /// LR: aligned, modeled and host read TLB hit: load, and reserve the address in the
    /// current interleaving epoch (`Hart.executeAtomic`).
    mutating func loadReserved(_ d: Decoded, _ p: Int, size: Int) {
        atomicAddress(d, p, size: size)
        checkXlate(JITState.xlateRead, p)
        probeTLB(.r14, p, size: size)
        a.store(state(JITState.reservation), .rax, size: 8)
        a.load64(.rsi, state(JITState.epoch))
        a.load64(.rsi, A.Mem(.rsi, 0))
        a.store(state(JITState.reservationEpoch), .rsi, size: 8)
        a.load(.rax, A.Mem(.rcx, 0, index: .r8), size: size, signed: true)
        storeRd(d)
    }

    /// SC: a failed one writes 1 and drops the reservation; one that holds stores through
    /// the write TLBs (or resumes the interpreter at `p`, the reservation untouched).
    mutating func storeConditional(_ d: Decoded, _ p: Int, size: Int) {
        let rs2 = Int(d.rs2)
        if rs2 == 0 { a.movImm(.r9, 0) } else if rs2 == cached { a.mov(.r9, .rax) } else { a.load64(.r9, xMem(rs2)) }
        atomicAddress(d, p, size: size)
        let fail = a.newLabel(), done = a.newLabel()
        a.alu(.cmp, .rax, state(JITState.reservation))
        a.jcc(.ne, fail)
        a.load64(.rsi, state(JITState.epoch))
        a.load64(.rsi, A.Mem(.rsi, 0))
        a.alu(.cmp, .rsi, state(JITState.reservationEpoch))
        a.jcc(.ne, fail)
        checkXlate(JITState.xlateWrite, p)
        probeTLB(.r15, p, size: size)
        a.store(A.Mem(.rcx, 0, index: .r8), .r9, size: size)
        a.movImm(.rax, 0)
        a.jmp(done)
        a.bind(fail)
        a.movImm(.rax, 1)
        a.bind(done)
        a.storeImm(state(JITState.reservation), -1)
        storeRd(d)
    }

    /// AMO*: aligned, modeled write TLB and host write TLB hit (PMP write permission
    /// implies read: R=0, W=1 is reserved and legalised away, `Hart+CSR`).
    mutating func atomic(_ d: Decoded, _ p: Int, size: Int) {
        let rs2 = Int(d.rs2)
        if rs2 == 0 { a.movImm(.r9, 0) } else if rs2 == cached { a.mov(.r9, .rax) } else { a.load64(.r9, xMem(rs2)) }
        atomicAddress(d, p, size: size)
        checkXlate(JITState.xlateWrite, p)
        probeTLB(.r15, p, size: size)
        let m = A.Mem(.rcx, 0, index: .r8)
        let w = size == 8
        // rax = old (sign-extended for W), rdx = new
        a.load(.rax, m, size: size, signed: true)
        switch d.op {
        case .amoswapW, .amoswapD: a.mov(.rdx, .r9)
        case .amoaddW, .amoaddD: a.mov(.rdx, .rax); a.alu(.add, .rdx, .r9)
        case .amoxorW, .amoxorD: a.mov(.rdx, .rax); a.alu(.xor, .rdx, .r9)
        case .amoandW, .amoandD: a.mov(.rdx, .rax); a.alu(.and, .rdx, .r9)
        case .amoorW, .amoorD: a.mov(.rdx, .rax); a.alu(.or, .rdx, .r9)
        default:
            // min/max: new = src, replaced by old when old is below (min) or above (max) it
            a.mov(.rdx, .r9)
            a.alu(.cmp, .rax, .r9, w: w)
            let c: A.Cond
            switch d.op {
            case .amominW, .amominD: c = .l
            case .amomaxW, .amomaxD: c = .g
            case .amominuW, .amominuD: c = .b
            default: c = .a
            }
            a.cmov(c, .rdx, .rax)
        }
        a.store(m, .rdx, size: size)
        storeRd(d)
    }
}

// MARK: F and D loads and stores (FLW, FLD, FSW, FSD, C.FLD, C.FSD, C.FLDSP, C.FSDSP)

extension RegionTranslator {
    /// rax = x[rs1] + imm, the address, for an FP access the interpreter would do with no
    /// effect beyond the access (`Hart.executeFPMemory`); otherwise resumes it at `p`:
    /// - `JITState.fp` lacks `need` (1: FS Off, illegal instruction there; 2 for loads: FS
    ///   not Dirty yet, the interpreter's load dirties mstatus.FS and vsstatus.FS);
    /// - `interruptCheckNeeded` is set (the interpreter then leaves the block after it);
    /// - misaligned (the interpreter's `load`/`store` handle it, or raise);
    /// - the modeled-TLB entry `physical` consults misses (it would charge the walk).
    mutating func fpAccess(_ d: Decoded, _ p: Int, size: Int, need: Int32, xlate: Int) {
        a.load64(.rdx, state(JITState.fp))
        a.alu(.and, .rdx, imm: need, w: false)
        a.alu(.cmp, .rdx, imm: need, w: false)
        a.jcc(.ne, resumeLabel(p))
        a.alu(.cmp, state(JITState.interruptCheck), imm: 0)
        a.jcc(.ne, resumeLabel(p))
        loadA(Int(d.rs1))
        if d.imm != 0 { a.alu(.add, .rax, imm: d.imm) }
        cached = -1
        a.mov32(.rdx, .rax)
        a.alu(.and, .rdx, imm: Int32(size - 1), w: false)
        a.jcc(.ne, resumeLabel(p))
        checkXlate(xlate, p)
    }

    /// FLW (NaN-boxed: the upper 32 bits all ones), FLD, C.FLD, C.FLDSP into f[rs2]. FS is
    /// already Dirty (checked), so there is nothing else to update.
    mutating func fpLoad(_ d: Decoded, _ p: Int, size: Int) {
        fpAccess(d, p, size: size, need: 3, xlate: JITState.xlateRead)
        probeTLB(.r14, p, size: size)
        a.load(.rax, A.Mem(.rcx, 0, index: .r8), size: size, signed: false)
        if size == 4 {
            a.movImm(.rdx, Hart.boxMask)
            a.alu(.or, .rax, .rdx)
        }
        a.load64(.rsi, state(JITState.f))
        a.store(A.Mem(.rsi, Int32(d.rs2) * 8), .rax, size: 8)
    }

    /// FSW (the low 32 bits, boxed or not), FSD, C.FSD, C.FSDSP from f[rs2]. Stores leave FS
    /// as it is.
    mutating func fpStore(_ d: Decoded, _ p: Int, size: Int) {
        a.load64(.r9, state(JITState.f))
        a.load64(.r9, A.Mem(.r9, Int32(d.rs2) * 8))
        fpAccess(d, p, size: size, need: 1, xlate: JITState.xlateWrite)
        probeTLB(.r15, p, size: size)
        a.store(A.Mem(.rcx, 0, index: .r8), .r9, size: size)
    }
}

// MARK: Counter CSR reads (Zicntr)

extension RegionTranslator {
    /// cycle, time or instret (`counter` 0, 1, 2) into rd, as `Hart.executeCSR` reads them
    /// after the interpreter's `self.instret = instret − 1; cycles = cyclesFrom(budget)`.
    /// Resumes at `p` (the interpreter raises illegal or virtual instruction, or reads the
    /// frozen value) unless `JITState.counters` allows it; and while `interruptCheckNeeded`
    /// is set, as the interpreter then leaves after the CSR.
    mutating func counterRead(_ d: Decoded, _ p: Int, _ counter: Int) {
        a.alu(.cmp, state(JITState.interruptCheck), imm: 0)
        a.jcc(.ne, resumeLabel(p))
        a.load64(.rdx, state(JITState.counters))
        a.alu(.and, .rdx, imm: Int32(1 << counter), w: false)
        a.jcc(.e, resumeLabel(p))
        switch counter {
        case 0:
            a.load64(.rax, state(JITState.cycleBase))
            a.alu(.sub, .rax, .r12)
        case 2:
            a.load64(.rax, state(JITState.instretBase))
            a.alu(.add, .rax, .r13)
        default:
            a.load64(.rax, state(JITState.runLimit))
            a.alu(.sub, .rax, .r12)
            a.movImm(.rcx, CycleModel.cyclesPerTick)
            a.alu(.xor, .rdx, .rdx, w: false)
            a.divWide(.rcx)
            a.alu(.add, .rax, state(JITState.timeAdd))
        }
        storeRd(d)
    }
}

/// What `Hart.runJIT` hands back to the interpreter loop.
struct JITResult {
    /// Where to go on interpreting (when `leave` is false): an instruction whose block is
    /// charged, on the page the interpreter called from.
    var ip: UnsafeMutablePointer<Decoded>
    var budget: Int64
    var instret: UInt64
    /// The pc to leave the page for (when `leave` is true).
    var exitPC: UInt64
    var leave: Bool
}

extension Hart {
    /// The interpreter is at a block entry `ip` that it has charged and the slot's JIT word
    /// is not `never`: count the visit, translate when hot, and run translated code for as
    /// long as it chains, doing the block entries it hands back (values in, values out, so
    /// the loop's locals stay in registers).
    ///
    /// Chaining between pages: when translated code leaves its page (a jump, or running off
    /// the page end), this loop does what the interpreter's outer loop would do next, when
    /// that costs nothing the interpreter would charge: the budget check (the outer loop's
    /// `while budget > 0`), then the fetch-TLB lookup of the new pc. Only a hit is followed —
    /// `fetchPage` charges nothing then and has no other effect, and a hit means the page is
    /// RAM or ROM that PMP lets the whole page execute and its decoded page is live (retiring
    /// a page drops its fetch mappings). A miss, single-stepping or a pending code flush
    /// hands the pc back to the interpreter, which fetches it (and charges the walk). The new
    /// page's block entry is then made here as the outer loop makes it (decode, charge), and
    /// its JIT word is looked at as before. When the interpreter must go on from a page other
    /// than the one it called from, `handBack` sends it that pc through its outer loop.
    @inline(never)
    func runJIT(_ ip: UnsafeMutablePointer<Decoded>, _ dp: UnsafeMutablePointer<Decoded>, _ page: UnsafeMutableRawPointer,
                _ pageBase: UInt64, budget: Int64, instret: UInt64) -> JITResult {
        var ip = ip, dp = dp, page = page, pageBase = pageBase, budget = budget, instret = instret
        let entered = dp, enteredBase = pageBase
        var table = CodeCache.table(dp)
        let state = jitState
        // What translated code cannot change (the privilege, CSRs, TLB pointers) is set once
        // per call, not once per region run or chained page.
        state[JITState.x] = UInt64(UInt(bitPattern: x))
        state[JITState.readTLB] = UInt64(UInt(bitPattern: dtlbR))
        state[JITState.writeTLB] = UInt64(UInt(bitPattern: dtlbW))
        setJITXlate(state)
        setJITCounters(state)
        setJITFP(state)
        while true {
            let slot = (UInt(bitPattern: ip) &- UInt(bitPattern: dp)) / UInt(MemoryLayout<Decoded>.stride)
            var word = table[Int(slot)]
            if word == JIT.never {
                return handBack(ip, dp, pageBase, from: entered, enteredBase, budget: budget, instret: instret)
            }
            if word < 4096 {
                if !bus.jit.enabled {
                    table[Int(slot)] = JIT.never
                } else if word < 2 * bus.jit.threshold {
                    table[Int(slot)] = word &+ 2
                } else {
                    table[Int(slot)] = bus.jit.translate(slot: Int(slot), dp)
                }
                word = table[Int(slot)]
                if word < 4096 {
                    return handBack(ip, dp, pageBase, from: entered, enteredBase, budget: budget, instret: instret)
                }
            }
            state[JITState.budget] = UInt64(bitPattern: budget)
            state[JITState.instret] = instret
            state[JITState.pageBase] = pageBase
            let code = unsafeBitCast(UnsafeRawPointer(bitPattern: word)!, to: JITFunction.self)
            code(UnsafeMutableRawPointer(state))
            budget = Int64(bitPattern: state[JITState.budget])
            instret = state[JITState.instret]
            let nextSlot = Int(truncatingIfNeeded: state[JITState.slot])
            let next = dp + nextSlot
            let pc: UInt64
            switch state[JITState.kind] {
            case JITState.resume:
                // Straight-line code running off the page end: the interpreter's `pageEnd`
                // leaves for the next page.
                guard nextSlot == CodeCache.slots else {
                    return handBack(next, dp, pageBase, from: entered, enteredBase, budget: budget, instret: instret)
                }
                pc = pageBase &+ 4096
            case JITState.leave:
                pc = state[JITState.exitPC]
            default:
                // A block entry, as the interpreter's: decode, check the budget, charge.
                ip = next
                if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                if budget <= 0 {
                    return JITResult(ip: ip, budget: budget, instret: instret, exitPC: Hart.pcOf(ip, dp, pageBase), leave: true)
                }
                budget &-= Int64(ip.pointee.tick >> 12)
                instret &+= UInt64(ip.pointee.tick & 0xFFF)
                continue
            }
            // Leaving the page for `pc`: chain when the outer loop would find it for nothing.
            let entry = itlb[Int((pc >> 12) & Hart.tlbMask)]
            guard budget > 0, entry.tag == pc >> 12, !singleStep, !bus.jit.flushRequested else {
                return JITResult(ip: ip, budget: budget, instret: instret, exitPC: pc, leave: true)
            }
            bus.jit.chains &+= 1
            page = entry.page
            dp = entry.decoded
            pageBase = pc & ~0xFFF
            table = CodeCache.table(dp)
            ip = dp + Int(truncatingIfNeeded: (pc & 0xFFF) >> 1)
            if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
            budget &-= Int64(ip.pointee.tick >> 12)
            instret &+= UInt64(ip.pointee.tick & 0xFFF)
        }
    }

    /// Hands the interpreter the instruction at `ip`, whose block is charged: in place when
    /// it is on the page the interpreter called `runJIT` from (decoded page `entered`,
    /// virtual base `enteredBase`), else as a leave for its pc with `jitResumeCharged` set,
    /// so that the outer loop fetches the page and interprets from there without a block
    /// entry (the fetch is a TLB hit: the chain just found it there).
    @inline(__always)
    func handBack(_ ip: UnsafeMutablePointer<Decoded>, _ dp: UnsafeMutablePointer<Decoded>, _ pageBase: UInt64,
                  from entered: UnsafeMutablePointer<Decoded>, _ enteredBase: UInt64,
                  budget: Int64, instret: UInt64) -> JITResult {
        if _fastPath(dp == entered && pageBase == enteredBase) {
            return JITResult(ip: ip, budget: budget, instret: instret, exitPC: 0, leave: false)
        }
        // The page-end sentinel is no instruction: a block that ends at the last slot "enters"
        // it with nothing charged, and the interpreter leaves the page there. So this is a
        // plain leave for the next page, whose block the outer loop charges. (Marking it
        // charged skipped that block's cycles: found by the hypervisor bench, whose firmware
        // runs off a page end into a block the JIT does not translate.)
        if ip.pointee.op == .pageEnd {
            return JITResult(ip: ip, budget: budget, instret: instret, exitPC: Hart.pcOf(ip, dp, pageBase), leave: true)
        }
        jitResumeCharged = true
        return JITResult(ip: ip, budget: budget, instret: instret, exitPC: Hart.pcOf(ip, dp, pageBase), leave: true)
    }

    /// The modeled-TLB words of `JITState` for the current data privilege (see there).
    @inline(__always)
    func setJITXlate(_ state: UnsafeMutablePointer<UInt64>) {
        let p = dataPrivilege, v = dataVirtual
        let bare = p == .machine
            || (!v ? satp >> 60 == SatpMode.bare
                   : vsatp >> 60 == SatpMode.bare && hgatp >> 60 == HgatpMode.bare)
        if bare {
            state[JITState.xlateRead] = 0
            state[JITState.xlateWrite] = 0
        } else {
            let set = Hart.tlbSetIndex(p, v)
            state[JITState.xlateRead] = UInt64(UInt(bitPattern: xlate + Hart.xlateSlot(.read, set, 0)))
            state[JITState.xlateWrite] = UInt64(UInt(bitPattern: xlate + Hart.xlateSlot(.write, set, 0)))
            state[JITState.space] = addressSpace(virtual: v)
        }
    }

    /// The counter words of `JITState` (see there): the checks of `csrAccessAllowed` for
    /// cycle, time and instret, and the parts of `mcycle`, `minstret` and the time CSR.
    @inline(__always)
    func setJITCounters(_ state: UnsafeMutablePointer<UInt64>) {
        var ok: UInt64 = 7
        if priv != .machine {
            ok &= mcounteren
            if virt { ok &= hcounteren }
            if priv == .user { ok &= scounteren }
        }
        ok &= ~(mcountinhibit & 5)  // CY and IR: frozen values are the interpreter's
        state[JITState.counters] = ok & 7
        state[JITState.cycleBase] = runLimit &- mcycleOffset
        state[JITState.instretBase] = 0 &- 1 &- minstretOffset
        state[JITState.runLimit] = runLimit
        state[JITState.timeAdd] = bus.clint.timeOffset &+ (virt ? htimedelta : 0)
    }

    /// The FP words of `JITState` (see there), from `fpEnabled` and the FS fields `fpDirty`
    /// sets.
    @inline(__always)
    func setJITFP(_ state: UnsafeMutablePointer<UInt64>) {
        let dirty = mstatus & Mstatus.FS == Mstatus.FS && (!virt || vsstatus & Mstatus.FS == Mstatus.FS)
        state[JITState.fp] = fpEnabled ? (dirty ? 3 : 1) : 0
        state[JITState.f] = UInt64(UInt(bitPattern: f))
    }

    /// The JIT word of the slot `ip` of decoded page `dp`.
    @inline(__always)
    static func jitWord(_ ip: UnsafeMutablePointer<Decoded>, _ dp: UnsafeMutablePointer<Decoded>) -> UInt {
        // 16-byte slots, 8-byte words: the word is at byte distance / 2 into the table.
        let offset = (UInt(bitPattern: ip) &- UInt(bitPattern: dp)) &>> 1
        return (UnsafeRawPointer(dp) + CodeCache.tableOffset + Int(bitPattern: offset)).load(as: UInt.self)
    }
}
