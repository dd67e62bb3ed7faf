import ClaimscrubReaders
import Crypto
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// An input file's size and SHA-256 for the manifest, taken from the bytes its reader
/// reads. Hashing the file apart from the reading read every byte a second time: that
/// copy out of the page cache, with its hashing, was about a tenth of an X12 run's CPU time.
///
/// Used by one reading thread.
final class InputDigest: ByteObserver {
    private var hasher = SHA256()
    private var seen: Int64 = 0

    func observe(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
        seen += Int64(bytes.count)
    }

    /// Hashes what the reader left unread (the rest of a file it stopped reading, all of a
    /// compressed one, whose reader sees other bytes), so the digest is always the whole
    /// file's as it is on disk; (0, "") when the file cannot be opened. A pipe is not opened
    /// again (that would wait for a writer): its digest is of the bytes read from it.
    func finish(path: String) -> (bytes: Int64, sha256: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return (0, "") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return (seen, digest()) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return (0, "") }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(seen)) }
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { break }
            buffer.withUnsafeBytes { observe(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
        }
        return (seen, digest())
    }

    private func digest() -> String {
        hasher.finalize().map { byteHex($0) }.joined()
    }
}
