/// The kind of claim: 837P / CMS-1500 or 837I / UB-04.
public enum ClaimType: String, Sendable, Hashable, CaseIterable {
    case professional
    case institutional

    /// `P`, `I`, or the full word, any case.
    public init?(code text: String) {
        // ASCII is upper-cased in place; `uppercased()` only for other text, where a
        // letter such as U+0131 upper-cases to an ASCII one.
        switch text.uppercasedIfNeeded() {
        case "P", "PROFESSIONAL": self = .professional
        case "I", "INSTITUTIONAL": self = .institutional
        default: return nil
        }
    }
}

/// The member's coverage, as policies limit rules by it.
public enum LineOfBusiness: String, Sendable, Hashable, CaseIterable {
    case commercial
    case medicare
    case medicareAdvantage = "medicare_advantage"
    case medicaid

    /// One of the four words, or an X12 SBR09 claim filing indicator code (inputs.md);
    /// blank is commercial.
    public init?(code raw: String) {
        // Nearly every claim carries a two-byte SBR09 code: told apart without making an
        // upper-cased String and switching over 25 of them (once per claim on every format).
        if raw.utf8.count == 2, let known = LineOfBusiness(filingIndicator: raw) {
            self = known
            return
        }
        switch raw.uppercasedIfNeeded() {
        case "COMMERCIAL": self = .commercial
        case "MEDICARE": self = .medicare
        case "MEDICARE_ADVANTAGE": self = .medicareAdvantage
        case "MEDICAID": self = .medicaid
        case "": self = .commercial
        case "MA", "MB": self = .medicare
        case "16": self = .medicareAdvantage
        case "MC": self = .medicaid
        case "11", "12", "13", "14", "15", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM",
             "LM", "OF", "TV", "VA", "WC", "ZZ":
            self = .commercial
        default: return nil
        }
    }

    /// A two-byte claim filing indicator code, either case; nil for any other two bytes
    /// (the text switch then decides, and refuses them).
    private init?(filingIndicator raw: String) {
        var bytes = raw.utf8.makeIterator()
        guard let first = bytes.next(), let second = bytes.next() else { return nil }
        // ASCII letters to upper case; digits and everything else unchanged.
        func upper(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte }
        switch UInt16(upper(first)) << 8 | UInt16(upper(second)) {
        case 0x4D41, 0x4D42: self = .medicare                       // MA, MB
        case 0x3136: self = .medicareAdvantage                      // 16
        case 0x4D43: self = .medicaid                               // MC
        case 0x3131, 0x3132, 0x3133, 0x3134, 0x3135, 0x3137,        // 11-15, 17
             0x414D, 0x424C, 0x4348, 0x4349, 0x4453, 0x4649, 0x484D, // AM BL CH CI DS FI HM
             0x4C4D, 0x4F46, 0x5456, 0x5641, 0x5743, 0x5A5A:        // LM OF TV VA WC ZZ
            self = .commercial
        default: return nil
        }
    }
}

/// The diagnosis code set a sender declared (X12 HI qualifiers); CSV declares none.
public enum DiagnosisCodeSet: Sendable, Hashable {
    case icd10
    case icd9
}

/// One diagnosis as billed: its text (trimmed, upper-cased, dot kept as sent) and,
/// from X12, the code set its qualifier names.
public struct Diagnosis: Sendable, Hashable {
    public var code: String
    public var declaredCodeSet: DiagnosisCodeSet?

    public init(code: String, declaredCodeSet: DiagnosisCodeSet? = nil) {
        self.code = code
        self.declaredCodeSet = declaredCodeSet
    }

    /// The code without its dot, for list matching and comparison (`M80.08XA` == `m8008xa`).
    public var key: String {
        guard code.withUTF8Bytes({ $0.contains(UInt8(ascii: ".")) }) else { return code }
        // Byte by byte: a dot is one byte in UTF-8 and never part of another character.
        // Read through a buffer pointer: iterating the UTF-8 view cost several times more.
        return code.withUTF8Bytes { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { buffer in
                var count = 0
                for byte in bytes where byte != UInt8(ascii: ".") {
                    buffer[count] = byte
                    count += 1
                }
                return count
            }
        }
    }
}

/// Canonical field names: messages name fields by these, whatever the input format.
public enum ClaimField: String, Sendable, Hashable, CaseIterable {
    case claimID = "claim_id"
    case lineNumber = "line_number"
    case claimType = "claim_type"
    case payerID = "payer_id"
    case lineOfBusiness = "line_of_business"
    case memberID = "member_id"
    case patientBirthDate = "patient_birth_date"
    case patientSex = "patient_sex"
    case placeOfService = "place_of_service"
    case typeOfBill = "type_of_bill"
    case diagnosisCodes = "diagnosis_codes"
    case diagnosisPointers = "diagnosis_pointers"
    case procedureCode = "procedure_code"
    case modifiers
    case units
    case charge
    case serviceDate = "service_date"
    case serviceDateTo = "service_date_to"
    case priorAuth = "prior_auth"
    case procedureDescription = "procedure_description"
    case revenueCode = "revenue_code"
    /// Not a column: the row or segment as a whole (fields past the header, a line past the 999th).
    case record

    /// The remark code that names this field when it is the decisive invalid one (decisions.md).
    public var remarkCode: String {
        switch self {
        case .procedureCode: return "M51"
        case .diagnosisCodes, .diagnosisPointers: return "M76"
        case .placeOfService: return "M77"
        case .typeOfBill: return "MA30"
        case .procedureDescription: return "N350"
        default: return "MA130"
        }
    }

    /// Order in which the RARC is chosen: M51, M76, M77, MA30, N350, then the rest.
    var remarkPriority: Int {
        switch self {
        case .procedureCode: return 0
        case .diagnosisCodes, .diagnosisPointers: return 1
        case .placeOfService: return 2
        case .typeOfBill: return 3
        case .procedureDescription: return 4
        default: return 5
        }
    }
}

/// What is wrong with a field; the message wording lives with the engine so that
/// every format says the same thing.
public enum DataIssue: Sendable, Hashable {
    case missing
    case invalid
    /// A claim-level value on a later row that differs from the claim's first row.
    case conflictsWithClaim
    /// A row with non-empty fields past the header's last column.
    case extraFields
    /// A qualifier or component the format does not allow here (X12 SV101-1 not `HC`, say).
    case unsupportedQualifier
    /// A complete phrase after the field name, e.g. "is before service_date".
    case described(String)
}

/// A field of a line or its claim that is missing or invalid: an `INVALID_DATA` cause.
public struct DataProblem: Sendable, Hashable {
    public var field: ClaimField
    public var issue: DataIssue

    public init(_ field: ClaimField, _ issue: DataIssue) {
        self.field = field
        self.issue = issue
    }
}

/// One service line, as read. Values a reader could not read are nil, with a
/// `DataProblem` saying why; the raw text is kept where the report echoes it.
public struct ServiceLine: Sendable {
    /// Where the line came from, `path:position` (inputs.md), kept as its two parts: every
    /// line has one, and the text is needed only where a report writes it.
    public var sourcePath: String
    /// Nil when `sourcePath` holds the whole source text.
    public var sourcePosition: Int?
    public var lineNumberText: String
    public var lineNumber: Int?
    /// Trimmed and upper-cased; empty when blank.
    public var procedureCode: String
    public var modifiers: [String]
    /// Nil when invalid; `Units.one` when absent.
    public var units: Units?
    public var unitsText: String
    public var dateOfService: CalendarDate?
    public var dateOfServiceText: String
    public var dateOfServiceThrough: CalendarDate?
    /// 1-based indexes into the claim's diagnoses; nil = all of them.
    public var diagnosisPointers: DiagnosisPointers?
    public var procedureDescription: String?
    public var revenueCode: String?
    public var priorAuth: String?
    /// X12 SV105: overrides the claim's place of service for this line.
    public var placeOfService: String?
    public var problems: [DataProblem]
}

// The public initializers of `ServiceLine` and `Claim` delegate to the memberwise ones
// Swift synthesizes: an initializer that assigns optional fields holding references one by
// one is compiled to build the value in a temporary and copy it out (retaining and
// releasing every field), once per line and claim read.
extension ServiceLine {
    /// `source`: the source text, or its path when `sourcePosition` is given.
    public init(
        source: String,
        sourcePosition: Int? = nil,
        lineNumberText: String,
        lineNumber: Int?,
        procedureCode: String,
        modifiers: [String] = [],
        units: Units? = .one,
        unitsText: String = "1",
        dateOfService: CalendarDate?,
        dateOfServiceText: String,
        dateOfServiceThrough: CalendarDate? = nil,
        diagnosisPointers: DiagnosisPointers? = nil,
        procedureDescription: String? = nil,
        revenueCode: String? = nil,
        priorAuth: String? = nil,
        placeOfService: String? = nil,
        problems: [DataProblem] = []
    ) {
        self.init(
            sourcePath: source, sourcePosition: sourcePosition, lineNumberText: lineNumberText,
            lineNumber: lineNumber, procedureCode: procedureCode, modifiers: modifiers, units: units,
            unitsText: unitsText, dateOfService: dateOfService, dateOfServiceText: dateOfServiceText,
            dateOfServiceThrough: dateOfServiceThrough, diagnosisPointers: diagnosisPointers,
            procedureDescription: procedureDescription, revenueCode: revenueCode, priorAuth: priorAuth,
            placeOfService: placeOfService, problems: problems
        )
    }
}

extension ServiceLine {
    /// `path:position`, as reports name the line.
    public var source: String { sourcePosition.map { sourceText(sourcePath, $0) } ?? sourcePath }
}

/// `path:position`, a line's or reject's source (inputs.md), made in one allocation:
/// every service line gets one, and interpolating it was a measurable share of reading.
public func sourceText(_ path: String, _ position: Int) -> String {
    var magnitude = position.magnitude
    var digits = 1
    var rest = magnitude
    while rest >= 10 {
        rest /= 10
        digits += 1
    }
    let sign = position < 0 ? 1 : 0
    return path.withUTF8Bytes { pathBytes in
        let total = pathBytes.count + 1 + sign + digits
        return String(unsafeUninitializedCapacity: total) { buffer in
            var index = 0
            for byte in pathBytes {
                buffer[index] = byte
                index += 1
            }
            buffer[index] = UInt8(ascii: ":")
            if sign == 1 { buffer[index + 1] = UInt8(ascii: "-") }
            var end = total
            repeat {
                end -= 1
                buffer[end] = UInt8(truncatingIfNeeded: 48 + magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            return total
        }
    }
}

/// A claim with its service lines, in the same shape whichever format it came from.
public struct Claim: Sendable {
    public var id: String
    /// Nil when the given value is not a claim type; `claimTypeText` keeps it for the report.
    public var claimType: ClaimType?
    public var claimTypeText: String
    /// Trimmed, as given.
    public var payerID: String
    public var lineOfBusiness: LineOfBusiness?
    public var lineOfBusinessText: String
    /// Protected health information: never logged, never reported.
    public var memberID: String?
    public var patientBirthDate: CalendarDate?
    public var patientSex: String?
    public var placeOfService: String?
    /// Four digits (`0131`), normalised from three.
    public var typeOfBill: String?
    public var diagnoses: [Diagnosis]
    /// X12 `REF*G1` in loop 2300: covers every line of the claim.
    public var priorAuth: String?
    /// Invalid claim-level values: every line of the claim is `INVALID_DATA`.
    /// (Declared before `lines`, so that the synthesized memberwise initializer, which the
    /// public one delegates to, differs from it in the order of its labels.)
    public var problems: [DataProblem]
    public var lines: [ServiceLine]
}

extension Claim {
    public init(
        id: String,
        claimType: ClaimType? = .professional,
        claimTypeText: String = "professional",
        payerID: String,
        lineOfBusiness: LineOfBusiness? = .commercial,
        lineOfBusinessText: String = "commercial",
        memberID: String? = nil,
        patientBirthDate: CalendarDate? = nil,
        patientSex: String? = nil,
        placeOfService: String? = nil,
        typeOfBill: String? = nil,
        diagnoses: [Diagnosis],
        priorAuth: String? = nil,
        lines: [ServiceLine] = [],
        problems: [DataProblem] = []
    ) {
        self.init(
            id: id, claimType: claimType, claimTypeText: claimTypeText, payerID: payerID,
            lineOfBusiness: lineOfBusiness, lineOfBusinessText: lineOfBusinessText, memberID: memberID,
            patientBirthDate: patientBirthDate, patientSex: patientSex, placeOfService: placeOfService,
            typeOfBill: typeOfBill, diagnoses: diagnoses, priorAuth: priorAuth, problems: problems, lines: lines
        )
    }
}

/// Input that could not be attributed to a claim line (outputs.md, rejects.csv).
public struct Reject: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case csvRow = "csv_row"
        case csvFile = "csv_file"
        case xml
        case x12Envelope = "x12_envelope"
        case x12Transaction = "x12_transaction"
        case claim
        case inputFile = "input_file"
    }

    /// `path:position`, as for lines.
    public var source: String
    public var kind: Kind
    /// Our words; never a member's data.
    public var message: String
    /// The parser's own text where there is one (libxml2's message); not compared.
    public var detail: String

    public init(source: String, kind: Kind, message: String, detail: String = "") {
        self.source = source
        self.kind = kind
        self.message = message
        self.detail = detail
    }
}

/// What a reader yields, in input order.
public enum ReadItem: Sendable {
    case claim(Claim)
    case reject(Reject)
}
