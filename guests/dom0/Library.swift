/// The guest kernels, ramdisks, disk images and configurations Dom0 can build from: one
/// ustar archive per disk (DESIGN §4: `tar cf guests.tar …` on a virtio disk), indexed by
/// Dom0Kit's `TarArchive`. A disk up to `maxArchiveBytes` is read whole into Dom0's RAM
/// (files are then views into it); a larger one is indexed header by header and its files
/// are read when asked for, so that a disk can hold guest disk images much larger than
/// Dom0's memory.
final class Library {
  struct Archive {
    /// Dom0's disk (`Disks.devices` index) and its name.
    let device: Int
    let deviceName: String
    /// The whole disk, when it is held in memory (nil: read on demand).
    let bytes: UnsafeMutableRawBufferPointer?
    let tar: TarArchive
  }

  /// A file's contents: a view into a disk held in memory, or a buffer of its own (freed
  /// with the value).
  final class File {
    let bytes: UnsafeRawBufferPointer
    private let owned: UnsafeMutableRawBufferPointer?

    init(view: UnsafeRawBufferPointer) {
      bytes = view
      owned = nil
    }

    init(owning buffer: UnsafeMutableRawBufferPointer, count: Int) {
      owned = buffer
      bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<count])
    }

    deinit { owned?.deallocate() }
  }

  private(set) var archives: [Archive] = []
  /// One line per disk that held no usable archive.
  private(set) var problems: [String] = []
  /// Disks up to this size are read whole; larger files are not loaded (a kernel or
  /// ramdisk must fit Dom0's heap next to everything else).
  static let maxArchiveBytes = 24 << 20
  static let maxFileBytes = 24 << 20

  /// Records a disk that could not be used.
  func note(_ problem: String) { problems.append(problem) }

  /// Adds the archive on disk `device` (`Disks.devices`).
  func add(device: Int) {
    let disk = Disks.devices[device]
    guard disk.sectors <= UInt64(Int.max / VirtioBlockDevice.sectorSize) else {
      problems.append(disk.name + ": too large")
      return
    }
    let byteCount = Int(disk.sectors) * VirtioBlockDevice.sectorSize
    // Too large to hold, or no room left in Dom0's heap: indexed, read on demand.
    guard byteCount <= Library.maxArchiveBytes, let buffer = Library.allocate(byteCount) else {
      addStreamed(device: device, byteCount: byteCount)
      return
    }
    if let why = Disks.read(device, sector: 0, into: buffer) {
      buffer.deallocate()
      problems.append(disk.name + ": the disk could not be read: " + why)
      return
    }
    do throws(TarError) {
      let tar = try TarArchive(bytes: UnsafeRawBufferPointer(buffer))
      archives.append(Archive(device: device, deviceName: disk.name, bytes: buffer, tar: tar))
    } catch {
      buffer.deallocate()
      problems.append(disk.name + ": not a usable tar archive: " + error.message)
    }
  }

  /// Indexes a disk too large to hold: its headers are read one block at a time.
  private func addStreamed(device: Int, byteCount: Int) {
    let name = Disks.devices[device].name
    let block = UnsafeMutableRawBufferPointer.allocate(byteCount: VirtioBlockDevice.sectorSize, alignment: 512)
    defer { block.deallocate() }
    var why = ""
    do throws(TarError) {
      let tar = try TarArchive(byteCount: UInt64(byteCount)) { index in
        if let failure = Disks.read(device, sector: index, into: block) {
          why = failure
          return nil
        }
        return UnsafeRawBufferPointer(block)
      }
      archives.append(Archive(device: device, deviceName: name, bytes: nil, tar: tar))
    } catch {
      problems.append(name + ": " + (why.isEmpty ? "not a usable tar archive: " + error.message : "the disk could not be read: " + why))
    }
  }

  /// The archive and member called `name`: the first archive that has it.
  func locate(_ name: String) -> (archive: Archive, member: TarMember)? {
    for a in archives {
      if let m = a.tar.member(named: name) { return (a, m) }
    }
    return nil
  }

  /// Why `read` found nothing.
  enum Missing: Error {
    case notFound
    case notAFile
    case tooLarge(UInt64)
    case noMemory(UInt64)
    case unreadable(String)
  }

  /// The contents of a regular file, from the first archive that has it.
  func read(_ name: String) -> Result<File, Missing> {
    guard let (a, m) = locate(name) else { return .failure(.notFound) }
    guard m.type.isFile else { return .failure(.notAFile) }
    if let bytes = a.bytes {
      guard let data = TarArchive.data(of: m, in: UnsafeRawBufferPointer(bytes)) else { return .failure(.notFound) }
      return .success(File(view: data))
    }
    guard m.size <= UInt64(Library.maxFileBytes) else { return .failure(.tooLarge(m.size)) }
    let sectors = Int((m.size + 511) / 512)
    guard let buffer = Library.allocate(max(sectors, 1) * 512) else { return .failure(.noMemory(m.size)) }
    if sectors > 0, let why = Disks.read(a.device, sector: m.dataBlock, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(sectors * 512)])) {
      buffer.deallocate()
      return .failure(.unreadable(why))
    }
    return .success(File(owning: buffer, count: Int(m.size)))
  }

  /// A one-line reason for a `read` failure of `what` ("kernel x.elf").
  static func message(_ missing: Missing, _ what: String) -> String {
    switch missing {
    case .notFound: return what + " is not in the archive (see ls)"
    case .notAFile: return what + " is not a file"
    case .tooLarge(let size):
      return what + " is " + String(size >> 20) + " MiB, more than Dom0 loads (" + String(Library.maxFileBytes >> 20) + " MiB)"
    case .noMemory(let size): return what + " (" + Shell.size(size) + ") does not fit in Dom0's free memory"
    case .unreadable(let why): return what + " could not be read: " + why
    }
  }

  /// Where a guest disk image lies (for `DiskTable.plan`).
  func lookup(_ name: String) -> DiskImageLookup {
    guard let (a, m) = locate(name) else { return .missing }
    guard m.type.isFile else { return .notAFile }
    let disk = Disks.devices[a.device]
    return .found(DiskImageLocation(
      device: a.device, deviceName: a.deviceName, deviceReadOnly: disk.readOnly, deviceSectors: disk.sectors,
      offset: m.dataOffset, size: m.size))
  }

  /// `byteCount` bytes of Dom0's heap, 4 KiB-aligned, or nil when there is no room (the
  /// allocator's classes are powers of two: a large file may not find one).
  static func allocate(_ byteCount: Int) -> UnsafeMutableRawBufferPointer? {
    var p: UnsafeMutableRawPointer? = nil
    guard posixMemalign(&p, 4096, byteCount) == 0, let p else { return nil }
    return UnsafeMutableRawBufferPointer(start: p, count: byteCount)
  }

  /// Disk `device`'s bytes when held in memory.
  func resident(_ device: Int) -> UnsafeMutableRawBufferPointer? {
    for a in archives where a.device == device { return a.bytes }
    return nil
  }

  /// Keeps the copy in memory of disk `device` (if any) equal to the disk after a guest
  /// wrote `data` at byte `offset`.
  func wrote(_ device: Int, offset: UInt64, _ data: UnsafeRawBufferPointer) {
    guard let bytes = resident(device), let src = data.baseAddress, let dst = bytes.baseAddress,
          offset <= UInt64(bytes.count), UInt64(data.count) <= UInt64(bytes.count) - offset else { return }
    (dst + Int(offset)).copyMemory(from: src, byteCount: data.count)
  }
}

/// The shared libc's allocator (tools/rt/libc.c), called directly so that a failure is a
/// nil instead of a trap (Swift's `allocate` traps when it gets none).
@_extern(c, "posix_memalign") func posixMemalign(_ result: UnsafeMutablePointer<UnsafeMutableRawPointer?>, _ alignment: Int, _ size: Int) -> Int32
