import CClaimscrubXML
import Glibc

/// libxml2's streaming reader over one input, owned as a unique value.
///
/// `~Copyable` because it owns a C handle that must be freed exactly once; it
/// never crosses threads (libxml2 readers are not thread-safe). Strings it
/// hands out are copied into Swift before the next `advance()`.
struct XMLTextReader: ~Copyable {
    /// One step of the reader.
    enum Step {
        case node
        case end
        case failed
    }

    private let handle: OpaquePointer
    private let input: XMLByteInput

    /// Opens a reader over `source`; `url` names the input in libxml2's messages.
    init(source: ByteSource, url: String) throws(InputError) {
        let input = XMLByteInput(source: source)
        guard let handle = CClaimscrubXML_open(
            readXMLBytes, Unmanaged.passUnretained(input).toOpaque(), url
        ) else {
            throw InputError(path: source.path, message: "cannot open: out of memory for the XML reader")
        }
        self.handle = handle
        self.input = input
    }

    deinit {
        // Runs before `input` is released, so the read callback's context outlives the reader.
        CClaimscrubXML_close(handle)
    }

    /// Moves to the next node the claim reader acts on (see `CClaimscrubXML_step`): text
    /// is reported only when `wantText`, or when it is longer than `maximumText` bytes.
    func step(wantText: Bool, maximumText: Int, into node: inout CClaimscrubXMLNode) -> Step {
        switch CClaimscrubXML_step(handle, wantText ? 1 : 0, maximumText, &node) {
        case 1: return .node
        case 0: return .end
        default: return .failed
        }
    }

    /// Where the current node starts (libxml2 counts lines, not columns).
    var nodeLine: Int { Int(CClaimscrubXML_nodeLine(handle)) }

    /// The current text node's value as bytes, with predefined entities and character
    /// references decoded; valid until the next step. Copied by the caller rather than
    /// made into a String per text node.
    var valueBytes: UnsafeBufferPointer<UInt8>? {
        guard let value = CClaimscrubXML_value(handle) else { return nil }
        return value.withMemoryRebound(to: UInt8.self, capacity: 1) { bytes in
            UnsafeBufferPointer(start: bytes, count: strlen(value))
        }
    }

    /// The error that stopped the parse: libxml2's message and line.
    var error: (message: String, line: Int)? {
        guard let message = CClaimscrubXML_lastError(handle) else { return nil }
        return (String(cString: message), Int(CClaimscrubXML_lastErrorLine(handle)))
    }

    /// The line of a `<!DOCTYPE` refused before libxml2 saw it.
    var refusedDocumentTypeLine: Int? {
        guard CClaimscrubXML_refusal(handle) == Int32(CClaimscrubXML_refusedDocumentType) else { return nil }
        return Int(CClaimscrubXML_refusalLine(handle))
    }

    /// An I/O or decompression error from the underlying file, which stops the run for this file.
    var inputError: InputError? { input.error }
}

/// The read callback's context: the byte source and the error it raised, if any.
///
/// A class because libxml2 holds it by pointer; `XMLTextReader` keeps it alive.
private final class XMLByteInput {
    let source: ByteSource
    var error: InputError?
    /// libxml2 asks for about 4,000 bytes at a time: read straight from the file that was a
    /// system call per 4 KB (25,000 for a 100 MB file, 4% of the reading thread), so the
    /// file is read in larger pieces and handed out from here.
    private static let capacity = 256 * 1024
    private let buffer = UnsafeMutableRawPointer.allocate(byteCount: XMLByteInput.capacity, alignment: 16)
    private var start = 0
    private var end = 0

    init(source: ByteSource) {
        self.source = source
    }

    deinit {
        buffer.deallocate()
    }

    /// Up to `count` bytes into `destination`; 0 at the end of the input.
    func read(into destination: UnsafeMutableRawPointer, count: Int) throws(InputError) -> Int {
        if start == end {
            start = 0
            end = try source.read(into: buffer, count: XMLByteInput.capacity)
            if end == 0 { return 0 }
        }
        let taken = min(count, end - start)
        destination.copyMemory(from: buffer + start, byteCount: taken)
        start += taken
        return taken
    }
}

private func readXMLBytes(
    _ context: UnsafeMutableRawPointer?, _ buffer: UnsafeMutablePointer<CChar>?, _ length: Int32
) -> Int32 {
    guard let context, let buffer, length > 0 else { return -1 }
    let input = Unmanaged<XMLByteInput>.fromOpaque(context).takeUnretainedValue()
    do {
        return Int32(try input.read(into: buffer, count: Int(length)))
    } catch {
        input.error = error
        return -1
    }
}
