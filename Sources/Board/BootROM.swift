/// The reset trampoline at 0x1000, laid out like QEMU virt's: a0 = mhartid, a1 = DTB address,
/// a2 = address of the data that follows, then a jump to the firmware/kernel entry.
/// Encodings per Unpriv. §2 (I-type loads, AUIPC, JALR) and §6 (CSRRS).
enum BootROM {
    static func iType(opcode: UInt32, rd: UInt32, funct3: UInt32, rs1: UInt32, imm: UInt32) -> UInt32 {
        (imm << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode
    }

    /// OpenSBI's `struct fw_dynamic_info` (firmware/fw_dynamic docs): magic "OSBI", version 2,
    /// next address, next mode (1 = S), options, boot hart.
    static let fwDynamicMagic: UInt64 = 0x4942_534F

    static func image(entry: UInt64, dtb: UInt64, nextAddress: UInt64 = 0) -> [UInt8] {
        let t0: UInt32 = 5, a0: UInt32 = 10, a1: UInt32 = 11, a2: UInt32 = 12
        let code: [UInt32] = [
            (t0 << 7) | 0x17,                                                    // auipc t0, 0
            iType(opcode: 0x13, rd: a2, funct3: 0, rs1: t0, imm: 40),            // addi  a2, t0, 40
            iType(opcode: 0x73, rd: a0, funct3: 2, rs1: 0, imm: 0xF14),          // csrr  a0, mhartid
            iType(opcode: 0x03, rd: a1, funct3: 3, rs1: t0, imm: 32),            // ld    a1, 32(t0)
            iType(opcode: 0x03, rd: t0, funct3: 3, rs1: t0, imm: 24),            // ld    t0, 24(t0)
            iType(opcode: 0x67, rd: 0, funct3: 0, rs1: t0, imm: 0),              // jr    t0
        ]
        var bytes: [UInt8] = []
        for w in code { bytes += withUnsafeBytes(of: w.littleEndian) { Array($0) } }
        bytes += withUnsafeBytes(of: entry.littleEndian) { Array($0) }   // +24
        bytes += withUnsafeBytes(of: dtb.littleEndian) { Array($0) }     // +32
        for v in [fwDynamicMagic, 2, nextAddress, 1, 0, 0] as [UInt64] {  // +40: fw_dynamic_info
            bytes += withUnsafeBytes(of: v.littleEndian) { Array($0) }
        }
        return bytes
    }
}
