/// The 16550A a guest sees at 0x1000_0000 (QEMU virt's UART0 address), emulated register
/// by register on every access, with its receive and transmitter-empty interrupts on the
/// domain's virtual PLIC, source 10 as on QEMU virt (Linux's 8250 driver runs ttyS0 on
/// them). Receive: Dom0 gets the physical UART's
/// input, another domain what Dom0 sends it. Its registers are bytes (reg-shift 0,
/// reg-io-width 1 in the DTB): a wider access is refused and reaches the guest as an
/// access fault. Transmit goes to the domain's console. The register file is FirmwareKit's
/// `UART16550Registers`.
enum VirtualUART {
    static let base: UInt64 = VirtMap.uart0
    static let size: UInt64 = UART16550Registers.size

    /// The MMIO region every domain gets.
    static let region = MMIORegion(base: base, size: size, read: read, write: write)

    static func read(_ hv: Hypervisor, _ vcpu: VCPU, _ offset: UInt64, _ width: UInt64) -> UInt64? {
        guard width == 1 else { return nil }
        let domain = vcpu.domain
        if offset == 0 { hv.consoleFlush(domain) }
        let input: UInt8? = hv.consoleHasInput(domain) ? 0 : nil
        if input != nil && domain.uart.readTakesInput(offset: offset) {
            let byte = hv.consoleRead(domain) ?? 0
            hv.updateUARTLine(domain)
            if domain.id == 0 { hv.rearmConsoleInterrupt() }
            return UInt64(byte)
        }
        var value = domain.uart.read(offset: offset, input: input)
        domain.uart.didRead(offset: offset, hasInput: input != nil, reported: value)
        // A domain whose console budget is spent sees a busy transmitter (LSR.THRE and
        // TEMT clear) until the next window, as with a slow line: backpressure, not loss.
        if offset == 5 && hv.consoleBudget(domain) == 0 { value &= ~0x60 }
        if offset == 2 || offset == 5 {
            if domain.id == 0 && input == nil { hv.rearmConsoleInterrupt() }
            hv.updateUARTLine(domain)
        }
        return UInt64(value)
    }

    static func write(_ hv: Hypervisor, _ vcpu: VCPU, _ offset: UInt64, _ width: UInt64, _ value: UInt64) -> Bool {
        guard width == 1 else { return false }
        let domain = vcpu.domain
        if let byte = domain.uart.write(offset: offset, value: UInt8(truncatingIfNeeded: value)) {
            hv.consoleWrite(domain, byte)
        }
        if offset <= 2 { hv.updateUARTLine(domain) }
        return true
    }

    /// The UART's source on the virtual PLIC.
    static let irq = Int(VirtMap.uart0IRQ)
}

extension Hypervisor {
    /// Drives the UART's interrupt line from its registers and the input waiting.
    func updateUARTLine(_ domain: Domain) {
        let line = domain.uart.interruptLine(hasInput: consoleHasInput(domain))
        guard line != domain.uartLine else { return }
        domain.uartLine = line
        domain.plic.setLevel(VirtualUART.irq, line)
        updateExternalInterrupts(domain)
    }
}
