public import ClaimscrubCore
import Yams

/// One code-set file: its path relative to the code-set folder, and its text.
public struct CodeSetFile: Sendable {
    public var path: String
    public var text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// A problem `codesets lint` reports, with the file and line it is on.
public struct CodeSetProblem: Sendable, CustomStringConvertible, Hashable {
    public enum Severity: String, Sendable { case error, warning }
    public var file: String
    public var line: Int
    public var severity: Severity
    public var message: String

    public var description: String { "\(file):\(line): \(severity.rawValue): \(message)" }
}

/// Code sets that failed to load: every error found, never half-loaded rules.
public struct CodeSetError: Error, Sendable, CustomStringConvertible {
    public var problems: [CodeSetProblem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Reads the YAML code sets into `CodeSets`, collecting every problem with its file and line.
public struct CodeSetLoader {
    private var problems: [CodeSetProblem] = []
    private var currentFile = ""

    public init() {}

    /// Loads and checks `files`; returns the code sets and the warnings, or throws every error.
    public static func load(_ files: [CodeSetFile]) throws(CodeSetError) -> (codeSets: CodeSets, warnings: [CodeSetProblem]) {
        var loader = CodeSetLoader()
        let codeSets = loader.build(files)
        let errors = loader.problems.filter { $0.severity == .error }
        if !errors.isEmpty || codeSets == nil {
            throw CodeSetError(problems: loader.problems.sorted { ($0.file, $0.line) < ($1.file, $1.line) })
        }
        return (codeSets!, loader.problems.filter { $0.severity == .warning })
    }

    // MARK: - Structure

    private mutating func build(_ files: [CodeSetFile]) -> CodeSets? {
        var registry: [String: RegistryCode] = [:]
        var lists: [String: DiagnosisList] = [:]
        var payers: [Payer] = []
        var policies: [String: Policy] = [:]
        var sawRegistry = false, sawLists = false, sawPayers = false

        for file in files.sorted(by: { $0.path < $1.path }) {
            currentFile = file.path
            guard let root = parse(file) else { continue }
            switch file.path {
            case "registry.yaml":
                sawRegistry = true
                for node in sequence(root["codes"], key: "codes", at: root) {
                    if let code = registryCode(node) {
                        if registry[code.code] != nil {
                            error(node, "duplicate code \(code.code) in the registry")
                        } else {
                            registry[code.code] = code
                        }
                    }
                }
                checkKeys(root, allowed: ["codes"])
            case "diagnosis-lists.yaml":
                sawLists = true
                checkKeys(root, allowed: ["lists"])
                guard let mapping = root["lists"]?.mapping else {
                    error(root, "missing key 'lists' (a mapping of list name to its codes)")
                    continue
                }
                for (keyNode, value) in mapping {
                    guard let name = keyNode.string else { continue }
                    if lists[name] != nil { error(keyNode, "duplicate diagnosis list \(name)") }
                    checkKeys(value, allowed: ["codes"])
                    var prefixes: [String] = []
                    for entry in sequence(value["codes"], key: "codes", at: value) {
                        guard let text = entry.string else { error(entry, "a diagnosis code must be text"); continue }
                        let key = String(text.uppercased().unicodeScalars.filter { $0 != "." })
                        if key.isEmpty || !key.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) }) {
                            error(entry, "'\(text)' is not an ICD-10-CM code or prefix")
                        }
                        prefixes.append(key)
                    }
                    lists[name] = DiagnosisList(name: name, prefixes: prefixes, location: location(keyNode))
                }
            case "payers.yaml":
                sawPayers = true
                checkKeys(root, allowed: ["payers"])
                for node in sequence(root["payers"], key: "payers", at: root) {
                    checkKeys(node, allowed: ["id", "name", "aliases", "policies"])
                    guard let id = requiredString(node, "id") else { continue }
                    if payers.contains(where: { $0.id.uppercased() == id.uppercased() }) {
                        error(node, "duplicate payer id \(id)")
                    }
                    payers.append(Payer(
                        id: id, name: node["name"]?.string ?? id,
                        aliases: strings(node["aliases"], key: "aliases", at: node),
                        policyIDs: strings(node["policies"], key: "policies", at: node),
                        location: location(node)
                    ))
                }
            default:
                guard file.path.hasPrefix("policies/") else {
                    warning(root, "file is not part of the code sets and is ignored")
                    continue
                }
                if let policy = policy(root) {
                    if policies[policy.id] != nil { error(root, "duplicate policy id \(policy.id)") }
                    policies[policy.id] = policy
                }
            }
        }
        currentFile = "registry.yaml"
        if !sawRegistry { problems.append(.init(file: "registry.yaml", line: 1, severity: .error, message: "the code registry file is missing")) }
        if !sawLists { problems.append(.init(file: "diagnosis-lists.yaml", line: 1, severity: .error, message: "the diagnosis lists file is missing")) }
        if !sawPayers { problems.append(.init(file: "payers.yaml", line: 1, severity: .error, message: "the payer table file is missing")) }

        crossCheck(registry: registry, lists: lists, payers: payers, policies: policies)
        return CodeSets(registry: registry, diagnosisLists: lists, payers: payers, policies: policies)
    }

    private mutating func crossCheck(
        registry: [String: RegistryCode], lists: [String: DiagnosisList], payers: [Payer], policies: [String: Policy]
    ) {
        for code in registry.values.sorted(by: { $0.code < $1.code }) {
            currentFile = code.location.file
            for primary in code.addOnPrimaries where registry[primary] == nil {
                problems.append(.init(file: code.location.file, line: code.location.line, severity: .error,
                                      message: "add-on code \(code.code) names unknown primary code \(primary)"))
            }
        }
        for payer in payers {
            for id in payer.policyIDs where policies[id] == nil {
                problems.append(.init(file: payer.location.file, line: payer.location.line, severity: .error,
                                      message: "payer \(payer.id) names unknown policy \(id)"))
            }
            // Overlap: two policies of one payer with rules for the same code; the first decides.
            var seen: [String: String] = [:]
            for id in payer.policyIDs {
                guard let policy = policies[id] else { continue }
                let codes = Set(policy.versions.flatMap(\.rules).flatMap(\.codes))
                for code in codes.sorted() {
                    if let earlier = seen[code] {
                        problems.append(.init(file: payer.location.file, line: payer.location.line, severity: .warning,
                                              message: "payer \(payer.id): policies \(earlier) and \(id) both have rules for \(code); \(earlier) decides"))
                    } else {
                        seen[code] = id
                    }
                }
            }
        }
        for policy in policies.values.sorted(by: { $0.id < $1.id }) {
            for version in policy.versions {
                for rule in version.rules {
                    let at = rule.location
                    func err(_ message: String) {
                        problems.append(.init(file: at.file, line: at.line, severity: .error, message: message))
                    }
                    for code in rule.codes.sorted() where registry[code] == nil {
                        err("rule names unknown code \(code) (not in the registry)")
                    }
                    for name in referencedLists(rule.action) where lists[name] == nil {
                        err("rule names unknown diagnosis list \(name)")
                    }
                    if case .device(let devices, let procedures) = rule.action {
                        for code in devices.union(procedures).sorted() where registry[code] == nil {
                            err("device rule names unknown code \(code)")
                        }
                    }
                }
            }
        }
    }

    private func referencedLists(_ action: RuleAction) -> [String] {
        func of(_ criteria: Criteria) -> [String] {
            criteria.contraindicated + criteria.review + criteria.supporting.flatMap { $0 }
                + criteria.fallbackReview + criteria.levelsLimitWaivedBy
        }
        switch action {
        case .experimentalWithDiagnosis(let lists): return lists
        case .criteria(let criteria): return of(criteria)
        case .unlisted(_, _, let criteria): return criteria.map(of) ?? []
        default: return []
        }
    }

    // MARK: - Entries

    private mutating func registryCode(_ node: Node) -> RegistryCode? {
        checkKeys(node, allowed: ["code", "descriptor", "effective_from", "effective_to", "family",
                                  "max_units_per_claim_day", "counts_levels", "add_on_primaries", "unlisted",
                                  "allowed_claims", "restriction"])
        guard let code = requiredString(node, "code") else { return nil }
        if !CodeShapes.isProcedureCode(code) { error(node, "'\(code)' is not a CPT or HCPCS code") }
        guard let descriptor = requiredString(node, "descriptor") else { return nil }
        let range = dateRange(node)
        var allowed: [ClaimTypeAllowance] = []
        for entry in sequence(node["allowed_claims"], key: "allowed_claims", at: node) {
            checkKeys(entry, allowed: ["claim_type", "place_of_service"])
            guard let typeText = requiredString(entry, "claim_type") else { continue }
            guard let type = ClaimType(rawValue: typeText) else {
                error(entry, "unknown claim type '\(typeText)' (professional or institutional)")
                continue
            }
            allowed.append(ClaimTypeAllowance(
                claimType: type, placesOfService: Set(strings(entry["place_of_service"], key: "place_of_service", at: entry))
            ))
        }
        var maximum: Units?
        if let node = node["max_units_per_claim_day"] {
            maximum = node.string.flatMap { Units($0) }
            if maximum == nil { error(node, "max_units_per_claim_day must be a number") }
        }
        return RegistryCode(
            code: code, descriptor: descriptor, effective: range,
            allowedClaims: allowed, restrictionNote: node["restriction"]?.string ?? "",
            addOnPrimaries: strings(node["add_on_primaries"], key: "add_on_primaries", at: node),
            maxUnitsPerClaimAndDay: maximum, family: node["family"]?.string,
            countsLevels: bool(node, "counts_levels"), unlisted: bool(node, "unlisted"),
            location: location(node)
        )
    }

    private mutating func policy(_ root: Node) -> Policy? {
        checkKeys(root, allowed: ["id", "name", "title", "source", "earlier_history", "versions"])
        guard let id = requiredString(root, "id"), let name = requiredString(root, "name"),
              let source = requiredString(root, "source") else { return nil }
        var history = EarlierHistory.notLoaded
        if let node = root["earlier_history"] {
            if let value = node.string.flatMap(EarlierHistory.init(rawValue:)) {
                history = value
            } else {
                error(node, "earlier_history must be 'none' or 'not_loaded'")
            }
        }
        var versions: [PolicyVersion] = []
        for node in sequence(root["versions"], key: "versions", at: root) {
            checkKeys(node, allowed: ["id", "effective_from", "effective_to", "published", "end", "rules"])
            guard let versionID = requiredString(node, "id") else { continue }
            if versions.contains(where: { $0.id == versionID }) { error(node, "duplicate version id \(versionID) in policy \(id)") }
            let range = dateRange(node)
            var published: CalendarDate?
            if let p = node["published"] {
                published = p.string.flatMap { CalendarDate($0) }
                if published == nil { error(p, "published must be a date YYYY-MM-DD") }
            }
            var end: VersionEnd?
            if let e = node["end"] {
                end = e.string.flatMap(VersionEnd.init(rawValue:))
                if end == nil { error(e, "end must be 'retired', 'replaced' or 'superseded'") }
            }
            var rules: [PolicyRule] = []
            for ruleNode in sequence(node["rules"], key: "rules", at: node) {
                if let rule = rule(ruleNode) { rules.append(rule) }
            }
            for other in versions where overlaps(other.effective, range) {
                error(node, "version \(versionID) of policy \(id) overlaps version \(other.id)")
            }
            versions.append(PolicyVersion(
                id: versionID, effective: range, published: published, end: end, rules: rules, location: location(node)
            ))
        }
        if versions.isEmpty { error(root, "policy \(id) has no versions") }
        return Policy(
            id: id, name: name, title: root["title"]?.string ?? name, source: source,
            earlierHistory: history, versions: versions, location: location(root)
        )
    }

    private mutating func rule(_ node: Node) -> PolicyRule? {
        checkKeys(node, allowed: ["section", "codes", "lines_of_business", "claim_types", "action", "diagnoses",
                                  "criteria", "experimental_keywords", "criteria_words", "device_codes", "procedure_codes"])
        guard let section = requiredString(node, "section"), let actionName = requiredString(node, "action") else { return nil }
        let codes = strings(node["codes"], key: "codes", at: node)
        if codes.isEmpty { error(node, "rule has no codes") }
        var lobs: Set<LineOfBusiness> = []
        for text in strings(node["lines_of_business"], key: "lines_of_business", at: node) {
            if let lob = LineOfBusiness(rawValue: text) { lobs.insert(lob) } else {
                error(node, "unknown line of business '\(text)'")
            }
        }
        var types: Set<ClaimType> = []
        for text in strings(node["claim_types"], key: "claim_types", at: node) {
            if let type = ClaimType(rawValue: text) { types.insert(type) } else {
                error(node, "unknown claim type '\(text)'")
            }
        }
        let action: RuleAction
        switch actionName {
        case "experimental": action = .experimental
        case "not_medically_necessary": action = .notMedicallyNecessary
        case "experimental_with_diagnosis":
            action = .experimentalWithDiagnosis(strings(node["diagnoses"], key: "diagnoses", at: node))
        case "criteria":
            guard let c = node["criteria"] else { error(node, "a criteria rule needs 'criteria'"); return nil }
            action = .criteria(criteria(c))
        case "unlisted":
            action = .unlisted(
                experimentalKeywords: strings(node["experimental_keywords"], key: "experimental_keywords", at: node)
                    .map { descriptionKeyword($0) },
                criteriaWords: strings(node["criteria_words"], key: "criteria_words", at: node).map { $0.uppercased() },
                criteria: node["criteria"].map { criteria($0) }
            )
        case "device":
            action = .device(
                deviceCodes: Set(strings(node["device_codes"], key: "device_codes", at: node)),
                procedureCodes: Set(strings(node["procedure_codes"], key: "procedure_codes", at: node))
            )
        default:
            error(node, "unknown action '\(actionName)' (experimental, not_medically_necessary, experimental_with_diagnosis, criteria, unlisted, device)")
            return nil
        }
        return PolicyRule(
            codes: Set(codes), linesOfBusiness: lobs, claimTypes: types, action: action,
            section: section, location: location(node)
        )
    }

    private mutating func criteria(_ node: Node) -> Criteria {
        checkKeys(node, allowed: ["contraindicated", "review", "supporting", "fallback_review", "levels_limit",
                                  "levels_limit_waived_by", "prior_auth_required", "applies_lcd"])
        var supporting: [DiagnosisRequirement] = []
        for entry in sequence(node["supporting"], key: "supporting", at: node) {
            if let name = entry.string {
                supporting.append([name])
            } else if entry.sequence != nil {
                supporting.append(strings(entry, key: "supporting", at: entry))
            } else {
                error(entry, "a supporting entry is a list name or a list of list names that must all match")
            }
        }
        var limit: Int?
        if let l = node["levels_limit"] {
            limit = l.int
            if limit == nil { error(l, "levels_limit must be a whole number") }
        }
        return Criteria(
            contraindicated: strings(node["contraindicated"], key: "contraindicated", at: node),
            review: strings(node["review"], key: "review", at: node),
            supporting: supporting,
            fallbackReview: strings(node["fallback_review"], key: "fallback_review", at: node),
            levelsLimit: limit,
            levelsLimitWaivedBy: strings(node["levels_limit_waived_by"], key: "levels_limit_waived_by", at: node),
            priorAuthRequired: bool(node, "prior_auth_required"),
            appliesLCD: bool(node, "applies_lcd")
        )
    }

    // MARK: - Node helpers

    private mutating func parse(_ file: CodeSetFile) -> Node? {
        do {
            guard let node = try Yams.compose(yaml: file.text) else {
                problems.append(.init(file: file.path, line: 1, severity: .error, message: "the file is empty"))
                return nil
            }
            guard node.mapping != nil else {
                error(node, "the file must hold a mapping at the top")
                return nil
            }
            return node
        } catch let yamlError as YamlError {
            var line = 1
            var message = "\(yamlError)"
            switch yamlError {
            case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
                // libyaml marks a problem at the end of input one line past a last line that
                // has no line end: name the last line instead.
                line = min(mark.line, yamlLineCount(file.text))
                message = "YAML syntax: \(problem)"
            default:
                break
            }
            problems.append(.init(file: file.path, line: line, severity: .error, message: message))
            return nil
        } catch {
            problems.append(.init(file: file.path, line: 1, severity: .error, message: "YAML: \(error)"))
            return nil
        }
    }

    private func location(_ node: Node) -> CodeSetLocation {
        CodeSetLocation(file: currentFile, line: node.mark?.line ?? 1)
    }

    private mutating func error(_ node: Node, _ message: String) {
        problems.append(.init(file: currentFile, line: node.mark?.line ?? 1, severity: .error, message: message))
    }

    private mutating func warning(_ node: Node, _ message: String) {
        problems.append(.init(file: currentFile, line: node.mark?.line ?? 1, severity: .warning, message: message))
    }

    private mutating func checkKeys(_ node: Node, allowed: Set<String>) {
        guard let mapping = node.mapping else {
            error(node, "expected a mapping with keys \(allowed.sorted().joined(separator: ", "))")
            return
        }
        for key in mapping.keys {
            if let name = key.string, !allowed.contains(name) { error(key, "unknown key '\(name)'") }
        }
    }

    private mutating func requiredString(_ node: Node, _ key: String) -> String? {
        guard let value = node[key] else {
            error(node, "missing key '\(key)'")
            return nil
        }
        guard let text = value.string, !text.isEmpty else {
            error(value, "'\(key)' must be non-empty text")
            return nil
        }
        return text
    }

    private mutating func sequence(_ node: Node?, key: String, at parent: Node) -> [Node] {
        guard let node else { return [] }
        guard let items = node.sequence else {
            error(node, "'\(key)' must be a list")
            return []
        }
        return Array(items)
    }

    private mutating func strings(_ node: Node?, key: String, at parent: Node) -> [String] {
        sequence(node, key: key, at: parent).compactMap { item in
            guard let text = item.string, item.scalar != nil else {
                error(item, "'\(key)' entries must be text")
                return nil
            }
            return text
        }
    }

    private mutating func bool(_ node: Node, _ key: String) -> Bool {
        guard let value = node[key] else { return false }
        guard let flag = value.bool else {
            error(value, "'\(key)' must be true or false")
            return false
        }
        return flag
    }

    private mutating func dateRange(_ node: Node) -> DateRange {
        func date(_ key: String) -> CalendarDate? {
            guard let value = node[key] else { return nil }
            guard let date = value.string.flatMap({ CalendarDate($0) }) else {
                error(value, "'\(key)' must be a date YYYY-MM-DD")
                return nil
            }
            return date
        }
        let range = DateRange(from: date("effective_from"), to: date("effective_to"))
        if let from = range.from, let to = range.to, to <= from {
            error(node["effective_to"] ?? node, "inverted range: effective_to \(to) is not after effective_from \(from)")
        }
        return range
    }
}

/// Lines as YAML counts them: LF, CR LF and a lone CR each end one.
private func yamlLineCount(_ text: String) -> Int {
    var lines = 1
    var previous: UInt8 = 0
    for byte in text.utf8 {
        if byte == 0x0D || (byte == 0x0A && previous != 0x0D) { lines += 1 }
        previous = byte
    }
    return lines
}

private func overlaps(_ a: DateRange, _ b: DateRange) -> Bool {
    let aStart = a.from?.daysSinceEpoch ?? Int32.min, aEnd = a.to?.daysSinceEpoch ?? Int32.max
    let bStart = b.from?.daysSinceEpoch ?? Int32.min, bEnd = b.to?.daysSinceEpoch ?? Int32.max
    return aStart < bEnd && bStart < aEnd
}

/// A keyword as upper-cased words, split the way descriptions are.
func descriptionKeyword(_ text: String) -> Keyword {
    var words: [String] = []
    var current = ""
    for scalar in text.uppercased().unicodeScalars {
        if ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar.value >= 0x80 {
            current.unicodeScalars.append(scalar)
        } else if !current.isEmpty {
            words.append(current)
            current = ""
        }
    }
    if !current.isEmpty { words.append(current) }
    return words
}
