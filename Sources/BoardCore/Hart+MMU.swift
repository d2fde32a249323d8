import RISCV

/// pmpcfg bits (Priv. §3.7.1).
enum PMP {
    static let R: UInt8 = 1, W: UInt8 = 2, X: UInt8 = 4, L: UInt8 = 0x80
    static let off: UInt8 = 0, tor: UInt8 = 1, na4: UInt8 = 2, napot: UInt8 = 3
}

/// One active PMP entry as an address range [lo, hi).
struct PMPRegion {
    var lo: UInt64
    var hi: UInt64
    var perms: UInt8
    var locked: Bool
}

/// The kind of memory access, for permission checks and fault causes.
enum Access {
    case read, write, execute

    var pageFault: Cause {
        switch self {
        case .read: return .loadPageFault
        case .write: return .storePageFault
        case .execute: return .instructionPageFault
        }
    }

    var guestPageFault: Cause {
        switch self {
        case .read: return .loadGuestPageFault
        case .write: return .storeGuestPageFault
        case .execute: return .instructionGuestPageFault
        }
    }

    var accessFault: Cause {
        switch self {
        case .read: return .loadAccessFault
        case .write: return .storeAccessFault
        case .execute: return .instructionAccessFault
        }
    }

    var pmpBit: UInt8 {
        switch self {
        case .read: return PMP.R
        case .write: return PMP.W
        case .execute: return PMP.X
        }
    }
}

extension Hart {
    // MARK: PMP (Priv. §3.7)

    /// pmpaddr[i] is locked when entry i is locked, or when entry i+1 is a locked TOR entry.
    func pmpaddrLocked(_ i: Int) -> Bool {
        if pmpcfg[i] & PMP.L != 0 { return true }
        if i + 1 < Hart.pmpEntries {
            let next = pmpcfg[i + 1]
            if next & PMP.L != 0 && (next >> 3) & 3 == PMP.tor { return true }
        }
        return false
    }

    /// Recomputes the active regions after a pmpcfg/pmpaddr write.
    func rebuildPMP() {
        var regions: [PMPRegion] = []
        for i in 0..<Hart.pmpEntries {
            let cfg = pmpcfg[i]
            let a = (cfg >> 3) & 3
            var lo: UInt64 = 0, hi: UInt64 = 0
            switch a {
            case PMP.tor:
                lo = i == 0 ? 0 : pmpaddr[i - 1] << 2
                hi = pmpaddr[i] << 2
            case PMP.na4:
                lo = pmpaddr[i] << 2
                hi = lo &+ 4
            case PMP.napot:
                let ones = UInt64((~pmpaddr[i]).trailingZeroBitCount)
                if ones >= 54 {
                    lo = 0; hi = 1 << 56
                } else {
                    let size = UInt64(1) << (ones + 3)
                    lo = (pmpaddr[i] << 2) & ~(size - 1)
                    hi = lo &+ size
                }
            default:
                continue
            }
            // An empty TOR range matches nothing but keeps its place in the priority order.
            regions.append(PMPRegion(lo: lo, hi: hi, perms: cfg & 7, locked: cfg & PMP.L != 0))
        }
        pmpRegions = regions
        flushTLB()
    }

    /// Whether an access of `size` bytes at `pa` by privilege `p` passes PMP. The lowest-
    /// numbered entry matching any byte decides, and it must match all bytes.
    func pmpAllows(_ pa: UInt64, size: UInt64, _ access: Access, _ p: Privilege) -> Bool {
        let end = pa &+ size
        for r in pmpRegions where r.lo < r.hi && pa < r.hi && end > r.lo {
            guard pa >= r.lo && end <= r.hi else { return false }
            if p == .machine && !r.locked { return true }
            return r.perms & access.pmpBit != 0
        }
        return p == .machine
    }

    /// Whether the whole 4 KiB page at `page` has uniform PMP permission for `access`
    /// (only then may a TLB entry cover it).
    func pmpAllowsPage(_ page: UInt64, _ access: Access, _ p: Privilege) -> Bool {
        let end = page &+ 4096
        for r in pmpRegions where r.lo < r.hi && page < r.hi && end > r.lo {
            guard page >= r.lo && end <= r.hi else { return false }
            if p == .machine && !r.locked { return true }
            return r.perms & access.pmpBit != 0
        }
        return p == .machine
    }

    // MARK: Address translation (Priv. "Sv39", "Sv48", "Sv57", "Svnapot", "Svpbmt"; H "Two-Stage Address Translation")

    /// The address space a translation belongs to, for tagging the modeled TLB: the ASID of
    /// satp (V=0) or of vsatp with the VMID of hgatp (V=1).
    func addressSpace(virtual v: Bool) -> UInt64 {
        v ? ((vsatp >> 44) & 0xFFFF) | (((hgatp >> 44) & 0x3FFF) << 16) | (1 << 40) : (satp >> 44) & 0xFFFF
    }

    /// Translates `va` for `access` by privilege `p` with virtualization mode `v`. Charges the
    /// page walks to `cycles`. With V=1 the VS-stage (vsatp) and the G-stage (hgatp) apply,
    /// the G-stage to every VS-level page-table access too. `hlvx`: an HLVX read, which needs
    /// execute instead of read permission in both stages (H "Virtual-Machine Load and Store").
    func translate(_ va: UInt64, _ access: Access, _ p: Privilege, _ v: Bool, cycles: inout UInt64,
                   hlvx: Bool = false) throws(Trap) -> UInt64 {
        if p == .machine { return va }
        if !v {
            if satp >> 60 == SatpMode.bare { return va }
        } else if vsatp >> 60 == SatpMode.bare && hgatp >> 60 == HgatpMode.bare {
            return va
        }
        // The modeled TLB: a page translated before (for this access and mode, in this
        // address space, since the last fence) costs no walk, whether RAM, ROM or a device.
        let set = Hart.tlbSetIndex(p, v)
        let slot = Hart.xlateSlot(access, set, va)
        let space = addressSpace(virtual: v)
        if !hlvx && xlate[slot].tag == va >> 12 && xlate[slot].space == space {
            return xlate[slot].page | (va & 0xFFF)
        }
        stats.tlbMisses &+= 1
        cycles &+= CycleModel.tlbMiss
        let pa: UInt64
        if !v {
            pa = try walk(va, stage: .single, access: access, p: p, va: va, original: access, hlvx: false, cycles: &cycles)
        } else {
            let gpa = vsatp >> 60 == SatpMode.bare ? va
                : try walk(va, stage: .vs, access: access, p: p, va: va, original: access, hlvx: hlvx, cycles: &cycles)
            pa = hgatp >> 60 == HgatpMode.bare ? gpa
                : try walk(gpa, stage: .g, access: access, p: p, va: va, original: access, hlvx: hlvx, cycles: &cycles)
        }
        if !hlvx { xlate[slot] = XlateEntry(tag: va >> 12, page: pa & ~0xFFF, space: space) }
        return pa
    }

    /// Svpbmt is usable in S-mode (satp) and G-stage translation: menvcfg.PBMTE.
    var pbmtEnabled: Bool { menvcfg & Envcfg.PBMTE != 0 }
    /// … and in VS-stage translation: henvcfg.PBMTE too (read-only zero while menvcfg.PBMTE is).
    var pbmtEnabledVS: Bool { menvcfg & henvcfg & Envcfg.PBMTE != 0 }

    enum Stage {
        /// satp with V=0: one stage.
        case single
        /// vsatp: guest virtual → guest physical; page tables at guest physical addresses.
        case vs
        /// hgatp: guest physical → supervisor physical (Sv39x4/Sv48x4/Sv57x4).
        case g
    }

    /// One stage of translation of `addr` (a virtual address, or a guest physical address for
    /// the G-stage). `access` is the access this stage checks (for the G-stage translation
    /// for the `original` access at virtual address `va`.
    ///
    /// `debug` (gdb's `debugTranslate`): the same walk and the same checks of the tables'
    /// encoding (reserved bits, non-leaf bits, Svnapot, Svpbmt, superpage alignment, PMP on
    /// the PTE reads), but no permission checks, no A/D update, no cycles or statistics and
    /// no fault state: it only answers where the address leads.
    func walk(_ addr: UInt64, stage: Stage, access: Access, p: Privilege, va: UInt64, original: Access,
              hlvx: Bool, cycles: inout UInt64, implicitTinst: UInt64 = 0, debug: Bool = false) throws(Trap) -> UInt64 {
        let guestFault: Bool = stage == .g
        // A fault of this stage: a page fault, or a guest-page fault with the guest physical
        // address for htval/mtval2 (and the pseudoinstruction of an implicit access).
        func fault() -> Trap {
            if guestFault && !debug {
                faultGPA = addr
                faultTinst = implicitTinst
                return Trap(original.guestPageFault, va)
            }
            return Trap(original.pageFault, va)
        }
        let mode: UInt64
        let root: UInt64
        switch stage {
        case .single: mode = satp >> 60; root = (satp & ((1 << 44) - 1)) << 12
        case .vs: mode = vsatp >> 60; root = (vsatp & ((1 << 44) - 1)) << 12
        case .g: mode = hgatp >> 60; root = (hgatp & ((1 << 44) - 1) & ~3) << 12
        }
        // Sv39/Sv48/Sv57 (Priv. "Sv39", "Sv48", "Sv57": 3, 4 or 5 levels of 9 VPN bits) and
        // their x4 G-stage forms (the same numbers in hgatp.MODE).
        let levels = mode == SatpMode.sv39 ? 3 : mode == SatpMode.sv48 ? 4 : 5
        let vaBits = UInt64(12 + 9 * levels)
        if stage == .g {
            // Sv39x4/Sv48x4/Sv57x4: a 41/50/59-bit guest physical address; higher bits must be zero.
            guard addr >> (vaBits + 2) == 0 else { throw fault() }
        } else {
            // The address must be sign-extended from its top translated bit.
            let top = Int64(bitPattern: addr) >> (vaBits - 1)
            guard top == 0 || top == -1 else { throw fault() }
        }
        var a = root
        var level = levels - 1
        var pte: UInt64 = 0
        var pteAddr: UInt64 = 0
        while true {
            // The root of an x4 scheme is 16 KiB: its index has two more bits.
            let indexBits: UInt64 = stage == .g && level == levels - 1 ? 11 : 9
            let vpn = (addr >> (12 + 9 * UInt64(level))) & ((1 << indexBits) - 1)
            pteAddr = a &+ vpn * 8
            if stage == .vs && hgatp >> 60 != HgatpMode.bare {
                // A VS-level page-table access is a guest physical read: G-stage first.
                pteAddr = try walk(pteAddr, stage: .g, access: .read, p: .user, va: va, original: original,
                                   hlvx: false, cycles: &cycles, implicitTinst: 0x3000, debug: debug)
            }
            if !debug {
                cycles &+= CycleModel.pteRead
                stats.pageWalkReads &+= 1
            }
            guard pmpAllows(pteAddr, size: 8, .read, .supervisor),
                  let ptr = bus.memoryPointer(pteAddr, size: 8, write: false)
            else { throw Trap(original.accessFault, va) }
            pte = ptr.load(as: UInt64.self)
            // Bits 60:54 are reserved in every PTE (Priv. "Sv39": step 3 of the algorithm).
            if pte & PTE.V == 0 || (pte & PTE.R == 0 && pte & PTE.W != 0) || pte & PTE.reservedMask != 0 {
                throw fault()
            }
            if pte & (PTE.R | PTE.X) != 0 { break }
            // Non-leaf: D, A and U are reserved and must be zero, and so are N and PBMT
            // (Svnapot, Svpbmt: "for non-leaf PTEs … reserved … or else a page fault").
            if pte & (PTE.D | PTE.A | PTE.U | PTE.N | PTE.pbmtMask) != 0 || level == 0 { throw fault() }
            a = ((pte & PTE.ppnMask) >> PTE.ppnShift) << 12
            level -= 1
        }

        // Leaf permission checks. G-stage accesses are all user-level (U must be set).
        let sum: Bool
        let mxr: Bool
        switch stage {
        case .single:
            sum = mstatus & Mstatus.SUM != 0
            mxr = mstatus & Mstatus.MXR != 0
        case .vs:
            sum = vsstatus & Mstatus.SUM != 0
            mxr = vsstatus & Mstatus.MXR != 0 || mstatus & Mstatus.MXR != 0
        case .g:
            sum = false
            mxr = mstatus & Mstatus.MXR != 0  // vsstatus.MXR affects the VS-stage only
        }
        if !debug {
            if p == .user || stage == .g {
                if pte & PTE.U == 0 { throw fault() }
            } else if pte & PTE.U != 0 && (access == .execute || !sum) {
                throw fault()
            }
            switch access {
            case .execute: if pte & PTE.X == 0 { throw fault() }
            case .read:
                let readable = hlvx ? pte & PTE.X != 0 : pte & PTE.R != 0 || (mxr && pte & PTE.X != 0)
                if !readable { throw fault() }
            case .write: if pte & PTE.W == 0 { throw fault() }
            }
        }
        var ppn = (pte & PTE.ppnMask) >> PTE.ppnShift
        // Svpbmt (Priv. "Svpbmt", menvcfg/henvcfg.PBMTE): PBMT is usable only where enabled
        // (menvcfg.PBMTE for S-mode and the G-stage, henvcfg.PBMTE as well for the VS-stage);
        // elsewhere the bits are reserved. 3 is reserved. NC (1) and IO (2) change nothing
        // here: the board is coherent and its devices see every access in order anyway.
        let pbmt = (pte & PTE.pbmtMask) >> PTE.pbmtShift
        if pbmt != 0 {
            let enabled = stage == .vs ? pbmtEnabledVS : pbmtEnabled
            if !enabled || pbmt == 3 { throw fault() }
        }
        // Svnapot (Priv. "Svnapot"): N=1 is defined only on a 4 KiB leaf with ppn[3:0] = 1000
        // (a 64 KiB range); any other use is reserved. The translation takes ppn[3:0] from
        // vpn[0][3:0]. The TLB caches 4 KiB pages, so each page of the range is its own entry.
        if pte & PTE.N != 0 {
            guard extensions.contains(.svnapot), level == 0, ppn & 0xF == 0x8 else { throw fault() }
            ppn = (ppn & ~0xF) | ((addr >> 12) & 0xF)
        }
        // A superpage's low PPN fields must be zero.
        if level > 0 && ppn & ((1 << (9 * UInt64(level))) - 1) != 0 { throw fault() }
        // Accessed/dirty update (Priv. §12.3.2 step 9, done by the hardware). For the
        // VS-stage the PTE write is a G-stage write (H "Guest Physical Address Translation").
        var needed = PTE.A
        if access == .write { needed |= PTE.D }
        if pte & needed != needed && !debug {
            var writeAddr = pteAddr
            if stage == .vs && hgatp >> 60 != HgatpMode.bare {
                let pteGPA = a &+ ((addr >> (12 + 9 * UInt64(level))) & 0x1FF) * 8
                writeAddr = try walk(pteGPA, stage: .g, access: .write, p: .user, va: va, original: original,
                                     hlvx: false, cycles: &cycles, implicitTinst: 0x3020)
            }
            guard pmpAllows(writeAddr, size: 8, .write, .supervisor),
                  let ptr = bus.memoryPointer(writeAddr, size: 8, write: true)
            else { throw Trap(original.accessFault, va) }
            pte |= needed
            ptr.storeBytes(of: pte, as: UInt64.self)
        }
        let offsetMask: UInt64 = (1 << (12 + 9 * UInt64(level))) - 1
        return ((ppn << 12) & ~offsetMask) | (addr & offsetMask)
    }

    /// Translates and PMP-checks an access of `size` bytes that does not cross a page.
    /// On success, caches the page in the matching TLB when it is RAM/ROM with uniform PMP.
    func physical(_ va: UInt64, size: UInt64, _ access: Access, _ p: Privilege, _ v: Bool,
                  cycles: inout UInt64) throws(Trap) -> UInt64 {
        let pa = try translate(va, access, p, v, cycles: &cycles)
        guard pmpAllows(pa, size: size, access, p) else { throw Trap(access.accessFault, va) }
        let pagePA = pa & ~0xFFF
        if pmpAllowsPage(pagePA, access, p),
           let host = bus.memoryPointer(pagePA, size: 4096, write: access == .write),
           !(access == .write && (bus.htif.isTohostPage(pagePA) || bus.isCode(pagePA))) {
            let index = Hart.tlbSetIndex(p, v) * Hart.tlbSize + Int((va >> 12) & Hart.tlbMask)
            switch access {
            case .read: tlbRead[index] = TLBEntry(tag: va >> 12, page: host)
            case .write: tlbWrite[index] = TLBEntry(tag: va >> 12, page: host)
            case .execute:
                if let decoded = bus.decodedPage(pagePA) {
                    tlbFetch[index] = FetchTLBEntry(tag: va >> 12, page: host, decoded: decoded)
                }
            }
        }
        return pa
    }

    // MARK: Slow paths of the interpreter

    /// The fetch-TLB entry for the page holding `pc`, filling it on a miss. Returns nil
    /// (with no trap) when PMP grants execute on part of the page only: the interpreter then
    /// fetches every instruction of it through `fetchHalf`, which checks each access.
    func fetchPage(_ pc: UInt64, cycles: inout UInt64) throws(Trap) -> FetchTLBEntry? {
        let index = Int((pc >> 12) & Hart.tlbMask)
        if itlb[index].tag == pc >> 12 { return itlb[index] }
        let pa = try physical(pc, size: 2, .execute, priv, virt, cycles: &cycles)
        guard bus.memoryPointer(pa & ~0xFFF, size: 4096, write: false) != nil else {
            throw Trap(.instructionAccessFault, pc)
        }
        return itlb[index].tag == pc >> 12 ? itlb[index] : nil
    }

    /// Fetches the halfword at `va` (used when an instruction straddles a page boundary).
    func fetchHalf(_ va: UInt64, cycles: inout UInt64) throws(Trap) -> UInt16 {
        let pa = try physical(va, size: 2, .execute, priv, virt, cycles: &cycles)
        guard let host = bus.memoryPointer(pa, size: 2, write: false) else { throw Trap(.instructionAccessFault, va) }
        return host.loadUnaligned(as: UInt16.self)
    }

    /// A load the TLB could not serve: page crossing, TLB miss, device or fault.
    @inline(never)
    func loadSlow(_ va: UInt64, size: UInt64, cycles: inout UInt64) throws(Trap) -> UInt64 {
        try load(va, size: size, dataPrivilege, dataVirtual, hlvx: false, cycles: &cycles)
    }

    /// A load of `size` bytes at `va` as privilege `p` with virtualization mode `v` (HLV
    /// passes its own; `hlvx`: HLVX, execute permission instead of read).
    func load(_ va: UInt64, size: UInt64, _ p: Privilege, _ v: Bool, hlvx: Bool, cycles: inout UInt64) throws(Trap) -> UInt64 {
        if (va & 0xFFF) &+ size > 4096 {
            // Misaligned across a page: byte by byte, each byte translated (Priv. §3.6.1).
            var value: UInt64 = 0
            for i in 0..<size {
                value |= try load(va &+ i, size: 1, p, v, hlvx: hlvx, cycles: &cycles) << (8 * i)
            }
            return value
        }
        let pa: UInt64
        if hlvx {
            // The supervisor physical attributes must grant read and execute (H, HLVX).
            pa = try translate(va, .read, p, v, cycles: &cycles, hlvx: true)
            guard pmpAllows(pa, size: size, .read, p), pmpAllows(pa, size: size, .execute, p) else {
                throw Trap(.loadAccessFault, va)
            }
        } else {
            pa = try physical(va, size: size, .read, p, v, cycles: &cycles)
        }
        if let host = bus.memoryPointer(pa, size: size, write: false) {
            switch size {
            case 1: return UInt64(host.load(as: UInt8.self))
            case 2: return UInt64(host.loadUnaligned(as: UInt16.self))
            case 4: return UInt64(host.loadUnaligned(as: UInt32.self))
            default: return host.loadUnaligned(as: UInt64.self)
            }
        }
        cycles &+= CycleModel.mmioAccess
        traceEvents?.deviceContext(hart: id, cycles: cycles)
        guard let value = bus.mmioRead(pa, size: Int(size), cycles: cycles) else { throw Trap(.loadAccessFault, va) }
        return value
    }

    /// A store the TLB could not serve. Returns normally when done.
    @inline(never)
    func storeSlow(_ va: UInt64, size: UInt64, value: UInt64, cycles: inout UInt64) throws(Trap) {
        try store(va, size: size, value: value, dataPrivilege, dataVirtual, cycles: &cycles)
    }

    /// A store of `size` bytes at `va` as privilege `p` with virtualization mode `v`.
    func store(_ va: UInt64, size: UInt64, value: UInt64, _ p: Privilege, _ v: Bool, cycles: inout UInt64) throws(Trap) {
        if (va & 0xFFF) &+ size > 4096 {
            // Check every byte's translation first so a fault leaves memory untouched.
            for i in 0..<size { _ = try physical(va &+ i, size: 1, .write, p, v, cycles: &cycles) }
            for i in 0..<size { try store(va &+ i, size: 1, value: value >> (8 * i), p, v, cycles: &cycles) }
            return
        }
        let pa = try physical(va, size: size, .write, p, v, cycles: &cycles)
        if let host = bus.memoryPointer(pa, size: size, write: true) {
            switch size {
            case 1: host.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
            case 2: host.storeBytes(of: UInt16(truncatingIfNeeded: value), toByteOffset: 0, as: UInt16.self)
            case 4: host.storeBytes(of: UInt32(truncatingIfNeeded: value), toByteOffset: 0, as: UInt32.self)
            default: host.storeBytes(of: value, toByteOffset: 0, as: UInt64.self)
            }
            ramWritten(pa, size: size)
            return
        }
        cycles &+= CycleModel.mmioAccess
        traceEvents?.deviceContext(hart: id, cycles: cycles)
        guard bus.mmioWrite(pa, size: Int(size), value: value, cycles: cycles) else { throw Trap(.storeAccessFault, va) }
        interruptCheckNeeded = true  // a device may now raise (or drop) an interrupt
    }

    /// Host pointer for an AMO/SC at `va` (naturally aligned, checked by the caller).
    /// AMOs need read and write permission; a fault is reported as a store/AMO fault.
    @inline(never)
    func amoPointer(_ va: UInt64, size: UInt64, cycles: inout UInt64) throws(Trap) -> UnsafeMutableRawPointer {
        let p = dataPrivilege
        let pa = try physical(va, size: size, .write, p, dataVirtual, cycles: &cycles)
        guard pmpAllows(pa, size: size, .read, p), let host = bus.memoryPointer(pa, size: size, write: true) else {
            throw Trap(.storeAccessFault, va)
        }
        codeMayBeWritten(pa, size: size)
        return host
    }

    /// After a write to RAM at `pa` (a store, CBO.ZERO): decoded or translated code there
    /// retires, and HTIF's tohost is served when the write reached it.
    @inline(__always)
    func ramWritten(_ pa: UInt64, size: UInt64) {
        codeMayBeWritten(pa, size: size)
        if bus.htif.touches(pa, size: size) { bus.htif.serve(bus) }
    }

    /// Decoded or translated code over [pa, pa + size) retires; the hart leaves the (retired)
    /// page before its next fetch.
    @inline(__always)
    func codeMayBeWritten(_ pa: UInt64, size: UInt64) {
        if bus.isCode(pa) {
            bus.codeWritten(pa, size: size)
            interruptCheckNeeded = true
        }
    }
}
