import ClaimscrubCore

/// One `seg` element of pyx12's XML, with the values of its `ele` and `subele`
/// children keyed by the positions their ids carry (`CLM05-01` = element 5,
/// component 1), since pyx12 leaves empty elements out.
struct XMLSegment {
    /// One value: `component` is 0 for a simple element (`ele`).
    struct Value {
        var element: Int
        var component: Int
        var text: String
    }

    /// Segments read here have a few dozen values; a hostile file's thousands are dropped.
    static let maximumValues = 256

    var id: String
    var line: Int
    var values: [Value] = []

    init(id: String, line: Int) {
        self.id = id
        self.line = line
        // Claim segments carry up to about a dozen values: one allocation, not several.
        values.reserveCapacity(12)
    }

    mutating func append(element: Int, component: Int, text: String) {
        guard values.count < XMLSegment.maximumValues else { return }
        values.append(Value(element: element, component: component, text: text))
    }

    /// A simple element's text, trimmed; a composite's first component stands in for it.
    func element(_ position: Int) -> String? {
        for value in values where value.element == position && value.component <= 1 {
            return Self.trimmed(value.text)
        }
        return nil
    }

    /// A component of a composite element, trimmed.
    func component(_ position: Int, _ component: Int) -> String? {
        for value in values where value.element == position && value.component == component {
            return Self.trimmed(value.text)
        }
        return nil
    }

    /// The components of a composite element in order, `nil` where one is left out.
    func components(_ position: Int) -> [String?] {
        var result: [String?] = []
        result.reserveCapacity(8)
        for value in values where value.element == position && value.component > 0 {
            guard value.component <= 64 else { continue }
            while result.count < value.component { result.append(nil) }
            result[value.component - 1] = Self.trimmed(value.text)
        }
        return result
    }

    /// Whether `position` was written as a simple element rather than a composite.
    func isSimple(_ position: Int) -> Bool {
        values.contains { $0.element == position && $0.component == 0 }
    }

    /// Element positions present, in order of first appearance.
    var elementPositions: [Int] {
        var seen: [Int] = []
        for value in values where !seen.contains(value.element) {
            seen.append(value.element)
        }
        return seen
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

    /// Surrounding spaces, tabs and line breaks removed.
    static func trimmed(_ text: String) -> String {
        // Nearly every value comes trimmed already: two bytes looked at, no copy.
        let untrimmed = text.withUTF8Bytes { bytes in
            guard let first = bytes.first, let last = bytes.last else { return false }
            return isBlank(first) || isBlank(last)
        }
        guard untrimmed else { return text }
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { !isBlank($0) }) else { return "" }
        guard let last = utf8.lastIndex(where: { !isBlank($0) }) else { return "" }
        if first == utf8.startIndex, utf8.index(after: last) == utf8.endIndex { return text }
        return String(text[first...last])
    }
}
