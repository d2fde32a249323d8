import TestSupport
import Board
import FirmwareKit
import Foundation
import Testing

/// Parses `bytes` and runs `body` on the tree while the buffer is alive.
func withFDT<T>(_ bytes: [UInt8], _ body: (FDT) -> T) -> Result<T, FDTError> {
    bytes.withUnsafeBytes { buffer in
        do throws(FDTError) {
            let fdt = try FDT(buffer)
            return .success(body(fdt))
        } catch {
            return .failure(error)
        }
    }
}

/// The error FDT(_:) throws for `bytes`, or nil when it accepts them.
func fdtError(_ bytes: [UInt8]) -> FDTError? {
    if case .failure(let error) = withFDT(bytes, { _ in () }) { return error }
    return nil
}

/// Touches every accessor of every node and property (for the fuzz runs: nothing may trap).
@discardableResult
func exercise(_ fdt: FDT) -> Int {
    var nodes = 0
    fdt.forEachNode { node in
        nodes += 1
        _ = node.name
        _ = node.baseName
        _ = (node.addressCells, node.sizeCells)
        for index in [0, 1, 7, -1, Int.max, Int.min] { _ = node.reg(index) }
        _ = node.isCompatible("ns16550a")
        _ = node.property("reg")
        node.forEachProperty { property in
            _ = property.name
            _ = (property.u32, property.u64, property.string)
            for index in [0, 1, -1, Int.max, Int.min] { _ = property.cell(index) }
            property.forEachString { _ = $0 }
        }
        node.forEachChild { _ = $0.name }
    }
    for path in ["/", "/chosen", "/memory", "/soc/serial", "/cpus/cpu@0/interrupt-controller", "", "x", "//", "/@"] {
        _ = fdt.node(at: path)
    }
    _ = fdt.firstNode(compatible: "virtio,mmio")
    fdt.forEachReservation { _, _ in }
    return nodes
}

/// Hand-assembled blobs, for damage a builder would never produce.
struct RawFDT {
    var structure: [UInt8]
    var strings: [UInt8]
    var reservations: [UInt8] = be64(0) + be64(0)
    var magic: UInt32 = 0xD00D_FEED
    var version: UInt32 = 17
    var lastCompatible: UInt32 = 16
    var totalSize: UInt32? = nil
    var structOffset: UInt32? = nil
    var structSize: UInt32? = nil
    var stringsOffset: UInt32? = nil
    var stringsSize: UInt32? = nil
    var reservationOffset: UInt32? = nil

    static func begin(_ name: String) -> [UInt8] {
        var out = be32(1) + Array(name.utf8) + [0]
        while out.count % 4 != 0 { out.append(0) }
        return out
    }
    static let end = be32(2)
    static let nop = be32(4)
    static let fdtEnd = be32(9)
    static func prop(_ nameOffset: UInt32, _ value: [UInt8], length: UInt32? = nil) -> [UInt8] {
        var out = be32(3) + be32(length ?? UInt32(value.count)) + be32(nameOffset) + value
        while out.count % 4 != 0 { out.append(0) }
        return out
    }

    /// Strings: "compatible" at 0, "reg" at 11, "#size-cells" at 15.
    static let names = Array("compatible\0reg\0#size-cells\0".utf8)

    /// / { compatible = "vireo"; node@1 { reg = <0 0x1000 0x20>; }; }
    static func good() -> RawFDT {
        RawFDT(
            structure: begin("") + prop(0, Array("vireo\0".utf8)) + prop(15, be32(1))
                + begin("node@1000") + prop(11, be32(0) + be32(0x1000) + be32(0x20)) + end
                + end + fdtEnd,
            strings: names)
    }

    func build() -> [UInt8] {
        let reservationAt = 40
        let structAt = reservationAt + reservations.count
        let stringsAt = structAt + structure.count
        let total = stringsAt + strings.count
        var out: [UInt8] = []
        let fields: [UInt32] = [
            magic, totalSize ?? UInt32(total), structOffset ?? UInt32(structAt),
            stringsOffset ?? UInt32(stringsAt), reservationOffset ?? UInt32(reservationAt),
            version, lastCompatible, 0, stringsSize ?? UInt32(strings.count),
            structSize ?? UInt32(structure.count),
        ]
        for field in fields {
            out += be32(field)
        }
        return out + reservations + structure + strings
    }
}

@Suite("FDT reader")
struct FDTReaderTests {
    /// A board with three harts, H and Sstc, 512 MiB, a command line and two boot modules.
    static func board() throws -> (machine: Machine, config: BoardConfig, blob: [UInt8]) {
        var config = BoardConfig()
        config.memoryBytes = 512 << 20
        config.harts = 3
        config.extensions = [.h, .sstc]
        let machine = Machine(config: config)
        machine.bootargs = "console=ttyS0 earlycon=sbi"
        try machine.boot(firmware: nil, kernel: nil, modules: [
            Machine.Blob(path: "dom0.bin", bytes: [UInt8](repeating: 0x13, count: 5000), arguments: "dom0 quiet"),
            Machine.Blob(path: "guest1.bin", bytes: [1, 2, 3]),
        ])
        return (machine, config, machine.deviceTreeBlob())
    }

    @Test func boardDeviceTree() throws {
        let (machine, config, blob) = try Self.board()
        #expect(machine.modules.count == 2)
        let outcome = withFDT(blob) { fdt in
            #expect(fdt.totalSize == blob.count)
            #expect(fdt.bootCPU == 0)
            let root = fdt.root
            #expect(root.name == "")
            #expect(root.addressCells == 2 && root.sizeCells == 2)
            #expect(root.property("model")?.string == "riscv-virtio,qemu")
            #expect(fdt.node(at: "/")?.name == "")

            // Memory.
            let memory = fdt.node(at: "/memory")
            #expect(memory?.name == "memory@80000000")
            #expect(memory?.baseName == "memory")
            #expect(memory?.property("device_type")?.string == "memory")
            #expect(memory?.reg()?.address == 0x8000_0000)
            #expect(memory?.reg()?.size == 512 << 20)
            #expect(memory?.reg(1) == nil)
            #expect(fdt.node(at: "/memory@80000000")?.reg()?.size == 512 << 20)
            #expect(fdt.node(at: "/memory@90000000") == nil)

            // CPUs.
            let cpus = fdt.node(at: "/cpus")
            #expect(cpus?.addressCells == 1 && cpus?.sizeCells == 0)
            #expect(cpus?.property("timebase-frequency")?.u32 == 10_000_000)
            var cpuNames: [String] = []
            cpus?.forEachChild { cpu in
                guard cpu.property("device_type")?.string == "cpu" else { return }
                cpuNames.append(cpu.name)
                let id = UInt64(cpuNames.count - 1)
                #expect(cpu.reg()?.address == id && cpu.reg()?.size == 0)
                #expect(cpu.property("riscv,isa")?.string == Machine.isaString(config))
                #expect(cpu.property("riscv,isa")?.string == "rv64imach_zicntr_zicsr_zifencei_sstc")
                var extensions: [String] = []
                cpu.property("riscv,isa-extensions")?.forEachString { extensions.append($0) }
                #expect(extensions == Machine.isaExtensions(config))
                #expect(cpu.isCompatible("riscv"))
                #expect(cpu.property("status")?.string == "okay")
            }
            #expect(cpuNames == ["cpu@0", "cpu@1", "cpu@2"])
            #expect(fdt.node(at: "/cpus/cpu@2/interrupt-controller")?.property("phandle")?.u32 == 3)
            #expect(fdt.node(at: "/cpus/cpu@3") == nil)

            // UART, found three ways.
            let uart = fdt.firstNode(compatible: "ns16550a")
            #expect(uart?.name == "serial@10000000")
            #expect(uart?.reg()?.address == 0x1000_0000 && uart?.reg()?.size == 0x100)
            #expect(uart?.property("interrupts")?.u32 == 10)
            #expect(uart?.property("clock-frequency")?.u32 == 0x384000)
            #expect(fdt.node(at: "/soc/serial")?.name == "serial@10000000")
            let stdout = fdt.node(at: "/chosen")?.property("stdout-path")?.string
            #expect(stdout == "/soc/serial@10000000")
            #expect(fdt.node(at: stdout ?? "")?.isCompatible("ns16550a") == true)

            // Other devices.
            let plic = fdt.firstNode(compatible: "riscv,plic0")
            #expect(plic?.name == "plic@c000000")
            #expect(plic?.isCompatible("sifive,plic-1.0.0") == true)
            #expect(plic?.property("interrupts-extended")?.bytes.count == 4 * 4 * config.harts)
            #expect(plic?.property("interrupts-extended")?.cell(1) == 11)  // MEI of hart 0
            #expect(plic?.property("interrupt-controller")?.bytes.count == 0)
            #expect(fdt.firstNode(compatible: "sifive,test0")?.reg()?.address == 0x10_0000)
            #expect(fdt.firstNode(compatible: "riscv,clint0")?.reg()?.size == 0x1_0000)
            var virtio: [UInt64] = []
            fdt.forEachNode { node in
                if node.isCompatible("virtio,mmio"), let reg = node.reg() { virtio.append(reg.address) }
            }
            #expect(virtio == (0..<8).map { 0x1000_1000 + UInt64($0) * 0x1000 })
            #expect(fdt.firstNode(compatible: "virtio") == nil)
            #expect(fdt.firstNode(compatible: "") == nil)

            // /chosen and the boot modules (Xen's multiboot binding).
            let chosen = fdt.node(at: "/chosen")
            #expect(chosen?.property("bootargs")?.string == "console=ttyS0 earlycon=sbi")
            #expect(chosen?.addressCells == 2 && chosen?.sizeCells == 2)
            var modules: [(name: String, address: UInt64, size: UInt64, kernel: Bool, args: String?)] = []
            chosen?.forEachChild { node in
                guard node.baseName == "module", node.isCompatible("multiboot,module"),
                      let reg = node.reg() else { return }
                modules.append((node.name, reg.address, reg.size, node.isCompatible("multiboot,kernel"),
                                node.property("bootargs")?.string))
            }
            #expect(modules.count == 2)
            for (found, placed) in zip(modules, machine.modules) {
                #expect(found.name == "module@" + String(placed.address, radix: 16))
                #expect(found.address == placed.address)
                #expect(found.size == UInt64(placed.bytes.count))
                #expect(found.args == placed.arguments)
            }
            #expect(modules.map { $0.kernel } == [true, false])
            #expect(modules.first?.args == "dom0 quiet")
            #expect(fdt.node(at: "/chosen/module")?.reg()?.size == 5000)
            return exercise(fdt)
        }
        #expect(try outcome.get() > 20)
    }

    /// Node for node and property for property, the reader sees what the board wrote: its
    /// walk, written again with the builder, is the board's blob byte for byte.
    @Test func wholeTreeMatchesTheBoardsBlob() throws {
        let (_, _, blob) = try Self.board()
        let rewritten = try withFDT(blob) { fdt -> [UInt8] in
            var builder = FDTBuilder()
            var order: [String] = []
            func visit(_ node: FDTNode) {
                builder.beginNode(node.name)
                order.append(node.name)
                node.forEachProperty { builder.property($0.name, bytes: Array($0.bytes)) }
                node.forEachChild { visit($0) }
                builder.endNode()
            }
            visit(fdt.root)
            // The pre-order walk visits the same nodes in the same order.
            var names: [String] = []
            fdt.forEachNode { names.append($0.name) }
            #expect(names == order)
            return builder.finish(bootCPU: fdt.bootCPU)
        }.get()
        #expect(rewritten == blob)
    }

    @Test func totalSizeFromAPointer() throws {
        let (_, _, blob) = try Self.board()
        blob.withUnsafeBytes { #expect(FDT.totalSize(at: $0.baseAddress!) == blob.count) }
        var damaged = blob
        damaged[0] = 0
        damaged.withUnsafeBytes { #expect(FDT.totalSize(at: $0.baseAddress!) == nil) }
    }

    @Test func paths() {
        var builder = FDTBuilder()
        builder.beginNode("")
        builder.beginNode("a")
        builder.beginNode("b@1")
        builder.endNode()
        builder.beginNode("b@2")
        builder.property("x", u32: 2)
        builder.endNode()
        builder.beginNode("b")
        builder.property("x", u32: 3)
        builder.endNode()
        builder.endNode()
        builder.beginNode("a@5")
        builder.endNode()
        builder.endNode()
        let blob = builder.finish()
        _ = withFDT(blob) { fdt in
            #expect(fdt.node(at: "/a")?.name == "a")  // the first match, here the exact one
            #expect(fdt.node(at: "/a@5")?.name == "a@5")
            #expect(fdt.node(at: "/a/b")?.name == "b@1")  // the first child named b@...
            #expect(fdt.node(at: "/a/b@2")?.property("x")?.u32 == 2)
            #expect(fdt.node(at: "/a/b@3") == nil)
            #expect(fdt.node(at: "/a/b@")  == nil)
            #expect(fdt.node(at: "//a///b@2/")?.name == "b@2")
            #expect(fdt.node(at: "a") == nil)  // relative paths and aliases are not resolved
            #expect(fdt.node(at: "") == nil)
            #expect(fdt.node(at: "/a/b@1/c") == nil)
            #expect(fdt.node(at: "/c") == nil)
        }
    }

    // MARK: Damage

    @Test func handMadeGoodBlob() {
        let result = withFDT(RawFDT.good().build()) { fdt -> Bool in
            let node = fdt.node(at: "/node")
            #expect(fdt.root.isCompatible("vireo"))
            #expect(fdt.root.sizeCells == 1 && fdt.root.addressCells == 2)
            #expect(node?.reg()?.address == 0x1000 && node?.reg()?.size == 0x20)
            return true
        }
        #expect((try? result.get()) == true)
    }

    @Test func headerDamage() {
        let good = RawFDT.good()
        let bytes = good.build()
        #expect(fdtError([]) == .truncated)
        #expect(fdtError([0xD0, 0x0D, 0xFE]) == .truncated)
        #expect(fdtError(Array(bytes.prefix(20))) == .truncated)
        #expect(fdtError(Array(bytes.prefix(39))) == .truncated)
        for length in 0..<bytes.count { #expect(fdtError(Array(bytes.prefix(length))) != nil, "length \(length)") }
        #expect(fdtError(bytes + [0xAA, 0xBB]) == nil)  // bytes past totalsize are not looked at

        var raw = good
        raw.magic = 0xEDFE_0DD0
        #expect(fdtError(raw.build()) == .badMagic)
        #expect(fdtError([UInt8](repeating: 0, count: 64)) == .badMagic)
        raw = good
        raw.version = 15
        #expect(fdtError(raw.build()) == .badVersion)
        raw = good
        raw.lastCompatible = 18
        #expect(fdtError(raw.build()) == .badVersion)
        raw = good
        raw.version = 16  // no size_dt_struct: the structure block runs to totalsize
        #expect(fdtError(raw.build()) == nil)
        raw.structSize = 0xFFFF_FFFF  // ignored in version 16
        #expect(fdtError(raw.build()) == nil)

        let total = UInt32(bytes.count)
        let cases: [(String, (inout RawFDT) -> Void, FDTError)] = [
            ("totalsize past the buffer", { $0.totalSize = total + 1 }, .truncated),
            ("totalsize huge", { $0.totalSize = 0xFFFF_FFFF }, .truncated),
            ("totalsize below the header", { $0.totalSize = 39 }, .badStructure),
            ("struct past totalsize", { $0.structSize = total }, .badStructure),
            ("struct size huge", { $0.structSize = 0xFFFF_FFFC }, .badStructure),
            ("struct offset inside the header", { $0.structOffset = 8 }, .badStructure),
            ("struct offset unaligned", { $0.structOffset = 58 }, .badStructure),
            ("struct offset huge", { $0.structOffset = 0xFFFF_FFF0 }, .badStructure),
            ("strings past totalsize", { $0.stringsSize = UInt32(RawFDT.names.count + 1) }, .badStructure),
            ("strings offset huge", { $0.stringsOffset = 0xFFFF_FFFF }, .badStructure),
            ("reservations unaligned", { $0.reservationOffset = 44 }, .badStructure),
            ("reservations past totalsize", { $0.reservationOffset = total }, .badStructure),
            ("reservations unterminated", { $0.reservations = be64(1) + be64(2) }, .badStructure),
            ("empty structure block", { $0.structSize = 0 }, .badStructure),
            ("structure block without FDT_END", { $0.structSize = UInt32($0.structure.count - 4) }, .badStructure),
        ]
        for (label, change, expected) in cases {
            var raw = good
            change(&raw)
            #expect(fdtError(raw.build()) == expected, "\(label)")
        }
    }

    @Test func structureDamage() {
        typealias R = RawFDT
        let names = R.names
        let cases: [(String, [UInt8], FDTError?)] = [
            ("good", R.good().structure, nil),
            ("NOPs anywhere", R.nop + R.begin("") + R.nop + R.prop(0, [0]) + R.nop + R.begin("a") + R.nop + R.end + R.nop + R.end + R.nop + R.fdtEnd, nil),
            ("bytes after FDT_END", R.good().structure + be32(0x77), nil),
            ("unknown token", R.begin("") + be32(7) + R.end + R.fdtEnd, .badStructure),
            ("token 0", R.begin("") + be32(0) + R.end + R.fdtEnd, .badStructure),
            ("FDT_END inside a node", R.begin("") + R.fdtEnd, .badStructure),
            ("missing FDT_END_NODE", R.begin("") + R.begin("a") + R.end + R.fdtEnd, .badStructure),
            ("extra FDT_END_NODE", R.begin("") + R.end + R.end + R.fdtEnd, .badStructure),
            ("FDT_END_NODE first", R.end + R.begin("") + R.end + R.fdtEnd, .badStructure),
            ("no root", R.fdtEnd, .badStructure),
            ("two roots", R.begin("") + R.end + R.begin("") + R.end + R.fdtEnd, .badStructure),
            ("property outside the root", R.prop(0, [0]) + R.begin("") + R.end + R.fdtEnd, .badStructure),
            ("property after a child", R.begin("") + R.begin("a") + R.end + R.prop(0, [0]) + R.end + R.fdtEnd, .badStructure),
            ("name offset past the strings", R.begin("") + R.prop(UInt32(names.count), [0]) + R.end + R.fdtEnd, .badStructure),
            ("name offset huge", R.begin("") + R.prop(0xFFFF_FFFF, [0]) + R.end + R.fdtEnd, .badStructure),
            ("name offset 2^31", R.begin("") + R.prop(0x8000_0000, [0]) + R.end + R.fdtEnd, .badStructure),
            ("value past the block", R.begin("") + R.prop(0, [1, 2, 3, 4], length: 64) + R.end + R.fdtEnd, .badStructure),
            ("value length huge", R.begin("") + R.prop(0, [], length: 0xFFFF_FFFF) + R.end + R.fdtEnd, .badStructure),
            ("property header cut", R.begin("") + be32(3) + be32(0), .badStructure),
            ("node name without NUL", be32(1) + Array("abcdefgh".utf8), .badStructure),
            ("cut after a node", R.begin(""), .badStructure),
        ]
        for (label, structure, expected) in cases {
            let raw = RawFDT(structure: structure, strings: names)
            #expect(fdtError(raw.build()) == expected, "\(label)")
        }
        // The strings block must hold a NUL after every name used.
        var raw = RawFDT.good()
        raw.strings = Array("compatible\0reg\0#size-cells".utf8)
        #expect(fdtError(raw.build()) == .badStructure)
        raw.strings = []
        #expect(fdtError(raw.build()) == .badStructure)
    }

    @Test func nopsDoNotHideProperties() {
        typealias R = RawFDT
        let raw = RawFDT(
            structure: R.nop + R.begin("") + R.nop + R.prop(0, Array("x\0y\0".utf8)) + R.nop + R.prop(15, be32(0))
                + R.nop + R.begin("a@1") + R.nop + R.prop(11, be64(0x1234_5678_9ABC)) + R.end + R.end + R.fdtEnd,
            strings: R.names)
        _ = withFDT(raw.build()) { fdt in
            var list: [String] = []
            fdt.root.property("compatible")?.forEachString { list.append($0) }
            #expect(list == ["x", "y"])
            #expect(fdt.root.sizeCells == 0)
            let node = fdt.node(at: "/a")
            #expect(node?.reg()?.address == 0x1234_5678_9ABC && node?.reg()?.size == 0)
            var count = 0
            fdt.forEachNode { _ in count += 1 }
            #expect(count == 2)
        }
    }

    @Test func propertyValues() {
        var builder = FDTBuilder()
        builder.beginNode("")
        builder.property("one", u32: 0xDEAD_BEEF)
        builder.property("two", u64: 0x0123_4567_89AB_CDEF)
        builder.property("three", cells: [1, 2, 3])
        builder.property("empty")
        builder.property("odd", bytes: [1, 2, 3, 4, 5])
        builder.property("unterminated", bytes: Array("abc".utf8))
        builder.property("list", strings: ["a", "", "bc"])
        builder.property("#address-cells", u32: 3)
        builder.beginNode("wide@0")
        builder.property("reg", cells: [0, 0, 1, 2])
        builder.endNode()
        builder.endNode()
        _ = withFDT(builder.finish()) { fdt in
            let root = fdt.root
            #expect(root.property("one")?.u32 == 0xDEAD_BEEF)
            #expect(root.property("one")?.u64 == 0xDEAD_BEEF)
            #expect(root.property("two")?.u32 == nil)
            #expect(root.property("two")?.u64 == 0x0123_4567_89AB_CDEF)
            #expect(root.property("two")?.cell(1) == 0x89AB_CDEF)
            #expect(root.property("three")?.cell(2) == 3)
            #expect(root.property("three")?.cell(3) == nil)
            #expect(root.property("three")?.u64 == nil)
            #expect(root.property("empty")?.bytes.count == 0)
            #expect(root.property("empty")?.string == nil)
            #expect(root.property("odd")?.cell(1) == nil)
            #expect(root.property("odd")?.u32 == nil)
            #expect(root.property("unterminated")?.string == nil)
            var list: [String] = []
            root.property("list")?.forEachString { list.append($0) }
            #expect(list == ["a", "", "bc"])
            #expect(root.property("list")?.string == "a")
            #expect(root.property("missing") == nil)
            #expect(root.property("on") == nil && root.property("onex") == nil)
            // Three address cells do not fit in 64 bits.
            #expect(fdt.node(at: "/wide")?.reg() == nil)
        }
    }

    @Test func deepNestingDoesNotRecurse() {
        var builder = FDTBuilder()
        builder.beginNode("")
        for _ in 0..<20_000 { builder.beginNode("n") }
        builder.property("deepest", u32: 7)
        let blob = builder.finish()  // closes every open node
        _ = withFDT(blob) { fdt in
            var count = 0
            var found: UInt32? = nil
            fdt.forEachNode { node in
                count += 1
                if let value = node.property("deepest")?.u32 { found = value }
            }
            #expect(count == 20_001)
            #expect(found == 7)
        }
    }

    @Test func mutatedBoardBlobs() throws {
        let (_, _, blob) = try Self.board()
        var random = SplitMix64(seed: 0x4644_5446_555A_5A31)
        var outcomes = [0, 0]
        for round in 0..<600 {
            let mutant = mutate(blob, hot: 40 + 16 + 256, round: round, using: &random)
            switch withFDT(mutant, { exercise($0) }) {
            case .success: outcomes[1] += 1
            case .failure: outcomes[0] += 1
            }
        }
        #expect(outcomes[0] > 10 && outcomes[1] > 10, "refused/accepted: \(outcomes)")
    }

    /// Every 4-byte word of the header and of the start of the structure block set to
    /// extreme values.
    @Test func extremeWords() throws {
        let (_, _, blob) = try Self.board()
        for offset in stride(from: 0, to: 40 + 16 + 512, by: 4) {
            for value: UInt32 in [0, 1, 2, 3, 4, 9, 0x7FFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFC] {
                var bytes = blob
                bytes.replaceSubrange(offset..<offset + 4, with: be32(value))
                _ = withFDT(bytes) { exercise($0) }
            }
        }
    }

    @Test func everyReasonIsAPhrase() {
        let all: [FDTError] = [.badMagic, .badVersion, .truncated, .badStructure]
        #expect(Set(all.map { $0.reason.description }).count == all.count)
    }
}
