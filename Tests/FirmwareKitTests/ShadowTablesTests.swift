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

    /// A fence of one address drops the leaves built from the same guest superpage, and
    /// only those; a region drop gives its tables back to the pool.
    @Test func fencesFindTheLeavesOfAGuestSuperpage() {
        var (pool, mem) = Self.pool(16)
        defer { mem.deallocate() }
        var space = try! #require(ShadowSpace(pool: &pool))
        // Two leaves from one guest megapage at 0x4020_0000, two 4 KiB leaves beside it in
        // another 2 MiB region, and two leaves from a guest gigapage at 0x8000_0000.
        #expect(space.map(0x4020_1000, leaf: Self.leaf(0x9000_0000), guestLevel: 1, pool: &pool))
        #expect(space.map(0x403F_F000, leaf: Self.leaf(0x9000_1000), guestLevel: 1, pool: &pool))
        #expect(space.map(0x4000_1000, leaf: Self.leaf(0x9000_2000), pool: &pool))
        #expect(space.map(0x4000_2000, leaf: Self.leaf(0x9000_3000), pool: &pool))
        #expect(space.map(0x8000_1000, leaf: Self.leaf(0x9000_4000), guestLevel: 2, pool: &pool))
        #expect(space.map(0xBFE0_0000, leaf: Self.leaf(0x9000_5000), guestLevel: 2, pool: &pool))
        let pages = space.pageCount
        // A fence of an address of the megapage that has no leaf of its own yet.
        space.fence(0x4030_0000, pool: &pool)
        #expect(space.lookup(0x4020_1000) == nil && space.lookup(0x403F_F000) == nil)
        #expect(space.lookup(0x4000_1000) != nil && space.lookup(0x4000_2000) != nil, "the 4 KiB region stays")
        #expect(space.pageCount == pages - 1, "the megapage's level-0 table went back")
        // A 4 KiB fence drops one leaf.
        space.fence(0x4000_1000, pool: &pool)
        #expect(space.lookup(0x4000_1000) == nil && space.lookup(0x4000_2000) != nil)
        // Any address of the gigapage drops all its leaves and tables.
        space.fence(0x9000_0000, pool: &pool)
        #expect(space.lookup(0x8000_1000) == nil && space.lookup(0xBFE0_0000) == nil)
        #expect(space.pageCount == pages - 4 && space.lookup(0x4000_2000) != nil)
        // A level-1 drop (a store to a guest PTE that maps 2 MiB) in the 4 KiB region.
        space.drop(0x4000_0000, level: 1, pool: &pool)
        #expect(space.lookup(0x4000_2000) == nil && space.pageCount == 2)
        space.release(pool: &pool)
        #expect(pool.available == 16)
    }

    /// The reverse map: which virtual region a store to a table page changes, at each place
    /// the page serves; a root entry's region is sign-extended; the bound starts it again.
    @Test func guestTableMapSaysWhatAStoreChanges() {
        var map = GuestTableMap(capacity: 4)
        let note1 = map.note(page: 0x8010_0000, level: 2, base: 0x1234)
        #expect(note1, "a new page")
        let note2 = map.note(page: 0x8010_0000, level: 2, base: 0)
        #expect(!note2, "known")
        let note3 = map.note(page: 0x8010_1000, level: 1, base: 0xFFFF_FFFF_C000_0000)
        #expect(note3)
        let note4 = map.note(page: 0x8010_2000, level: 0, base: 0x4020_0000)
        #expect(note4)
        let note5 = map.note(page: 0x8010_2000, level: 0, base: 0x4060_0000)
        #expect(!note5, "known page, a second place")
        #expect(map.contains(0x8010_2000) && !map.contains(0x8010_3000))
        let root = map.regions(storeAt: 0x8010_0000 + 511 * 8)
        #expect(root.count == 1 && root[0].va == 0xFFFF_FFFF_C000_0000 && root[0].level == 2)
        let low = map.regions(storeAt: 0x8010_0000 + 1 * 8)
        #expect(low.count == 1 && low[0].va == 0x4000_0000)
        let middle = map.regions(storeAt: 0x8010_1000 + 3 * 8 + 4)
        #expect(middle.count == 1 && middle[0].va == 0xFFFF_FFFF_C060_0000 && middle[0].level == 1)
        let leaf = map.regions(storeAt: 0x8010_2000 + 2 * 8)
        #expect(leaf.map(\.va) == [0x4020_2000, 0x4060_2000] && leaf.allSatisfy { $0.level == 0 })
        #expect(map.regions(storeAt: 0x8010_3000).isEmpty)
        // Full: the next new place starts the map again, and says so.
        let note6 = map.note(page: 0x8010_1000, level: 0, base: 0)
        #expect(note6)
        #expect(map.uses.count == 1 && !map.contains(0x8010_0000))
        // Room for a whole walk (3 tables) is made before it, not halfway.
        let roomy = map.makeRoom(3)
        #expect(!roomy && map.uses.count == 1)
        _ = map.note(page: 0x8010_4000, level: 0, base: 0)
        let reset = map.makeRoom(3)
        #expect(reset && map.uses.isEmpty)
    }

    /// AMOs and SC on write-protected memory, as the VMM carries them out.
    @Test func atomicAccessesDecodeAndApplyAsTheSpecSays() {
        // amoswap.d a0, a1, (a2) = 0x08b6352f; amoand.w t0, t1, (t2) = 0x6063a2af
        let swap = try! #require(AtomicAccess.decode(0x08B6_352F))
        #expect(swap == AtomicAccess(operation: .swap, width: 8, rd: 10, rs1: 12, rs2: 11))
        #expect(swap.apply(old: 5, operand: 7) == (7, 5))
        let and = try! #require(AtomicAccess.decode(0x6063_A2AF))
        #expect(and.operation == .and && and.width == 4 && and.rd == 5 && and.rs1 == 7 && and.rs2 == 6)
        let r = and.apply(old: 0xFFFF_FFFF_8000_00FF, operand: 0x0F)
        #expect(r.store == 0x0F && r.result == 0xFFFF_FFFF_8000_00FF, "the old word sign-extended")
        // sc.d a0, a1, (a2) = 0x18b6352f: stores rs2, rd = 0.
        #expect(AtomicAccess.decode(0x18B6_352F)!.apply(old: 1, operand: 9) == (9, 0))
        // lr.d a0, (a2) = 0x1006352f is a load: not decoded. Nor are loads or stores.
        #expect(AtomicAccess.decode(0x1006_352F) == nil && AtomicAccess.decode(0x00B6_3023) == nil)
        // amomin.w: signed on 32 bits; amomaxu.w: unsigned.
        let minW = AtomicAccess(operation: .min, width: 4, rd: 1, rs1: 2, rs2: 3)
        #expect(minW.apply(old: 0x8000_0000, operand: 1).store == 0x8000_0000)
        let maxuW = AtomicAccess(operation: .maxu, width: 4, rd: 1, rs1: 2, rs2: 3)
        #expect(maxuW.apply(old: 0x8000_0000, operand: 1).store == 0x8000_0000)
        let add = AtomicAccess(operation: .add, width: 4, rd: 1, rs1: 2, rs2: 3)
        #expect(add.apply(old: 0xFFFF_FFFF, operand: 2).store == 1, "wraps in 32 bits")
    }
}
