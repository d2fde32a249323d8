import ArgumentParser
import Board
import Foundation
import RISCV
import VireoELF

/// What a board boots, QEMU-style: firmware, kernel, command line, initrd and boot modules.
/// Shared by `vireo run` and `vireo dtb` (so the device tree printed is the one a run gets).
struct BootImages: ParsableArguments {
    @Option(help: "M-mode firmware: an ELF or a raw binary loaded at 0x80000000 ('none': no firmware).")
    var bios: String?

    @Option(help: "The kernel: an ELF, or a raw image (e.g. a Linux Image) placed after the firmware.")
    var kernel: String?

    @Option(help: "Kernel command line, written to /chosen/bootargs in the device tree.")
    var append: String?

    @Option(help: "An initial ramdisk, placed in DRAM and named in /chosen/linux,initrd-start/end.")
    var initrd: String?

    @Option(help: "A boot module FILE[,ARGS], placed in DRAM and listed under /chosen (Xen's multiboot binding; the first is the Dom0 kernel). Repeatable.")
    var module: [String] = []

    /// Loads everything into `machine`. `program` is `vireo run`'s positional ELF (a
    /// kernel that must be an ELF, started in M-mode when there is no firmware).
    func boot(_ machine: Machine, program: String? = nil) throws(ELFError) {
        machine.bootargs = append
        let firmwarePath = bios == "none" ? nil : bios
        let firmware = try firmwarePath.map { p throws(ELFError) in try Machine.image(path: p, rawBase: VirtMap.dram) }
        let kernelImage: ELFProgram?
        if let program {
            kernelImage = try ELFProgram.read(path: program)
        } else {
            kernelImage = try kernel.map { p throws(ELFError) in try Machine.image(path: p, rawBase: Machine.kernelBase(after: firmware)) }
        }
        let initrdBlob = try initrd.map { p throws(ELFError) in Machine.Blob(path: p, bytes: try readFile(p)) }
        let moduleBlobs = try module.map { spec throws(ELFError) -> Machine.Blob in
            let parts = spec.split(separator: ",", maxSplits: 1).map(String.init)
            return Machine.Blob(path: parts[0], bytes: try readFile(parts[0]), arguments: parts.count > 1 ? parts[1] : nil)
        }
        try machine.boot(firmware: firmware, kernel: kernelImage, initrd: initrdBlob, modules: moduleBlobs)
    }
}
