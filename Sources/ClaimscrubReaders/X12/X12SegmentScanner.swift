#if canImport(Glibc)
import Glibc
#endif
import ClaimscrubCore

/// What the scanner found next in the byte stream.
enum X12ScanEvent {
    case segment(X12Segment)
    /// An `ISA` whose fixed layout does not hold (short, or delimiters that cannot be
    /// told apart): the scanner now looks for the next readable `ISA`.
    case unreadableInterchangeHeader(ordinal: Int)
    /// Bytes where an interchange should start but no `ISA`: the scanner looks for one.
    case notAnInterchange(ordinal: Int)
    /// A segment longer than the limit; the scanner skips to its terminator.
    case oversizedSegment(ordinal: Int)
}

/// Splits a byte stream into X12 segments with the delimiters each ISA declares.
///
/// Reads the source in fixed chunks into a buffer it owns, so memory stays bounded
/// by the longest segment allowed (`maxSegmentLength`) plus one chunk, whatever the
/// file size. Works on bytes only: no text decoding until a value is asked for.
struct X12SegmentScanner {
    /// The longest segment read; longer ones are reported and skipped.
    static let maxSegmentLength = 1 << 20
    static let chunkSize = 256 * 1024
    /// A well-formed ISA is exactly this long, its terminator included.
    static let interchangeHeaderLength = 106
    /// Offsets of the sixteen element separators of a well-formed ISA.
    static let interchangeHeaderSeparators = [3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103]

    private enum Mode {
        /// Nothing read yet: a byte-order mark and blanks may precede the first ISA.
        case fileStart
        /// Looking for the next readable ISA after a break; skipped bytes belong to the
        /// reject already reported.
        case searching
        case segments(X12Delimiters)
        /// Discarding the rest of an oversized segment.
        case skippingOversized(X12Delimiters)
    }

    private let source: ByteSource
    private let storage: X12ScanBuffer
    private var start = 0
    private var end = 0
    private var atEOF = false
    private var mode = Mode.fileStart
    /// The byte just before `start` once it has left the buffer (for the ISA word check).
    private var previousByte: UInt8 = 0x0A
    /// The element starts of the current segment (see `makeSegment`).
    private let starts = X12StartsBuffer()
    /// Segments (and failed headers) counted so far: the next one gets this plus one.
    private(set) var ordinal = 0

    init(source: ByteSource) {
        self.source = source
        storage = X12ScanBuffer(capacity: X12SegmentScanner.maxSegmentLength + 2 * X12SegmentScanner.chunkSize)
    }

    /// The next event, or nil at the end of the input.
    mutating func next() throws(InputError) -> X12ScanEvent? {
        while true {
            switch mode {
            case .fileStart:
                try skipByteOrderMarkAndBlanks()
                guard try available(1) else { return nil }
                if try startsInterchangeHeader() {
                    if let event = try readInterchangeHeader() { return event }
                    continue
                }
                ordinal += 1
                mode = .searching
                return .notAnInterchange(ordinal: ordinal)
            case .searching:
                guard try searchInterchangeHeader() else { return nil }
                if let event = try readInterchangeHeader(reportFailure: false) { return event }
            case .segments(let delimiters):
                try skipBlanks()
                // A segment that does not start with the I of `ISA` is no interchange header:
                // nearly every one, read without asking for more bytes first.
                if start < end, storage.pointer[start] != UInt8(ascii: "I") { return try readSegment(delimiters) }
                guard try available(1) else { return nil }
                if try startsInterchangeHeader() {
                    if let event = try readInterchangeHeader() { return event }
                    continue
                }
                return try readSegment(delimiters)
            case .skippingOversized(let delimiters):
                if let terminator = try findByte(delimiters.segment, from: start, allowDiscard: true) {
                    consume(to: terminator + 1)
                    mode = .segments(delimiters)
                } else {
                    return nil
                }
            }
        }
    }

    // MARK: Interchange headers

    /// `ISA` followed by a byte that cannot continue a word.
    private mutating func startsInterchangeHeader() throws(InputError) -> Bool {
        guard try available(3) else { return false }
        let p = storage.pointer + start
        guard p[0] == 0x49, p[1] == 0x53, p[2] == 0x41 else { return false }
        guard try available(4) else { return true }
        return !isAlphanumeric(storage.pointer[start + 3])
    }

    /// Reads the fixed-length ISA at `start`. Returns its segment, or (when it cannot be
    /// read) an unreadable-header event and switches to searching; nil when a failure
    /// is to be passed over silently.
    private mutating func readInterchangeHeader(reportFailure: Bool = true) throws(InputError) -> X12ScanEvent? {
        let length = X12SegmentScanner.interchangeHeaderLength
        _ = try available(length)
        let count = min(length, end - start)
        let p = storage.pointer + start
        var delimiters: X12Delimiters?
        if count == length {
            let element = p[3]
            let component = p[104]
            let terminator = p[105]
            let separatorsHold = X12SegmentScanner.interchangeHeaderSeparators.allSatisfy { p[$0] == element }
            let distinct = element != component && element != terminator && component != terminator
            if separatorsHold, distinct, !isAlphanumeric(element), !isAlphanumeric(component),
               !isAlphanumeric(terminator) {
                delimiters = X12Delimiters(element: element, component: component, segment: terminator)
            }
        }
        guard let delimiters else {
            // Step past the `ISA` so that the search finds the next one, not this one.
            consume(to: start + min(3, count))
            mode = .searching
            if reportFailure {
                ordinal += 1
                return .unreadableInterchangeHeader(ordinal: ordinal)
            }
            return nil
        }
        ordinal += 1
        // Borrowed from the buffer like any segment: `consume` only moves past it.
        let segment = makeSegment(p, count: length - 1, delimiters: delimiters)
        consume(to: start + length)
        mode = .segments(delimiters)
        return segment
    }

    /// Moves `start` to the next `ISA` that begins a word; false at the end of input.
    private mutating func searchInterchangeHeader() throws(InputError) -> Bool {
        while true {
            var index = start
            while index + 3 < end {
                let p = storage.pointer
                if p[index] == 0x49, p[index + 1] == 0x53, p[index + 2] == 0x41, !isAlphanumeric(p[index + 3]) {
                    let before = index > start ? p[index - 1] : previousByte
                    if !isAlphanumeric(before) {
                        consume(to: index)
                        return true
                    }
                }
                index += 1
            }
            // Keep the last three bytes: they may begin an `ISA` split across chunks.
            if index > start { consume(to: index) }
            if atEOF {
                // A trailing `ISA` with nothing after it is a short header too.
                if end - start == 3, storage.pointer[start] == 0x49, storage.pointer[start + 1] == 0x53,
                   storage.pointer[start + 2] == 0x41, !isAlphanumeric(previousByte) {
                    return true
                }
                consume(to: end)
                return false
            }
            _ = try fill()
        }
    }

    // MARK: Segments

    /// The segment of `count` bytes at `bytes`, which lie in the scanner's buffer: the
    /// segment borrows them and the element starts, which stay as they are until the next
    /// call (the reader is done with a segment before it asks for the next).
    /// Inlined, like `readSegment`, `skipBlanks` and the starts' `record`: every segment
    /// passes through them, and the calls were a seventh of the scanner's instructions.
    @inline(__always)
    private mutating func makeSegment(
        _ bytes: UnsafePointer<UInt8>, count: Int, delimiters: X12Delimiters
    ) -> X12ScanEvent {
        .segment(starts.segment(bytes, count: count, ordinal: ordinal, delimiters: delimiters))
    }

    @inline(__always)
    private mutating func readSegment(_ delimiters: X12Delimiters) throws(InputError) -> X12ScanEvent {
        ordinal += 1
        let limit = X12SegmentScanner.maxSegmentLength
        var scanFrom = start
        while true {
            let p = storage.pointer
            var index = end
            if scanFrom < end, let found = memchr(p + scanFrom, Int32(delimiters.segment), end - scanFrom) {
                index = p.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
            if index < end, index - start > limit {
                consume(to: index + 1)
                return .oversizedSegment(ordinal: ordinal)
            }
            if index < end {
                let segment = makeSegment(p + start, count: index - start, delimiters: delimiters)
                consume(to: index + 1)
                return segment
            }
            if end - start > limit {
                consume(to: end)
                mode = .skippingOversized(delimiters)
                return .oversizedSegment(ordinal: ordinal)
            }
            if atEOF {
                // A last segment without its terminator is read as if it had one.
                let segment = makeSegment(p + start, count: end - start, delimiters: delimiters)
                consume(to: end)
                return segment
            }
            let scanned = index - start
            _ = try fill()
            scanFrom = start + scanned
        }
    }

    /// Index of `byte` at or after `from`; with `allowDiscard`, bytes before it may be
    /// dropped to make room. Nil at the end of input.
    private mutating func findByte(_ byte: UInt8, from: Int, allowDiscard: Bool) throws(InputError) -> Int? {
        var index = from
        while true {
            while index < end {
                if storage.pointer[index] == byte { return index }
                index += 1
            }
            if atEOF { return nil }
            if allowDiscard { consume(to: end) }
            let offset = index - start
            _ = try fill()
            index = start + offset
        }
    }

    // MARK: Buffer

    private mutating func skipByteOrderMarkAndBlanks() throws(InputError) {
        if try available(3) {
            let p = storage.pointer + start
            if p[0] == 0xEF, p[1] == 0xBB, p[2] == 0xBF { consume(to: start + 3) }
        }
        try skipBlanks()
    }

    @inline(__always)
    private mutating func skipBlanks() throws(InputError) {
        // Over the buffer in one go: most segments are followed by a line break.
        while true {
            var index = start
            while index < end, isBlank(storage.pointer[index]) { index += 1 }
            consume(to: index)
            if index < end { return }
            guard try fill() else { return }
        }
    }

    private mutating func consume(to index: Int) {
        if index > start { previousByte = storage.pointer[index - 1] }
        start = index
    }

    /// True when `count` bytes from `start` are in the buffer, reading more if needed.
    private mutating func available(_ count: Int) throws(InputError) -> Bool {
        while end - start < count {
            guard try fill() else { return false }
        }
        return true
    }

    /// Reads one more chunk after moving the unread bytes to the front; false at the end.
    private mutating func fill() throws(InputError) -> Bool {
        if atEOF { return false }
        let p = storage.pointer
        if start > 0 {
            let unread = end - start
            var index = 0
            while index < unread {
                p[index] = p[start + index]
                index += 1
            }
            start = 0
            end = unread
        }
        let room = min(storage.capacity - end, X12SegmentScanner.chunkSize)
        guard room > 0 else { return false }
        let count = try source.read(into: UnsafeMutableRawPointer(p + end), count: room)
        if count == 0 {
            atEOF = true
            return false
        }
        end += count
        return true
    }
}

/// Where the elements of the segment being read start, found the first time one is asked
/// for: most segments are only looked at by their id (a claim's recorded segments, and
/// the `N3`, `PER` and `REF` around them), and splitting every one was about 200
/// instructions a segment on the reading thread.
struct X12ElementStarts {
    private(set) var pointer = UnsafeMutablePointer<Int>.allocate(capacity: 64)
    private(set) var capacity = 64
    /// How many were found; -1 until the segment is split.
    var count = -1

    /// Finds the element starts of `bytes` (`starts[0]` is 0).
    mutating func split(_ bytes: UnsafeBufferPointer<UInt8>, element: UInt8) {
        // One pass while the starts fit (they nearly always do), a counted second one if not.
        // A long segment's room is not kept for the short ones that follow.
        if capacity > 4096 { prepare(for: 64) }
        guard let base = bytes.baseAddress else {
            pointer[0] = 0
            count = 1
            return
        }
        count = record(base, count: bytes.count, element: element)
        if count < 0 {
            var total = 1
            for byte in bytes where byte == element { total += 1 }
            prepare(for: total)
            count = record(base, count: bytes.count, element: element)
        }
    }

    /// Records the element starts of `count` bytes; returns how many, or -1 when they do
    /// not fit (`prepare` first).
    @inline(__always)
    private func record(_ bytes: UnsafePointer<UInt8>, count: Int, element: UInt8) -> Int {
        pointer[0] = 0
        var next = 1
        // Eight bytes at a time: a word without the separator is passed in a few
        // instructions, and each separator in it is found from its bit.
        var index = 0
        while index + 8 <= count {
            var separators = ByteWord.marks(ByteWord.load(bytes + index), of: element)
            while separators != 0 {
                if next == capacity { return -1 }
                pointer[next] = index + separators.trailingZeroBitCount / 8 + 1
                next += 1
                separators &= separators &- 1
            }
            index += 8
        }
        while index < count {
            if bytes[index] == element {
                if next == capacity { return -1 }
                pointer[next] = index + 1
                next += 1
            }
            index += 1
        }
        return next
    }

    /// Room for exactly `count` starts (at least 64); what was recorded is gone.
    private mutating func prepare(for count: Int) {
        pointer.deallocate()
        capacity = max(count, 64)
        pointer = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
    }

    func deallocate() {
        pointer.deallocate()
    }
}

/// The element starts of the segment being read (`X12ElementStarts`), at an address that
/// does not move: a class only so that its memory is freed exactly once.
final class X12StartsBuffer {
    private let starts: UnsafeMutablePointer<X12ElementStarts>

    init() {
        starts = .allocate(capacity: 1)
        starts.initialize(to: X12ElementStarts())
    }

    deinit {
        starts.pointee.deallocate()
        starts.deallocate()
    }

    /// The segment of `count` bytes at `bytes`: it borrows the bytes and these starts, valid
    /// until the next call.
    @inline(__always)
    func segment(_ bytes: UnsafePointer<UInt8>, count: Int, ordinal: Int, delimiters: X12Delimiters) -> X12Segment {
        X12Segment(
            ordinal: ordinal, borrowing: UnsafeBufferPointer(start: bytes, count: count),
            starts: starts, delimiters: delimiters
        )
    }
}

/// The scanner's raw buffer: a class only so that its memory is freed exactly once.
private final class X12ScanBuffer {
    let pointer: UnsafeMutablePointer<UInt8>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    }

    deinit {
        pointer.deallocate()
    }
}
