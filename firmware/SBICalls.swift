import Shim

/// SBI v2.0 for guests (../shared/specs/sbi; DESIGN §3): BASE, TIME, IPI, RFENCE, HSM,
/// SRST, DBCN and the legacy console/timer/shutdown calls. EID in a7, FID in a6,
/// arguments in a0–a5; error in a0 and value in a1 (§3 "Binary Encoding"). Unknown calls
/// get SBI_ERR_NOT_SUPPORTED. Every guest pointer is checked against the guest's RAM.
extension Hypervisor {
    /// Handles the ecall of `vcpu` (pc already stepped). Returns true when the vCPU gave
    /// up the hart (stop, suspend, shutdown).
    func handleSBI(_ vcpu: VCPU) -> Bool {
        let eid = vcpu.register(17), fid = vcpu.register(16)
        let a0 = vcpu.register(10), a1 = vcpu.register(11), a2 = vcpu.register(12)
        var error = SBI.success
        var value: UInt64 = 0
        var yielded = false
        let domain = vcpu.domain

        switch eid {
        case SBI.legacySetTimer:
            setGuestTimer(vcpu, a0)
            vcpu.setRegister(10, 0)
            return false
        case SBI.legacyConsolePutchar:
            consoleWrite(domain, UInt8(truncatingIfNeeded: a0))
            vcpu.setRegister(10, 0)
            return false
        case SBI.legacyConsoleGetchar:
            let c = consoleRead(domain)
            vcpu.setRegister(10, c.map { UInt64($0) } ?? UInt64.max)
            return false
        case SBI.legacyShutdown:
            shutdown(domain, failure: false)
            return true

        case SBI.base:
            switch fid {
            case SBI.Base.getSpecVersion: value = SBI.specVersion
            case SBI.Base.getImplID: value = SBI.vireoImplID
            case SBI.Base.getImplVersion: value = 1
            case SBI.Base.probeExtension: value = Hypervisor.implements(a0) ? 1 : 0
            case SBI.Base.getMvendorid: value = csr_read_mvendorid()
            case SBI.Base.getMarchid: value = csr_read_marchid()
            case SBI.Base.getMimpid: value = csr_read_mimpid()
            default: error = SBI.errNotSupported
            }

        case SBI.time:
            if fid == SBI.timeSetTimer { setGuestTimer(vcpu, a0) } else { error = SBI.errNotSupported }

        case SBI.ipi:
            if fid == SBI.ipiSendIPI {
                error = forEachTarget(domain, mask: a0, base: a1) { setPending($0, Interrupt.VSSIP) }
            } else {
                error = SBI.errNotSupported
            }

        case SBI.rfence:
            // Every vCPU runs on this hart, so a local fence covers the remote ones.
            switch fid {
            case SBI.RFence.fenceI:
                error = forEachTarget(domain, mask: a0, base: a1) { _ in }
                fence_i()
            case SBI.RFence.sfenceVMA, SBI.RFence.sfenceVMAASID:
                error = forEachTarget(domain, mask: a0, base: a1) { _ in }
                hfence_vvma_all()
            default:
                error = SBI.errNotSupported    // the hfence calls need H in the guest
            }

        case SBI.hsm:
            (error, value, yielded) = handleHSM(vcpu, fid: fid, a0: a0, a1: a1, a2: a2)

        case SBI.srst:
            guard fid == SBI.SRST.systemReset else { error = SBI.errNotSupported; break }
            guard a1 <= SBI.SRST.reasonFailure || a1 >= 0xF000_0000 && a1 <= 0xFFFF_FFFF else {
                error = SBI.errInvalidParam
                break
            }
            switch a0 {
            case SBI.SRST.shutdown:
                shutdown(domain, failure: a1 == SBI.SRST.reasonFailure)
                return true
            case SBI.SRST.coldReboot, SBI.SRST.warmReboot:
                reboot(domain)
                return true
            case 0xF000_0000...0xFFFF_FFFF:
                error = SBI.errNotSupported
            default:
                error = SBI.errInvalidParam
            }

        case SBI.dbcn:
            switch fid {
            case SBI.DBCN.write, SBI.DBCN.read:
                // base_addr_hi must be 0 on RV64: the address is a0..a1 as one XLEN value.
                guard a2 == 0, let host = domain.hostAddress(gpa: a1, length: a0) else {
                    error = SBI.errInvalidParam
                    break
                }
                let p = UnsafeMutablePointer<UInt8>(bitPattern: UInt(host))
                if fid == SBI.DBCN.write {
                    for i in 0..<Int(a0) { consoleWrite(domain, p![i]) }
                    value = a0
                } else {
                    var n: UInt64 = 0
                    while n < a0, let c = consoleRead(domain) {
                        p![Int(n)] = c
                        n += 1
                    }
                    value = n
                }
            case SBI.DBCN.writeByte:
                consoleWrite(domain, UInt8(truncatingIfNeeded: a0))
            default:
                error = SBI.errNotSupported
            }

        default:
            error = SBI.errNotSupported
        }
        vcpu.setRegister(10, UInt64(bitPattern: error))
        vcpu.setRegister(11, value)
        return yielded
    }

    static func implements(_ eid: UInt64) -> Bool {
        switch eid {
        case SBI.legacySetTimer, SBI.legacyConsolePutchar, SBI.legacyConsoleGetchar, SBI.legacyShutdown,
             SBI.base, SBI.time, SBI.ipi, SBI.rfence, SBI.hsm, SBI.srst, SBI.dbcn:
            return true
        default:
            return false
        }
    }

    /// TIME set_timer: with Sstc the deadline goes to vstimecmp (the guest's own compare,
    /// htimedelta = 0); without it the firmware keeps it and injects VSTIP when it passes.
    /// Either way a pending timer interrupt is cleared (SBI §6.1).
    func setGuestTimer(_ vcpu: VCPU, _ deadline: UInt64) {
        if platform.hasSstc {
            csr_write_vstimecmp(deadline)
        } else {
            clearPending(vcpu, Interrupt.VSTIP)
            if deadline <= csr_read_time() {
                setPending(vcpu, Interrupt.VSTIP)
                vcpu.timerDeadline = UInt64.max
            } else {
                vcpu.timerDeadline = deadline
            }
            programTimer()
        }
    }

    /// Applies `body` to each vCPU of `domain` named by an SBI hart mask (§3.1: hart_mask
    /// bits relative to hart_mask_base; base = -1 means every hart). Invalid ids →
    /// SBI_ERR_INVALID_PARAM and nothing applied.
    func forEachTarget(_ domain: Domain, mask: UInt64, base: UInt64, _ body: (VCPU) -> Void) -> Int64 {
        if base == UInt64.max {
            for v in domain.vcpus { body(v) }
            return SBI.success
        }
        var targets: [VCPU] = []
        var m = mask
        var bit: UInt64 = 0
        while m != 0 {
            if m & 1 != 0 {
                let id = base &+ bit
                guard id >= base, id < UInt64(domain.vcpus.count) else { return SBI.errInvalidParam }
                targets.append(domain.vcpus[Int(id)])
            }
            m >>= 1
            bit += 1
        }
        for v in targets { body(v) }
        return SBI.success
    }

    /// HSM (SBI §9) over the domain's vCPUs.
    func handleHSM(_ vcpu: VCPU, fid: UInt64, a0: UInt64, a1: UInt64, a2: UInt64) -> (Int64, UInt64, Bool) {
        let domain = vcpu.domain
        switch fid {
        case SBI.HSM.hartStart:
            guard a0 < UInt64(domain.vcpus.count) else { return (SBI.errInvalidParam, 0, false) }
            let target = domain.vcpus[Int(a0)]
            guard target.state == .stopped else { return (SBI.errAlreadyAvailable, 0, false) }
            guard domain.hostAddress(gpa: a1, length: 2) != nil else { return (SBI.errInvalidAddress, 0, false) }
            if loaded === target { loaded = nil }
            target.reset(pc: a1, opaque: a2)
            return (SBI.success, 0, false)
        case SBI.HSM.hartStop:
            vcpu.state = .stopped
            return (SBI.success, 0, true)
        case SBI.HSM.hartGetStatus:
            guard a0 < UInt64(domain.vcpus.count) else { return (SBI.errInvalidParam, 0, false) }
            let target = domain.vcpus[Int(a0)]
            // A vCPU in WFI is still STARTED; only hart_suspend makes it SUSPENDED (SBI §9).
            let status = target.state == .stopped ? SBI.HSM.stopped
                : target.state == .waiting && target.suspended ? SBI.HSM.suspended : SBI.HSM.started
            return (SBI.success, status, false)
        case SBI.HSM.hartSuspend:
            // Default retentive suspend (type 0) behaves as WFI; non-retentive is not offered.
            if a0 == 0 {
                vcpu.state = .waiting
                vcpu.suspended = true
                return (SBI.success, 0, true)
            }
            if a0 == 0x8000_0000 { return (SBI.errNotSupported, 0, false) }
            return (SBI.errInvalidParam, 0, false)
        default:
            return (SBI.errNotSupported, 0, false)
        }
    }
}
