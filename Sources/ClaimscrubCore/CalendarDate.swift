/// A date with no time zone, as claims carry dates of service.
///
/// Stored as days since 1970-01-01 so that comparisons and ranges are integer operations.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let daysSinceEpoch: Int32

    public init(daysSinceEpoch: Int32) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// A valid proleptic Gregorian date, or nil.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
              day <= CalendarDate.daysIn(month: month, year: year) else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        daysSinceEpoch = Int32(era * 146097 + doe - 719468)
    }

    /// Parses `YYYY-MM-DD` or `YYYYMMDD` (the two forms inputs.md allows).
    public init?(_ text: String) {
        // Takes a String, not some StringProtocol: a generic called from another module is
        // not specialised, and reading bytes through its witnesses cost ten times as much.
        var text = text
        guard let date = text.withUTF8({ CalendarDate(utf8: $0) }) else { return nil }
        self = date
    }

    /// Parses the UTF-8 bytes of `YYYY-MM-DD` or `YYYYMMDD`: for readers that hold the
    /// bytes of a date and would otherwise make a String only to parse it.
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        // Every line parses a date or two (X12: the claim's and the line's): the eight
        // digits are read as one word, checked and combined eight at a time, about a third
        // of the instructions of a loop over the bytes.
        guard let base = bytes.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        let word: UInt64
        switch bytes.count {
        case 8:
            word = ByteWord.load(raw)
        case 10:
            guard base[4] == UInt8(ascii: "-"), base[7] == UInt8(ascii: "-") else { return nil }
            let year = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
            let month = UInt64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 5, as: UInt16.self)))
            let day = UInt64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
            word = year | month << 32 | day << 48
        default:
            return nil
        }
        // The first byte in the lowest place. A byte below "0" wraps to 0xD0 or more, one
        // above "9" passes 0x7F once 0x76 is added: either sets its high bit. No sum carries
        // into the next byte unless a high bit is already set.
        let digits = word &- 0x3030_3030_3030_3030
        guard (digits | (digits &+ 0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080 == 0 else { return nil }
        // Pairs of digits as numbers, one per 16-bit lane: YY, YY, MM, DD.
        let pairs = (digits &* 10 &+ (digits >> 8)) & 0x00FF_00FF_00FF_00FF
        let century = Int(pairs & 0xFF)
        let yearInCentury = Int((pairs >> 16) & 0xFF)
        self.init(year: century * 100 + yearInCentury, month: Int((pairs >> 32) & 0xFF), day: Int(pairs >> 48))
    }

    public var components: (year: Int, month: Int, day: Int) {
        let z = Int(daysSinceEpoch) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let text = String(unsafeUninitializedCapacity: 10) { buffer in
            writeISO(into: buffer) ? 10 : 0
        }
        return text.isEmpty ? outOfRangeDescription : text
    }

    /// Appends `YYYY-MM-DD` to `out`, for report rows written as bytes. Inlinable, so that
    /// it is made for each kind of sink where it is used.
    @inlinable
    public func appendISO<Sink: ByteSink>(to out: inout Sink) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { buffer in
            if writeISO(into: buffer) {
                out.appendBytes(UnsafeBufferPointer(buffer))
            } else {
                outOfRangeDescription.withUTF8Bytes { out.appendBytes($0) }
            }
        }
    }

    /// Only dates built from day counts can fall outside 1...9999; they print unpadded.
    @usableFromInline
    var outOfRangeDescription: String {
        let (y, m, d) = components
        return "\(y)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
    }

    /// Writes the ten bytes of `YYYY-MM-DD`; false, writing nothing, for a year outside
    /// 1...9999. The day count is turned into year, month and day once, here.
    @usableFromInline
    func writeISO(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        let (y, m, d) = components
        guard (1...9999).contains(y) else { return false }
        buffer[0] = UInt8(48 + y / 1000)
        buffer[1] = UInt8(48 + y / 100 % 10)
        buffer[2] = UInt8(48 + y / 10 % 10)
        buffer[3] = UInt8(48 + y % 10)
        buffer[4] = UInt8(ascii: "-")
        buffer[5] = UInt8(48 + m / 10)
        buffer[6] = UInt8(48 + m % 10)
        buffer[7] = UInt8(ascii: "-")
        buffer[8] = UInt8(48 + d / 10)
        buffer[9] = UInt8(48 + d % 10)
        return true
    }

    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + Int32(days))
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// A half-open range of dates: `from` inclusive, `to` exclusive; either end may be open.
public struct DateRange: Hashable, Sendable {
    public var from: CalendarDate?
    public var to: CalendarDate?

    public init(from: CalendarDate?, to: CalendarDate?) {
        self.from = from
        self.to = to
    }

    public func contains(_ date: CalendarDate) -> Bool {
        if let from, date < from { return false }
        if let to, date >= to { return false }
        return true
    }
}
