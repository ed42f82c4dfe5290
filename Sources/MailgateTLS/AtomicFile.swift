#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Writes whole files so a reader (or a crash) never sees half of one.
///
/// A temporary file in the same folder is written, given its mode, flushed, then renamed over
/// the target: rename(2) within one file system is atomic, so `serve` starting beside a crashed
/// generator finds either the old file, no file, or the complete new one.
enum AtomicFile {
    /// Why a write failed, with the path and the system's reason.
    struct Failure: Error {
        var path: String
        var reason: String
    }

    /// Creates `folder` and its parents (mode 0755) when missing.
    static func createFolder(_ folder: String) throws(Failure) {
        guard !folder.isEmpty else { return }
        var partial = folder.hasPrefix("/") ? "" : "."
        for component in folder.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, 0o755) != 0 && errno != EEXIST {
                throw Failure(path: partial, reason: systemReason())
            }
        }
        var status = stat()
        guard stat(folder, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
            throw Failure(path: folder, reason: "not a folder")
        }
    }

    /// Replaces `path` with `bytes`, readable per `mode` (e.g. 0o600 for a private key).
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(Failure) {
        let temporary = path + ".tmp-\(getpid())"
        // O_EXCL: never write through a file (or symlink) someone else put at the temporary name.
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw Failure(path: temporary, reason: systemReason()) }
        var written = 0
        var failure: String?
        // fchmod because open(2)'s mode is filtered by the umask, and a key must be exactly 0600.
        if fchmod(descriptor, mode) != 0 { failure = systemReason() }
        while failure == nil && written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                return systemWrite(descriptor, base + written, buffer.count - written)
            }
            if count < 0 {
                if errno == EINTR { continue }
                failure = systemReason()
            } else {
                written += count
            }
        }
        if failure == nil && fsync(descriptor) != 0 { failure = systemReason() }
        close(descriptor)
        if failure == nil && rename(temporary, path) != 0 { failure = systemReason() }
        if let failure {
            unlink(temporary)
            throw Failure(path: path, reason: failure)
        }
        syncFolder(of: path)
    }

    /// Whether something (file, folder or dangling symlink) exists at `path`.
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// Reads a whole regular file.
    static func read(_ path: String) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(path: path, reason: systemReason()) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                return systemRead(descriptor, base, buffer.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, reason: systemReason())
            }
            if count == 0 { return bytes }
            // Certificates and keys are a few kilobytes; a bigger file is not one.
            guard bytes.count + count <= 1 << 20 else { throw Failure(path: path, reason: "larger than 1 MiB") }
            bytes += chunk[0..<count]
        }
    }

    /// fsync of the folder makes the rename itself durable (a power cut could otherwise undo it).
    private static func syncFolder(of path: String) {
        let folder = folderName(of: path)
        let descriptor = open(folder, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }

    /// The folder part of `path` ("." for a bare name).
    static func folderName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = path[..<slash]
        return folder.isEmpty ? "/" : String(folder)
    }

    private static func systemReason() -> String {
        String(cString: strerror(errno))
    }
}

// Free functions: inside `AtomicFile`, a bare `write`/`read` would find the static methods above.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

private func systemRead(_ descriptor: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, bytes, count)
}
