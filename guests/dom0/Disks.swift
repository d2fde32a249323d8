/// Dom0's disks: every virtio block device its DTB lists (the slots the firmware passed
/// through), driven by the runtime's interrupt-driven virtio-blk driver through Dom0's
/// (virtual) PLIC. Devices are named vda, vdb, … in slot order, as Linux names them. Each
/// holds an archive for the `Library`; the guests' disk images are members of those
/// archives, which the disk backend (`Backend`) reads and writes here.
enum Disks {
  /// Sectors per request while reading a disk whole.
  static let chunk = 64

  /// One of Dom0's disks.
  struct Device {
    let name: String
    let handle: VirtioBlockDevice
    /// Capacity in 512-byte sectors.
    var sectors: UInt64 { handle.capacity }
    /// The device offers VIRTIO_BLK_F_RO.
    var readOnly: Bool { handle.isReadOnly }
  }

  /// The disks that could be opened, in slot order (index = `Device` number).
  static var devices: [Device] = []

  /// Opens every disk and hands each to the library.
  static func attach(to library: Library, tree: DeviceTree?) {
    guard let tree else { return }
    let plic = PLICDriver(deviceTree: tree, hart: 0)
    for (n, slot) in VirtioBlockDevice.blockSlots(in: tree).enumerated() {
      let name = "vd" + String(decoding: [UInt8(ascii: "a") + UInt8(n % 26)], as: UTF8.self)
      let disk: VirtioBlockDevice
      do throws(VirtioBlockError) {
        disk = try VirtioBlockDevice(slot: slot, plic: plic)
      } catch {
        library.note(name + ": " + error.description)
        continue
      }
      devices.append(Device(name: name, handle: disk))
      library.add(device: devices.count - 1)
    }
  }

  /// Reads `buffer.count` bytes (whole sectors) from `sector` on disk `device`, `chunk`
  /// sectors per request. Nil when done, else why not.
  static func read(_ device: Int, sector: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> String? {
    guard device >= 0, device < devices.count else { return "no such disk" }
    let disk = devices[device].handle
    let total = buffer.count / VirtioBlockDevice.sectorSize
    var done = 0
    while done < total {
      let n = min(chunk, total - done)
      let part = UnsafeMutableRawBufferPointer(rebasing: buffer[(done * VirtioBlockDevice.sectorSize)...])
      do throws(VirtioBlockError) {
        try disk.read(sector: sector &+ UInt64(done), count: n, into: part)
      } catch {
        return error.description
      }
      done += n
    }
    return nil
  }

  /// Writes `buffer` (whole sectors) at `sector` on disk `device` in one request. Nil when
  /// done, else why not.
  static func write(_ device: Int, sector: UInt64, from buffer: UnsafeRawBufferPointer) -> String? {
    guard device >= 0, device < devices.count else { return "no such disk" }
    do throws(VirtioBlockError) {
      try devices[device].handle.write(sector: sector, count: buffer.count / VirtioBlockDevice.sectorSize, from: buffer)
    } catch {
      return error.description
    }
    return nil
  }

  /// VIRTIO_BLK_T_FLUSH on disk `device` (nothing to do when the device does not offer
  /// VIRTIO_BLK_F_FLUSH). Nil when done, else why not.
  static func flush(_ device: Int) -> String? {
    guard device >= 0, device < devices.count else { return "no such disk" }
    do throws(VirtioBlockError) {
      try devices[device].handle.flush()
    } catch {
      return error.description
    }
    return nil
  }
}
