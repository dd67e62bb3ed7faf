import Crypto
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A failed write: the run stops with exit 74.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): error: \(message)" }
}

/// One report file: buffered writes, hashed as written so the manifest needs no re-read.
///
/// A class because it owns a file descriptor; only the pipeline's writing thread uses it.
final class ReportFile {
    let name: String
    let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var hasher = SHA256()
    private let flushSize = 1 << 20

    init(directory: String, name: String) throws(OutputError) {
        self.name = name
        path = directory + "/" + name
        let target = path
        fd = SignalCleanup.shared.whileWriting { open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { throw OutputError(path: path, message: "cannot create: \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(flushSize + 65536)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    func write(_ bytes: [UInt8]) throws(OutputError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushSize { try flush() }
    }

    func write(_ text: String) throws(OutputError) {
        try write(Array(text.utf8))
    }

    private func flush() throws(OutputError) {
        guard !buffer.isEmpty else { return }
        hasher.update(data: buffer)
        // Under SignalCleanup's lock: a signal removes the run folder only between writes.
        try SignalCleanup.shared.whileWriting { () throws(OutputError) in
            var offset = 0
            while offset < buffer.count {
                let written = buffer.withUnsafeBytes { raw in
                    Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw OutputError(path: path, message: "cannot write: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, optionally fsyncs, closes; returns the file's SHA-256 in hex.
    func finish(fsync sync: Bool) throws(OutputError) -> String {
        try flush()
        if sync && fsync(fd) != 0 {
            throw OutputError(path: path, message: "cannot sync: \(String(cString: strerror(errno)))")
        }
        if close(fd) != 0 {
            fd = -1
            throw OutputError(path: path, message: "cannot close: \(String(cString: strerror(errno)))")
        }
        fd = -1
        return hasher.finalize().map { byteHex($0) }.joined()
    }
}
