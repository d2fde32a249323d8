#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// NS16550A UART at 0x1000_0000 (register map and behaviour per the TI PC16550D data sheet,
/// as QEMU's `hw/char/serial`): divisor latch, FCR with a 16-byte receive FIFO, LCR, MCR
/// with loopback, LSR, IER, IIR with priorities (line status > received data > THR empty),
/// SCR. Transmission is instantaneous (THR is always empty again at once). The interrupt
/// line goes to PLIC source 10. Received bytes come from a `ConsoleInput`; the received-data
/// interrupt fires whenever the FIFO holds data (trigger level 1; no character timeout).
public final class UART16550 {
    // Register offsets (DLAB = LCR bit 7 switches 0/1 to the divisor latch).
    static let rbrThr: UInt64 = 0, ier: UInt64 = 1, iirFcr: UInt64 = 2, lcr: UInt64 = 3
    static let mcr: UInt64 = 4, lsr: UInt64 = 5, msr: UInt64 = 6, scr: UInt64 = 7
    // LSR bits
    static let lsrDataReady: UInt8 = 0x01, lsrOverrun: UInt8 = 0x02
    static let lsrTHREmpty: UInt8 = 0x20, lsrTransmitterEmpty: UInt8 = 0x40
    static let fifoDepth = 16

    var ierValue: UInt8 = 0
    var lcrValue: UInt8 = 0
    var mcrValue: UInt8 = 0
    var scrValue: UInt8 = 0
    var fifoEnabled = false
    var divisor: UInt16 = 0
    /// Receive FIFO (one byte deep when FIFOs are disabled, as a 16450).
    var rx: [UInt8] = []
    var overrun = false
    /// The transmitter-holding-register-empty interrupt is pending (set when THR empties
    /// with ETBEI enabled, cleared by reading IIR while it is the reported source or by
    /// writing THR).
    var thrInterruptPending = false
    /// The modeled time of the access being served (set by the bus).
    var now: UInt64 = 0
    /// FCR as last written (the bits that stick), to tell a rewrite of the same value.
    var fcrValue: UInt8 = 0
    /// Set where QEMU's 16550 (`hw/char/serial.c`) calls `serial_update_irq`: reads of RBR,
    /// of IIR reporting THR empty and of LSR with an error to clear, writes of THR, of a
    /// changed IER or FCR, and bytes arriving. The bus passes the line to the PLIC at these
    /// updates only (`takeInterruptUpdate`), which is what QEMU's PLIC sees.
    var interruptUpdated = false

    /// Whether the line was updated since the last call (and clears the mark).
    func takeInterruptUpdate() -> Bool {
        defer { interruptUpdated = false }
        return interruptUpdated
    }

    /// Where transmitted bytes go (-1: nowhere). Bytes are buffered and flushed at newlines.
    public var outputFD: Int32
    /// Where received bytes come from.
    public let input: ConsoleInput
    private var pending: [UInt8] = []
    /// Everything transmitted, for tests and the `--stats` report (bounded).
    public private(set) var transcript: [UInt8] = []
    public var transcriptLimit = 1 << 20

    public init(outputFD: Int32 = 1, input: ConsoleInput = ConsoleInput()) {
        self.outputFD = outputFD
        self.input = input
    }

    /// A UART reading live input from `inputFD` (no escapes), or nothing when it is -1.
    public convenience init(outputFD: Int32 = 1, inputFD: Int32) {
        self.init(outputFD: outputFD, input: ConsoleInput(fd: inputFD))
    }

    /// Queues bytes as if typed on the console now (tests).
    public func feed(_ bytes: [UInt8]) { input.waiting.append(contentsOf: bytes) }

    public var transcriptString: String { String(decoding: transcript, as: UTF8.self) }

    /// Transmits one byte (also used by HTIF console output).
    public func transmit(_ byte: UInt8) {
        if transcript.count < transcriptLimit { transcript.append(byte) }
        guard outputFD >= 0 else { return }
        pending.append(byte)
        if byte == 10 || pending.count >= 4096 { flush() }
    }

    public func flush() {
        guard outputFD >= 0, !pending.isEmpty else { return }
        pending.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = hostWrite(outputFD, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { break }
                off += n
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    private var dlab: Bool { lcrValue & 0x80 != 0 }
    private var loopback: Bool { mcrValue & 0x10 != 0 }
    private var capacity: Int { fifoEnabled ? UART16550.fifoDepth : 1 }

    /// Moves arrived console input into the receive FIFO while it has room.
    func refill() {
        flush()  // the guest is looking for input: whatever it printed (a prompt) must show
        guard !loopback else { return }
        while rx.count < capacity, let b = input.take(cycles: now) {
            rx.append(b)
            interruptUpdated = true
        }
    }

    /// A byte arriving at the receiver (console or loopback): lost with an overrun when the
    /// FIFO is full.
    private func receive(_ b: UInt8) {
        if rx.count < capacity { rx.append(b) } else { overrun = true }
        interruptUpdated = true
    }

    private var dataReady: Bool {
        refill()
        return !rx.isEmpty
    }

    /// The UART's interrupt line (to PLIC source 10).
    public var interruptLine: Bool {
        (ierValue & 4 != 0 && overrun) || (ierValue & 1 != 0 && dataReady) || (ierValue & 2 != 0 && thrInterruptPending)
    }

    func read(offset: UInt64, size: Int) -> UInt64 {
        switch offset {
        case Self.rbrThr:
            if dlab { return UInt64(divisor & 0xFF) }
            interruptUpdated = true
            guard dataReady else { return 0 }
            let b = rx.removeFirst()
            refill()
            return UInt64(b)
        case Self.ier:
            return dlab ? UInt64(divisor >> 8) : UInt64(ierValue)
        case Self.iirFcr:
            // Highest-priority source: line status (0x6), received data (0x4), THR empty
            // (0x2); 0x1 = none. Bits 7:6 are set when the FIFOs are enabled.
            let fifo: UInt8 = fifoEnabled ? 0xC0 : 0
            if ierValue & 4 != 0 && overrun { return UInt64(fifo | 0x06) }
            if ierValue & 1 != 0 && dataReady { return UInt64(fifo | 0x04) }
            if ierValue & 2 != 0 && thrInterruptPending {
                thrInterruptPending = false
                interruptUpdated = true
                return UInt64(fifo | 0x02)
            }
            return UInt64(fifo | 0x01)
        case Self.lcr: return UInt64(lcrValue)
        case Self.mcr: return UInt64(mcrValue)
        case Self.lsr:
            var v = Self.lsrTHREmpty | Self.lsrTransmitterEmpty
            if dataReady { v |= Self.lsrDataReady }
            if overrun { v |= Self.lsrOverrun; interruptUpdated = true }
            overrun = false  // reading LSR clears the error bits
            return UInt64(v)
        case Self.msr:
            if loopback {
                // CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2.
                let m = mcrValue
                return UInt64(((m & 2) << 3) | ((m & 1) << 5) | ((m & 4) << 4) | ((m & 8) << 4))
            }
            return 0xB0  // DCD, DSR, CTS asserted: a connected terminal
        case Self.scr: return UInt64(scrValue)
        default: return 0
        }
    }

    func write(offset: UInt64, size: Int, value: UInt64) {
        let b = UInt8(truncatingIfNeeded: value)
        switch offset {
        case Self.rbrThr:
            if dlab { divisor = (divisor & 0xFF00) | UInt16(b) } else {
                if loopback { receive(b) } else { transmit(b) }
                thrInterruptPending = true  // the byte leaves at once: THR is empty again
                interruptUpdated = true
            }
        case Self.ier:
            if dlab { divisor = (divisor & 0x00FF) | (UInt16(b) << 8) } else {
                // Enabling THRI with THR empty (always, here) raises it; disabling drops it (as
                // QEMU, which Windows relies on; not in the data sheet).
                if (b ^ ierValue) & 2 != 0 { thrInterruptPending = b & 2 != 0 }
                if b & 0x0F != ierValue { interruptUpdated = true }
                ierValue = b & 0x0F
            }
        case Self.iirFcr:  // FCR
            let enable = b & 1 != 0
            if b != fcrValue { interruptUpdated = true }  // QEMU ignores a write of the same value
            if enable != fifoEnabled || b & 2 != 0 { rx.removeAll() }  // toggling FIFOs or RCVR reset
            fifoEnabled = enable
            fcrValue = b & 0xC9
        case Self.lcr: lcrValue = b
        case Self.mcr:
            mcrValue = b & 0x1F
            refill()
        case Self.scr: scrValue = b
        default: break
        }
    }
}

@inline(__always) private func hostWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
@inline(__always) private func hostRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, p, n) }
