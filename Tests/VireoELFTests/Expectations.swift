import VireoELF

/// The error `parse` throws for `bytes`, or nil when it accepts them.
func parseError(_ bytes: [UInt8], path: String = "t.elf") -> ELFError? {
    do throws(ELFError) {
        _ = try ELFProgram.parse(bytes: bytes, path: path)
        return nil
    } catch {
        return error
    }
}

/// The error `read` throws for `path`, or nil when it accepts the file.
func readError(_ path: String) -> ELFError? {
    do throws(ELFError) {
        _ = try ELFProgram.read(path: path)
        return nil
    } catch {
        return error
    }
}

/// The error `checkPlacement` throws, or nil when every segment fits.
func placementError(_ program: ELFProgram, _ regions: [MemoryRegion]) -> ELFError? {
    do throws(ELFError) {
        try program.checkPlacement(in: regions)
        return nil
    } catch {
        return error
    }
}
