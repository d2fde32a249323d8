/// One domain's console output not yet written: an unfinished line, and whether the next
/// byte starts a line (for the name prefix).
struct ConsoleBuffer {
    var pending: [UInt8] = []
    var atLineStart = true
}

/// Domain consoles on the shared physical UART (DESIGN §3 "Consoles"). Output is kept per
/// domain until a line is complete (or 200 bytes, or the domain reads input or stops), so
/// lines of guests sharing the UART never mix; lines of domains other than Dom0 carry the
/// domain's name. (Per-domain rings that Dom0 reads come with Dom0.)
extension Hypervisor {
    func consoleWrite(_ domain: Domain, _ byte: UInt8) {
        domain.console.pending.append(byte)
        if byte == 0x0A || domain.console.pending.count >= 200 { consoleFlush(domain) }
    }

    func consoleFlush(_ domain: Domain) {
        guard !domain.console.pending.isEmpty else { return }
        for byte in domain.console.pending {
            if domain.id != 0 && domain.console.atLineStart {
                UART.put(0x5B)
                Log.put(domain.name)
                UART.put(0x5D)
                UART.put(0x20)
            }
            domain.console.atLineStart = byte == 0x0A
            UART.put(byte)
        }
        domain.console.pending.removeAll(keepingCapacity: true)
    }

    /// Console input goes to Dom0 only.
    func consoleRead(_ domain: Domain) -> UInt8? {
        consoleFlush(domain)
        return domain.id == 0 ? UART.get() : nil
    }
}
