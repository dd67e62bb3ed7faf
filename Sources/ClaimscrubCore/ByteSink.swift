/// Where report bytes are appended: a growing array, or one row's fixed room on the stack
/// (`RowBytes`). The cell writers are written once, for both.
public protocol ByteSink {
    mutating func appendByte(_ byte: UInt8)
    mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: ByteSink where Element == UInt8 {
    @inlinable @inline(__always)
    public mutating func appendByte(_ byte: UInt8) {
        append(byte)
    }

    @inlinable @inline(__always)
    public mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        append(contentsOf: bytes)
    }
}

/// One report row, put together in room the caller lends (a stack buffer) and then added
/// to its report's buffer at once. An array's append checks that its storage is unique and
/// large enough on every call, about 90-125 instructions, and a line row has some forty
/// appends; here each is a bounds check and a copy.
///
/// A row that does not fit (a long message or description) sets `overflowed`: its bytes
/// are then incomplete, and the caller writes the row another way.
public struct RowBytes: ByteSink {
    @usableFromInline let base: UnsafeMutablePointer<UInt8>
    @usableFromInline let capacity: Int
    @usableFromInline var count = 0
    @usableFromInline var didOverflow = false

    public init(_ room: UnsafeMutableBufferPointer<UInt8>) {
        base = room.baseAddress!
        capacity = room.count
    }

    /// Whether some append did not fit.
    public var overflowed: Bool { didOverflow }

    /// The row's bytes; complete only when not `overflowed`.
    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    @inlinable @inline(__always)
    public mutating func appendByte(_ byte: UInt8) {
        guard count < capacity else {
            didOverflow = true
            return
        }
        base[count] = byte
        count += 1
    }

    @inlinable @inline(__always)
    public mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= capacity - count else {
            didOverflow = true
            return
        }
        if let source = bytes.baseAddress {
            (base + count).update(from: source, count: bytes.count)
        }
        count += bytes.count
    }
}
