import Foundation
#if canImport(Glibc)
import Glibc
#endif

// GNU extensions the Glibc module leaves out (it is imported without _GNU_SOURCE); all in
// glibc since 2.34 (Debian 12 has 2.36).
@_silgen_name("pipe2") private func sys_pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawn_addclosefrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
@_silgen_name("posix_spawn_file_actions_addchdir_np")
private func spawn_addchdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32

/// What a finished (or killed) child process left.
public struct SubprocessResult {
    /// The exit status, or 128 + the signal that ended it.
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    /// It was still running at the deadline and was killed.
    public var timedOut: Bool
}

public struct SubprocessError: Error, CustomStringConvertible {
    public let description: String
}

/// Runs a program and waits for it, at most `timeout` seconds (then it and its process
/// group are killed). Standard input is `stdin` or /dev/null; standard output and error are
/// captured, or discarded with `capture: false`.
///
/// Written on posix_spawn and waitpid rather than Foundation's `Process`: on Linux,
/// `Process.waitUntilExit` can miss the exit of a child that ends at once while other
/// threads spawn (seen with `tmux new-session -d`, whose client exits immediately: the
/// child stayed a zombie and the wait never returned, which held CI past its limit). Here
/// the child is reaped by its pid, and the pipes are read with poll(2), so a grandchild that
/// keeps a pipe open (a daemon) delays the result by at most `drainGrace`, never forever.
/// Every descriptor of the test process other than 0–2 is closed in the child, so a child
/// can never hold another test's pipes open.
public func runSubprocess(_ path: String, _ arguments: [String], stdin: Data? = nil, timeout: TimeInterval,
                          capture: Bool = true, directory: String? = nil,
                          drainGrace: TimeInterval = 2) throws -> SubprocessResult {
    var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1], inPipe: [Int32] = [-1, -1]
    guard sys_pipe2(&outPipe, O_CLOEXEC) == 0, sys_pipe2(&errPipe, O_CLOEXEC) == 0, sys_pipe2(&inPipe, O_CLOEXEC) == 0 else {
        throw SubprocessError(description: "pipe2: errno \(errno)")
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if stdin != nil {
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
    } else {
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }
    if capture {
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    } else {
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    }
    _ = spawn_addclosefrom(&actions, 3)
    if let directory { _ = spawn_addchdir(&actions, directory) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // Its own process group, so that a timeout kills what it started too.
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
    posix_spawnattr_setpgroup(&attributes, 0)

    let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
    defer { for a in argv { free(a) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
    close(outPipe[1]); close(errPipe[1]); close(inPipe[0])
    guard spawned == 0 else {
        close(outPipe[0]); close(errPipe[0]); close(inPipe[1])
        throw SubprocessError(description: "cannot run \(path): \(String(cString: strerror(spawned)))")
    }

    // Standard input, written as the child reads it (non-blocking, with the reads below).
    let input = [UInt8](stdin ?? Data())
    var written = 0
    var inFD: Int32 = inPipe[1]
    if stdin == nil || input.isEmpty {
        close(inFD)
        inFD = -1
    } else {
        _ = fcntl(inFD, F_SETFL, fcntl(inFD, F_GETFL) | O_NONBLOCK)
        signal(SIGPIPE, SIG_IGN)
    }
    var out = Data(), err = Data()
    var outFD: Int32 = outPipe[0], errFD: Int32 = errPipe[0]
    let deadline = Date().addingTimeInterval(timeout)
    var exitStatus: Int32? = nil
    var timedOut = false
    var exitedAt: Date? = nil
    var buffer = [UInt8](repeating: 0, count: 65536)

    func readSome(_ fd: inout Int32, into data: inout Data) {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n > 0 { data.append(contentsOf: buffer[0..<n]) } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
            close(fd)
            fd = -1
        }
    }

    while true {
        if exitStatus == nil {
            var raw: Int32 = 0
            let r = waitpid(pid, &raw, WNOHANG)
            if r == pid {
                let signalled = raw & 0x7F
                exitStatus = signalled == 0 ? (raw >> 8) & 0xFF : 128 + signalled
                exitedAt = Date()
            }
        }
        if exitStatus != nil && outFD < 0 && errFD < 0 { break }
        if let at = exitedAt, Date().timeIntervalSince(at) > drainGrace { break }   // a grandchild holds the pipes
        if exitStatus == nil && Date() > deadline {
            timedOut = true
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            var raw: Int32 = 0
            _ = waitpid(pid, &raw, 0)
            exitStatus = 128 + SIGKILL
            exitedAt = Date()
            continue
        }
        var fds: [pollfd] = []
        if outFD >= 0 { fds.append(pollfd(fd: outFD, events: Int16(POLLIN), revents: 0)) }
        if errFD >= 0 { fds.append(pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)) }
        if inFD >= 0 { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
        if fds.isEmpty {
            usleep(10_000)
            continue
        }
        let ready = poll(&fds, nfds_t(fds.count), 20)
        if ready <= 0 { continue }
        for f in fds where f.revents != 0 {
            if f.fd == outFD { readSome(&outFD, into: &out) }
            else if f.fd == errFD { readSome(&errFD, into: &err) }
            else if f.fd == inFD {
                let n = input.withUnsafeBytes { write(inFD, $0.baseAddress! + written, $0.count - written) }
                if n > 0 { written += n }
                if n < 0 && errno != EAGAIN && errno != EINTR { written = input.count }
                if written >= input.count {
                    close(inFD)
                    inFD = -1
                }
            }
        }
    }
    for fd in [outFD, errFD, inFD] where fd >= 0 { close(fd) }
    return SubprocessResult(status: exitStatus ?? -1, stdout: out, stderr: err, timedOut: timedOut)
}
