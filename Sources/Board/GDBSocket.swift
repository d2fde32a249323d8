#if canImport(Glibc)
import Glibc
#endif

/// The TCP side of the gdb stub: one listening socket and at most one connection, plain
/// POSIX sockets (no dependencies). Reads are either non-blocking (polled between run-loop
/// chunks while the board runs) or blocking (while the board is stopped and gdb drives).
public final class GDBListener {
    let fd: Int32
    public let port: UInt16

    /// Listens on `host` (an IPv4 address; empty means 127.0.0.1) and `port` (0 picks a
    /// free one). Throws a one-line reason.
    public init(host: String, port: UInt16) throws(GDBSocketError) {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw GDBSocketError(reason: "socket: " + String(cString: strerror(errno))) }
        var one: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        let name = host.isEmpty ? "127.0.0.1" : (host == "localhost" ? "127.0.0.1" : host)
        guard inet_pton(AF_INET, name, &addr.sin_addr) == 1 else {
            close(s)
            throw GDBSocketError(reason: "'\(host)' is not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(s, 1) == 0 else {
            let reason = String(cString: strerror(errno))
            close(s)
            throw GDBSocketError(reason: "cannot listen on \(name):\(port): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &length) }
        }
        fd = s
        self.port = UInt16(bigEndian: actual.sin_port)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    deinit { close(fd) }

    /// Waits for gdb to connect (blocking), or, with `wait: false`, takes a connection only
    /// if one is already pending.
    public func accept(wait: Bool) -> GDBConnection? {
        if !wait && !readable(fd, timeoutMS: 0) { return nil }
        while true {
            let c = Glibc.accept(fd, nil, nil)
            if c >= 0 {
                var one: Int32 = 1
                setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                _ = fcntl(c, F_SETFD, FD_CLOEXEC)
                return GDBConnection(fd: c)
            }
            if errno != EINTR { return nil }
        }
    }
}

public struct GDBSocketError: Error {
    public let reason: String
}

/// One gdb connection.
public final class GDBConnection {
    let fd: Int32
    public private(set) var closed = false

    init(fd: Int32) { self.fd = fd }
    deinit { close() }

    public func close() {
        if !closed { _ = Glibc.close(fd) }
        closed = true
    }

    public func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count && !closed {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n } else if n < 0 && errno == EINTR { continue } else { close() }
        }
    }

    /// Bytes that have arrived, without waiting (empty when none; the connection is
    /// `closed` afterwards when gdb went away).
    public func receiveAvailable() -> [UInt8] {
        guard !closed, readable(fd, timeoutMS: 0) else { return [] }
        return receive()
    }

    /// Waits for bytes (empty only when the connection is closed).
    public func receive() -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !closed {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { return Array(buffer[0..<n]) }
            if n < 0 && errno == EINTR { continue }
            close()
        }
        return []
    }
}

private func readable(_ fd: Int32, timeoutMS: Int32) -> Bool {
    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&p, 1, timeoutMS) > 0
}
