public import ClaimscrubCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Deterministic source of synthetic claims that exercise every policy and edit of the code sets.
///
/// The same seed always yields the same claims, in the same order, on every machine: the
/// generator uses its own SplitMix64 stream (never the system generator) and draws dates of
/// service from a fixed window (2019-01-01 to 2026-10-31), never from today's date. Claims come
/// in runs of one kind (professional or institutional), so an 837 writer can keep them in
/// generation order while putting each kind in its own transaction sets.
public struct BatchGenerator: Sendable {
    private var random: SplitMix64
    private var claimCount = 0
    private var runKind: GeneratedClaim.Kind = .professional
    private var runRemaining = 0

    public init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// The next claim, with at most `maxLines` service lines (1 to 6 before that cap).
    ///
    /// A batch of exactly N lines asks with the lines still to write, so the last claim is
    /// cut to fit.
    public mutating func nextClaim(maxLines: Int = 6) -> GeneratedClaim {
        claimCount += 1
        if runRemaining == 0 {
            // Mostly professional claims; institutional ones in shorter runs.
            if random.chance(0.7) {
                runKind = .professional
                runRemaining = 2 + random.below(14)
            } else {
                runKind = .institutional
                runRemaining = 1 + random.below(6)
            }
        }
        runRemaining -= 1
        var claim = makeClaim(kind: runKind)
        if claim.lines.count > max(1, maxLines) {
            claim.lines.removeLast(claim.lines.count - max(1, maxLines))
        }
        return claim
    }

    // MARK: - Claim shape

    private mutating func makeClaim(kind: GeneratedClaim.Kind) -> GeneratedClaim {
        let payer = Self.payers[random.below(Self.payers.count)]
        let filing = random.pick(payer.filingIndicators)
        let dos = serviceDate()
        let claimID = "GC" + zeroPadded(claimCount, 9)
        let memberID = "SYN" + zeroPadded(random.below(1_000_000_000), 9)
        let birthDate = CalendarDate(daysSinceEpoch: Int32(-14_600 + random.below(18_000)))
        let sex = random.chance(0.55) ? "F" : "M"

        var procedures = procedureScenario(kind: kind, dos: dos)
        if procedures.count > 6 { procedures.removeLast(procedures.count - 6) }

        let diagnoses = diagnosisSet()
        let placeOfService: String?
        let typeOfBill: String?
        switch kind {
        case .professional:
            let hasASCCode = procedures.contains { $0.code.hasPrefix("C7") || $0.code == "C1062" }
            // Ambulatory surgical center codes are billed with place of service 24, nearly always.
            placeOfService = hasASCCode && random.chance(0.85) ? "24" : random.pick(["11", "22", "22", "24"])
            typeOfBill = nil
        case .institutional:
            placeOfService = nil
            typeOfBill = random.chance(0.6) ? "0131" : "0831"
        }

        // Claim-level authorization covers every line; otherwise some professional lines carry
        // their own (837I has no line-level REF*G1, so institutional claims use only the claim's).
        let claimAuth: String? = random.chance(kind == .institutional ? 0.35 : 0.15)
            ? "PA" + zeroPadded(random.below(100_000_000), 8) : nil

        var lines: [GeneratedClaim.Line] = []
        for (index, procedure) in procedures.enumerated() {
            var line = GeneratedClaim.Line(
                lineNumber: index + 1,
                procedureCode: procedure.code,
                modifiers: procedure.modifiers,
                units: procedure.units,
                chargeCents: procedure.chargeCents,
                serviceDate: procedure.dayOffset == 0 ? dos : dos.adding(days: procedure.dayOffset),
                procedureDescription: procedure.description
            )
            switch kind {
            case .professional:
                line.diagnosisPointers = pointers(diagnosisCount: diagnoses.count)
                if claimAuth == nil, procedure.isSpine, random.chance(0.45) {
                    line.priorAuth = "LA" + zeroPadded(random.below(100_000_000), 8)
                }
                if random.chance(0.04) {
                    line.serviceDateTo = line.serviceDate.adding(days: 1 + random.below(2))
                }
            case .institutional:
                line.revenueCode = procedure.revenueCode
            }
            lines.append(line)
        }
        return GeneratedClaim(
            claimID: claimID, kind: kind, payerID: payer.id, payerName: payer.name,
            claimFilingIndicator: filing, memberID: memberID, birthDate: birthDate, sex: sex,
            placeOfService: placeOfService, typeOfBill: typeOfBill, diagnoses: diagnoses,
            priorAuth: claimAuth, lines: lines
        )
    }

    private struct Procedure {
        var code: String
        var units = 1
        var modifiers: [String] = []
        var description: String?
        var revenueCode: String?
        var chargeCents: Int
        var dayOffset = 0
        var isSpine = true
    }

    private mutating func procedure(
        _ code: String, units: Int = 1, description: String? = nil, spine: Bool = true
    ) -> Procedure {
        let base = Self.baseCharge[code] ?? 150
        // Cents: mostly whole dollars, sometimes a half or odd cents, so charges exercise decimals.
        let cents = random.chance(0.7) ? 0 : random.pick([50, 25, 99, 10])
        var modifiers: [String] = []
        if random.chance(0.12) { modifiers.append(random.pick(["LT", "RT", "59", "XS", "KX"])) }
        if modifiers.count == 1, random.chance(0.2) { modifiers.append("GY") }
        if code == "01941" || code == "01942" { modifiers = ["AA"] }
        return Procedure(
            code: code, units: units, modifiers: modifiers, description: description,
            revenueCode: Self.revenueCode(for: code),
            chargeCents: (base + random.below(base / 2 + 1)) * 100 * max(1, units) + cents,
            isSpine: spine
        )
    }

    /// The procedure lines of one claim, chosen to fire a wide spread of edits.
    private mutating func procedureScenario(kind: GeneratedClaim.Kind, dos: CalendarDate) -> [Procedure] {
        var result: [Procedure] = []
        switch random.below(100) {
        case 0..<30:
            // Vertebroplasty or augmentation session: a primary, maybe add-on levels, anesthesia.
            let augmentation = random.chance(0.6)
            let primary = augmentation ? random.pick(["22513", "22514"]) : random.pick(["22510", "22511"])
            result.append(procedure(primary, units: random.chance(0.05) ? 2 : 1))
            if random.chance(0.5) {
                let addOn = augmentation ? "22515" : "22512"
                let units = addOn == "22515" ? random.pick([1, 1, 2, 2, 3, 4]) : 1
                result.append(procedure(addOn, units: units))
            }
            if random.chance(0.25) { result.append(procedure(augmentation ? "01942" : "01941")) }
            if augmentation, random.chance(0.2) { result.append(procedure("C1062")) }
            if random.chance(0.15) {
                // A second primary of the same family (or the same code again): PRIMARY_REPEATED.
                let family = augmentation ? ["22513", "22514"] : ["22510", "22511"]
                result.append(procedure(random.pick(family)))
            }
        case 30..<36:
            // Add-on without its primary.
            result.append(procedure(random.pick(["22512", "22515"]), units: random.pick([1, 2])))
        case 36..<44:
            result.append(procedure(random.pick(["0200T", "0201T"])))
        case 44..<60:
            // Unlisted spine procedure: the description decides (blank now and then).
            let description: String? = random.chance(0.05) ? nil : random.pick(Self.unlistedDescriptions)
            result.append(procedure("22899", description: description))
        case 60..<70:
            // Ambulatory surgical center single codes.
            result.append(procedure(random.pick(["C7504", "C7505", "C7506", "C7507", "C7508"])))
            if random.chance(0.3) { result.append(procedure("C1062")) }
            if random.chance(0.2) { result.append(procedure("22512")) }
        case 70..<76:
            result.append(procedure(random.pick(["22520", "22521", "22522", "22523", "22524", "22525", "72291", "72292"])))
        case 76..<82:
            result.append(procedure(random.pick(["01941", "01942"])))
        case 82..<86:
            result.append(procedure("C1062"))
        default:
            result.append(procedure(random.pick(Self.unrelatedCodes), spine: false))
        }
        // Unrelated office and imaging lines pad claims to their 1-6 lines.
        let extra = random.pick([0, 0, 0, 1, 1, 2, 3])
        for _ in 0..<extra where result.count < 6 {
            var line = procedure(random.pick(Self.unrelatedCodes), spine: false)
            if random.chance(0.15) { line.dayOffset = 1 }
            result.append(line)
        }
        if kind == .institutional, random.chance(0.2), result.count < 6 {
            // A revenue-code-only line (no HCPCS): nothing to scrub.
            var line = procedure("", spine: false)
            line.revenueCode = random.pick(["0250", "0270", "0710"])
            line.modifiers = []
            result.append(line)
        }
        return result
    }

    // MARK: - Diagnoses, pointers, dates

    private mutating func diagnosisSet() -> [String] {
        var codes: [String] = []
        switch random.below(100) {
        case 0..<22: codes.append(random.pick(["M80.08XA", "M80.08XS", "M80.88XA", "M80.88XS"]))
        case 22..<32: codes.append(random.pick(["M48.56XA", "M48.54XA", "M48.50XA", "M48.58XA"]))
        case 32..<42:
            // LCD group 2 needs the neoplasm and the fracture together; sometimes only one.
            codes.append(random.pick(["C79.51", "C90.00", "C41.2", "C90.02"]))
            if random.chance(0.7) { codes.append("M84.58XA") }
        case 42..<48: codes.append("M84.58XA")
        case 48..<54: codes.append(random.pick(["D18.09", "C96.6", "D16.6", "M89.58", "M87.08"]))
        case 54..<60: codes.append(random.pick(["S32.10XA", "S32.110A", "M48.58XA"]))
        case 60..<66: codes.append(random.pick(["M84.48XA", "M84.68XA"]))
        default: codes.append(random.pick(Self.otherDiagnoses))
        }
        if random.chance(0.15) { codes.append(random.pick(["M46.20", "M46.30", "O09.90", "A41.9", "Z33.1"])) }
        if random.chance(0.2) { codes.append(random.pick(["M54.10", "D68.9", "G95.20", "D68.51"])) }
        let more = random.pick([0, 0, 1, 1, 2, 3])
        for _ in 0..<more { codes.append(random.pick(Self.otherDiagnoses)) }
        var unique: [String] = []
        for code in codes where !unique.contains(code) { unique.append(code) }
        return unique
    }

    private mutating func pointers(diagnosisCount: Int) -> [Int] {
        let limit = min(4, diagnosisCount)
        if random.chance(0.7) { return Array(1...limit) }
        // Point at a subset: sometimes leaving the supporting principal diagnosis out.
        let start = 1 + random.below(limit)
        let count = 1 + random.below(limit - start + 1)
        return Array(start..<(start + count))
    }

    /// A date of service, often within a few days of a date where a policy or code changes.
    private mutating func serviceDate() -> CalendarDate {
        let first = Self.firstServiceDate.daysSinceEpoch
        let last = Self.lastServiceDate.daysSinceEpoch
        var day: Int32
        if random.chance(0.35) {
            let boundary = random.pick(Self.boundaryDates)
            day = boundary.daysSinceEpoch + Int32(random.below(7)) - 3
        } else {
            day = first + Int32(random.below(Int(last - first) + 1))
        }
        // Leave room for through-dates and next-day lines, which stay inside the window too.
        day = min(max(day, first), last - 4)
        return CalendarDate(daysSinceEpoch: day)
    }

    private func zeroPadded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    // MARK: - Tables

    /// Earliest date of service the generator writes.
    public static let firstServiceDate = CalendarDate(daysSinceEpoch: 17_897)  // 2019-01-01
    /// Latest date of service (through-dates included) the generator writes.
    public static let lastServiceDate = CalendarDate(daysSinceEpoch: 20_757)  // 2026-10-31

    private static let boundaryDates: [CalendarDate] = [
        "2024-11-01", "2022-10-12", "2025-11-25", "2021-01-10", "2023-09-29", "2024-06-15",
        "2025-01-27", "2023-01-01", "2019-09-18",
    ].compactMap { CalendarDate($0) }

    private struct Payer {
        var id: String
        var name: String
        var filingIndicators: [String]
    }

    private static let payers: [Payer] = [
        Payer(id: "CIGNA", name: "CIGNA", filingIndicators: ["CI", "CI", "16", "MC"]),
        Payer(id: "MOLINA", name: "MOLINA HEALTHCARE", filingIndicators: ["MC", "MC", "CI", "16"]),
        Payer(id: "BCBSMN", name: "BLUE CROSS MN", filingIndicators: ["CI", "CI", "MC"]),
        Payer(id: "COHERE", name: "COHERE DELEGATED PLAN", filingIndicators: ["CI", "16", "MC"]),
        Payer(id: "KPWA", name: "KAISER PERMANENTE WA", filingIndicators: ["MB", "16", "CI", "MC"]),
        Payer(id: "NORIDIAN", name: "NORIDIAN JE", filingIndicators: ["MB", "MB", "MB", "CI"]),
        Payer(id: "ACME01", name: "ACME HEALTH PLAN", filingIndicators: ["CI", "MB"]),
    ]

    private static let unlistedDescriptions = [
        "Sacroplasty S1", "Dynesys dynamic stabilization L4-L5", "interspinous spacer L3-L4",
        "cervical kyphoplasty C6", "Aprevo interbody device", "IO-Expandable interbody cage",
        "soft stabilization system", "flexible stabilization", "intervertebral stabilization",
        "BioFlex system", "bioflexible rod placement", "Isobar TTL rod", "CD Horizon Agile",
        "DSS system", "Dynabolt", "Satellite Spinal System", "Stabilimax NZ", "Zodiak DynaMo",
        "NFix device", "posterior fixation, interspinous", "spinal procedure not otherwise listed",
        "kyphoplasty thoracic", "vertebral body tethering",
    ]

    private static let unrelatedCodes = ["99213", "99214", "20610", "72148", "77003", "36415"]

    private static let otherDiagnoses = [
        "J45.909", "E11.9", "I10", "M54.50", "M81.0", "Z79.899", "K21.9", "M17.11",
    ]

    private static let baseCharge: [String: Int] = [
        "22510": 2400, "22511": 2300, "22512": 900, "22513": 4200, "22514": 4100, "22515": 1300,
        "0200T": 2600, "0201T": 3100, "22899": 5200, "C7504": 3600, "C7505": 3600, "C7506": 2800,
        "C7507": 5300, "C7508": 5300, "C1062": 1900, "01941": 600, "01942": 700,
        "22520": 2200, "22521": 2100, "22522": 800, "22523": 3900, "22524": 3800, "22525": 1200,
        "72291": 400, "72292": 300, "99213": 110, "99214": 160, "20610": 140, "72148": 650,
        "77003": 180, "36415": 15,
    ]

    private static func revenueCode(for code: String) -> String {
        switch code {
        case "01941", "01942": "0370"
        case "C1062": "0278"
        case "72291", "72292", "72148", "77003": "0320"
        case "99213", "99214": "0510"
        case "36415": "0300"
        default: "0360"
        }
    }
}


// MARK: - Writing a whole batch

/// The file format of a generated batch.
public enum BatchFormat: String, Sendable, CaseIterable {
    case csv
    case xml
    case x12
}

extension BatchGenerator {
    /// Writes a synthetic batch of exactly `lines` service lines to `path` (created or replaced).
    ///
    /// The same seed gives the same claims in every format, so a CSV, an X12 and an XML batch
    /// of one seed hold the same claims in the same order. Memory stays bounded whatever `lines`
    /// is: claims are generated and written one at a time through a 1 MiB buffer.
    /// - Throws: `BatchWriteError` when the file cannot be created or written.
    public static func writeBatch(lines: Int, seed: UInt64, format: BatchFormat, to path: String) throws(BatchWriteError) {
        var generator = BatchGenerator(seed: seed)
        switch format {
        case .csv:
            var writer = try CSVBatchWriter(path: path)
            try generator.feed(lines: lines) { claim throws(BatchWriteError) in try writer.write(claim) }
            try writer.finish()
        case .x12:
            var writer = try X12BatchWriter(path: path)
            try generator.feed(lines: lines) { claim throws(BatchWriteError) in try writer.write(claim) }
            try writer.finish()
        case .xml:
            var writer = try XMLBatchWriter(path: path)
            try generator.feed(lines: lines) { claim throws(BatchWriteError) in try writer.write(claim) }
            try writer.finish()
        }
    }

    private mutating func feed(
        lines: Int, _ body: (GeneratedClaim) throws(BatchWriteError) -> Void
    ) throws(BatchWriteError) {
        var remaining = lines
        while remaining > 0 {
            let claim = nextClaim(maxLines: remaining)
            remaining -= claim.lines.count
            try body(claim)
        }
    }
}

/// A failure to create or write a generated batch file.
public struct BatchWriteError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): error: \(message)" }
}

/// An output file written in 1 MiB chunks, so batch size never shows in memory.
final class BatchOutputFile {
    private static let chunkSize = 1 << 20
    private let path: String
    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: [UInt8] = []

    init(path: String) throws(BatchWriteError) {
        self.path = path
        guard let file = fopen(path, "wb") else {
            throw BatchWriteError(path: path, message: "cannot create file: \(String(cString: strerror(errno)))")
        }
        self.file = file
        buffer.reserveCapacity(Self.chunkSize + 64 * 1024)
    }

    deinit {
        if let file { fclose(file) }
    }

    @inline(__always)
    func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
    }

    @inline(__always)
    func append(byte: UInt8) {
        buffer.append(byte)
    }

    /// Writes the buffer out once it holds a chunk; call between records.
    func flushIfFull() throws(BatchWriteError) {
        if buffer.count >= Self.chunkSize { try flush() }
    }

    func flush() throws(BatchWriteError) {
        guard let file, !buffer.isEmpty else { return }
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == buffer.count else {
            throw BatchWriteError(path: path, message: "write failed: \(String(cString: strerror(errno)))")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes; a failed close (a full disk seen late) is an error too.
    func close() throws(BatchWriteError) {
        try flush()
        guard let file else { return }
        self.file = nil
        guard fclose(file) == 0 else {
            throw BatchWriteError(path: path, message: "close failed: \(String(cString: strerror(errno)))")
        }
    }
}

/// Text forms shared by the three writers, so a claim renders the same value everywhere.
enum BatchText {
    static func compactDate(_ date: CalendarDate) -> String {
        let (y, m, d) = date.components
        return pad(y, 4) + pad(m, 2) + pad(d, 2)
    }

    /// Cents as a decimal amount without trailing zeros (`1250.5`, `300`), as X12 prefers.
    static func amount(_ cents: Int) -> String {
        let dollars = String(cents / 100)
        let rest = cents % 100
        if rest == 0 { return dollars }
        if rest % 10 == 0 { return dollars + "." + String(rest / 10) }
        return dollars + "." + pad(rest, 2)
    }

    static func withoutDot(_ code: String) -> String {
        String(code.filter { $0 != "." })
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

extension SplitMix64 {
    /// True with `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) * 0x1.0p-53 < probability
    }

    mutating func pick<T>(_ values: [T]) -> T {
        values[below(values.count)]
    }
}
