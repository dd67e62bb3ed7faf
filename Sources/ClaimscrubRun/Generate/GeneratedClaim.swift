public import ClaimscrubCore

/// One synthetic claim, held as the plain values every batch writer renders.
///
/// The writers turn the same value into a CSV row set, an 837 claim and its pyx12 XML
/// rendering, so a generated claim reads back identically from all three formats; values
/// are therefore limited to what all three can carry (pointers only on professional
/// claims, line-level prior authorization only on professional lines, no ICD-9).
public struct GeneratedClaim: Sendable, Equatable {
    /// Which 837 implementation carries the claim.
    public enum Kind: Sendable, Equatable {
        case professional
        case institutional

        /// The canonical CSV `claim_type` word.
        public var csvValue: String {
            switch self {
            case .professional: "professional"
            case .institutional: "institutional"
            }
        }
    }

    /// One service line of a generated claim.
    public struct Line: Sendable, Equatable {
        public var lineNumber: Int
        /// CPT or HCPCS code; empty only on an institutional revenue-code-only line.
        public var procedureCode: String
        public var modifiers: [String]
        public var units: Int
        /// Charge in cents, rendered without trailing zeros (`1250.5`, `300`).
        public var chargeCents: Int
        public var serviceDate: CalendarDate
        /// Through-date when the line covers a range; nil for a single day.
        public var serviceDateTo: CalendarDate?
        /// 1-based diagnosis pointers (professional lines only, at most four).
        public var diagnosisPointers: [Int]
        /// Line-level prior authorization (professional lines only: 837I has no line `REF*G1`).
        public var priorAuth: String?
        public var procedureDescription: String?
        /// Four-digit revenue code (institutional lines only).
        public var revenueCode: String?

        public init(
            lineNumber: Int, procedureCode: String, modifiers: [String] = [], units: Int = 1,
            chargeCents: Int, serviceDate: CalendarDate, serviceDateTo: CalendarDate? = nil,
            diagnosisPointers: [Int] = [], priorAuth: String? = nil,
            procedureDescription: String? = nil, revenueCode: String? = nil
        ) {
            self.lineNumber = lineNumber
            self.procedureCode = procedureCode
            self.modifiers = modifiers
            self.units = units
            self.chargeCents = chargeCents
            self.serviceDate = serviceDate
            self.serviceDateTo = serviceDateTo
            self.diagnosisPointers = diagnosisPointers
            self.priorAuth = priorAuth
            self.procedureDescription = procedureDescription
            self.revenueCode = revenueCode
        }
    }

    public var claimID: String
    public var kind: Kind
    public var payerID: String
    public var payerName: String
    /// The SBR09 claim filing indicator code (`CI`, `MB`, `16`, `MC`).
    public var claimFilingIndicator: String
    /// Synthetic member identifier (never a real one).
    public var memberID: String
    public var birthDate: CalendarDate
    public var sex: String
    /// Two-digit place of service (professional claims).
    public var placeOfService: String?
    /// Four-digit type of bill such as `0131` (institutional claims).
    public var typeOfBill: String?
    /// ICD-10-CM codes with their dots (`M80.08XA`), principal first.
    public var diagnoses: [String]
    /// Claim-level prior authorization (`REF*G1` in loop 2300); CSV repeats it on every row.
    public var priorAuth: String?
    public var lines: [Line]

    public init(
        claimID: String, kind: Kind, payerID: String, payerName: String,
        claimFilingIndicator: String, memberID: String, birthDate: CalendarDate, sex: String,
        placeOfService: String?, typeOfBill: String?, diagnoses: [String], priorAuth: String?,
        lines: [Line]
    ) {
        self.claimID = claimID
        self.kind = kind
        self.payerID = payerID
        self.payerName = payerName
        self.claimFilingIndicator = claimFilingIndicator
        self.memberID = memberID
        self.birthDate = birthDate
        self.sex = sex
        self.placeOfService = placeOfService
        self.typeOfBill = typeOfBill
        self.diagnoses = diagnoses
        self.priorAuth = priorAuth
        self.lines = lines
    }

    /// The canonical CSV `line_of_business` word for the SBR09 code.
    public var lineOfBusiness: String {
        switch claimFilingIndicator {
        case "MA", "MB": "medicare"
        case "16": "medicare_advantage"
        case "MC": "medicaid"
        default: "commercial"
        }
    }

    /// Total charge in cents (CLM02).
    public var totalChargeCents: Int {
        lines.reduce(0) { $0 + $1.chargeCents }
    }

    /// Statement period (837I `DTP*434`): the earliest from-date to the latest through-date.
    public var statementPeriod: (from: CalendarDate, to: CalendarDate) {
        var from = lines.first?.serviceDate ?? birthDate
        var to = from
        for line in lines {
            from = min(from, line.serviceDate)
            to = max(to, line.serviceDateTo ?? line.serviceDate)
        }
        return (from, to)
    }
}
