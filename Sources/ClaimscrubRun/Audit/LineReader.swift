#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Streams a file as LF-terminated lines (without the LF), in bounded memory.
///
/// A class because it owns a file descriptor; used by one thread only.
final class LineReader {
    let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private let chunkSize = 1 << 20

    init(path: String) throws(AuditError) {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw AuditError(status: 66, "\(path): error: cannot open: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// The next line, or nil at the end; a last line without LF is still a line.
    func next() throws(AuditError) -> ArraySlice<UInt8>? {
        while true {
            let found = buffer.withUnsafeBytes { raw -> Int? in
                guard start < raw.count, let hit = memchr(raw.baseAddress! + start, 0x0A, raw.count - start) else { return nil }
                return raw.baseAddress!.distance(to: UnsafeRawPointer(hit))
            }
            if let newline = found {
                let line = buffer[start..<newline]
                start = newline + 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                return line
            }
            try fill()
        }
    }

    private func fill() throws(AuditError) {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunkSize))
        var got = 0
        repeat {
            got = buffer.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress! + old, chunkSize) }
        } while got < 0 && errno == EINTR
        if got < 0 {
            buffer.removeSubrange(old...)
            throw AuditError(status: 74, "\(path): error: cannot read: \(String(cString: strerror(errno)))")
        }
        buffer.removeSubrange((old + got)...)
        if got == 0 { atEnd = true }
    }
}
