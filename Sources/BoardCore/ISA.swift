/// The optional extensions a hart implements beyond RV64IMAC with Zicsr, Zicntr and Zifencei
/// (which every Vireo hart has). One set configures the hart, `--isa`, the device tree's
/// `riscv,isa` / `riscv,isa-extensions` and misa, so the four always agree.
///
/// Names and order follow the ISA manual's naming chapter (unpriv. "ISA Extension Naming
/// Conventions"): single letters in canonical order, then Z extensions grouped by their
/// letter category (I, F, …, B), then S extensions, each group alphabetical.
public struct Extensions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// F and D (misa.F, misa.D), with fcsr and mstatus.FS.
    public static let fd = Extensions(rawValue: 1 << 0)
    /// The hypervisor extension (misa.H; priv. "Hypervisor Extension").
    public static let h = Extensions(rawValue: 1 << 1)
    /// Supervisor-mode timer interrupts: stimecmp/vstimecmp (Sstc).
    public static let sstc = Extensions(rawValue: 1 << 2)
    /// Address generation: sh1add…, add.uw, slli.uw (Zba).
    public static let zba = Extensions(rawValue: 1 << 3)
    /// Basic bit manipulation: andn, clz, cpop, min/max, rev8, rol/ror, sext, orc.b … (Zbb).
    public static let zbb = Extensions(rawValue: 1 << 4)
    /// Carry-less multiplication: clmul, clmulh, clmulr (Zbc).
    public static let zbc = Extensions(rawValue: 1 << 5)
    /// Single-bit instructions: bset, bclr, binv, bext (Zbs).
    public static let zbs = Extensions(rawValue: 1 << 6)
    /// Cache-block management: cbo.clean, cbo.flush, cbo.inval (Zicbom).
    public static let zicbom = Extensions(rawValue: 1 << 7)
    /// Cache-block zero: cbo.zero (Zicboz).
    public static let zicboz = Extensions(rawValue: 1 << 8)
    /// Cache-block prefetch hints: prefetch.i/r/w (Zicbop).
    public static let zicbop = Extensions(rawValue: 1 << 9)
    /// The PAUSE hint (Zihintpause).
    public static let zihintpause = Extensions(rawValue: 1 << 10)
    /// Half-precision loads, stores and conversions (Zfhmin; needs F).
    public static let zfhmin = Extensions(rawValue: 1 << 11)
    /// Hardware performance counters mhpmcounter3–31 / hpmcounter3–31 (Zihpm).
    public static let zihpm = Extensions(rawValue: 1 << 12)
    /// Page-based memory types: the PBMT field of Sv39/48/57 PTEs (Svpbmt).
    public static let svpbmt = Extensions(rawValue: 1 << 13)
    /// Fine-grained address-translation cache invalidation: sinval.vma, sfence.w.inval,
    /// sfence.inval.ir, hinval.vvma, hinval.gvma (Svinval).
    public static let svinval = Extensions(rawValue: 1 << 14)
    /// NAPOT translation contiguity: 64 KiB pages marked by PTE.N (Svnapot).
    public static let svnapot = Extensions(rawValue: 1 << 15)
    /// Five-level paging: satp.MODE = Sv57 (and hgatp Sv57x4 with H).
    public static let sv57 = Extensions(rawValue: 1 << 16)

    /// The extensions as their ISA-string names, in canonical order. `sv57` is a satp mode,
    /// not an ISA-string extension: it is named by `mmu-type`, and in `--isa` only.
    public static let named: [(name: String, ext: Extensions)] = [
        ("h", .h),
        ("zicbom", .zicbom), ("zicbop", .zicbop), ("zicboz", .zicboz),
        ("zihintpause", .zihintpause), ("zihpm", .zihpm),
        ("zfhmin", .zfhmin),
        ("zba", .zba), ("zbb", .zbb), ("zbc", .zbc), ("zbs", .zbs),
        ("sstc", .sstc), ("svinval", .svinval), ("svnapot", .svnapot), ("svpbmt", .svpbmt),
        ("sv57", .sv57),
    ]

    /// Everything the board implements, and so its default: RV64GC with H and Sstc, and the
    /// RVA22S64 extensions as they land (QEMU 7.2's `virt` CPU has most of them on by
    /// default). `--isa` accepts only these.
    public static let all: Extensions = [.fd, .h, .sstc, .zicbom, .zicboz, .zihpm, .svpbmt, .svinval, .svnapot, .sv57,
                                         .zba, .zbb, .zbc, .zbs, .zfhmin, .zihintpause, .zicbop]
}
