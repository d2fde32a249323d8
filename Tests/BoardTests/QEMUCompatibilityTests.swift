import Foundation
import Testing
import TestSupport

/// Software written for QEMU virt runs unchanged (issue 15, item 3; docs/qemu-compatibility.md):
/// the teaching-OS-style kernel (Tests/teaching-os, built by tools/build/teaching-os.sh) gives
/// the same transcript on QEMU 7.2 and on the board, and `--spec-strict` brings back the
/// spec's behaviour that such a kernel does not survive.
@Suite(.serialized) struct QEMUCompatibilityTests {
    static let kernel = Repo.riscvOut.appendingPathComponent("teaching-os/kernel.elf").path
    /// What is typed on the console, the same for both.
    static let input = "hello qemu\nls -l\npoweroff\n"

    /// The transcript the kernel prints (the part that does not depend on the disk image's
    /// contents is checked on its own, so a failure says what went wrong).
    static let expected = """
        teaching-os: booting in M-mode on hart 0
        uart: interrupt-driven transmit and receive
        virtio: magic ok, version 2, block device, vendor QEMU
        virtio: features negotiated without VERSION_1, FEATURES_OK kept
        virtio: capacity 2048 sectors
        disk: sector 0: "TEACHING-OS DISK: this is sector 0"
        disk: sector 5: "and this is sector 5"
        disk: sector 9 after the write: "written by teaching-os to sector 9" (matches)
        console: type lines, 'poweroff' ends
        $ hello qemu
        echo: 'hello qemu' (10 bytes)
        $ ls -l
        echo: 'ls -l' (5 bytes)
        $ poweroff
        teaching-os: power off

        """

    /// A fresh 1 MiB image with text in sectors 0 and 5 (the kernel writes sector 9).
    func image() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-tos-\(UUID().uuidString).img").path
        var bytes = [UInt8](repeating: 0, count: 1 << 20)
        bytes.replaceSubrange(0..<34, with: Array("TEACHING-OS DISK: this is sector 0".utf8))
        bytes.replaceSubrange(5 * 512..<(5 * 512 + 20), with: Array("and this is sector 5".utf8))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A console script typing `input` at cycle 1,000,000 (long after the kernel set up its
    /// UART; it waits in WFI for it).
    func script() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-tos-\(UUID().uuidString).txt").path
        let escaped = Self.input.replacingOccurrences(of: "\n", with: "\\n")
        try "1000000 \(escaped)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The board: `vireo run --kernel K --drive file=IMG`, plus `extra`.
    func board(_ extra: [String], maxInstructions: UInt64? = nil) throws -> (Outcome, image: [UInt8]) {
        let img = try image(), input = try script()
        defer {
            try? FileManager.default.removeItem(atPath: img)
            try? FileManager.default.removeItem(atPath: input)
        }
        var args = ["run", "--isa", "rv64gc", "-m", "128M", "--drive", "file=\(img)", "--console-input", input, "--stats"]
        if let maxInstructions { args += ["--max-instructions", String(maxInstructions)] }
        let r = try runCommand(Repo.fastVireo, args + extra + ["--kernel", Self.kernel], timeout: 120)
        return (r, [UInt8](try Data(contentsOf: URL(fileURLWithPath: img))))
    }

    /// Machine external interrupts the hart took (`--stats`).
    func externalInterrupts(_ stats: String) -> Int {
        for line in stats.split(separator: "\n") where line.contains("machine external interrupt") {
            if let n = line.split(separator: " ").compactMap({ Int($0) }).first { return n }
        }
        return 0
    }

    func built() -> Bool {
        FileManager.default.fileExists(atPath: Self.kernel)
    }

    @Test func sameTranscriptOnQEMUAndTheBoard() throws {
        try #require(built(), "build it with tools/build-riscv.sh teaching-os")
        let (r, boardDisk) = try board([])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == Self.expected)
        // The write reached the image.
        #expect(Array(boardDisk[9 * 512..<(9 * 512 + 34)]) == Array("written by teaching-os to sector 9".utf8))
        // Interrupt-driven output: a few interrupts per printed line, not a storm.
        let interrupts = externalInterrupts(r.stderr)
        #expect(interrupts > 50 && interrupts < 2 * r.stdout.utf8.count, "\(interrupts) external interrupts")

        guard let qemu = Repo.executable("qemu-system-riscv64") else { return }  // the board half always runs
        let img = try image()
        let inputFile = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-tos-\(UUID().uuidString).in").path
        try Self.input.write(toFile: inputFile, atomically: true, encoding: .utf8)
        defer {
            try? FileManager.default.removeItem(atPath: img)
            try? FileManager.default.removeItem(atPath: inputFile)
        }
        // QEMU reads its stdin at once: the input comes after a pause, once the kernel has
        // set up its UART (resetting the FIFO would drop what came before).
        let command = "sleep 1; cat '\(inputFile)'"
        let q = try runCommand("/bin/sh", ["-c", "(\(command)) | exec '\(qemu)' -machine virt -bios none -kernel '\(Self.kernel)' "
            + "-m 128M -smp 1 -nographic -global virtio-mmio.force-legacy=false "
            + "-drive file='\(img)',if=none,format=raw,id=x0 -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0"],
            timeout: 60)
        #expect(q.status == 0, "\(q.stderr)")
        #expect(q.stdout == r.stdout, "QEMU and the board differ")
        let qemuImage = [UInt8](try Data(contentsOf: URL(fileURLWithPath: img)))
        #expect(qemuImage == boardDisk, "the disk images differ after the runs")
    }

    @Test func specStrictDrownsTheKernelInTHREmptyInterrupts() throws {
        // With --spec-strict the PLIC's gateway makes the still-high THR-empty line pending
        // again at every completion: the kernel, which never reads IIR, takes interrupt after
        // interrupt and never gets past its banner.
        try #require(built(), "build it with tools/build-riscv.sh teaching-os")
        let limit: UInt64 = 3_000_000
        let (strict, _) = try board(["--spec-strict"], maxInstructions: limit)
        #expect(strict.status == 124, "stopped by --max-instructions: \(strict.stderr)")
        #expect(strict.stdout == "teaching-os: booting in M-mode on hart 0\n")
        let (qemu, _) = try board([])
        let storm = externalInterrupts(strict.stderr), normal = externalInterrupts(qemu.stderr)
        #expect(storm > 20 * normal, "\(storm) external interrupts with --spec-strict, \(normal) without")
    }

    @Test func specStrictVirtioHasTheBoardsVendorID() throws {
        // The virtio side of the option, through the spec-checking driver (Tests/virtio,
        // which negotiates VERSION_1 and so passes in both modes) that prints the VendorID.
        let elf = Repo.riscvOut.appendingPathComponent("virtio/blk-rw.elf").path
        try #require(FileManager.default.fileExists(atPath: elf))
        // The 1 MiB image it expects: sector 0 starts "VIREO-DISK".
        let img = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-disk-\(UUID().uuidString).img").path
        var bytes = [UInt8](repeating: 0, count: 1 << 20)
        bytes.replaceSubrange(0..<10, with: Array("VIREO-DISK".utf8))
        try Data(bytes).write(to: URL(fileURLWithPath: img))
        defer { try? FileManager.default.removeItem(atPath: img) }
        let qemu = try runCommand(Repo.vireo, ["run", "--drive", "file=\(img)", elf])
        #expect(qemu.status == 0, "\(qemu.stdout)")
        #expect(qemu.stdout.contains("VendorID = 0x554d4551"), "\(qemu.stdout)")
        let strict = try runCommand(Repo.vireo, ["run", "--spec-strict", "--drive", "file=\(img)", elf])
        #expect(strict.status == 0, "\(strict.stdout)")
        #expect(strict.stdout.contains("VendorID = 0x4f524956"), "\(strict.stdout)")
    }
}
