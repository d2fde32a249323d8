import Shim

/// The heap behind `posix_memalign`/`free` (runtime.c), which Embedded Swift calls for classes, arrays
/// and strings (EMBEDDED.md "Runtime symbols you provide"). It lives in the 256 KiB reserved by
/// start.S. Blocks carry a 16-byte header holding their size class: class k holds up to
/// 16 << k bytes (k < `classCount`) and is recycled through a free list per class; bigger or
/// over-aligned blocks come straight from the bump pointer and are never reused.
enum Heap {
  static let headerSize: UInt = 16
  static let classCount = 9
  static let unclassed: UInt = .max

  /// Next free byte of the bump region; 0 until the first allocation sets up the heap.
  static var next: UInt = 0

  /// The free-list heads, one word per class, kept at the start of the heap region.
  static var freeLists: UnsafeMutablePointer<UInt> {
    UnsafeMutablePointer(bitPattern: UInt(heap_start_address()))!
  }

  static func sizeClass(_ size: UInt) -> UInt {
    var k: UInt = 0
    while k < UInt(classCount) && (16 &<< k) < size { k &+= 1 }
    return k < UInt(classCount) ? k : unclassed
  }

  static func allocate(size: UInt, alignment: UInt) -> UnsafeMutableRawPointer? {
    if next == 0 {
      next = UInt(heap_start_address()) &+ UInt(classCount) &* 8
      next = (next &+ 15) & ~15
    }
    let k = alignment <= 16 ? sizeClass(size) : unclassed
    if k != unclassed, freeLists[Int(k)] != 0 {
      let block = freeLists[Int(k)]
      freeLists[Int(k)] = UnsafeMutablePointer<UInt>(bitPattern: block)!.pointee
      // The link overwrote the header while the block was free: restore its size class.
      UnsafeMutablePointer<UInt>(bitPattern: block)!.pointee = k
      return UnsafeMutableRawPointer(bitPattern: block &+ headerSize)
    }
    let capacity = k != unclassed ? 16 &<< k : (size &+ 15) & ~15
    let align = alignment > 16 ? alignment : 16
    let payload = (next &+ headerSize &+ align &- 1) & ~(align &- 1)
    guard payload &+ capacity <= UInt(heap_end_address()) else { return nil }
    UnsafeMutablePointer<UInt>(bitPattern: payload &- headerSize)!.pointee = k
    next = payload &+ capacity
    return UnsafeMutableRawPointer(bitPattern: payload)
  }

  static func release(_ pointer: UnsafeMutableRawPointer) {
    let header = UInt(bitPattern: pointer) &- headerSize
    let k = UnsafeMutablePointer<UInt>(bitPattern: header)!.pointee
    guard k != unclassed else { return }
    UnsafeMutablePointer<UInt>(bitPattern: header)!.pointee = freeLists[Int(k)]
    freeLists[Int(k)] = header
  }
}

// runtime.c's posix_memalign/free forward here: Swift reserves the C name `free` for its
// runtime, so the exported names are our own.
@_cdecl("demo_heap_allocate")
func demoHeapAllocate(_ size: UInt, _ alignment: UInt) -> UnsafeMutableRawPointer? {
  Heap.allocate(size: size, alignment: alignment)
}

@_cdecl("demo_heap_release")
func demoHeapRelease(_ pointer: UnsafeMutableRawPointer) {
  Heap.release(pointer)
}
