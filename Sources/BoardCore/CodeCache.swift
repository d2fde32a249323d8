#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decoded instructions, one `DecodedPage` per physical page that has been executed from
/// (DESIGN §2 "Speed"). A page holds 2048 slots, one per halfword, plus a `pageEnd` sentinel,
/// then the JIT table: one word per slot (a visit counter, `JIT.never`, or translated code).
/// Decoding is a pure function of the bits, so pages are shared by every hart. Pages that hold
/// decoded code are never mapped by the write TLBs: stores to them take the slow path, which
/// retires the page's decoded instructions (the slots carry block costs that depend on their
/// neighbours), so self-modifying code and the loader stay coherent without FENCE.I.
final class CodeCache {
    static let slots = 2048
    /// Byte offset of the JIT table in a decoded page (after slot 2049, which only the
    /// scratch page uses: a 32-bit instruction at its slot 2047 steps to it).
    static let tableOffset = (slots + 2) * MemoryLayout<Decoded>.stride
    static let pageBytes = tableOffset + (slots + 2) * MemoryLayout<UInt>.stride
    /// At most this many decoded pages (≈ 192 MiB of host memory with their JIT tables); beyond it the cache is
    /// emptied and refilled.
    static let maxPages = 4096

    private let base: UInt64
    private let pageCount: Int
    /// Decoded page per physical page of the covered range, or nil.
    private let table: UnsafeMutablePointer<UnsafeMutablePointer<Decoded>?>
    private(set) var livePages = 0
    /// Harts whose write TLBs must forget a page when it starts holding code.
    var harts: [Unmanaged<Hart>] = []

    /// Covers physical [base, base + bytes).
    init(base: UInt64, bytes: UInt64) {
        self.base = base
        pageCount = Int(bytes >> 12)
        table = .allocate(capacity: pageCount)
        table.initialize(repeating: nil, count: pageCount)
    }

    deinit {
        // No callbacks here: the harts may already be gone.
        for i in 0..<pageCount where table[i] != nil { free(table[i]) }
        for p in retired { free(p) }
        table.deallocate()
    }

    @inline(__always)
    func index(_ pa: UInt64) -> Int? {
        let i = (pa &- base) >> 12
        return i < UInt64(pageCount) ? Int(i) : nil
    }

    @inline(__always)
    func isCode(_ pa: UInt64) -> Bool {
        guard let i = index(pa) else { return false }
        return table[i] != nil
    }

    /// The decoded page for the physical page holding `pa`, created empty when missing.
    func page(for pa: UInt64) -> UnsafeMutablePointer<Decoded>? {
        guard let i = index(pa) else { return nil }
        if let p = table[i] { return p }
        if livePages >= CodeCache.maxPages { flush() }
        // Zeroed memory reads as `.undecoded` slots; the host maps it lazily.
        guard let raw = calloc(1, CodeCache.pageBytes) else { return nil }
        let p = raw.bindMemory(to: Decoded.self, capacity: CodeCache.slots + 2)
        p[CodeCache.slots].op = .pageEnd
        CodeCache.table(p)[CodeCache.slots] = JIT.never
        CodeCache.table(p)[CodeCache.slots + 1] = JIT.never
        table[i] = p
        livePages += 1
        let pagePA = base &+ UInt64(i) << 12
        for h in harts { h.takeUnretainedValue().dropWriteMappings(ofPhysicalPage: pagePA) }
        return p
    }

    /// The JIT table of decoded page `p`.
    @inline(__always)
    static func table(_ p: UnsafeMutablePointer<Decoded>) -> UnsafeMutablePointer<UInt> {
        (UnsafeMutableRawPointer(p) + tableOffset).assumingMemoryBound(to: UInt.self)
    }

    /// Pages retired by writes; freed when no interpreter loop can still be walking them.
    private var retired: [UnsafeMutablePointer<Decoded>] = []

    /// Retires the decoded pages whose decoded instructions bytes [pa, pa + size) overlap
    /// (an instruction covering byte b starts at b or b − 2). A store to bytes no decoded
    /// instruction covers — data that shares a page with code — changes nothing decoded and
    /// retires nothing. A retired page stays readable until `freeRetired()`, so a loop
    /// executing from it can finish its instruction and refund the rest of its block; the
    /// next fetch decodes the new bytes.
    @inline(never)
    func invalidate(_ pa: UInt64, size: UInt64) {
        guard size > 0 else { return }
        var a = (pa &- 2) & ~1
        let end = pa &+ size
        while a < end {
            let pageEnd = (a | 0xFFF) &+ 1
            let stop = min(end, pageEnd)
            if let i = index(a), let p = table[i] {
                var slot = Int((a & 0xFFF) >> 1)
                let last = Int(((stop &- 1) & 0xFFF) >> 1)
                while slot <= last && p[slot].op == .undecoded { slot += 1 }
                if slot <= last { retire(i) }
            }
            a = pageEnd
        }
    }

    private func retire(_ i: Int) {
        guard let p = table[i] else { return }
        table[i] = nil
        livePages -= 1
        retired.append(p)
        for h in harts { h.takeUnretainedValue().dropFetchMappings(of: p) }
    }

    /// Frees retired pages (the caller is outside every interpreter loop).
    @inline(__always)
    func freeRetired() {
        if _slowPath(!retired.isEmpty) {
            for p in retired { free(p) }
            retired.removeAll(keepingCapacity: true)
        }
    }

    /// Drops every decoded page (only between runs of the interpreter: a running hart holds
    /// a pointer into its current page).
    func flush() {
        for i in 0..<pageCount where table[i] != nil {
            free(table[i])
            table[i] = nil
        }
        livePages = 0
        freeRetired()
        for h in harts { h.takeUnretainedValue().dropAllFetchMappings() }
    }
}
