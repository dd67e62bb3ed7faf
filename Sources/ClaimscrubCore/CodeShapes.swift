/// Shapes of the code systems claims carry (decisions.md edit 1, inputs.md).
public enum CodeShapes {
    /// The ICD-10-CM compliance date: diagnoses on or after it are ICD-10-CM.
    public static let icd10ComplianceDate = CalendarDate(year: 2015, month: 10, day: 1)!

    // Every line checks several shapes: each check reads the UTF-8 view in place
    // (small strings are stored inline) rather than copying it into an array.

    /// CPT (four digits, then a digit or A/F/M/T/U) or HCPCS Level II (a letter A-V, four digits).
    public static func isProcedureCode(_ code: String) -> Bool {
        code.withUTF8Bytes { bytes in
            guard bytes.count == 5 else { return false }
            let first = bytes[0], last = bytes[4]
            if isDigit(bytes[0]) && isDigit(bytes[1]) && isDigit(bytes[2]) && isDigit(bytes[3]) {
                return isDigit(last) || last == UInt8(ascii: "A") || last == UInt8(ascii: "F") || last == UInt8(ascii: "M")
                    || last == UInt8(ascii: "T") || last == UInt8(ascii: "U")
            }
            return first >= UInt8(ascii: "A") && first <= UInt8(ascii: "V")
                && isDigit(bytes[1]) && isDigit(bytes[2]) && isDigit(bytes[3]) && isDigit(last)
        }
    }

    /// `[A-Z][0-9][0-9A-Z]`, then optionally an optional dot and one to four of `[0-9A-Z]`.
    /// X12 carries codes without the dot, so the dot is optional (README, "Diagnosis shape").
    /// Letters in either case.
    public static func isICD10(_ code: String) -> Bool {
        var index = 0
        var afterStem = 0
        var dotSeen = false
        return code.withUTF8Bytes { bytes in
            for raw in bytes {
                let byte = asciiUpper(raw)
                switch index {
                case 0: guard isLetter(byte) else { return false }
                case 1: guard isDigit(byte) else { return false }
                case 2: guard isAlphanumeric(byte) else { return false }
                default:
                    if index == 3 && byte == UInt8(ascii: ".") {
                        dotSeen = true
                    } else {
                        guard isAlphanumeric(byte) else { return false }
                        afterStem += 1
                    }
                }
                index += 1
            }
            return index >= 3 && afterStem <= 4 && !(dotSeen && afterStem == 0)
        }
    }

    /// Three digits, `V` and two digits, or `E` and three digits; then optionally a dot
    /// (optional, as in X12) and one or two digits.
    public static func isICD9(_ code: String) -> Bool {
        guard let first = code.utf8.first.map(asciiUpper) else { return false }
        let stemLength = first == UInt8(ascii: "E") ? 4 : 3
        let digitsStart = isDigit(first) ? 0 : 1
        if digitsStart == 1 && first != UInt8(ascii: "V") && first != UInt8(ascii: "E") { return false }
        var index = 0
        var afterStem = 0
        var dotSeen = false
        for byte in code.utf8 {
            if index < stemLength {
                if index >= digitsStart { guard isDigit(byte) else { return false } }
            } else if index == stemLength && byte == UInt8(ascii: ".") {
                dotSeen = true
            } else {
                guard isDigit(byte) else { return false }
                afterStem += 1
            }
            index += 1
        }
        return index >= stemLength && afterStem <= 2 && !(dotSeen && afterStem == 0)
    }

    /// A two-digit CMS place-of-service code.
    public static func isPlaceOfService(_ code: String) -> Bool {
        code.withUTF8Bytes { $0.count == 2 && isDigit($0[0]) && isDigit($0[1]) }
    }

    /// A four-digit type of bill (readers turn `131` into `0131`).
    public static func isTypeOfBill(_ code: String) -> Bool {
        code.withUTF8Bytes { $0.count == 4 && isDigit($0[0]) && isDigit($0[1]) && isDigit($0[2]) && isDigit($0[3]) }
    }

    /// A four-digit revenue code.
    public static func isRevenueCode(_ code: String) -> Bool {
        code.withUTF8Bytes { $0.count == 4 && isDigit($0[0]) && isDigit($0[1]) && isDigit($0[2]) && isDigit($0[3]) }
    }
}

@inline(__always) func asciiUpper(_ byte: UInt8) -> UInt8 { byte >= 97 && byte <= 122 ? byte - 32 : byte }
@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
@inline(__always) func isLetter(_ byte: UInt8) -> Bool { byte >= 65 && byte <= 90 }
@inline(__always) func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
