@testable import BoardCore
import Foundation
import Testing

/// The 16550's registers as software sees them (PC16550D data sheet; QEMU hw/char/serial).
@Suite struct UARTRegisterTests {
    let thr: UInt64 = 0, ier: UInt64 = 1, iir: UInt64 = 2, fcr: UInt64 = 2, lcr: UInt64 = 3
    let mcr: UInt64 = 4, lsr: UInt64 = 5, msr: UInt64 = 6

    func uart(_ bytes: [UInt8] = []) -> UART16550 {
        let u = UART16550(outputFD: -1, input: ConsoleInput())
        u.feed(bytes)
        return u
    }

    @Test func fifoHoldsSixteenBytesAndTheRestWaits() {
        let u = uart(Array(0..<20))
        u.write(offset: fcr, size: 1, value: 0x01)  // FIFOs on
        var got: [UInt8] = []
        while u.read(offset: lsr, size: 1) & 1 != 0 { got.append(UInt8(u.read(offset: thr, size: 1))) }
        #expect(got == Array(0..<20))  // nothing typed is lost: the line is flow-controlled
        #expect(u.read(offset: lsr, size: 1) == 0x60)  // THRE | TEMT, no data
    }

    @Test func withoutFIFOTheHoldingRegisterKeepsOneByte() {
        let u = uart([7, 8])
        _ = u.read(offset: lsr, size: 1)
        #expect(u.rx.count == 1)
        #expect(u.read(offset: thr, size: 1) == 7)
        #expect(u.read(offset: thr, size: 1) == 8)
    }

    @Test func loopbackOverrunSetsAndReadingLSRClearsOE() {
        let u = uart()
        u.write(offset: mcr, size: 1, value: 0x10)  // loopback, FIFO off: 1-byte receiver
        u.write(offset: thr, size: 1, value: 0x41)
        u.write(offset: thr, size: 1, value: 0x42)  // lost: overrun
        #expect(u.transcript.isEmpty)  // loopback does not reach the line
        #expect(u.read(offset: lsr, size: 1) & 0x03 == 0x03)  // DR | OE
        #expect(u.read(offset: lsr, size: 1) & 0x02 == 0)  // OE cleared by the read
        #expect(u.read(offset: thr, size: 1) == 0x41)
    }

    @Test func loopbackModemStatusFollowsMCR() {
        let u = uart()
        u.write(offset: mcr, size: 1, value: 0x10 | 0x01 | 0x02)  // loop, DTR, RTS
        #expect(u.read(offset: msr, size: 1) == 0x30)  // DSR (from DTR) | CTS (from RTS)
        u.write(offset: mcr, size: 1, value: 0x10 | 0x04 | 0x08)  // OUT1, OUT2
        #expect(u.read(offset: msr, size: 1) == 0xC0)  // RI | DCD
        u.write(offset: mcr, size: 1, value: 0)
        #expect(u.read(offset: msr, size: 1) == 0xB0)  // a connected terminal
    }

    @Test func iirReportsSourcesByPriority() {
        let u = uart([0x61])
        u.write(offset: fcr, size: 1, value: 0x01)
        #expect(u.read(offset: iir, size: 1) == 0xC1)  // FIFOs on, nothing enabled
        u.write(offset: ier, size: 1, value: 0x07)  // line status, received data, THR empty
        #expect(u.read(offset: iir, size: 1) == 0xC4)  // received data first
        #expect(u.interruptLine)
        _ = u.read(offset: thr, size: 1)
        #expect(u.read(offset: iir, size: 1) == 0xC2)  // then THR empty, cleared by this read
        #expect(u.read(offset: iir, size: 1) == 0xC1)
        #expect(!u.interruptLine)
        u.write(offset: thr, size: 1, value: 0x62)  // transmitting makes THR empty again
        #expect(u.interruptLine)
        #expect(u.transcriptString == "b")
    }

    @Test func fcrResetAndToggleClearTheReceiver() {
        let u = uart([1, 2, 3])
        u.write(offset: fcr, size: 1, value: 0x01)
        _ = u.read(offset: lsr, size: 1)
        #expect(u.rx.count == 3)
        u.write(offset: fcr, size: 1, value: 0x03)  // receiver reset
        #expect(u.rx.isEmpty)
    }

    @Test func divisorLatch() {
        let u = uart()
        u.write(offset: lcr, size: 1, value: 0x83)
        u.write(offset: thr, size: 1, value: 0x34)
        u.write(offset: ier, size: 1, value: 0x12)
        #expect(u.read(offset: thr, size: 1) == 0x34 && u.read(offset: ier, size: 1) == 0x12)
        u.write(offset: lcr, size: 1, value: 0x03)
        #expect(u.read(offset: ier, size: 1) == 0)
        #expect(u.divisor == 0x1234)
    }
}

@Suite struct ConsoleInputTests {
    @Test func scriptParsesCyclesEscapesAndComments() throws {
        let events = try ConsoleInput.parseScript("# comment\n\n10 a b\\n\n5 \\x41\\t\\\\\\e\n20\n")
        #expect(events == [ConsoleInput.Event(cycle: 10, bytes: Array("a b\n".utf8)),
                           ConsoleInput.Event(cycle: 5, bytes: [0x41, 9, 0x5C, 27]),
                           ConsoleInput.Event(cycle: 20, bytes: [])])
        let input = ConsoleInput(script: events)
        #expect(input.nextEventCycle == 5)
        #expect(!input.hasWaiting(cycles: 4))
        #expect(input.take(cycles: 5) == 0x41)
        #expect(input.nextEventCycle == 10)
    }

    @Test(arguments: [("x 1", "line 1: expected a cycle count, found 'x'"),
                      ("1 \\q", "line 1: unknown escape \\q"),
                      ("1 \\x4", "line 1: \\x needs two hex digits"),
                      ("# ok\n2 end\\", "line 2: a line cannot end with \\")])
    func scriptErrorsNameTheLine(_ text: String, _ message: String) {
        #expect(throws: ConsoleInput.ScriptError.self) { try ConsoleInput.parseScript(text) }
        do { _ = try ConsoleInput.parseScript(text) } catch { #expect(error.description == message) }
    }

    @Test func ctrlAEscapesOnALiveConsole() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let bytes: [UInt8] = [0x61, 0x01, 0x01, 0x62, 0x01, 0x78]  // a, C-a C-a, b, C-a x
        _ = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress!, $0.count) }
        close(fds[1])
        let input = ConsoleInput(fd: fds[0], escapes: true)
        var got: [UInt8] = []
        while let b = input.take(cycles: 0) { got.append(b) }
        #expect(got == [0x61, 0x01, 0x62])
        #expect(input.quitRequested)
    }

    /// Review finding (eb2636c, a spec review of the devices and the run loop): console input
    /// was only read from the host fd when the guest looked at the UART, so Ctrl-A x was only
    /// seen when the guest drained the UART: a guest that never reads the console (or whose
    /// RX FIFO is full) could not be quit.
    @Test
    func ctrlAXIsSeenEvenIfGuestIgnoresUART() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let input = ConsoleInput(fd: fds[0], escapes: true)
        let bus = Bus(memoryBytes: 1 << 20, uart: UART16550(outputFD: -1, input: input))
        let esc: [UInt8] = [0x01, UInt8(ascii: "x")]
        #expect(write(fds[1], esc, 2) == 2)
        // What the run loop does between chunks (IER = 0: the guest does not use RX interrupts).
        for c in stride(from: UInt64(0), to: 1_000_000, by: 65_536) {
            bus.advanceDevices(cycles: c)
        }
        #expect(input.quitRequested)
    }
}
