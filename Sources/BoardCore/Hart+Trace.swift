import RISCV

/// What the commit log and `--trace` read of a hart after each step (Board's `CommitRecord`):
/// the instruction that ran, the register it wrote, the trap it raised.
extension Hart {
    /// The decoded entry of the instruction at `pc`, once it has run (for the commit log):
    /// from the fetch TLB's decoded page, or from the scratch page.
    func decodedEntry(at pc: UInt64) -> Decoded? {
        let slot = Int((pc & 0xFFF) >> 1)
        if scratchSlot == slot, scratch[slot].op != .pageEnd { return scratch[slot] }
        let e = itlb[Int((pc >> 12) & Hart.tlbMask)]
        guard e.tag == pc >> 12 else { return nil }
        let d = e.decoded[slot]
        return d.op == .undecoded || d.op == .straddle ? nil : d
    }

    /// The instruction bits at `pc` (after it ran).
    public func decodedWord(at pc: UInt64) -> UInt32? { decodedEntry(at: pc)?.raw }

    /// The register the instruction at `pc` wrote, with its value (after it retired).
    public func lastWrittenRegister(pc: UInt64) -> (register: Int, value: UInt64)? {
        guard let d = decodedEntry(at: pc), d.rd != sinkRegister else { return nil }
        return (Int(d.rd), x[Int(d.rd)])
    }

    /// Forgets the last trap, before a step whose trap (if any) the commit log reports.
    public func clearLastTrap() { lastTrap = nil }
}
