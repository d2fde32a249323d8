import Board
import BoardCore
import Foundation
import Testing
import VireoELF

/// Checks against third-party tools: dtc reads our device tree; QEMU's virt machine prints
/// the same console output for the same bare-metal programs (skipped without QEMU).
@Suite struct ReferenceTests {
    static let dtc = Repo.executable("dtc")
    static let opensbi = "/usr/lib/riscv64-linux-gnu/opensbi/generic"
    static let haveOpenSBI = FileManager.default.fileExists(atPath: opensbi + "/fw_jump.elf")
    static let qemu = Repo.executable("qemu-system-riscv64")

    @Test(.enabled(if: dtc != nil, "dtc not installed (tools/setup.sh --test installs it)"))
    func deviceTreeDecompilesWithDTC() throws {
        let blob = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-\(getpid()).dtb").path
        let shell = try runCommand("/bin/sh", ["-c", "\"$0\" dtb --memory 512M > \"$1\"", Repo.vireo, blob])
        #expect(shell.status == 0, "\(shell.stderr)")
        let raw = Machine(config: { var c = BoardConfig(); c.memoryBytes = 512 << 20; return c }()).deviceTreeBlob()
        #expect(try Data(contentsOf: URL(fileURLWithPath: blob)) == Data(raw))
        let r = try runCommand(Self.dtc!, ["-I", "dtb", "-O", "dts", blob])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("ERROR"), "\(r.stderr)")
        for needle in ["memory@80000000", "reg = <0x00 0x80000000 0x00 0x20000000>", "riscv,isa = \"\(Machine.isaString(BoardConfig()))\"", "riscv,isa = \"rv64imafdch_",
                       "timebase-frequency = <0x989680>", "serial@10000000", "clint@2000000", "test@100000", "plic@c000000", "riscv,ndev = <0x5f>", "interrupts = <0x0a>",
                       "stdout-path = \"/soc/serial@10000000\""] {
            #expect(r.stdout.contains(needle), "missing \(needle) in\n\(r.stdout)")
        }
    }

    /// The DTB the board hands over in a1 is the one `vireo dtb` prints.
    @Test func dtbIsPlacedInDRAMAndPassedInA1() throws {
        let m = Machine(uart: UART16550(outputFD: -1, inputFD: -1))
        try m.load(path: Repo.programs.appendingPathComponent("rv64i.elf").path)
        _ = m.step(); _ = m.step(); _ = m.step(); _ = m.step()  // through `ld a1, 32(t0)`
        #expect(m.hart.register(11) == m.dtbAddress)
        let blob = m.deviceTreeBlob()
        #expect(m.bus.readMemory(m.dtbAddress, count: blob.count) == blob)
        #expect(m.dtbAddress >= 0x8000_0000 && m.dtbAddress + UInt64(blob.count) <= 0x8000_0000 + (256 << 20))
    }

    /// Every conformance program prints the same console output on QEMU virt (-bios none)
    /// and on the board (HTIF-only programs excluded: QEMU virt has no HTIF).
    @Test(.enabled(if: qemu != nil, "qemu-system-riscv64 not installed"),
          arguments: ConformanceSuiteTests.expected.filter { $0 != "htif" })
    func sameConsoleAsQEMU(_ name: String) throws {
        let elf = Repo.programs.appendingPathComponent("\(name).elf").path
        let q = try runCommand(Self.qemu!, ["-machine", "virt", "-m", "256M", "-bios", "none", "-nographic",
                                       "-monitor", "none", "-serial", "stdio", "-kernel", elf], timeout: 30)
        let v = try runCommand(Repo.vireo, ["run", elf])
        #expect(q.status == v.status, "exit status: qemu \(q.status), vireo \(v.status)")
        #expect(q.stdout.replacingOccurrences(of: "\r\n", with: "\n") == v.stdout)
    }

    /// The Embedded Swift demo prints the same lines on both, apart from the measured figures;
    /// both with their default CPUs, so misa ("ISA: rv64imafdchsu") agrees by default
    /// (issue 15 item 1).
    @Test(.enabled(if: qemu != nil, "qemu-system-riscv64 not installed"))
    func demoMatchesQEMU() throws {
        let q = try runCommand(Self.qemu!, ["-machine", "virt", "-m", "256M",
                                       "-bios", "none", "-nographic", "-monitor", "none", "-serial", "stdio",
                                       "-kernel", Repo.demo], timeout: 30)
        let v = try runCommand(Repo.vireo, ["run", Repo.demo])
        #expect(q.status == 0 && v.status == 0)
        func shape(_ s: String) -> [String] {
            s.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").map { line in
                line.replacingOccurrences(of: "[0-9]+", with: "#", options: .regularExpression)
            }
        }
        #expect(shape(q.stdout) == shape(v.stdout), "qemu:\n\(q.stdout)\nvireo:\n\(v.stdout)")
    }

    /// Debian's OpenSBI (generic platform) boots on the board, finds its devices in our device
    /// tree, and hands over to an S-mode payload that prints through SBI and powers off
    /// through SBI SRST: fw_jump as an ELF, fw_dynamic as a raw binary reading the boot ROM's
    /// fw_dynamic info.
    @Test(.enabled(if: haveOpenSBI, "opensbi not installed (tools/setup.sh --test installs it)"),
          arguments: ["fw_jump.elf", "fw_dynamic.bin"])
    func openSBIBootsPayload(_ firmware: String) throws {
        let payload = Repo.riscvOut.appendingPathComponent("payloads/sbi-hello.elf").path
        let r = try runCommand(Repo.vireo, ["run", "--bios", "\(Self.opensbi)/\(firmware)", "--kernel", payload,
                                            "--max-instructions", "200000000"], timeout: 120)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        for line in ["OpenSBI v", "Platform Name             : riscv-virtio,qemu",
                     "Platform Timer Device     : aclint-mtimer @ 10000000Hz",
                     "Platform Console Device   : uart8250", "Platform Shutdown Device  : sifive_test",
                     "Boot HART Base ISA        : rv64imafdch", "Boot HART ISA Extensions  : time,sstc", "Boot HART PMP Count       : 16",
                     "Boot HART MHPM Count      : 16",
                     "Domain0 Next Address      : 0x0000000080200000", "Domain0 Next Mode         : S-mode",
                     "vireo payload: hello from S-mode", "vireo payload: hart 0",
                     "vireo payload: a1 points at a device tree"] {
            #expect(r.stdout.contains(line), "missing '\(line)' in\n\(r.stdout)")
        }
    }

    /// With --isa rv64imac_sstc, OpenSBI finds Sstc by probing stimecmp.
    @Test(.enabled(if: haveOpenSBI, "opensbi not installed"))
    func openSBIDetectsSstc() throws {
        let payload = Repo.riscvOut.appendingPathComponent("payloads/sbi-hello.elf").path
        let r = try runCommand(Repo.vireo, ["run", "--isa", "rv64imac_sstc", "--bios", "\(Self.opensbi)/fw_jump.elf",
                                            "--kernel", payload], timeout: 120)
        #expect(r.status == 0)
        #expect(r.stdout.contains("Boot HART ISA Extensions  : time,sstc"), "\(r.stdout)")
    }

    @Test func appendBecomesBootargs() throws {
        let m = Machine(uart: UART16550(outputFD: -1, inputFD: -1))
        m.bootargs = "console=ttyS0 earlycon"
        let blob = m.deviceTreeBlob()
        let text = String(decoding: blob, as: UTF8.self)
        #expect(text.contains("console=ttyS0 earlycon"))
        #expect(text.contains("bootargs"))
    }

    @Test func rawKernelGoesAfterFirmwareRoundedTo2MiB() throws {
        let fw = ELFProgram(path: "fw", entry: 0x8000_0000, segments: [
            ELFSegment(physicalAddress: 0x8000_0000, virtualAddress: 0x8000_0000, bytes: [0x6F, 0, 0, 0],
                       memorySize: 0x4_8000, readable: true, writable: true, executable: true)])
        #expect(Machine.kernelBase(after: fw) == 0x8020_0000)
        #expect(Machine.kernelBase(after: nil) == 0x8000_0000)
    }

    /// --initrd and --module: placed in DRAM above the images, named in /chosen as Linux and
    /// Xen expect, and the bytes really are at those addresses.
    @Test(.enabled(if: dtc != nil, "dtc not installed"))
    func initrdAndModulesInChosen() throws {
        let m = Machine(uart: UART16550(outputFD: -1, inputFD: -1))
        let kernel = try ELFProgram.read(path: Repo.programs.appendingPathComponent("rv64i.elf").path)
        try m.boot(firmware: nil, kernel: kernel, initrd: Machine.Blob(path: "rd", bytes: Array("ramdisk!".utf8)),
                   modules: [Machine.Blob(path: "dom0", bytes: Array("dom0 kernel".utf8), arguments: "console=hvc0"),
                             Machine.Blob(path: "guest", bytes: Array("guest".utf8))])
        let rd = try #require(m.initrd)
        #expect(rd.address == 0x8000_0000 + (128 << 20))  // half of 256 MiB, at most 128 MiB in
        #expect(m.modules.map(\.address) == [0x8820_0000, 0x8840_0000])
        #expect(m.bus.readMemory(rd.address, count: 8) == Array("ramdisk!".utf8))
        #expect(m.bus.readMemory(m.modules[0].address, count: 11) == Array("dom0 kernel".utf8))
        let blob = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-chosen-\(getpid()).dtb")
        try Data(m.deviceTreeBlob()).write(to: blob)
        let r = try runCommand(Self.dtc!, ["-I", "dtb", "-O", "dts", blob.path])
        #expect(r.status == 0 && !r.stderr.contains("ERROR"), "\(r.stderr)")
        for needle in ["linux,initrd-start = <0x00 0x88000000>", "linux,initrd-end = <0x00 0x88000008>",
                       "module@88200000", "compatible = \"multiboot,kernel\\0multiboot,module\"",
                       "reg = <0x00 0x88200000 0x00 0x0b>", "bootargs = \"console=hvc0\"", "module@88400000"] {
            #expect(r.stdout.contains(needle), "missing \(needle) in\n\(r.stdout)")
        }
    }
}
