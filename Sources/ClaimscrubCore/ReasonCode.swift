/// A service line's decision.
public enum Decision: String, Sendable, Hashable, CaseIterable, Comparable {
    case accept = "ACCEPT"
    case pend = "PEND"
    case deny = "DENY"

    /// DENY > PEND > ACCEPT (decisions.md).
    public var severity: Int {
        switch self {
        case .accept: return 0
        case .pend: return 1
        case .deny: return 2
        }
    }

    public static func < (lhs: Decision, rhs: Decision) -> Bool { lhs.severity < rhs.severity }
}

/// The processor's stable reason identifiers, in edit order (decisions.md).
public enum ReasonCode: String, Sendable, Hashable, CaseIterable {
    case invalidData = "INVALID_DATA"
    case dosAfterAsOf = "DOS_AFTER_AS_OF"
    case codeNotEffective = "CODE_NOT_EFFECTIVE"
    case claimTypeMismatch = "CLAIM_TYPE_MISMATCH"
    case addOnWithoutPrimary = "ADDON_WITHOUT_PRIMARY"
    case unitsOverMax = "UNITS_OVER_MAX"
    case primaryRepeated = "PRIMARY_REPEATED"
    case noEdit = "NO_EDIT"
    case policyNotInForce = "POLICY_NOT_IN_FORCE"
    case experimental = "EXPERIMENTAL"
    case notMedicallyNecessary = "NOT_MEDICALLY_NECESSARY"
    case contraindicated = "CONTRAINDICATED"
    case diagnosisNotSupported = "DX_NOT_SUPPORTED"
    case levelsOverLimit = "LEVELS_OVER_LIMIT"
    case medicalReview = "MEDICAL_REVIEW"
    case priorAuthMissing = "PRIOR_AUTH_MISSING"
    case unlistedReview = "UNLISTED_REVIEW"
    case criteriaMet = "CRITERIA_MET"

    public var decision: Decision {
        switch self {
        case .noEdit, .criteriaMet: return .accept
        case .invalidData, .dosAfterAsOf, .policyNotInForce, .levelsOverLimit, .medicalReview,
             .priorAuthMissing, .unlistedReview:
            return .pend
        case .codeNotEffective, .claimTypeMismatch, .addOnWithoutPrimary, .unitsOverMax, .primaryRepeated,
             .experimental, .notMedicallyNecessary, .contraindicated, .diagnosisNotSupported:
            return .deny
        }
    }

    /// X12 835 claim adjustment reason code.
    public var claimAdjustmentReason: String {
        switch self {
        case .invalidData: return "16"
        case .dosAfterAsOf, .policyNotInForce, .levelsOverLimit, .medicalReview, .priorAuthMissing,
             .unlistedReview:
            return "133"
        case .codeNotEffective: return "181"
        case .claimTypeMismatch: return "5"
        case .addOnWithoutPrimary: return "107"
        case .unitsOverMax, .primaryRepeated: return "151"
        case .experimental: return "55"
        case .notMedicallyNecessary, .contraindicated: return "50"
        case .diagnosisNotSupported: return "11"
        case .noEdit, .criteriaMet: return ""
        }
    }

    /// The remark code when it does not depend on the line (`INVALID_DATA` names its
    /// field; `CONTRAINDICATED` and `DX_NOT_SUPPORTED` add N115 under the LCD).
    public var defaultRemark: String {
        switch self {
        case .invalidData: return "MA130"
        case .codeNotEffective: return "N56"
        case .claimTypeMismatch: return "N428"
        case .addOnWithoutPrimary: return "N122"
        case .unitsOverMax, .levelsOverLimit: return "N362"
        case .primaryRepeated: return "N20"
        case .experimental: return "N623"
        case .priorAuthMissing: return "M62"
        case .unlistedReview: return "N706"
        default: return ""
        }
    }

    /// Position in edit order (of `allCases`); policy rules keep their own order after the
    /// registry edits. A switch: every line's counts and report row ask, and searching
    /// `allCases` made the array each time.
    public var editOrder: Int {
        switch self {
        case .invalidData: 0
        case .dosAfterAsOf: 1
        case .codeNotEffective: 2
        case .claimTypeMismatch: 3
        case .addOnWithoutPrimary: 4
        case .unitsOverMax: 5
        case .primaryRepeated: 6
        case .noEdit: 7
        case .policyNotInForce: 8
        case .experimental: 9
        case .notMedicallyNecessary: 10
        case .contraindicated: 11
        case .diagnosisNotSupported: 12
        case .levelsOverLimit: 13
        case .medicalReview: 14
        case .priorAuthMissing: 15
        case .unlistedReview: 16
        case .criteriaMet: 17
        }
    }
}
