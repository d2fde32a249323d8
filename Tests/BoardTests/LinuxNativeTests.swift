import Foundation
import Testing
import TestSupport

/// Stock software as a new user brings it (issue 15 item 1): Debian's OpenSBI `fw_jump` and
/// the Linux test kernel, with no `--isa`. The test /init runs one double-precision
/// computation in user mode (`vireo.test=fp`), the first thing a stock userland built for
/// rv64gc does; on an rv64imac hart it dies of SIGILL and the kernel panics, which is what
/// `vireo run` without flags did before the default became QEMU's CPU.
@Suite struct LinuxNativeTests {
    static let linux = HypervisorLinuxTests.self
    static let fwJump = ReferenceTests.opensbi + "/fw_jump.elf"
    static let ready = linux.built && ReferenceTests.haveOpenSBI

    static func boot(_ extra: [String]) throws -> Outcome {
        try runCommand(Repo.fastVireo, ["run"] + extra + ["--bios", fwJump, "--kernel", linux.image, "--initrd", linux.initramfs,
                                                "--append", "console=ttyS0 vireo.test=fp",
                                                "--max-instructions", "60000000"], timeout: 120)
    }

    @Test(.enabled(if: ready, "the Linux test kernel or OpenSBI is missing (tools/test.sh builds and installs them)"))
    func stockUserlandRunsWithoutFlags() throws {
        let r = try Self.boot([])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("Boot HART Base ISA        : rv64imafdch"), "\(r.stdout)")
        #expect(r.stdout.contains("vireo-init: fp 3/8 + 3/8 = 0x3fe8000000000000"), "\(r.stdout)")
        #expect(r.stdout.contains("reboot: Power down"))
    }

    @Test(.enabled(if: ready, "the Linux test kernel or OpenSBI is missing (tools/test.sh builds and installs them)"))
    func withoutFDInitDiesOfSIGILL() throws {
        let r = try Self.boot(["--isa", "rv64imac_sstc"])
        #expect(!r.stdout.contains("vireo-init: fp"), "\(r.stdout)")
        #expect(r.stdout.contains("Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000004"), "\(r.stdout)")
        #expect(r.status == 124, "the panicked kernel spins until the instruction limit: \(r.stderr)")
    }
}
