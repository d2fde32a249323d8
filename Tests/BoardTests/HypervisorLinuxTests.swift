import Foundation
import Testing
import TestSupport

/// Unmodified Linux as a guest (Hypervisor IV): the test kernel from Debian's
/// linux-source-6.1 and our own /init (tools/build/linux.sh), booted as a boot module and
/// from Dom0's shell, on the virtual PLIC, UART and virtio disks. /init with
/// `vireo.test=disk` mounts /dev/vda (ext2), prints hello.txt's first line, writes out.txt,
/// says whether /dev/vdb exists and powers off; without it, it runs a small shell.
@Suite struct HypervisorLinuxTests {
    typealias Dom0 = HypervisorDom0Tests
    static let dir = Repo.riscvOut.appendingPathComponent("linux")
    static let image = dir.appendingPathComponent("Image").path
    static let initramfs = dir.appendingPathComponent("initramfs.cpio").path
    static let built = Dom0.built && FileManager.default.fileExists(atPath: image)
        && FileManager.default.fileExists(atPath: initramfs)
    static let tools = executableOnPath("mke2fs") != nil && executableOnPath("debugfs") != nil && executableOnPath("tar") != nil
    static let ready = built && tools

    /// Linux with 2 vCPUs as the first module on 2 harts, its shell on `console`, typed
    /// uname, nproc, cat /proc/cmdline and poweroff; the outcome and its output without
    /// carriage returns.
    static func bootShell(console: String, firmwareOptions: String) throws -> (Outcome, String) {
        let d = try scratch()
        defer { try? FileManager.default.removeItem(at: d) }
        let script = d.appendingPathComponent("input.txt")
        try "150000000 uname\\n\n200000000 nproc\\n\n250000000 cat /proc/cmdline\\n\n300000000 poweroff\\n\n"
            .write(to: script, atomically: true, encoding: .utf8)
        let r = try runCommand(Repo.fastVireo, ["boot", "--harts", "2", "--console-input", script.path, "--append", firmwareOptions,
                                                "--guest", image + ",console=\(console) mem=128M name=linux vcpus=2",
                                                "--guest", initramfs + ",ramdisk", "--max-instructions", "3000000000"],
                               timeout: 300)
        return (r, r.stdout.replacingOccurrences(of: "\r", with: ""))
    }

    /// A scratch folder for one test's archive and images.
    static func scratch() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-linux-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// A 4 MiB ext2 image holding hello.txt = `hello`.
    static func disk(_ name: String, hello: String, in d: URL) throws {
        let content = d.appendingPathComponent("content-\(name)")
        try FileManager.default.createDirectory(at: content, withIntermediateDirectories: true)
        try (hello + "\n").write(to: content.appendingPathComponent("hello.txt"), atomically: true, encoding: .utf8)
        let r = try runCommand(executableOnPath("mke2fs")!, ["-q", "-F", "-t", "ext2", "-b", "1024", "-d", content.path,
                                                             d.appendingPathComponent(name).path, "4M"])
        #expect(r.status == 0, "mke2fs: \(r.stderr)")
    }

    /// A writable GNU tar archive of `files` (in `d`), with the kernel and initramfs.
    static func archive(_ files: [String], in d: URL) throws -> String {
        for (src, name) in [(image, "Image"), (initramfs, "initramfs.cpio")] {
            try FileManager.default.copyItem(atPath: src, toPath: d.appendingPathComponent(name).path)
        }
        let tar = d.appendingPathComponent("linux.tar").path
        let r = try runCommand(executableOnPath("tar")!, ["--format=gnu", "-C", d.path, "-cf", tar, "Image", "initramfs.cpio"] + files)
        #expect(r.status == 0, "tar: \(r.stderr)")
        return tar
    }

    /// A file of an ext2 image inside the archive, read back on the host (debugfs).
    static func fileInImage(_ member: String, _ path: String, archive: String, in d: URL) throws -> String {
        let out = d.appendingPathComponent("extracted-\(member)")
        let x = try runCommand(executableOnPath("tar")!, ["-C", d.path, "-xf", archive, "--transform", "s/.*/extracted-\(member)/", member])
        #expect(x.status == 0, "tar -x: \(x.stderr)")
        let r = try runCommand(executableOnPath("debugfs")!, ["-R", "cat \(path)", out.path])
        return r.stdout
    }

    static func config(name: String, vcpus: Int, memory: Int = 64, extra: String, disks: [String]) -> String {
        """
        name = "\(name)"
        kernel = "Image"
        ramdisk = "initramfs.cpio"
        extra = "\(extra)"
        memory = \(memory)
        vcpus = \(vcpus)
        disk = [ \(disks.map { "'\($0)'" }.joined(separator: ", ")) ]
        on_poweroff = "preserve"

        """
    }

    /// The lines of a guest's console as `console NAME` showed them (the backlog).
    static func consoleLines(_ name: String, _ lines: [String], occurrence: Int = 0) -> [String] {
        Dom0.output(of: "console \(name)", in: lines, occurrence: occurrence)
    }

    // MARK: Boot module

    /// Linux as the first boot module (domain 0, the physical console), 2 vCPUs on 2 harts:
    /// the Image placed from its header, the initramfs named in /chosen, the PLIC, UART
    /// interrupts (typed input wakes it) and HSM bringing up the second vCPU; the shell on
    /// ttyS0 or on hvc0 (the SBI console).
    @Test(.enabled(if: built, "the Linux test kernel is not built (tools/build/linux.sh)"), arguments: ["ttyS0", "hvc0"])
    func linuxAsTheFirstModule(_ console: String) throws {
        let (r, out) = try Self.bootShell(console: console, firmwareOptions: "vireo.stats")
        #expect(r.status == 0, "\(out.suffix(3000))")
        #expect(out.contains("vireo: domain 0 (linux): 128 MiB at "))
        #expect(out.contains("2 vCPUs, Linux Image at 0x80200000"))
        #expect(out.contains("vireo-init: started on 2 cpus"), "\(out.suffix(3000))")
        #expect(out.contains("# uname\nLinux 6.1."))
        #expect(out.contains("# nproc\n2\n"))
        #expect(out.contains("# cat /proc/cmdline\nconsole=\(console) mem=128M name=linux vcpus=2\n"))
        #expect(out.contains("vireo-init: powering off"))
        #expect(out.contains("vireo: domain 0 (linux) shut down\n"), "\(out.suffix(500))")
        // Its two vCPUs ran on both harts (the firmware's per-hart statistics).
        for hart in 0..<2 {
            let line = out.split(separator: "\n").first { $0.hasPrefix("vireo: stats: hart \(hart): guests ") }
            let percent = line.flatMap { Double($0.split(separator: " ")[5].dropLast()) } ?? 0
            #expect(percent > 0, "hart \(hart): \(line ?? "no stats")")
        }
        if console == "ttyS0" {
            #expect(out.contains("plic: plic@c000000: mapped 95 interrupts with 2 handlers for 4 contexts."))
            #expect(out.contains("10000000.serial: ttyS0 at MMIO 0x10000000 (irq = 1, base_baud = 230400) is a 16550A"))
            #expect(out.contains("smp: Brought up 1 node, 2 CPUs"))
            #expect(out.contains("riscv-timer: Timer interrupt in S-mode is available via sstc extension"))
        }
    }

    /// The stretch of issue 17: unmodified Linux in shadow mode, its kernel in real U-mode.
    /// It finds the virtual S-mode's Sstc and 16 ASID bits, brings up its second vCPU, and
    /// its shell works; the firmware filled shadows from its page tables, trapped its
    /// page-table stores (AMOs among them) and invalidated only what they changed.
    @Test(.enabled(if: built, "the Linux test kernel is not built (tools/build/linux.sh)"))
    func linuxInShadowMode() throws {
        let (r, out) = try Self.bootShell(console: "ttyS0", firmwareOptions: "vireo.stats vireo.mmu=shadow")
        #expect(r.status == 0, "\(out.suffix(3000))")
        #expect(out.contains("riscv-timer: Timer interrupt in S-mode is available via sstc extension"))
        #expect(out.contains("ASID allocator using 16 bits (65536 entries)"))
        #expect(out.contains("smp: Brought up 1 node, 2 CPUs"))
        #expect(out.contains("vireo-init: started on 2 cpus"), "\(out.suffix(3000))")
        #expect(out.contains("# nproc\n2\n"))
        #expect(out.contains("# cat /proc/cmdline\nconsole=ttyS0 mem=128M name=linux vcpus=2\n"))
        #expect(out.contains("vireo: domain 0 (linux) shut down\n"), "\(out.suffix(500))")
        let exits = out.split(separator: "\n").first { $0.hasPrefix("vireo: stats:   exits: ") } ?? ""
        #expect(exits.contains("illegal instruction") && exits.contains("ecall from U") && !exits.contains("from VS"), "\(exits)")
        let shadow = (out.split(separator: "\n").first { $0.hasPrefix("vireo: stats:   shadow: ") } ?? "").split(separator: " ")
        func number(before word: String) -> Int { shadow.firstIndex { $0 == word }.flatMap { Int(shadow[$0 - 1]) } ?? -1 }
        #expect(number(before: "pages") > 1000 && number(before: "page-table") > 100 && number(before: "regions") > 100, "\(shadow)")
    }

    // MARK: From Dom0's shell

    /// `create linux.cfg` in Dom0 with 1 and 2 vCPUs: Linux boots, mounts its disk (served by
    /// Dom0 from an image in an archive on Dom0's writable drive), reads it, writes out.txt
    /// and powers off; the write is in the image afterwards. `list` answers while it boots.
    /// The last case runs the whole stack in shadow mode (issue 17): Dom0 and Linux, its
    /// kernel in real U-mode on shadow tables.
    @Test(.enabled(if: ready, "the Linux test kernel, mke2fs/debugfs or tar missing"),
          arguments: zip([1, 2, 2], [false, false, true]))
    func linuxFromDom0WritesItsDisk(_ vcpus: Int, _ shadow: Bool) throws {
        let d = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: d) }
        try Self.disk("disk.img", hello: "the disk of linux", in: d)
        try Self.config(name: "linux", vcpus: vcpus, extra: "console=ttyS0 vireo.test=disk", disks: ["disk.img,vda,w"])
            .write(to: d.appendingPathComponent("linux.cfg"), atomically: true, encoding: .utf8)
        let tar = try Self.archive(["disk.img", "linux.cfg"], in: d)
        let r = try Dom0.session([(20, "create linux.cfg\r"), (21, "list\r"), (22, "console linux\r"), (400, "\u{1D}"),
                                  (410, "list\r"), (420, "info linux\r"), (430, "stats\r"), (440, "halt\r")],
                                 extra: ["--harts", "2", "--drive", "file=" + tar] + (shadow ? Dom0.shadow : []))
        let lines = Dom0.lines(r)
        #expect(r.status == 0, "\(r.stdout.suffix(3000))")
        #expect(lines.contains("dom0: vdb: archive with 4 files"))
        #expect(lines.contains("dom0: created domain 1 (linux)"))
        // Dom0 answered while Linux booted.
        let during = Dom0.listNames(Dom0.output(of: "list", in: lines))
        #expect(during == ["dom0", "linux"])
        let console = Self.consoleLines("linux", lines)
        #expect(console.contains { $0.contains("virtio_blk virtio0: [vda] 8192 512-byte logical blocks") }, "\(console)")
        #expect(console.contains("vireo-init: started on \(vcpus) cpus"))
        #expect(console.contains("vireo-init: read: the disk of linux"))
        #expect(console.contains("vireo-init: wrote out.txt"))
        #expect(console.contains("vireo-init: no vdb"))
        #expect(console.contains("vireo-init: powering off"))
        let after = Dom0.output(of: "list", in: lines, occurrence: 1)
        #expect(after.contains { $0.hasPrefix("linux ") && $0.contains("---s--") }, "\(after)")
        let info = Dom0.output(of: "info linux", in: lines)
        #expect(info.contains { $0.contains("shut down") }, "\(info)")
        // The guest's fsync reached Dom0's physical disk as FLUSH (the board fsyncs the file).
        let disks = Dom0.output(of: "stats", in: lines).first { $0.hasPrefix("guest disks: ") } ?? ""
        let flushes = disks.split(separator: " ").firstIndex(of: "flushes").flatMap { Int(disks.split(separator: " ")[$0 - 1]) } ?? 0
        #expect(flushes >= 1, "\(disks)")
        #expect(disks.contains("(0 with an error)"), "\(disks)")
        #expect(try Self.fileInImage("disk.img", "/out.txt", archive: tar, in: d) == "written by linux on \(vcpus) cpus\n")
    }

    /// Two Linux guests at once beside a Swift guest, each with its own disk: each reads its
    /// own hello.txt, sees no second disk, and writes its own image; the Swift guest runs on.
    @Test(.enabled(if: ready, "the Linux test kernel, mke2fs/debugfs or tar missing"))
    func twoLinuxGuestsEachWithItsOwnDisk() throws {
        let d = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: d) }
        try Self.disk("a.img", hello: "disk A", in: d)
        try Self.disk("b.img", hello: "disk B", in: d)
        try Self.config(name: "linux-a", vcpus: 2, memory: 48, extra: "console=ttyS0 vireo.test=disk", disks: ["a.img,vda,w"])
            .write(to: d.appendingPathComponent("a.cfg"), atomically: true, encoding: .utf8)
        try Self.config(name: "linux-b", vcpus: 1, memory: 48, extra: "console=hvc0 vireo.test=disk", disks: ["b.img,vda,w"])
            .write(to: d.appendingPathComponent("b.cfg"), atomically: true, encoding: .utf8)
        let tar = try Self.archive(["a.img", "b.img", "a.cfg", "b.cfg"], in: d)
        let r = try Dom0.session([(20, "create a.cfg\r"), (21, "create b.cfg\r"), (22, "create ticker.cfg\r"), (23, "list\r"),
                                  (600, "console linux-a\r"), (700, "\u{1D}"), (720, "console linux-b\r"), (820, "\u{1D}"),
                                  (1800, "list\r"), (1810, "halt\r")],
                                 extra: ["--harts", "4", "--drive", "file=" + tar])
        let lines = Dom0.lines(r)
        #expect(r.status == 0, "\(r.stdout.suffix(3000))")
        #expect(Dom0.listNames(Dom0.output(of: "list", in: lines)) == ["dom0", "linux-a", "linux-b", "ticker"])
        let a = Self.consoleLines("linux-a", lines), b = Self.consoleLines("linux-b", lines)
        #expect(a.contains("vireo-init: started on 2 cpus"), "\(a)")
        #expect(a.contains("vireo-init: read: disk A"))
        #expect(b.contains("vireo-init: started on 1 cpus"), "\(b)")
        #expect(b.contains("vireo-init: read: disk B"))
        for c in [a, b] {
            #expect(c.contains("vireo-init: wrote out.txt"))
            #expect(c.contains("vireo-init: no vdb"))
        }
        #expect(Dom0.listNames(Dom0.output(of: "list", in: lines, occurrence: 1)) == ["dom0", "linux-a", "linux-b"],
                "the Swift guest ran to its end beside them (and was destroyed at power-off)")
        #expect(try Self.fileInImage("a.img", "/out.txt", archive: tar, in: d) == "written by linux on 2 cpus\n")
        #expect(try Self.fileInImage("b.img", "/out.txt", archive: tar, in: d) == "written by linux on 1 cpus\n")
    }

    /// A Linux guest with a shell prompt (no test on its command line): typed commands
    /// through `console linux` run on ttyS0 (and on hvc0 in the second guest); `destroy linux` frees its memory (it took more
    /// than half of what is free, so a second one fits only then) and creating it again works.
    @Test(.enabled(if: ready, "the Linux test kernel, mke2fs/debugfs or tar missing"))
    func shellDestroyAndCreateAgain() throws {
        let d = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: d) }
        try Self.disk("disk.img", hello: "shell disk", in: d)
        try Self.disk("disk2.img", hello: "second disk", in: d)
        try Self.config(name: "linux", vcpus: 1, memory: 112, extra: "console=ttyS0", disks: ["disk.img,vda,w"])
            .write(to: d.appendingPathComponent("linux.cfg"), atomically: true, encoding: .utf8)
        let tar = try Self.archive(["disk.img", "disk2.img", "linux.cfg"], in: d)
        // The second one's console is hvc0 (the SBI console): the shell works there too.
        let second = "create linux.cfg name=second disk=\"['disk2.img,vda,w']\" extra=\"console=hvc0\""
        let r = try Dom0.session([(20, "create linux.cfg\r"), (90, "create linux.cfg name=third\r"), (100, second + "\r"),
                                  (110, "console linux\r"),
                                  (150, "uname\r"), (200, "mount /dev/vda /mnt\r"), (250, "cat /mnt/hello.txt\r"), (300, "\u{1D}"),
                                  (310, "destroy linux\r"), (320, second + "\r"), (330, "console second\r"),
                                  (500, "nproc\r"), (550, "poweroff\r"), (700, "\u{1D}"), (710, "list\r"), (720, "halt\r")],
                                 extra: ["--drive", "file=" + tar])
        let lines = Dom0.lines(r)
        #expect(r.status == 0, "\(r.stdout.suffix(3000))")
        // 64 MiB Dom0 + 112 MiB leave 80 MiB of the board's 256: no room for a second one.
        #expect(Dom0.output(of: second, in: lines).contains { $0.contains("not enough memory for 112 MiB") },
                "\(Dom0.output(of: second, in: lines))")
        // A writable image serves one domain at a time.
        #expect(Dom0.output(of: "create linux.cfg name=third", in: lines) == ["error: disk 'disk.img' is in use by domain 1"])
        let first = Self.consoleLines("linux", lines)
        #expect(first.contains("vireo-init: shell on /dev/console (type help)"), "\(first)")
        #expect(first.contains { $0.hasPrefix("Linux 6.1.") && $0.hasSuffix(" riscv64") })
        #expect(first.contains("shell disk"))
        #expect(Dom0.output(of: second, in: lines, occurrence: 1).contains("dom0: created domain 2 (second)"))
        let secondConsole = Self.consoleLines("second", lines)
        #expect(secondConsole.contains("vireo-init: started on 1 cpus"), "\(secondConsole)")
        #expect(secondConsole.contains("1"))
        #expect(secondConsole.contains("vireo-init: powering off"))
        #expect(Dom0.listNames(Dom0.output(of: "list", in: lines, occurrence: 0)) == ["dom0", "second"])
    }

    /// Kernels that cannot boot get a clear message and leave nothing behind.
    @Test(.enabled(if: ready, "the Linux test kernel, mke2fs/debugfs or tar missing"))
    func badKernelsAreRefused() throws {
        let d = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: d) }
        try Self.config(name: "linux", vcpus: 1, extra: "console=ttyS0", disks: [])
            .replacingOccurrences(of: "disk = [  ]\n", with: "")
            .write(to: d.appendingPathComponent("linux.cfg"), atomically: true, encoding: .utf8)
        let tar = try Self.archive(["linux.cfg"], in: d)
        let r = try Dom0.session([(20, "create linux.cfg memory=2\r"), (25, "create linux.cfg kernel=initramfs.cpio\r"),
                                  (30, "create linux.cfg ramdisk=Image memory=4\r"), (35, "list\r"), (40, "halt\r")],
                                 extra: ["--drive", "file=" + tar])
        let lines = Dom0.lines(r)
        #expect(r.status == 0)
        let small = Dom0.output(of: "create linux.cfg memory=2", in: lines)
        #expect(small.contains { $0.contains("the kernel needs 5 MiB of RAM from its start, the guest has 2 MiB") }, "\(small)")
        let junk = Dom0.output(of: "create linux.cfg kernel=initramfs.cpio", in: lines)
        #expect(junk.contains("error: initramfs.cpio is neither a RISC-V Linux Image nor an ELF executable"), "\(junk)")
        let rd = Dom0.output(of: "create linux.cfg ramdisk=Image memory=4", in: lines)
        #expect(rd.contains { $0.contains("error") }, "\(rd)")
        #expect(Dom0.listNames(Dom0.output(of: "list", in: lines)) == ["dom0"])
    }
}
