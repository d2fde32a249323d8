import RISCV

/// What a debugger (the gdb stub, `Sources/Board/GDBStub.swift`) may see and change of a
/// hart without disturbing the model: reading never charges cycles, never counts a TLB
/// miss or page-table read, never sets an A/D bit and never fills a TLB, so a run with a
/// debugger attached that only looks keeps exactly the same cycles.
extension Hart {
    // MARK: Registers

    /// FP register `i` (raw bits; single values NaN-boxed).
    public func floatRegister(_ i: Int) -> UInt64 { f[i] }
    public func setFloatRegister(_ i: Int, _ value: UInt64) { f[i] = value }

    /// True when something the last instruction did may make an interrupt deliverable (the
    /// run loop then ends its chunk and checks, as `run(until:)` would have).
    public var interruptCheckPending: Bool { interruptCheckNeeded }

    /// A CSR as the architecture names it, regardless of V (sstatus is HS's sstatus even
    /// while the hart runs in VS), without side effects: mip and its views show the lines as
    /// last sampled; nil for CSRs the hart does not implement.
    public func debugReadCSR(_ number: UInt16) -> UInt64? {
        if virt {
            // With V=1 `csrRead` would rename these to their VS twins (H "Hypervisor and
            // Virtual Supervisor CSRs"): read the HS ones directly.
            switch number {
            case CSR.sstatus: return sstatusValue
            case CSR.sie: return mie & mideleg & Interrupt.supervisorMask
            case CSR.stvec: return stvec
            case CSR.sscratch: return sscratch
            case CSR.sepc: return sepc
            case CSR.scause: return scause
            case CSR.stval: return stval
            case CSR.satp: return satp
            case CSR.stimecmp: return sstc ? stimecmp : nil
            default: break
            }
        }
        switch number {
        case CSR.mip: return mip
        case CSR.sip: return mip & mideleg & Interrupt.supervisorMask
        case CSR.hip: return h ? mip & Interrupt.virtualSupervisorMask : nil
        case CSR.vsip: return h ? (mip & hideleg & Interrupt.virtualSupervisorMask) >> 1 : nil
        case CSR.time: return bus.clint.mtime(cycles: cycles)
        default: return try? csrRead(number, raw: 0)
        }
    }

    /// Writes a CSR with its WARL rules, as an M-mode `csrw` would (without the access
    /// check). Refused (false) for CSRs the hart does not implement, read-only ones, and the
    /// S CSRs that V=1 renames while the hart runs with V=1.
    public func debugWriteCSR(_ number: UInt16, _ value: UInt64) -> Bool {
        guard debugReadCSR(number) != nil, (number >> 10) & 3 != 3 else { return false }
        if virt && aliased(number) != number { return false }
        if number == CSR.mip || number == CSR.sip || number == CSR.hip || number == CSR.vsip { updateInterruptLines() }
        do throws(Trap) { try csrWrite(number, value, raw: 0) } catch { return false }
        return true
    }

    // MARK: Memory

    /// The physical address of `va` as the hart sees it now, at its privilege and V (not
    /// MPRV's: what it fetches), through satp, or vsatp and hgatp: the MMU's own walk
    /// (`walk(debug:)`, Priv. §12.3.2 with Sv39/Sv48/Sv57, Svnapot and Svpbmt; H "Two-Stage
    /// Address Translation"), like QEMU's gdbstub, which asks the MMU for a debug
    /// translation of the current mode. The tables' encoding is checked as the hart checks
    /// it; permissions are not, and nothing is updated (A/D, TLB, statistics, cycles). nil
    /// when the page is not mapped or the hart would fault on the tables.
    public func debugTranslate(_ va: UInt64) -> UInt64? {
        if priv == .machine { return va }
        var ignored: UInt64 = 0
        let p: Privilege = priv == .user ? .user : .supervisor
        do throws(Trap) {
            if !virt {
                if satp >> 60 == SatpMode.bare { return va }
                return try walk(va, stage: .single, access: .read, p: p, va: va, original: .read, hlvx: false,
                                cycles: &ignored, debug: true)
            }
            var gpa = va
            if vsatp >> 60 != SatpMode.bare {
                gpa = try walk(va, stage: .vs, access: .read, p: p, va: va, original: .read, hlvx: false,
                               cycles: &ignored, debug: true)
            }
            if hgatp >> 60 == HgatpMode.bare { return gpa }
            return try walk(gpa, stage: .g, access: .read, p: .user, va: va, original: .read, hlvx: false,
                            cycles: &ignored, debug: true)
        } catch {
            return nil
        }
    }

    /// Reads `count` bytes at virtual address `va` through `debugTranslate`, RAM and ROM
    /// only (a device register read could have side effects). nil when any byte is not
    /// mapped to memory.
    public func debugRead(_ va: UInt64, count: Int) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var a = va
        var left = count
        while left > 0 {
            let n = min(left, Int(4096 - (a & 0xFFF)))
            guard let pa = debugTranslate(a), let p = bus.memoryPointer(pa, size: UInt64(n), write: false) else { return nil }
            out.append(contentsOf: UnsafeRawBufferPointer(start: p, count: n))
            a &+= UInt64(n)
            left -= n
        }
        return out
    }

    /// Writes bytes at virtual address `va` (RAM only), keeping decoded instructions and
    /// translated code coherent as any other write does. False when a byte is not RAM
    /// (nothing is written then).
    public func debugWrite(_ va: UInt64, _ bytes: [UInt8]) -> Bool {
        var pieces: [(pa: UInt64, from: Int, count: Int)] = []
        var a = va
        var done = 0
        while done < bytes.count {
            let n = min(bytes.count - done, Int(4096 - (a & 0xFFF)))
            guard let pa = debugTranslate(a), bus.memoryPointer(pa, size: UInt64(n), write: true) != nil else { return false }
            pieces.append((pa, done, n))
            a &+= UInt64(n)
            done += n
        }
        for piece in pieces {
            let p = bus.memoryPointer(piece.pa, size: UInt64(piece.count), write: true)!
            bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress! + piece.from, byteCount: piece.count) }
            bus.codeWritten(piece.pa, size: UInt64(piece.count))
        }
        return true
    }

    // MARK: Watchpoints

    /// The data access the instruction at pc will make, if it is a load, store or AMO
    /// (Unpriv. "Load and Store Instructions", "A" and "C" extensions; H "Hypervisor Virtual-
    /// Machine Load and Store Instructions"): its virtual address, size, and whether it reads
    /// and writes. Computed from the registers as they are before the instruction; nil for
    /// any other instruction or when pc is not mapped.
    public func pendingDataAccess() -> (address: UInt64, size: UInt64, reads: Bool, writes: Bool)? {
        guard let low = debugRead(pc, count: 2) else { return nil }
        var word = UInt32(truncatingIfNeeded: gdbLittleEndian(low))
        if word & 3 == 3 {
            guard let bytes = debugRead(pc, count: 4) else { return nil }
            word = UInt32(truncatingIfNeeded: gdbLittleEndian(bytes))
        }
        // The interpreter's own decoder: its operands are what the hart will use.
        let d = decode(word, extensions)
        let base = x[Int(d.rs1)]
        let offset = base &+ d.immediate
        switch d.op {
        case .lb, .lbu: return (offset, 1, true, false)
        case .lh, .lhu, .flh: return (offset, 2, true, false)
        case .lw, .lwu, .cLw, .flw: return (offset, 4, true, false)
        case .ld, .cLd, .fld, .cFld: return (offset, 8, true, false)
        case .sb: return (offset, 1, false, true)
        case .sh, .fsh: return (offset, 2, false, true)
        case .sw, .cSw, .fsw: return (offset, 4, false, true)
        case .sd, .cSd, .fsd, .cFsd: return (offset, 8, false, true)
        case .lrW: return (base, 4, true, false)
        case .lrD: return (base, 8, true, false)
        case .scW: return (base, 4, false, true)
        case .scD: return (base, 8, false, true)
        case .amoswapW, .amoaddW, .amoxorW, .amoandW, .amoorW, .amominW, .amomaxW, .amominuW, .amomaxuW:
            return (base, 4, true, true)
        case .amoswapD, .amoaddD, .amoxorD, .amoandD, .amoorD, .amominD, .amomaxD, .amominuD, .amomaxuD:
            return (base, 8, true, true)
        case .hlv: return (base, 1 << UInt64(d.imm & 3), true, false)      // imm: log2 size | flags
        case .hsv: return (base, 1 << UInt64(d.imm & 3), false, true)
        default: return nil
        }
    }
}

/// Little-endian bytes (at most 8) as a value.
func gdbLittleEndian(_ bytes: [UInt8]) -> UInt64 {
    var v: UInt64 = 0
    for (i, b) in bytes.prefix(8).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
    return v
}
