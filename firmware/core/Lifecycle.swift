import Shim

/// Domains from birth to end: building one from a kernel image, (re)loading its RAM,
/// stopping it when it breaks, shutting it down and rebooting it (DESIGN §3).
extension Hypervisor {
    /// Builds a domain from an ELF image and starts its vCPU 0. Returns why it failed, or nil.
    func createDomain(id: UInt64, name: String, image: UnsafeRawBufferPointer, bootargs: String, memory size: UInt64, vcpus: Int) -> String? {
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
        for i in 0..<vcpus { domain.vcpus.append(VCPU(id: UInt64(i), domain: domain, hasFP: platform.hasFP)) }
        _ = domain.mmio.add(VirtualUART.region)
        load(domain, elf: elf)
        domains.append(domain)
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
    }

    /// Stops a domain that broke (DESIGN §3 "Faults"): the reason is printed and kept for
    /// `info`; the other domains go on.
    func crash(_ domain: Domain, _ reason: String) {
        consoleFlush(domain)
        domain.state = .crashed
        domain.reason = reason
        for v in domain.vcpus { v.state = .stopped }
        report(domain, " stopped: " + reason)
    }

    /// SBI SRST from a guest. Dom0's shutdown powers the board off (it is the control
    /// domain); another domain's shutdown just stops it.
    func shutdown(_ domain: Domain, failure: Bool) {
        consoleFlush(domain)
        domain.state = failure ? .crashed : .shutdown
        domain.reason = failure ? "shut down (system failure)" : "shut down"
        for v in domain.vcpus { v.state = .stopped }
        report(domain, failure ? " shut down, reason: system failure" : " shut down")
        if domain.id == 0 { powerOff(failure ? 1 : 0) }
    }

    func reboot(_ domain: Domain) {
        consoleFlush(domain)
        report(domain, " reboots")
        do throws(ELFError) {
            let elf = try ELFImage(domain.image)
            load(domain, elf: elf)
        } catch {
            crash(domain, "reboot failed: " + Format.string(error.reason))
        }
        for h in harts where h.loaded?.domain === domain { h.loaded = nil }
        hfence_gvma_all()
    }

    /// "vireo: domain N (name)" followed by `rest` and a newline.
    func report(_ domain: Domain, _ rest: String) {
        Log.put("vireo: domain " + Format.dec(domain.id) + " (" + domain.name + ")" + rest + "\n")
    }
}
