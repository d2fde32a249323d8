/// Dom0's side of the guests' virtual disks (DESIGN §3 "I/O", the split-driver model) and
/// the placement of what `create` loads into a guest's RAM: the decisions, without the
/// control calls or the physical disks, so that the host tests can check them.
///
/// - `GuestLayout`: where a guest's RAM starts, what the firmware keeps at its top (the
///   DTB), where an initrd goes above an ELF kernel.
/// - `DiskTable`: the backend's table, (domain, disk index) → `BackendDisk` (which of Dom0's
///   physical disks, which sectors, writable or not); `plan` turns a configuration's
///   `disk = [...]` into entries (or one clear error), `action` says what to do with one
///   request a guest queued (`DiskRequest`, the record `diskPop` fills).
///
/// Written for bare metal (also compiled in Embedded Swift mode into Dom0): no Foundation,
/// typed results, no floating point.

// On the host Sources/RISCV is its own module; in Dom0's Embedded Swift build it is part of
// the one module.
#if canImport(RISCV)
import RISCV
#endif

/// A guest's memory as the firmware builds it.
public enum GuestLayout {
    /// Guest-physical start of every guest's RAM (DESIGN §3).
    public static let ramBase: UInt64 = 0x8000_0000
    /// Bytes the firmware keeps at the top of a guest's RAM for its DTB: the firmware's own
    /// figure (`SBI.Control.dtbReserve`), so the two can never disagree.
    public static let dtbReserve: UInt64 = SBI.Control.dtbReserve
    /// Linux on RV64 maps itself with 2 MiB pages; initrds start past such a boundary.
    static let megapage: UInt64 = 2 << 20

    /// Where an initrd of `size` bytes goes above a kernel whose footprint ends at
    /// `kernelEnd` (an ELF kernel: its highest segment's end), by the rule FirmwareKit's
    /// `LinuxImage.initrdAddress` applies to an `Image`: past the kernel's end rounded up to
    /// 2 MiB, at half of RAM when that is higher (QEMU virt puts it there too), back down to
    /// the kernel's end when it would not fit there, 4 KiB-aligned, all of it below the
    /// reserved top. Nil when it does not fit.
    public static func initrdAddress(
        kernelEnd: UInt64, size: UInt64, ramBase: UInt64 = ramBase, ramSize: UInt64, reserve: UInt64 = dtbReserve
    ) -> UInt64? {
        let (rounded, o1) = kernelEnd.addingReportingOverflow(megapage &- 1)
        guard !o1 else { return nil }
        let kernelTop = rounded & ~(megapage &- 1)
        let limit = ramBase &+ ramSize &- min(reserve, ramSize)
        var start = max(kernelTop, ramBase &+ ramSize / 2)
        let (highEnd, o2) = start.addingReportingOverflow(size)
        if o2 || highEnd > limit { start = kernelTop }
        let (aligned, o3) = start.addingReportingOverflow(0xFFF)
        guard !o3 else { return nil }
        start = aligned & ~0xFFF
        let (end, o4) = start.addingReportingOverflow(size)
        guard !o4, end <= limit else { return nil }
        return start
    }
}

/// One guest disk as Dom0's backend serves it: a range of sectors on one of Dom0's own
/// (physical) disks — the data of an archive member.
public struct BackendDisk: Equatable {
    /// The guest, and the disk's index in it (0 = vda: virtio-mmio slot 0).
    public var domain: UInt64
    public var index: Int
    /// The image's name in the archive (for messages).
    public var image: String
    /// Dom0's physical disk holding it (0 = Dom0's vda), and its name.
    public var device: Int
    public var deviceName: String
    /// The image's first sector on that disk, and its size in 512-byte sectors.
    public var firstSector: UInt64
    public var sectors: UInt64
    /// The guest may write it.
    public var writable: Bool

    public init(
        domain: UInt64, index: Int, image: String, device: Int, deviceName: String, firstSector: UInt64,
        sectors: UInt64, writable: Bool
    ) {
        self.domain = domain
        self.index = index
        self.image = image
        self.device = device
        self.deviceName = deviceName
        self.firstSector = firstSector
        self.sectors = sectors
        self.writable = writable
    }

    /// True when the two use a sector in common on the same physical disk.
    public func overlaps(_ other: BackendDisk) -> Bool {
        guard device == other.device else { return false }
        let end = firstSector &+ sectors, otherEnd = other.firstSector &+ other.sectors
        return firstSector < otherEnd && other.firstSector < end
    }
}

/// Where a disk image lies: found by Dom0 in the archive on one of its disks.
public struct DiskImageLocation: Equatable {
    /// Dom0's physical disk (0 = vda), its name, whether it is read-only (the device offers
    /// VIRTIO_BLK_F_RO) and its capacity in sectors.
    public var device: Int
    public var deviceName: String
    public var deviceReadOnly: Bool
    public var deviceSectors: UInt64
    /// The image's byte offset on the disk (its tar data offset) and its size in bytes.
    public var offset: UInt64
    public var size: UInt64

    public init(device: Int, deviceName: String, deviceReadOnly: Bool, deviceSectors: UInt64, offset: UInt64, size: UInt64) {
        self.device = device
        self.deviceName = deviceName
        self.deviceReadOnly = deviceReadOnly
        self.deviceSectors = deviceSectors
        self.offset = offset
        self.size = size
    }
}

/// What looking a disk image up found.
public enum DiskImageLookup: Equatable {
    case found(DiskImageLocation)
    /// No archive has a member of that name.
    case missing
    /// The member is not a regular file (a directory, a link, …).
    case notAFile
}

/// Why a configuration's disks cannot be served: one line.
public struct DiskPlanError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One request a guest queued, as `diskPop` reports it (SBI.Control `request*`).
public struct DiskRequest: Equatable {
    public var domain: UInt64
    public var disk: UInt64
    /// virtio-blk request type (virtio §5.2.6): 0 IN, 1 OUT, 4 FLUSH, 8 GET_ID, ….
    public var type: UInt64
    /// First sector (IN, OUT), and the request's data length in bytes.
    public var sector: UInt64
    public var length: UInt64

    public init(domain: UInt64, disk: UInt64, type: UInt64, sector: UInt64, length: UInt64) {
        self.domain = domain
        self.disk = disk
        self.type = type
        self.sector = sector
        self.length = length
    }

    public static let typeIn: UInt64 = 0
    public static let typeOut: UInt64 = 1
    public static let typeFlush: UInt64 = 4
    public static let typeGetID: UInt64 = 8
    /// virtio-blk status values (§5.2.6) passed to `diskComplete`.
    public static let statusOK: UInt8 = 0
    public static let statusIOError: UInt8 = 1
    public static let statusUnsupported: UInt8 = 2
}

/// What the backend does with one request.
public enum DiskAction: Equatable {
    /// Move `bytes` bytes from Dom0's physical disk `device`, from its sector `sector`, into
    /// the guest's buffers (in pieces), then complete with OK.
    case read(device: Int, sector: UInt64, bytes: UInt64)
    /// Move `bytes` bytes out of the guest's buffers onto `device` at `sector`, then
    /// complete with OK.
    case write(device: Int, sector: UInt64, bytes: UInt64)
    /// Flush `device`'s write cache (VIRTIO_BLK_T_FLUSH), OK or IOERR by its outcome.
    case flush(device: Int)
    /// Copy these bytes (the device ID, cut to the request's length) to the guest, OK.
    case identify([UInt8])
    /// Complete at once with this status.
    case complete(UInt8)
}

/// The backend's table: every guest disk Dom0 serves.
public struct DiskTable {
    public static let sectorSize: UInt64 = 512
    /// GET_ID's data: 20 bytes, NUL-padded (virtio §5.2.6).
    public static let idLength = 20
    /// Most disks per guest (the board's virtio-mmio slots; SBI.Control.maxDisks).
    public static let maxDisks = 8

    public private(set) var entries: [BackendDisk] = []

    public init() {}

    public var isEmpty: Bool { entries.isEmpty }

    public func entry(domain: UInt64, disk: UInt64) -> BackendDisk? {
        for e in entries where e.domain == domain && UInt64(e.index) == disk { return e }
        return nil
    }

    /// Adds an entry (replacing one for the same domain and disk).
    public mutating func add(_ entry: BackendDisk) {
        entries.removeAll { $0.domain == entry.domain && $0.index == entry.index }
        entries.append(entry)
    }

    /// Drops every disk of `domain` (destroyed, gone, or never started).
    public mutating func remove(domain: UInt64) {
        entries.removeAll { $0.domain == domain }
    }

    /// Drops the disks of every domain not in `domains` (those that exist).
    public mutating func keep(domains: [UInt64]) {
        entries.removeAll { e in !domains.contains(e.domain) }
    }

    /// An entry that may not share sectors with `candidate`: one that overlaps it where
    /// either side writes (two readers may share an image; a writer needs it alone, as
    /// Xen's blkback refuses a device mounted writable elsewhere).
    public func conflict(with candidate: BackendDisk, among others: [BackendDisk]? = nil) -> BackendDisk? {
        for e in others ?? entries where (e.writable || candidate.writable) && e.overlaps(candidate) {
            return e
        }
        return nil
    }

    /// Turns a configuration's `disk = [...]` into the entries for `domain`, in order (the
    /// guest sees disk n as virtio-mmio slot n: vda, vdb, …), or the first problem:
    /// an image not in the archive, empty or not whole sectors, writable on a read-only
    /// disk of Dom0, in use by another guest (or twice here) for writing, a virtual device
    /// name out of order or twice, more than `maxDisks`.
    public func plan(
        _ disks: [GuestDisk], domain: UInt64, locate: (String) -> DiskImageLookup
    ) -> Result<[BackendDisk], DiskPlanError> {
        guard disks.count <= DiskTable.maxDisks else {
            return .failure(DiskPlanError("a guest has at most " + String(DiskTable.maxDisks) + " disks"))
        }
        var planned: [BackendDisk] = []
        for (position, disk) in disks.enumerated() {
            let quoted = "disk '" + disk.image + "'"
            if let letter = DiskTable.vdevIndex(disk.vdev), letter != position {
                return .failure(DiskPlanError(
                    quoted + ": " + disk.vdev + " must be " + DiskTable.vdevName(position, like: disk.vdev)
                        + " (a guest sees its disks in the order listed)"))
            }
            if disks[0..<position].contains(where: { $0.vdev == disk.vdev }) {
                return .failure(DiskPlanError(quoted + ": " + disk.vdev + " is listed twice"))
            }
            let location: DiskImageLocation
            switch locate(disk.image) {
            case .missing: return .failure(DiskPlanError(quoted + ": " + disk.image + " is not in the archive (see ls)"))
            case .notAFile: return .failure(DiskPlanError(quoted + ": " + disk.image + " is not a file"))
            case .found(let l): location = l
            }
            guard location.size > 0 else { return .failure(DiskPlanError(quoted + " is empty")) }
            guard location.size % DiskTable.sectorSize == 0 else {
                return .failure(DiskPlanError(
                    quoted + " is " + String(location.size) + " bytes, not a multiple of 512"))
            }
            guard location.offset % DiskTable.sectorSize == 0 else {
                return .failure(DiskPlanError(quoted + " does not start on a sector of " + location.deviceName))
            }
            let first = location.offset / DiskTable.sectorSize, sectors = location.size / DiskTable.sectorSize
            guard first <= location.deviceSectors, sectors <= location.deviceSectors - first else {
                return .failure(DiskPlanError(quoted + " runs past the end of " + location.deviceName))
            }
            if disk.writable && location.deviceReadOnly {
                return .failure(DiskPlanError(quoted + " is on read-only " + location.deviceName))
            }
            let entry = BackendDisk(
                domain: domain, index: position, image: disk.image, device: location.device,
                deviceName: location.deviceName, firstSector: first, sectors: sectors, writable: disk.writable)
            if let other = conflict(with: entry) {
                return .failure(DiskPlanError(quoted + " is in use by domain " + String(other.domain)))
            }
            if conflict(with: entry, among: planned) != nil {
                return .failure(DiskPlanError(quoted + " is listed twice, and written through one of them"))
            }
            planned.append(entry)
        }
        return .success(planned)
    }

    /// What to do with `request`: checked against its entry (none: IOERR; the firmware
    /// checked the request against the capacity it was given, this checks again against the
    /// image).
    public func action(for request: DiskRequest) -> DiskAction {
        guard let e = entry(domain: request.domain, disk: request.disk) else {
            return .complete(DiskRequest.statusIOError)
        }
        switch request.type {
        case DiskRequest.typeIn, DiskRequest.typeOut:
            let length = request.length
            guard length % DiskTable.sectorSize == 0, request.sector <= e.sectors,
                  length / DiskTable.sectorSize <= e.sectors - request.sector else {
                return .complete(DiskRequest.statusIOError)
            }
            let sector = e.firstSector &+ request.sector
            if request.type == DiskRequest.typeIn { return .read(device: e.device, sector: sector, bytes: length) }
            guard e.writable else { return .complete(DiskRequest.statusIOError) }
            return .write(device: e.device, sector: sector, bytes: length)
        case DiskRequest.typeFlush:
            // Nothing of a read-only image can be waiting to be written.
            return e.writable ? .flush(device: e.device) : .complete(DiskRequest.statusOK)
        case DiskRequest.typeGetID:
            let id = DiskTable.identifier(domain: e.domain, disk: e.index)
            return .identify(Array(id.prefix(Int(min(request.length, UInt64(DiskTable.idLength))))))
        default:
            return .complete(DiskRequest.statusUnsupported)
        }
    }

    /// The device ID GET_ID returns: "vireo-DOMAIN-DISK", NUL-padded to 20 bytes (cut at 20).
    public static func identifier(domain: UInt64, disk: Int) -> [UInt8] {
        var bytes = Array(("vireo-" + String(domain) + "-" + String(disk)).utf8)
        if bytes.count > idLength { bytes.removeLast(bytes.count - idLength) }
        while bytes.count < idLength { bytes.append(0) }
        return bytes
    }

    /// The index a virtual device name stands for: "vda"/"xvda"/"sda"/"hda" → 0, "vdb" → 1,
    /// …; nil for names of another form (those are taken in order as they are).
    public static func vdevIndex(_ vdev: String) -> Int? {
        let bytes = Array(vdev.utf8)
        for prefix in ["xvd", "vd", "sd", "hd"] {
            let p = Array(prefix.utf8)
            guard bytes.count == p.count + 1, bytes.starts(with: p) else { continue }
            let last = bytes[bytes.count - 1]
            guard last >= 0x61, last <= 0x7A else { return nil }
            return Int(last - 0x61)
        }
        return nil
    }

    /// The name of disk `index` with the prefix of `like` ("xvdb" for 1 like "xvdc").
    static func vdevName(_ index: Int, like: String) -> String {
        var bytes = Array(like.utf8)
        guard !bytes.isEmpty, index < 26 else { return "disk " + String(index) }
        bytes[bytes.count - 1] = 0x61 + UInt8(index)
        return String(decoding: bytes, as: UTF8.self)
    }
}
