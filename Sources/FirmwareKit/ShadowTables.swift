/// The classic VMM's shadow tables themselves (issue 17 item 2): Sv39 tables the hart walks
/// while a guest runs in U-mode, built one 4 KiB leaf at a time from `ShadowPaging`'s
/// leaves, out of a fixed pool of pages, and cached per guest address space (guest satp)
/// and view (its virtual S or U privilege: the two see different pages, lecture 004 §4).
/// Table addresses are physical addresses the code can also dereference (the firmware
/// runs in M-mode with translation off; the host tests use memory they allocated).

/// A pool of 4 KiB pages for shadow tables.
public struct ShadowPool {
    /// Every page of the pool (4 KiB aligned), and those free now.
    public let pages: [UInt64]
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

    /// A zeroed page, or nil when the pool is exhausted.
    public mutating func allocate() -> UInt64? {
        guard let page = freeList.popLast() else { return nil }
        UnsafeMutableRawPointer(bitPattern: UInt(page))!.initializeMemory(as: UInt64.self, repeating: 0, count: 512)
        return page
    }

    public mutating func release(_ page: UInt64) {
        freeList.append(page)
    }
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

    /// Installs `leaf` (a 4 KiB leaf PTE) for the page of `va`, adding tables from the pool
    /// as needed. False when the pool is exhausted (the space is unchanged but for tables
    /// already added).
    public mutating func map(_ va: UInt64, leaf: UInt64, pool: inout ShadowPool) -> Bool {
        var table = root
        for level in [2, 1] {
            let e = Self.entry(table, va, level)
            if e.pointee & ShadowPaging.V == 0 {
                guard let t = pool.allocate() else { return false }
                tables.append(t)
                e.pointee = ((t >> 12) << 10) | ShadowPaging.V
            }
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

    /// Removes the leaf for the page of `va` (SFENCE.VMA with that address, or a guest
    /// page-table store that changed its PTE).
    public func unmap(_ va: UInt64) {
        var table = root
        for level in [2, 1] {
            let e = Self.entry(table, va, level).pointee
            guard e & ShadowPaging.V != 0 else { return }
            table = ((e & ShadowPaging.ppnMask) >> 10) << 12
        }
        Self.entry(table, va, 0).pointee = 0
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

/// The shadow spaces of one guest, keyed by its satp and view, at most `capacity` of them
/// (least recently used evicted first), all drawing on one pool.
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
    public mutating func map(_ index: Int, _ va: UInt64, leaf: UInt64, pool: inout ShadowPool) -> Int? {
        var i = index
        while !spaces[i].map(va, leaf: leaf, pool: &pool) {
            let key = keys[i]
            guard keys.count > 1 else {
                evict(i, pool: &pool)
                guard let j = space(for: key, pool: &pool), spaces[j].map(va, leaf: leaf, pool: &pool) else { return nil }
                return j
            }
            var victim = i == 0 ? 1 : 0
            for j in keys.indices where j != i && lastUse[j] < lastUse[victim] { victim = j }
            evict(victim, pool: &pool)
            i = keys.firstIndex(of: key)!
        }
        return i
    }

    /// SFENCE.VMA (Priv. §12.2.1): with an address, that page's leaves go from every space;
    /// with an ASID, the spaces of that ASID go; with neither, every space goes. (ASIDLEN is
    /// 0 here, so every space has ASID 0.)
    public mutating func fence(va: UInt64?, asid: UInt64?, pool: inout ShadowPool) {
        if let va {
            for i in spaces.indices where asid == nil || (keys[i].satp >> 44) & 0xFFFF == asid! {
                spaces[i].unmap(va)
            }
            return
        }
        var i = 0
        while i < keys.count {
            if asid == nil || (keys[i].satp >> 44) & 0xFFFF == asid! { evict(i, pool: &pool) } else { i += 1 }
        }
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
