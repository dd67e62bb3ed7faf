import ClaimscrubCore

/// Where an 837 transaction set's segments have put us in its hierarchy.
///
/// Loops are told apart by segment sequence, as the implementation guides nest them:
/// `HL*..*..*22` opens the subscriber (2000B), `HL*..*..*23` the patient (2000C), `CLM`
/// the claim (2300), an `SBR` after `CLM` the other subscriber (2320, with its 2330x
/// names), `LX` a service line (2400). That is what keeps a 2330B `NM1*PR` from
/// replacing the 2010BB payer.
///
/// The reading thread follows the loops to know where each claim ends and which segments
/// have no place where they stand; the claim builder is given the loop each recorded
/// segment stood in, so the two never disagree.
struct X12Loops {
    enum Loop: UInt8 {
        case header
        case billingProvider
        case subscriber
        case patient
        case otherHierarchy
        case claim
        /// 2310x provider and facility names under the claim.
        case claimName
        /// 2320 other subscriber and its 2330x names.
        case otherSubscriber
        case line
        /// 2410 drug and 2420x names under a line.
        case lineDetail
    }

    /// What a segment did to the hierarchy.
    enum Step: Equatable {
        /// An `HL`: the claim in progress is complete, and a level of this loop opens.
        case hierarchy(Loop)
        /// A `CLM`: the claim in progress is complete, and a new one opens.
        case claim
        /// An `LX` within the claim's first 999 service lines.
        case line
        /// An `LX` past the 999th: a reject, and its segments are passed over.
        case lineOverLimit
        /// Any other segment, read where it stands.
        case segment
        /// A segment that has no place where it stands: the transaction set is broken off.
        case misplaced(String)
    }

    private(set) var loop = Loop.header
    private(set) var claimIsOpen = false
    /// Service lines of the open claim that are read (the first 999).
    private(set) var lineCount = 0
    /// Set by an `LX` past the claim's 999th line, until the next `LX` or claim.
    private(set) var skippingLine = false

    /// Follows `segment` into the hierarchy.
    mutating func step(_ segment: X12Segment) -> Step {
        switch segment.tag {
        case X12ID.hl:
            claimIsOpen = false
            // HL03, the level code, compared as bytes.
            let level = segment.element(3)
            if x12Equals(level, "20") {
                loop = .billingProvider
            } else if x12Equals(level, "22") {
                loop = .subscriber
            } else if x12Equals(level, "23") {
                loop = .patient
            } else {
                loop = .otherHierarchy
            }
            return .hierarchy(loop)
        case X12ID.sbr:
            if claimIsOpen { loop = .otherSubscriber }
        case X12ID.nm1:
            switch loop {
            case .claim, .claimName: loop = .claimName
            case .line, .lineDetail: loop = .lineDetail
            case .header, .billingProvider, .subscriber, .patient, .otherHierarchy, .otherSubscriber: break
            }
        case X12ID.clm:
            claimIsOpen = true
            lineCount = 0
            skippingLine = false
            loop = .claim
            return .claim
        case X12ID.lx:
            guard claimIsOpen else { return .misplaced("service line (LX) outside a claim") }
            loop = .line
            skippingLine = lineCount >= maximumServiceLines
            if skippingLine { return .lineOverLimit }
            lineCount += 1
            return .line
        case X12ID.sv1, X12ID.sv2:
            guard loop == .line, lineCount > 0 else { return .misplaced("service (\(segment.id)) outside a service line") }
        case X12ID.lin:
            if loop == .line { loop = .lineDetail }
        default:
            break
        }
        return .segment
    }

    /// The transaction set ends (`SE`) or is broken off: no claim is open any more.
    mutating func closeClaim() {
        claimIsOpen = false
    }
}
