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
        let half = UInt32(truncatingIfNeeded: gdbLittleEndian(low))
        if half & 3 != 3 {
            let op = half & 3, f3 = half >> 13
            let rs1p = Int((half >> 7) & 7) + 8
            // Bits `lo` up (`width` of them) of the instruction, placed at bit `at` of an offset.
            func field(_ lo: UInt32, _ width: UInt32, _ at: UInt32) -> UInt64 {
                UInt64((half >> lo) & ((1 << width) - 1)) << UInt64(at)
            }
            // CL/CS offsets: word (bits 6, 12:10, 5 → 2, 5:3, 6) or doubleword (12:10, 6:5 → 5:3, 7:6).
            let offW = field(6, 1, 2) | field(10, 3, 3) | field(5, 1, 6)
            let offD = field(10, 3, 3) | field(5, 2, 6)
            let sp = x[2]
            switch (op, f3) {
            case (0, 1): return (x[rs1p] &+ offD, 8, true, false)    // C.FLD
            case (0, 2): return (x[rs1p] &+ offW, 4, true, false)    // C.LW
            case (0, 3): return (x[rs1p] &+ offD, 8, true, false)    // C.LD
            case (0, 5): return (x[rs1p] &+ offD, 8, false, true)    // C.FSD
            case (0, 6): return (x[rs1p] &+ offW, 4, false, true)    // C.SW
            case (0, 7): return (x[rs1p] &+ offD, 8, false, true)    // C.SD
            case (2, 1), (2, 3):                                     // C.FLDSP, C.LDSP
                guard f3 == 1 || (half >> 7) & 31 != 0 else { return nil }
                return (sp &+ (field(5, 2, 3) | field(12, 1, 5) | field(2, 3, 6)), 8, true, false)
            case (2, 2):                                             // C.LWSP
                guard (half >> 7) & 31 != 0 else { return nil }
                return (sp &+ (field(4, 3, 2) | field(12, 1, 5) | field(2, 2, 6)), 4, true, false)
            case (2, 5), (2, 7):                                     // C.FSDSP, C.SDSP
                return (sp &+ (field(10, 3, 3) | field(7, 3, 6)), 8, false, true)
            case (2, 6):                                             // C.SWSP
                return (sp &+ (field(9, 4, 2) | field(7, 2, 6)), 4, false, true)
            default: return nil
            }
        }
        guard let bytes = debugRead(pc, count: 4) else { return nil }
        let w = UInt32(truncatingIfNeeded: gdbLittleEndian(bytes))
        let f3 = (w >> 12) & 7
        let base = x[Int((w >> 15) & 31)]
        let immI = UInt64(bitPattern: Int64(Int32(bitPattern: w) >> 20))
        let immHigh: Int32 = (Int32(bitPattern: w) >> 25) << 5
        let immS = UInt64(bitPattern: Int64(immHigh | Int32((w >> 7) & 31)))
        switch w & 0x7F {
        case 0x03: return (base &+ immI, 1 << UInt64(f3 & 3), true, false)       // LB…LD, LBU…LWU
        case 0x07 where f3 == 2 || f3 == 3 || (f3 == 1 && extensions.contains(.zfhmin)):  // FLH, FLW, FLD
            return (base &+ immI, 1 << UInt64(f3), true, false)
        case 0x23: return (base &+ immS, 1 << UInt64(f3 & 3), false, true)       // SB…SD
        case 0x27 where f3 == 2 || f3 == 3 || (f3 == 1 && extensions.contains(.zfhmin)):  // FSH, FSW, FSD
            return (base &+ immS, 1 << UInt64(f3), false, true)
        case 0x2F where f3 == 2 || f3 == 3:                                     // LR, SC, AMOs
            let funct5 = w >> 27
            let size: UInt64 = f3 == 2 ? 4 : 8
            if funct5 == 0b00010 { return (base, size, true, false) }            // LR
            if funct5 == 0b00011 { return (base, size, false, true) }            // SC
            return (base, size, true, true)
        case 0x73 where f3 == 4 && w >> 25 >= 0x30 && w >> 25 <= 0x37:         // HLV, HLVX, HSV
            let funct7 = w >> 25
            let size: UInt64 = 1 << UInt64((funct7 >> 1) & 3)
            return (base, size, funct7 & 1 == 0, funct7 & 1 == 1)
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
