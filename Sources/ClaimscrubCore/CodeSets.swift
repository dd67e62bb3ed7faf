/// Where a code-set entry was written, so that lint errors and citations point at it.
public struct CodeSetLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// Which claims a registry code may appear on (decisions.md, `CLAIM_TYPE_MISMATCH`).
public struct ClaimTypeAllowance: Hashable, Sendable {
    public var claimType: ClaimType
    /// Empty: any place of service.
    public var placesOfService: Set<String>

    public init(claimType: ClaimType, placesOfService: Set<String> = []) {
        self.claimType = claimType
        self.placesOfService = placesOfService
    }
}

/// One code of the code registry.
///
/// A class: every line with a registry code looks its entry up, and copying a struct out
/// of the registry would retain each of its fields.
public final class RegistryCode: Sendable {
    public let code: String
    public let descriptor: String
    public let effective: DateRange
    /// Empty: no restriction.
    public let allowedClaims: [ClaimTypeAllowance]
    public let restrictionNote: String
    /// For add-on codes: the primaries one of which must be billed on the same claim and DOS.
    public let addOnPrimaries: [String]
    /// Units summed over the claim's lines with the same DOS may not exceed this.
    public let maxUnitsPerClaimAndDay: Units?
    /// Primary codes of one family may appear once per claim and DOS.
    public let family: String?
    /// Units of this code count as vertebral levels.
    public let countsLevels: Bool
    /// Unlisted codes need a procedure description.
    public let unlisted: Bool
    public let location: CodeSetLocation

    public init(
        code: String, descriptor: String, effective: DateRange,
        allowedClaims: [ClaimTypeAllowance] = [], restrictionNote: String = "",
        addOnPrimaries: [String] = [], maxUnitsPerClaimAndDay: Units? = nil,
        family: String? = nil, countsLevels: Bool = false, unlisted: Bool = false,
        location: CodeSetLocation
    ) {
        self.code = code
        self.descriptor = descriptor
        self.effective = effective
        self.allowedClaims = allowedClaims
        self.restrictionNote = restrictionNote
        self.addOnPrimaries = addOnPrimaries
        self.maxUnitsPerClaimAndDay = maxUnitsPerClaimAndDay
        self.family = family
        self.countsLevels = countsLevels
        self.unlisted = unlisted
        self.location = location
    }
}

/// A named list of ICD-10-CM codes or prefixes (dots ignored).
public struct DiagnosisList: Sendable {
    public var name: String
    /// Upper-cased, without dots.
    public var prefixes: [String]
    public var location: CodeSetLocation

    public init(name: String, prefixes: [String], location: CodeSetLocation) {
        self.name = name
        self.prefixes = prefixes
        self.location = location
    }
}

/// A payer of the payer table: its id, aliases and ordered policy set.
public struct Payer: Sendable {
    public var id: String
    public var name: String
    public var aliases: [String]
    public var policyIDs: [String]
    public var location: CodeSetLocation

    public init(id: String, name: String, aliases: [String] = [], policyIDs: [String], location: CodeSetLocation) {
        self.id = id
        self.name = name
        self.aliases = aliases
        self.policyIDs = policyIDs
        self.location = location
    }
}

/// Why a version stops being in force, for the `POLICY_NOT_IN_FORCE` message.
public enum VersionEnd: String, Sendable {
    /// The policy was retired; nothing replaces it in these code sets.
    case retired
    /// A newer version replaced it, and that version is not loaded.
    case replaced
    /// A loaded later version takes over.
    case superseded
}

/// What came before a policy's first loaded version, for the same message.
public enum EarlierHistory: String, Sendable {
    /// The policy did not exist before its first version.
    case none
    /// Earlier versions existed but are not loaded.
    case notLoaded = "not_loaded"
}

/// A list of diagnosis lists all of which must match (LCD group 2 is a pair).
public typealias DiagnosisRequirement = [String]

/// The objections a criteria rule checks on a line's diagnoses and the claim.
public struct Criteria: Sendable {
    public var contraindicated: [String]
    public var review: [String]
    /// Alternatives: the line is supported when every list of one alternative matches.
    public var supporting: [DiagnosisRequirement]
    public var fallbackReview: [String]
    public var levelsLimit: Int?
    /// Diagnosis lists on the line that lift the levels limit (myeloma for the LCD).
    public var levelsLimitWaivedBy: [String]
    public var priorAuthRequired: Bool
    /// The rule applies the Medicare LCD: its diagnosis denials carry remark N115.
    public var appliesLCD: Bool

    public init(
        contraindicated: [String] = [], review: [String] = [], supporting: [DiagnosisRequirement] = [],
        fallbackReview: [String] = [], levelsLimit: Int? = nil, levelsLimitWaivedBy: [String] = [],
        priorAuthRequired: Bool = false, appliesLCD: Bool = false
    ) {
        self.contraindicated = contraindicated
        self.review = review
        self.supporting = supporting
        self.fallbackReview = fallbackReview
        self.levelsLimit = levelsLimit
        self.levelsLimitWaivedBy = levelsLimitWaivedBy
        self.priorAuthRequired = priorAuthRequired
        self.appliesLCD = appliesLCD
    }
}

/// A description keyword: one or more words that must appear consecutively.
public typealias Keyword = [String]

/// What a policy rule does to the lines it speaks of (decisions.md, edit 9).
public enum RuleAction: Sendable {
    case experimental
    case notMedicallyNecessary
    /// `EXPERIMENTAL` only when the line has a diagnosis in one of the lists
    /// (Cigna's sacroplasty coded with vertebroplasty codes).
    case experimentalWithDiagnosis([String])
    case criteria(Criteria)
    /// Unlisted codes: experimental keywords, then descriptions that take criteria
    /// (every word of a group anywhere), else `UNLISTED_REVIEW`.
    case unlisted(experimentalKeywords: [Keyword], criteriaWords: [String], criteria: Criteria?)
    /// When a device code and a named procedure share a claim and DOS, each such line
    /// is `NOT_MEDICALLY_NECESSARY`.
    case device(deviceCodes: Set<String>, procedureCodes: Set<String>)
}

/// One rule of a policy version: the codes it speaks of, its limits and its action.
public struct PolicyRule: Sendable {
    public var codes: Set<String>
    /// Empty: every line of business.
    public var linesOfBusiness: Set<LineOfBusiness>
    /// Empty: every claim type.
    public var claimTypes: Set<ClaimType>
    public var action: RuleAction
    /// The section of the source document this rule encodes.
    public var section: String
    public var location: CodeSetLocation

    public init(
        codes: Set<String>, linesOfBusiness: Set<LineOfBusiness> = [], claimTypes: Set<ClaimType> = [],
        action: RuleAction, section: String, location: CodeSetLocation
    ) {
        self.codes = codes
        self.linesOfBusiness = linesOfBusiness
        self.claimTypes = claimTypes
        self.action = action
        self.section = section
        self.location = location
    }

    /// Whether the rule is limited to some lines of business or claim types.
    public var isLimited: Bool { !linesOfBusiness.isEmpty || !claimTypes.isEmpty }
}

/// One version of a policy: its range, publication and rules.
public struct PolicyVersion: Sendable {
    public var id: String
    public var effective: DateRange
    public var published: CalendarDate?
    public var end: VersionEnd?
    public var rules: [PolicyRule]
    public var location: CodeSetLocation

    public init(
        id: String, effective: DateRange, published: CalendarDate?, end: VersionEnd? = nil,
        rules: [PolicyRule], location: CodeSetLocation
    ) {
        self.id = id
        self.effective = effective
        self.published = published
        self.end = end
        self.rules = rules
        self.location = location
    }

    /// Whether a run as of `date` knows this version: published on or before it, or
    /// without a published date, effective on or before it; with neither, always.
    public func isKnown(asOf date: CalendarDate) -> Bool {
        if let published { return published <= date }
        if let from = effective.from { return from <= date }
        return true
    }
}

/// A payer medical policy with its versions.
public struct Policy: Sendable {
    public var id: String
    /// Short name for messages, e.g. `Cigna 0040`.
    public var name: String
    public var title: String
    public var source: String
    public var earlierHistory: EarlierHistory
    public var versions: [PolicyVersion]
    public var location: CodeSetLocation

    public init(
        id: String, name: String, title: String, source: String, earlierHistory: EarlierHistory,
        versions: [PolicyVersion], location: CodeSetLocation
    ) {
        self.id = id
        self.name = name
        self.title = title
        self.source = source
        self.earlierHistory = earlierHistory
        self.versions = versions
        self.location = location
    }
}

/// The loaded code sets: one immutable value every worker reads without locks.
public struct CodeSets: Sendable {
    public var registry: [String: RegistryCode] {
        didSet { registryByCode = RegistryIndex(registry) }
    }
    public var diagnosisLists: [String: DiagnosisList]
    public var payers: [Payer] {
        didSet { payerIndex = CodeSets.payerIndex(payers) }
    }
    public var policies: [String: Policy]
    /// Upper-cased payer id or alias -> index into `payers`.
    private var payerIndex: [String: Int]
    /// The registry again, for the lookup every service line makes.
    private var registryByCode: RegistryIndex

    public init(
        registry: [String: RegistryCode], diagnosisLists: [String: DiagnosisList],
        payers: [Payer], policies: [String: Policy]
    ) {
        self.registry = registry
        registryByCode = RegistryIndex(registry)
        self.diagnosisLists = diagnosisLists
        self.payers = payers
        self.policies = policies
        payerIndex = CodeSets.payerIndex(payers)
    }

    private static func payerIndex(_ payers: [Payer]) -> [String: Int] {
        var index: [String: Int] = [:]
        for (offset, payer) in payers.enumerated() {
            for name in [payer.id] + payer.aliases {
                index[name.uppercased()] = index[name.uppercased()] ?? offset
            }
        }
        return index
    }

    /// The payer a claim's payer id names: trimmed, ignoring case, ids and aliases.
    public func payer(named id: String) -> Payer? {
        payerPosition(named: id).map { payers[$0] }
    }

    /// The registry entry of a valid procedure code (`CodeShapes.isProcedureCode`), as
    /// `registry[code]` gives it.
    func registryEntry(procedureCode code: String) -> RegistryCode? {
        registryByCode.entry(code)
    }

    /// Where in `payers` the payer a claim's payer id names is: the engine keeps its
    /// per-payer plans in the same order.
    func payerPosition(named id: String) -> Int? {
        payerIndex[id.trimmingSpaces().uppercasedIfNeeded()]
    }
}

/// Registry entries by their code's bytes packed into an integer, sorted: found by binary
/// search, where the dictionary hashed the code's String once per service line.
private struct RegistryIndex: Sendable {
    private var keys: [UInt64] = []
    private var entries: [RegistryCode] = []

    init(_ registry: [String: RegistryCode]) {
        // Codes longer than eight bytes (or not ASCII) are no procedure code: none is asked for.
        let packed = registry.compactMap { code, entry in RegistryIndex.pack(code).map { ($0, entry) } }
            .sorted { $0.0 < $1.0 }
        keys = packed.map(\.0)
        entries = packed.map(\.1)
    }

    func entry(_ code: String) -> RegistryCode? {
        guard let key = RegistryIndex.pack(code) else { return nil }
        var lower = 0, upper = keys.count
        while lower < upper {
            let middle = (lower + upper) / 2
            if keys[middle] < key { lower = middle + 1 } else { upper = middle }
        }
        return lower < keys.count && keys[lower] == key ? entries[lower] : nil
    }

    /// One to eight ASCII bytes, the first in the highest byte used; nil for anything else.
    /// ASCII bytes are never zero, so codes of different lengths never pack alike.
    private static func pack(_ code: String) -> UInt64? {
        code.withUTF8Bytes { bytes -> UInt64? in
            guard !bytes.isEmpty, bytes.count <= 8 else { return nil }
            var key: UInt64 = 0
            for byte in bytes {
                guard byte != 0, byte < 0x80 else { return nil }
                key = key << 8 | UInt64(byte)
            }
            return key
        }
    }
}

extension String {
    /// Without surrounding spaces and tabs, as ids are compared (payer ids, codes).
    public func trimmingSpaces() -> String {
        // Readers trim already, so most values come back as they are, without a copy.
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        let untrimmed = withUTF8Bytes { bytes in
            guard let first = bytes.first, let last = bytes.last else { return false }
            return isSpace(first) || isSpace(last)
        }
        guard untrimmed else { return self }
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }

    /// `uppercased()`, without its Unicode case mapping or a copy when the text is ASCII
    /// with no lower-case letter, as codes and ids almost always are.
    public func uppercasedIfNeeded() -> String {
        // 0: nothing to change; 1: ASCII with a lower-case letter; 2: not ASCII.
        let shape = withUTF8Bytes { bytes -> Int in
            var hasLower = false
            for byte in bytes {
                if byte >= 0x80 { return 2 }
                if byte >= 97 && byte <= 122 { hasLower = true }
            }
            return hasLower ? 1 : 0
        }
        if shape == 0 { return self }
        if shape == 2 { return uppercased() }
        // Written straight into the new string: no array of bytes in between.
        return withUTF8Bytes { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { buffer in
                for index in 0..<bytes.count {
                    let byte = bytes[index]
                    buffer[index] = byte >= 97 && byte <= 122 ? byte - 32 : byte
                }
                return bytes.count
            }
        }
    }

    /// The bytes as text, bytes that are not UTF-8 as U+FFFD: the same String as
    /// `String(decoding:as:)`. Up to 15 bytes, nearly every value a reader makes, go
    /// straight into the String's inline storage, which checks for ASCII as a whole;
    /// `String(decoding:as:)` validated them first (about 16 values per CSV line: some 470
    /// instructions fewer per line, 1% of a run's).
    public init(readBytes bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            self = ""
            return
        }
        guard bytes.count <= 15 else {
            self = String(decoding: bytes, as: UTF8.self)
            return
        }
        // Repairs invalid UTF-8 as `String(decoding:as:)` does (its documentation says so).
        self = String(unsafeUninitializedCapacity: bytes.count) { buffer in
            // Two overlapping words where there are 8 or more bytes: a call to memcpy for so
            // few cost more than the copy (about 9 values of a CSV line).
            let count = bytes.count
            let target = UnsafeMutableRawPointer(buffer.baseAddress!)
            let source = UnsafeRawPointer(base)
            if count >= 8 {
                target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
                target.storeBytes(of: source.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self),
                                  toByteOffset: count - 8, as: UInt64.self)
            } else {
                for index in 0..<count { buffer[index] = base[index] }
            }
            return count
        }
    }

    /// `init(readBytes:)` for a slice of a buffer.
    public init(readBytes bytes: Slice<UnsafeBufferPointer<UInt8>>) {
        self.init(readBytes: UnsafeBufferPointer(rebasing: bytes))
    }

    /// Calls `body` with the UTF-8 bytes in place: small strings are read from their inline
    /// storage, where iterating `utf8` would go through the string's general index path.
    @inlinable @inline(__always)
    public func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = self
        return copy.withUTF8(body)
    }
}
