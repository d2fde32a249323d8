import RISCV

/// Zicbom and Zicboz: the cache-block operations ("RISC-V Base Cache Management Operation
/// ISA Extensions" 1.0, ratified 2022; not in ../shared/specs — their enables are in Priv.
/// "Machine Environment Configuration Register" (menvcfg.CBIE/CBCFE/CBZE), "Supervisor
/// Environment Configuration Register" (senvcfg) and H "henvcfg").
///
/// The board is coherent and has no caches to model, so CBO.CLEAN and CBO.FLUSH only check
/// the access, and CBO.INVAL — whether an enable asks for a flush (CBIE = 01) or an
/// invalidate (11) — is a flush: on coherent memory the two leave the same contents.
/// CBO.ZERO writes 64 zero bytes (the cache-block size, `riscv,cboz-block-size`).
extension Hart {
    /// The cache-block size of both extensions (`riscv,cbom-block-size`, `riscv,cboz-block-size`).
    static let cacheBlockSize: UInt64 = 64

    /// Whether the CBO instruction with funct12 `function` may run in the current mode
    /// (CMO spec "Cache-Block Operation Enables" table; H "henvcfg"): below M it needs the
    /// menvcfg enable, else illegal; in U also senvcfg's, else illegal. With V=1, an
    /// instruction HS-qualified by menvcfg (and, for VU, senvcfg…) that henvcfg does not
    /// enable raises a virtual-instruction exception; in VU senvcfg (VS-mode's own view of it)
    /// also gives a virtual-instruction exception, as for the rest of VU's S-level controls.
    func cboDenied(_ function: Int32) -> Cause? {
        let field: UInt64
        switch function {
        case 4:
            guard extensions.contains(.zicboz) else { return .illegalInstruction }
            field = Envcfg.CBZE
        case 0:
            guard extensions.contains(.zicbom) else { return .illegalInstruction }
            field = Envcfg.CBIE
        default:
            guard extensions.contains(.zicbom) else { return .illegalInstruction }
            field = Envcfg.CBCFE
        }
        if priv == .machine { return nil }
        if menvcfg & field == 0 { return .illegalInstruction }
        if virt {
            if henvcfg & field == 0 { return .virtualInstruction }
            if priv == .user && senvcfg & field == 0 { return .virtualInstruction }
            return nil
        }
        if priv == .user && senvcfg & field == 0 { return .illegalInstruction }
        return nil
    }

    /// CBO.INVAL/CLEAN/FLUSH/ZERO at the block holding x[rs1]. The access is checked as a
    /// store (CBO.ZERO) or as a load or store (the others: allowed when either is, a store
    /// fault when neither); faults report rs1's value in xtval (CMO spec "Cache-Block
    /// Operations": the effective address is rs1 itself). CBO.ZERO's writes go through the
    /// same path as stores, so decoded pages and translated code holding the block retire.
    @inline(never)
    func executeCBO(_ d: Decoded) throws(Trap) {
        if let cause = cboDenied(d.imm) { throw Trap(cause, UInt64(d.raw)) }
        let va = x[Int(d.rs1)]
        let block = va & ~(Hart.cacheBlockSize - 1)
        let p = dataPrivilege, v = dataVirtual
        do throws(Trap) {
            if d.imm == 4 {
                cycles &+= CycleModel.cboZeroExtra
                let pa = try physical(block, size: Hart.cacheBlockSize, .write, p, v, cycles: &cycles)
                if let host = bus.memoryPointer(pa, size: Hart.cacheBlockSize, write: true) {
                    host.initializeMemory(as: UInt8.self, repeating: 0, count: Int(Hart.cacheBlockSize))
                    ramWritten(pa, size: Hart.cacheBlockSize)
                } else {
                    // A device: eight doubleword writes, as the stores would be.
                    cycles &+= CycleModel.mmioAccess
                    for i in stride(from: UInt64(0), to: Hart.cacheBlockSize, by: 8) {
                        guard bus.mmioWrite(pa &+ i, size: 8, value: 0, cycles: cycles) else {
                            throw Trap(.storeAccessFault, va)
                        }
                    }
                    interruptCheckNeeded = true
                }
                return
            }
            // Clean, flush, invalidate: permission to load or to store the block.
            let pa: UInt64
            do throws(Trap) {
                pa = try translate(block, .read, p, v, cycles: &cycles)
            } catch {
                guard error.cause == .loadPageFault || error.cause == .loadGuestPageFault else { throw error }
                pa = try translate(block, .write, p, v, cycles: &cycles)
            }
            guard pmpAllows(pa, size: Hart.cacheBlockSize, .read, p) || pmpAllows(pa, size: Hart.cacheBlockSize, .write, p)
            else { throw Trap(.storeAccessFault, va) }
        } catch {
            // Every fault is a store/AMO fault at rs1's value (guest-page faults keep the
            // guest physical address the walk left for htval).
            var t = error
            switch t.cause {
            case .loadPageFault: t.cause = .storePageFault
            case .loadGuestPageFault: t.cause = .storeGuestPageFault
            case .loadAccessFault: t.cause = .storeAccessFault
            default: break
            }
            t.tval = va
            throw t
        }
    }
}
