import BoardCore
import RISCV

/// A GDB remote serial protocol stub (GDB manual, "Remote Protocol"; `--gdb tcp::PORT`,
/// `-s`, `-S`), all-stop, one thread per hart (thread id = hart id + 1).
///
/// Where it hooks (docs/architecture.md "gdb"): the run loop (`Machine+Run.swift`) calls
/// `poll` between chunks (Ctrl-C, a connecting gdb) and, only while breakpoints or
/// watchpoints are set, lets `run(_:until:)` execute a chunk one instruction at a time
/// instead of `Hart.run(until:)`. A stop is a call that serves gdb's packets until it
/// resumes, so the run loop's state is simply kept on the stack. Without breakpoints the
/// harts run exactly as without gdb (the JIT included): a run that gdb only continues keeps
/// the same cycles.
///
/// Registers follow gdb's RISC-V numbering (gdb/riscv-tdep.h): x0–x31 are 0–31, pc 32,
/// f0–f31 33–64, CSR n is 65 + n (so fflags, frm, fcsr are 66–68) and `priv` 4161, all named
/// in the target description (`qXfer:features:read:target.xml`, "Target Descriptions" →
/// "RISC-V Features": org.gnu.gdb.riscv.cpu, .fpu, .csr, .virtual).
public final class GDBStub {
    let listener: GDBListener
    var connection: GDBConnection?
    var reader = GDBPacketReader()
    var noAck = false
    var queued: [GDBPacketReader.Event] = []
    /// `-S`: wait for gdb before the first instruction.
    public let startHalted: Bool
    /// `monitor stats`: the text `--stats` prints (the command line tool supplies it).
    public var statsText: ((Machine) -> String)?

    var softwareBreakpoints = Set<UInt64>()
    var hardwareBreakpoints = Set<UInt64>()
    struct Watchpoint: Equatable { var type: Int; var address: UInt64; var length: UInt64 }
    var watchpoints: [Watchpoint] = []
    /// Breakpoints or watchpoints are set: the run loop single-steps through `run(_:until:)`.
    public private(set) var active = false

    /// The hart `g`, `p`, `m` … act on (Hg) and the one `s`/`c` name (Hc; nil = all).
    var registerHart = 0
    var resumeHart: Int?
    /// The last stop, for `?`.
    var lastStop = "S05"
    /// A stop reported at this (hart, pc) is not reported again before that hart has
    /// executed the instruction there.
    var reportedStop: (hart: Int, pc: UInt64)?
    /// Harts gdb did not resume.
    var held = Set<Int>()
    /// gdb asked to kill the board (`k`).
    public private(set) var killRequested = false
    var pollCountdown = 0
    static let pollInterval = 16

    public init(listener: GDBListener, startHalted: Bool) {
        self.listener = listener
        self.startHalted = startHalted
    }

    /// The TCP port gdb connects to.
    public var port: UInt16 { listener.port }

    var connected: Bool { connection.map { !$0.closed } ?? false }

    // MARK: Run-loop hooks

    /// The descriptor that becomes readable when gdb has something for the board: the
    /// connection, or the listener while nobody is connected.
    public var wakeFD: Int32 { connected ? connection!.fd : listener.fd }

    /// Looks at the socket at the next `poll`.
    public func pollSoon() { pollCountdown = 0 }

    /// Before the first instruction: with `-S`, waits for gdb and serves it until it resumes.
    func begin(_ m: Machine) {
        guard startHalted else { return }
        connection = listener.accept(wait: true)
        lastStop = "T05thread:01;"
        serve(m)
    }

    /// Between chunks: takes a connecting gdb and, every few calls, looks for Ctrl-C (or
    /// any packet: gdb sends none while the target runs, except the interrupt).
    func poll(_ m: Machine) {
        pollCountdown -= 1
        guard pollCountdown <= 0 else { return }
        pollCountdown = GDBStub.pollInterval
        if !connected {
            guard let c = listener.accept(wait: false) else { return }
            connection = c
            reader = GDBPacketReader()
            noAck = false
        }
        let bytes = connection!.receiveAvailable()
        if connection!.closed { disconnected(); return }
        guard !bytes.isEmpty else { return }
        queued += reader.feed(bytes)
        if let i = queued.firstIndex(of: .interrupt) {
            queued.remove(at: i)
            stop(m, hart: registerHart, reply: "T02thread:\(threadID(registerHart));")
        } else if queued.contains(where: { if case .packet = $0 { return true } else { return false } }) {
            // A packet while running (a fresh gdb attaching): stop and answer it.
            stop(m, hart: registerHart, reply: "T05thread:\(threadID(registerHart));", announce: false)
        }
    }

    /// Runs hart `h` towards `limit` one instruction at a time, stopping before the
    /// instruction at a breakpoint's address or one whose load or store touches a
    /// watchpoint (gdb's RISC-V target expects watchpoints to trigger before the access: it
    /// then steps the instruction itself and compares the values). Ends where
    /// `Hart.run(until:)` would end a chunk early: an interrupt may have become
    /// deliverable, WFI, the program's exit or a reset.
    func run(_ h: Hart, until limit: UInt64, machine m: Machine) {
        h.singleStep = true
        defer { h.endSingleStep() }
        while h.cycles < limit && !killRequested && active {
            let pc = h.pc
            // What stopped here is not reported again before the hart executes it (gdb
            // resumes a hart at a breakpoint by removing it, or by expecting one step).
            if reportedStop.map({ $0.hart != h.id || $0.pc != pc }) ?? true {
                var reason: String?
                if softwareBreakpoints.contains(pc) {
                    reason = "swbreak:;"
                } else if hardwareBreakpoints.contains(pc) {
                    reason = "hwbreak:;"
                } else if !watchpoints.isEmpty, let a = h.pendingDataAccess(), let hit = watchHit(a) {
                    let name = hit.type == 2 ? "watch" : hit.type == 3 ? "rwatch" : "awatch"
                    reason = "\(name):\(String(hit.address, radix: 16));"
                }
                if let reason {
                    reportedStop = (h.id, pc)
                    stop(m, hart: h.id, reply: "T05thread:\(threadID(h.id));" + reason)
                    continue  // gdb may have changed pc, or breakpoints, or held this hart
                }
            }
            reportedStop = nil
            if holds(h.id) { return }
            h.run(until: h.cycles &+ 1)
            if h.waitingForInterrupt || h.interruptCheckPending || m.bus.exitCode != nil || m.bus.resetRequested { break }
        }
    }

    /// gdb resumed only some harts (`vCont;c:N`, e.g. to step one over a breakpoint): the
    /// others stay where they are.
    public func holds(_ hart: Int) -> Bool { !held.isEmpty && held.contains(hart) }

    /// The watchpoint an access of the instruction just executed hits, with the address
    /// to report (the first watched byte it touched).
    func watchHit(_ a: (address: UInt64, size: UInt64, reads: Bool, writes: Bool)) -> (type: Int, address: UInt64)? {
        for w in watchpoints {
            let kindMatches = w.type == 4 ? true : w.type == 2 ? a.writes : a.reads
            guard kindMatches, a.address < w.address &+ w.length, w.address < a.address &+ a.size else { continue }
            return (w.type, max(a.address, w.address))
        }
        return nil
    }

    /// The run ended: gdb learns the exit status (`W`), and the connection closes.
    func finished(_ stop: StopReason) {
        guard connected else { return }
        let status: Int32
        switch stop {
        case .exited(let code): status = code
        case .instructionLimit: status = 124
        case .deadlock: status = 125
        case .quit, .killedByDebugger: status = 0
        }
        send("W" + hexByte(UInt8(truncatingIfNeeded: status)))
        connection?.close()
    }

    func disconnected() {
        connection?.close()
        connection = nil
        clearDebugState()
    }

    func clearDebugState() {
        softwareBreakpoints = []
        hardwareBreakpoints = []
        watchpoints = []
        held = []
        reportedStop = nil
        updateActive()
    }

    func updateActive() {
        active = !softwareBreakpoints.isEmpty || !hardwareBreakpoints.isEmpty || !watchpoints.isEmpty
    }

    // MARK: Stopped: serving gdb

    /// Stops the board: reports `reply` (unless gdb has not asked yet) and serves packets
    /// until gdb continues, detaches, kills or goes away.
    func stop(_ m: Machine, hart: Int, reply: String, announce: Bool = true) {
        registerHart = hart
        lastStop = reply
        if announce { send(reply) }
        serve(m)
    }

    private func serve(_ m: Machine) {
        while connected {
            if queued.isEmpty {
                let bytes = connection!.receive()
                if bytes.isEmpty { break }
                queued += reader.feed(bytes)
                continue
            }
            let event = queued.removeFirst()
            switch event {
            case .packet(let data):
                if !noAck { connection?.send([UInt8(ascii: "+")]) }
                switch handle(data, m) {
                case .stay: break
                case .resume: return
                }
            case .badChecksum:
                if !noAck { connection?.send([UInt8(ascii: "-")]) }
            case .interrupt, .ack, .nack:
                break  // already stopped; acks need no answer (we never resend)
            }
        }
        // gdb went away: the board runs on, without breakpoints.
        disconnected()
    }

    enum Outcome { case stay, resume }

    func send(_ text: String) { connection?.send(gdbFrame(text)) }
    func send(_ bytes: [UInt8]) { connection?.send(gdbFrame(bytes)) }

    func threadID(_ hart: Int) -> String { String(hart + 1, radix: 16) }

    /// A thread id of a packet (hex; 0 = any, -1 = all) as a hart index; nil for any/all.
    func hart(fromThread text: Substring, _ m: Machine) -> Int?? {
        if text == "-1" || text == "0" { return .some(nil) }
        guard let t = Int(text, radix: 16), t >= 1, t <= m.harts.count else { return nil }
        return .some(t - 1)
    }

    /// One packet (GDB manual, "Packets", "General Query Packets").
    func handle(_ data: [UInt8], _ m: Machine) -> Outcome {
        let text = String(decoding: data, as: UTF8.self)
        let h = m.harts[registerHart]
        guard let first = text.first else { send(""); return .stay }
        switch first {
        case "?":
            send(lastStop)
        case "g":
            var out = ""
            for i in 0..<32 { out += gdbRegisterHex(h.register(i)) }
            out += gdbRegisterHex(h.pc)
            send(out)
        case "G":
            guard let bytes = gdbUnhex(text.dropFirst()), bytes.count >= 33 * 8 else { send("E01"); break }
            for i in 1..<32 { h.setRegister(i, gdbValue(Array(bytes[(i * 8)..<(i * 8 + 8)]))) }
            h.pc = gdbValue(Array(bytes[256..<264]))
            send("OK")
        case "p":
            guard let n = Int(text.dropFirst(), radix: 16), let r = readRegister(h, n) else { send("E01"); break }
            send(gdbRegisterHex(r.value, bytes: r.bytes))
        case "P":
            let parts = text.dropFirst().split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let n = Int(parts[0], radix: 16), let bytes = gdbUnhex(parts[1]),
                  writeRegister(h, n, gdbValue(bytes)) else { send("E01"); break }
            send("OK")
        case "m":
            let parts = text.dropFirst().split(separator: ",")
            guard parts.count == 2, let addr = UInt64(parts[0], radix: 16), let len = Int(parts[1], radix: 16),
                  len >= 0, len <= 0x2000 else { send("E01"); break }
            guard let bytes = h.debugRead(addr, count: len) else { send("E14"); break }
            send(gdbHex(bytes))
        case "M", "X":
            guard let colon = data.firstIndex(of: UInt8(ascii: ":")) else { send("E01"); break }
            let head = String(decoding: data[1..<colon], as: UTF8.self).split(separator: ",")
            guard head.count == 2, let addr = UInt64(head[0], radix: 16), let len = Int(head[1], radix: 16) else { send("E01"); break }
            let payload = Array(data[(colon + 1)...])
            let bytes = first == "X" ? payload : gdbUnhex(String(decoding: payload, as: UTF8.self))
            guard let bytes, bytes.count == len else { send("E01"); break }
            send(len == 0 || h.debugWrite(addr, bytes) ? "OK" : "E14")
        case "Z", "z":
            let parts = text.dropFirst().split(separator: ",")
            guard parts.count >= 3, let type = Int(parts[0]), let addr = UInt64(parts[1], radix: 16),
                  let kind = UInt64(parts[2].split(separator: ";")[0], radix: 16) else { send("E01"); break }
            let insert = first == "Z"
            switch type {
            case 0: if insert { softwareBreakpoints.insert(addr) } else { softwareBreakpoints.remove(addr) }
            case 1: if insert { hardwareBreakpoints.insert(addr) } else { hardwareBreakpoints.remove(addr) }
            case 2, 3, 4:
                let w = Watchpoint(type: type, address: addr, length: max(kind, 1))
                if insert { watchpoints.append(w) } else if let i = watchpoints.firstIndex(of: w) { watchpoints.remove(at: i) }
            default: send(""); return .stay
            }
            updateActive()
            send("OK")
        case "H":
            guard text.count >= 2, let target = hart(fromThread: text.dropFirst(2), m) else { send("E01"); break }
            if text.dropFirst().first == "g" { if let t = target { registerHart = t } } else { resumeHart = target }
            send("OK")
        case "T":
            send(hart(fromThread: text.dropFirst(), m) != nil ? "OK" : "E01")
        case "c":
            if text.count > 1, let addr = UInt64(text.dropFirst(), radix: 16) { m.harts[resumeHart ?? registerHart].pc = addr }
            held = resumeHart.map { t in Set(m.harts.indices).subtracting([t]) } ?? []
            return .resume
        case "s":
            let t = resumeHart ?? registerHart
            if text.count > 1, let addr = UInt64(text.dropFirst(), radix: 16) { m.harts[t].pc = addr }
            step(m, hart: t)
        case "v":
            return handleV(text, m)
        case "q", "Q":
            handleQuery(text, data, m)
        case "D":
            send("OK")
            disconnected()  // the board runs on, without breakpoints
            return .resume
        case "k":
            killRequested = true
            disconnected()
            return .resume
        default:
            send("")
        }
        return .stay
    }

    /// `vCont` (GDB manual, "Packets" → vCont): any `s` action steps its hart (all-stop:
    /// the others stay stopped), else the harts that `c` actions name (all, for an action
    /// without a thread) run and the others are held.
    func handleV(_ text: String, _ m: Machine) -> Outcome {
        if text == "vCont?" { send("vCont;c;C;s;S"); return .stay }
        if text == "vMustReplyEmpty" { send(""); return .stay }
        if text.hasPrefix("vKill") { killRequested = true; send("OK"); disconnected(); return .resume }
        guard text.hasPrefix("vCont;") else { send(""); return .stay }
        for action in text.dropFirst(6).split(separator: ";") {
            let parts = action.split(separator: ":", maxSplits: 1)
            guard let verb = parts.first?.first else { continue }
            if verb == "s" || verb == "S" {
                var t = resumeHart ?? registerHart
                if parts.count == 2 {
                    guard let target = hart(fromThread: parts[1], m) else { send("E01"); return .stay }
                    if let target { t = target }
                }
                step(m, hart: t)
                return .stay
            }
        }
        var resumed = Set<Int>()
        for action in text.dropFirst(6).split(separator: ";") {
            let parts = action.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let target = hart(fromThread: parts[1], m), let t = target else {
                resumed = Set(m.harts.indices)
                break
            }
            resumed.insert(t)
        }
        held = Set(m.harts.indices).subtracting(resumed)
        return .resume
    }

    /// One instruction on hart `t`, then a stop report. Interrupts are not taken during
    /// the step (QEMU's default, SSTEP_NOIRQ): they are taken, as always, at the next chunk
    /// boundary once the board runs. A hart asleep in WFI has nothing to execute.
    func step(_ m: Machine, hart t: Int) {
        let h = m.harts[t]
        if !h.waitingForInterrupt && m.bus.exitCode == nil {
            h.singleStep = true
            h.run(until: h.cycles &+ 1)
            h.endSingleStep()
        }
        reportedStop = nil
        registerHart = t
        lastStop = "T05thread:\(threadID(t));"
        send(lastStop)
    }

    func handleQuery(_ text: String, _ data: [UInt8], _ m: Machine) {
        if text.hasPrefix("qSupported") {
            send("PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;vContSupported+;QStartNoAckMode+")
        } else if text == "QStartNoAckMode" {
            send("OK")
            noAck = true
        } else if text == "qAttached" || text.hasPrefix("qAttached:") {
            send("1")  // gdb detaches (D) rather than kills when it quits
        } else if text == "qC" {
            send("QC" + threadID(registerHart))
        } else if text == "qfThreadInfo" {
            send("m" + m.harts.map { threadID($0.id) }.joined(separator: ","))
        } else if text == "qsThreadInfo" {
            send("l")
        } else if text.hasPrefix("qThreadExtraInfo,") {
            guard let target = hart(fromThread: text.dropFirst(17), m), let t = target else { send("E01"); return }
            let h = m.harts[t]
            send(gdbHex(Array("hart \(t), \(h.mode.name)\(h.waitingForInterrupt ? ", WFI" : "")".utf8)))
        } else if text.hasPrefix("qXfer:features:read:") {
            let rest = text.dropFirst("qXfer:features:read:".count)
            let parts = rest.split(separator: ":")
            guard parts.count == 2, parts[0] == "target.xml" else { send("E00"); return }
            let range = parts[1].split(separator: ",")
            // Offset and length come off the wire: negatives are errors, and the end is
            // computed without an overflowing sum (either trapped the board).
            guard range.count == 2, let offset = Int(range[0], radix: 16), let length = Int(range[1], radix: 16),
                  offset >= 0, length >= 0 else { send("E01"); return }
            let xml = Array(GDBStub.targetDescription(m.hart).utf8)
            let start = min(offset, xml.count), end = start + min(xml.count - start, length)
            send([end == xml.count ? UInt8(ascii: "l") : UInt8(ascii: "m")] + Array(xml[start..<end]))
        } else if text.hasPrefix("qRcmd,") {
            guard let command = gdbUnhex(text.dropFirst(6)) else { send("E01"); return }
            let output = monitor(String(decoding: command, as: UTF8.self), m)
            // Output in pieces of `O` packets ("Console I/O" of qRcmd), then OK.
            var chunk = Array(output.utf8)[...]
            while !chunk.isEmpty {
                send("O" + gdbHex(Array(chunk.prefix(1000))))
                chunk = chunk.dropFirst(1000)
            }
            send("OK")
        } else {
            send("")  // qOffsets, qSymbol, qTStatus … : not supported
        }
    }

    // MARK: monitor

    func monitor(_ command: String, _ m: Machine) -> String {
        let words = command.split(separator: " ")
        switch words.first.map(String.init) ?? "help" {
        case "mode":
            return m.harts.map { h in
                "hart \(h.id): \(h.mode.name) (priv \(h.priv.rawValue), V=\(h.virt ? 1 : 0)) pc 0x\(String(h.pc, radix: 16))"
                    + (h.waitingForInterrupt ? ", in WFI" : "") + "\n"
            }.joined()
        case "stats":
            return statsText?(m) ?? "statistics are not available\n"
        case "help":
            return """
                monitor mode    each hart's execution mode (M, HS, U, VS, VU), privilege, V and pc
                monitor stats   instructions, cycles by mode, traps and TLB misses (as --stats)
                monitor help    this list

                """
        default:
            return "unknown monitor command '\(command)' (monitor help lists them)\n"
        }
    }

    // MARK: Registers

    static let abiNames = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
                           "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"]
    static let fpNames = ["ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1", "fa0", "fa1", "fa2", "fa3",
                          "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10", "fs11",
                          "ft8", "ft9", "ft10", "ft11"]
    /// The CSRs named in the target description (those a hart implements are listed).
    static let csrNames: [(String, UInt16)] = [
        ("sstatus", 0x100), ("sie", 0x104), ("stvec", 0x105), ("scounteren", 0x106), ("senvcfg", 0x10A),
        ("sscratch", 0x140), ("sepc", 0x141), ("scause", 0x142), ("stval", 0x143), ("sip", 0x144),
        ("stimecmp", 0x14D), ("satp", 0x180),
        ("vsstatus", 0x200), ("vsie", 0x204), ("vstvec", 0x205), ("vsscratch", 0x240), ("vsepc", 0x241),
        ("vscause", 0x242), ("vstval", 0x243), ("vsip", 0x244), ("vstimecmp", 0x24D), ("vsatp", 0x280),
        ("mstatus", 0x300), ("misa", 0x301), ("medeleg", 0x302), ("mideleg", 0x303), ("mie", 0x304),
        ("mtvec", 0x305), ("mcounteren", 0x306), ("menvcfg", 0x30A), ("mcountinhibit", 0x320),
        ("mscratch", 0x340), ("mepc", 0x341), ("mcause", 0x342), ("mtval", 0x343), ("mip", 0x344),
        ("mtinst", 0x34A), ("mtval2", 0x34B), ("pmpcfg0", 0x3A0), ("pmpcfg2", 0x3A2),
    ] + (0..<16).map { ("pmpaddr\($0)", UInt16(0x3B0 + $0)) } + [
        ("hstatus", 0x600), ("hedeleg", 0x602), ("hideleg", 0x603), ("hie", 0x604), ("htimedelta", 0x605),
        ("hcounteren", 0x606), ("hgeie", 0x607), ("henvcfg", 0x60A), ("htval", 0x643), ("hip", 0x644),
        ("hvip", 0x645), ("htinst", 0x64A), ("hgatp", 0x680),
        ("mcycle", 0xB00), ("minstret", 0xB02), ("cycle", 0xC00), ("time", 0xC01), ("instret", 0xC02),
        ("hgeip", 0xE12), ("mvendorid", 0xF11), ("marchid", 0xF12), ("mimpid", 0xF13), ("mhartid", 0xF14),
        ("mconfigptr", 0xF15),
    ]
    static let firstCSR = 65
    static let privRegister = 4161

    /// The target description for harts like `h` (GDB manual, "Target Descriptions").
    static func targetDescription(_ h: Hart) -> String {
        var x = "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
        x += "<architecture>riscv:rv64</architecture>\n<feature name=\"org.gnu.gdb.riscv.cpu\">\n"
        for (i, name) in abiNames.enumerated() {
            let type = i == 1 ? "code_ptr" : (i == 2 || i == 3 || i == 4 || i == 8) ? "data_ptr" : "int"
            x += "<reg name=\"\(name)\" bitsize=\"64\" type=\"\(type)\" regnum=\"\(i)\"/>\n"
        }
        x += "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n</feature>\n"
        if h.fd {
            x += "<feature name=\"org.gnu.gdb.riscv.fpu\">\n<union id=\"riscv_double\"><field name=\"float\" type=\"ieee_single\"/>"
            x += "<field name=\"double\" type=\"ieee_double\"/></union>\n"
            for (i, name) in fpNames.enumerated() {
                x += "<reg name=\"\(name)\" bitsize=\"64\" type=\"riscv_double\" regnum=\"\(33 + i)\"/>\n"
            }
            for (name, n) in [("fflags", 1), ("frm", 2), ("fcsr", 3)] {
                x += "<reg name=\"\(name)\" bitsize=\"32\" type=\"int\" regnum=\"\(firstCSR + n)\" group=\"float\"/>\n"
            }
            x += "</feature>\n"
        }
        x += "<feature name=\"org.gnu.gdb.riscv.csr\">\n"
        for (name, n) in csrNames where h.debugReadCSR(n) != nil {
            x += "<reg name=\"\(name)\" bitsize=\"64\" type=\"int\" regnum=\"\(firstCSR + Int(n))\" group=\"system\"/>\n"
        }
        x += "</feature>\n<feature name=\"org.gnu.gdb.riscv.virtual\">\n"
        x += "<reg name=\"priv\" bitsize=\"64\" type=\"int\" regnum=\"\(privRegister)\" group=\"system\"/>\n</feature>\n</target>\n"
        return x
    }

    func readRegister(_ h: Hart, _ n: Int) -> (value: UInt64, bytes: Int)? {
        switch n {
        case 0..<32: return (h.register(n), 8)
        case 32: return (h.pc, 8)
        case 33..<65 where h.fd: return (h.floatRegister(n - 33), 8)
        case 66...68 where h.fd: return h.debugReadCSR(UInt16(n - GDBStub.firstCSR)).map { ($0, 4) }
        case GDBStub.privRegister: return (UInt64(h.priv.rawValue), 8)
        case (GDBStub.firstCSR + 4)..<(GDBStub.firstCSR + 4096):
            return h.debugReadCSR(UInt16(n - GDBStub.firstCSR)).map { ($0, 8) }
        default: return nil
        }
    }

    func writeRegister(_ h: Hart, _ n: Int, _ v: UInt64) -> Bool {
        switch n {
        case 0: return true
        case 1..<32: h.setRegister(n, v); return true
        case 32: h.pc = v; return true
        case 33..<65 where h.fd: h.setFloatRegister(n - 33, v); return true
        case 66...68 where h.fd: return h.debugWriteCSR(UInt16(n - GDBStub.firstCSR), v)
        case (GDBStub.firstCSR + 4)..<(GDBStub.firstCSR + 4096): return h.debugWriteCSR(UInt16(n - GDBStub.firstCSR), v)
        default: return false
        }
    }
}
