import Foundation

/// One row of a run's line reports, with what `diff` compares and where it came from.
struct LineReportRow {
    var claimID: String
    var lineNumber: String
    var source: String
    var decision: String
    /// The first of `reasons`.
    var primary: String
    var policyID: String
    var policyVersion: String
    /// Input order: the input's index in the manifest, then the position in it.
    var fileIndex: Int
    var position: Int
}

/// Reads a run's `accept`, `deny` and `pend` reports (CSV or JSON Lines) merged back into
/// input order: each report keeps input order, so a three-way merge on the rows'
/// `source` (input, then position) restores it while holding one row per report.
struct LineReportReader {
    private var streams: [RowStream]
    private var heads: [LineReportRow?]

    init(_ manifest: RunManifest) throws(AuditError) {
        // A path given twice names two inputs: their indexes in order.
        var fileIndex: [String: [Int]] = [:]
        for (index, input) in manifest.inputs.enumerated() { fileIndex[input.path, default: []].append(index) }
        let ext = manifest.reportExtension
        streams = []
        for name in ["accept", "deny", "pend"] {
            streams.append(try RowStream(path: manifest.folder + "/\(name).\(ext)", jsonl: ext == "jsonl", fileIndex: fileIndex))
        }
        heads = []
        for stream in streams { heads.append(try stream.next()) }
    }

    mutating func next() throws(AuditError) -> LineReportRow? {
        var best: Int?
        for (index, head) in heads.enumerated() {
            guard let head else { continue }
            if let current = best, let other = heads[current],
               (other.fileIndex, other.position) <= (head.fileIndex, head.position) { continue }
            best = index
        }
        guard let best, let row = heads[best] else { return nil }
        heads[best] = try streams[best].next()
        return row
    }
}

/// One report file's rows.
private final class RowStream {
    private let lines: LineReader
    private let jsonl: Bool
    private let fileIndex: [String: [Int]]
    /// The input and position of the last row, to tell apart inputs given twice.
    private var lastFile = -1
    private var lastPosition = -1
    /// The CSV column of each of `wanted`.
    private var columns: [Int] = []
    private let path: String
    private static let wanted = ["claim_id", "line_number", "source", "decision", "reasons", "policy_id", "policy_version"]

    init(path: String, jsonl: Bool, fileIndex: [String: [Int]]) throws(AuditError) {
        self.path = path
        self.jsonl = jsonl
        self.fileIndex = fileIndex
        lines = try LineReader(path: path)
        if !jsonl {
            guard let header = try record() else {
                throw AuditError(status: 1, "\(path): error: the report is empty (no header row)")
            }
            for name in Self.wanted {
                guard let index = header.firstIndex(of: name) else {
                    throw AuditError(status: 1, "\(path): error: the report has no \(name) column")
                }
                columns.append(index)
            }
        }
    }

    func next() throws(AuditError) -> LineReportRow? {
        // The `wanted` fields, in that order.
        let values: [String]
        if jsonl {
            guard let line = try lines.next() else { return nil }
            if line.isEmpty { return try next() }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw AuditError(status: 1, "\(path): error: a line is not a JSON object")
            }
            var found: [String: String] = [:]
            for (key, value) in object {
                switch value {
                case let text as String: found[key] = text
                case let number as NSNumber: found[key] = number.stringValue
                default: found[key] = ""
                }
            }
            values = Self.wanted.map { found[$0] ?? "" }
        } else {
            guard let fields = try record() else { return nil }
            values = columns.map { $0 < fields.count ? fields[$0] : "" }
        }
        let source = values[2]
        var file = Int.max, position = Int.max
        if let colon = source.lastIndex(of: ":") {
            position = Int(source[source.index(after: colon)...]) ?? Int.max
            // Rows keep input order: the first index of the path not before the last row's
            // input, and a later one when the position goes back (the same file given again).
            let candidates = (fileIndex[String(source[..<colon])] ?? []).filter { $0 >= lastFile }
            if let first = candidates.first {
                file = first == lastFile && position <= lastPosition && candidates.count > 1 ? candidates[1] : first
                lastFile = file
                lastPosition = position
            }
        }
        let reasons = values[4]
        return LineReportRow(
            claimID: values[0], lineNumber: values[1], source: source, decision: values[3],
            primary: String(reasons.split(separator: "|", omittingEmptySubsequences: false).first ?? ""),
            policyID: values[5], policyVersion: values[6],
            fileIndex: file, position: position
        )
    }

    /// One CSV record: RFC 4180, whose quoted cells may span lines; the formula guard's
    /// leading `'` is taken off again.
    private func record() throws(AuditError) -> [String]? {
        guard var bytes = try lines.next().map(Array.init) else { return nil }
        while bytes.lazy.filter({ $0 == UInt8(ascii: "\"") }).count % 2 == 1, let more = try lines.next() {
            bytes.append(0x0A)
            bytes.append(contentsOf: more)
        }
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") {
                quoted = true
            } else if byte == UInt8(ascii: ",") {
                fields.append(Self.unguarded(field))
                field = []
            } else {
                field.append(byte)
            }
            index += 1
        }
        fields.append(Self.unguarded(field))
        return fields
    }

    private static func unguarded(_ field: [UInt8]) -> String {
        if field.count >= 2 && field[0] == UInt8(ascii: "'"),
           [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D].contains(field[1]) {
            return String(decoding: field.dropFirst(), as: UTF8.self)
        }
        return String(decoding: field, as: UTF8.self)
    }
}
