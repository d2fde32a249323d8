import FirmwareKit
import Testing

/// Shadow tables (issue 17 item 2, `ShadowPool`, `ShadowSpace`, `ShadowCache`) in memory the
/// test allocates: Sv39 structure, fences that drop only what they name, the bound and the
/// eviction order, and a pool that runs dry.
@Suite struct ShadowTablesTests {
    typealias SP = ShadowPaging

    /// A pool of `pages` 4 KiB pages in host memory (aligned), freed by the caller.
    static func pool(_ pages: Int) -> (ShadowPool, UnsafeMutableRawPointer) {
        let mem = UnsafeMutableRawPointer.allocate(byteCount: pages * 4096, alignment: 4096)
        return (ShadowPool(base: UInt64(UInt(bitPattern: mem)), pages: pages), mem)
    }

    static func leaf(_ pa: UInt64) -> UInt64 { ((pa >> 12) << 10) | SP.V | SP.U | SP.R | SP.A | SP.D }

    @Test func mapsLookUpAndUnmapAsSv39() {
        var (pool, mem) = Self.pool(8)
        defer { mem.deallocate() }
        var space = try! #require(ShadowSpace(pool: &pool))
        #expect(space.satp >> 60 == 8 && (space.satp & ((UInt64(1) << 44) - 1)) << 12 == space.root)
        #expect(space.map(0x4000_1000, leaf: Self.leaf(0x9000_0000), pool: &pool))
        #expect(space.pageCount == 3, "root, one level-1 and one level-0 table")
        #expect(space.map(0x4000_2000, leaf: Self.leaf(0x9000_1000), pool: &pool))
        #expect(space.pageCount == 3, "the same level-0 table")
        #expect(space.map(0x8000_0000, leaf: Self.leaf(0x9000_2000), pool: &pool))
        #expect(space.pageCount == 5)
        #expect(space.lookup(0x4000_1234) == Self.leaf(0x9000_0000))
        #expect(space.lookup(0x4000_3000) == nil)
        // The root entry for 0x4000_0000 (VPN[2] = 1) points at a table: V only.
        let rootEntry = UnsafeMutablePointer<UInt64>(bitPattern: UInt(space.root + 8))!.pointee
        #expect(rootEntry & (SP.V | SP.R | SP.W | SP.X) == SP.V)
        space.unmap(0x4000_1000)
        #expect(space.lookup(0x4000_1000) == nil && space.lookup(0x4000_2000) != nil)
        space.release(pool: &pool)
        #expect(pool.available == 8)
    }

    @Test func cacheIsBoundedEvictsTheLeastRecentlyUsedAndFencesWhatTheyName() {
        var (pool, mem) = Self.pool(64)
        defer { mem.deallocate() }
        var cache = ShadowCache(capacity: 3)
        let a = ShadowCache.Key(satp: (8 << 60) | 0x100, privilege: 1)
        let aUser = ShadowCache.Key(satp: (8 << 60) | 0x100, privilege: 0)
        let b = ShadowCache.Key(satp: (8 << 60) | 0x200, privilege: 1)
        let c = ShadowCache.Key(satp: (8 << 60) | 0x300, privilege: 1)
        var ia = cache.space(for: a, pool: &pool)!
        ia = cache.map(ia, 0x1000, leaf: Self.leaf(0x9000_0000), pool: &pool)!
        ia = cache.map(ia, 0x2000, leaf: Self.leaf(0x9000_1000), pool: &pool)!
        var iu = cache.space(for: aUser, pool: &pool)!
        iu = cache.map(iu, 0x1000, leaf: Self.leaf(0x9000_0000), pool: &pool)!
        _ = cache.space(for: b, pool: &pool)
        #expect(cache.keys.count == 3 && cache.builds == 3)
        // The kernel and user views of one satp are separate spaces.
        #expect(cache.spaces[cache.space(for: aUser, pool: &pool)!].lookup(0x2000) == nil)
        // Touch a, then a fourth key evicts the least recently used (b).
        _ = cache.space(for: a, pool: &pool)
        _ = cache.space(for: aUser, pool: &pool)
        _ = cache.space(for: c, pool: &pool)
        #expect(cache.keys.count == 3 && cache.evictions == 1 && !cache.keys.contains(b))
        #expect(cache.spaces[cache.space(for: a, pool: &pool)!].lookup(0x1000) != nil, "a survived with its leaves")
        // SFENCE.VMA with an address drops that page only, in every space.
        cache.fence(va: 0x1000, asid: nil, pool: &pool)
        let i = cache.space(for: a, pool: &pool)!
        #expect(cache.spaces[i].lookup(0x1000) == nil && cache.spaces[i].lookup(0x2000) != nil)
        // Without an address, everything goes and the pool is whole again.
        cache.fence(va: nil, asid: nil, pool: &pool)
        #expect(cache.keys.isEmpty && pool.available == 64)
    }

    @Test func aPoolThatRunsDryEvictsOtherSpacesThenRebuilds() {
        var (pool, mem) = Self.pool(6)
        defer { mem.deallocate() }
        var cache = ShadowCache(capacity: 4)
        let a = ShadowCache.Key(satp: (8 << 60) | 0x100, privilege: 1)
        let b = ShadowCache.Key(satp: (8 << 60) | 0x200, privilege: 1)
        var ib = cache.space(for: b, pool: &pool)!
        ib = cache.map(ib, 0x1000, leaf: Self.leaf(0x9000_0000), pool: &pool)!      // 3 pages
        var ia = cache.space(for: a, pool: &pool)!                                     // 4
        ia = cache.map(ia, 0x1000, leaf: Self.leaf(0x9000_0000), pool: &pool)!        // 6: the pool is empty
        #expect(pool.available == 0)
        // Another gigabyte region needs two tables: b goes.
        ia = cache.map(ia, 0x8000_0000, leaf: Self.leaf(0x9000_1000), pool: &pool)!
        #expect(!cache.keys.contains(b) && cache.spaces[ia].lookup(0x8000_0000) != nil && cache.spaces[ia].lookup(0x1000) != nil)
        // Alone and out of pages: a is emptied and rebuilt with just the new leaf.
        ia = cache.map(ia, 0x4000_0000, leaf: Self.leaf(0x9000_2000), pool: &pool)!
        #expect(cache.spaces[ia].lookup(0x4000_0000) != nil && cache.spaces[ia].lookup(0x1000) == nil)
        #expect(cache.builds == 3 && cache.evictions == 2)
    }
}
