import ArgumentParser
import Board
import Foundation
import VireoELF

/// `vireo boot`: the default stack — the Vireo hypervisor firmware in M-mode with guest
/// kernels as boot modules (DESIGN §2 `--module`, §3). Same as `vireo run --bios FW
/// --module G1 --module G2 …` with the firmware's ISA default (rv64gc_h_sstc, QEMU's CPU).
struct Boot: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Boot the Vireo hypervisor firmware with guest kernels (the default stack).",
        discussion: """
        Without --firmware and --guest it boots what tools/build-riscv.sh built into
        .build-riscv/ (found next to the vireo binary's package, or in the current directory,
        or in $VIREO_RISCV_OUT): the firmware with Dom0 (guests/dom0, the control domain and
        its shell) and, as its first disk, the archive of sample guests and configurations
        (.build-riscv/dom0/guests.tar, read-only); further --drive archives become Dom0's
        next disks, and last, when the Linux test kernel is built, .build-riscv/dom0/linux.tar
        (writable: `create linux.cfg` boots Linux with its disk). The process exits with the firmware's code: 0 when Dom0 shuts down
        normally (`halt`), 1 when it fails, 2 for bad flags or images.
        """
    )

    @Option(help: "The hypervisor firmware ELF (default: .build-riscv/firmware/vireo-fw.elf).")
    var firmware: String?

    @Option(name: .customLong("guest"), help: """
        A guest kernel FILE[,ARGS] (an ELF or a Linux Image; a FILE,ramdisk module right after \
        a kernel is its initrd) given to the firmware as a boot module; the first is \
        Dom0. ARGS become the guest's /chosen/bootargs; the firmware also reads mem=SIZE (default \
        32M), vcpus=N and name=NAME there. Repeatable.
        """)
    var guests: [String] = []

    @Option(help: "The firmware's own command line (the board's /chosen/bootargs).")
    var append: String?

    @OptionGroup var board: BoardOptions

    @OptionGroup var control: RunControl

    func run() throws {
        let out = try Boot.artefacts()
        let fw = firmware ?? out.map { $0 + "/firmware/vireo-fw.elf" } ?? ""
        guard FileManager.default.fileExists(atPath: fw) else {
            throw ValidationError(firmware == nil
                ? "no firmware built: run tools/build-riscv.sh firmware guests (or give --firmware)"
                : "--firmware \(fw): no such file")
        }
        var modules = guests
        var boardOptions = board
        if modules.isEmpty {
            guard let out, FileManager.default.fileExists(atPath: out + "/guests/dom0.elf"),
                  FileManager.default.fileExists(atPath: out + "/dom0/guests.tar") else {
                throw ValidationError("no Dom0 built: run tools/build-riscv.sh guests dom0disk (or give --guest)")
            }
            modules = [out + "/guests/dom0.elf," + Boot.dom0Arguments]
            boardOptions.drive.insert("file=" + out + "/dom0/guests.tar,readonly", at: 0)
            // The Linux guest's archive (tools/build/dom0disk.sh), last and writable: its
            // disk image is served to the guest by Dom0.
            if FileManager.default.fileExists(atPath: out + "/dom0/linux.tar"), boardOptions.drive.count < 8 {
                boardOptions.drive.append("file=" + out + "/dom0/linux.tar")
            }
        }
        var images = try BootImages.parse([])
        images.bios = fw
        images.module = modules
        images.append = append
        try control.execute(defaultISA: Machine.fullISA, board: boardOptions) { machine throws(ELFError) in
            try images.boot(machine)
        }
    }

    /// Dom0's module arguments in the default stack: the physical devices and RAM mapped
    /// 1:1 (`direct`) and 64 MiB of RAM.
    static let dom0Arguments = "name=dom0 direct mem=64M"

    /// The folder tools/build-riscv.sh writes: $VIREO_RISCV_OUT, else `.build-riscv` in the
    /// package that holds this binary (…/.build/<config>/vireo), else in the current folder.
    static func artefacts() throws -> String? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["VIREO_RISCV_OUT"], !env.isEmpty { return env }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = dir.appendingPathComponent(".build-riscv").path
            if fm.fileExists(atPath: candidate + "/firmware") { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let local = fm.currentDirectoryPath + "/.build-riscv"
        return fm.fileExists(atPath: local) ? local : nil
    }
}
