/// A service line's units, kept as an exact decimal (millionths) so that sums and
/// maxima never suffer binary rounding and the report echo is stable.
public struct Units: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let scale: Int64 = 1_000_000
    public let millionths: Int64

    public init(millionths: Int64) {
        self.millionths = millionths
    }

    public init(whole: Int) {
        millionths = Int64(whole) * Units.scale
    }

    public static let one = Units(whole: 1)

    /// Parses a non-negative decimal such as `1`, `2.50` or `.5`; nil when it is not
    /// one or needs more than six decimal places.
    public init?(_ text: String) {
        guard let value = parseDecimalMillionths(text) else { return nil }
        millionths = value
    }

    /// A decimal without trailing zeros (`1`, `1.5`), as outputs.md asks.
    public var description: String {
        let whole = millionths / Units.scale
        var fraction = millionths % Units.scale
        if fraction == 0 { return String(whole) }
        var digits = 6
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = String(fraction)
        return String(whole) + "." + String(repeating: "0", count: digits - text.count) + text
    }

    public static func < (lhs: Units, rhs: Units) -> Bool { lhs.millionths < rhs.millionths }
    public static func + (lhs: Units, rhs: Units) -> Units { Units(millionths: lhs.millionths &+ rhs.millionths) }
}

/// Non-negative decimal text to millionths; nil for anything else or for overflow.
public func parseDecimalMillionths(_ text: String) -> Int64? {
    // Read through a buffer pointer: iterating the UTF-8 view costs several times more.
    var text = text
    return text.withUTF8(parseDecimalMillionths)
}

public func parseDecimalMillionths(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
    var whole: Int64 = 0
    var fraction: Int64 = 0
    var fractionDigits = 0
    var seenDot = false
    var seenDigit = false
    for byte in bytes {
        if byte == UInt8(ascii: ".") {
            if seenDot { return nil }
            seenDot = true
            continue
        }
        guard byte >= 48, byte <= 57 else { return nil }
        seenDigit = true
        let digit = Int64(byte - 48)
        if seenDot {
            if digit == 0 && fraction == 0 && fractionDigits >= 6 { continue }
            fractionDigits += 1
            if fractionDigits > 6 {
                if digit != 0 { return nil }
                continue
            }
            fraction = fraction * 10 + digit
        } else {
            guard whole < 1_000_000_000_000 else { return nil }
            whole = whole * 10 + digit
        }
    }
    guard seenDigit else { return nil }
    while fractionDigits < 6 {
        fraction *= 10
        fractionDigits += 1
    }
    return whole * Units.scale + fraction
}
