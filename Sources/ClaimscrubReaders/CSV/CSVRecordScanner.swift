import ClaimscrubCore
#if canImport(Glibc)
import Glibc
#endif

/// Splits a byte stream into RFC 4180 records, keeping each record's physical start line.
///
/// Holds one bounded buffer: a record longer than `maxRecordBytes` is reported, not buffered.
struct CSVRecordScanner {
    enum Record {
        /// Fields as bytes (quotes removed, `""` unescaped), and the record's first physical line.
        case fields(CSVRecord, line: Int)
        /// A record or field over the limit; scanning resumed at the next physical line.
        case tooLong(line: Int)
        /// A quoted field still open at the end of the input; scanning resumed at the next line.
        case openQuote(line: Int)
    }

    static let maxRecordBytes = 1 << 20
    private let source: ByteSource
    private let chunkSize = 256 * 1024
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEOF = false
    /// Physical line of `start`.
    private var line = 1
    /// Reused by `scan` from row to row: a row's own storage is then one allocation.
    private var scratchEnds: [Int32] = []
    private var scratchBytes: [UInt8] = []

    init(source: ByteSource) {
        self.source = source
        buffer = [UInt8](repeating: 0, count: CSVRecordScanner.maxRecordBytes + 2 * 256 * 1024)
        scratchEnds.reserveCapacity(64)
    }

    /// Skips a UTF-8 byte-order mark at the very start.
    mutating func skipByteOrderMark() throws(InputError) {
        try fill(atLeast: 3)
        if end - start >= 3, buffer[start] == 0xEF, buffer[start + 1] == 0xBB, buffer[start + 2] == 0xBF {
            start += 3
        }
    }

    /// The next record, skipping empty physical lines; nil at the end of the input.
    mutating func next() throws(InputError) -> Record? {
        while true {
            if start == end {
                try fill(atLeast: 1)
                if start == end { return nil }
            }
            switch scan() {
            case .record(let fields, let next, let lines, let length):
                let recordLine = line
                // A record can arrive whole in the buffer and still be over the limit; it is
                // refused the same way as one that overflows the buffer, whatever the chunking.
                if length > CSVRecordScanner.maxRecordBytes {
                    skipPhysicalLine()
                    return .tooLong(line: recordLine)
                }
                start = next
                line += lines
                if fields.count == 1 && fields[0].isEmpty { continue }
                return .fields(fields, line: recordLine)
            case .needMore:
                if atEOF {
                    // Only a quoted field can leave a record open at the end.
                    let recordLine = line
                    skipPhysicalLine()
                    return .openQuote(line: recordLine)
                }
                if end - start > CSVRecordScanner.maxRecordBytes {
                    let recordLine = line
                    try skipPhysicalLineStreaming()
                    return .tooLong(line: recordLine)
                }
                try fill(atLeast: end - start + chunkSize)
            }
        }
    }

    private enum ScanResult {
        /// `length`: the record's bytes without its line end.
        case record(CSVRecord, next: Int, lines: Int, length: Int)
        case needMore
    }

    /// Scans one record from `start`; `.needMore` when its end is not in the buffer yet.
    ///
    /// Field ends go into `scratchEnds`, reused from row to row; a record without quotes
    /// (nearly all of them) is then copied from the buffer in one block, commas and all. A
    /// quoted field switches to building the record's bytes in `scratchBytes` field by
    /// field, with a comma after each field, so that fields are found the same way in both
    /// (see `CSVRecord`).
    private mutating func scan() -> ScanResult {
        // Moved out for the scan and back after it: the closure over the buffer cannot
        // write to `self`'s other properties while it reads `buffer`, and a copy would make
        // each append copy the array.
        var ends = scratchEnds
        var built = scratchBytes
        scratchEnds = []
        scratchBytes = []
        ends.removeAll(keepingCapacity: true)
        built.removeAll(keepingCapacity: true)
        defer {
            scratchEnds = ends
            scratchBytes = built
        }
        let start = start, end = end, atEOF = atEOF
        var index = start
        var newlines = 0
        // False while the record's bytes are still the buffer's bytes from `start`.
        var building = false
        return buffer.withUnsafeBufferPointer { bytes -> ScanResult in
            if let record = CSVRecordScanner.scanPlain(bytes, start: start, end: end) { return record }
            while true {
                // Field start.
                if index < end, bytes[index] == UInt8(ascii: "\"") {
                    if !building {
                        building = true
                        built.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                    }
                    index += 1
                    var closed = false
                    while index < end {
                        let byte = bytes[index]
                        if byte == UInt8(ascii: "\"") {
                            if index + 1 < end {
                                if bytes[index + 1] == UInt8(ascii: "\"") {
                                    built.append(UInt8(ascii: "\""))
                                    index += 2
                                    continue
                                }
                                index += 1
                                closed = true
                                break
                            }
                            if atEOF {
                                index += 1
                                closed = true
                                break
                            }
                            return .needMore
                        }
                        if byte == 0x0A { newlines += 1 }
                        built.append(byte)
                        index += 1
                    }
                    if !closed { return .needMore }
                }
                // Unquoted bytes (or what follows a closing quote) up to a comma or line end.
                let runStart = index
                while index < end {
                    let byte = bytes[index]
                    if byte == UInt8(ascii: ",") || byte == 0x0A { break }
                    index += 1
                }
                if index == end && !atEOF { return .needMore }
                var runEnd = index
                let atLineEnd = index == end || bytes[index] == 0x0A
                if atLineEnd, runEnd > runStart, bytes[runEnd - 1] == 0x0D { runEnd -= 1 }
                if building {
                    if runEnd > runStart {
                        built.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<runEnd]))
                    }
                    ends.append(Int32(built.count))
                } else {
                    ends.append(Int32(runEnd - start))
                }
                if atLineEnd {
                    let record = building
                        ? built.withUnsafeBytes { CSVRecord(ends: ends, bytes: $0) }
                        : CSVRecord(ends: ends, bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<runEnd])))
                    let next = index == end ? index : index + 1
                    return .record(record, next: next, lines: newlines + (index == end ? 0 : 1), length: runEnd - start)
                }
                if building { built.append(UInt8(ascii: ",")) }
                index += 1  // comma
            }
        }
    }

    /// The record at `start` when it has no double quote and its line end is in the
    /// buffer (nearly every record): its commas and line end are found eight bytes at a
    /// time, where the loop in `scan` takes each byte in turn (17 instructions a byte of a
    /// generated batch's rows, the reading thread's largest share), and its field ends are
    /// kept on the stack. Nil, for `scan` to read the record byte by byte: a quote, more
    /// than `plainFieldLimit` fields, or no line end before the last eight bytes of the
    /// buffer.
    private static func scanPlain(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> ScanResult? {
        guard let base = bytes.baseAddress else { return nil }
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: plainFieldLimit) { ends -> ScanResult? in
            var fieldCount = 0
            var index = start
            while index + 8 <= end {
                let word = ByteWord.load(base + index)
                if ByteWord.marks(word, of: 0x22) != 0 { return nil }
                let lineEnds = ByteWord.marks(word, of: 0x0A)
                var marks = ByteWord.marks(word, of: 0x2C) | lineEnds
                while marks != 0 {
                    let bit = marks.trailingZeroBitCount
                    let position = index + bit >> 3
                    guard fieldCount < plainFieldLimit else { return nil }
                    if lineEnds & (1 << UInt64(bit)) != 0 {
                        // A CR before the LF is part of the line end, as in `scan` (where it
                        // is taken off a non-empty last field: a byte before an empty one is
                        // a comma).
                        var runEnd = position
                        if runEnd > start, bytes[runEnd - 1] == 0x0D { runEnd -= 1 }
                        ends[fieldCount] = Int32(runEnd - start)
                        let record = CSVRecord(
                            ends: UnsafeBufferPointer(rebasing: ends[...fieldCount]),
                            bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<runEnd]))
                        )
                        return .record(record, next: position + 1, lines: 1, length: runEnd - start)
                    }
                    ends[fieldCount] = Int32(position - start)
                    fieldCount += 1
                    marks &= marks - 1
                }
                index += 8
            }
            return nil
        }
    }

    /// Fields a record read by `scanPlain` may have (the canonical layout has 21).
    private static let plainFieldLimit = 256

    /// Moves `start` to the physical line after the current one (all in the buffer).
    private mutating func skipPhysicalLine() {
        var index = start
        while index < end, buffer[index] != 0x0A { index += 1 }
        start = index < end ? index + 1 : end
        line += 1
    }

    /// Like `skipPhysicalLine`, reading on when the line itself is longer than the buffer.
    private mutating func skipPhysicalLineStreaming() throws(InputError) {
        while true {
            var index = start
            while index < end, buffer[index] != 0x0A { index += 1 }
            if index < end {
                start = index + 1
                line += 1
                return
            }
            start = end
            try fill(atLeast: 1)
            if start == end {
                line += 1
                return
            }
        }
    }

    /// Reads until at least `count` bytes are buffered from `start`, or the end of the input.
    private mutating func fill(atLeast count: Int) throws(InputError) {
        if start > 0 && (buffer.count - end < chunkSize || start == end) {
            if start < end {
                buffer.withUnsafeMutableBufferPointer { bytes in
                    let base = bytes.baseAddress!
                    (base).update(from: base + start, count: end - start)
                }
            }
            end -= start
            start = 0
        }
        while !atEOF && end - start < count {
            if end == buffer.count { break }
            let room = buffer.count - end
            var failure: InputError?
            let offset = end
            let got = buffer.withUnsafeMutableBytes { raw -> Int in
                do {
                    return try source.read(into: raw.baseAddress! + offset, count: room)
                } catch {
                    failure = error as? InputError ?? InputError(path: source.path, message: "cannot read: \(error)")
                    return 0
                }
            }
            if let failure { throw failure }
            if got == 0 { atEOF = true }
            end += got
        }
    }
}

/// One CSV record: every field's bytes, one separator byte after each field but the last,
/// with each field's end offset before them, all in one allocation. Rows are made on the
/// reading thread and freed on a deciding one, and each allocation is a `malloc` there and
/// a `free` here; the ends and the bytes in arrays of their own made two per row.
public struct CSVRecord: RandomAccessCollection, Sendable {
    /// `fieldCount` field ends (Int32, offsets into the bytes), then the bytes.
    private let storage: [UInt8]
    private let fieldCount: Int

    /// `ends`: each field's end offset in `bytes`, the record's bytes (copied).
    init(ends: [Int32], bytes: UnsafeRawBufferPointer) {
        self = ends.withUnsafeBufferPointer { CSVRecord(ends: $0, bytes: bytes) }
    }

    init(ends: UnsafeBufferPointer<Int32>, bytes: UnsafeRawBufferPointer) {
        fieldCount = ends.count
        let headerSize = ends.count * MemoryLayout<Int32>.stride
        storage = [UInt8](unsafeUninitializedCapacity: headerSize + bytes.count) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.copyMemory(from: UnsafeRawBufferPointer(ends))
            UnsafeMutableRawBufferPointer(rebasing: raw[headerSize...]).copyMemory(from: bytes)
            initialized = headerSize + bytes.count
        }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { fieldCount }

    /// Field `index`: quotes removed, `""` unescaped.
    public subscript(index: Int) -> ArraySlice<UInt8> {
        // The ends are read unchecked from raw bytes: a field past the end would be garbage.
        precondition(index >= 0 && index < fieldCount, "CSVRecord: field \(index) of \(fieldCount)")
        return storage[withFields { $0.storageRange(index) }]
    }

    /// Calls `body` with the fields read in place.
    func withFields<Result>(_ body: (CSVFields) -> Result) -> Result {
        storage.withUnsafeBufferPointer { body(CSVFields(storage: $0, count: fieldCount)) }
    }
}

/// A record's fields, read in place for as long as `CSVRecord.withFields` lends them. A
/// claim is built from its rows through these: a copy of a record, or a value holding
/// one, retained and released its bytes, several times per row on the deciding threads.
struct CSVFields {
    /// The record's storage: the field ends, then the bytes.
    private let storage: UnsafeBufferPointer<UInt8>
    let count: Int

    fileprivate init(storage: UnsafeBufferPointer<UInt8>, count: Int) {
        self.storage = storage
        self.count = count
    }

    private var bodyStart: Int { count * MemoryLayout<Int32>.stride }

    /// The end of field `index`, as an offset into the bytes.
    @inline(__always)
    private func end(_ index: Int) -> Int {
        Int(UnsafeRawBufferPointer(storage).loadUnaligned(fromByteOffset: index * MemoryLayout<Int32>.stride, as: Int32.self))
    }

    /// The bytes of field `index` (which must be below `count`), as offsets into the storage.
    @inline(__always)
    fileprivate func storageRange(_ index: Int) -> Range<Int> {
        let lower = index == 0 ? 0 : end(index - 1) + 1
        return (bodyStart + lower)..<(bodyStart + end(index))
    }

    /// Field `index` without surrounding spaces and tabs, as offsets into the storage;
    /// empty past the record's end.
    private func trimmedRange(_ index: Int) -> Range<Int> {
        guard index >= 0, index < count else { return 0..<0 }
        let trimmed = trimmedBytes(storage[storageRange(index)])
        return trimmed.startIndex..<trimmed.endIndex
    }

    /// Field `index` without surrounding spaces and tabs; empty past the record's end.
    func trimmedField(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: storage[trimmedRange(index)])
    }

    /// Field `index` without surrounding spaces and tabs, as text; bytes that are not UTF-8
    /// become U+FFFD. Every claim field goes through here.
    func trimmedText(_ index: Int) -> String {
        String(readBytes: trimmedField(index))
    }

    /// Whether field `index` here and in `other` hold the same bytes once spaces and tabs
    /// around them are left out; a field past a record's end is empty.
    func trimmedBytesEqual(_ index: Int, as other: CSVFields) -> Bool {
        // Nearly every later row of a claim repeats its first row's cell byte for byte:
        // equal as they stand, neither needs trimming.
        if index >= 0, index < count, index < other.count,
           sameBytes(storageRange(index), as: other, other.storageRange(index)) {
            return true
        }
        return sameBytes(trimmedRange(index), as: other, other.trimmedRange(index))
    }

    /// Whether fields `span` here and in `other` are the same bytes, field for field (as
    /// they stand: untrimmed); false when either record ends before the span does.
    func sameFields(_ span: ClosedRange<Int>, as other: CSVFields) -> Bool {
        guard span.upperBound < count, span.upperBound < other.count else { return false }
        let mine = storageRange(span.lowerBound).lowerBound..<storageRange(span.upperBound).upperBound
        let theirs = other.storageRange(span.lowerBound).lowerBound..<other.storageRange(span.upperBound).upperBound
        guard sameBytes(mine, as: other, theirs) else { return false }
        // The same bytes split elsewhere (a quoted cell holding a comma) are other fields.
        let shift = (theirs.lowerBound - other.bodyStart) - (mine.lowerBound - bodyStart)
        // Counted by hand: a loop over the closed range's slice cost some 40 instructions a
        // field, more than the comparison saves.
        var index = span.lowerBound
        while index < span.upperBound {
            if end(index) + shift != other.end(index) { return false }
            index += 1
        }
        return true
    }

    /// Whether `mine` (offsets into this storage) and `theirs` (into `other`'s) hold the same bytes.
    private func sameBytes(_ mine: Range<Int>, as other: CSVFields, _ theirs: Range<Int>) -> Bool {
        guard mine.count == theirs.count else { return false }
        return mine.isEmpty
            || memcmp(storage.baseAddress! + mine.lowerBound, other.storage.baseAddress! + theirs.lowerBound, mine.count) == 0
    }
}
