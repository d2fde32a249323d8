import Shim

/// Domains from birth to end: building one from a kernel image, (re)loading its RAM,
/// stopping it when it breaks, shutting it down and rebooting it (DESIGN §3).
extension Hypervisor {
    /// Builds a domain from an ELF image and starts its vCPU 0. Returns why it failed, or nil.
    func createDomain(id: UInt64, name: String, image: UnsafeRawBufferPointer, bootargs: String, memory size: UInt64, vcpus: Int,
                      weight: UInt64 = FairShare.defaultWeight) -> String? {
        let elf: ELFImage
        do throws(ELFError) {
            elf = try ELFImage(image)
        } catch {
            return "not a loadable ELF: " + Format.string(error.reason)
        }
        guard size >= 1 << 20, size & 0xFFF == 0 else { return "mem= must be a multiple of 4 KiB and at least 1 MiB" }
        guard vcpus >= 1 && vcpus <= 8 else { return "vcpus= must be 1 to 8" }
        for s in elf.segments {
            guard s.physicalAddress >= Domain.guestBase, s.physicalAddress &+ s.memorySize <= Domain.guestBase &+ size,
                  s.physicalAddress &+ s.memorySize >= s.physicalAddress else {
                return "segment at " + Format.hex(s.physicalAddress) + " lies outside guest RAM 0x80000000-" + Format.hex(Domain.guestBase &+ size)
            }
        }
        guard let base = memory.allocate(size: size) else {
            return "not enough free memory for " + Format.dec(size >> 20) + " MiB"
        }
        guard let gstage = GStage() else { return "out of page-table memory" }
        guard gstage.map(gpa: Domain.guestBase, hpa: base, size: size, perms: GStage.read | GStage.write | GStage.execute) else {
            return "out of page-table memory"
        }
        let domain = Domain(id: id, name: name, bootargs: bootargs, hostBase: base, size: size,
                            gstage: gstage, image: image)
        domain.weight = weight
        for i in 0..<vcpus { domain.vcpus.append(VCPU(id: UInt64(i), domain: domain, hasFP: platform.hasFP)) }
        _ = domain.mmio.add(VirtualUART.region)
        domains.append(domain)
        for v in domain.vcpus { place(v) }
        load(domain, elf: elf)
        hfence_gvma_all()
        report(domain, ": " + Format.dec(size >> 20) + " MiB at " + Format.hex(base) + ", " + Format.dec(UInt64(vcpus))
               + (vcpus == 1 ? " vCPU, entry " : " vCPUs, entry ") + Format.hex(elf.entry))
        return nil
    }

    /// (Re)loads a domain's RAM from its image: zeroed RAM, the PT_LOAD segments, its DTB
    /// at the top of RAM; vCPU 0 starts at the entry with a0 = 0, a1 = the DTB, the others
    /// are stopped (SBI HSM).
    func load(_ domain: Domain, elf: ELFImage) {
        let ram = UnsafeMutableRawPointer(bitPattern: UInt(domain.hostBase))!
        ram.initializeMemory(as: UInt8.self, repeating: 0, count: Int(domain.size))
        for s in elf.segments {
            let dst = ram + Int(s.physicalAddress - Domain.guestBase)
            dst.copyMemory(from: domain.image.baseAddress! + Int(s.fileOffset), byteCount: Int(s.fileSize))
        }
        fence_i()
        domain.entry = elf.entry
        let dtb = GuestDTB.build(domain: domain, platform: platform)
        let dtbOffset = (domain.size - UInt64(dtb.count)) & ~0xFFF
        dtb.withUnsafeBytes { (ram + Int(dtbOffset)).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        domain.dtbAddress = Domain.guestBase + dtbOffset
        for v in domain.vcpus { v.state = .stopped }
        domain.vcpus[0].reset(pc: elf.entry, opaque: domain.dtbAddress)
        domain.state = .running
        makeReady(domain.vcpus[0])
        kick(harts[domain.vcpus[0].hart])
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

    /// SRST reboot: the domain's RAM is loaded again from its image and vCPU 0 restarts.
    /// The reload (zeroing the RAM, copying the image) is charged to the domain's vCPU like
    /// any firmware work done for it, so a guest that reboots in a loop gets no more than
    /// its share of the hart.
    func reboot(_ domain: Domain) {
        consoleFlush(domain, endLine: true)
        report(domain, " reboots")
        do throws(ELFError) {
            let elf = try ELFImage(domain.image)
            load(domain, elf: elf)
        } catch {
            crash(domain, "reboot failed: " + Format.string(error.reason))
        }
        for h in harts where h.loaded?.domain === domain { h.loaded = nil }
        hfence_gvma_all()
        kickHarts(of: domain)
    }

    /// "vireo: domain N (name)" followed by `rest` and a newline, on a line of its own.
    func report(_ domain: Domain, _ rest: String) {
        claimLine(nil)
        Log.put("vireo: domain " + Format.dec(domain.id) + " (" + domain.name + ")" + rest + "\n")
    }
}
