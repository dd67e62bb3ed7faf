import ClaimscrubCore

/// One `seg` element of pyx12's XML, with the values of its `ele` and `subele`
/// children keyed by the positions their ids carry (`CLM05-01` = element 5,
/// component 1), since pyx12 leaves empty elements out.
///
/// The values are bytes, made into Strings only when the mapping asks for one: the
/// reading thread copies each text node's bytes once (see `XMLSegmentBuffer`), and a
/// recorded claim's segments become Strings on the deciding thread that maps it.
struct XMLSegment {
    /// One value: `component` is 0 for a simple element (`ele`); its text is
    /// `bytes[start..<end]`, counted from the start of the segment's bytes. Offsets fit in
    /// 32 bits: a segment keeps at most 256 values of at most 1 MiB of text each.
    struct Value: Sendable {
        var element: Int32
        var component: Int32
        var start: Int32
        var end: Int32
    }

    /// Segments read here have a few dozen values; a hostile file's thousands are dropped.
    static let maximumValues = 256

    var id: String
    var line: Int
    var values: ArraySlice<Value>
    var bytes: ArraySlice<UInt8>

    /// A simple element's text, trimmed; a composite's first component stands in for it.
    func element(_ position: Int) -> String? {
        for value in values where Int(value.element) == position && value.component <= 1 {
            return text(value)
        }
        return nil
    }

    /// A component of a composite element, trimmed.
    func component(_ position: Int, _ component: Int) -> String? {
        for value in values where Int(value.element) == position && Int(value.component) == component {
            return text(value)
        }
        return nil
    }

    /// The components of a composite element in order, `nil` where one is left out.
    func components(_ position: Int) -> [String?] {
        var result: [String?] = []
        result.reserveCapacity(8)
        for value in values where Int(value.element) == position && value.component > 0 {
            guard value.component <= 64 else { continue }
            while result.count < Int(value.component) { result.append(nil) }
            result[Int(value.component) - 1] = text(value)
        }
        return result
    }

    /// Whether `position` was written as a simple element rather than a composite.
    func isSimple(_ position: Int) -> Bool {
        values.contains { Int($0.element) == position && $0.component == 0 }
    }

    /// Element positions present, in order of first appearance.
    var elementPositions: [Int] {
        var seen: [Int] = []
        for value in values where !seen.contains(Int(value.element)) {
            seen.append(Int(value.element))
        }
        return seen
    }

    /// The value's text without surrounding spaces, tabs and line breaks.
    private func text(_ value: Value) -> String {
        let base = bytes.startIndex
        return bytes[(base + Int(value.start))..<(base + Int(value.end))].withUnsafeBufferPointer {
            String(readBytes: blankTrimmed($0[...]))
        }
    }
}

/// The segment being read, in buffers the reading thread reuses from segment to segment,
/// and the claims' recordings copy from: no allocation per segment or per value.
struct XMLSegmentBuffer {
    var id = ""
    var line = 0
    var values: [XMLSegment.Value] = []
    var bytes: [UInt8] = []

    init() {
        values.reserveCapacity(64)
        bytes.reserveCapacity(1024)
    }

    mutating func start(id: String, line: Int) {
        self.id = id
        self.line = line
        values.removeAll(keepingCapacity: true)
        // Room kept for the next segment, unless a hostile one made it large: its text is
        // not held for the rest of the file.
        bytes.removeAll(keepingCapacity: bytes.capacity <= XMLSegmentBuffer.keptBytes)
    }

    /// Text capacity kept from segment to segment; real segments hold a few hundred bytes.
    static let keptBytes = 64 << 10

    /// Text read so far for the value that starts at `start`.
    func textCount(from start: Int) -> Int { bytes.count - start }

    mutating func appendText(_ text: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: text)
    }

    /// Ends the value whose text started at `start`; past `maximumValues` its text is let go.
    mutating func endValue(element: Int, component: Int, start: Int) {
        guard values.count < XMLSegment.maximumValues else {
            bytes.removeSubrange(start...)
            return
        }
        values.append(XMLSegment.Value(
            element: Int32(element), component: Int32(component), start: Int32(start), end: Int32(bytes.count)
        ))
    }

    /// The segment as the mapping reads it, without copying.
    var segment: XMLSegment {
        XMLSegment(id: id, line: line, values: values[...], bytes: bytes[...])
    }
}

extension XMLSegment {
    /// The positions an id of pyx12's carries: `NM109` -> (9, 0), `SV101-07` -> (1, 7).
    ///
    /// The element position is always the two digits before the end (or the dash),
    /// whatever the segment id (`SV1`, `N4`) ends in. Read from the reader's C string: an
    /// `ele` id is only ever needed as a position.
    static func position(ofCString id: UnsafePointer<CChar>, isComponent: Bool) -> (element: Int, component: Int)? {
        id.withMemoryRebound(to: UInt8.self, capacity: 1) { bytes in
            var count = 0
            while bytes[count] != 0 { count += 1 }
            return position(of: UnsafeBufferPointer(start: bytes, count: count)[...], isComponent: isComponent)
        }
    }

    private static func position(of bytes: Slice<UnsafeBufferPointer<UInt8>>, isComponent: Bool) -> (element: Int, component: Int)? {
        var end = bytes.count
        var component = 0
        if isComponent {
            guard let dash = bytes.lastIndex(of: UInt8(ascii: "-")) else { return nil }
            guard let parsed = twoOrMoreDigits(bytes[(dash + 1)...]), parsed > 0 else { return nil }
            component = parsed
            end = dash
        }
        guard end >= 2, let element = twoOrMoreDigits(bytes[(end - 2)..<end]), element > 0 else { return nil }
        return (element, component)
    }

    private static func twoOrMoreDigits(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 4 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
}
