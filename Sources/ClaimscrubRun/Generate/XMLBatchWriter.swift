/// Streams generated claims to a file as the XML pyx12's `x12xml` writes for the same 837.
///
/// The output is byte for byte what `x12xml` produces from the `X12BatchWriter` file of the
/// same seed and line count: the `x12simple` root, `loop`/`seg`/`ele`/`comp`/`subele` elements
/// with single-quoted `id` attributes, two spaces of indentation per level, empty elements left
/// out, and every component of a non-empty composite written (empty ones as empty `subele`s).
public struct XMLBatchWriter {
    private let output: BatchOutputFile
    private var encoder: X12ClaimEncoder<PyX12XMLSink>

    /// Creates (or replaces) the file at `path` and writes the declaration and root.
    public init(path: String) throws(BatchWriteError) {
        output = try BatchOutputFile(path: path)
        output.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<x12simple>\n")
        encoder = X12ClaimEncoder(sink: PyX12XMLSink(output: output, depth: 1))
    }

    public mutating func write(_ claim: GeneratedClaim) throws(BatchWriteError) {
        encoder.encode(claim)
        try output.flushIfFull()
    }

    /// Closes the open loops and the root, then the file.
    public mutating func finish() throws(BatchWriteError) {
        encoder.finish()
        output.append("</x12simple>\n")
        try output.close()
    }
}

/// pyx12's `XMLWriter` layout: indentation of two spaces per open element.
struct PyX12XMLSink: X12EventSink {
    let output: BatchOutputFile
    var depth: Int

    mutating func openLoop(_ id: String) {
        indent(depth)
        output.append("<loop id='")
        escaped(id, attribute: true)
        output.append("'>\n")
        depth += 1
    }

    mutating func closeLoop() {
        depth -= 1
        indent(depth)
        output.append("</loop>\n")
    }

    func segment(_ id: String, _ elements: [X12Value]) {
        indent(depth)
        output.append("<seg id='")
        output.append(id)
        output.append("'>\n")
        for (offset, element) in elements.enumerated() {
            let position = BatchText.pad(offset + 1, 2)
            switch element {
            case .simple(let value):
                guard !value.isEmpty else { continue }
                indent(depth + 1)
                output.append("<ele id='")
                output.append(id)
                output.append(position)
                output.append("'>")
                escaped(value, attribute: false)
                output.append("</ele>\n")
            case .composite(let components):
                guard components.contains(where: { !$0.isEmpty }) else { continue }
                indent(depth + 1)
                output.append("<comp id='")
                output.append(id)
                output.append("'>\n")
                for (index, component) in components.enumerated() {
                    indent(depth + 2)
                    output.append("<subele id='")
                    output.append(id)
                    output.append(position)
                    output.append("-")
                    output.append(BatchText.pad(index + 1, 2))
                    output.append("'>")
                    escaped(component, attribute: false)
                    output.append("</subele>\n")
                }
                indent(depth + 1)
                output.append("</comp>\n")
            }
        }
        indent(depth)
        output.append("</seg>\n")
    }

    private func indent(_ level: Int) {
        for _ in 0..<(level * 2) { output.append(byte: 0x20) }
    }

    /// pyx12 escapes `&`, `<`, `>` in text and also `'` in attributes.
    private func escaped(_ text: String, attribute: Bool) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output.append("&amp;")
            case UInt8(ascii: "<"): output.append("&lt;")
            case UInt8(ascii: ">"): output.append("&gt;")
            case UInt8(ascii: "'") where attribute: output.append("&apos;")
            default: output.append(byte: byte)
            }
        }
    }
}
