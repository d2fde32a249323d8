import BoardCore

/// `--stats` under the Vireo firmware: each hart's VM exits broken down into entry,
/// dispatch, handler and exit (`BoardCore.ExitProfile`, docs/architecture.md).
extension Machine {
    /// Gives every hart an exit profile when a loaded image is the Vireo firmware (it has
    /// the symbols the phases are cut at). False, and nothing changes, otherwise.
    @discardableResult
    public func enableExitProfile() -> Bool {
        guard let image = images.first(where: { ExitProfile.vireoFirmware(symbols: $0.symbols) != nil }) else { return false }
        for h in harts { h.exitProfile = ExitProfile.vireoFirmware(symbols: image.symbols) }
        return true
    }
}
