/// A service line's diagnosis pointers: 1-based indexes into its claim's diagnoses, in the
/// order the line gives them.
///
/// A line points at one to four diagnoses (X12 SV107 has four places), so up to four
/// pointers from 1 to 65,535 are kept in the value itself and only a longer list, or a
/// pointer outside that range, takes an array. An array per line was a heap allocation for
/// nearly every professional line, made on the reading thread and freed on a deciding one.
public struct DiagnosisPointers: Sendable, RandomAccessCollection, ExpressibleByArrayLiteral {
    /// Four 16-bit places, the first pointer in the lowest; used while `overflow` is nil.
    /// A place holds 1 to 65,535, so the places in use are those up to the highest one not
    /// zero: no count is kept beside them (the value is as small as an optional array).
    private var packed: UInt64 = 0
    /// Every pointer, once the list no longer fits in `packed`.
    private var overflow: [Int]?

    private static let places = 4
    private static let largestPacked = Int(UInt16.max)

    public init() {}

    public init(_ pointers: some Sequence<Int>) {
        for pointer in pointers { append(pointer) }
    }

    public init(arrayLiteral pointers: Int...) {
        self.init(pointers)
    }

    public mutating func append(_ pointer: Int) {
        let packedCount = self.packedCount
        if overflow == nil, packedCount < Self.places, (1...Self.largestPacked).contains(pointer) {
            packed |= UInt64(pointer) << (16 * UInt64(packedCount))
        } else {
            if overflow == nil {
                var all: [Int] = []
                all.reserveCapacity(packedCount + 1)
                all.append(contentsOf: self)
                overflow = all
            }
            overflow!.append(pointer)
        }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { overflow?.count ?? packedCount }

    private var packedCount: Int { (UInt64.bitWidth - packed.leadingZeroBitCount + 15) / 16 }

    public subscript(position: Int) -> Int {
        if let overflow { return overflow[position] }
        precondition(position >= 0 && position < packedCount, "Index out of range")
        return Int((packed >> (16 * UInt64(position))) & 0xFFFF)
    }
}

extension DiagnosisPointers: Equatable {
    /// The same pointers in the same order, however they are kept.
    public static func == (left: Self, right: Self) -> Bool {
        left.elementsEqual(right)
    }
}

extension DiagnosisPointers: CustomStringConvertible {
    /// As an array reads, so that a test's failure shows the pointers.
    public var description: String { Array(self).description }
}
