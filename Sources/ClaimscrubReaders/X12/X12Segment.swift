/// The three delimiters an ISA segment declares for its interchange.
struct X12Delimiters: Sendable, Equatable {
    var element: UInt8
    var component: UInt8
    var segment: UInt8
}

/// One segment as read, with its 1-based ordinal from the start of the file.
///
/// Holds its own copy of the bytes so that the scanner may reuse its buffer;
/// elements are split once, components on demand.
struct X12Segment {
    let ordinal: Int
    let bytes: [UInt8]
    let delimiters: X12Delimiters
    /// Start offsets of each element (element 0 is the segment id); ends are the next start - 1.
    private var starts: [Int]
    /// The segment id (`CLM`), as text: made once, since the reader and the claim builder
    /// both switch on it.
    let id: String

    init(ordinal: Int, bytes: [UInt8], delimiters: X12Delimiters) {
        var starts: [Int] = []
        // Claim segments have up to about twenty elements: one allocation, not several.
        starts.reserveCapacity(24)
        starts.append(0)
        for index in bytes.indices where bytes[index] == delimiters.element {
            starts.append(index + 1)
        }
        self.init(ordinal: ordinal, bytes: bytes, starts: starts, delimiters: delimiters)
    }

    /// With the element starts already found (`starts[0]` is 0).
    init(ordinal: Int, bytes: [UInt8], starts: [Int], delimiters: X12Delimiters) {
        self.ordinal = ordinal
        self.bytes = bytes
        self.delimiters = delimiters
        self.starts = starts
        let idEnd = starts.count > 1 ? starts[1] - 1 : bytes.count
        id = String(decoding: bytes[0..<idEnd], as: UTF8.self)
    }

    var elementCount: Int { starts.count }

    /// Element `index` (0 = the segment id), empty when the segment has fewer elements.
    func element(_ index: Int) -> ArraySlice<UInt8> {
        guard index >= 0, index < starts.count else { return [] }
        let lower = starts[index]
        let upper = index + 1 < starts.count ? starts[index + 1] - 1 : bytes.count
        return bytes[lower..<upper]
    }

    /// A segment id is two or three upper-case letters or digits, starting with a letter;
    /// anything else means the stream is not where we think it is.
    var hasReadableID: Bool {
        let id = element(0)
        guard (2...3).contains(id.count), let first = id.first, isUpperLetter(first) else { return false }
        return id.allSatisfy { isUpperLetter($0) || isDigit($0) }
    }

    /// Element text, trimmed of surrounding blanks.
    func text(_ index: Int) -> String {
        x12Text(element(index))
    }

    /// The components of element `index`, split on the interchange's component separator.
    func components(_ index: Int) -> [ArraySlice<UInt8>] {
        let value = element(index)
        // By hand rather than `split`: every service line and diagnosis segment comes here.
        var parts: [ArraySlice<UInt8>] = []
        parts.reserveCapacity(8)
        var lower = value.startIndex
        var cursor = lower
        while cursor < value.endIndex {
            if value[cursor] == delimiters.component {
                parts.append(value[lower..<cursor])
                lower = cursor + 1
            }
            cursor += 1
        }
        parts.append(value[lower..<value.endIndex])
        return parts
    }

    /// Component `component` (1-based, as X12 numbers them) of element `index`, trimmed.
    func componentText(_ index: Int, _ component: Int) -> String {
        let parts = components(index)
        guard component >= 1, component <= parts.count else { return "" }
        return x12Text(parts[component - 1])
    }
}

/// Bytes to text, trimmed of ASCII blanks; invalid UTF-8 becomes U+FFFD.
func x12Text(_ bytes: ArraySlice<UInt8>) -> String {
    var lower = bytes.startIndex
    var upper = bytes.endIndex
    while lower < upper, isBlank(bytes[lower]) { lower += 1 }
    while upper > lower, isBlank(bytes[upper - 1]) { upper -= 1 }
    return String(decoding: bytes[lower..<upper], as: UTF8.self)
}

@inline(__always)
func isUpperLetter(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }

@inline(__always)
func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

@inline(__always)
func isAlphanumeric(_ byte: UInt8) -> Bool {
    isUpperLetter(byte) || isDigit(byte) || (byte >= 0x61 && byte <= 0x7A)
}
