#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file from the host with POSIX calls, so failures carry the system's own
/// message (strerror), e.g. "No such file or directory", "Is a directory", "Permission denied".
enum HostFile {
    /// Files larger than this are refused (an ELF for the board never comes close; it also
    /// stops a device such as /dev/zero from being read forever).
    static let maximumSize = 1 << 32

    static func contents(path: String) throws(ELFError) -> [UInt8] {
        func failure(_ code: Int32) -> ELFError {
            ELFError(path: path, reason: .cannotOpen(message(for: code)))
        }

        var descriptor: Int32
        repeat {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { throw failure(errno) }
        defer { _ = close(descriptor) }

        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure(errno) }
        if (status.st_mode & S_IFMT) == S_IFDIR { throw failure(EISDIR) }

        var result: [UInt8] = []
        if (status.st_mode & S_IFMT) == S_IFREG, status.st_size > 0, status.st_size <= maximumSize {
            result.reserveCapacity(Int(status.st_size))
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(errno)
            }
            if count == 0 { break }
            guard result.count + count <= maximumSize else { throw failure(EFBIG) }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }

    static func message(for code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
