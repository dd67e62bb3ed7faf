import ClaimscrubCore

/// The row files' format: CSV (default) or JSON Lines with the same fields.
public enum ReportFormat: String, Sendable, CaseIterable {
    case csv
    case jsonl
}

/// How one report value is typed in JSON Lines.
enum CellValue {
    case text(String)
    /// A number written as is (already canonical), or null when nil.
    case number(String?)
}

/// Appends rows to a byte buffer as CSV or JSON Lines (outputs.md).
struct RowEncoder {
    let format: ReportFormat

    func header(_ columns: [String], into out: inout [UInt8]) {
        guard format == .csv else { return }
        for (index, column) in columns.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: column.utf8)
        }
        out.append(0x0A)
    }

    func row(_ columns: [String], _ values: [CellValue], into out: inout [UInt8]) {
        switch format {
        case .csv:
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                switch value {
                case .text(let text): appendCSVCell(text, into: &out)
                case .number(let text): appendCSVCell(text ?? "", into: &out)
                }
            }
            out.append(0x0A)
        case .jsonl:
            out.append(UInt8(ascii: "{"))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendJSONString(columns[index], into: &out)
                out.append(UInt8(ascii: ":"))
                switch value {
                case .text(let text): appendJSONString(text, into: &out)
                case .number(let text?): out.append(contentsOf: text.utf8)
                case .number(nil): out.append(contentsOf: "null".utf8)
                }
            }
            out.append(contentsOf: "}\n".utf8)
        }
    }
}

/// RFC 4180 quoting only where needed, after a `'` guard against spreadsheet formulas.
func appendCSVCell<Sink: ByteSink>(_ text: String, into out: inout Sink) {
    text.withUTF8Bytes { bytes in
        guard let first = bytes.first else { return }
        let formula = startsFormula(first)
        if !needsCSVQuotes(bytes) {
            if formula { out.appendByte(UInt8(ascii: "'")) }
            out.appendBytes(bytes)
            return
        }
        out.appendByte(UInt8(ascii: "\""))
        if formula { out.appendByte(UInt8(ascii: "'")) }
        // In blocks between double quotes, each doubled: a message quoted for its commas
        // (one line in seven) has none, and appending byte by byte cost about 25
        // instructions a byte.
        var start = 0
        while let quote = bytes[start...].firstIndex(of: UInt8(ascii: "\"")) {
            out.appendBytes(UnsafeBufferPointer(rebasing: bytes[start...quote]))
            out.appendByte(UInt8(ascii: "\""))
            start = quote + 1
        }
        out.appendBytes(UnsafeBufferPointer(rebasing: bytes[start...]))
        out.appendByte(UInt8(ascii: "\""))
    }
}

/// A spreadsheet would read a cell starting with this byte as a formula.
@inline(__always)
func startsFormula(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: "=") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
        || byte == UInt8(ascii: "@") || byte == 0x09 || byte == 0x0D
}

/// The cell `path:position` as `appendCSVCell` writes it, without making the text: every
/// line row has one. Only a path that needs quoting or a formula guard takes the long way.
func appendCSVSourceCell<Sink: ByteSink>(path: String, position: Int?, into out: inout Sink) {
    guard let position, position >= 0 else {
        appendCSVCell(position.map { sourceText(path, $0) } ?? path, into: &out)
        return
    }
    let plain = path.withUTF8Bytes { bytes -> Bool in
        guard isPlainCSVCell(bytes) else { return false }
        out.appendBytes(bytes)
        return true
    }
    guard plain else {
        appendCSVCell(sourceText(path, position), into: &out)
        return
    }
    out.appendByte(UInt8(ascii: ":"))
    appendDecimal(position, into: &out)
}

/// Whether `appendCSVCell` writes `bytes` unchanged (non-empty, no formula start, nothing
/// to quote), so that plain text appended after them (`:` and digits) stays unquoted too.
func isPlainCSVCell(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let first = bytes.first else { return false }
    return !startsFormula(first) && !needsCSVQuotes(bytes)
}

/// The digits of `value` (at least zero), made on the stack and appended at once.
func appendDecimal<Sink: ByteSink>(_ value: Int, into out: inout Sink) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
        var rest = value
        var start = buffer.count
        repeat {
            start -= 1
            buffer[start] = UInt8(truncatingIfNeeded: 48 + rest % 10)
            rest /= 10
        } while rest > 0
        out.appendBytes(UnsafeBufferPointer(rebasing: buffer[start...]))
    }
}

/// Whether `bytes` hold a comma, a double quote or a line break. Messages make up most
/// of a report's bytes, so they are checked eight bytes at a time.
@inline(__always)
func needsCSVQuotes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return false }
    var index = 0
    while index + 8 <= bytes.count {
        let word = ByteWord.load(base + index)
        if ByteWord.marks(word, of: 0x2C) | ByteWord.marks(word, of: 0x22)
            | ByteWord.marks(word, of: 0x0A) | ByteWord.marks(word, of: 0x0D) != 0 {
            return true
        }
        index += 8
    }
    while index < bytes.count {
        let byte = base[index]
        if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D { return true }
        index += 1
    }
    return false
}

func appendJSONString(_ text: String, into out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
        case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
        case 0x0A: out.append(contentsOf: "\\n".utf8)
        case 0x0D: out.append(contentsOf: "\\r".utf8)
        case 0x09: out.append(contentsOf: "\\t".utf8)
        case 0..<0x20:
            out.append(contentsOf: "\\u00".utf8)
            out.append(contentsOf: byteHex(byte).utf8)
        default: out.append(byte)
        }
    }
    out.append(UInt8(ascii: "\""))
}

/// `text` as a JSON string literal, quotes included.
public func jsonString(_ text: String) -> String {
    var out: [UInt8] = []
    appendJSONString(text, into: &out)
    return String(decoding: out, as: UTF8.self)
}
