/// Decides service lines by the code registry and the payer's policies, as of a date.
///
/// A value: the code sets are immutable and shared by every worker without locks.
public struct DecisionEngine: Sendable {
    public let codeSets: CodeSets
    /// The knowledge date: only policy versions published by then exist for the run.
    public let asOf: CalendarDate

    /// Per payer, in `codeSets.payers` order: its known policies and NO_EDIT messages.
    private let payerPlans: [PayerPlan]

    public init(codeSets: CodeSets, asOf: CalendarDate) {
        self.codeSets = codeSets
        self.asOf = asOf
        var known: [String: KnownPolicy] = [:]
        for (id, policy) in codeSets.policies {
            known[id] = KnownPolicy(policy: policy, asOf: asOf, diagnosisLists: codeSets.diagnosisLists)
        }
        payerPlans = codeSets.payers.map { payer in
            PayerPlan(payer: payer, knownPolicies: known, registry: codeSets.registry.values, asOfText: asOf.description)
        }
    }

    /// Decides every line of `claim`, in input order.
    public func decide(_ claim: Claim) -> ClaimDecision {
        var scratch = DecisionScratch()
        return decide(claim, scratch: &scratch)
    }

    /// Decides every line of `claim`, in input order, in buffers kept in `scratch` from
    /// claim to claim. Give the decision back with `recycle` once its rows are written,
    /// and its array of line decisions serves the next claim.
    public func decide(_ claim: borrowing Claim, scratch: inout DecisionScratch) -> ClaimDecision {
        var context = ClaimContext(claim: claim, codeSets: codeSets, facts: &scratch.facts, shapes: &scratch.shapes)
        defer { swap(&scratch.facts, &context.lines) }
        let plan = context.payerPosition.map { payerPlans[$0] }
        var decisions: [LineDecision] = []
        swap(&decisions, &scratch.decisions)
        decisions.removeAll(keepingCapacity: true)
        decisions.reserveCapacity(claim.lines.count)
        for index in claim.lines.indices {
            decisions.append(decideLine(
                at: index, of: claim, in: context, plan: plan, fired: &scratch.fired, noEditMessages: &scratch.noEditMessages
            ))
        }
        return ClaimDecision(lines: decisions, payerID: context.payerPosition.map { codeSets.payers[$0].id })
    }

    /// Takes back a decision `decide(_:scratch:)` made, for its array to serve the next claim.
    public func recycle(_ decision: consuming ClaimDecision, into scratch: inout DecisionScratch) {
        var owned = consume decision
        // Swapped, not assigned: an assignment would leave the array shared until the
        // decision is gone, and clearing a shared array makes a new one.
        swap(&scratch.decisions, &owned.lines)
    }

    /// `plan`: the claim's payer's, nil when the payer is not in the code sets. The claim is
    /// passed beside its context, not kept in it: keeping it was a copy of the claim (a
    /// retain and release of each of its fields) per claim decided. `fired`: a buffer for
    /// the line's reasons, emptied here; `noEditMessages`: the NO_EDIT messages kept in `scratch`.
    private func decideLine(
        at index: Int, of claim: borrowing Claim, in context: ClaimContext, plan: PayerPlan?,
        fired: inout [FiredReason], noEditMessages: inout NoEditMessages
    ) -> LineDecision {
        let facts = context.lines[index]
        fired.removeAll(keepingCapacity: true)

        // 1. INVALID_DATA
        let problems = dataProblems(at: index, facts: facts, claim: claim, context: context)
        if !problems.isEmpty {
            let decisive = problems.min { $0.field.remarkPriority < $1.field.remarkPriority }!
            fired.append(FiredReason(
                reason: .invalidData, remark: decisive.field.remarkCode,
                message: "Invalid data: " + problems.map(describe).joined(separator: "; ") + "."
            ))
        }

        // 2. DOS_AFTER_AS_OF
        if let dos = facts.dateOfService, dos > asOf {
            fired.append(FiredReason(
                reason: .dosAfterAsOf,
                message: "The date of service \(dos) is after the as-of date \(asOf)."
            ))
        }

        if let entry = facts.entry, let dos = facts.dateOfService {
            registryEdits(entry: entry, dos: dos, index: index, facts: facts, claim: claim, context: context, into: &fired)
        }

        // 8-9. Policy lookup and rules.
        var consulted: PolicyCitation?
        if let code = facts.procedureCode, let dos = facts.dateOfService,
           let plan {
            consulted = policyReasons(
                plan: plan, code: code, entry: facts.entry, dos: dos, index: index, claim: claim, context: context,
                into: &fired, noEditMessages: &noEditMessages
            )
        } else if let code = facts.procedureCode, facts.dateOfService != nil, !claim.payerID.isEmpty {
            let message = noEditMessages.message(payer: nil, payerText: claim.payerID, code: code) {
                joinedText(
                    "Payer ", claim.payerID.trimmingSpaces(), " has no policy set; only the code registry edits apply to ",
                    code, "."
                )
            }
            fired.append(FiredReason(reason: .noEdit, message: message))
        } else if facts.isRevenueOnly {
            fired.append(FiredReason(
                reason: .noEdit,
                message: "The line carries a revenue code and no procedure code; there is nothing to scrub."
            ))
        }

        return rollUp(fired, consulted: consulted)
    }

    // MARK: - Edit 1: data

    /// The line is read field by field (`lines[index].x`): passing it whole would copy it.
    private func dataProblems(at index: Int, facts: LineFacts, claim: Claim, context: ClaimContext) -> [DataProblem] {
        let lines = claim.lines
        var problems: [DataProblem] = []
        func add(_ problem: DataProblem) {
            if !problems.contains(where: { $0.field == problem.field }) { problems.append(problem) }
        }
        for problem in claim.problems { add(problem) }
        for problem in lines[index].problems { add(problem) }

        if context.payerIDIsBlank { add(DataProblem(.payerID, .missing)) }
        if lines[index].procedureCode.isEmpty {
            if !facts.isRevenueOnly { add(DataProblem(.procedureCode, .missing)) }
        } else if facts.procedureCode == nil {
            add(DataProblem(.procedureCode, .described("is not a CPT or HCPCS Level II code")))
        }
        if let revenue = lines[index].revenueCode, !revenue.isEmpty, !CodeShapes.isRevenueCode(revenue) {
            add(DataProblem(.revenueCode, .described("is not a four-digit revenue code")))
        }
        if lines[index].dateOfService == nil, !lines[index].problems.contains(where: { $0.field == .serviceDate }) {
            add(DataProblem(.serviceDate, .missing))
        }
        if let from = lines[index].dateOfService, let through = lines[index].dateOfServiceThrough, through < from {
            add(DataProblem(.serviceDateTo, .described("is before service_date")))
        }
        if claim.diagnoses.isEmpty {
            if !claim.problems.contains(where: { $0.field == .diagnosisCodes }) {
                add(DataProblem(.diagnosisCodes, .missing))
            }
        } else if let issue = context.diagnosisShapeIssue(dos: lines[index].dateOfService) {
            add(DataProblem(.diagnosisCodes, .described(issue)))
        }
        if let pointers = lines[index].diagnosisPointers,
           pointers.contains(where: { $0 < 1 || $0 > claim.diagnoses.count }) {
            add(DataProblem(.diagnosisPointers, .described("points past the claim's diagnoses")))
        }
        if let place = lines[index].placeOfService ?? claim.placeOfService, !CodeShapes.isPlaceOfService(place) {
            add(DataProblem(.placeOfService, .described("is not a two-digit place of service code")))
        }
        if let bill = claim.typeOfBill, !CodeShapes.isTypeOfBill(bill) {
            add(DataProblem(.typeOfBill, .described("is not a three- or four-digit type of bill")))
        }
        if let code = facts.procedureCode, facts.isUnlisted, facts.description == nil {
            add(DataProblem(.procedureDescription, .described("is required for unlisted code \(code)")))
        }
        return problems
    }

    private func describe(_ problem: DataProblem) -> String {
        let name = problem.field.rawValue
        switch problem.issue {
        case .missing: return "\(name) is missing"
        case .invalid: return "\(name) is not valid"
        case .conflictsWithClaim: return "\(name) differs from the claim's first line"
        case .extraFields: return "the row has values past the header's last column"
        case .unsupportedQualifier: return "\(name) has a qualifier other than HC"
        case .described(let text): return "\(name) \(text)"
        }
    }

    // MARK: - Edits 3-7: the code registry

    /// Appends to `fired`: most lines fire nothing here, and an array of their own would
    /// be made and copied for each.
    private func registryEdits(
        entry: RegistryCode, dos: CalendarDate, index: Int, facts: LineFacts, claim: Claim, context: ClaimContext,
        into fired: inout [FiredReason]
    ) {
        let code = entry.code

        if !entry.effective.contains(dos) {
            fired.append(FiredReason(
                reason: .codeNotEffective,
                message: "Procedure code \(code) is not in effect on the date of service; it is valid \(describeRange(entry.effective))."
            ))
        }

        if !entry.allowedClaims.isEmpty, let claimType = claim.claimType {
            // The allowances for the claim's type, read in place: filtering them into an
            // array of their own was an allocation for each line of such a code.
            var anyAllowance = false
            var everyNamesPlaces = true
            for allowance in entry.allowedClaims where allowance.claimType == claimType {
                anyAllowance = true
                if allowance.placesOfService.isEmpty { everyNamesPlaces = false }
            }
            var mismatch = !anyAllowance
            if anyAllowance, everyNamesPlaces {
                let place = claim.lines[index].placeOfService ?? claim.placeOfService
                // Without a valid place of service the restriction cannot be judged: skipped.
                if let place, CodeShapes.isPlaceOfService(place) {
                    mismatch = !entry.allowedClaims.contains {
                        $0.claimType == claimType && $0.placesOfService.contains(place)
                    }
                }
            }
            if mismatch {
                fired.append(FiredReason(
                    reason: .claimTypeMismatch,
                    message: "Procedure code \(code) is billable only on \(entry.restrictionNote)."
                ))
            }
        }

        if !entry.addOnPrimaries.isEmpty {
            let hasPrimary = context.lines.indices.contains { other in
                other != index && context.lines[other].dateOfService == dos
                    && context.lines[other].procedureCode.map(entry.addOnPrimaries.contains) == true
            }
            if !hasPrimary {
                fired.append(FiredReason(
                    reason: .addOnWithoutPrimary,
                    message: "Add-on code \(code) is billed without its primary code (\(entry.addOnPrimaries.joined(separator: " or "))) on the same claim and date of service."
                ))
            }
        }

        if let maximum = entry.maxUnitsPerClaimAndDay, facts.units != nil {
            let total = context.units(of: code, on: dos)
            if total > maximum {
                fired.append(FiredReason(
                    reason: .unitsOverMax,
                    message: "Units of \(code) on this claim and date of service total \(total), more than the maximum of \(maximum)."
                ))
            }
        }

        if let family = entry.family {
            // The family's first line on the date, by line number then input order, found in
            // one pass: no array of the family's lines per line.
            var first: Int?
            for other in context.lines.indices
            where context.lines[other].dateOfService == dos && context.lines[other].family == family {
                if let current = first, context.lines[current].orderKey <= context.lines[other].orderKey { continue }
                first = other
            }
            if let first, first != index {
                fired.append(FiredReason(
                    reason: .primaryRepeated,
                    message: "A second primary procedure of the \(family) family is billed on this claim and date of service; further levels are billed with the add-on code."
                ))
            }
        }
    }

    // MARK: - Edits 8-9: policies

    /// Appends the lookup's reasons to `fired`; returns the policy consulted. `entry`: the
    /// code's registry entry, by which the payer's plan finds the policies speaking of it.
    private func policyReasons(
        plan: PayerPlan, code: String, entry: RegistryCode?, dos: CalendarDate, index: Int, claim: Claim,
        context: ClaimContext, into fired: inout [FiredReason], noEditMessages: inout NoEditMessages
    ) -> PolicyCitation? {
        // A code outside the registry has no policy: the loader refuses rules that name one.
        guard let entry, let lookup = plan.lookup(entry) else {
            let message = noEditMessages.message(payer: context.payerPosition, payerText: "", code: code) {
                plan.noRuleMessage(code: code)
            }
            fired.append(FiredReason(reason: .noEdit, message: message))
            return nil
        }
        // Read out of the claim: a closure over the claim itself copies it.
        let lineOfBusiness = claim.lineOfBusiness, claimType = claim.claimType
        for candidate in lookup.policies {
            let knownPolicy = candidate.known
            // A rule limited to some lines of business or claim types cannot be judged
            // without a valid one: the lookup is skipped (decisions.md, "Resolved details").
            if candidate.limitedByLineOfBusiness && lineOfBusiness == nil
                || candidate.limitedByClaimType && claimType == nil {
                return nil
            }
            // Whether a version has a rule naming the code that admits this claim.
            func speaking(_ version: Int) -> Bool {
                candidate.rules[version].contains { $0.admits(lineOfBusiness, claimType) }
            }
            // The first version (in code-set order) that speaks of the line and is in force on its date.
            var anySpeaks = false
            for version in knownPolicy.versions.indices where speaking(version) {
                anySpeaks = true
                let known = knownPolicy.versions[version]
                if known.version.effective.contains(dos) {
                    return applyRules(
                        of: known, rules: candidate.rules[version], code: code, dos: dos, index: index, claim: claim,
                        context: context, into: &fired
                    )
                }
            }
            if !anySpeaks { continue }
            let citation = knownPolicy.notInForceCitation
            fired.append(FiredReason(
                reason: .policyNotInForce, citation: citation,
                message: notInForceMessage(knownPolicy, speaking: speaking, dos: dos)
            ))
            return citation
        }
        fired.append(FiredReason(reason: .noEdit, message: lookup.noRuleMessage))
        return nil
    }

    /// `speaking`: whether the version at an index of `known.versions` speaks of the line. A
    /// closure called in place: a lazy sequence of the versions was a heap box holding a copy
    /// of the claim, once for each line whose policy is not in force.
    private func notInForceMessage(_ known: KnownPolicy, speaking: (Int) -> Bool, dos: CalendarDate) -> String {
        // The earliest and the latest by start, as the first and last of a stable sort would
        // be (ties: the first and the last in code-set order), without sorting a copy.
        func start(_ index: Int) -> Int32 { known.versions[index].version.effective.from?.daysSinceEpoch ?? Int32.min }
        var earliest: Int?
        var latest: Int?
        for index in known.versions.indices where speaking(index) {
            if earliest.map({ start(index) < start($0) }) ?? true { earliest = index }
            if latest.map({ start(index) >= start($0) }) ?? true { latest = index }
        }
        if let first = earliest, let from = known.versions[first].version.effective.from, dos < from {
            return known.beforeMessages[first]
        }
        if let last = latest, let to = known.versions[last].version.effective.to, dos >= to {
            return known.afterMessages[last]
        }
        return "No version of \(known.policy.name) is loaded for the date of service \(dos)."
    }

    /// `rules`: the version's rules that name `code`, in rule order.
    private func applyRules(
        of known: KnownVersion, rules: [NamingRule], code: String, dos: CalendarDate, index: Int, claim: Claim,
        context: ClaimContext, into fired: inout [FiredReason]
    ) -> PolicyCitation? {
        let facts = context.lines[index]
        let firedBefore = fired.count
        var consulted: (citation: PolicyCitation, metMessage: String)?
        let label = known.label

        for naming in rules where naming.admits(claim.lineOfBusiness, claim.claimType) {
            let ruleIndex = naming.index
            let rule = known.version.rules[ruleIndex]
            let lists = known.diagnosisLists[ruleIndex]
            let citation = known.citations[ruleIndex]
            if consulted == nil { consulted = (citation, known.metMessages[ruleIndex]) }
            func fire(_ reason: ReasonCode, remark: String? = nil, _ message: String) {
                fired.append(FiredReason(reason: reason, remark: remark, citation: citation, message: message))
            }
            switch rule.action {
            case .experimental:
                fire(.experimental, "\(label) considers procedure code \(code) experimental, investigational or unproven.")
            case .notMedicallyNecessary:
                fire(.notMedicallyNecessary, "\(label) does not cover procedure code \(code): not medically necessary.")
            case .experimentalWithDiagnosis:
                if let diagnoses = facts.diagnosisKeys, diagnoses.contains(where: { lists.experimental.matches($0) }) {
                    fire(.experimental, "\(label) considers procedure code \(code) with a diagnosis in \(lists.experimental.name) (sacroplasty) experimental, investigational or unproven.")
                }
            case .criteria(let criteria):
                applyCriteria(
                    criteria, lists: lists.criteria, code: code, dos: dos, facts: facts, context: context, label: label,
                    fire: fire
                )
            case .unlisted(let keywords, let criteriaWords, let criteria):
                guard let description = facts.description else { break }
                let words = descriptionWords(description)
                if let keyword = keywords.first(where: { containsPhrase(words, $0) }) {
                    fire(.experimental, "\(label) considers the procedure described for unlisted code \(code) (\(keyword.joined(separator: " "))) experimental, investigational or unproven.")
                } else if let criteria, !criteriaWords.isEmpty,
                          criteriaWords.allSatisfy({ word in words.contains(word) }) {
                    applyCriteria(
                        criteria, lists: lists.criteria, code: code, dos: dos, facts: facts, context: context,
                        label: label, fire: fire
                    )
                } else {
                    fire(.unlistedReview, "The description of unlisted code \(code) names no procedure \(label) decides; the documentation needs review.")
                }
            case .device(let devices, let procedures):
                let sameDay = context.lines.filter { $0.dateOfService == dos }.compactMap(\.procedureCode)
                if sameDay.contains(where: devices.contains) && sameDay.contains(where: procedures.contains) {
                    let device = sameDay.first(where: devices.contains) ?? ""
                    fire(.notMedicallyNecessary, "\(label) does not cover mechanical vertebral augmentation with a device: \(device) is billed with a balloon augmentation code on the same date of service.")
                }
            }
        }
        if fired.count == firedBefore, let consulted {
            fired.append(FiredReason(reason: .criteriaMet, citation: consulted.citation, message: consulted.metMessage))
        }
        return consulted?.citation
    }

    /// `lists`: the diagnosis lists `criteria` names, as the run found them.
    private func applyCriteria(
        _ criteria: Criteria, lists: CriteriaLists, code: String, dos: CalendarDate, facts: LineFacts,
        context: ClaimContext, label: String, fire: (ReasonCode, String?, String) -> Void
    ) {
        let lcdRemark = criteria.appliesLCD ? "N115" : nil
        // The keys made once here: the lists below read each of them many times.
        if let keys = facts.diagnosisKeys {
            let diagnoses = Array(keys)
            if let list = lists.contraindicated.first(where: { list in diagnoses.contains(where: list.matches) }) {
                fire(.contraindicated, lcdRemark, "A diagnosis on the line is a contraindication under \(label) (\(list.name)).")
            }
            if let list = lists.review.first(where: { list in diagnoses.contains(where: list.matches) }) {
                fire(.medicalReview, nil, "A diagnosis on the line needs medical review under \(label) (\(list.name)).")
            }
            if !lists.supporting.isEmpty {
                let supported = lists.supporting.contains { requirement in
                    requirement.allSatisfy { list in diagnoses.contains(where: list.matches) }
                }
                if !supported {
                    if let list = lists.fallbackReview.first(where: { list in diagnoses.contains(where: list.matches) }) {
                        fire(.medicalReview, nil, "No diagnosis on the line meets \(label)'s criteria, but one is in \(list.name): medical review.")
                    } else {
                        fire(.diagnosisNotSupported, lcdRemark, "No diagnosis on the line supports procedure code \(code) under \(label).")
                    }
                }
            }
        }
        if let limit = criteria.levelsLimit {
            let waived: Bool?
            if criteria.levelsLimitWaivedBy.isEmpty {
                waived = false
            } else {
                waived = facts.diagnosisKeys.map { keys in keys.contains { lists.levelsLimitWaivedBy.matches($0) } }
            }
            if waived == false {
                let levels = context.levels(on: dos)
                if levels > Units(whole: limit) {
                    fire(.levelsOverLimit, nil, "The claim bills \(levels) vertebral levels on this date of service; \(label) allows \(limit) without review.")
                }
            }
        }
        if criteria.priorAuthRequired, facts.priorAuth == nil {
            fire(.priorAuthMissing, nil, "\(label) requires prior authorization, and neither the claim nor the line carries one.")
        }
    }

    // MARK: - Roll-up

    private func rollUp(_ fired: [FiredReason], consulted: PolicyCitation?) -> LineDecision {
        // Most lines have one reason: nothing to order, and no array.
        if fired.count == 1 { return LineDecision(decision: fired[0].reason.decision, primary: fired[0], consulted: consulted) }
        // One array, in fired order: each reason once (its first firing), and NO_EDIT and
        // CRITERIA_MET only when nothing objects.
        func isObjection(_ reason: FiredReason) -> Bool { reason.reason != .noEdit && reason.reason != .criteriaMet }
        let objects = fired.contains(where: isObjection)
        var kept: [FiredReason] = []
        kept.reserveCapacity(fired.count)
        for reason in fired where (!objects || isObjection(reason)) && !kept.contains(where: { $0.reason == reason.reason }) {
            kept.append(reason)
        }
        if kept.isEmpty {
            // Only reachable when the lookup was skipped for missing values, which
            // always comes with INVALID_DATA; kept so a decision is never empty.
            kept = [FiredReason(reason: .noEdit, message: "No loaded rule speaks of this line.")]
        }
        // The primary reason is the first with the strictest decision; the others keep their order.
        var decision = kept[0].reason.decision
        var primaryIndex = 0
        for (offset, reason) in kept.enumerated() where reason.reason.decision > decision {
            decision = reason.reason.decision
            primaryIndex = offset
        }
        let primary = kept.remove(at: primaryIndex)
        return LineDecision(decision: decision, primary: primary, others: kept, consulted: consulted)
    }
}

/// The parts as one String, made in one allocation: the messages that name a line's payer
/// or code are made for most lines, and interpolating or appending grew them piece by piece.
func joinedText(_ first: String, _ second: String, _ third: String, _ fourth: String = "", _ fifth: String = "") -> String {
    let total = first.utf8.count + second.utf8.count + third.utf8.count + fourth.utf8.count + fifth.utf8.count
    return String(unsafeUninitializedCapacity: total) { buffer in
        var count = 0
        func copy(_ part: String) {
            part.withUTF8Bytes { bytes in
                guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
                UnsafeMutableRawPointer(buffer.baseAddress! + count).copyMemory(from: base, byteCount: bytes.count)
                count += bytes.count
            }
        }
        copy(first)
        copy(second)
        copy(third)
        copy(fourth)
        copy(fifth)
        return count
    }
}

func describeRange(_ range: DateRange) -> String {
    switch (range.from, range.to) {
    case let (from?, to?): return "from \(from) until \(to.adding(days: -1))"
    case let (from?, nil): return "from \(from)"
    case let (nil, to?): return "only before \(to)"
    case (nil, nil): return "always"
    }
}

/// Words of a description: maximal runs of letters and digits, upper-cased.
func descriptionWords(_ text: String) -> [String] {
    var words: [String] = []
    var current: [UInt8] = []
    for byte in text.utf8 {
        if isDigit(byte) || isLetter(byte) || (byte >= 97 && byte <= 122) {
            current.append(byte >= 97 && byte <= 122 ? byte - 32 : byte)
        } else if byte >= 0x80 {
            // Non-ASCII letters are part of a word; they never match our ASCII keywords.
            current.append(byte)
        } else if !current.isEmpty {
            words.append(String(decoding: current, as: UTF8.self))
            current.removeAll(keepingCapacity: true)
        }
    }
    if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
    return words
}

/// Whether `phrase` (upper-cased words) appears consecutively in `words`.
func containsPhrase(_ words: [String], _ phrase: Keyword) -> Bool {
    guard !phrase.isEmpty, phrase.count <= words.count else { return false }
    for start in 0...(words.count - phrase.count) where words[start] == phrase[0] {
        if (1..<phrase.count).allSatisfy({ words[start + $0] == phrase[$0] }) { return true }
    }
    return false
}

/// A policy as a run knows it: the versions published by the as-of date and the codes
/// their rules speak of, so most lines are ruled out by one set lookup.
final class KnownPolicy: Sendable {
    let policy: Policy
    let versions: [KnownVersion]
    /// What a POLICY_NOT_IN_FORCE reason cites: the policy, no version.
    let notInForceCitation: PolicyCitation
    /// Per known version, in order, the POLICY_NOT_IN_FORCE messages of a date of service
    /// before the earliest version speaking of a line starts, or on or after the latest
    /// ends (empty where it has no such end): made once per run, where a line's
    /// interpolation cost some 3,000 instructions (about 1% of a generated batch's).
    let beforeMessages: [String]
    let afterMessages: [String]

    init(policy: Policy, asOf: CalendarDate, diagnosisLists: [String: DiagnosisList]) {
        self.policy = policy
        notInForceCitation = PolicyCitation(
            policyID: policy.id, policyName: policy.name, version: "", section: "", source: policy.source
        )
        let known = policy.versions.filter { $0.isKnown(asOf: asOf) }
        versions = known.map { KnownVersion(policy: policy, version: $0, diagnosisLists: diagnosisLists) }
        let name = policy.name
        beforeMessages = known.map { version in
            guard let from = version.effective.from else { return "" }
            switch policy.earlierHistory {
            case .none:
                return "\(name) is not yet effective for dates of service before \(from)."
            case .notLoaded:
                return "No version of \(name) is loaded for dates of service before \(from); earlier versions are not in these code sets."
            }
        }
        afterMessages = known.map { last in
            guard let to = last.effective.to else { return "" }
            if last.end == .retired {
                return "\(name) is retired for dates of service on or after \(to); no later version is loaded."
            }
            if policy.versions.contains(where: { ($0.effective.from.map { $0 >= to }) == true }) {
                return "\(name) version \(last.id) ended on \(to); the version that replaced it is not known as of \(asOf)."
            }
            return "\(name) version \(last.id) was replaced for dates of service on or after \(to); the newer version is not loaded."
        }
    }
}

/// A known policy as the lookup of one code sees it, made once per run: which rules of each
/// version name the code, so that a line's lookup hashes no code and copies no rule.
struct PolicyForCode: Sendable {
    let known: KnownPolicy
    /// Per version of `known.versions`, in order: its rules naming the code, in rule order.
    let rules: [[NamingRule]]
    /// A rule naming the code is limited to some lines of business, or claim types.
    let limitedByLineOfBusiness: Bool
    let limitedByClaimType: Bool

    init(_ known: KnownPolicy, code: String) {
        self.known = known
        rules = known.versions.map { version in
            version.version.rules.indices
                .filter { version.version.rules[$0].codes.contains(code) }
                .map { NamingRule(index: $0, rule: version.version.rules[$0]) }
        }
        limitedByLineOfBusiness = rules.joined().contains { $0.linesOfBusiness != 0 }
        limitedByClaimType = rules.joined().contains { $0.claimTypes != 0 }
    }

    /// Some known version has a rule naming the code.
    var namesCode: Bool { rules.contains { !$0.isEmpty } }
}

/// A rule naming a line's code: its index in its version, and its limits as one bit per
/// line of business and claim type (0: no limit).
struct NamingRule: Sendable {
    let index: Int
    let linesOfBusiness: UInt8
    let claimTypes: UInt8

    init(index: Int, rule: PolicyRule) {
        self.index = index
        linesOfBusiness = rule.linesOfBusiness.reduce(0) { $0 | $1.bit }
        claimTypes = rule.claimTypes.reduce(0) { $0 | $1.bit }
    }

    /// The rule speaks of a line of this claim: a limited rule needs a value it lists.
    func admits(_ lineOfBusiness: LineOfBusiness?, _ claimType: ClaimType?) -> Bool {
        (linesOfBusiness == 0 || lineOfBusiness.map { linesOfBusiness & $0.bit != 0 } == true)
            && (claimTypes == 0 || claimType.map { claimTypes & $0.bit != 0 } == true)
    }
}

private extension LineOfBusiness {
    var bit: UInt8 {
        switch self {
        case .commercial: 1
        case .medicare: 2
        case .medicareAdvantage: 4
        case .medicaid: 8
        }
    }
}

private extension ClaimType {
    var bit: UInt8 {
        switch self {
        case .professional: 1
        case .institutional: 2
        }
    }
}

/// A payer as the policy lookup sees it, made once per run.
final class PayerPlan: Sendable {
    /// What the lookup needs for one code: the payer's known policies with a rule for it,
    /// in the payer's order, and the NO_EDIT message when none of them has one. A class:
    /// every line with a registry code reads one, and a copy of a struct retained each field.
    final class CodeLookup: Sendable {
        let policies: [PolicyForCode]
        let noRuleMessage: String

        init(policies: [PolicyForCode], noRuleMessage: String) {
            self.policies = policies
            self.noRuleMessage = noRuleMessage
        }
    }

    /// By registry entry, sorted by the entry's identity: every line with a registry code
    /// finds its lookup by a binary search over a few pointers, without hashing.
    private let entryKeys: [UInt]
    private let entryLookups: [CodeLookup]
    /// The NO_EDIT message without its code, for codes outside the registry.
    private let noRulePrefix: String

    init(payer: Payer, knownPolicies: [String: KnownPolicy], registry: some Sequence<RegistryCode>, asOfText: String) {
        // The payer's policies in its order, as the as-of date knows them.
        let policies = payer.policyIDs.compactMap { knownPolicies[$0] }
        let prefix = "No policy of " + payer.name + " known as of " + asOfText + " has a rule for procedure code "
        noRulePrefix = prefix
        let lookups = registry.map { entry in
            (UInt(bitPattern: ObjectIdentifier(entry)), CodeLookup(
                policies: policies.map { PolicyForCode($0, code: entry.code) }.filter(\.namesCode),
                noRuleMessage: prefix + entry.code + "."
            ))
        }.sorted { $0.0 < $1.0 }
        entryKeys = lookups.map(\.0)
        entryLookups = lookups.map(\.1)
    }

    /// The lookup for a registry entry; nil only for an entry of other code sets.
    func lookup(_ entry: RegistryCode) -> CodeLookup? {
        let key = UInt(bitPattern: ObjectIdentifier(entry))
        var lower = 0, upper = entryKeys.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if entryKeys[middle] < key { lower = middle + 1 } else { upper = middle }
        }
        return lower < entryKeys.count && entryKeys[lower] == key ? entryLookups[lower] : nil
    }

    /// The NO_EDIT message for a code outside the registry.
    func noRuleMessage(code: String) -> String {
        joinedText(noRulePrefix, code, ".")
    }
}

/// A known version with the texts every line it decides repeats, made once per run.
/// Classes, not structs: every line looks them up, and a copy of a struct retains each field.
final class KnownVersion: Sendable {
    let version: PolicyVersion
    /// `Name (version id)`, as messages name the version.
    let label: String
    /// Per rule, in rule order: what the rule cites, and the CRITERIA_MET message.
    let citations: [PolicyCitation]
    let metMessages: [String]
    /// Per rule, in rule order: the diagnosis lists it names.
    let diagnosisLists: [RuleDiagnosisLists]

    init(policy: Policy, version: PolicyVersion, diagnosisLists lists: [String: DiagnosisList]) {
        self.version = version
        diagnosisLists = version.rules.map { RuleDiagnosisLists($0.action, lists: lists) }
        label = "\(policy.name) (version \(version.id))"
        citations = version.rules.map { rule in
            PolicyCitation(
                policyID: policy.id, policyName: policy.name, version: version.id,
                section: rule.section, source: policy.source
            )
        }
        metMessages = version.rules.map { [label] rule in "The line meets \(label) (\(rule.section))." }
    }
}

/// The diagnosis lists a rule's action names, found by name once per run: a line that
/// reaches a rule's criteria is matched against several lists, and finding each by name
/// hashed the name every time.
struct RuleDiagnosisLists: Sendable {
    /// `experimentalWithDiagnosis`'s lists, as one.
    let experimental: DiagnosisMatcher
    /// The lists of the action's criteria (`criteria`, or `unlisted` with criteria); none otherwise.
    let criteria: CriteriaLists

    init(_ action: RuleAction, lists: [String: DiagnosisList]) {
        var experimentalNames: [String] = []
        var criteria: Criteria?
        switch action {
        case .experimentalWithDiagnosis(let names): experimentalNames = names
        case .criteria(let found): criteria = found
        case .unlisted(_, _, let found): criteria = found
        case .experimental, .notMedicallyNecessary, .device: break
        }
        experimental = DiagnosisMatcher(names: experimentalNames, lists: lists)
        self.criteria = CriteriaLists(criteria ?? Criteria(), lists: lists)
    }
}

/// `Criteria`'s diagnosis lists, each found once per run.
struct CriteriaLists: Sendable {
    let contraindicated: [DiagnosisMatcher]
    let review: [DiagnosisMatcher]
    let supporting: [[DiagnosisMatcher]]
    let fallbackReview: [DiagnosisMatcher]
    /// The lists that lift the levels limit, as one: any of them will do.
    let levelsLimitWaivedBy: DiagnosisMatcher

    init(_ criteria: Criteria, lists: [String: DiagnosisList]) {
        func each(_ names: [String]) -> [DiagnosisMatcher] { names.map { DiagnosisMatcher(names: [$0], lists: lists) } }
        contraindicated = each(criteria.contraindicated)
        review = each(criteria.review)
        supporting = criteria.supporting.map(each)
        fallbackReview = each(criteria.fallbackReview)
        levelsLimitWaivedBy = DiagnosisMatcher(names: criteria.levelsLimitWaivedBy, lists: lists)
    }
}

/// One or more diagnosis lists' prefixes as bytes. The loader admits only A-Z and 0-9 in a
/// prefix, and only ICD-10-CM-shaped keys (ASCII letters and digits) reach a list, so
/// comparing bytes is comparing text. A name the code sets do not define matches nothing.
final class DiagnosisMatcher: Sendable {
    /// The lists' names joined with `, `, as messages name a list.
    let name: String
    private let prefixes: [[UInt8]]

    init(names: [String], lists: [String: DiagnosisList]) {
        name = names.joined(separator: ", ")
        prefixes = names.flatMap { lists[$0]?.prefixes ?? [] }.map { Array($0.utf8) }
    }

    /// `key` (upper-case, without dots) starts with one of the prefixes.
    func matches(_ key: String) -> Bool {
        key.withUTF8Bytes { key in
            prefixes.contains { prefix in
                // A few bytes each: compared in place, no String made or compared.
                guard prefix.count <= key.count else { return false }
                for offset in prefix.indices where prefix[offset] != key[offset] { return false }
                return true
            }
        }
    }
}
