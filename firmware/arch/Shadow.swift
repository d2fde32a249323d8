import Shim

/// The classic trap-and-emulate VMM (issue 17; docs/popek-goldberg.md): a shadow-mode
/// guest's kernel runs in real U-mode with medeleg 0, so every exception it takes comes
/// here, and the firmware carries out its privileged instructions on its virtual S-mode
/// (FirmwareKit `VirtualSupervisor`), reflects the traps that are the guest's own into it,
/// and delivers its virtual interrupts when it can take them.
///
/// With its MMU off the guest runs on the tables that map its physical memory
/// (`Domain.physicalSATP`); with it on, on shadow tables built from its own (below). Each
/// vCPU has its own shadows, like a hart its own TLB: only the hart that runs it touches
/// them, and the other harts reach them through `shadowStale` and the domain's log.
extension Hypervisor {
    /// An exception from a shadow-mode vCPU (interrupts go through `dispatchExit`). Out of
    /// line, like the other exit handlers: the two-stage path's exits stay as they were.
    @inline(never)
    func shadowException(_ e: Exit) -> ExitAction {
        let vcpu = e.vcpu
        let f = vcpu.frame
        switch e.code {
        case Cause.ecallFromU.rawValue:
            // From the guest's kernel: an SBI call. From its U-mode: the kernel's ecall trap.
            guard vcpu.virtualS.privilege == 1 else { return reflect(vcpu, cause: Cause.ecallFromU.rawValue, tval: 0) }
            f.pointee.pc &+= 4
            return handleSBI(vcpu)
        case Cause.illegalInstruction.rawValue:
            return emulatePrivileged(vcpu, insn: e.tval)
        case Cause.loadPageFault.rawValue, Cause.storePageFault.rawValue, Cause.instructionPageFault.rawValue:
            if vcpu.virtualS.satp >> 60 != 0 { return shadowPageFault(vcpu, cause: e.code, va: e.tval) }
            // With its MMU off, an address with nothing in the physical map: a device the
            // firmware emulates, or the access fault a hart raises there.
            let store = e.code == Cause.storePageFault.rawValue
            if e.code != Cause.instructionPageFault.rawValue, emulateShadowMMIO(vcpu, address: e.tval, store: store) {
                return .resume
            }
            let access: ShadowPaging.Access = e.code == Cause.instructionPageFault.rawValue ? .execute : store ? .write : .read
            return reflect(vcpu, cause: Self.accessFault(access), tval: e.tval)
        default:
            // Misaligned accesses, breakpoints, access faults: the guest's own.
            return reflect(vcpu, cause: e.code, tval: e.tval)
        }
    }

    /// An illegal instruction from the guest: one of its kernel's privileged instructions
    /// (carried out on its virtual S-mode), or its own illegal instruction (reflected).
    func emulatePrivileged(_ vcpu: VCPU, insn raw: UInt64) -> ExitAction {
        let f = vcpu.frame
        var insn = UInt32(truncatingIfNeeded: raw)
        // mtval 0 is also what the illegal compressed instruction 0x0000 gives; read the code
        // (with the MMU off the pc is guest-physical), 16 bits for a compressed one.
        // Through its own tables when its MMU is on (a review finding: the pc was taken for
        // a physical address).
        if insn == 0, let code = fetchInstruction(vcpu) { insn = UInt32(truncatingIfNeeded: code) }
        guard let op = VirtualSupervisor.decode(insn) else {
            return reflect(vcpu, cause: Cause.illegalInstruction.rawValue, tval: UInt64(insn))
        }
        switch op {
        case .csr(let function, let rd, let source, let immediate, let csr):
            let operand = immediate ? source : vcpu.register(Int(source))
            guard let old = vcpu.virtualS.execute(function: function, csr: csr, operand: operand, writes: source != 0,
                                                  satpModes: [0, 8]) else {
                return reflect(vcpu, cause: Cause.illegalInstruction.rawValue, tval: UInt64(insn))
            }
            vcpu.setRegister(rd, old)
            f.pointee.pc &+= 4
            // Sstc (its DTB offers it): stimecmp is the guest's timer compare, kept like an
            // SBI deadline; a write sets STIP from it again (Sstc §"stimecmp").
            if csr == VirtualSupervisor.CSRNumber.stimecmp && (source != 0 || function == 1) {
                setGuestTimer(vcpu, vcpu.virtualS.stimecmp)
            }
        case .sret:
            guard let pc = vcpu.virtualS.sret() else {
                return reflect(vcpu, cause: Cause.illegalInstruction.rawValue, tval: UInt64(insn))
            }
            f.pointee.pc = pc
        case .wfi:
            guard vcpu.virtualS.privilege == 1 else {
                return reflect(vcpu, cause: Cause.illegalInstruction.rawValue, tval: UInt64(insn))
            }
            f.pointee.pc &+= 4
            if vcpu.hasPendingInterrupt(now: csr_read_time(), sstc: platform.hasSstc) { return .resume }
            vcpu.state = .waiting
            consoleFlush(vcpu.domain)
            return .reschedule
        case .sfenceVMA(let rs1, let rs2):
            guard vcpu.virtualS.privilege == 1 else {
                return reflect(vcpu, cause: Cause.illegalInstruction.rawValue, tval: UInt64(insn))
            }
            // Priv. §12.2.1: what it names goes from this vCPU's shadows (the others are
            // their harts' business: the guest fences them through SBI RFENCE or an IPI).
            // An address drops its leaf, and every leaf built from the same guest
            // superpage; an ASID, the spaces of that ASID (virtual ASIDLEN 16).
            fenceShadows(vcpu, va: rs1 == 0 ? nil : vcpu.register(rs1), asid: rs2 == 0 ? nil : vcpu.register(rs2) & 0xFFFF)
            f.pointee.pc &+= 4
        }
        return .resume
    }

    /// The access fault a hart raises for `access` where nothing is behind the address
    /// (Priv. §3.7: causes 1, 5 and 7).
    static func accessFault(_ access: ShadowPaging.Access) -> UInt64 {
        switch access {
        case .execute: return Cause.instructionAccessFault.rawValue
        case .write: return Cause.storeAccessFault.rawValue
        case .read: return Cause.loadAccessFault.rawValue
        }
    }

    /// Enters the guest's trap handler (its stvec) for an exception of its own.
    func reflect(_ vcpu: VCPU, cause: UInt64, tval: UInt64) -> ExitAction {
        let f = vcpu.frame
        let vector = vcpu.virtualS.stvec & ~3
        // With its MMU on the vector is a virtual address: only the loop is checked here (an
        // unmapped vector faults again at that address, which is the loop). Only a trap
        // taken in its S-mode can loop: one from its U-mode at that address (its user
        // program jumped there) enters S, where the vector may well work (a review finding).
        let outside = vcpu.virtualS.satp >> 60 == 0 && vcpu.domain.hostAddress(gpa: vector, length: 4) == nil
        let loops = vector == f.pointee.pc && vcpu.virtualS.privilege == 1
        if loops || outside {
            crash(vcpu.domain, faultReason(cause, pc: f.pointee.pc, tval: tval, gpa: nil)
                  + (loops ? ", and its trap vector points there" : ", and its trap vector " + Format.hex(vector) + " is outside its RAM"))
            return .reschedule
        }
        vcpu.domain.reflected &+= 1
        f.pointee.pc = vcpu.virtualS.takeTrap(cause: cause, tval: tval, pc: f.pointee.pc)
        return .resume
    }

    /// Before a shadow-mode vCPU resumes (every exit that resumes it, and `enter`): its
    /// highest pending virtual interrupt is delivered when it can take it now, and the
    /// hart's scounteren is set for the virtual privilege it resumes in — its kernel reads
    /// the counters freely (S-mode ignores scounteren), its user programs as the kernel's
    /// scounteren allows.
    @inline(never)
    func deliverVirtualInterrupt(_ vcpu: VCPU) {
        defer {
            csr_write_scounteren(vcpu.virtualS.privilege == 1 ? 7 : vcpu.virtualS.scounteren & 7)
            // The hart's FS follows the guest's virtual one: Off makes its FP instructions
            // illegal, as on a hart (Priv. §3.1.6.6), and they are reflected to it.
            if vcpu.fp != nil {
                if vcpu.virtualS.sstatus & VirtualSupervisor.FS == 0 { csr_clear_mstatus(Mstatus.FS) } else { csr_set_mstatus(Mstatus.FS) }
            }
            selectShadow(vcpu)
        }
        if vcpu.shadowDeadline <= csr_read_time() {
            vcpu.shadowDeadline = UInt64.max
            vcpu.virtualS.sip |= VirtualSupervisor.STIP
        }
        guard let cause = vcpu.virtualS.pendingInterrupt() else { return }
        let f = vcpu.frame
        f.pointee.pc = vcpu.virtualS.takeTrap(cause: cause, tval: 0, pc: f.pointee.pc)
    }

    /// A load or store at an emulated device at guest-physical `address`: the instruction is
    /// read from the guest's code (through its own tables when its MMU is on) and must
    /// address exactly the faulting byte (`virtual`, with its MMU on: the address it used).
    func emulateShadowMMIO(_ vcpu: VCPU, address: UInt64, store: Bool, virtual: UInt64? = nil) -> Bool {
        guard let region = vcpu.domain.mmio.find(address), let access = fetchAccess(vcpu), access.isStore == store,
              access.base >= 0, vcpu.register(access.base) &+ UInt64(bitPattern: access.offset) == (virtual ?? address) else { return false }
        return performMMIO(vcpu, region, offset: address - region.base, access)
    }

    // MARK: Shadow paging (the guest's MMU on)

    /// The shadow the hart must walk now: the physical map with the guest's MMU off, else
    /// the space for its satp, its virtual privilege and its SUM and MXR (each sees other
    /// pages), built empty when there is none and filled by page faults. All spaces use
    /// ASID 0, so a change of space flushes the hart's TLB.
    ///
    /// The hart's TLB is fenced when the satp changes, and also when anything was dropped
    /// from the shadows since the last fence: a dropped space's root may come straight back
    /// from the pool as another view's, with the same satp (a review finding: U-mode ran on
    /// the kernel view's cached translations).
    func selectShadow(_ vcpu: VCPU) {
        _ = syncShadows(vcpu)
        let vs = vcpu.virtualS
        var want = vcpu.domain.physicalSATP
        if vs.satp >> 60 != 0, let i = vcpu.shadowCache.space(for: shadowKey(vs), pool: &vcpu.shadowPool) {
            want = vcpu.shadowCache.spaces[i].satp
        }
        var flush = vcpu.shadowNeedsFence || vcpu.shadowPool.released
        if csr_read_satp() != want {
            csr_write_satp(want)
            flush = true
        }
        if flush {
            sfence_vma_all()
            vcpu.shadowNeedsFence = false
            vcpu.shadowPool.released = false
        }
    }

    /// Keeps room in the vCPU's shadow pool for one more mapping (a root and two tables),
    /// taking pages from the page-table pool up to `Hypervisor.shadowPages`; past that, or
    /// with the page-table pool empty, its shadow cache evicts instead.
    func growShadowPool(_ vcpu: VCPU) {
        while vcpu.shadowPool.available < 3 && vcpu.shadowPool.pages.count < Hypervisor.shadowPages,
              let p = PageTablePool.allocate(bytes: 4096) {
            vcpu.shadowPool.add(p)
        }
    }

    /// Applies to this vCPU's shadows what other harts asked for since it last ran: all of
    /// them (`shadowStale`, or more logged than the log keeps), else the logged regions.
    /// True when something went (the hart's TLB must be fenced).
    func syncShadows(_ vcpu: VCPU) -> Bool {
        let domain = vcpu.domain
        if vcpu.shadowSeen == domain.shadowLogSeq && !vcpu.shadowStale { return false }
        let overflow = domain.shadowLogSeq &- vcpu.shadowSeen > UInt64(domain.shadowLog.count)
        if overflow { domain.shadowFlushes &+= 1 }      // the others are counted where they are asked for
        var all = vcpu.shadowStale || overflow
        while !all && vcpu.shadowSeen != domain.shadowLogSeq {
            let entry = domain.shadowLog[Int(vcpu.shadowSeen % UInt64(domain.shadowLog.count))]
            vcpu.shadowSeen &+= 1
            if entry & 0xFFF == 3 { all = true } else {
                vcpu.shadowCache.invalidate(entry & ~0xFFF, level: Int(entry & 3), pool: &vcpu.shadowPool)
            }
        }
        if all { vcpu.shadowCache.removeAll(pool: &vcpu.shadowPool) }
        vcpu.shadowStale = false
        vcpu.shadowSeen = domain.shadowLogSeq
        vcpu.shadowNeedsFence = true
        return true
    }

    /// Logs an invalidation for every vCPU of the domain: the region of `va` that one PTE at
    /// `level` maps, or (level 3) everything.
    func logShadowInvalidation(_ domain: Domain, va: UInt64, level: Int) {
        domain.shadowLog[Int(domain.shadowLogSeq % UInt64(domain.shadowLog.count))] = (va & ~0xFFF) | UInt64(level)
        domain.shadowLogSeq &+= 1
        if level < 3 { domain.shadowDrops &+= 1 } else { domain.shadowFlushes &+= 1 }
    }

    /// The guest's SFENCE.VMA on this vCPU (the hart's TLB is fenced on the way back in).
    func fenceShadows(_ vcpu: VCPU, va: UInt64?, asid: UInt64?) {
        if va == nil && asid == nil { vcpu.domain.shadowFlushes &+= 1 } else { vcpu.domain.shadowDrops &+= 1 }
        vcpu.shadowCache.fence(va: va, asid: asid, pool: &vcpu.shadowPool)
        vcpu.shadowNeedsFence = true           // fenced on the way back in (selectShadow)
    }

    func shadowKey(_ vs: VirtualSupervisor) -> ShadowCache.Key {
        let sum: UInt64 = vs.sstatus & VirtualSupervisor.SUM != 0 ? 2 : 0
        let mxr: UInt64 = vs.sstatus & VirtualSupervisor.MXR != 0 ? 4 : 0
        return ShadowCache.Key(satp: vs.satp, privilege: vs.privilege | sum | mxr)
    }

    /// A page fault with the guest's MMU on: its own tables decide (walked as a hart would,
    /// FirmwareKit `ShadowPaging`). Unmapped or not permitted: the guest's page fault. Else
    /// A (and D for a store) are set in its PTE, and the page goes into the current shadow;
    /// a store to one of its page tables is carried out here and drops its shadows; a page
    /// with a device behind it is the device access.
    func shadowPageFault(_ vcpu: VCPU, cause: UInt64, va: UInt64) -> ExitAction {
        let domain = vcpu.domain
        let vs = vcpu.virtualS
        let access: ShadowPaging.Access = cause == Cause.instructionPageFault.rawValue ? .execute
            : cause == Cause.storePageFault.rawValue ? .write : .read
        let memory = GuestTables(domain: domain)
        switch ShadowPaging.walk(va, satp: vs.satp, memory: memory) {
        case .pageFault:
            return reflect(vcpu, cause: cause, tval: va)
        case .accessFault:
            return reflect(vcpu, cause: Self.accessFault(access), tval: va)
        case .leaf(let gpa, var pte, let pteAddress, let level):
            let sum = vs.sstatus & VirtualSupervisor.SUM != 0, mxr = vs.sstatus & VirtualSupervisor.MXR != 0
            guard ShadowPaging.permits(pte, access, privilege: vs.privilege, sum: sum, mxr: mxr) else {
                return reflect(vcpu, cause: cause, tval: va)
            }
            // The tables this walk went through are write-protected from now on: a page
            // that just became one may still be writable in some shadow, so they all go
            // (this vCPU's at once, the others' before they next run).
            if noteTablePages(domain, va: va, satp: vs.satp, memory: memory) {
                logShadowInvalidation(domain, va: 0, level: 3)
                _ = syncShadows(vcpu)
            }
            // A and D, atomically against the PTE the walk read (Priv. §12.3.2 step 7): a
            // sibling vCPU may be storing to it without trapping (its shadows may still map
            // the page writable). When it changed, the access is simply tried again.
            let updated = ShadowPaging.accessedDirty(pte, access)
            if updated != pte {
                guard let p = domain.hostAddress(gpa: pteAddress, length: 8),
                      fw_cas64(UnsafeMutablePointer<UInt64>(bitPattern: UInt(p))!, pte, updated) != 0 else { return .resume }
                pte = updated
            }
            let page = gpa & ~0xFFF
            guard let host = domain.hostAddress(gpa: page, length: 4096) ?? directDevice(domain, page) else {
                // Not RAM: an emulated device, or the guest's access fault.
                if access != .execute, emulateShadowMMIO(vcpu, address: gpa, store: access == .write, virtual: va) { return .resume }
                return reflect(vcpu, cause: Self.accessFault(access), tval: va)
            }
            let table = domain.guestTables.contains(page)
            if table && access == .write {
                // A store to its page tables: done here, then what the PTE maps goes from
                // every shadow (the reverse map says where; on the way back in for this vCPU).
                domain.tableStores &+= 1
                guard emulateTableStore(vcpu, host: host &+ (gpa & 0xFFF), va: va) else {
                    return reflect(vcpu, cause: Cause.storeAccessFault.rawValue, tval: va)
                }
                // (A misaligned store may span two PTEs: both are dropped.)
                var regions = domain.guestTables.regions(storeAt: gpa)
                if (gpa & 7) != 0 { regions += domain.guestTables.regions(storeAt: (gpa | 7) &+ 1) }
                if regions.count > 4 { logShadowInvalidation(domain, va: 0, level: 3) }
                else { for r in regions { logShadowInvalidation(domain, va: r.va, level: r.level) } }
                return .resume
            }
            growShadowPool(vcpu)
            var leaf = ShadowPaging.shadowLeaf(guest: pte, hostPage: host, privilege: vs.privilege, sum: sum, mxr: mxr, pageTable: table)
            // A device page never executes: its G-stage mapping is R|W only.
            if domain.hostAddress(gpa: page, length: 4096) == nil { leaf &= ~ShadowPaging.X }
            guard let i = vcpu.shadowCache.space(for: shadowKey(vs), pool: &vcpu.shadowPool),
                  vcpu.shadowCache.map(i, va & ~0xFFF, leaf: leaf, guestLevel: level, pool: &vcpu.shadowPool) != nil else {
                crash(domain, "shadow tables: no page left for one mapping")
                return .reschedule
            }
            domain.shadowFills &+= 1
            sfence_vma_all()
            vcpu.shadowNeedsFence = false
            vcpu.shadowPool.released = false
            return .resume
        }
    }

    /// Dom0's direct I/O (DESIGN §3): the virtio-mmio slots its G-stage maps 1:1 are mapped
    /// 1:1 in its shadows too, never executable (`shadowPageFault` clears X: the G-stage
    /// maps them R|W, so a fetch there is an access fault in both modes).
    func directDevice(_ domain: Domain, _ page: UInt64) -> UInt64? {
        guard domain.direct, page >= VirtMap.virtioBase, page < VirtMap.virtioBase &+ 8 &* VirtMap.virtioStride else { return nil }
        return page
    }

    /// Adds the guest-physical pages of the tables `va`'s walk uses, with the region each
    /// maps, to the write-protected set; true when a page is new (or the bounded set
    /// started again: every shadow must go, so nothing a walk finds to be a table is left
    /// writable).
    func noteTablePages(_ domain: Domain, va: UInt64, satp: UInt64, memory: GuestTables) -> Bool {
        // Room for the whole walk first: a map that started again halfway would forget the
        // upper tables just noted (a review finding).
        var added = domain.guestTables.makeRoom(3)
        var table = (satp & ((1 << 44) - 1)) << 12
        for level in [2, 1, 0] {
            let base = va & ~((UInt64(1) << (12 + 9 * UInt64(level + 1))) &- 1)
            if domain.guestTables.note(page: table, level: level, base: base) { added = true }
            guard level > 0, let pte = memory.load64(table &+ ((va >> (12 + 9 * UInt64(level))) & 0x1FF) &* 8),
                  pte & ShadowPaging.V != 0, pte & (ShadowPaging.R | ShadowPaging.X) == 0 else { break }
            table = ((pte & ShadowPaging.ppnMask) >> 10) << 12
        }
        return added
    }

    /// Carries out the guest's store to its own page table (at host address `target`): a
    /// plain store, or an AMO or SC (Linux updates PTEs with AMOSWAP and AMOAND). An SC
    /// succeeds: the firmware holds the lock, so no other trapped store comes between (a
    /// store since the guest's LR is not seen: docs/memory-virtualization.md).
    func emulateTableStore(_ vcpu: VCPU, host target: UInt64, va: UInt64) -> Bool {
        guard let insn = fetchInstruction(vcpu) else { return false }
        let p = UnsafeMutableRawPointer(bitPattern: UInt(target))!
        if let amo = AtomicAccess.decode(UInt32(truncatingIfNeeded: insn)) {
            guard insn & 3 == 3, vcpu.register(amo.rs1) == va, va & (amo.width &- 1) == 0 else { return false }
            // Atomic against a sibling vCPU's own (untrapped) stores: compare-and-swap until
            // the old value held.
            var result: UInt64
            while true {
                let old = amo.width == 4 ? UInt64(p.load(as: UInt32.self)) : p.load(as: UInt64.self)
                let (stored, r) = amo.apply(old: old, operand: vcpu.register(amo.rs2))
                result = r
                let done = amo.width == 4
                    ? fw_cas32(p.assumingMemoryBound(to: UInt32.self), UInt32(truncatingIfNeeded: old), UInt32(truncatingIfNeeded: stored))
                    : fw_cas64(p.assumingMemoryBound(to: UInt64.self), old, stored)
                if done != 0 { break }
            }
            vcpu.setRegister(amo.rd, result)
            vcpu.frame.pointee.pc &+= 4
            return true
        }
        // An integer store, or an FP one (a page that was a table may hold anything now; a
        // review finding): its source is read from the hart's FP registers, which the guest
        // can only have used with its FS on, so the hart's is on too.
        var value: UInt64
        var access: MMIOAccess
        if let a = MMIOAccess.decode(insn, transformed: false) {
            access = a
            value = vcpu.register(a.register)
        } else if let a = MMIOAccess.decodeFloatStore(insn), let fp = vcpu.fp {
            access = a
            fp_save(fp)
            value = fp[a.register]
        } else {
            return false
        }
        guard access.isStore, access.base >= 0, vcpu.register(access.base) &+ UInt64(bitPattern: access.offset) == va,
              (va & 0xFFF) &+ access.width <= 4096 else { return false }
        switch access.width {
        case 1: p.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
        case 2: p.storeBytes(of: UInt16(truncatingIfNeeded: value), toByteOffset: 0, as: UInt16.self)
        case 4: p.storeBytes(of: UInt32(truncatingIfNeeded: value), toByteOffset: 0, as: UInt32.self)
        default: p.storeBytes(of: value, toByteOffset: 0, as: UInt64.self)
        }
        vcpu.frame.pointee.pc &+= access.length
        return true
    }

    /// The load or store at the guest's pc, read from its code through its own tables (or
    /// at its physical address with its MMU off).
    func fetchAccess(_ vcpu: VCPU) -> MMIOAccess? {
        guard let insn = fetchInstruction(vcpu) else { return nil }
        return MMIOAccess.decode(insn, transformed: false)
    }

    /// The instruction at the guest's pc (16 bits for a compressed one).
    func fetchInstruction(_ vcpu: VCPU) -> UInt64? {
        guard let low = guestCode(vcpu, vcpu.frame.pointee.pc) else { return nil }
        var insn = UInt64(low)
        if insn & 3 == 3 {
            guard let high = guestCode(vcpu, vcpu.frame.pointee.pc &+ 2) else { return nil }
            insn |= UInt64(high) << 16
        }
        return insn
    }

    /// A halfword of the guest's code at virtual address `va`.
    func guestCode(_ vcpu: VCPU, _ va: UInt64) -> UInt16? {
        var gpa = va
        if vcpu.virtualS.satp >> 60 != 0 {
            guard case .leaf(let g, _, _, _) = ShadowPaging.walk(va, satp: vcpu.virtualS.satp, memory: GuestTables(domain: vcpu.domain)) else { return nil }
            gpa = g
        }
        guard let h = vcpu.domain.hostAddress(gpa: gpa, length: 2) else { return nil }
        return UnsafeRawPointer(bitPattern: UInt(h))!.loadUnaligned(as: UInt16.self)
    }
}

/// A shadow domain's RAM as the guest-table walker reads it.
struct GuestTables: ShadowPaging.GuestMemory {
    unowned(unsafe) let domain: Domain
    func load64(_ gpa: UInt64) -> UInt64? {
        guard gpa & 7 == 0, let h = domain.hostAddress(gpa: gpa, length: 8) else { return nil }
        return UnsafePointer<UInt64>(bitPattern: UInt(h))!.pointee
    }
}
