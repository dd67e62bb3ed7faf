import ClaimscrubReaders
import Crypto
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A file's size and SHA-256: the manifest's inputs, and what `verify` checks.
///
/// An input's reader shows the digest the bytes it reads (`ByteObserver`), so the file is
/// read once; `finish` reads what the reader left. A regular XML or compressed file is
/// hashed apart instead, by `finish` alone on a thread of its own: libxml2's parse leaves
/// its reading thread no time to spare (its digest is stopped once the reader is made),
/// and a `.gz` file is hashed as stored. Used by one thread at a time.
final class InputDigest: ByteObserver {
    private var hasher = SHA256()
    private var seen: Int64 = 0
    /// False once stopped; the run then hashes the file apart rather than finish this digest.
    private(set) var isObserving = true

    func observe(_ bytes: UnsafeRawBufferPointer) {
        if isObserving { take(bytes) }
    }

    private func take(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
        seen += Int64(bytes.count)
    }

    /// Takes no more of the bytes it is shown; `finish` reads the rest of the file itself.
    func stopObserving() {
        isObserving = false
    }

    /// The size and digest: of a regular file, read from where the observed bytes end (the
    /// whole file when nothing was observed); of a pipe, of the bytes observed, as it cannot
    /// be opened again without waiting for a writer. Nil when the file cannot be read.
    func finish(path: String) -> (bytes: Int64, sha256: String)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return (seen, digest()) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(seen)) }
            if got < 0 && errno == EINTR { continue }
            if got < 0 { return nil }
            if got == 0 { return (seen, digest()) }
            buffer.withUnsafeBytes { take(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
        }
    }

    private func digest() -> String {
        hasher.finalize().map { byteHex($0) }.joined()
    }
}

/// A regular file, or a link to one: not a folder, pipe, socket or device.
func isRegularFile(_ path: String) -> Bool {
    regularFileSize(path) != nil
}

/// The size of a regular file (or of the file a link names); nil for anything else, or
/// when it cannot be looked at.
func regularFileSize(_ path: String) -> Int64? {
    var info = stat()
    guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    return Int64(info.st_size)
}
