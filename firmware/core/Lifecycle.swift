import Shim

/// Why a kernel could not be put into a domain's RAM.
struct KernelLoadFailure: Error {
    let message: String
}

/// Domains from birth to end (DESIGN §3): building one (RAM, G-stage, vCPUs, devices),
/// loading a kernel from a boot module or letting Dom0 populate it, starting it, pausing,
/// stopping it when it breaks, shutting it down, rebooting and destroying it.
extension Hypervisor {
    /// The domain with this id, if it exists.
    func domain(id: UInt64) -> Domain? {
        for d in domains where d.id == id { return d }
        return nil
    }

    /// Builds a domain with zeroed RAM, its vCPUs placed on harts and stopped, and its
    /// devices; it is paused until `start`. With `direct` (Dom0 only) its RAM is mapped 1:1
    /// at `directBase` and the virtio slots are mapped into its G-stage. Returns the domain,
    /// or why it could not be built.
    func buildDomain(id: UInt64, name: String, bootargs: String, memory size: UInt64, vcpus: Int, weight: UInt64,
                     image: UnsafeRawBufferPointer?, directBase: UInt64? = nil) -> (Domain?, String?) {
        guard size >= 1 << 20, size & 0xFFF == 0 else { return (nil, "memory must be a multiple of 4 KiB and at least 1 MiB") }
        guard vcpus >= 1 && vcpus <= 8 else { return (nil, "vcpus must be 1 to 8") }
        guard weight >= 1 && weight <= ModuleOptions.maxWeight else { return (nil, "weight must be 1 to 65535") }
        let base: UInt64
        if let want = directBase {
            guard memory.take(start: want, size: size) else {
                return (nil, "direct: RAM at " + Format.hex(want) + " (" + Format.dec(size >> 20) + " MiB) is not free")
            }
            base = want
        } else {
            guard let got = memory.allocate(size: size) else {
                return (nil, "not enough free memory for " + Format.dec(size >> 20) + " MiB")
            }
            base = got
        }
        let ramBase = directBase ?? Domain.defaultRAMBase
        guard let gstage = GStage() else {
            memory.release(start: base, size: size)
            return (nil, "out of page-table memory")
        }
        var mapped = gstage.map(gpa: ramBase, hpa: base, size: size, perms: GStage.read | GStage.write | GStage.execute)
        if directBase != nil {
            // The virtio-mmio slots: Dom0 drives the disks itself (DESIGN §3 "Direct I/O").
            mapped = mapped && gstage.map(gpa: VirtMap.virtioBase, hpa: VirtMap.virtioBase, size: 8 * VirtMap.virtioStride,
                                          perms: GStage.read | GStage.write)
        }
        guard mapped else {
            gstage.release()
            memory.release(start: base, size: size)
            return (nil, "out of page-table memory")
        }
        UnsafeMutableRawPointer(bitPattern: UInt(base))!.initializeMemory(as: UInt8.self, repeating: 0, count: Int(size))
        let domain = Domain(id: id, name: name, bootargs: bootargs, hostBase: base, ramBase: ramBase, size: size,
                            direct: directBase != nil, gstage: gstage, image: image)
        domain.weight = weight
        domain.shadow = shadowMode
        domain.state = .paused
        domain.createdAt = csr_read_time()
        for i in 0..<vcpus { domain.vcpus.append(VCPU(id: UInt64(i), domain: domain, hasFP: platform.hasFP)) }
        if shadowMode {
            // Each vCPU its own shadows (Shadow.swift): a reserve of the pool now, more as
            // they fill (`growShadowPool`).
            for v in domain.vcpus {
                var pages: [UInt64] = []
                for _ in 0..<Hypervisor.shadowReserve {
                    guard let p = PageTablePool.allocate(bytes: 4096) else { break }
                    pages.append(p)
                }
                v.shadowPool = ShadowPool(pages: pages)
                guard pages.count == Hypervisor.shadowReserve else {
                    for w in domain.vcpus { for p in w.shadowPool.pages { PageTablePool.free(p, bytes: 4096) } }
                    gstage.release()
                    memory.release(start: base, size: size)
                    return (nil, "out of page-table memory for shadow tables")
                }
            }
        }
        _ = domain.mmio.add(VirtualUART.region)
        _ = domain.mmio.add(VirtualPLIC.region)
        domains.append(domain)
        DomainNames.publish(domain)
        for v in domain.vcpus { place(v) }
        flushGuestTranslations(vmid: domain.vmid)
        return (domain, nil)
    }

    /// Copies a boot module's ELF segments into the domain's RAM (zeroed before). Returns
    /// why it cannot, or nil.
    func loadELF(_ domain: Domain, _ elf: ELFImage) -> String? {
        for s in elf.segments {
            guard s.physicalAddress >= domain.ramBase, s.physicalAddress &+ s.memorySize <= domain.ramBase &+ domain.size,
                  s.physicalAddress &+ s.memorySize >= s.physicalAddress else {
                return "segment at " + Format.hex(s.physicalAddress) + " lies outside guest RAM " + Format.hex(domain.ramBase)
                    + "-" + Format.hex(domain.ramBase &+ domain.size)
            }
        }
        let ram = UnsafeMutableRawPointer(bitPattern: UInt(domain.hostBase))!
        for s in elf.segments {
            let dst = ram + Int(s.physicalAddress - domain.ramBase)
            dst.copyMemory(from: domain.image!.baseAddress! + Int(s.fileOffset), byteCount: Int(s.fileSize))
        }
        return nil
    }

    /// Copies a boot module's Linux `Image` where its header asks (FirmwareKit's
    /// `LinuxImage`: RAM base + text_offset, the DTB's slot kept free). Returns the entry.
    func loadLinuxImage(_ domain: Domain) -> Result<UInt64, KernelLoadFailure> {
        let bytes = domain.image!
        do throws(LinuxImage.Failure) {
            let header = try LinuxImage(bytes)
            let at = try header.loadAddress(ramBase: domain.ramBase, ramSize: domain.size, reserve: Hypervisor.dtbReserve)
            let dst = UnsafeMutableRawPointer(bitPattern: UInt(domain.hostBase &+ (at - domain.ramBase)))!
            dst.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
            if let why = loadInitrd(domain, header: header, kernelAt: at) { return .failure(KernelLoadFailure(message: why)) }
            return .success(at)
        } catch {
            return .failure(KernelLoadFailure(message: error.message))
        }
    }

    /// Copies a boot module's initrd above the kernel (FirmwareKit's `LinuxImage`
    /// placement) and names it for the DTB. Returns why it does not fit, or nil.
    func loadInitrd(_ domain: Domain, header: LinuxImage, kernelAt: UInt64) -> String? {
        guard let rd = domain.initrdImage, rd.count > 0 else { return nil }
        guard let at = header.initrdAddress(loadAddress: kernelAt, size: UInt64(rd.count), ramBase: domain.ramBase,
                                            ramSize: domain.size, reserve: Hypervisor.dtbReserve) else {
            return "the ramdisk (" + Format.dec(UInt64(rd.count) >> 10) + " KiB) does not fit above the kernel"
        }
        UnsafeMutableRawPointer(bitPattern: UInt(domain.hostBase &+ (at - domain.ramBase)))!
            .copyMemory(from: rd.baseAddress!, byteCount: rd.count)
        domain.initrd = (at, at &+ UInt64(rd.count))
        return nil
    }

    /// Starts a built domain: its DTB at the top of its RAM, vCPU 0 at `entry` with a0 = 0
    /// and a1 = the DTB (OpenSBI's protocol), the others stopped (SBI HSM).
    func start(_ domain: Domain, entry: UInt64) {
        fence_i()
        domain.entry = entry
        let ram = UnsafeMutableRawPointer(bitPattern: UInt(domain.hostBase))!
        let dtb = GuestDTB.build(domain: domain, platform: platform)
        let dtbOffset = (domain.size - UInt64(dtb.count)) & ~0xFFF
        dtb.withUnsafeBytes { (ram + Int(dtbOffset)).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        domain.dtbAddress = domain.ramBase + dtbOffset
        for v in domain.vcpus { v.state = .stopped }
        if domain.shadow {      // a reboot starts from no shadows and no protected tables
            for v in domain.vcpus { v.shadowStale = true }
            domain.guestTables.removeAll()
        }
        domain.vcpus[0].reset(pc: entry, opaque: domain.dtbAddress)
        domain.state = .running
        domain.rebootRequested = false
        makeReady(domain.vcpus[0])
        kick(harts[domain.vcpus[0].hart])
    }

    /// A domain from a boot module: built, loaded and started. Returns why it failed, or nil.
    func createDomain(id: UInt64, name: String, image: UnsafeRawBufferPointer, bootargs: String, memory size: UInt64, vcpus: Int,
                      weight: UInt64 = FairShare.defaultWeight, direct: Bool = false,
                      initrd: UnsafeRawBufferPointer? = nil) -> String? {
        if LinuxImage.looksLikeImage(image) {
            guard !direct else { return "direct: Dom0 must be an ELF linked where its RAM is mapped 1:1" }
            let (built, failure) = buildDomain(id: id, name: name, bootargs: bootargs, memory: size, vcpus: vcpus, weight: weight,
                                               image: image)
            guard let domain = built else { return failure }
            domain.initrdImage = initrd
            if id == 0 { routeConsoleInterrupt(to: domain) }
            let entry: UInt64
            switch loadLinuxImage(domain) {
            case .success(let e): entry = e
            case .failure(let reason):
                destroyNow(domain)
                return reason.message
            }
            start(domain, entry: entry)
            report(domain, ": " + Format.dec(size >> 20) + " MiB at " + Format.hex(domain.hostBase) + ", " + Format.dec(UInt64(vcpus))
                   + (vcpus == 1 ? " vCPU, Linux Image at " : " vCPUs, Linux Image at ") + Format.hex(entry))
            return nil
        }
        let elf: ELFImage
        do throws(ELFError) {
            elf = try ELFImage(image)
        } catch {
            return "not a loadable ELF or Linux Image: " + Format.string(error.reason)
        }
        var directBase: UInt64? = nil
        if direct {
            // Dom0's RAM 1:1 where its kernel is linked: the kernel sits 2 MiB into it, as
            // OpenSBI and Linux place an S-mode kernel.
            let lowest = elf.segments.map { $0.physicalAddress }.min() ?? 0
            let base = (lowest & ~(PhysicalMemory.alignment - 1)) &- PhysicalMemory.alignment
            guard lowest >= VirtMap.dram + PhysicalMemory.alignment, base >= VirtMap.dram else {
                return "direct: the kernel is linked at " + Format.hex(lowest) + ", where Dom0's RAM cannot be mapped 1:1"
            }
            directBase = base
        }
        let (built, failure) = buildDomain(id: id, name: name, bootargs: bootargs, memory: size, vcpus: vcpus, weight: weight,
                                           image: image, directBase: directBase)
        guard let domain = built else { return failure }
        if let reason = loadELF(domain, elf) {
            destroyNow(domain)
            return reason
        }
        if domain.direct { routeDeviceInterrupts(to: domain) }
        if id == 0 { routeConsoleInterrupt(to: domain) }
        start(domain, entry: elf.entry)
        report(domain, ": " + Format.dec(size >> 20) + " MiB at " + Format.hex(domain.hostBase) + ", " + Format.dec(UInt64(vcpus))
               + (vcpus == 1 ? " vCPU, entry " : " vCPUs, entry ") + Format.hex(elf.entry) + (direct ? ", direct I/O" : ""))
        return nil
    }

    /// Kicks the harts that run or hold a vCPU of `domain`, so they notice its new state
    /// at once instead of at the end of their slice.
    func kickHarts(of domain: Domain) {
        for h in harts where h.current?.domain === domain || h.loaded?.domain === domain { kick(h) }
        for v in domain.vcpus { kick(harts[v.hart]) }
    }

    /// After an HSM hart_stop: a domain whose vCPUs are all stopped can never run again
    /// (nothing is left to start them), so it is shut down.
    func checkAllStopped(_ domain: Domain) {
        guard domain.isRunning, domain.vcpus.allSatisfy({ $0.state == .stopped }) else { return }
        consoleFlush(domain, endLine: true)
        domain.state = .shutdown
        domain.reason = "every vCPU stopped (SBI HSM hart_stop)"
        report(domain, " shut down: every vCPU stopped (SBI HSM hart_stop)")
        if domain.id == 0 { powerOff(0) }
    }

    /// Stops a domain that broke (DESIGN §3 "Faults"): the reason is printed and kept for
    /// `info`; the other domains go on.
    func crash(_ domain: Domain, _ reason: String) {
        consoleFlush(domain, endLine: true)
        domain.state = .crashed
        domain.reason = reason
        for v in domain.vcpus { v.state = .stopped }
        report(domain, " stopped: " + reason)
        kickHarts(of: domain)
    }

    /// SBI SRST from a guest. Dom0's shutdown powers the board off (it is the control
    /// domain); another domain's shutdown just stops it.
    func shutdown(_ domain: Domain, failure: Bool) {
        consoleFlush(domain, endLine: true)
        domain.state = failure ? .crashed : .shutdown
        domain.reason = failure ? "shut down (system failure)" : "shut down"
        for v in domain.vcpus { v.state = .stopped }
        report(domain, failure ? " shut down, reason: system failure" : " shut down")
        if domain.id == 0 { powerOff(failure ? 1 : 0) }
        kickHarts(of: domain)
    }

    /// SRST reboot (or Dom0's reboot command). A domain from a boot module is loaded again
    /// from it and vCPU 0 restarts; the reload (zeroing the RAM, copying the image) is
    /// charged to the domain's vCPU like any firmware work done for it, so a guest that
    /// reboots in a loop gets no more than its share of the hart. A domain Dom0 built is
    /// shut down with reason reboot, and Dom0 builds it again (xl's on_reboot=restart).
    func reboot(_ domain: Domain) {
        consoleFlush(domain, endLine: true)
        guard let image = domain.image else {
            domain.state = .shutdown
            domain.reason = "reboot"
            domain.rebootRequested = true
            for v in domain.vcpus { v.state = .stopped }
            report(domain, " shut down to reboot")
            kickHarts(of: domain)
            return
        }
        report(domain, " reboots")
        let isLinux = LinuxImage.looksLikeImage(image)
        var elf: ELFImage? = nil
        if !isLinux {
            do throws(ELFError) {
                elf = try ELFImage(image)
            } catch {
                crash(domain, "reboot failed: " + Format.string(error.reason))
                return
            }
        }
        // No vCPU of the domain may run while its RAM is reloaded: stop them all, and
        // wait (the lock dropped) until every hart has left them.
        domain.state = .reloading
        for v in domain.vcpus { v.state = .stopped }
        kickHarts(of: domain)
        waitUntilIdle(domain)
        for h in harts where h.loaded?.domain === domain { h.loaded = nil }
        // Zeroing the RAM takes milliseconds: it is done in pieces, dropping the lock
        // between them so that the other harts' exits are not held up.
        let ram = UnsafeMutableRawPointer(bitPattern: UInt(domain.hostBase))!
        var done: UInt64 = 0
        while done < domain.size {
            let n = min(domain.size - done, Hypervisor.reloadPiece)
            (ram + Int(done)).initializeMemory(as: UInt8.self, repeating: 0, count: Int(n))
            done += n
            yieldLock()
        }
        // Its devices come back as after power-on.
        if !domain.direct {
            domain.plic = PLICState(contexts: 16)
            domain.diskLines = 0
            domain.uartLine = false
        }
        for n in 0..<domain.disks.count {
            domain.disks[n].reset()
            updateDiskLine(domain, n)
        }
        domain.uart = UART16550Registers()
        updateUARTLine(domain)
        if let elf {
            if let reason = loadELF(domain, elf) {
                domain.state = .running
                crash(domain, "reboot failed: " + reason)
            } else {
                start(domain, entry: elf.entry)
            }
        } else {
            switch loadLinuxImage(domain) {
            case .success(let entry): start(domain, entry: entry)
            case .failure(let reason):
                domain.state = .running
                crash(domain, "reboot failed: " + reason.message)
            }
        }
        kickHarts(of: domain)
    }

    /// How much RAM a reboot zeroes between two drops of the lock.
    static let reloadPiece: UInt64 = 1 << 20

    /// Pauses a running domain: its vCPUs keep their state and are not scheduled.
    func pause(_ domain: Domain) -> Bool {
        guard domain.state == .running else { return false }
        domain.state = .paused
        kickHarts(of: domain)
        return true
    }

    func unpause(_ domain: Domain) -> Bool {
        guard domain.state == .paused, domain.entry != 0 else { return false }
        domain.state = .running
        for v in domain.vcpus where v.state == .runnable { makeReady(v) }
        kickHarts(of: domain)
        return true
    }

    /// Waits, with the lock dropped, until no hart other than this one runs a vCPU of
    /// `domain` (each kicked hart reschedules, seeing the domain not running).
    func waitUntilIdle(_ domain: Domain) {
        let me = here
        while true {
            var busy = false
            for h in harts where h !== me && h.current?.domain === domain {
                busy = true
                kick(h)
            }
            if !busy { return }
            yieldLock()
        }
    }

    /// Destroys a domain that is not Dom0 (`destroy`): stopped, no hart running it, its
    /// vCPUs off the run queues, its RAM and G-stage tables freed, its VMID's translations
    /// flushed on every hart.
    func destroy(_ domain: Domain) {
        // A reboot in progress on another hart finishes first (it drops the lock while it
        // zeroes the RAM).
        while domain.state == .reloading { yieldLock() }
        consoleFlush(domain, endLine: true)
        domain.state = .crashed
        domain.reason = "destroyed"
        for v in domain.vcpus { v.state = .stopped }
        kickHarts(of: domain)
        waitUntilIdle(domain)
        destroyNow(domain)
        report(domain, " destroyed")
    }

    /// The freeing part of `destroy`, for a domain no hart runs.
    func destroyNow(_ domain: Domain) {
        for h in harts {
            if h.loaded?.domain === domain { h.loaded = nil }
            if h.charged?.domain === domain { h.charged = nil }
            if h.current?.domain === domain { h.current = nil }
            h.queue.removeAll { $0.domain === domain }
        }
        if lineOwner === domain { lineOwner = nil }
        domains.removeAll { $0 === domain }
        DomainNames.withdraw(domain)
        flushGuestTranslations(vmid: domain.vmid)
        domain.gstage.release()
        for v in domain.vcpus {
            for p in v.shadowPool.pages { PageTablePool.free(p, bytes: 4096) }
            v.shadowPool = ShadowPool(pages: [])
        }
        memory.release(start: domain.hostBase, size: domain.size)
    }

    /// Drops every hart's cached guest-physical translations (HFENCE.GVMA, Priv. §18.3.2)
    /// after a VMID's mappings changed: this hart at once, the others through their
    /// mailboxes (waited for). Without H there are none, and no HFENCE: every domain is a
    /// shadow one, and a hart flushes its whole TLB (SFENCE.VMA) whenever it loads a shadow
    /// vCPU or changes its shadow, so a built or destroyed domain's mappings are never used
    /// from a stale entry.
    func flushGuestTranslations(vmid: UInt64) {
        guard platform.hasH else { return }
        hfence_gvma_all()
        let me = here
        var tickets: [(hart: HartState, ticket: UInt64)] = []
        for h in harts where h !== me && h.firstEntry != 0 {
            h.fenceGVMA = true
            h.fencePosted &+= 1
            tickets.append((h, h.fencePosted))
            kick(h)
        }
        if !tickets.isEmpty { waitForFences(tickets) }
    }

    /// "vireo: domain N (name)" followed by `rest` and a newline, on a line of its own; once
    /// Dom0 has claimed the consoles, messages about other domains go to the firmware's log
    /// (Dom0 shows its own notices), so they do not break into Dom0's console.
    func report(_ domain: Domain, _ rest: String) {
        if consolesClaimed && domain.id != 0 {
            logOnly(domain, rest)
            return
        }
        claimLine(nil)
        Log.put("vireo: domain " + Format.dec(domain.id) + " (" + domain.name + ")" + rest + "\n")
    }

    /// The same line into the firmware's log alone (Dom0's dmesg).
    func logOnly(_ domain: Domain, _ rest: String) {
        for b in ("vireo: domain " + Format.dec(domain.id) + " (" + domain.name + ")" + rest + "\n").utf8 { log.append(b) }
    }
}
