import Board
import FirmwareKit
import Foundation
import Testing

@Suite("FDT builder")
struct FDTBuilderTests {
    static let dtc = Repo.executable("dtc")

    /// A small hypervisor-style tree using every kind of property.
    static func sample() -> [UInt8] {
        var builder = FDTBuilder()
        builder.addReservation(address: 0x8000_0000, size: 0x20_0000)
        builder.addReservation(address: 0x8_0000_0000, size: 0x1000)
        builder.beginNode("")
        builder.property("#address-cells", u32: 2)
        builder.property("#size-cells", u32: 2)
        builder.property("compatible", strings: ["vireo,guest", "riscv-virtio"])
        builder.property("model", string: "vireo guest")
        builder.beginNode("chosen")
        builder.property("bootargs", string: "console=hvc0")
        builder.property("linux,initrd-start", u64: 0x8400_0000)
        builder.endNode()
        builder.beginNode("memory@80200000")
        builder.property("device_type", string: "memory")
        builder.property("reg", cells: [0, 0x8020_0000, 0, 0x0800_0000])
        builder.endNode()
        builder.beginNode("cpus")
        builder.property("#address-cells", u32: 1)
        builder.property("#size-cells", u32: 0)
        builder.beginNode("cpu@0")
        builder.property("device_type", string: "cpu")
        builder.property("reg", u32: 0)
        builder.property("riscv,isa", string: "rv64imac_zicntr_zicsr_zifencei")
        builder.beginNode("interrupt-controller")
        builder.property("interrupt-controller")
        builder.property("#interrupt-cells", u32: 1)
        builder.property("phandle", u32: 1)
        builder.endNode()
        builder.endNode()
        builder.endNode()
        builder.beginNode("soc")
        builder.property("ranges")
        builder.property("#address-cells", u32: 2)
        builder.property("#size-cells", u32: 2)
        builder.beginNode("serial@10000000")
        builder.property("compatible", string: "ns16550a")
        builder.property("reg", cells: [0, 0x1000_0000, 0, 0x100])
        builder.property("vireo,blob", bytes: [0xDE, 0xAD, 0xBE])
        builder.endNode()
        builder.endNode()
        builder.endNode()
        return builder.finish(bootCPU: 2)
    }

    static func header(_ blob: [UInt8], _ index: Int) -> Int {
        Int(blob[index * 4]) << 24 | Int(blob[index * 4 + 1]) << 16 | Int(blob[index * 4 + 2]) << 8 | Int(blob[index * 4 + 3])
    }

    @Test func layout() {
        let blob = Self.sample()
        #expect(Self.header(blob, 0) == 0xD00D_FEED)
        #expect(Self.header(blob, 1) == blob.count)  // totalsize
        let structOffset = Self.header(blob, 2), stringsOffset = Self.header(blob, 3)
        let reservationOffset = Self.header(blob, 4)
        #expect(Self.header(blob, 5) == 17)
        #expect(Self.header(blob, 6) == 16)
        #expect(Self.header(blob, 7) == 2)  // boot_cpuid_phys
        #expect(reservationOffset == 40)
        #expect(reservationOffset % 8 == 0 && structOffset % 8 == 0)
        #expect(structOffset == 40 + 3 * 16)  // two entries and the terminator
        #expect(stringsOffset == structOffset + Self.header(blob, 9))
        #expect(blob.count == stringsOffset + Self.header(blob, 8))
        #expect(Array(blob[stringsOffset - 4..<stringsOffset]) == be32(9))  // FDT_END
        // Names are stored once: "reg" is used three times, "#address-cells" three times.
        let strings = String(decoding: blob[stringsOffset...], as: UTF8.self)
        let names = strings.split(separator: "\0", omittingEmptySubsequences: false).dropLast()
        #expect(names.filter { $0 == "reg" }.count == 1)
        #expect(names.filter { $0 == "#address-cells" }.count == 1)
        #expect(Set(names).count == names.count)
    }

    @Test func roundTripThroughTheReader() throws {
        let blob = Self.sample()
        let checked = try withFDT(blob) { fdt -> Int in
            #expect(fdt.bootCPU == 2)
            var reservations: [UInt64] = []
            fdt.forEachReservation { reservations += [$0, $1] }
            #expect(reservations == [0x8000_0000, 0x20_0000, 0x8_0000_0000, 0x1000])
            let root = fdt.root
            var compatible: [String] = []
            root.property("compatible")?.forEachString { compatible.append($0) }
            #expect(compatible == ["vireo,guest", "riscv-virtio"])
            #expect(root.property("model")?.string == "vireo guest")
            #expect(fdt.node(at: "/chosen")?.property("bootargs")?.string == "console=hvc0")
            #expect(fdt.node(at: "/chosen")?.property("linux,initrd-start")?.u64 == 0x8400_0000)
            #expect(fdt.node(at: "/chosen")?.property("linux,initrd-start")?.bytes.count == 8)
            let memory = fdt.node(at: "/memory")
            #expect(memory?.reg()?.address == 0x8020_0000 && memory?.reg()?.size == 0x0800_0000)
            let cpu = fdt.node(at: "/cpus/cpu@0")
            #expect(cpu?.reg()?.address == 0 && cpu?.reg()?.size == 0)
            #expect(cpu?.property("riscv,isa")?.string == "rv64imac_zicntr_zicsr_zifencei")
            let intc = fdt.node(at: "/cpus/cpu@0/interrupt-controller")
            #expect(intc?.property("interrupt-controller")?.bytes.count == 0)
            #expect(intc?.property("phandle")?.u32 == 1)
            let uart = fdt.firstNode(compatible: "ns16550a")
            #expect(uart?.name == "serial@10000000")
            #expect(uart?.reg()?.address == 0x1000_0000 && uart?.reg()?.size == 0x100)
            #expect(uart.map { Array($0.property("vireo,blob")!.bytes) } == [0xDE, 0xAD, 0xBE])
            var names: [String] = []
            fdt.forEachNode { names.append($0.name) }
            #expect(names == ["", "chosen", "memory@80200000", "cpus", "cpu@0", "interrupt-controller",
                              "soc", "serial@10000000"])
            var properties: [String] = []
            fdt.node(at: "/soc")?.forEachProperty { properties.append($0.name) }
            #expect(properties == ["ranges", "#address-cells", "#size-cells"])
            return names.count
        }.get()
        #expect(checked == 8)
    }

    @Test func misuseNeverTraps() {
        var builder = FDTBuilder()
        builder.property("before-root", u32: 1)  // ignored: no node open
        builder.endNode()  // ignored
        builder.beginNode("")
        builder.property("first", u32: 1)
        builder.beginNode("child")
        builder.endNode()
        builder.property("after-child", u32: 2)  // ignored: properties come before children
        builder.beginNode("open")
        builder.property("inner", string: "x")
        let blob = builder.finish()  // closes "open" and the root
        builder.endNode()
        builder.endNode()
        builder.beginNode("second-root")  // ignored
        builder.endNode()
        let again = builder.finish()
        _ = withFDT(blob) { fdt in
            var names: [String] = []
            fdt.forEachNode { names.append($0.name) }
            #expect(names == ["", "child", "open"])
            var properties: [String] = []
            fdt.root.forEachProperty { properties.append($0.name) }
            #expect(properties == ["first"])
            #expect(fdt.node(at: "/open")?.property("inner")?.string == "x")
        }
        #expect(fdtError(again) == nil)
        #expect(blob == again)
        // An empty builder still writes a readable (if rootless) blob: the reader refuses it.
        #expect(fdtError(FDTBuilder().finish()) == .badStructure)
    }

    // MARK: dtc

    @Test(.enabled(if: dtc != nil, "dtc not installed (apt-get install device-tree-compiler)"))
    func dtcDecompilesIt() throws {
        let result = try Repo.withTemporaryFile(Self.sample(), suffix: ".dtb") { path in
            try Repo.run(Self.dtc!, ["-I", "dtb", "-O", "dts", path])
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("ERROR") && !result.stderr.contains("FATAL"), "\(result.stderr)")
        let text = result.stdout
        for needle in [
            "/memreserve/\t0x0000000080000000 0x0000000000200000;",
            "/memreserve/\t0x0000000800000000 0x0000000000001000;",
            "compatible = \"vireo,guest\\0riscv-virtio\";",
            "model = \"vireo guest\";",
            "chosen {", "bootargs = \"console=hvc0\";", "linux,initrd-start = <0x00 0x84000000>;",
            "memory@80200000 {", "reg = <0x00 0x80200000 0x00 0x8000000>;",
            "cpus {", "cpu@0 {", "riscv,isa = \"rv64imac_zicntr_zicsr_zifencei\";",
            "interrupt-controller;", "phandle = <0x01>;",
            "soc {", "ranges;", "serial@10000000 {", "compatible = \"ns16550a\";",
            "reg = <0x00 0x10000000 0x00 0x100>;", "vireo,blob = [de ad be];",
        ] {
            #expect(text.contains(needle), "missing \(needle) in\n\(text)")
        }
    }

    /// The reader also reads what dtc writes (dtc's own layout and padding).
    @Test(.enabled(if: dtc != nil, "dtc not installed (apt-get install device-tree-compiler)"))
    func readerReadsDTCOutput() throws {
        let source = """
            /dts-v1/;
            /memreserve/ 0x80000000 0x10000;
            / {
                #address-cells = <1>;
                #size-cells = <1>;
                compatible = "test,board";
                memory@40000000 { device_type = "memory"; reg = <0x40000000 0x1000000>; };
                uart0: serial@9000000 { compatible = "arm,pl011", "arm,primecell"; reg = <0x9000000 0x1000>; };
                chosen { stdout-path = &uart0; };
            };
            """
        let dts = FileManager.default.temporaryDirectory.appendingPathComponent("firmwarekit-\(UUID().uuidString).dts")
        try Data(source.utf8).write(to: dts)
        defer { try? FileManager.default.removeItem(at: dts) }
        let out = dts.deletingPathExtension().appendingPathExtension("dtb")
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try Repo.run(Self.dtc!, ["-I", "dts", "-O", "dtb", "-p", "64", "-o", out.path, dts.path])
        #expect(result.status == 0, "\(result.stderr)")
        let blob = [UInt8](try Data(contentsOf: out))
        let ok = try withFDT(blob) { fdt -> Bool in
            var reservations: [UInt64] = []
            fdt.forEachReservation { reservations += [$0, $1] }
            #expect(reservations == [0x8000_0000, 0x10000])
            #expect(fdt.root.addressCells == 1 && fdt.root.sizeCells == 1)
            #expect(fdt.node(at: "/memory")?.reg()?.address == 0x4000_0000)
            #expect(fdt.node(at: "/memory")?.reg()?.size == 0x100_0000)
            let uart = fdt.firstNode(compatible: "arm,primecell")
            #expect(uart?.reg()?.address == 0x900_0000 && uart?.reg()?.size == 0x1000)
            #expect(fdt.node(at: "/chosen")?.property("stdout-path")?.string == "/serial@9000000")
            #expect(fdt.totalSize == blob.count)
            return true
        }.get()
        #expect(ok)
    }
}
