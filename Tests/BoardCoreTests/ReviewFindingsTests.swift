@testable import BoardCore
import Foundation
import RISCV
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Regression tests for findings of a spec review of the devices and the run loop: each
/// failed (or crashed or hung the host) before its fix.
@Suite struct ReviewFindingsTests {
    static let slot0: UInt64 = 0x1000_1000

    // MARK: Helpers

    final class Rig {
        let bus: Bus
        let image: String
        var cycles: UInt64 = 0
        /// `sparseBytes`: size of a sparse image file (no data written).
        init(memoryBytes: UInt64 = 16 << 20, sparseBytes: Int64 = 64 * 512) throws {
            bus = Bus(memoryBytes: memoryBytes)
            image = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-review-\(UUID().uuidString).img").path
            let fd = open(image, O_CREAT | O_RDWR | O_TRUNC, 0o644)
            precondition(fd >= 0)
            precondition(ftruncate(fd, off_t(sparseBytes)) == 0)
            close(fd)
            try bus.attachDisk(slot: 0, path: image, readOnly: false)
        }
        deinit { try? FileManager.default.removeItem(atPath: image) }
        func r(_ off: UInt64) -> UInt32 { UInt32(bus.mmioRead(ReviewFindingsTests.slot0 + off, size: 4, cycles: cycles)!) }
        func w(_ off: UInt64, _ v: UInt32) { _ = bus.mmioWrite(ReviewFindingsTests.slot0 + off, size: 4, value: UInt64(v), cycles: cycles) }
        func put64(_ a: UInt64, _ v: UInt64) { bus.writeMemory(a, withUnsafeBytes(of: v.littleEndian) { Array($0) }) }
        func put32(_ a: UInt64, _ v: UInt32) { bus.writeMemory(a, withUnsafeBytes(of: v.littleEndian) { Array($0) }) }
        func put16(_ a: UInt64, _ v: UInt16) { bus.writeMemory(a, withUnsafeBytes(of: v.littleEndian) { Array($0) }) }
        func get16(_ a: UInt64) -> UInt16 { bus.readMemory(a, count: 2)!.withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) } }
        func setDesc(_ table: UInt64, _ i: UInt64, addr: UInt64, len: UInt32, flags: UInt16, next: UInt16 = 0) {
            let d = table + 16 * i
            put64(d, addr); put32(d + 8, len); put16(d + 12, flags); put16(d + 14, next)
        }
        /// Status handshake and queue 0 setup (§3.1.1, §4.2.3.2).
        func bringUp(desc: UInt64, avail: UInt64, used: UInt64, queueSize: UInt32 = 8) {
            let features: UInt64 = (1 << 32) | (1 << 9) | (1 << 28)
            w(0x70, 0)
            w(0x70, 1); w(0x70, 3)
            w(0x24, 0); w(0x20, UInt32(features & 0xFFFF_FFFF))
            w(0x24, 1); w(0x20, UInt32(features >> 32))
            w(0x70, 3 | 8)
            w(0x30, 0); w(0x38, queueSize)
            w(0x80, UInt32(desc & 0xFFFF_FFFF)); w(0x84, 0)
            w(0x90, UInt32(avail & 0xFFFF_FFFF)); w(0x94, 0)
            w(0xA0, UInt32(used & 0xFFFF_FFFF)); w(0xA4, 0)
            w(0x44, 1)
            w(0x70, 3 | 8 | 4)
        }
        /// Makes `head` available and notifies (no time passes).
        func offer(avail: UInt64, head: UInt16, queueSize: UInt16 = 8) {
            let idx = get16(avail + 2)
            put16(avail + 4 + 2 * UInt64(idx % queueSize), head)
            put16(avail + 2, idx &+ 1)
            w(0x50, 0)
        }
    }

    // MARK: Helpers for whole-machine tests

    static func itype(_ imm: Int32, _ rs1: UInt32, _ f3: UInt32, _ rd: UInt32, _ op: UInt32) -> UInt32 {
        (UInt32(bitPattern: imm) & 0xFFF) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op
    }
    static func lui(_ rd: UInt32, _ imm20: UInt32) -> UInt32 { (imm20 & 0xF_FFFF) << 12 | rd << 7 | 0x37 }
    static func sw(_ rs2: UInt32, _ rs1: UInt32) -> UInt32 { rs2 << 20 | rs1 << 15 | 2 << 12 | 0x23 }
    static func bne(_ rs1: UInt32, _ rs2: UInt32, _ off: Int32) -> UInt32 {
        let i = UInt32(bitPattern: off)
        return ((i >> 12) & 1) << 31 | ((i >> 5) & 0x3F) << 25 | rs2 << 20 | rs1 << 15 | 1 << 12
            | ((i >> 1) & 0xF) << 8 | ((i >> 11) & 1) << 7 | 0x63
    }
    static let wfi: UInt32 = 0x1050_0073
    static let jSelf: UInt32 = 0x0000_006F

    /// Little-endian bytes of RV64 code, to be loaded as a raw `--bios` image at 0x8000_0000.
    static func rawImage(_ words: [UInt32]) -> String {
        let bytes = words.flatMap { w in withUnsafeBytes(of: w.littleEndian) { Array($0) } }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-review-\(UUID().uuidString).bin").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// The `vireo` executable of this build.
    static var vireo: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let bundle = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("vireo").path
        return FileManager.default.isExecutableFile(atPath: bundle) ? bundle : root.appendingPathComponent(".build/debug/vireo").path
    }

    static func emptyFile() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-review-\(UUID().uuidString).txt").path
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        return path
    }

    /// Runs vireo; nil when it has not finished after `timeout` seconds (it is then killed).
    static func runVireo(_ args: [String], stdin: Data? = nil, timeout: TimeInterval) throws -> Int32? {
        let r = try runSubprocess(vireo, args, stdin: stdin, timeout: timeout, capture: false)
        return r.timedOut ? nil : r.status
    }
}

// MARK: - Findings

extension ReviewFindingsTests {
    /// VirtioBlock.serve (IN): `done += b.len` is a UInt32 sum. A read of 4 GiB or more
    /// (allowed by a disk ≥ 4 GiB; the guest may alias one RAM buffer many times) overflows
    /// and traps the host process.
    @Test
    func virtioLargeReadMustNotCrashHost() throws {
        // 64 MiB of RAM, a sparse 5 GiB disk.
        let rig = try Rig(memoryBytes: 64 << 20, sparseBytes: 5 << 30)
        let desc: UInt64 = 0x8000_0000, avail: UInt64 = 0x8000_2000, used: UInt64 = 0x8000_3000
        let header: UInt64 = 0x8000_4000, status: UInt64 = 0x8000_5000, data: UInt64 = 0x8100_0000
        rig.bringUp(desc: desc, avail: avail, used: used, queueSize: 256)
        rig.put32(header, 0); rig.put32(header + 4, 0); rig.put64(header + 8, 0)  // IN, sector 0
        rig.bus.writeMemory(status, [0xFF])
        rig.setDesc(desc, 0, addr: header, len: 16, flags: 1, next: 1)
        let chunk: UInt32 = 32 << 20
        for i in 1...128 {  // 128 × 32 MiB = 4 GiB, all the same RAM
            rig.setDesc(desc, UInt64(i), addr: data, len: chunk, flags: 1 | 2, next: UInt16(i + 1))
        }
        rig.setDesc(desc, 129, addr: status, len: 1, flags: 2)
        rig.offer(avail: avail, head: 0, queueSize: 256)  // traps here today
        rig.cycles += CycleModel.virtioLatency
        rig.bus.advanceDevices(cycles: rig.cycles)
        // Either outcome is acceptable; the host must survive.
        #expect(rig.bus.readMemory(status, count: 1)![0] != 0xFF)
    }

    /// VirtioBlock.advance posts used-ring entries even after the driver cleared QueueReady
    /// (Virtio 1.x §4.2.2.1: "The device MUST NOT access virtqueue contents when QueueReady is
    /// zero"). A driver that stops the queue and reuses the memory gets it overwritten.
    @Test
    func virtioDoesNotTouchUsedRingWhenQueueNotReady() throws {
        let rig = try Rig()
        let desc: UInt64 = 0x8010_0000, avail: UInt64 = 0x8010_1000, used: UInt64 = 0x8010_2000
        let header: UInt64 = 0x8010_3000, data: UInt64 = 0x8010_4000, status: UInt64 = 0x8010_6000
        rig.bringUp(desc: desc, avail: avail, used: used)
        rig.put32(header, 0); rig.put32(header + 4, 0); rig.put64(header + 8, 0)
        rig.setDesc(desc, 0, addr: header, len: 16, flags: 1, next: 1)
        rig.setDesc(desc, 1, addr: data, len: 512, flags: 1 | 2, next: 2)
        rig.setDesc(desc, 2, addr: status, len: 1, flags: 2)
        rig.offer(avail: avail, head: 0)
        // The driver stops the queue and reuses the used-ring page for something else.
        rig.w(0x44, 0)
        #expect(rig.r(0x44) == 0)
        rig.bus.writeMemory(used, [UInt8](repeating: 0xAB, count: 16))
        rig.cycles += CycleModel.virtioLatency
        rig.bus.advanceDevices(cycles: rig.cycles)
        #expect(rig.bus.readMemory(used, count: 16)! == [UInt8](repeating: 0xAB, count: 16))
    }

    /// Machine.run (several harts): `stuck` is counted during the quantum, so a hart counted
    /// stuck early and then sent an IPI by a later hart is still counted, and the run ends
    /// with a false WFI deadlock (exit 125) although an enabled interrupt (MSIP) is pending.
    @Test
    func ipiSentThenWFIIsNotADeadlock() throws {
        let bin = Self.rawImage([
            Self.itype(0xF14, 0, 2, 10, 0x73),  // 0:  csrr a0, mhartid
            Self.itype(8, 0, 0, 5, 0x13),       // 1:  li t0, MSIE
            Self.itype(0x304, 5, 1, 0, 0x73),   // 2:  csrw mie, t0   (mstatus.MIE stays 0)
            Self.bne(10, 0, 28),                // 3:  bnez a0, 10
            Self.wfi,                           // 4:  hart 0 waits for an IPI
            Self.lui(6, 0x100),                 // 5:  t1 = finisher
            Self.lui(7, 0x5),                   // 6:
            Self.itype(0x555, 7, 0, 7, 0x13),   // 7:  t2 = 0x5555
            Self.sw(7, 6),                      // 8:  pass
            Self.jSelf,                         // 9:
            Self.lui(6, 0x2000),                // 10: t1 = CLINT msip[0]
            Self.itype(1, 0, 0, 7, 0x13),       // 11: t2 = 1
            Self.sw(7, 6),                      // 12: IPI to hart 0
            Self.wfi,                           // 13: hart 1 waits
            Self.jSelf,                         // 14:
        ])
        defer { try? FileManager.default.removeItem(atPath: bin) }
        // A scripted (empty) console: no live input that could mask the deadlock check.
        let script = Self.emptyFile()
        defer { try? FileManager.default.removeItem(atPath: script) }
        let status = try Self.runVireo(["run", "--harts", "2", "--bios", bin, "--console-input", script,
                                        "--max-instructions", "1000000"], timeout: 30)
        #expect(status == 0)  // today: 125 ("hart 0 waits in WFI ... no enabled interrupt") with MSIP pending
    }

    /// Console input is only read from the host fd when the guest looks at the UART
    /// (IER.ERBFI set, or an RBR/LSR/IIR read). When every hart is stuck in WFI, `Machine.run`
    /// calls `waitForLiveInput`, which returns at once for a readable fd — and /dev/null or a
    /// pipe at EOF is always readable — but nothing ever reads it, so `eof` is never set and
    /// the loop spins at 100% CPU for ever instead of returning `.deadlock` (exit 125).
    /// `vireo run prog < /dev/null` (CI) hangs on any guest deadlock.
    @Test
    func wfiDeadlockWithNonTTYStdinTerminates() throws {
        let bin = Self.rawImage([Self.wfi, Self.jSelf])  // mie = 0: nothing can wake it
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let script = Self.emptyFile()
        defer { try? FileManager.default.removeItem(atPath: script) }
        // Control: no live input → deadlock reported (passes today).
        #expect(try Self.runVireo(["run", "--bios", bin, "--console-input", script], timeout: 20) == 125)
        // stdin = /dev/null: today the run never ends (killed after 10 s → nil).
        #expect(try Self.runVireo(["run", "--bios", bin], timeout: 10) == 125)
        // stdin = a pipe holding a byte the guest never reads: same.
        #expect(try Self.runVireo(["run", "--bios", bin], stdin: Data("x".utf8), timeout: 10) == 125)
    }

    /// Same root cause, interactive side: Ctrl-A x is only seen when the guest drains the
    /// UART, so a guest that never reads the console (or whose RX FIFO is full) cannot be quit.
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
