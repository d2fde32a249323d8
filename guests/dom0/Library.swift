/// The guest kernels and configurations Dom0 can build from: one ustar archive per disk
/// (DESIGN §4: `tar cf guests.tar …` on a virtio disk). Dom0 reads each disk whole into its
/// RAM (it is small next to Dom0's 64 MiB; a larger one is refused with a message), and
/// Dom0Kit's `TarArchive` indexes it.
final class Library {
  struct Archive {
    let device: String
    let bytes: UnsafeMutableRawBufferPointer
    let tar: TarArchive
  }

  private(set) var archives: [Archive] = []
  /// One line per disk that held no usable archive.
  private(set) var problems: [String] = []
  static let maxArchiveBytes = 24 << 20

  /// Records a disk that could not be used.
  func note(_ problem: String) { problems.append(problem) }

  /// Adds the archive read from a disk of `byteCount` bytes; `read` fills the buffer.
  func add(device: String, byteCount: Int, failure: () -> String = { "" }, read: (UnsafeMutableRawBufferPointer) -> Bool) {
    guard byteCount <= Library.maxArchiveBytes else {
      problems.append(device + ": " + String(byteCount >> 20) + " MiB is more than Dom0 reads (" + String(Library.maxArchiveBytes >> 20) + " MiB)")
      return
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 4096)
    guard read(buffer) else {
      buffer.deallocate()
      let why = failure()
      problems.append(device + ": the disk could not be read" + (why.isEmpty ? "" : ": " + why))
      return
    }
    do throws(TarError) {
      let tar = try TarArchive(bytes: UnsafeRawBufferPointer(buffer))
      archives.append(Archive(device: device, bytes: buffer, tar: tar))
    } catch {
      buffer.deallocate()
      problems.append(device + ": not a usable tar archive: " + error.message)
    }
  }

  /// The contents of a file, from the first archive that has it (a view into the
  /// archive, which stays in memory).
  func read(_ name: String) -> UnsafeRawBufferPointer? {
    for a in archives {
      guard let m = a.tar.member(named: name), m.type.isFile,
            let data = TarArchive.data(of: m, in: UnsafeRawBufferPointer(a.bytes)) else { continue }
      return data
    }
    return nil
  }
}
