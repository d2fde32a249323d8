#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// NS16550A UART at 0x1000_0000 (register map per the TI PC16550D data sheet, as QEMU
/// `hw/char/serial`). Board I: transmit goes straight out (the line is always ready), receive
/// is polled from an input file descriptor. Interrupt generation comes with the PLIC (Board II).
public final class UART16550 {
    // Register offsets (DLAB = LCR bit 7 switches 0/1 to the divisor latch).
    static let rbrThr: UInt64 = 0, ier: UInt64 = 1, iirFcr: UInt64 = 2, lcr: UInt64 = 3
    static let mcr: UInt64 = 4, lsr: UInt64 = 5, msr: UInt64 = 6, scr: UInt64 = 7
    // LSR bits
    static let lsrDataReady: UInt8 = 0x01, lsrTHREmpty: UInt8 = 0x20, lsrTransmitterEmpty: UInt8 = 0x40

    var ierValue: UInt8 = 0
    var lcrValue: UInt8 = 0
    var mcrValue: UInt8 = 0
    var scrValue: UInt8 = 0
    var fcrValue: UInt8 = 0
    var divisor: UInt16 = 0
    var rx: [UInt8] = []
    var rxHead = 0
    /// The transmitter-holding-register-empty interrupt is pending (set when THR empties
    /// with ETBEI enabled, cleared by reading IIR while it is the reported source or by
    /// writing THR).
    var thrInterruptPending = false

    /// Where transmitted bytes go (-1: nowhere). Bytes are buffered and flushed at newlines.
    public var outputFD: Int32
    /// Where received bytes come from (-1: no input).
    public var inputFD: Int32
    private var inputEOF = false
    private var pending: [UInt8] = []
    /// Everything transmitted, for tests and the `--stats` report (bounded).
    public private(set) var transcript: [UInt8] = []
    public var transcriptLimit = 1 << 20

    public init(outputFD: Int32 = 1, inputFD: Int32 = -1) {
        self.outputFD = outputFD
        self.inputFD = inputFD
    }

    /// Queues bytes as if typed on the console (tests, scripted input).
    public func feed(_ bytes: [UInt8]) { rx.append(contentsOf: bytes) }

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

    /// The UART's interrupt line (to PLIC source 10): received data with ERBFI, or THR
    /// empty with ETBEI.
    public var interruptLine: Bool {
        (ierValue & 1 != 0 && rxAvailable()) || (ierValue & 2 != 0 && thrInterruptPending)
    }

    private func rxAvailable() -> Bool {
        if rxHead < rx.count { return true }
        if rxHead > 0 { rx.removeAll(keepingCapacity: true); rxHead = 0 }
        guard inputFD >= 0, !inputEOF else { return false }
        var p = pollfd(fd: inputFD, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        var buf = [UInt8](repeating: 0, count: 256)
        let n = hostRead(inputFD, &buf, buf.count)
        if n <= 0 { inputEOF = true; return false }
        rx.append(contentsOf: buf[0..<n])
        return true
    }

    func read(offset: UInt64, size: Int) -> UInt64 {
        switch offset {
        case Self.rbrThr:
            if dlab { return UInt64(divisor & 0xFF) }
            guard rxAvailable() else { return 0 }
            let b = rx[rxHead]; rxHead += 1
            return UInt64(b)
        case Self.ier:
            return dlab ? UInt64(divisor >> 8) : UInt64(ierValue)
        case Self.iirFcr:
            // Highest-priority pending source: received data (0x4), then THR empty (0x2);
            // 0x1 = none. Bits 7:6 are set when the FIFOs are enabled.
            let fifo: UInt8 = fcrValue & 1 != 0 ? 0xC0 : 0
            if ierValue & 1 != 0 && rxAvailable() { return UInt64(fifo | 0x04) }
            if ierValue & 2 != 0 && thrInterruptPending {
                thrInterruptPending = false
                return UInt64(fifo | 0x02)
            }
            return UInt64(fifo | 0x01)
        case Self.lcr: return UInt64(lcrValue)
        case Self.mcr: return UInt64(mcrValue)
        case Self.lsr:
            return UInt64(Self.lsrTHREmpty | Self.lsrTransmitterEmpty | (rxAvailable() ? Self.lsrDataReady : 0))
        case Self.msr:
            // Loopback off: DCD, DSR, CTS asserted (as QEMU reports for a connected chardev).
            return 0xB0
        case Self.scr: return UInt64(scrValue)
        default: return 0
        }
    }

    func write(offset: UInt64, size: Int, value: UInt64) {
        let b = UInt8(truncatingIfNeeded: value)
        switch offset {
        case Self.rbrThr:
            if dlab { divisor = (divisor & 0xFF00) | UInt16(b) } else {
                transmit(b)
                thrInterruptPending = true  // the byte leaves at once: THR is empty again
            }
        case Self.ier:
            if dlab { divisor = (divisor & 0x00FF) | (UInt16(b) << 8) } else {
                if b & 2 != 0 && ierValue & 2 == 0 { thrInterruptPending = true }
                ierValue = b & 0x0F
            }
        case Self.iirFcr: fcrValue = b & 0xC9
        case Self.lcr: lcrValue = b
        case Self.mcr: mcrValue = b & 0x1F
        case Self.scr: scrValue = b
        default: break
        }
    }
}

@inline(__always) private func hostWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
@inline(__always) private func hostRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, p, n) }
