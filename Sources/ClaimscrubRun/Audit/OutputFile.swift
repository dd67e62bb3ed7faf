#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A file written through a 1 MiB buffer: `diff`'s sorted runs and `changes.csv`.
///
/// A class because it owns a file descriptor; used by one thread only.
final class OutputFile {
    let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let flushSize = 1 << 20

    init(path: String) throws(AuditError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw AuditError(status: 74, "\(path): error: cannot create: \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(flushSize + 65536)
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    /// Lets `body` append to the buffer, then writes it out once it holds a megabyte.
    func append(_ body: (inout [UInt8]) -> Void) throws(AuditError) {
        body(&buffer)
        if buffer.count >= flushSize { try flush() }
    }

    /// Writes what is buffered and closes the file.
    func close() throws(AuditError) {
        try flush()
        let status = Glibc.close(fd)
        fd = -1
        if status != 0 { throw AuditError(status: 74, "\(path): error: cannot write: \(String(cString: strerror(errno)))") }
    }

    private func flush() throws(AuditError) {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw AuditError(status: 74, "\(path): error: cannot write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
