/// Plain-words descriptions of ELF header fields, for error messages.
enum MachineNames {
    /// "x86-64 (EM_X86_64)", "32-bit RISC-V (ELFCLASS32)", "big-endian RISC-V (ELFDATA2MSB)", ...
    static func describe(machine: UInt16, is64: Bool, isLittleEndian: Bool) -> String {
        var words: [String] = []
        var constants: [String] = []
        if !is64 {
            words.append("32-bit")
            constants.append("ELFCLASS32")
        }
        if !isLittleEndian {
            words.append("big-endian")
            constants.append("ELFDATA2MSB")
        }
        if let known = names[machine] {
            words.append(known.name)
            if machine != riscv { constants.append(known.constant) }
        } else {
            words.append("unknown machine")
            constants.append("e_machine = \(machine)")
        }
        let detail = constants.isEmpty ? "" : " (" + constants.joined(separator: ", ") + ")"
        return words.joined(separator: " ") + detail
    }

    /// "relocatable object (ET_REL)", "shared object (ET_DYN)", ...
    static func describe(fileType: UInt16) -> String {
        switch fileType {
        case 0: return "no file type (ET_NONE)"
        case 1: return "relocatable object (ET_REL)"
        case 2: return "executable (ET_EXEC)"
        case 3: return "shared object (ET_DYN)"
        case 4: return "core dump (ET_CORE)"
        default: return "unknown file type (e_type = \(Hex.format(UInt64(fileType))))"
        }
    }

    private static let riscv: UInt16 = 243

    private static let names: [UInt16: (name: String, constant: String)] = [
        0: ("no machine", "EM_NONE"),
        2: ("SPARC", "EM_SPARC"),
        3: ("x86", "EM_386"),
        8: ("MIPS", "EM_MIPS"),
        20: ("PowerPC", "EM_PPC"),
        21: ("PowerPC64", "EM_PPC64"),
        22: ("IBM S/390", "EM_S390"),
        40: ("ARM", "EM_ARM"),
        42: ("SuperH", "EM_SH"),
        43: ("SPARC V9", "EM_SPARCV9"),
        50: ("IA-64", "EM_IA_64"),
        62: ("x86-64", "EM_X86_64"),
        183: ("AArch64", "EM_AARCH64"),
        243: ("RISC-V", "EM_RISCV"),
        247: ("BPF", "EM_BPF"),
        258: ("LoongArch", "EM_LOONGARCH"),
    ]
}
