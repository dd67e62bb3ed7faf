import ClaimscrubCore

/// Lines by decision for one payer or code: the bars of summary.html.
struct DecisionTally: Sendable {
    var accept = 0
    var deny = 0
    var pend = 0

    var total: Int { accept + deny + pend }

    mutating func add(_ decision: Decision) {
        switch decision {
        case .accept: accept += 1
        case .deny: deny += 1
        case .pend: pend += 1
        }
    }

    /// Every decision, zeros included.
    var byDecision: [Decision: Int] { [.accept: accept, .deny: deny, .pend: pend] }

    static func + (lhs: DecisionTally, rhs: DecisionTally) -> DecisionTally {
        DecisionTally(accept: lhs.accept + rhs.accept, deny: lhs.deny + rhs.deny, pend: lhs.pend + rhs.pend)
    }

    static func += (lhs: inout DecisionTally, rhs: DecisionTally) {
        lhs = lhs + rhs
    }
}
