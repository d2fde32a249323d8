import Dom0Kit
import Testing

@Suite("Disk backend: placement, disk plans, requests")
struct DiskBackendTests {
    static let mib: UInt64 = 1 << 20
    static let base: UInt64 = 0x8000_0000

    // MARK: Initrd placement above an ELF kernel

    @Test("initrd: half of RAM when there is room, 4 KiB-aligned")
    func initrdHigh() {
        // A kernel ending at 0x8020_5000 in 32 MiB: half of RAM is above its 2 MiB boundary.
        let at = GuestLayout.initrdAddress(kernelEnd: 0x8020_5000, size: 1 * Self.mib, ramSize: 32 * Self.mib)
        #expect(at == Self.base + 16 * Self.mib)
    }

    @Test("initrd: right above the kernel (2 MiB boundary) when half of RAM is too high")
    func initrdLow() {
        // 32 MiB RAM, 16 MiB initrd: half (16 MiB) + 16 MiB passes the top minus 64 KiB.
        let at = GuestLayout.initrdAddress(kernelEnd: 0x8020_5000, size: 16 * Self.mib, ramSize: 32 * Self.mib)
        #expect(at == Self.base + 4 * Self.mib)
        // A kernel whose end is past half of RAM: its boundary wins.
        let past = GuestLayout.initrdAddress(kernelEnd: Self.base + 20 * Self.mib + 1, size: Self.mib, ramSize: 32 * Self.mib)
        #expect(past == Self.base + 22 * Self.mib)
    }

    @Test("initrd: the DTB's 64 KiB at the top stay free; nil when it does not fit")
    func initrdLimits() {
        let ram = 16 * Self.mib
        let top = Self.base + ram - GuestLayout.dtbReserve
        // Exactly up to the reserve fits (half of RAM = 8 MiB; 8 MiB - 64 KiB).
        let exact = GuestLayout.initrdAddress(kernelEnd: Self.base + 0x1000, size: 8 * Self.mib - GuestLayout.dtbReserve, ramSize: ram)
        #expect(exact == Self.base + 8 * Self.mib)
        #expect(exact.map { $0 + 8 * Self.mib - GuestLayout.dtbReserve } == top)
        // One page more does not fit at half, and goes down to the kernel's boundary.
        let lower = GuestLayout.initrdAddress(kernelEnd: Self.base + 0x1000, size: 8 * Self.mib, ramSize: ram)
        #expect(lower == Self.base + 2 * Self.mib)
        // Too large anywhere.
        #expect(GuestLayout.initrdAddress(kernelEnd: Self.base + 0x1000, size: 14 * Self.mib, ramSize: ram) == nil)
        // A kernel reaching past RAM leaves no room.
        #expect(GuestLayout.initrdAddress(kernelEnd: Self.base + 17 * Self.mib, size: 4096, ramSize: ram) == nil)
        // No overflow traps on absurd values.
        #expect(GuestLayout.initrdAddress(kernelEnd: UInt64.max - 5, size: 4096, ramSize: ram) == nil)
        #expect(GuestLayout.initrdAddress(kernelEnd: Self.base, size: UInt64.max, ramSize: ram) == nil)
    }

    // MARK: Disk plans

    /// vda (writable, 8 MiB) holds "root.img" at byte 1536 (3 sectors) of 4 MiB and
    /// "odd.img" of 1000 bytes; vdb is read-only and holds "ro.img".
    static func lookup(_ name: String) -> DiskImageLookup {
        switch name {
        case "root.img":
            return .found(DiskImageLocation(device: 0, deviceName: "vda", deviceReadOnly: false, deviceSectors: 16384,
                                            offset: 1536, size: 4 * mib))
        case "data.img":
            return .found(DiskImageLocation(device: 0, deviceName: "vda", deviceReadOnly: false, deviceSectors: 16384,
                                            offset: 1536 + 4 * mib + 512, size: 1 * mib))
        case "odd.img":
            return .found(DiskImageLocation(device: 0, deviceName: "vda", deviceReadOnly: false, deviceSectors: 16384,
                                            offset: 7 * mib, size: 1000))
        case "empty.img":
            return .found(DiskImageLocation(device: 0, deviceName: "vda", deviceReadOnly: false, deviceSectors: 16384,
                                            offset: 7 * mib, size: 0))
        case "past.img":
            return .found(DiskImageLocation(device: 0, deviceName: "vda", deviceReadOnly: false, deviceSectors: 16384,
                                            offset: 7 * mib, size: 2 * mib))
        case "ro.img":
            return .found(DiskImageLocation(device: 1, deviceName: "vdb", deviceReadOnly: true, deviceSectors: 2048,
                                            offset: 512, size: 512 * 100))
        case "dir":
            return .notAFile
        default:
            return .missing
        }
    }

    static func disk(_ spec: String) -> GuestDisk {
        guard case .success(let d) = GuestDisk.parse(spec) else { fatalError(spec) }
        return d
    }

    static func plan(_ specs: [String], table: DiskTable = DiskTable(), domain: UInt64 = 0) -> Result<[BackendDisk], DiskPlanError> {
        table.plan(specs.map(disk), domain: domain, locate: lookup)
    }

    static func failure(_ r: Result<[BackendDisk], DiskPlanError>) -> String? {
        if case .failure(let e) = r { return e.message }
        return nil
    }

    @Test("A plan: sectors from the tar data offset, in order, access as written")
    func planEntries() throws {
        let planned = try Self.plan(["root.img,vda,w", "ro.img,vdb,r"], domain: 3).get()
        #expect(planned == [
            BackendDisk(domain: 3, index: 0, image: "root.img", device: 0, deviceName: "vda", firstSector: 3,
                        sectors: 8192, writable: true),
            BackendDisk(domain: 3, index: 1, image: "ro.img", device: 1, deviceName: "vdb", firstSector: 1,
                        sectors: 100, writable: false),
        ])
        // xl's other names count the same way; names of other forms are taken in order.
        #expect((try? Self.plan(["root.img,xvda,w", "ro.img,xvdb,r"]).get())?.count == 2)
        #expect((try? Self.plan(["root.img,root,w", "ro.img,other,r"]).get())?.map(\.index) == [0, 1])
        #expect((try? Self.plan([]).get()) == [])
    }

    @Test("Plan errors: one clear line each")
    func planErrors() {
        #expect(Self.failure(Self.plan(["nope.img,vda,w"])) == "disk 'nope.img': nope.img is not in the archive (see ls)")
        #expect(Self.failure(Self.plan(["dir,vda,w"])) == "disk 'dir': dir is not a file")
        #expect(Self.failure(Self.plan(["odd.img,vda,w"])) == "disk 'odd.img' is 1000 bytes, not a multiple of 512")
        #expect(Self.failure(Self.plan(["empty.img,vda,w"])) == "disk 'empty.img' is empty")
        #expect(Self.failure(Self.plan(["past.img,vda,r"])) == "disk 'past.img' runs past the end of vda")
        #expect(Self.failure(Self.plan(["ro.img,vda,w"])) == "disk 'ro.img' is on read-only vdb")
        #expect(Self.failure(Self.plan(["ro.img,vda"])) == "disk 'ro.img' is on read-only vdb", "access defaults to rw")
        #expect(Self.failure(Self.plan(["root.img,vdb,w"]))
                == "disk 'root.img': vdb must be vda (a guest sees its disks in the order listed)")
        #expect(Self.failure(Self.plan(["root.img,xvda,w", "ro.img,xvdc,r"]))
                == "disk 'ro.img': xvdc must be xvdb (a guest sees its disks in the order listed)")
        #expect(Self.failure(Self.plan(["root.img,a,r", "ro.img,a,r"])) == "disk 'ro.img': a is listed twice")
        #expect(Self.failure(Self.plan(["root.img,vda,w", "root.img,vdb,r"]))
                == "disk 'root.img' is listed twice, and written through one of them")
        let nine = (0..<9).map { "ro.img,d\($0),r" }
        #expect(Self.failure(Self.plan(nine)) == "a guest has at most 8 disks")
    }

    @Test("Sharing: readers share an image, a writer needs it alone")
    func sharing() throws {
        var table = DiskTable()
        for e in try Self.plan(["ro.img,vda,r"], domain: 1).get() { table.add(e) }
        #expect((try? Self.plan(["ro.img,vda,r"], table: table, domain: 2).get())?.count == 1)
        for e in try Self.plan(["root.img,vda,w"], domain: 2).get() { table.add(e) }
        #expect(Self.failure(Self.plan(["root.img,vda,w"], table: table, domain: 3)) == "disk 'root.img' is in use by domain 2")
        #expect(Self.failure(Self.plan(["root.img,vda,r"], table: table, domain: 3)) == "disk 'root.img' is in use by domain 2")
        // Another image on the same disk is fine (no sector in common).
        #expect((try? Self.plan(["data.img,vda,w"], table: table, domain: 3).get())?.first?.firstSector == 3 + 8192 + 1)
        // Once domain 2 is gone, its image is free again.
        table.remove(domain: 2)
        #expect((try? Self.plan(["root.img,vda,w"], table: table, domain: 3).get())?.count == 1)
    }

    @Test("The table: lookup, replace, remove, keep")
    func table() {
        var table = DiskTable()
        #expect(table.isEmpty)
        let a = BackendDisk(domain: 1, index: 0, image: "a", device: 0, deviceName: "vda", firstSector: 10, sectors: 4, writable: true)
        var b = a
        b.index = 1
        b.firstSector = 20
        var c = a
        c.domain = 2
        c.firstSector = 30
        table.add(a)
        table.add(b)
        table.add(c)
        #expect(table.entry(domain: 1, disk: 1) == b)
        #expect(table.entry(domain: 2, disk: 0) == c)
        #expect(table.entry(domain: 2, disk: 1) == nil)
        var b2 = b
        b2.sectors = 8
        table.add(b2)
        #expect(table.entries.count == 3)
        #expect(table.entry(domain: 1, disk: 1)?.sectors == 8)
        table.keep(domains: [0, 2])
        #expect(table.entries == [c])
        table.remove(domain: 2)
        #expect(table.isEmpty)
        // Overlap is per physical disk and half-open.
        var d = a
        d.firstSector = 14
        #expect(!a.overlaps(d))
        d.firstSector = 13
        #expect(a.overlaps(d))
        d.device = 1
        #expect(!a.overlaps(d))
    }

    // MARK: Requests

    static func served() -> DiskTable {
        var table = DiskTable()
        table.add(BackendDisk(domain: 4, index: 0, image: "root.img", device: 1, deviceName: "vdb", firstSector: 100,
                              sectors: 64, writable: true))
        table.add(BackendDisk(domain: 4, index: 1, image: "ro.img", device: 0, deviceName: "vda", firstSector: 7,
                              sectors: 8, writable: false))
        return table
    }

    static func request(_ type: UInt64, _ sector: UInt64 = 0, _ length: UInt64 = 0, disk: UInt64 = 0, domain: UInt64 = 4) -> DiskRequest {
        DiskRequest(domain: domain, disk: disk, type: type, sector: sector, length: length)
    }

    @Test("IN and OUT: the image's sectors on the physical disk, bounds-checked")
    func readWrite() {
        let t = Self.served()
        #expect(t.action(for: Self.request(DiskRequest.typeIn, 0, 4096)) == .read(device: 1, sector: 100, bytes: 4096))
        #expect(t.action(for: Self.request(DiskRequest.typeIn, 56, 4096)) == .read(device: 1, sector: 156, bytes: 4096))
        #expect(t.action(for: Self.request(DiskRequest.typeOut, 63, 512)) == .write(device: 1, sector: 163, bytes: 512))
        #expect(t.action(for: Self.request(DiskRequest.typeIn, 64, 0)) == .read(device: 1, sector: 164, bytes: 0))
        // Past the image, a partial sector, an absurd sector: IOERR, nothing moved.
        #expect(t.action(for: Self.request(DiskRequest.typeIn, 57, 4096)) == .complete(DiskRequest.statusIOError))
        #expect(t.action(for: Self.request(DiskRequest.typeOut, 65, 0)) == .complete(DiskRequest.statusIOError))
        #expect(t.action(for: Self.request(DiskRequest.typeIn, 0, 100)) == .complete(DiskRequest.statusIOError))
        #expect(t.action(for: Self.request(DiskRequest.typeIn, UInt64.max, 512)) == .complete(DiskRequest.statusIOError))
        #expect(t.action(for: Self.request(DiskRequest.typeIn, 1, UInt64.max - 511)) == .complete(DiskRequest.statusIOError))
        // A read-only image reads, and refuses writes.
        #expect(t.action(for: Self.request(DiskRequest.typeIn, 0, 4096, disk: 1)) == .read(device: 0, sector: 7, bytes: 4096))
        #expect(t.action(for: Self.request(DiskRequest.typeOut, 0, 512, disk: 1)) == .complete(DiskRequest.statusIOError))
    }

    @Test("No entry: IOERR; FLUSH, GET_ID and unknown types")
    func otherTypes() {
        let t = Self.served()
        #expect(t.action(for: Self.request(DiskRequest.typeIn, 0, 512, disk: 2)) == .complete(DiskRequest.statusIOError))
        #expect(t.action(for: Self.request(DiskRequest.typeIn, 0, 512, domain: 5)) == .complete(DiskRequest.statusIOError))
        #expect(t.action(for: Self.request(DiskRequest.typeFlush)) == .flush(device: 1))
        #expect(t.action(for: Self.request(DiskRequest.typeFlush, disk: 1)) == .complete(DiskRequest.statusOK))
        let id = Array("vireo-4-0".utf8) + [UInt8](repeating: 0, count: 11)
        #expect(t.action(for: Self.request(DiskRequest.typeGetID, 0, 20)) == .identify(id))
        #expect(t.action(for: Self.request(DiskRequest.typeGetID, 0, 4096)) == .identify(id))
        #expect(t.action(for: Self.request(DiskRequest.typeGetID, 0, 5)) == .identify(Array("vireo".utf8)))
        #expect(t.action(for: Self.request(11)) == .complete(DiskRequest.statusUnsupported))
        #expect(t.action(for: Self.request(13)) == .complete(DiskRequest.statusUnsupported))
    }

    @Test("GET_ID: 20 bytes, NUL-padded, cut when longer")
    func identifier() {
        #expect(DiskTable.identifier(domain: 12, disk: 3) == Array("vireo-12-3".utf8) + [UInt8](repeating: 0, count: 10))
        let long = DiskTable.identifier(domain: UInt64.max, disk: 7)
        #expect(long.count == 20)
        #expect(long == Array("vireo-18446744073709".utf8))
    }

    @Test("Virtual device names")
    func vdevNames() {
        #expect(DiskTable.vdevIndex("vda") == 0)
        #expect(DiskTable.vdevIndex("xvdc") == 2)
        #expect(DiskTable.vdevIndex("sdb") == 1)
        #expect(DiskTable.vdevIndex("hdz") == 25)
        #expect(DiskTable.vdevIndex("vdA") == nil)
        #expect(DiskTable.vdevIndex("vdaa") == nil)
        #expect(DiskTable.vdevIndex("root") == nil)
        #expect(DiskTable.vdevIndex("vd") == nil)
    }
}
