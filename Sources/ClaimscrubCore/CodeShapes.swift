/// Shapes of the code systems claims carry (decisions.md edit 1, inputs.md).
public enum CodeShapes {
    /// The ICD-10-CM compliance date: diagnoses on or after it are ICD-10-CM.
    public static let icd10ComplianceDate = CalendarDate(year: 2015, month: 10, day: 1)!

    /// CPT (four digits, then a digit or A/F/M/T/U) or HCPCS Level II (a letter A-V, four digits).
    public static func isProcedureCode(_ code: String) -> Bool {
        let bytes = Array(code.utf8)
        guard bytes.count == 5 else { return false }
        if bytes[0...3].allSatisfy(isDigit) {
            let last = bytes[4]
            return isDigit(last) || [UInt8(ascii: "A"), UInt8(ascii: "F"), UInt8(ascii: "M"),
                                     UInt8(ascii: "T"), UInt8(ascii: "U")].contains(last)
        }
        return bytes[0] >= UInt8(ascii: "A") && bytes[0] <= UInt8(ascii: "V") && bytes[1...4].allSatisfy(isDigit)
    }

    /// `[A-Z][0-9][0-9A-Z]`, then optionally an optional dot and one to four of `[0-9A-Z]`.
    /// X12 carries codes without the dot, so the dot is optional (README, "Diagnoses").
    public static func isICD10(_ code: String) -> Bool {
        let bytes = Array(code.uppercased().utf8)
        guard bytes.count >= 3, isLetter(bytes[0]), isDigit(bytes[1]), isAlphanumeric(bytes[2]) else { return false }
        var rest = bytes[3...]
        if rest.first == UInt8(ascii: ".") { rest = rest.dropFirst(); if rest.isEmpty { return false } }
        return rest.count <= 4 && rest.allSatisfy(isAlphanumeric)
    }

    /// Three digits, `V` and two digits, or `E` and three digits; then optionally a dot
    /// (optional, as in X12) and one or two digits.
    public static func isICD9(_ code: String) -> Bool {
        let bytes = Array(code.uppercased().utf8)
        guard let first = bytes.first else { return false }
        let stemLength: Int
        if first == UInt8(ascii: "E") {
            stemLength = 4
        } else {
            stemLength = 3
        }
        guard bytes.count >= stemLength else { return false }
        let digitsStart = isDigit(first) ? 0 : 1
        if digitsStart == 1 && first != UInt8(ascii: "V") && first != UInt8(ascii: "E") { return false }
        guard bytes[digitsStart..<stemLength].allSatisfy(isDigit) else { return false }
        var rest = bytes[stemLength...]
        if rest.first == UInt8(ascii: ".") { rest = rest.dropFirst(); if rest.isEmpty { return false } }
        return rest.count <= 2 && rest.allSatisfy(isDigit)
    }

    /// A two-digit CMS place-of-service code.
    public static func isPlaceOfService(_ code: String) -> Bool {
        let bytes = Array(code.utf8)
        return bytes.count == 2 && bytes.allSatisfy(isDigit)
    }

    /// A four-digit type of bill (readers turn `131` into `0131`).
    public static func isTypeOfBill(_ code: String) -> Bool {
        let bytes = Array(code.utf8)
        return bytes.count == 4 && bytes.allSatisfy(isDigit)
    }

    /// A four-digit revenue code.
    public static func isRevenueCode(_ code: String) -> Bool {
        let bytes = Array(code.utf8)
        return bytes.count == 4 && bytes.allSatisfy(isDigit)
    }
}

@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
@inline(__always) func isLetter(_ byte: UInt8) -> Bool { byte >= 65 && byte <= 90 }
@inline(__always) func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
