/// The policy a reason cites: id, version and the section of its source document.
///
/// A class: the citations are made once per run (one per rule of a known version) and
/// every line's reasons share them, so copying a reason retains one reference, not five.
public final class PolicyCitation: Sendable, Hashable {
    public let policyID: String
    public let policyName: String
    /// Empty for `POLICY_NOT_IN_FORCE`: no version is in force.
    public let version: String
    public let section: String
    public let source: String

    public init(policyID: String, policyName: String, version: String, section: String, source: String) {
        self.policyID = policyID
        self.policyName = policyName
        self.version = version
        self.section = section
        self.source = source
    }

    public static func == (lhs: PolicyCitation, rhs: PolicyCitation) -> Bool {
        lhs === rhs || (lhs.policyID == rhs.policyID && lhs.policyName == rhs.policyName && lhs.version == rhs.version
            && lhs.section == rhs.section && lhs.source == rhs.source)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(policyID)
        hasher.combine(policyName)
        hasher.combine(version)
        hasher.combine(section)
        hasher.combine(source)
    }
}

/// One reason that fired on a line, with what it cites.
public struct FiredReason: Sendable, Hashable {
    public var reason: ReasonCode
    public var remark: String
    public var citation: PolicyCitation?
    public var message: String

    public init(reason: ReasonCode, remark: String? = nil, citation: PolicyCitation? = nil, message: String) {
        self.reason = reason
        self.remark = remark ?? reason.defaultRemark
        self.citation = citation
        self.message = message
    }
}

/// The decision on one service line: every fired reason, primary first.
public struct LineDecision: Sendable, Hashable {
    public var decision: Decision
    /// The reason the decision and the report's codes and message follow.
    public var primary: FiredReason
    /// The other reasons that fired, in edit order; empty on most lines. Kept apart from
    /// the primary so that a line with one reason needs no array (an allocation per line).
    public var others: [FiredReason]
    /// The policy the lookup consulted (for `explain`), whether or not a rule fired.
    public var consulted: PolicyCitation?

    public init(decision: Decision, primary: FiredReason, others: [FiredReason] = [], consulted: PolicyCitation?) {
        self.decision = decision
        self.primary = primary
        self.others = others
        self.consulted = consulted
    }

    /// Primary first, then the others in edit order; never empty.
    public var reasons: [FiredReason] { [primary] + others }

    /// Whether `reason` fired on the line, primary or not, without making `reasons`.
    @inlinable
    public func fired(_ reason: ReasonCode) -> Bool {
        primary.reason == reason || others.contains { $0.reason == reason }
    }

    /// The policy columns follow the primary reason (decisions.md, "Resolved details").
    public var citation: PolicyCitation? { primary.citation }
}

/// The decisions on one claim's lines, in input order, and their roll-up.
public struct ClaimDecision: Sendable {
    public var lines: [LineDecision]
    /// The code sets' id of the claim's payer (matched trimmed and case-blind, aliases
    /// included); nil when the payer is not in the code sets.
    public var payerID: String?

    public init(lines: [LineDecision], payerID: String? = nil) {
        self.lines = lines
        self.payerID = payerID
    }

    /// PEND if any line pends, else DENY if any is denied, else ACCEPT.
    public var decision: Decision {
        if lines.contains(where: { $0.decision == .pend }) { return .pend }
        if lines.contains(where: { $0.decision == .deny }) { return .deny }
        return .accept
    }

    public func count(_ decision: Decision) -> Int {
        lines.reduce(0) { $0 + ($1.decision == decision ? 1 : 0) }
    }
}
