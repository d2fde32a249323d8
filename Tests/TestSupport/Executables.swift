import Foundation

/// The first executable called `name` on PATH, or nil (tests that need an outside tool —
/// dtc, QEMU, GNU as — skip themselves without it).
public func executableOnPath(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let path = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}
