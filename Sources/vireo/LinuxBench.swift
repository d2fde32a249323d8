import ArgumentParser
import Board
import BoardCore
import Foundation

/// `vireo bench --linux` (issue 16, item 4): the Linux test kernel (tools/build/linux.sh)
/// boots natively under Debian's OpenSBI `fw_jump` to power-off, on the board and, when
/// qemu-system-riscv64 is installed, on QEMU with the same firmware, kernel, initramfs,
/// command line, memory and hart count. /init's `vireo.test=fp` mode prints one line and
/// powers off right after boot, so the figure is the boot itself.
///
/// Wall time is the best of `runs`. `board s` is measured in this process from building the
/// machine (images loaded) to power-off, next to the modeled figures of that run; `process
/// s` is a whole `vireo run` process with the same images, start-up and exit included, as
/// `qemu s` is QEMU's whole process: the ratio compares those two.
enum LinuxBench {
    static let openSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"
    static let append = "console=ttyS0 vireo.test=fp"
    /// What the console shows when the boot got where it should.
    static let done = "reboot: Power down"
    static let memoryMiB: UInt64 = 256

    /// The folder holding Image and initramfs.cpio: $VIREO_RISCV_OUT/linux, else
    /// .build-riscv/linux next to (or above) the executable, else under the current folder.
    static func linuxDir() -> String? {
        let fm = FileManager.default
        func has(_ d: String) -> Bool { fm.fileExists(atPath: d + "/Image") && fm.fileExists(atPath: d + "/initramfs.cpio") }
        if let env = ProcessInfo.processInfo.environment["VIREO_RISCV_OUT"], !env.isEmpty {
            return has(env + "/linux") ? env + "/linux" : nil
        }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = dir.appendingPathComponent(".build-riscv/linux").path
            if has(candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let local = fm.currentDirectoryPath + "/.build-riscv/linux"
        return has(local) ? local : nil
    }

    struct BoardRun {
        var seconds: Double
        var instructions: UInt64
        var cycles: UInt64
        var console: String
        var stop: StopReason
    }

    static func run(runs: Int, harts: Int, jit: Bool, qemu: String?) throws {
        guard let dir = linuxDir() else {
            throw ValidationError("the Linux test kernel is not built (.build-riscv/linux/Image and initramfs.cpio): run tools/build/linux.sh")
        }
        guard FileManager.default.fileExists(atPath: openSBI) else {
            throw ValidationError("\(openSBI) missing: apt-get install opensbi")
        }
        guard harts >= 1 else { throw ValidationError("--harts must be at least 1") }
        let image = dir + "/Image", initrd = dir + "/initramfs.cpio"
        print("Linux boot to power-off: OpenSBI fw_jump + \(image) + initramfs, \"\(append)\", \(harts) hart\(harts == 1 ? "" : "s"), \(memoryMiB) MiB; best of \(max(1, runs))")
        print(jit ? "host JIT: on" : "host JIT: off (interpreter only)")
        var best: BoardRun?
        for _ in 0..<max(1, runs) {
            let r = try boardRun(image: image, initrd: initrd, harts: harts, jit: jit)
            guard r.stop == .exited(0), r.console.contains(done) else {
                throw ValidationError("the board did not power off (\(r.stop)):\n\(r.console.suffix(3000))")
            }
            if best == nil || r.seconds < best!.seconds { best = r }
        }
        let b = best!
        var header = "".padding(toLength: 8, withPad: " ", startingAt: 0) + "instructions".leftPad(14) + "cycles".leftPad(14)
            + "CPI".leftPad(7) + "seconds".leftPad(9) + "MIPS".leftPad(9)
        var line = "board".padding(toLength: 8, withPad: " ", startingAt: 0) + String(b.instructions).leftPad(14)
            + String(b.cycles).leftPad(14) + String(format: "%7.2f", Double(b.cycles) / Double(max(1, b.instructions)))
            + String(format: "%9.3f", b.seconds) + String(format: "%9.0f", Double(b.instructions) / b.seconds / 1e6)
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let boardArgs = ["run", "--harts", "\(harts)", "-m", "\(memoryMiB)M", "--bios", openSBI, "--kernel", image,
                         "--initrd", initrd, "--append", append] + (jit ? [] : ["--no-jit"])
        var process = Double.infinity
        for _ in 0..<max(1, runs) { process = min(process, try processRun(me, boardArgs, what: "vireo run")) }
        header += "process s".leftPad(11)
        line += String(format: "%11.3f", process)
        if let qemu {
            let qemuArgs = ["-M", "virt", "-m", "\(memoryMiB)M", "-smp", "\(harts)", "-nographic",
                            "-bios", openSBI, "-kernel", image, "-initrd", initrd, "-append", append]
            var q = Double.infinity
            for _ in 0..<max(1, runs) { q = min(q, try processRun(qemu, qemuArgs, what: "QEMU")) }
            header += "qemu s".leftPad(9) + "ratio".leftPad(8)
            line += String(format: "%9.3f", q) + String(format: "%7.2fx", process / q)
        }
        if qemu == nil { print("(no QEMU column: qemu-system-riscv64 not on PATH, or --no-qemu)") }
        print(header)
        print(line)
    }

    /// A file the console goes to (a pipe could fill up with nobody reading it).
    static func scratchFile() throws -> (fd: Int32, path: String) {
        var template = Array((NSTemporaryDirectory() + "/vireo-linux-bench.XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ValidationError("mkstemp: \(String(cString: strerror(errno)))") }
        return (fd, String(cString: template))
    }

    static func boardRun(image: String, initrd: String, harts: Int, jit: Bool) throws -> BoardRun {
        let (fd, path) = try scratchFile()
        defer { close(fd); unlink(path) }
        let t0 = DispatchTime.now().uptimeNanoseconds
        var config = BoardConfig()
        config.jit = jit
        config.harts = harts
        config.memoryBytes = memoryMiB << 20
        let machine = Machine(config: config, uart: UART16550(outputFD: fd, inputFD: -1))
        var images = try BootImages.parse([])
        images.bios = openSBI
        images.kernel = image
        images.initrd = initrd
        images.append = append
        do {
            try images.boot(machine)
        } catch {
            throw ValidationError(error.description)
        }
        let stop = machine.run(maxInstructions: 2_000_000_000)
        machine.bus.uart.flush()
        let s = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let console = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return BoardRun(seconds: s, instructions: machine.harts.reduce(0) { $0 + $1.instret },
                        cycles: machine.harts.map(\.cycles).max() ?? 0, console: console, stop: stop)
    }

    /// One boot in a process of its own (`vireo run` or QEMU), timed from its start to its
    /// exit; fails unless it powered off.
    static func processRun(_ executable: String, _ arguments: [String], what: String) throws -> Double {
        let (fd, path) = try scratchFile()
        defer { close(fd); unlink(path) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.standardOutput = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        p.standardError = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        p.standardInput = FileHandle.nullDevice
        let t0 = DispatchTime.now().uptimeNanoseconds
        try p.run()
        let deadline = t0 + 120_000_000_000
        while p.isRunning {
            if DispatchTime.now().uptimeNanoseconds > deadline { p.terminate(); break }
            usleep(1000)
        }
        p.waitUntilExit()
        let s = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        let console = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        guard console.contains(done) else {
            throw ValidationError("\(what) did not power off:\n\(console.suffix(3000))")
        }
        return s
    }
}
