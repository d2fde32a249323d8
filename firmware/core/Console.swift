import Shim

/// One domain's console output not yet written (an unfinished line), whether its next byte
/// starts a line on the physical UART (for the name prefix), and its output budget.
struct ConsoleBuffer {
    var pending: [UInt8] = []
    var atLineStart = true
    /// Bytes left in the current budget window, and when the window started (`time`).
    var budget: UInt64 = ConsoleBuffer.budgetPerWindow
    var windowStart: UInt64 = 0
    /// Bytes refused because the budget was spent.
    var dropped: UInt64 = 0
    /// Drops the bytes that could forge a line (FirmwareKit's `ConsoleFilter`).
    var filter = ConsoleFilter()

    /// At most this many bytes of a domain other than Dom0 reach the UART per window
    /// (4 KiB per 10 ms: 400 KB/s, far above a serial console, yet a flood takes under a
    /// tenth of a hart).
    static let budgetPerWindow: UInt64 = 4096
    static let windowTicks: UInt64 = 100_000
    /// Longest DBCN console_write carried out in one call (SBI §12.1 allows partial writes).
    static let maxWritePerCall: UInt64 = 1024
}

/// Domain consoles on the shared physical UART (DESIGN §3 "Consoles"). Output is kept per
/// domain until a line is complete (or 200 bytes, or the domain reads input or stops), so
/// lines of guests sharing the UART never mix, and lines of domains other than Dom0 carry
/// the domain's name. Every line a guest prints is attributable to it: when a domain's
/// output would continue a physical line another domain (or the firmware) left open, a
/// newline ends that line first, and the continuation gets its prefix again; from guests
/// other than Dom0 only printable text passes (FirmwareKit's `ConsoleFilter`: no C0 or C1
/// controls, well-formed UTF-8), so a carriage return or an escape sequence cannot hide a
/// prefix. (Per-domain rings that Dom0 reads
/// come with Dom0.)
extension Hypervisor {
    /// Takes one byte of `domain`'s console. Returns false when the domain's budget is
    /// spent and the byte was refused.
    @discardableResult
    func consoleWrite(_ domain: Domain, _ byte: UInt8) -> Bool {
        if !domain.hasPrinted {
            domain.hasPrinted = true
            let us = (csr_read_time() &- domain.createdAt) / (platform.timebase / 1_000_000 == 0 ? 1 : platform.timebase / 1_000_000)
            // Into the firmware's log only (Dom0's dmesg), never onto the console itself.
            logOnly(domain, " printed first, " + Format.dec(us) + " us after it was built")
        }
        if domain.id != 0 {
            // Every guest's output is kept in its ring for Dom0 (`console ID`); once Dom0
            // has claimed the consoles, the ring is the only place it goes.
            domain.ring.append(byte)
            if consolesClaimed { return true }
            if consoleBudget(domain) == 0 {
                domain.console.dropped &+= 1
                return false
            }
            domain.console.budget -= 1
            var passed: [UInt8] = []
            domain.console.filter.feed(byte) { passed.append($0) }
            for b in passed { domain.console.pending.append(b) }
        } else {
            domain.console.pending.append(byte)
        }
        if byte == 0x0A || domain.console.pending.count >= 200 { consoleFlush(domain) }
        return true
    }

    /// Bytes `domain` may still write in this window (refilled each window).
    func consoleBudget(_ domain: Domain) -> UInt64 {
        guard domain.id != 0 else { return UInt64.max }
        let now = csr_read_time()
        if now &- domain.console.windowStart >= ConsoleBuffer.windowTicks {
            domain.console.windowStart = now
            domain.console.budget = ConsoleBuffer.budgetPerWindow
        }
        return domain.console.budget
    }

    /// Writes out what `domain` has buffered; with `endLine`, an unfinished line is ended
    /// (the domain stops, or the board powers off).
    func consoleFlush(_ domain: Domain, endLine: Bool = false) {
        if !domain.console.pending.isEmpty {
            for byte in domain.console.pending {
                if domain.console.atLineStart || lineOwner !== domain {
                    claimLine(domain)
                    if domain.id != 0 {
                        UART.put(0x5B)
                        Log.put(domain.name)
                        UART.put(0x5D)
                        UART.put(0x20)
                    }
                }
                domain.console.atLineStart = byte == 0x0A
                UART.put(byte)
            }
            domain.console.pending.removeAll(keepingCapacity: true)
            lineOwner = domain.console.atLineStart ? nil : domain
        }
        if endLine && !domain.console.atLineStart {
            UART.put(0x0A)
            domain.console.atLineStart = true
            if lineOwner === domain { lineOwner = nil }
        }
    }

    /// Ends the physical line another domain left open before `domain` writes.
    func claimLine(_ domain: Domain?) {
        if let owner = lineOwner, owner !== domain {
            UART.put(0x0A)
            owner.console.atLineStart = true
        }
        lineOwner = domain
    }

    /// Console input: Dom0 reads the physical UART; another domain reads what Dom0 sent it
    /// (SBI Control consoleWrite, while the user is attached to it).
    func consoleRead(_ domain: Domain) -> UInt8? {
        consoleFlush(domain)
        if domain.id == 0 {
            // Domain 0 reads the physical UART (also through DBCN or the legacy getchar):
            // once it is dry, its receive interrupt may fire again.
            let byte = UART.get()
            rearmConsoleInterrupt()
            return byte
        }
        return domain.input.isEmpty ? nil : domain.input.removeFirst()
    }

    /// True when `domain` has console input waiting.
    func consoleHasInput(_ domain: Domain) -> Bool {
        domain.id == 0 ? UART.hasInput : !domain.input.isEmpty
    }
}
