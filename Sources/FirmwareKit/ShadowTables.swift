/// The classic VMM's shadow tables themselves (issue 17 item 2): Sv39 tables the hart walks
/// while a guest runs in U-mode, built one 4 KiB leaf at a time from `ShadowPaging`'s
/// leaves, out of a fixed pool of pages, and cached per guest address space (guest satp)
/// and view (its virtual S or U privilege: the two see different pages, lecture 004 §4).
/// Table addresses are physical addresses the code can also dereference (the firmware
/// runs in M-mode with translation off; the host tests use memory they allocated).

/// A pool of 4 KiB pages for shadow tables.
public struct ShadowPool {
    /// Every page of the pool (4 KiB aligned), and those free now.
    public private(set) var pages: [UInt64]
    private var freeList: [UInt64]

    /// The pool [base, base + count × 4 KiB) (`base` 4 KiB aligned).
    public init(base: UInt64, pages count: Int) {
        var list: [UInt64] = []
        for i in 0..<count { list.append(base &+ UInt64(i) &* 4096) }
        self.init(pages: list)
    }

    /// A pool of the given pages (each 4 KiB aligned).
    public init(pages: [UInt64]) {
        self.pages = pages
        freeList = pages.reversed()
    }

    public var available: Int { freeList.count }

    /// Gives the pool one more page (4 KiB aligned), free: a pool that grows on demand.
    public mutating func add(_ page: UInt64) {
        pages.append(page)
        freeList.append(page)
    }

    /// A zeroed page, or nil when the pool is exhausted.
    public mutating func allocate() -> UInt64? {
        guard let page = freeList.popLast() else { return nil }
        UnsafeMutableRawPointer(bitPattern: UInt(page))!.initializeMemory(as: UInt64.self, repeating: 0, count: 512)
        return page
    }

    public mutating func release(_ page: UInt64) {
        freeList.append(page)
        released = true
    }

    /// Set when a page went back to the pool: a hart that walked it may still hold
    /// translations through it (or, reused at once, through the same root and satp), so its
    /// TLB must be fenced before it runs the guest again. The user clears it after fencing.
    public var released = false
}

/// One shadow address space: an Sv39 root and the tables below it.
public struct ShadowSpace {
    public let root: UInt64
    private var tables: [UInt64] = []

    public init?(pool: inout ShadowPool) {
        guard let root = pool.allocate() else { return nil }
        self.root = root
    }

    /// The satp value that makes the hart walk this space (Sv39, ASID 0).
    public var satp: UInt64 { (UInt64(8) << 60) | (root >> 12) }

    private static func entry(_ table: UInt64, _ va: UInt64, _ level: Int) -> UnsafeMutablePointer<UInt64> {
        UnsafeMutablePointer<UInt64>(bitPattern: UInt(table &+ ((va >> (12 + 9 * UInt64(level))) & 0x1FF) &* 8))!
    }

    /// Software bit in a shadow non-leaf entry (RSW, Priv. §12.4.1: ignored by the hart in
    /// every PTE): some leaf below it came from a guest superpage that covers more than
    /// this entry's own table, so a fence of one address must drop the whole entry.
    public static let superpageBelow: UInt64 = 1 << 8

    /// Installs `leaf` (a 4 KiB leaf PTE) for the page of `va`, adding tables from the pool
    /// as needed. `guestLevel` is the level of the guest leaf it came from (0: 4 KiB,
    /// 1: a megapage, 2: a gigapage): the entries above it are marked, so that a fence of
    /// any address in that superpage finds every 4 KiB leaf built from it. False when the
    /// pool is exhausted (the space is unchanged but for tables already added).
    public mutating func map(_ va: UInt64, leaf: UInt64, guestLevel: Int = 0, pool: inout ShadowPool) -> Bool {
        var table = root
        for level in [2, 1] {
            let e = Self.entry(table, va, level)
            if e.pointee & ShadowPaging.V == 0 {
                guard let t = pool.allocate() else { return false }
                tables.append(t)
                e.pointee = ((t >> 12) << 10) | ShadowPaging.V
            }
            if guestLevel >= level { e.pointee |= Self.superpageBelow }
            table = ((e.pointee & ShadowPaging.ppnMask) >> 10) << 12
        }
        Self.entry(table, va, 0).pointee = leaf
        return true
    }

    /// The leaf for the page of `va`, if mapped.
    public func lookup(_ va: UInt64) -> UInt64? {
        var table = root
        for level in [2, 1] {
            let e = Self.entry(table, va, level).pointee
            guard e & ShadowPaging.V != 0 else { return nil }
            table = ((e & ShadowPaging.ppnMask) >> 10) << 12
        }
        let leaf = Self.entry(table, va, 0).pointee
        return leaf & ShadowPaging.V != 0 ? leaf : nil
    }

    /// Removes the leaf for the page of `va` alone.
    public func unmap(_ va: UInt64) {
        var table = root
        for level in [2, 1] {
            let e = Self.entry(table, va, level).pointee
            guard e & ShadowPaging.V != 0 else { return }
            table = ((e & ShadowPaging.ppnMask) >> 10) << 12
        }
        Self.entry(table, va, 0).pointee = 0
    }

    /// Removes every leaf in the naturally aligned region of `va` that one guest PTE at
    /// `level` maps (level 0: its 4 KiB page; 1: its 2 MiB; 2: its 1 GiB), giving the
    /// tables that held only that region back to the pool. What a guest page-table store
    /// to that PTE invalidates.
    public mutating func drop(_ va: UInt64, level: Int, pool: inout ShadowPool) {
        guard level < 2 else {
            let e = Self.entry(root, va, 2)
            guard e.pointee & ShadowPaging.V != 0 else { return }
            let middle = ((e.pointee & ShadowPaging.ppnMask) >> 10) << 12
            for i in 0..<512 {
                let m = UnsafeMutablePointer<UInt64>(bitPattern: UInt(middle &+ UInt64(i) &* 8))!.pointee
                if m & ShadowPaging.V != 0 { release(((m & ShadowPaging.ppnMask) >> 10) << 12, pool: &pool) }
            }
            release(middle, pool: &pool)
            e.pointee = 0
            return
        }
        let top = Self.entry(root, va, 2).pointee
        guard top & ShadowPaging.V != 0 else { return }
        let e = Self.entry(((top & ShadowPaging.ppnMask) >> 10) << 12, va, 1)
        guard e.pointee & ShadowPaging.V != 0 else { return }
        let bottom = ((e.pointee & ShadowPaging.ppnMask) >> 10) << 12
        if level == 1 {
            release(bottom, pool: &pool)
            e.pointee = 0
        } else {
            Self.entry(bottom, va, 0).pointee = 0
        }
    }

    /// SFENCE.VMA with the address `va` (Priv. §12.2.1): its leaf goes, and with it every
    /// leaf built from the same guest superpage (the marks `map` left say where).
    public mutating func fence(_ va: UInt64, pool: inout ShadowPool) {
        let top = Self.entry(root, va, 2).pointee
        guard top & ShadowPaging.V != 0 else { return }
        if top & Self.superpageBelow != 0 { return drop(va, level: 2, pool: &pool) }
        let middle = Self.entry(((top & ShadowPaging.ppnMask) >> 10) << 12, va, 1).pointee
        drop(va, level: middle & Self.superpageBelow != 0 ? 1 : 0, pool: &pool)
    }

    private mutating func release(_ table: UInt64, pool: inout ShadowPool) {
        guard let i = tables.firstIndex(of: table) else { return }
        tables.remove(at: i)
        pool.release(table)
    }

    /// Returns every page, root included, to the pool.
    public mutating func release(pool: inout ShadowPool) {
        for t in tables { pool.release(t) }
        tables.removeAll()
        pool.release(root)
    }

    /// Pages this space holds (root included).
    public var pageCount: Int { tables.count + 1 }
}

/// The shadow spaces of one vCPU, keyed by its guest satp and view, at most `capacity` of
/// them (least recently used evicted first), all drawing on its one pool.
public struct ShadowCache {
    public struct Key: Equatable {
        public var satp: UInt64
        public var privilege: UInt64
        public init(satp: UInt64, privilege: UInt64) {
            self.satp = satp
            self.privilege = privilege
        }
    }

    public let capacity: Int
    public private(set) var keys: [Key] = []
    public private(set) var spaces: [ShadowSpace] = []
    private var lastUse: [UInt64] = []
    private var clock: UInt64 = 0
    /// Spaces built (each one starts empty and fills by faults), and spaces evicted.
    public private(set) var builds: UInt64 = 0
    public private(set) var evictions: UInt64 = 0

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// The index of the space for `key`, built when there is none (evicting the least
    /// recently used space when the cache is full or the pool has no page for a root).
    /// nil only when no space can be had at all.
    public mutating func space(for key: Key, pool: inout ShadowPool) -> Int? {
        clock &+= 1
        if let i = keys.firstIndex(of: key) {
            lastUse[i] = clock
            return i
        }
        if keys.count >= capacity { evictLeastRecentlyUsed(pool: &pool) }
        var space = ShadowSpace(pool: &pool)
        while space == nil && !keys.isEmpty {
            evictLeastRecentlyUsed(pool: &pool)
            space = ShadowSpace(pool: &pool)
        }
        guard let space else { return nil }
        keys.append(key)
        spaces.append(space)
        lastUse.append(clock)
        builds &+= 1
        return keys.count - 1
    }

    /// Maps a leaf into space `index` and returns the space's index afterwards. When the
    /// pool runs dry, the other spaces are evicted (least recently used first), and as a
    /// last resort this one is emptied and built again (a shadow is only a cache). nil only
    /// when even an empty space cannot hold the page.
    public mutating func map(_ index: Int, _ va: UInt64, leaf: UInt64, guestLevel: Int = 0, pool: inout ShadowPool) -> Int? {
        var i = index
        while !spaces[i].map(va, leaf: leaf, guestLevel: guestLevel, pool: &pool) {
            let key = keys[i]
            guard keys.count > 1 else {
                evict(i, pool: &pool)
                guard let j = space(for: key, pool: &pool), spaces[j].map(va, leaf: leaf, guestLevel: guestLevel, pool: &pool) else { return nil }
                return j
            }
            var victim = i == 0 ? 1 : 0
            for j in keys.indices where j != i && lastUse[j] < lastUse[victim] { victim = j }
            evict(victim, pool: &pool)
            i = keys.firstIndex(of: key)!
        }
        return i
    }

    /// SFENCE.VMA (Priv. §12.2.1): with an address, that page's leaves (and those built
    /// from the same guest superpage) go from the spaces of the ASID, or from every space;
    /// with only an ASID, the spaces of that ASID go; with neither, every space goes. A
    /// space's ASID is its guest satp's. Dropping a space's global leaves with it is more
    /// than the spec asks, never less.
    public mutating func fence(va: UInt64?, asid: UInt64?, pool: inout ShadowPool) {
        if let va {
            for i in spaces.indices where asid == nil || (keys[i].satp >> 44) & 0xFFFF == asid! {
                spaces[i].fence(va, pool: &pool)
            }
            return
        }
        var i = 0
        while i < keys.count {
            if asid == nil || (keys[i].satp >> 44) & 0xFFFF == asid! { evict(i, pool: &pool) } else { i += 1 }
        }
    }

    /// A guest page-table store changed the PTE that maps `va`'s region at `level`: that
    /// region goes from every space (any of them may have been built through that table).
    public mutating func invalidate(_ va: UInt64, level: Int, pool: inout ShadowPool) {
        for i in spaces.indices { spaces[i].drop(va, level: level, pool: &pool) }
    }

    /// Every space goes (the pool gets all its pages back).
    public mutating func removeAll(pool: inout ShadowPool) {
        while !keys.isEmpty { evict(0, pool: &pool) }
    }

    private mutating func evictLeastRecentlyUsed(pool: inout ShadowPool) {
        guard var oldest = lastUse.indices.first else { return }
        for i in lastUse.indices where lastUse[i] < lastUse[oldest] { oldest = i }
        evict(oldest, pool: &pool)
    }

    private mutating func evict(_ i: Int, pool: inout ShadowPool) {
        spaces[i].release(pool: &pool)
        keys.remove(at: i)
        spaces.remove(at: i)
        lastUse.remove(at: i)
        evictions &+= 1
    }
}

/// The guest's page-table pages as its walks found them (issue 17 item 2): each page with
/// the level it serves at and the base of the virtual region it maps there. Every shadow
/// maps these pages read-only, so the guest's stores to them trap; the map says which
/// virtual regions such a store changes (a reverse map), so that only those are dropped
/// from the shadows. Bounded: when full it starts again, and its user must then drop every
/// shadow (nothing may stay writable that is a table).
public struct GuestTableMap {
    public struct Use: Equatable {
        public var page: UInt64
        public var level: Int
        public var base: UInt64
        public init(page: UInt64, level: Int, base: UInt64) {
            self.page = page
            self.level = level
            self.base = base
        }
    }

    public let capacity: Int
    public private(set) var uses: [Use] = []

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Notes that the table at guest-physical `page` serves `level` (2: the root) for the
    /// region at `base`. True when the page was not a table page before (or the map started
    /// again): shadows built earlier may map it writable, so they must all go.
    public mutating func note(page: UInt64, level: Int, base: UInt64) -> Bool {
        let use = Use(page: page, level: level, base: level == 2 ? 0 : base)
        if uses.contains(use) { return false }
        var fresh = !contains(page)
        if uses.count >= capacity {
            uses.removeAll()
            fresh = true
        }
        uses.append(use)
        return fresh
    }

    public func contains(_ page: UInt64) -> Bool { uses.contains { $0.page == page } }

    /// Starts the map again when fewer than `n` entries are free (so that one walk's tables
    /// are noted together); true when it did (every shadow must go).
    public mutating func makeRoom(_ n: Int) -> Bool {
        guard uses.count + n > capacity else { return false }
        uses.removeAll()
        return true
    }

    public mutating func removeAll() { uses.removeAll() }

    /// The regions a store to the PTE at guest-physical `gpa` changes: for each place its
    /// table serves, the virtual address the PTE maps and its level (Sv39: 9 bits of VPN per
    /// level; a root entry's region is sign-extended from bit 38).
    public func regions(storeAt gpa: UInt64) -> [(va: UInt64, level: Int)] {
        let page = gpa & ~0xFFF, index = (gpa & 0xFFF) >> 3
        var out: [(va: UInt64, level: Int)] = []
        for u in uses where u.page == page {
            var va = u.base | (index << (12 + 9 * UInt64(u.level)))
            if u.level == 2 { va = UInt64(bitPattern: Int64(bitPattern: va << 25) >> 25) }
            out.append((va, u.level))
        }
        return out
    }
}
