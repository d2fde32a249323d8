/// Options a boot module's command line carries for the firmware (DESIGN §2 `--module
/// FILE[,ARGS]`): `name=S`, `mem=N[K|M|G]`, `vcpus=N`, `weight=N`, `direct`. The whole line also
/// becomes the guest's /chosen/bootargs. A value that does not parse is an error, not a
/// silent default.
public struct ModuleOptions {
    public var name: String
    public var memory: UInt64? = nil
    public var vcpus: Int = 1
    /// Scheduling weight (Xen credit scheduler: 1...65535, default 256).
    public var weight: UInt64 = ModuleOptions.defaultWeight
    /// `direct`: this domain (Dom0 only) gets the physical devices and RAM mapped 1:1.
    public var direct = false
    /// `ramdisk`: this module is the initrd of the module before it (Xen's
    /// `multiboot,ramdisk`), not a domain.
    public var ramdisk = false
    /// The first word that did not parse, if any ("mem=12Q").
    public var error: String? = nil

    public static let defaultWeight: UInt64 = 256
    public static let maxWeight: UInt64 = 65535

    public init(_ args: String, defaultName: String) {
        name = defaultName
        for word in args.split(separator: " ") {
            if word == "direct" {
                direct = true
            } else if word == "ramdisk" {
                ramdisk = true
            } else if word.hasPrefix("name=") {
                let value = word.dropFirst(5)
                if value.isEmpty || value.utf8.count > 32 || value.utf8.contains(where: { $0 <= 0x20 || $0 >= 0x7F }) {
                    error = error ?? String(word)
                } else {
                    name = String(value)
                }
            } else if word.hasPrefix("mem=") {
                memory = ModuleOptions.size(word.dropFirst(4))
                if memory == nil || memory == 0 {
                    memory = nil
                    error = error ?? String(word)
                }
            } else if word.hasPrefix("vcpus=") {
                if let n = ModuleOptions.number(word.dropFirst(6)), n >= 1, n <= 64 { vcpus = Int(n) } else { error = error ?? String(word) }
            } else if word.hasPrefix("weight=") {
                if let n = ModuleOptions.number(word.dropFirst(7)), n >= 1, n <= ModuleOptions.maxWeight { weight = n } else { error = error ?? String(word) }
            }
        }
    }

    /// A plain decimal number.
    public static func number(_ s: Substring) -> UInt64? {
        guard !s.isEmpty else { return nil }
        var value: UInt64 = 0
        for c in s.utf8 {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(c - 0x30))
            if o1 || o2 { return nil }
            value = a
        }
        return value
    }

    /// "64M", "512K", "1G" or plain bytes.
    public static func size(_ s: Substring) -> UInt64? {
        var digits = s
        var shift: UInt64 = 0
        if let last = s.utf8.last {
            switch last | 0x20 {
            case 0x6B: shift = 10
            case 0x6D: shift = 20
            case 0x67: shift = 30
            default: break
            }
            if shift != 0 { digits = s.dropLast() }
        }
        guard let value = number(digits), value <= UInt64.max >> shift else { return nil }
        return value << shift
    }
}
