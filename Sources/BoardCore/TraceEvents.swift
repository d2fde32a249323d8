#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RISCV

/// `--trace-events FILE`: a Chrome trace-event file (the "JSON Object Format": an object with
/// `displayTimeUnit` and `traceEvents`) that ui.perfetto.dev and chrome://tracing open
/// (decision 0015). One process (pid 0) is the board; per hart there are two tracks:
///
/// - `hart N` (tid N): the execution mode as top-level slices (B/E events named M, HS or S,
///   U, VS, VU), never overlapping; inside them a `WFI` slice while the hart sleeps, and
///   instant events for every trap taken (name:
///   the cause, `VM exit: …` for a trap from V=1 into HS or M; args: cause code, interrupt,
///   tval, pc, from and to mode), and for the device accesses the hart makes (PLIC claims
///   and completions, CLINT msip and mtimecmp writes, virtio-blk requests at their notify
///   and completions when the hart's time posts them).
/// - `hart N domain` (tid 100 + N): while V=1, a slice named after the running domain: the
///   VMID in hgatp looked up in the firmware's `vireo_domain_names` table, read from guest
///   memory (see `domainTable`); without the table, `vmid N`.
///
/// virtio-blk requests also appear as async slices (b/e, category `virtio`) from notify to
/// completion.
///
/// Timestamps are the hart's modeled cycles at the board's 1 GHz clock (`CycleModel.coreHz`),
/// written in µs with exactly three decimals (1 cycle = 0.001 µs), so nothing is rounded.
/// Events of one hart are written in its order with non-decreasing timestamps (a device
/// access is stamped with the cycles charged up to the end of its block, since the
/// interpreter charges a block when it enters it; a later trap in that block refunds the
/// rest, so stamps are clamped to the hart's last one). Harts run in turn by quanta, so the
/// file is ordered per hart, not globally; viewers sort by time.
///
/// Every trap is written by `Hart.takeTrap`, next to the `--stats` counters, so the counts
/// by hart and cause are the same by construction. The file is written through a 1 MiB
/// stdio buffer as the run goes; `finish` closes the open slices and the JSON.
///
/// Costs nothing when off: the hart and the bus hold a nil reference, checked only on slow
/// paths (trap entry, xRET, a chunk boundary's line sampling, device accesses); the
/// interpreter loop and translated code have no hook.
public final class TraceEvents {
    /// The firmware's domain-name table (firmware/arch/Shim/layout.h): `slots` entries of
    /// `entryBytes`: the VMID (UInt64, 0 = free), then the name, NUL-padded.
    public static let domainTableSymbol = "vireo_domain_names"
    static let domainSlots: UInt64 = 64
    static let domainEntryBytes: UInt64 = 32
    static let domainNameBytes = 24
    /// The tid of hart N's domain track.
    public static let domainTrackBase = 100

    unowned let bus: Bus
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>?
    private var first = true
    private var finished = false
    /// Per hart: the last timestamp written (cycles), the open mode slice, the open domain
    /// slice and the domain last run (named in VM-exit events).
    private var last: [UInt64]
    private var openMode: [ExecutionMode?]
    /// An open "WFI" slice (inside the mode slice) while the hart sleeps.
    private var idle: [Bool]
    private var openDomain: [String?]
    private var lastDomain: [String?]
    private var domainTrackNamed: [Bool]
    /// Physical address of the firmware's `vireo_domain_names`, when the loaded firmware
    /// exports it (the run sets it from the ELF's symbols).
    public var domainTable: UInt64?
    /// Names already read, by VMID, with the raw entry they came from (re-read on change).
    private var domainNames: [UInt64: (raw: (UInt64, UInt64, UInt64), name: String)] = [:]
    /// The hart whose access or time sample is reaching the devices now, and its cycles.
    var deviceHart = 0
    var deviceCycles: UInt64 = 0
    /// virtio-blk requests between notify and completion: (slot << 32 | head) → (id, name).
    private var requests: [UInt64: (id: UInt64, name: String)] = [:]
    private var nextRequestID: UInt64 = 1
    /// Events written so far.
    public private(set) var count = 0

    /// Opens `path` for writing and writes the header and the track names; nil when the
    /// file cannot be created.
    public init?(path: String, bus: Bus, harts: Int) {
        // `micro` writes cycles / 1000 as µs: exact at the board's 1 GHz clock.
        precondition(CycleModel.coreHz == 1_000_000_000, "TraceEvents.micro assumes a 1 GHz clock")
        guard let f = fopen(path, "w") else { return nil }
        file = f
        self.bus = bus
        buffer = .allocate(capacity: 1 << 20)
        setvbuf(f, buffer, _IOFBF, 1 << 20)
        last = Array(repeating: 0, count: harts)
        openMode = Array(repeating: nil, count: harts)
        idle = Array(repeating: false, count: harts)
        openDomain = Array(repeating: nil, count: harts)
        lastDomain = Array(repeating: nil, count: harts)
        domainTrackNamed = Array(repeating: false, count: harts)
        fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"generator\":\"vireo --trace-events\","
              + "\"clock\":\"modeled cycles at \(CycleModel.coreHz / 1_000_000) MHz; ts in us = cycles / 1000\"},"
              + "\"traceEvents\":[\n", f)
        write("{\"ph\":\"M\",\"pid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"vireo board\"}}")
        for h in 0..<harts {
            write("{\"ph\":\"M\",\"pid\":0,\"tid\":\(h),\"name\":\"thread_name\",\"args\":{\"name\":\"hart \(h)\"}}")
            write("{\"ph\":\"M\",\"pid\":0,\"tid\":\(h),\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":\(2 * h)}}")
        }
    }

    deinit {
        if !finished { fclose(file) }
        buffer?.deallocate()
    }

    // MARK: Hart events

    /// Opens the mode slice (and domain slice) a hart is in when tracing starts.
    public func start(_ hart: Hart) {
        openSlices(hart, at: stamp(hart.id, hart.cycles))
    }

    /// The hart left mode `from` for its current mode (`Hart.setPrivilege`).
    func modeChanged(_ hart: Hart, from: ExecutionMode) {
        let ts = stamp(hart.id, hart.cycles)
        // VS ↔ VU keeps the domain slice: V stays 1, and hgatp cannot change in V=1.
        let stayVirtual = from.rawValue >= ExecutionMode.vu.rawValue && hart.virt
        closeSlices(hart.id, at: ts, keepDomain: stayVirtual)
        openSlices(hart, at: ts, keepDomain: stayVirtual)
    }

    /// A trap the hart has just taken (`Hart.takeTrap`, after it switched mode): `code` as
    /// `--stats` counts it and as mcause/scause encode it (Priv. "Machine Cause (`mcause`)
    /// Register", table of exception codes): an interrupt's hart-level code, also when VS sees
    /// it as the supervisor one (`vs_cause`, H "Virtual Supervisor Cause (`vscause`)
    /// Register"). A VM exit is a trap from V=1 (VS or VU) into HS or M (H "Privilege Modes",
    /// "Hypervisor Trap Delegation (`hedeleg` and `hideleg`) Registers").
    func trap(_ hart: Hart, interrupt: Bool, code: UInt64, tval: UInt64, epc: UInt64, from: ExecutionMode) {
        let h = hart.id
        let ts = stamp(h, hart.cycles)
        closeIdle(h, at: ts)  // a trap that woke the hart without a mode change (normally `wake` came first)
        let to = hart.mode
        let vmExit = from.rawValue >= ExecutionMode.vu.rawValue && !hart.virt
        let cause = causeName(interrupt: interrupt, code: code)
        var args = "\"cause\":\(code),\"cause_name\":\(quote(cause)),\"interrupt\":\(interrupt),\"tval\":\"\(hex(tval))\",\"pc\":\"\(hex(epc))\""
            + ",\"from\":\"\(Self.name(from, hart))\",\"to\":\"\(Self.name(to, hart))\",\"vm_exit\":\(vmExit)"
        if interrupt && to == .vs { args += ",\"vs_cause\":\(Hart.vsInterruptCode(code))" }
        if hart.virt, let d = openDomain[h] {
            args += ",\"domain\":\(quote(d))"
        } else if from.rawValue >= ExecutionMode.vu.rawValue, let d = lastDomain[h] {
            args += ",\"domain\":\(quote(d))"
        }
        let name = (vmExit ? "VM exit: " : "") + cause
        write("{\"ph\":\"i\",\"s\":\"t\",\"pid\":0,\"tid\":\(h),\"ts\":\(micro(ts)),\"cat\":\"\(interrupt ? "interrupt" : "exception")\","
              + "\"name\":\(quote(name)),\"args\":{\(args)}}")
    }

    /// The hart sleeps in WFI from now (`Hart.sleep`; repeated calls extend one slice):
    /// Priv. "Wait for Interrupt", until an enabled interrupt is pending.
    func sleep(_ hart: Hart) {
        let h = hart.id
        guard !idle[h], openMode[h] != nil else { return }
        idle[h] = true
        write("{\"ph\":\"B\",\"pid\":0,\"tid\":\(h),\"ts\":\(micro(stamp(h, hart.cycles))),\"cat\":\"idle\",\"name\":\"WFI\"}")
    }

    /// The hart's WFI ended (`Hart.resume`).
    func wake(_ hart: Hart) {
        closeIdle(hart.id, at: stamp(hart.id, hart.cycles))
    }

    private func closeIdle(_ h: Int, at ts: UInt64) {
        guard idle[h] else { return }
        idle[h] = false
        write("{\"ph\":\"E\",\"pid\":0,\"tid\":\(h),\"ts\":\(micro(ts))}")
    }

    private func openSlices(_ hart: Hart, at ts: UInt64, keepDomain: Bool = false) {
        let h = hart.id
        let mode = hart.mode
        var modeArgs = ""
        if keepDomain, let name = openDomain[h] {
            modeArgs = ",\"args\":{\"domain\":\(quote(name))}"
        } else if hart.virt {
            let name = domainName(vmid: (hart.hgatp >> 44) & 0x3FFF)
            if !domainTrackNamed[h] {
                domainTrackNamed[h] = true
                let tid = TraceEvents.domainTrackBase + h
                write("{\"ph\":\"M\",\"pid\":0,\"tid\":\(tid),\"name\":\"thread_name\",\"args\":{\"name\":\"hart \(h) domain\"}}")
                write("{\"ph\":\"M\",\"pid\":0,\"tid\":\(tid),\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":\(2 * h + 1)}}")
            }
            openDomain[h] = name
            lastDomain[h] = name
            modeArgs = ",\"args\":{\"domain\":\(quote(name))}"
            write("{\"ph\":\"B\",\"pid\":0,\"tid\":\(TraceEvents.domainTrackBase + h),\"ts\":\(micro(ts)),\"cat\":\"domain\",\"name\":\(quote(name))}")
        }
        let name = Self.name(mode, hart)
        openMode[h] = mode
        write("{\"ph\":\"B\",\"pid\":0,\"tid\":\(h),\"ts\":\(micro(ts)),\"cat\":\"mode\",\"name\":\"\(name)\"\(modeArgs)}")
    }

    /// A mode's name as `--stats` prints it: S for a hart without H, HS with it.
    static func name(_ mode: ExecutionMode, _ hart: Hart) -> String { mode == .hs && !hart.h ? "S" : mode.name }

    private func closeSlices(_ h: Int, at ts: UInt64, keepDomain: Bool = false) {
        closeIdle(h, at: ts)
        if openMode[h] != nil {
            write("{\"ph\":\"E\",\"pid\":0,\"tid\":\(h),\"ts\":\(micro(ts))}")
            openMode[h] = nil
        }
        if openDomain[h] != nil && !keepDomain {
            write("{\"ph\":\"E\",\"pid\":0,\"tid\":\(TraceEvents.domainTrackBase + h),\"ts\":\(micro(ts))}")
            openDomain[h] = nil
        }
    }

    // MARK: Device events

    /// Names the hart (and its time) whose access or line sample reaches the devices next.
    @inline(__always)
    func deviceContext(hart: Int, cycles: UInt64) {
        deviceHart = hart
        deviceCycles = cycles
    }

    private func deviceInstant(_ name: String, args: String) {
        let h = deviceHart
        let ts = stamp(h, deviceCycles)
        write("{\"ph\":\"i\",\"s\":\"t\",\"pid\":0,\"tid\":\(h),\"ts\":\(micro(ts)),\"cat\":\"device\",\"name\":\(quote(name)),\"args\":{\(args)}}")
    }

    /// A PLIC claim that returned `source` (nonzero) to `context` (2·hart for M, 2·hart + 1
    /// for S; RISC-V PLIC spec 1.0.0 "Interrupt Claim Process").
    func plicClaim(context: Int, source: Int) {
        deviceInstant("PLIC claim \(Self.sourceName(source))", args: "\"context\":\(context),\"source\":\(source)")
    }

    /// A PLIC completion of `source` by `context`.
    func plicComplete(context: Int, source: Int) {
        deviceInstant("PLIC complete \(Self.sourceName(source))", args: "\"context\":\(context),\"source\":\(source)")
    }

    static func sourceName(_ source: Int) -> String {
        if source == Int(VirtMap.uart0IRQ) { return "\(source) (uart)" }
        if source >= 1 && source <= VirtMap.virtioSlots { return "\(source) (virtio-blk\(source - 1))" }
        return "\(source)"
    }

    /// A write to hart `target`'s msip: an IPI when `value` is 1 (it raises mip.MSIP, Priv.
    /// "Machine Interrupt (`mip` and `mie`) Registers").
    func clintMsip(target: Int, value: Bool) {
        deviceInstant(value ? "IPI to hart \(target)" : "msip clear hart \(target)", args: "\"hart\":\(target),\"msip\":\(value ? 1 : 0)")
    }

    /// A write to hart `target`'s mtimecmp (its new value).
    func clintMtimecmp(target: Int, value: UInt64) {
        deviceInstant("mtimecmp hart \(target)", args: "\"hart\":\(target),\"mtimecmp\":\"\(hex(value))\"")
    }

    /// virtio-blk request names by type (Virtio 1.x §5.2.6).
    static func requestName(_ type: UInt32) -> String {
        switch type {
        case VirtioBlock.tIn: return "read"
        case VirtioBlock.tOut: return "write"
        case VirtioBlock.tFlush: return "flush"
        case VirtioBlock.tGetID: return "get-id"
        default: return "type \(type)"
        }
    }

    /// A request the device served at a notify (its data has moved; its completion is
    /// posted later).
    func virtioRequest(slot: Int, head: UInt32, type: UInt32, sector: UInt64, bytes: UInt64, status: UInt8?) {
        let name = "virtio-blk\(slot) \(Self.requestName(type))"
        let statusText = status.map { String($0) } ?? "\"none\""
        let args = "\"slot\":\(slot),\"head\":\(head),\"type\":\(type),\"sector\":\(sector),\"bytes\":\(bytes),\"status\":\(statusText)"
        deviceInstant(name + " sector \(sector), \(bytes) bytes", args: args)
        let key = UInt64(slot) << 32 | UInt64(head)
        if let stale = requests[key] { asyncEnd(stale.id, stale.name) }
        let id = nextRequestID
        nextRequestID &+= 1
        requests[key] = (id, name)
        let ts = last[deviceHart]
        write("{\"ph\":\"b\",\"pid\":0,\"tid\":\(deviceHart),\"ts\":\(micro(ts)),\"cat\":\"virtio\",\"id\":\"\(hex(id))\",\"name\":\(quote(name)),\"args\":{\(args)}}")
    }

    /// The used-ring entry of the request at `head` was posted.
    func virtioComplete(slot: Int, head: UInt32) {
        let key = UInt64(slot) << 32 | UInt64(head)
        guard let r = requests.removeValue(forKey: key) else { return }
        deviceInstant("virtio-blk\(slot) done", args: "\"slot\":\(slot),\"head\":\(head)")
        asyncEnd(r.id, r.name)
    }

    private func asyncEnd(_ id: UInt64, _ name: String) {
        write("{\"ph\":\"e\",\"pid\":0,\"tid\":\(deviceHart),\"ts\":\(micro(last[deviceHart])),\"cat\":\"virtio\",\"id\":\"\(hex(id))\",\"name\":\(quote(name))}")
    }

    // MARK: Domains

    /// The name of the domain with this VMID (hgatp bits 57:44, VMIDLEN 14: H "Hypervisor
    /// Guest Address Translation and Protection (`hgatp`) Register"), from the firmware's
    /// table when it has one.
    func domainName(vmid: UInt64) -> String {
        guard let table = domainTable,
              let p = bus.memoryPointer(table &+ (vmid % Self.domainSlots) &* Self.domainEntryBytes,
                                        size: Self.domainEntryBytes, write: false),
              vmid != 0, p.loadUnaligned(as: UInt64.self) == vmid else { return "vmid \(vmid)" }
        let raw = (p.loadUnaligned(fromByteOffset: 8, as: UInt64.self), p.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
                   p.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        if let cached = domainNames[vmid], cached.raw == raw { return cached.name }
        var bytes: [UInt8] = []
        for i in 0..<Self.domainNameBytes {
            let b = p.load(fromByteOffset: 8 + i, as: UInt8.self)
            if b == 0 { break }
            bytes.append(b)
        }
        let name = bytes.isEmpty ? "vmid \(vmid)" : String(decoding: bytes, as: UTF8.self)
        domainNames[vmid] = (raw, name)
        return name
    }

    // MARK: End

    /// Closes every open slice at its hart's current time (and open virtio requests at
    /// their hart's last stamp) and ends the JSON. Call once, whatever ended the run.
    public func finish(harts: [Hart]) {
        guard !finished else { return }
        for hart in harts { closeSlices(hart.id, at: stamp(hart.id, hart.cycles)) }
        for (_, r) in requests.sorted(by: { $0.value.id < $1.value.id }) { asyncEnd(r.id, r.name) }
        requests.removeAll()
        fputs("\n]}\n", file)
        fclose(file)
        finished = true
    }

    // MARK: Writing

    /// The timestamp for an event of hart `h` at `cycles`, never before its last one.
    private func stamp(_ h: Int, _ cycles: UInt64) -> UInt64 {
        let t = max(cycles, last[h])
        last[h] = t
        return t
    }

    private func write(_ event: String) {
        guard !finished else { return }
        if !first { fputs(",\n", file) }
        first = false
        fputs(event, file)
        count += 1
    }

    /// Cycles as µs at 1 GHz, exactly: "1234.567".
    private func micro(_ cycles: UInt64) -> String {
        let frac = cycles % 1000
        let f = frac < 10 ? "00\(frac)" : frac < 100 ? "0\(frac)" : "\(frac)"
        return "\(cycles / 1000).\(f)"
    }

    private func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

    /// A JSON string literal.
    private func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if u.value < 0x20 || u.value == 0x7F {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
