import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed system call, named with its path and the system's reason.
struct SystemCallError: Error, CustomStringConvertible {
    let call: String
    let path: String
    let code: Int32

    var description: String { "\(call)(\(path)): \(String(cString: strerror(code)))" }
}

/// Thin, throwing wrappers over the few system calls the durability measurements need, so
/// that what is timed is exactly `write` and `fsync`, with no buffering in between.
struct POSIXFile {
    let descriptor: Int32
    let path: String

    /// Opens `path` with `flags` (`O_CREAT` files get mode 0644).
    init(path: String, flags: Int32) throws {
        let descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else { throw SystemCallError(call: "open", path: path, code: errno) }
        self.descriptor = descriptor
        self.path = path
    }

    /// Wraps a descriptor that is already open (standard output).
    init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.path = name
    }

    /// Opens a folder for `fsync`: on Linux, a new file's name is durable only once its folder is synced.
    static func directory(_ path: String) throws -> POSIXFile {
        try POSIXFile(path: path, flags: O_RDONLY | O_DIRECTORY)
    }

    /// Writes all of `bytes`, retrying short writes and interruptions.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let count = unistdWrite(descriptor, bytes.baseAddress.map { $0 + done }, bytes.count - done)
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "write", path: path, code: errno)
            }
            done += count
        }
    }

    func write(_ data: Data) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    func sync() throws {
        guard fsync(descriptor) == 0 else { throw SystemCallError(call: "fsync", path: path, code: errno) }
    }

    func syncAndClose() throws {
        defer { close() }
        try sync()
    }

    func close() {
        _ = unistdClose(descriptor)
    }
}

// The methods above shadow the C functions of the same names.
private func unistdWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}

private func unistdClose(_ descriptor: Int32) -> Int32 { close(descriptor) }
