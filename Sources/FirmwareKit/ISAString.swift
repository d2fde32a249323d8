/// What the firmware reads out of a device tree's `riscv,isa` string such as
/// "rv64imafdc_h_zicsr_sstc": the single letters after "rv64" up to the first '_', then
/// '_'-separated multi-letter names (Unpriv. "ISA Extension Naming Conventions").
public struct ISAString {
    public let text: String
    public private(set) var hasH = false
    public private(set) var hasSstc = false
    /// D (or G): the hart has f0–f31 and fcsr to switch.
    public private(set) var hasFP = false

    public init(_ isa: String) {
        text = isa
        var parts: [[UInt8]] = [[]]
        for b in isa.utf8 {
            if b == 0x5F { parts.append([]) } else { parts[parts.count - 1].append(b | 0x20) }
        }
        // The single letters end where the first multi-letter name (z…, s…, x…) begins,
        // which may follow them without an underscore ("rv32imaczicsr_zifencei").
        var single = parts[0].count
        for (i, b) in parts[0].enumerated() where i >= 4 && (b == 0x7A || b == 0x73 || b == 0x78) {
            single = i
            break
        }
        for (i, b) in parts[0].enumerated() where i >= 4 && i < single {
            if b == 0x68 { hasH = true }                       // h
            if b == 0x64 || b == 0x67 { hasFP = true }         // d, g
        }
        if single < parts[0].count, parts[0][single...].elementsEqual([0x73, 0x73, 0x74, 0x63]) { hasSstc = true }
        for part in parts.dropFirst() {
            if part == [0x68] { hasH = true }
            if part == [0x73, 0x73, 0x74, 0x63] { hasSstc = true }
        }
    }

    /// What a guest of the hypervisor firmware is told it has: the board's string without H
    /// (no nested virtualization) and without Zihpm (the firmware keeps hpmcounter3–31
    /// closed to guests through mcounteren/hcounteren: they count nothing, and a guest that
    /// believed the DTB would take illegal-instruction traps).
    public var forGuests: String {
        withoutH.split(separator: "_").filter { $0 != "zihpm" && $0 != "Zihpm" && $0 != "ZIHPM" }
            .map { String($0) }.joined(separator: "_")
    }

    /// The string without the H extension, for guests (no nested virtualization):
    /// "rv64imafdc_h_sstc" → "rv64imafdc_sstc".
    public var withoutH: String {
        var parts = text.split(separator: "_").map { String($0) }.filter { $0 != "h" && $0 != "H" }
        if let first = parts.first {
            // Only the single letters lose an h; a multi-letter name glued on keeps its own.
            var letters = ""
            var rest = ""
            var inName = false
            for (i, ch) in first.enumerated() {
                if i >= 4 && !inName && (ch == "z" || ch == "Z" || ch == "s" || ch == "S" || ch == "x" || ch == "X") { inName = true }
                if inName { rest.append(ch) } else if i < 4 || (ch != "h" && ch != "H") { letters.append(ch) }
            }
            parts[0] = letters + rest
        }
        return parts.joined(separator: "_")
    }
}
