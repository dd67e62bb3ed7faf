/// Eight bytes at a time: the CSV and X12 scanners, the report writer and the date parser
/// look for a few byte values in a 64-bit word instead of byte by byte. One definition of
/// the bit trick, which each of them had written out for itself.
public enum ByteWord {
    /// `byte` in each of the eight bytes.
    @inlinable @inline(__always)
    public static func repeating(_ byte: UInt8) -> UInt64 {
        0x0101_0101_0101_0101 &* UInt64(byte)
    }

    /// The eight bytes at `pointer`, the first in the lowest bits on any byte order, so
    /// that `trailingZeroBitCount / 8` of a mark below is the first marked byte's place.
    @inlinable @inline(__always)
    public static func load(_ pointer: UnsafeRawPointer) -> UInt64 {
        UInt64(littleEndian: pointer.loadUnaligned(as: UInt64.self))
    }

    /// The high bit of each byte of `word` that is zero, and no other bit: exact, as no
    /// sum carries from one byte into the next.
    @inlinable @inline(__always)
    public static func zeroBytes(_ word: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((word & low7) &+ low7) | word | low7)
    }

    /// The high bit of each byte of `word` that is `byte`, and no other bit.
    @inlinable @inline(__always)
    public static func marks(_ word: UInt64, of byte: UInt8) -> UInt64 {
        zeroBytes(word ^ repeating(byte))
    }
}
