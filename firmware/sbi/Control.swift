import Shim

/// Vireo's control interface (EID `SBI.vireo`, numbers and record layouts in
/// Sources/RISCV/SBI.swift `SBI.Control`): Dom0's calls to build, run, watch and end other
/// domains, as xl reaches Xen through domctl. Only Dom0 may call it (others get
/// SBI_ERR_DENIED). Every pointer and length is checked against Dom0's RAM or the target's
/// before anything changes; bad arguments get SBI error codes and change nothing.
extension Hypervisor {
    func sbiControl(_ c: SBICall) -> SBIResult {
        guard c.domain.id == 0 else { return .fail(SBI.errDenied) }
        let dom0 = c.domain
        switch c.fid {
        case SBI.Control.create: return controlCreate(dom0, request: c.a0, size: c.a1)
        case SBI.Control.populate:
            guard let d = target(c.a0) else { return .fail(SBI.errInvalidParam) }
            guard d.state == .paused, d.entry == 0 else { return .fail(SBI.errInvalidState) }
            guard c.a3 <= SBI.Control.maxPopulate, let dst = d.hostAddress(gpa: c.a1, length: c.a3),
                  let src = dom0.hostAddress(gpa: c.a2, length: c.a3) else { return .fail(SBI.errInvalidAddress) }
            UnsafeMutableRawPointer(bitPattern: UInt(dst))?.copyMemory(from: UnsafeRawPointer(bitPattern: UInt(src))!, byteCount: Int(c.a3))
            return .ok(c.a3)
        case SBI.Control.start:
            guard let d = target(c.a0) else { return .fail(SBI.errInvalidParam) }
            guard d.state == .paused, d.entry == 0 else { return .fail(SBI.errInvalidState) }
            guard c.a1 & 1 == 0, d.hostAddress(gpa: c.a1, length: 2) != nil else { return .fail(SBI.errInvalidAddress) }
            if c.a3 != 0 {
                // The initrd must lie in its RAM below the DTB's page-aligned slot at the top.
                guard d.hostAddress(gpa: c.a2, length: c.a3) != nil,
                      c.a2 &+ c.a3 <= d.ramBase &+ d.size &- Hypervisor.dtbReserve else { return .fail(SBI.errInvalidAddress) }
                d.initrd = (c.a2, c.a2 &+ c.a3)
            }
            start(d, entry: c.a1)
            report(d, " started by Dom0, entry " + Format.hex(c.a1))
            return .ok()
        case SBI.Control.diskAttach:
            guard let d = target(c.a0) else { return .fail(SBI.errInvalidParam) }
            guard d.state == .paused, d.entry == 0 else { return .fail(SBI.errInvalidState) }
            guard c.a1 > 0, c.a1 <= UInt64.max / 512, c.a2 & ~SBI.Control.diskReadOnly == 0,
                  d.disks.count < SBI.Control.maxDisks else { return .fail(SBI.errInvalidParam) }
            d.disks.append(VirtioBlockFrontend(capacity: c.a1, readOnly: c.a2 & SBI.Control.diskReadOnly != 0))
            d.mmio.replace(VirtualBlock.region(disks: d.disks.count))
            return .ok(UInt64(d.disks.count - 1))
        case SBI.Control.diskPop:
            guard c.a1 >= UInt64(SBI.Control.requestSize), let p = dom0.hostAddress(gpa: c.a0, length: c.a1) else {
                return .fail(SBI.errInvalidAddress)
            }
            return diskPop(into: UnsafeMutableRawPointer(bitPattern: UInt(p))!)
        case SBI.Control.diskCopy:
            // At most maxPopulate bytes per call: bounded work under the lock.
            let disk = c.a1 & 0xFFFF, token = UInt32(truncatingIfNeeded: c.a1 >> 16)
            guard let d = target(c.a0), disk < UInt64(d.disks.count), c.a1 >> 32 == 0, c.a5 <= 1,
                  c.a4 <= SBI.Control.maxPopulate else {
                return .fail(SBI.errInvalidParam)
            }
            guard let p = dom0.hostAddress(gpa: c.a3, length: c.a4) else { return .fail(SBI.errInvalidAddress) }
            guard let n = d.disks[Int(disk)].copy(d.ram, offset: c.a2, buffer: UnsafeMutableRawPointer(bitPattern: UInt(p))!,
                                                  length: c.a4, toGuest: c.a5 == SBI.Control.diskToGuest, token: token) else {
                return .fail(SBI.errInvalidState)
            }
            return .ok(n)
        case SBI.Control.diskComplete:
            let disk = c.a1 & 0xFFFF, token = UInt32(truncatingIfNeeded: c.a1 >> 16)
            guard let d = target(c.a0), disk < UInt64(d.disks.count), c.a1 >> 32 == 0, c.a2 <= 2 else {
                return .fail(SBI.errInvalidParam)
            }
            guard d.disks[Int(disk)].complete(d.ram, status: UInt8(c.a2), token: token) else { return .fail(SBI.errInvalidState) }
            updateDiskLine(d, Int(disk))
            return .ok()
        case SBI.Control.pause:
            guard let d = target(c.a0) else { return .fail(SBI.errInvalidParam) }
            return pause(d) ? .ok() : .fail(SBI.errInvalidState)
        case SBI.Control.unpause:
            guard let d = target(c.a0) else { return .fail(SBI.errInvalidParam) }
            return unpause(d) ? .ok() : .fail(SBI.errInvalidState)
        case SBI.Control.destroy:
            guard let d = target(c.a0) else { return .fail(SBI.errInvalidParam) }
            destroy(d)
            return .ok()
        case SBI.Control.reboot:
            guard let d = target(c.a0) else { return .fail(SBI.errInvalidParam) }
            guard d.state == .running || d.state == .paused else { return .fail(SBI.errInvalidState) }
            reboot(d)
            return .ok()
        case SBI.Control.list: return controlList(dom0, array: c.a0, capacity: c.a1)
        case SBI.Control.info:
            guard let d = domain(id: c.a0) else { return .fail(SBI.errInvalidParam) }
            guard c.a2 >= UInt64(SBI.Control.infoSize), let p = dom0.hostAddress(gpa: c.a1, length: c.a2) else {
                return .fail(SBI.errInvalidAddress)
            }
            writeInfo(d, to: UnsafeMutableRawPointer(bitPattern: UInt(p))!)
            return .ok()
        case SBI.Control.consoleRead:
            let n = min(c.a2, 4096)
            guard let p = dom0.hostAddress(gpa: c.a1, length: n) else { return .fail(SBI.errInvalidAddress) }
            let out = UnsafeMutablePointer<UInt8>(bitPattern: UInt(p))!
            var i = 0
            if c.a0 == SBI.Control.hypervisorLog {
                log.take(max: Int(n)) { out[i] = $0; i += 1 }
                return .ok(UInt64(i))
            }
            guard let d = domain(id: c.a0), d.id != 0 else { return .fail(SBI.errInvalidParam) }
            consoleFlush(d)
            d.ring.take(max: Int(n)) { out[i] = $0; i += 1 }
            return .ok(UInt64(i))
        case SBI.Control.consoleWrite:
            guard let d = domain(id: c.a0), d.id != 0 else { return .fail(SBI.errInvalidParam) }
            let n = min(c.a2, UInt64(Hypervisor.inputCapacity - d.input.count))
            guard let p = dom0.hostAddress(gpa: c.a1, length: c.a2) else { return .fail(SBI.errInvalidAddress) }
            let bytes = UnsafePointer<UInt8>(bitPattern: UInt(p))!
            for i in 0..<Int(n) { d.input.append(bytes[i]) }
            if n > 0 {
                updateUARTLine(d)
                for v in d.vcpus where v.state == .waiting { kick(harts[v.hart]) }
            }
            return .ok(n)
        case SBI.Control.consoleClaim:
            for d in domains where d.id != 0 { consoleFlush(d, endLine: true) }
            consolesClaimed = true
            return .ok()
        default:
            return .notSupported
        }
    }

    /// Takes the next guest disk request for Dom0's backend: the domains' disks in turn,
    /// from where the last call stopped, each that was notified (or has more behind a
    /// completed request) and has none in flight. Requests the frontend answers itself
    /// and broken queues are dealt with on the way.
    func diskPop(into record: UnsafeMutableRawPointer) -> SBIResult {
        let count = domains.count
        guard count > 0 else { return .ok(0) }
        // One budget for the whole call, whatever the number of guests and disks: chains the
        // frontend answers itself (each at most 130 descriptors) cost a bounded time under the
        // lock (a review measured 13 ms with a budget per disk). When it runs out, Dom0 is
        // told to come back.
        var budget = Hypervisor.diskPopBudget
        for step in 0..<count {
            let d = domains[(diskCursor &+ step) % count]
            guard d.isRunning || d.state == .paused, !d.disks.isEmpty else { continue }
            for n in 0..<d.disks.count where d.disks[n].notified {
                var more = true
                while more {
                    if budget == 0 {
                        diskCursor = (diskCursor &+ step) % count
                        notifyBackend()
                        return .ok(0)
                    }
                    budget -= 1
                    let popped = d.disks[n].pop(d.ram)
                    updateDiskLine(d, n)
                    switch popped {
                    case .empty: more = false
                    case .answered: continue
                    case .broken:
                        logOnly(d, ": vd" + String(decoding: [UInt8(97 + n)], as: UTF8.self) + " needs reset: the guest broke its virtqueue")
                        more = false
                    case .request(let r):
                        diskCursor = (diskCursor &+ step &+ 1) % count
                        func put(_ offset: Int, _ v: UInt64) { record.storeBytes(of: v, toByteOffset: offset, as: UInt64.self) }
                        put(SBI.Control.requestDomain, d.id)
                        put(SBI.Control.requestDisk, UInt64(n))
                        put(SBI.Control.requestType, UInt64(r.type))
                        put(SBI.Control.requestSector, r.sector)
                        put(SBI.Control.requestLength, r.length)
                        put(SBI.Control.requestToken, UInt64(r.token))
                        return .ok(1)
                    }
                }
            }
        }
        return .ok(0)
    }

    /// Chains one diskPop call walks at most.
    static let diskPopBudget = 16

    /// Console input a domain may have queued and not read.
    static let inputCapacity = 256

    /// A domain Dom0 may act on: it exists and is not Dom0 itself.
    func target(_ id: UInt64) -> Domain? {
        guard id != 0, let d = domain(id: id) else { return nil }
        return d
    }

    /// Why `create` failed, in the value word (SBI_ERR_FAILED carries no more).
    enum CreateFailure: UInt64 {
        case memory = 1, pageTables = 2, badSize = 3
    }

    func controlCreate(_ dom0: Domain, request: UInt64, size: UInt64) -> SBIResult {
        guard size >= UInt64(SBI.Control.createRequestSize), let p = dom0.hostAddress(gpa: request, length: size) else {
            return .fail(SBI.errInvalidAddress)
        }
        let r = UnsafeRawPointer(bitPattern: UInt(p))!
        func word(_ offset: Int) -> UInt64 { r.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        let memorySize = word(SBI.Control.createMemory), vcpus = word(SBI.Control.createVCPUs), weight = word(SBI.Control.createWeight)
        let nameLength = word(SBI.Control.createNameLength), argsLength = word(SBI.Control.createBootargsLength)
        guard nameLength >= 1, nameLength <= UInt64(SBI.Control.nameCapacity),
              argsLength <= UInt64(SBI.Control.bootargsCapacity),
              vcpus >= 1, vcpus <= 8, weight >= 1, weight <= ModuleOptions.maxWeight else { return .fail(SBI.errInvalidParam) }
        let nameBytes = UnsafeRawBufferPointer(start: r + SBI.Control.createName, count: Int(nameLength))
        guard nameBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return .fail(SBI.errInvalidParam) }
        let argBytes = UnsafeRawBufferPointer(start: r + SBI.Control.createBootargs, count: Int(argsLength))
        guard argBytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return .fail(SBI.errInvalidParam) }
        let name = String(decoding: nameBytes, as: UTF8.self)
        guard !domains.contains(where: { $0.name == name }) else { return .fail(SBI.errAlreadyAvailable) }
        guard memorySize >= 1 << 20, memorySize & 0xFFF == 0 else {
            return SBIResult(error: SBI.errFailed, value: CreateFailure.badSize.rawValue)
        }
        let (built, failure) = buildDomain(id: nextDomainID, name: name, bootargs: String(decoding: argBytes, as: UTF8.self),
                                           memory: memorySize, vcpus: Int(vcpus), weight: weight, image: nil)
        guard let d = built else {
            let why: CreateFailure = failure?.hasPrefix("not enough") == true ? .memory : .pageTables
            return SBIResult(error: SBI.errFailed, value: why.rawValue)
        }
        nextDomainID &+= 1
        report(d, ": " + Format.dec(memorySize >> 20) + " MiB at " + Format.hex(d.hostBase) + ", " + Format.dec(vcpus)
               + (vcpus == 1 ? " vCPU" : " vCPUs") + ", built by Dom0")
        return .ok(d.id)
    }

    func controlList(_ dom0: Domain, array: UInt64, capacity: UInt64) -> SBIResult {
        let count = UInt64(domains.count)
        let n = min(count, capacity)
        let (bytes, overflow) = n.multipliedReportingOverflow(by: UInt64(SBI.Control.recordSize))
        guard !overflow else { return .fail(SBI.errInvalidAddress) }
        if n > 0 {
            guard let p = dom0.hostAddress(gpa: array, length: bytes) else { return .fail(SBI.errInvalidAddress) }
            let base = UnsafeMutableRawPointer(bitPattern: UInt(p))!
            for i in 0..<Int(n) { writeRecord(domains[i], to: base + i * SBI.Control.recordSize) }
        }
        return .ok(count)
    }

    /// The state word of a record (SBI.Control.state…).
    func stateWord(_ d: Domain) -> UInt64 {
        switch d.state {
        case .running:
            let sleeping = d.vcpus.allSatisfy { $0.state != .runnable }
            return sleeping ? SBI.Control.stateBlocked : SBI.Control.stateRunning
        case .paused: return SBI.Control.statePaused
        case .shutdown: return d.rebootRequested ? SBI.Control.stateRebooting : SBI.Control.stateShutdown
        case .crashed: return SBI.Control.stateCrashed
        case .reloading: return SBI.Control.stateRebooting
        }
    }

    func writeRecord(_ d: Domain, to p: UnsafeMutableRawPointer) {
        func put(_ offset: Int, _ v: UInt64) { p.storeBytes(of: v, toByteOffset: offset, as: UInt64.self) }
        put(SBI.Control.recordID, d.id)
        put(SBI.Control.recordState, stateWord(d))
        put(SBI.Control.recordVCPUs, UInt64(d.vcpus.count))
        put(SBI.Control.recordMemory, d.size)
        put(SBI.Control.recordCycles, d.cycles &+ runningCycles(d))
        put(SBI.Control.recordWeight, d.weight)
        let name = Array(d.name.utf8.prefix(SBI.Control.nameCapacity))
        put(SBI.Control.recordNameLength, UInt64(name.count))
        for i in 0..<SBI.Control.nameCapacity { p.storeBytes(of: i < name.count ? name[i] : 0, toByteOffset: SBI.Control.recordName + i, as: UInt8.self) }
    }

    /// Guest cycles of `d`'s vCPUs in their current slices (not yet added at a trap).
    func runningCycles(_ d: Domain) -> UInt64 {
        var n: UInt64 = 0
        let now = csr_read_mcycle()
        for h in harts where h.current?.domain === d && h !== here { n &+= now &- h.enteredAt }
        return n
    }

    func writeInfo(_ d: Domain, to p: UnsafeMutableRawPointer) {
        writeRecord(d, to: p)
        func put(_ offset: Int, _ v: UInt64) { p.storeBytes(of: v, toByteOffset: offset, as: UInt64.self) }
        put(SBI.Control.infoPC, d.vcpus[0].frame.pointee.pc)
        put(SBI.Control.infoExits, d.exitCount)
        put(SBI.Control.infoReflected, d.reflected)
        let exits = d.exits
        for i in 0..<SBI.Control.infoCauses { put(SBI.Control.infoExitsByCause + 8 * i, i < exits.count ? exits[i] : 0) }
        let reason = Array(d.reason.utf8.prefix(SBI.Control.reasonCapacity))
        put(SBI.Control.infoReasonLength, UInt64(reason.count))
        for i in 0..<SBI.Control.reasonCapacity { p.storeBytes(of: i < reason.count ? reason[i] : 0, toByteOffset: SBI.Control.infoReason + i, as: UInt8.self) }
    }
}
