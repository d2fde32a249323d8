/// Dom0's disks: every virtio block device its DTB lists (the slots the firmware passed
/// through), driven by the runtime's interrupt-driven virtio-blk driver through Dom0's
/// (virtual) PLIC, each read whole into the `Library`. Devices are named vda, vdb, … in
/// slot order, as Linux names them.
enum Disks {
  /// Sectors per request while reading a disk.
  static let chunk = 64

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
      let sectors = Int(disk.capacity)
      var failure = ""
      library.add(device: name, byteCount: sectors * VirtioBlockDevice.sectorSize, failure: { failure }) { buffer in
        var sector = 0
        while sector < sectors {
          let n = min(chunk, sectors - sector)
          let part = UnsafeMutableRawBufferPointer(rebasing: buffer[(sector * VirtioBlockDevice.sectorSize)...])
          do throws(VirtioBlockError) {
            try disk.read(sector: UInt64(sector), count: n, into: part)
          } catch {
            failure = error.description
            return false
          }
          sector += n
        }
        return true
      }
    }
  }
}
