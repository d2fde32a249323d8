import Shim

/// The exported VMID → name table (`vireo_domain_names`, layout in arch/Shim/layout.h):
/// written once when a domain is built and cleared when it is destroyed, never on a world
/// switch, so a tracer or debugger outside the firmware can name the domain behind an
/// hgatp.VMID (the board's `--trace-events` does, decision 0015) at no cost to guests.
/// Entry VMID % 64: with more than 64 live domains two may share an entry; the later one
/// wins and the reader, which checks the VMID, shows the other by number.
enum DomainNames {
    static func publish(_ domain: Domain) {
        let slot = UnsafeMutableRawPointer(fw_domain_name_slot(domain.vmid)!)
        slot.storeBytes(of: 0, as: UInt64.self)
        let limit = Int(fw_domain_name_max())
        var i = 0
        for byte in domain.name.utf8 where i < limit {
            slot.storeBytes(of: byte, toByteOffset: 8 + i, as: UInt8.self)
            i += 1
        }
        while i <= limit {
            slot.storeBytes(of: 0, toByteOffset: 8 + i, as: UInt8.self)
            i += 1
        }
        slot.storeBytes(of: domain.vmid, as: UInt64.self)
    }

    static func withdraw(_ domain: Domain) {
        let slot = UnsafeMutableRawPointer(fw_domain_name_slot(domain.vmid)!)
        if slot.load(as: UInt64.self) == domain.vmid { slot.storeBytes(of: 0, as: UInt64.self) }
    }
}
