import ClaimscrubCore
/// The three delimiters an ISA segment declares for its interchange.
struct X12Delimiters: Sendable, Equatable {
    var element: UInt8
    var component: UInt8
    var segment: UInt8
}

/// Bytes of a segment, an element or a component.
typealias X12Bytes = Slice<UnsafeBufferPointer<UInt8>>

/// One segment as read, with its 1-based ordinal from the start of the file; elements
/// are split when one is first asked for, components on demand.
///
/// A segment borrows the scanner's buffers: it is valid only until the scanner is asked
/// for the next one, so it is read and dropped, never kept (values are kept as Strings
/// made from it). Copying the bytes and retaining arrays for every segment was a quarter
/// of the X12 reading thread.
struct X12Segment {
    let ordinal: Int
    let bytes: UnsafeBufferPointer<UInt8>
    let delimiters: X12Delimiters
    /// Start offsets of each element (element 0 is the segment id), once split; ends are
    /// the next start - 1.
    private let starts: UnsafeMutablePointer<X12ElementStarts>
    /// The segment id packed into an integer (`X12ID`): the reader and the claim builder
    /// switch on it for every segment, and comparing text cost more than the rest of the switch.
    let tag: UInt32

    /// A segment borrowing `bytes` and `starts`, which must outlive it and which it
    /// takes over (what they held for an earlier segment is forgotten).
    init(ordinal: Int, borrowing bytes: UnsafeBufferPointer<UInt8>, starts: UnsafeMutablePointer<X12ElementStarts>, delimiters: X12Delimiters) {
        self.ordinal = ordinal
        self.bytes = bytes
        self.delimiters = delimiters
        self.starts = starts
        starts.pointee.count = -1
        // The id ends at the first element separator; only two or three bytes make one.
        var idEnd = 0
        while idEnd < 4, idEnd < bytes.count, bytes[idEnd] != delimiters.element { idEnd += 1 }
        // Only a readable id gets a tag (see `hasReadableID`).
        let isIDByte = { (byte: UInt8) in isUpperLetter(byte) || isDigit(byte) }
        switch idEnd {
        case 2 where isUpperLetter(bytes[0]) && isIDByte(bytes[1]):
            tag = UInt32(bytes[0]) << 8 | UInt32(bytes[1])
        case 3 where isUpperLetter(bytes[0]) && isIDByte(bytes[1]) && isIDByte(bytes[2]):
            tag = UInt32(bytes[0]) << 16 | UInt32(bytes[1]) << 8 | UInt32(bytes[2])
        default:
            tag = X12ID.none
        }
    }

    /// The element starts, split now if they were not yet.
    @inline(__always)
    private func elementStarts() -> UnsafeBufferPointer<Int> {
        if starts.pointee.count < 0 { starts.pointee.split(bytes, element: delimiters.element) }
        return UnsafeBufferPointer(start: starts.pointee.pointer, count: starts.pointee.count)
    }

    var elementCount: Int { elementStarts().count }

    /// The segment id as text, for messages.
    var id: String { String(decoding: element(0), as: UTF8.self) }

    /// Element `index` (0 = the segment id), empty when the segment has fewer elements.
    func element(_ index: Int) -> X12Bytes {
        let starts = elementStarts()
        guard index >= 0, index < starts.count else { return bytes[0..<0] }
        let lower = starts[index]
        let upper = index + 1 < starts.count ? starts[index + 1] - 1 : bytes.count
        return bytes[lower..<upper]
    }

    /// A segment id is two or three upper-case letters or digits, starting with a letter;
    /// anything else means the stream is not where we think it is.
    var hasReadableID: Bool { tag != X12ID.none }

    /// Element text, trimmed of surrounding blanks.
    func text(_ index: Int) -> String {
        x12Text(element(index))
    }

    /// The components of element `index`, split on the interchange's component separator.
    func components(_ index: Int) -> X12Components {
        X12Components(element: element(index), separator: delimiters.component)
    }

    /// Component `component` (1-based, as X12 numbers them) of element `index`, trimmed.
    func componentText(_ index: Int, _ component: Int) -> String {
        let parts = components(index)
        guard component >= 1, component <= parts.count else { return "" }
        return x12Text(parts[component - 1])
    }
}

/// The components of one element, found where they are asked for: every service line
/// and diagnosis segment splits elements, and an array of slices per element cost an
/// allocation and a retain per component.
struct X12Components: RandomAccessCollection {
    let element: X12Bytes
    let separator: UInt8
    let endIndex: Int

    init(element: X12Bytes, separator: UInt8) {
        self.element = element
        self.separator = separator
        var count = 1
        for byte in element where byte == separator { count += 1 }
        endIndex = count
    }

    var startIndex: Int { 0 }

    /// Component `position` (0-based): its bytes between separators, untrimmed.
    subscript(position: Int) -> X12Bytes {
        var lower = element.startIndex
        var remaining = position
        while remaining > 0 {
            while element[lower] != separator { lower += 1 }
            lower += 1
            remaining -= 1
        }
        var upper = lower
        while upper < element.endIndex, element[upper] != separator { upper += 1 }
        return element[lower..<upper]
    }
}

/// Segment ids as `X12Segment.tag` packs them: the two or three ASCII bytes, big-endian.
enum X12ID {
    /// The id is not two or three upper-case letters or digits starting with a letter:
    /// matches none of the others.
    static let none: UInt32 = .max
    static let isa: UInt32 = 0x49_53_41
    static let gs: UInt32 = 0x47_53
    static let st: UInt32 = 0x53_54
    static let se: UInt32 = 0x53_45
    static let ge: UInt32 = 0x47_45
    static let iea: UInt32 = 0x49_45_41
    static let hl: UInt32 = 0x48_4C
    static let sbr: UInt32 = 0x53_42_52
    static let nm1: UInt32 = 0x4E_4D_31
    static let dmg: UInt32 = 0x44_4D_47
    static let clm: UInt32 = 0x43_4C_4D
    static let hi: UInt32 = 0x48_49
    static let dtp: UInt32 = 0x44_54_50
    static let ref: UInt32 = 0x52_45_46
    static let lx: UInt32 = 0x4C_58
    static let sv1: UInt32 = 0x53_56_31
    static let sv2: UInt32 = 0x53_56_32
    static let lin: UInt32 = 0x4C_49_4E
}

/// The bytes hold something besides ASCII blanks: `x12Text` of them is not empty.
func hasText(_ bytes: X12Bytes) -> Bool {
    bytes.contains { !isBlank($0) }
}

/// The bytes, trimmed of ASCII blanks, as a number above zero of at most `maximumDigits`
/// digits; nil for anything else. Read in place: diagnosis pointers come on every line.
func x12PositiveNumber(_ bytes: X12Bytes, maximumDigits: Int) -> Int? {
    let digits = blankTrimmed(bytes)
    guard !digits.isEmpty, digits.count <= maximumDigits else { return nil }
    var value = 0
    for byte in digits {
        guard isDigit(byte) else { return nil }
        value = value * 10 + Int(byte - 0x30)
    }
    return value > 0 ? value : nil
}

/// Bytes to text, trimmed of ASCII blanks; invalid UTF-8 becomes U+FFFD.
func x12Text(_ bytes: X12Bytes) -> String {
    String(readBytes: blankTrimmed(bytes))
}

/// The bytes, trimmed of ASCII blanks, are the ASCII `text` (upper-case, when
/// `ignoringCase`, and then matched in any case): compared in place, without a String.
func x12Equals(_ bytes: X12Bytes, _ text: StaticString, ignoringCase: Bool = false) -> Bool {
    let trimmed = blankTrimmed(bytes)
    guard trimmed.count == text.utf8CodeUnitCount else { return false }
    let expected = text.utf8Start
    var offset = 0
    for byte in trimmed {
        let compared = ignoringCase && byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte
        if compared != expected[offset] { return false }
        offset += 1
    }
    return true
}

@inline(__always)
func isUpperLetter(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }

@inline(__always)
func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

@inline(__always)
func isAlphanumeric(_ byte: UInt8) -> Bool {
    isUpperLetter(byte) || isDigit(byte) || (byte >= 0x61 && byte <= 0x7A)
}
