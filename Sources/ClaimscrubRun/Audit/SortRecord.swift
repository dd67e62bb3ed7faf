#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// One record of `diff`'s external sort: a sequence number, an occurrence, flags and a few
/// byte fields, encoded as `[u64 sequence][u32 occurrence][u32 flags]` then each field as
/// `[u32 length][bytes]` (little-endian). Length-prefixed fields carry any byte, so claim ids
/// with commas, quotes, tabs or newlines need no escaping between the passes.
struct SortRecord {
    private(set) var body: [UInt8]

    static let headerSize = 16

    init(sequence: UInt64, occurrence: Int = 0, flags: UInt32 = 0) {
        body = []
        body.reserveCapacity(160)
        Self.appendInteger(sequence, to: &body)
        Self.appendInteger(UInt32(truncatingIfNeeded: occurrence), to: &body)
        Self.appendInteger(flags, to: &body)
    }

    /// A record as read back from a sorted run.
    init(body: [UInt8]) {
        self.body = body
    }

    var sequence: UInt64 { body.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian } }
    var occurrence: Int { body.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian) } }
    var flags: UInt32 { body.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian } }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            Self.appendInteger(UInt32(bytes.count), to: &body)
            body.append(contentsOf: bytes)
        }
    }

    /// Copies field `index` of `other` as the next field.
    mutating func append(fieldOf other: SortRecord, _ index: Int) {
        other.body.withUnsafeBytes { raw in
            let field = Self.field(index, of: raw)
            Self.appendInteger(UInt32(field.count), to: &body)
            body.append(contentsOf: field)
        }
    }

    func string(_ index: Int) -> String {
        body.withUnsafeBytes { String(decoding: Self.field(index, of: $0), as: UTF8.self) }
    }

    /// Whether fields `indexes` hold the same bytes here and in `other`.
    func sameFields(_ indexes: ClosedRange<Int>, as other: SortRecord) -> Bool {
        body.withUnsafeBytes { left in
            other.body.withUnsafeBytes { right in
                indexes.allSatisfy { Self.compare(Self.field($0, of: left), Self.field($0, of: right)) == 0 }
            }
        }
    }

    /// Byte order of fields `indexes`, field by field: negative, zero or positive.
    func compareFields(_ indexes: ClosedRange<Int>, with other: SortRecord) -> Int {
        body.withUnsafeBytes { left in
            other.body.withUnsafeBytes { right in
                for index in indexes {
                    let order = Self.compare(Self.field(index, of: left), Self.field(index, of: right))
                    if order != 0 { return order }
                }
                return 0
            }
        }
    }

    // MARK: raw bodies (records in a run buffer or a file)

    /// Field `index` of an encoded body.
    static func field(_ index: Int, of body: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var offset = headerSize
        var skipped = 0
        while true {
            let length = Int(body.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
            if skipped == index { return UnsafeRawBufferPointer(rebasing: body[(offset + 4)..<(offset + 4 + length)]) }
            offset += 4 + length
            skipped += 1
        }
    }

    static func sequence(of body: UnsafeRawBufferPointer) -> UInt64 {
        body.loadUnaligned(as: UInt64.self).littleEndian
    }

    /// Byte-wise order, a shorter prefix first.
    static func compare(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Int {
        let common = min(left.count, right.count)
        if common > 0 {
            let order = memcmp(left.baseAddress!, right.baseAddress!, common)
            if order != 0 { return Int(order) }
        }
        return left.count - right.count
    }

    static func appendInteger<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// The orders `diff` sorts by.
enum SortOrder {
    /// Claim id (field 0), line number (field 1), then input order: equal pairs end up in
    /// input order, so a line's occurrence is its rank among them.
    case claimLineSequence
    /// Input order alone.
    case sequence

    func precedes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        if self == .claimLineSequence {
            for index in 0...1 {
                let order = SortRecord.compare(SortRecord.field(index, of: left), SortRecord.field(index, of: right))
                if order != 0 { return order < 0 }
            }
        }
        return SortRecord.sequence(of: left) < SortRecord.sequence(of: right)
    }

    func precedes(_ left: SortRecord, _ right: SortRecord) -> Bool {
        left.body.withUnsafeBytes { a in right.body.withUnsafeBytes { b in precedes(a, b) } }
    }
}
