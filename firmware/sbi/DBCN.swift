/// DBCN (SBI §12): the debug console over the domain's console (core/Console.swift). base_addr_hi (a2) must be
/// 0 on RV64: the buffer is a1 as one XLEN address, and it must lie in guest RAM.
extension Hypervisor {
    func sbiDBCN(_ c: SBICall) -> SBIResult {
        let domain = c.domain
        switch c.fid {
        case SBI.DBCN.write, SBI.DBCN.read:
            guard c.a2 == 0, let host = domain.hostAddress(gpa: c.a1, length: c.a0) else {
                return .fail(SBI.errInvalidParam)
            }
            let p = UnsafeMutablePointer<UInt8>(bitPattern: UInt(host))
            if c.fid == SBI.DBCN.write {
                // Non-blocking, so partial writes are allowed (§12.1): at most
                // maxWritePerCall bytes per call, and none past the domain's budget.
                let n = min(c.a0, ConsoleBuffer.maxWritePerCall)
                var written: UInt64 = 0
                while written < n, consoleWrite(domain, p![Int(written)]) { written += 1 }
                return .ok(written)
            }
            var n: UInt64 = 0
            while n < c.a0, let ch = consoleRead(domain) {
                p![Int(n)] = ch
                n += 1
            }
            return .ok(n)
        case SBI.DBCN.writeByte:
            consoleWrite(domain, UInt8(truncatingIfNeeded: c.a0))
            return .ok()
        default:
            return .notSupported
        }
    }
}
