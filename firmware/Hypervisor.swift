import Shim
import _Volatile

/// The hypervisor core: the domains, the physical memory they draw from, and the
/// scheduler that time-shares hart 0 among their vCPUs (preemptive round-robin, a slice
/// from the machine timer; DESIGN §3 "Scheduling").
final class Hypervisor {
    let platform: Platform
    var memory: PhysicalMemory
    var domains: [Domain] = []
    /// The vCPU whose frame mscratch holds while a guest runs.
    var current: VCPU? = nil
    /// The vCPU whose VS CSRs are on the hart (they stay until another vCPU needs it).
    var loaded: VCPU? = nil
    /// Time slice in `time` units (1 ms).
    let slice: UInt64
    var sliceEnd: UInt64 = 0
    var enteredAt: UInt64 = 0
    /// The idle-forever message is printed once.
    var reportedIdle = false
    /// Default guest RAM when a module does not say mem=.
    static let defaultMemory: UInt64 = 32 << 20

    init(platform: Platform, dtbAddress: UInt64) {
        self.platform = platform
        memory = PhysicalMemory(start: platform.memoryBase, end: platform.memoryBase &+ platform.memorySize)
        memory.reserve(start: firmware_start(), end: firmware_end())
        memory.reserve(start: dtbAddress, end: dtbAddress &+ platform.dtbSize)
        for m in platform.modules { memory.reserve(start: m.address, end: m.address &+ m.size) }
        slice = platform.timebase / 1000
    }

    // MARK: Domains

    /// One domain per boot module (DESIGN §2 `--module FILE[,ARGS]`): the first is Dom0.
    /// ARGS become the guest's /chosen/bootargs; `mem=N[K|M]`, `vcpus=N` and `name=S` in
    /// them are also read here.
    func createDomainsFromModules() {
        if platform.modules.isEmpty {
            Log.line("vireo: no guest: boot modules (/chosen/module@...) are empty; nothing to run")
            board_exit(2)
        }
        // A domain's id is its module's position, so Dom0 is always the first module: when
        // that one fails to load, no other guest inherits Dom0's place.
        for (index, m) in platform.modules.enumerated() {
            let id = UInt64(index)
            let options = ModuleOptions(m.args, defaultName: id == 0 ? "dom0" : "dom" + Format.dec(id))
            let image = UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(m.address)), count: Int(m.size))
            if let reason = createDomain(id: id, name: options.name, image: image, bootargs: m.args,
                                         memory: options.memory ?? Hypervisor.defaultMemory, vcpus: options.vcpus) {
                Log.put("vireo: module at " + Format.hex(m.address) + " (" + options.name + "): " + reason + "\n")
            }
        }
    }

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
        if domain.id == 0 { board_exit(failure ? 1 : 0) }
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
        if loaded?.domain === domain { loaded = nil }
        hfence_gvma_all()
    }

    /// "vireo: domain N (name)" followed by `rest` and a newline.
    func report(_ domain: Domain, _ rest: String) {
        Log.put("vireo: domain " + Format.dec(domain.id) + " (" + domain.name + ")" + rest + "\n")
    }

    // MARK: Console

    /// A byte of a domain's console. Output is kept per domain until a line is complete
    /// (or 200 bytes, or the domain reads input or stops), so lines of guests sharing the
    /// physical UART never mix; lines of domains other than Dom0 carry the domain's name.
    /// (Per-domain rings that Dom0 reads come with Dom0.)
    func consoleWrite(_ domain: Domain, _ byte: UInt8) {
        domain.console.append(byte)
        if byte == 0x0A || domain.console.count >= 200 { consoleFlush(domain) }
    }

    func consoleFlush(_ domain: Domain) {
        guard !domain.console.isEmpty else { return }
        for byte in domain.console {
            if domain.id != 0 && domain.atLineStart {
                UART.put(0x5B)
                Log.put(domain.name)
                UART.put(0x5D)
                UART.put(0x20)
            }
            domain.atLineStart = byte == 0x0A
            UART.put(byte)
        }
        domain.console.removeAll(keepingCapacity: true)
    }

    /// Console input goes to Dom0 only.
    func consoleRead(_ domain: Domain) -> UInt8? {
        consoleFlush(domain)
        return domain.id == 0 ? UART.get() : nil
    }

    // MARK: Scheduling

    /// Moves `vcpu`'s state onto the hart and returns its frame for start.S to enter.
    func enter(_ vcpu: VCPU) -> UnsafeMutablePointer<vcpu_frame> {
        if loaded !== vcpu {
            loaded?.save(sstc: platform.hasSstc)
            vcpu.load(sstc: platform.hasSstc)
            loaded = vcpu
        }
        current = vcpu
        vcpu.frame.pointee.stack = hart_stack_top(csr_read_mhartid())   // start.S's stack on the next trap
        programTimer()
        enteredAt = csr_read_mcycle()
        return vcpu.frame
    }

    /// The first entry into a guest (from fw_main).
    func run() -> Never {
        sliceEnd = csr_read_time() &+ slice
        vcpu_enter(enter(pickNext()))
    }

    /// Marks the injected timer of every vCPU whose SBI deadline has passed (no Sstc).
    func expireTimers(now: UInt64) {
        guard !platform.hasSstc else { return }
        for d in domains where d.isRunning {
            for v in d.vcpus where v.timerDeadline <= now {
                v.timerDeadline = UInt64.max
                setPending(v, Interrupt.VSTIP)
            }
        }
    }

    /// Sets VS interrupt bits in a vCPU's hvip (on the hart when its state is loaded).
    func setPending(_ v: VCPU, _ bits: UInt64) {
        if loaded === v { csr_set_hvip(bits) } else { v.hvip |= bits }
    }

    func clearPending(_ v: VCPU, _ bits: UInt64) {
        if loaded === v { csr_clear_hvip(bits) } else { v.hvip &= ~bits }
    }

    /// Saves the loaded vCPU's CSRs so its fields are current (before inspecting them).
    func syncLoaded() {
        loaded?.save(sstc: platform.hasSstc)
    }

    /// The next vCPU to run, round-robin after the current one; idles (WFI) until one is
    /// ready. Powers off when no domain can run any more.
    func pickNext() -> VCPU {
        while true {
            let now = csr_read_time()
            expireTimers(now: now)
            syncLoaded()
            var all: [VCPU] = []
            var start = 0
            for d in domains where d.isRunning {
                for v in d.vcpus {
                    if v === current { start = all.count + 1 }
                    all.append(v)
                }
            }
            if all.isEmpty { allStopped() }
            var i = 0
            while i < all.count {
                let v = all[(start + i) % all.count]
                if v.state == .runnable { return v }
                if v.state == .waiting && v.hasPendingInterrupt(now: now, sstc: platform.hasSstc) {
                    v.state = .runnable
                    v.suspended = false
                    return v
                }
                i += 1
            }
            // Nothing ready: sleep until the next timer event.
            var wake = UInt64.max
            for v in all where v.state == .waiting {
                wake = min(wake, platform.hasSstc && v.vsie & Interrupt.VSTIP != 0 ? v.vstimecmp : v.timerDeadline)
            }
            if wake == UInt64.max && !reportedIdle {
                Log.line("vireo: every vCPU waits for an interrupt that nothing can raise; the hart idles")
                reportedIdle = true
            }
            setTimer(wake)
            current = nil
            wait_for_interrupt()
            csr_clear_mip(Interrupt.MSIP)
        }
    }

    func allStopped() -> Never {
        Log.line("vireo: no domain is left running; powering off")
        let dom0 = domains.first { $0.id == 0 }
        board_exit(dom0?.state == .shutdown ? 0 : 1)
    }

    /// The machine timer: the end of the slice, or an earlier guest deadline (no Sstc).
    func programTimer() {
        var next = sliceEnd
        if !platform.hasSstc {
            for d in domains where d.isRunning {
                for v in d.vcpus where v.state != .stopped { next = min(next, v.timerDeadline) }
            }
        }
        setTimer(next)
    }

    func setTimer(_ value: UInt64) {
        let hart = csr_read_mhartid()
        VolatileMappedRegister<UInt64>(unsafeBitPattern: UInt(platform.clint &+ 0x4000 &+ 8 &* hart)).store(value)
    }
}

/// Options a boot module's command line may carry for the firmware.
struct ModuleOptions {
    var name: String
    var memory: UInt64? = nil
    var vcpus: Int = 1

    init(_ args: String, defaultName: String) {
        name = defaultName
        for word in args.split(separator: " ") {
            if word.hasPrefix("name=") {
                name = String(word.dropFirst(5))
            } else if word.hasPrefix("mem=") {
                memory = ModuleOptions.size(word.dropFirst(4))
            } else if word.hasPrefix("vcpus=") {
                vcpus = Int(ModuleOptions.size(word.dropFirst(6)) ?? 0)
            }
        }
    }

    /// "64M", "512K", "1G" or plain bytes.
    static func size(_ s: Substring) -> UInt64? {
        var value: UInt64 = 0
        var digits = 0
        var shift: UInt64 = 0
        for c in s.utf8 {
            if c >= 0x30 && c <= 0x39 && shift == 0 {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(c - 0x30))
                if o1 || o2 { return nil }
                value = a
                digits += 1
            } else if shift == 0 && digits > 0 && (c | 0x20 == 0x6B || c | 0x20 == 0x6D || c | 0x20 == 0x67) {
                shift = c | 0x20 == 0x6B ? 10 : c | 0x20 == 0x6D ? 20 : 30
            } else {
                return nil
            }
        }
        guard digits > 0, value <= UInt64.max >> shift else { return nil }
        return value << shift
    }
}
