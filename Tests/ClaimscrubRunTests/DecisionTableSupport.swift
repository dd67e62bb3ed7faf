import ClaimscrubCore
import ClaimscrubRun
import Testing

/// What one service line must come out as: the decision, every reason (primary first),
/// the primary reason's CARC and RARC, and the policy columns that follow it.
struct ExpectedLine: Sendable, CustomStringConvertible {
    var decision: Decision
    var reasons: [String]
    var carc: String
    var rarc: String
    var policyID: String
    var policyVersion: String

    init(
        _ decision: Decision, _ reasons: [String], carc: String, rarc: String = "",
        policy: String = "", version: String = ""
    ) {
        self.decision = decision
        self.reasons = reasons
        self.carc = carc
        self.rarc = rarc
        self.policyID = policy
        self.policyVersion = version
    }

    var description: String {
        "\(decision.rawValue) \(reasons) CARC \(carc) RARC \(rarc) \(policyID) \(policyVersion)"
    }

    /// `ACCEPT` / `NO_EDIT`: no loaded rule speaks of the line.
    static let noEdit = ExpectedLine(.accept, ["NO_EDIT"], carc: "")

    static func criteriaMet(_ policy: PolicyRef) -> ExpectedLine {
        ExpectedLine(.accept, ["CRITERIA_MET"], carc: "", policy: policy.id, version: policy.version)
    }

    /// `POLICY_NOT_IN_FORCE`: only `policy_id` is filled, no version is in force.
    static func notInForce(_ policy: PolicyRef) -> ExpectedLine {
        ExpectedLine(.pend, ["POLICY_NOT_IN_FORCE"], carc: "133", policy: policy.id)
    }

    static func invalid(_ rarc: String) -> ExpectedLine {
        ExpectedLine(.pend, ["INVALID_DATA"], carc: "16", rarc: rarc)
    }
}

/// A policy id and the version id reports carry for it.
struct PolicyRef: Sendable {
    var id: String
    var version: String

    static let cigna = PolicyRef(id: "cigna-0040", version: "2024-06-15")
    static let molina2019 = PolicyRef(id: "molina-intervertebral-stabilization", version: "2019-09-18")
    static let molina2022 = PolicyRef(id: "molina-intervertebral-stabilization", version: "2022-10-12")
    static let bcbsmn = PolicyRef(id: "bcbsmn-dynamic-stabilization", version: "until-2025-01-27")
    static let cohere = PolicyRef(id: "cohere-kyphoplasty-vertebroplasty", version: "1.0")
    static let kpwa = PolicyRef(id: "kpwa-vertebroplasty-kyphoplasty", version: "2025-11-25")
    static let lcd = PolicyRef(id: "lcd-l34228", version: "2021-01-10")
}

/// One row of a decision table: a claim, the as-of date, and what each line must get.
struct DecisionCase: Sendable, CustomTestStringConvertible {
    var name: String
    var claim: Claim
    var asOf: String
    /// One per line of the claim, in input order.
    var expected: [ExpectedLine]
    /// Words the primary reason's message must contain, per line (empty: not checked).
    var messageContains: [String]
    var claimDecision: Decision?
    /// Where the row is written, so that a failure points at it rather than at the table's test.
    var sourceLocation: SourceLocation

    init(
        _ name: String, _ claim: Claim, asOf: String = "2026-11-23", _ expected: ExpectedLine...,
        messageContains: [String] = [], claimDecision: Decision? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        self.sourceLocation = sourceLocation
        self.name = name
        self.claim = claim
        self.asOf = asOf
        self.expected = expected
        self.messageContains = messageContains
        self.claimDecision = claimDecision
    }

    var testDescription: String { name }
}

/// The shipped code sets, loaded once for every table.
let shippedCodeSets = Result { () throws(CodeSetError) -> CodeSets in try LoadedCodeSets.load(folder: nil).codeSets }

/// Decides `testCase` with the shipped code sets and checks every line against its row.
func check(_ testCase: DecisionCase) throws {
    let sourceLocation = testCase.sourceLocation
    let codeSets = try shippedCodeSets.get()
    let asOf = try #require(CalendarDate(testCase.asOf), sourceLocation: sourceLocation)
    let decided = DecisionEngine(codeSets: codeSets, asOf: asOf).decide(testCase.claim)
    try #require(decided.lines.count == testCase.expected.count, sourceLocation: sourceLocation)
    for (index, (line, expected)) in zip(decided.lines, testCase.expected).enumerated() {
        let number = index + 1
        let primary = line.primary
        #expect(line.decision == expected.decision, "line \(number)", sourceLocation: sourceLocation)
        #expect(line.reasons.map(\.reason.rawValue) == expected.reasons, "line \(number)", sourceLocation: sourceLocation)
        #expect(primary.reason.claimAdjustmentReason == expected.carc, "line \(number) CARC", sourceLocation: sourceLocation)
        #expect(primary.remark == expected.rarc, "line \(number) RARC", sourceLocation: sourceLocation)
        #expect((line.citation?.policyID ?? "") == expected.policyID, "line \(number) policy_id", sourceLocation: sourceLocation)
        #expect((line.citation?.version ?? "") == expected.policyVersion, "line \(number) policy_version",
                sourceLocation: sourceLocation)
        // A policy rule that is primary cites the section of its source.
        if let citation = line.citation, !citation.version.isEmpty {
            #expect(!citation.section.isEmpty, "line \(number) policy_section", sourceLocation: sourceLocation)
        }
        // The two ACCEPT reasons are reported only when nothing else fired.
        if line.reasons.count > 1 {
            #expect(!line.reasons.contains { $0.reason == .noEdit || $0.reason == .criteriaMet },
                    "line \(number)", sourceLocation: sourceLocation)
        }
        #expect(!primary.message.isEmpty, sourceLocation: sourceLocation)
        if index < testCase.messageContains.count, !testCase.messageContains[index].isEmpty {
            #expect(primary.message.contains(testCase.messageContains[index]),
                    "line \(number) message: \(primary.message)", sourceLocation: sourceLocation)
        }
    }
    if let claimDecision = testCase.claimDecision {
        #expect(decided.decision == claimDecision, "claim decision", sourceLocation: sourceLocation)
    }
}

// MARK: - Builders

/// A service line as a reader would give it; the claim builder numbers it when `number` is nil.
func line(
    _ code: String, _ dos: String = "2024-07-01", number: Int? = nil, units: String = "1",
    through: String? = nil, pointers: [Int]? = nil, description: String? = nil,
    priorAuth: String? = nil, placeOfService: String? = nil, revenueCode: String? = nil,
    problems: [DataProblem] = []
) -> ServiceLine {
    ServiceLine(
        source: "table.csv:\(number ?? 0)",
        lineNumberText: number.map(String.init) ?? "",
        lineNumber: number,
        procedureCode: code,
        units: Units(units),
        unitsText: units,
        dateOfService: CalendarDate(dos),
        dateOfServiceText: dos,
        dateOfServiceThrough: through.flatMap { CalendarDate($0) },
        diagnosisPointers: pointers.map(DiagnosisPointers.init),
        procedureDescription: description,
        revenueCode: revenueCode,
        priorAuth: priorAuth,
        placeOfService: placeOfService,
        problems: problems
    )
}

/// A commercial claim with the given lines; lines without a number get their position (1-based).
func claim(
    _ payer: String, type: ClaimType = .professional, placeOfService: String? = "11", typeOfBill: String? = nil,
    dx: [String] = ["M80.08XA"], icd9Qualifier: Bool = false, priorAuth: String? = nil, _ lines: ServiceLine...
) -> Claim {
    buildClaim(payer, .commercial, type: type, placeOfService: placeOfService, typeOfBill: typeOfBill, dx: dx,
               icd9Qualifier: icd9Qualifier, priorAuth: priorAuth, lines: lines)
}

/// A claim of the given line of business with the given lines.
func claim(
    _ payer: String, _ lineOfBusiness: LineOfBusiness, type: ClaimType = .professional,
    placeOfService: String? = "11", typeOfBill: String? = nil, dx: [String] = ["M80.08XA"],
    icd9Qualifier: Bool = false, priorAuth: String? = nil, _ lines: ServiceLine...
) -> Claim {
    buildClaim(payer, lineOfBusiness, type: type, placeOfService: placeOfService, typeOfBill: typeOfBill, dx: dx,
               icd9Qualifier: icd9Qualifier, priorAuth: priorAuth, lines: lines)
}

func buildClaim(
    _ payer: String, _ lineOfBusiness: LineOfBusiness, type: ClaimType = .professional,
    placeOfService: String? = "11", typeOfBill: String? = nil, dx: [String] = ["M80.08XA"],
    icd9Qualifier: Bool = false, priorAuth: String? = nil, lines: [ServiceLine]
) -> Claim {
    var numbered = lines
    for index in numbered.indices where numbered[index].lineNumber == nil {
        numbered[index].lineNumber = index + 1
        numbered[index].lineNumberText = String(index + 1)
        numbered[index].sourcePath = "table.csv"
        numbered[index].sourcePosition = index + 2
    }
    return Claim(
        id: "C1",
        claimType: type,
        claimTypeText: type.rawValue,
        payerID: payer,
        lineOfBusiness: lineOfBusiness,
        lineOfBusinessText: lineOfBusiness.rawValue,
        placeOfService: type == .professional ? placeOfService : nil,
        typeOfBill: type == .institutional ? (typeOfBill ?? "0831") : typeOfBill,
        diagnoses: dx.map { Diagnosis(code: $0, declaredCodeSet: icd9Qualifier ? .icd9 : nil) },
        priorAuth: priorAuth,
        lines: numbered
    )
}

/// `claim` as a reader gives it when the first row's `field` is invalid: the value is
/// gone (nil where the model allows) and the claim carries the problem.
func invalidating(_ field: ClaimField, of claim: Claim) -> Claim {
    var claim = claim
    switch field {
    case .lineOfBusiness: claim.lineOfBusiness = nil; claim.lineOfBusinessText = "medicare part z"
    case .claimType: claim.claimType = nil; claim.claimTypeText = "X"
    case .diagnosisCodes: claim.diagnoses = []
    default: break
    }
    claim.problems.append(DataProblem(field, .invalid))
    return claim
}
