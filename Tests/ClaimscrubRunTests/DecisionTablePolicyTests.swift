import ClaimscrubCore
import ClaimscrubRun
import Foundation
import Testing

private func deny(_ reasons: [String], carc: String, rarc: String = "", _ policy: PolicyRef) -> ExpectedLine {
    ExpectedLine(.deny, reasons, carc: carc, rarc: rarc, policy: policy.id, version: policy.version)
}

private func pend(_ reasons: [String], carc: String = "133", rarc: String = "", _ policy: PolicyRef) -> ExpectedLine {
    ExpectedLine(.pend, reasons, carc: carc, rarc: rarc, policy: policy.id, version: policy.version)
}

private func experimental(_ policy: PolicyRef) -> ExpectedLine {
    deny(["EXPERIMENTAL"], carc: "55", rarc: "N623", policy)
}

private func unlistedReview(_ policy: PolicyRef) -> ExpectedLine {
    pend(["UNLISTED_REVIEW"], rarc: "N706", policy)
}

/// The payer policies P1-P6 (decisions.md, "Policies to encode"), each rule firing and
/// not firing, at the boundaries of its version's range and publication.
@Suite struct DecisionTablePolicyTests {
    // MARK: P1 Cigna 0040

    static let cignaRows: [DecisionCase] = {
        let met = ExpectedLine.criteriaMet(.cigna)
        let notSupported = deny(["DX_NOT_SUPPORTED"], carc: "11", .cigna)
        var rows: [DecisionCase] = []
        // Every code group under the criteria, supported and not.
        for code in ["22513", "22514", "22510", "22511"] {
            rows.append(DecisionCase("\(code) supported", claim("CIGNA", line(code)), met))
            rows.append(DecisionCase("\(code) not supported", claim("CIGNA", dx: ["M54.5"], line(code)), notSupported))
        }
        for code in ["C7507", "C7508", "C7504", "C7505", "C1062"] {
            rows.append(DecisionCase("\(code) POS 24 supported", claim("CIGNA", placeOfService: "24", line(code)), met))
            rows.append(DecisionCase("\(code) POS 24 not supported",
                                     claim("CIGNA", placeOfService: "24", dx: ["M54.5"], line(code)), notSupported))
        }
        rows.append(DecisionCase("22515 with 22513 supported", claim("CIGNA", line("22513"), line("22515")), met, met))
        rows.append(DecisionCase("22512 with 22510 supported", claim("CIGNA", line("22510"), line("22512")), met, met))
        rows.append(DecisionCase("C1062 institutional supported", claim("CIGNA", type: .institutional, line("C1062")), met))
        // Each supporting list.
        for dx in ["M80.08XA", "M80.88XS", "M48.50XA", "M48.52XA", "M84.58XA", "M89.58", "M87.08", "M87.38",
                   "M87.88", "C41.2", "C79.52", "C90.01", "D18.09", "C96.6"] {
            rows.append(DecisionCase("22513 supported by \(dx)", claim("CIGNA", dx: [dx], line("22513")), met))
        }
        for dx in ["M84.48XA", "D16.6", "C90.10", "M80.00XA"] {
            rows.append(DecisionCase("22513 not supported by \(dx)", claim("CIGNA", dx: [dx], line("22513")), notSupported))
        }
        rows += [
            DecisionCase("supporting diagnosis not pointed to by the line",
                         claim("CIGNA", dx: ["M54.5", "M80.08XA"], line("22513", pointers: [1])), notSupported),
            DecisionCase("supporting diagnosis pointed to by the line",
                         claim("CIGNA", dx: ["M54.5", "M80.08XA"], line("22513", pointers: [2])), met),
            DecisionCase("no pointers: all of the claim's diagnoses",
                         claim("CIGNA", dx: ["M54.5", "M80.08XA"], line("22513")), met),
            // Sacroplasty coded as vertebroplasty: EXPERIMENTAL, then the criteria too.
            DecisionCase("22511 with a sacral fracture alone",
                         claim("CIGNA", dx: ["S32.10XA"], line("22511")),
                         deny(["EXPERIMENTAL", "DX_NOT_SUPPORTED"], carc: "55", rarc: "N623", .cigna)),
            DecisionCase("22511 with a sacral fracture and an osteoporotic fracture",
                         claim("CIGNA", dx: ["S32.10XA", "M80.08XA"], line("22511")), experimental(.cigna)),
            DecisionCase("22511 with M48.58 (sacral, and a collapsed vertebra)",
                         claim("CIGNA", dx: ["M48.58XA"], line("22511")), experimental(.cigna)),
            DecisionCase("22510 with a sacral fracture: no sacroplasty rule",
                         claim("CIGNA", dx: ["S32.10XA"], line("22510")), notSupported),
            DecisionCase("22512 pointing to the sacral fracture",
                         claim("CIGNA", dx: ["M80.08XA", "S32.10XA"], line("22510", pointers: [1]),
                               line("22512", pointers: [2])),
                         met, deny(["EXPERIMENTAL", "DX_NOT_SUPPORTED"], carc: "55", rarc: "N623", .cigna)),
            DecisionCase("C7504 with a sacral fracture",
                         claim("CIGNA", placeOfService: "24", dx: ["S32.10XA"], line("C7504")),
                         deny(["EXPERIMENTAL", "DX_NOT_SUPPORTED"], carc: "55", rarc: "N623", .cigna)),
            DecisionCase("C7505 with a sacral fracture and support",
                         claim("CIGNA", placeOfService: "24", dx: ["S32.10XA", "M80.08XA"], line("C7505")),
                         experimental(.cigna)),
            DecisionCase("C7507 with a sacral fracture: no sacroplasty rule",
                         claim("CIGNA", placeOfService: "24", dx: ["S32.10XA", "M80.08XA"], line("C7507")), met),
            DecisionCase("0200T", claim("CIGNA", line("0200T")), experimental(.cigna)),
            DecisionCase("0201T", claim("CIGNA", line("0201T")), experimental(.cigna)),
            // 22899: sacroplasty, cervical kyphoplasty, anything else.
            DecisionCase("22899 sacroplasty",
                         claim("CIGNA", line("22899", description: "Percutaneous SACROPLASTY, left")), experimental(.cigna)),
            DecisionCase("22899 sacroplasty and cervical kyphoplasty: nothing else runs",
                         claim("CIGNA", dx: ["M54.5"], line("22899", description: "cervical kyphoplasty with sacroplasty")),
                         experimental(.cigna)),
            DecisionCase("22899 sacroplasty inside a word does not match",
                         claim("CIGNA", line("22899", description: "sacroplastyish procedure")), unlistedReview(.cigna)),
            DecisionCase("22899 cervical kyphoplasty supported",
                         claim("CIGNA", line("22899", description: "Cervical kyphoplasty C5")), met),
            DecisionCase("22899 kyphoplasty ... cervical, words anywhere, not supported",
                         claim("CIGNA", dx: ["M54.5"], line("22899", description: "kyphoplasty at C6, cervical")),
                         notSupported),
            DecisionCase("22899 kyphoplasty without cervical",
                         claim("CIGNA", line("22899", description: "thoracic kyphoplasty")), unlistedReview(.cigna)),
            DecisionCase("22899 other",
                         claim("CIGNA", line("22899", description: "interspinous spacer")), unlistedReview(.cigna)),
            // Dates: effective 2024-06-15, effective_to 2024-11-01 (retired), published 2024-06-15.
            DecisionCase("DOS 2024-06-14, before the loaded version",
                         claim("CIGNA", line("22513", "2024-06-14")), .notInForce(.cigna),
                         messageContains: ["No version of Cigna 0040 is loaded for dates of service before 2024-06-15; earlier versions are not in these code sets."]),
            DecisionCase("DOS 2024-06-15", claim("CIGNA", line("22513", "2024-06-15")), met),
            DecisionCase("DOS 2024-10-31", claim("CIGNA", line("22513", "2024-10-31")), met),
            DecisionCase("DOS 2024-11-01, retired",
                         claim("CIGNA", line("22513", "2024-11-01")), .notInForce(.cigna),
                         messageContains: ["Cigna 0040 is retired for dates of service on or after 2024-11-01; no later version is loaded."]),
            DecisionCase("0200T DOS 2024-11-01, retired", claim("CIGNA", line("0200T", "2024-11-01")), .notInForce(.cigna)),
            DecisionCase("DOS 2023-01-10, long before", claim("CIGNA", line("22513", "2023-01-10")), .notInForce(.cigna)),
            DecisionCase("as-of 2024-06-14: the policy is not yet known",
                         claim("CIGNA", line("22513", "2024-06-14")), asOf: "2024-06-14", .noEdit),
            DecisionCase("as-of 2024-06-14, DOS 2023: not known either",
                         claim("CIGNA", line("0200T", "2023-03-01")), asOf: "2024-06-14", .noEdit),
            DecisionCase("as-of 2024-06-15: known and in force",
                         claim("CIGNA", line("22513", "2024-06-15")), asOf: "2024-06-15", met),
            DecisionCase("as-of 2024-06-14, DOS 2024-06-15: after the as-of date only",
                         claim("CIGNA", line("0200T", "2024-06-15")), asOf: "2024-06-14",
                         ExpectedLine(.pend, ["DOS_AFTER_AS_OF"], carc: "133")),
            DecisionCase("22899 without description at Cigna: INVALID_DATA only",
                         claim("CIGNA", line("22899")), .invalid("N350")),
            DecisionCase("22899 without description after retirement",
                         claim("CIGNA", line("22899", "2024-11-01")),
                         ExpectedLine(.pend, ["INVALID_DATA", "POLICY_NOT_IN_FORCE"], carc: "16", rarc: "N350")),
            DecisionCase("Cigna has no rule for 01941", claim("CIGNA", line("01941")), .noEdit),
        ]
        // All lines of business.
        for lob in LineOfBusiness.allCases {
            rows.append(DecisionCase("0200T \(lob.rawValue)", claim("CIGNA", lob, line("0200T")), experimental(.cigna)))
            rows.append(DecisionCase("22514 \(lob.rawValue)", claim("CIGNA", lob, line("22514")), met))
        }
        return rows
    }()

    @Test(arguments: cignaRows)
    func cigna(_ row: DecisionCase) throws { try check(row) }

    // MARK: P2 Molina

    static let molinaRows: [DecisionCase] = {
        func row(_ name: String, _ dos: String, _ text: String, asOf: String = "2026-11-23",
                 lob: LineOfBusiness = .commercial, _ expected: ExpectedLine,
                 message: String = "", sourceLocation: SourceLocation = #_sourceLocation) -> DecisionCase {
            DecisionCase(name, claim("MOLINA", lob, line("22899", dos, description: text)), asOf: asOf, expected,
                         messageContains: [message], sourceLocation: sourceLocation)
        }
        var rows: [DecisionCase] = []
        let shared = ["dynamic stabilization", "Flexible Stabilization system", "soft stabilization",
                      "intervertebral stabilization", "interspinous fixation", "Dynesys", "Isobar TTL", "BioFlex rod",
                      "DSS", "CD Horizon Agile", "cd-horizon AGILE"]
        for text in shared {
            rows.append(row("2019 version: \(text)", "2022-10-11", text, experimental(.molina2019)))
            rows.append(row("2022 version: \(text)", "2022-10-12", text, experimental(.molina2022)))
        }
        rows += [
            row("first day of the 2019 version", "2019-09-18", "Dynesys", experimental(.molina2019)),
            row("before the policy existed", "2019-09-17", "Dynesys", .notInForce(.molina2019),
                message: "Molina Intervertebral Stabilization Devices is not yet effective for dates of service before 2019-09-18."),
            row("aprevo on 2022-10-11: not yet a keyword", "2022-10-11", "aprevo implant", unlistedReview(.molina2019)),
            row("aprevo on 2022-10-12", "2022-10-12", "aprevo implant", experimental(.molina2022)),
            row("IO expandable on 2022-10-11", "2022-10-11", "IO expandable cage", unlistedReview(.molina2019)),
            row("IO-Expandable matches IO expandable", "2023-02-01", "IO-Expandable cage", experimental(.molina2022)),
            row("io expandable across a line break", "2023-02-01", "IO\nexpandable", experimental(.molina2022)),
            row("expandable alone", "2023-02-01", "expandable cage", unlistedReview(.molina2022)),
            row("bioflexible does not match BioFlex", "2023-02-01", "bioflexible rod", unlistedReview(.molina2022)),
            row("stabilization, dynamic: words out of order", "2023-02-01", "stabilization, dynamic",
                unlistedReview(.molina2022)),
            row("other description", "2023-02-01", "spinal cord stimulator", unlistedReview(.molina2022)),
            row("medicare", "2023-02-01", "Dynesys", lob: .medicare, experimental(.molina2022)),
            row("medicaid", "2023-02-01", "Dynesys", lob: .medicaid, experimental(.molina2022)),
            row("medicare advantage", "2023-02-01", "Dynesys", lob: .medicareAdvantage, experimental(.molina2022)),
            // Replay as of 2022-06-01: the 2022-10-12 version does not exist yet.
            row("as-of 2022-06-01, DOS 2022-05-01", "2022-05-01", "aprevo implant", asOf: "2022-06-01",
                unlistedReview(.molina2019)),
            row("as-of 2022-06-01, DOS 2023", "2023-01-10", "aprevo implant", asOf: "2022-06-01",
                ExpectedLine(.pend, ["DOS_AFTER_AS_OF", "POLICY_NOT_IN_FORCE"], carc: "133")),
            row("as-of 2019-09-17", "2019-09-17", "Dynesys", asOf: "2019-09-17", .noEdit),
            DecisionCase("Molina has no rule for 22513", claim("MOLINA", line("22513")), .noEdit),
        ]
        return rows
    }()

    @Test(arguments: molinaRows)
    func molina(_ row: DecisionCase) throws { try check(row) }

    /// The shipped code sets, copied, with Molina's 2022 version's dates lines replaced by
    /// `dates`, loaded: no shipped version is published late or leaves a gap.
    private func molinaWith2022Dates(_ dates: String) throws -> CodeSets {
        let folder = temporaryFolder().appendingPathComponent("codesets")
        try FileManager.default.copyItem(at: packageRoot().appendingPathComponent("codesets"), to: folder)
        let molina = folder.appendingPathComponent("policies/molina-intervertebral-stabilization.yaml")
        let text = try String(contentsOf: molina, encoding: .utf8)
        let shipped = "    effective_from: 2022-10-12\n    published: 2022-10-12\n"
        try #require(text.contains(shipped))
        try text.replacingOccurrences(of: shipped, with: dates).write(to: molina, atomically: true, encoding: .utf8)
        return try LoadedCodeSets.load(folder: folder.path).codeSets
    }

    /// The primary message of a Dynesys line of `dos` at Molina, as of `asOf`.
    private func molinaMessage(_ codeSets: CodeSets, dos: String, asOf: String) throws -> String {
        let decided = DecisionEngine(codeSets: codeSets, asOf: try #require(CalendarDate(asOf)))
            .decide(claim("MOLINA", line("22899", dos, description: "Dynesys")))
        return try #require(decided.lines.first?.primary.message)
    }

    /// A version that ended before the date of service, whose successor was published after
    /// the as-of date: the message says the successor is not known as of that date. Once
    /// it is published, it decides the line.
    @Test func aVersionWhoseSuccessorIsNotKnownYetEndedOnItsDate() throws {
        let codeSets = try molinaWith2022Dates("    effective_from: 2022-10-12\n    published: 2022-12-12\n")
        #expect(try molinaMessage(codeSets, dos: "2022-10-20", asOf: "2022-11-01")
                == "Molina Intervertebral Stabilization Devices version 2019-09-18 ended on 2022-10-12; the version that replaced it is not known as of 2022-11-01.")
        #expect(try molinaMessage(codeSets, dos: "2022-10-20", asOf: "2022-12-12").hasPrefix(
            "Molina Intervertebral Stabilization Devices (version 2022-10-12) considers the procedure described for unlisted code 22899 (DYNESYS) experimental"))
    }

    /// A date of service between two versions (the first ended, the next not yet begun):
    /// no version is in force, and the message names the date.
    @Test func aDateBetweenTwoVersionsHasNoVersionInForce() throws {
        let codeSets = try molinaWith2022Dates("    effective_from: 2022-11-01\n    published: 2022-10-12\n")
        #expect(try molinaMessage(codeSets, dos: "2022-10-20", asOf: "2026-11-23")
                == "No version of Molina Intervertebral Stabilization Devices is loaded for the date of service 2022-10-20.")
        #expect(try molinaMessage(codeSets, dos: "2022-11-01", asOf: "2026-11-23").hasPrefix(
            "Molina Intervertebral Stabilization Devices (version 2022-10-12) considers"))
    }

    /// The replay's `POLICY_NOT_IN_FORCE` names Molina's policy even though the registry edit is primary.
    @Test func molinaReplayNamesThePolicy() throws {
        let codeSets = try shippedCodeSets.get()
        let engine = DecisionEngine(codeSets: codeSets, asOf: try #require(CalendarDate("2022-06-01")))
        let decided = engine.decide(claim("MOLINA", line("22899", "2023-01-10", description: "aprevo")))
        let notInForce = try #require(decided.lines.first?.reasons.last)
        #expect(notInForce.reason == .policyNotInForce)
        #expect(notInForce.citation?.policyID == "molina-intervertebral-stabilization")
        #expect(notInForce.citation?.version == "")
        #expect(decided.lines.first?.citation == nil)
    }

    // MARK: P3 BCBS MN

    static let bcbsmnRows: [DecisionCase] = {
        func row(_ name: String, _ dos: String, _ text: String, asOf: String = "2026-11-23",
                 dx: [String] = ["M80.08XA"], _ expected: ExpectedLine,
                 message: String = "", sourceLocation: SourceLocation = #_sourceLocation) -> DecisionCase {
            DecisionCase(name, claim("BCBSMN", dx: dx, line("22899", dos, description: text)), asOf: asOf, expected,
                         messageContains: [message], sourceLocation: sourceLocation)
        }
        var rows: [DecisionCase] = []
        for text in ["dynamic stabilization", "Soft Stabilization", "flexible stabilization", "Dynesys", "BioFlex",
                     "CD Horizon Agile", "DSS", "Dynabolt", "Isobar", "Satellite Spinal system", "NFix", "Stabilimax",
                     "Zodiak", "DynaMo"] {
            rows.append(row("keyword \(text)", "2025-01-26", text, experimental(.bcbsmn)))
        }
        rows += [
            row("interspinous is not a BCBS MN keyword", "2025-01-26", "interspinous spacer", unlistedReview(.bcbsmn)),
            row("Satellite alone", "2025-01-26", "satellite", unlistedReview(.bcbsmn)),
            row("DOS 2025-01-27, replaced", "2025-01-27", "Dynesys", .notInForce(.bcbsmn),
                message: "BCBS MN Dynamic Spine Stabilization version until-2025-01-27 was replaced for dates of service on or after 2025-01-27; the newer version is not loaded."),
            row("DOS 2025-01-27, other description", "2025-01-27", "other", .notInForce(.bcbsmn)),
            row("open start: DOS 2016", "2016-05-01", "Dynesys", experimental(.bcbsmn)),
            row("no published date: known as of 2000", "1999-06-01", "Dynesys", asOf: "2000-01-01", dx: ["722.52"],
                experimental(.bcbsmn)),
            DecisionCase("BCBS MN has no rule for 22513", claim("BCBSMN", line("22513")), .noEdit),
        ]
        for lob in LineOfBusiness.allCases {
            rows.append(DecisionCase("\(lob.rawValue)", claim("BCBSMN", lob, line("22899", "2024-01-10", description: "Dynesys")),
                                     experimental(.bcbsmn)))
        }
        return rows
    }()

    @Test(arguments: bcbsmnRows)
    func bcbsmn(_ row: DecisionCase) throws { try check(row) }

    // MARK: P4 Cohere

    static let cohereRows: [DecisionCase] = {
        let met = ExpectedLine.criteriaMet(.cohere)
        let contraindicated = deny(["CONTRAINDICATED"], carc: "50", .cohere)
        let review = pend(["MEDICAL_REVIEW"], .cohere)
        let notSupported = deny(["DX_NOT_SUPPORTED"], carc: "11", .cohere)
        let levels = pend(["LEVELS_OVER_LIMIT"], rarc: "N362", .cohere)
        let priorAuth = pend(["PRIOR_AUTH_MISSING"], rarc: "M62", .cohere)
        let dos = "2024-01-10"
        func cohere(lob: LineOfBusiness = .commercial, dx: [String] = ["M80.08XA"], priorAuth: String? = "PA1",
                    _ lines: ServiceLine...) -> Claim {
            buildClaim("COHERE", lob, dx: dx, priorAuth: priorAuth, lines: lines)
        }
        var rows: [DecisionCase] = []
        for code in ["22510", "22511", "22513", "22514", "01941", "01942"] {
            rows.append(DecisionCase("\(code) met", cohere(line(code, dos)), met))
            rows.append(DecisionCase("\(code) not supported", cohere(dx: ["M54.5"], line(code, dos)), notSupported))
        }
        rows.append(DecisionCase("22512 met", cohere(line("22511", dos), line("22512", dos)), met, met))
        rows.append(DecisionCase("22515 met", cohere(line("22514", dos), line("22515", dos)), met, met))
        for dx in ["M80.88XA", "M48.54XA", "M48.56XS", "M84.58XA", "C79.51", "C90.02", "D18.09", "D16.6"] {
            rows.append(DecisionCase("supported by \(dx)", cohere(dx: [dx], line("22513", dos)), met))
        }
        for dx in ["M48.52XA", "M48.50XA", "M84.48XA", "M89.58", "C96.6"] {
            rows.append(DecisionCase("not supported by \(dx)", cohere(dx: [dx], line("22513", dos)), notSupported))
        }
        for dx in ["M46.25", "M46.36", "M46.47", "A41.9", "A40.0", "Z33.1", "O09.90", "O26.891"] {
            rows.append(DecisionCase("absolute contraindication \(dx)",
                                     cohere(dx: ["M80.08XA", dx], line("22513", dos)), contraindicated))
        }
        for dx in ["M54.16", "G95.20", "G99.2", "G83.4", "M53.2X6", "D65", "D66", "D67", "D68.0", "D68.4", "D68.8",
                   "D68.9"] {
            rows.append(DecisionCase("relative contraindication \(dx)",
                                     cohere(dx: ["M80.08XA", dx], line("22513", dos)), review))
        }
        for dx in ["D68.51", "D68.52", "D68.61", "Z33.2", "M46.1", "G83.5"] {
            rows.append(DecisionCase("\(dx) is no contraindication", cohere(dx: ["M80.08XA", dx], line("22513", dos)), met))
        }
        rows += [
            DecisionCase("checks are independent: contraindicated, review, not supported",
                         cohere(dx: ["O09.90", "M54.16"], line("22513", dos)),
                         deny(["CONTRAINDICATED", "MEDICAL_REVIEW", "DX_NOT_SUPPORTED"], carc: "50", .cohere)),
            DecisionCase("contraindication on a diagnosis the line does not point to",
                         cohere(dx: ["M80.08XA", "O09.90"], line("22513", dos, pointers: [1])), met),
            // Far down a long list of diagnoses, a pointer still reaches its own.
            DecisionCase("contraindication on the 64th diagnosis, pointed to",
                         cohere(dx: Array(repeating: "M80.08XA", count: 63) + ["O09.90"],
                                line("22513", dos, pointers: [1, 64])), contraindicated),
            DecisionCase("contraindication on the 70th diagnosis, pointed to",
                         cohere(dx: Array(repeating: "M80.08XA", count: 69) + ["O09.90"],
                                line("22513", dos, pointers: [1, 70])), contraindicated),
            DecisionCase("70 diagnoses, the contraindicated 70th not pointed to",
                         cohere(dx: Array(repeating: "M80.08XA", count: 69) + ["O09.90"],
                                line("22513", dos, pointers: [1, 69])), met),
            // Levels: units summed over 22510-22515, add-on units included.
            DecisionCase("3 levels",
                         cohere(line("22513", dos), line("22515", dos, units: "2")), met, met),
            DecisionCase("4 levels: every covered line pends",
                         cohere(line("22513", dos), line("22515", dos, units: "3")), levels, levels,
                         messageContains: ["4", "4"]),
            DecisionCase("4 levels over both families",
                         cohere(line("22510", dos), line("22512", dos), line("22513", dos), line("22515", dos)),
                         levels, levels, levels, levels),
            DecisionCase("4 levels: the anesthesia line too",
                         cohere(line("22513", dos), line("22515", dos, units: "3"), line("01941", dos)),
                         levels, levels, levels),
            DecisionCase("anesthesia units are no levels",
                         cohere(line("22513", dos), line("22515", dos, units: "2"), line("01941", dos, units: "4")),
                         met, met, met),
            DecisionCase("levels on another DOS do not count",
                         cohere(line("22513", dos), line("22515", dos, units: "2"),
                                line("22514", "2024-01-11"), line("22515", "2024-01-11", units: "2")),
                         met, met, met, met),
            DecisionCase("4 levels and a contraindication",
                         cohere(dx: ["O09.90", "M80.08XA"], line("22513", dos), line("22515", dos, units: "3")),
                         deny(["CONTRAINDICATED", "LEVELS_OVER_LIMIT"], carc: "50", .cohere),
                         deny(["CONTRAINDICATED", "LEVELS_OVER_LIMIT"], carc: "50", .cohere)),
            // Prior authorization.
            DecisionCase("no prior auth", cohere(priorAuth: nil, line("22513", dos)), priorAuth),
            DecisionCase("blank prior auth", cohere(priorAuth: " ", line("22513", dos)), priorAuth),
            DecisionCase("claim-level prior auth covers every line",
                         cohere(priorAuth: "PA9", line("22513", dos), line("22515", dos)), met, met),
            DecisionCase("line-level prior auth covers its line only",
                         cohere(priorAuth: nil, line("22513", dos, priorAuth: "PA7"), line("22515", dos)), met, priorAuth),
            DecisionCase("anesthesia needs prior auth too",
                         cohere(priorAuth: nil, line("01941", dos)), priorAuth),
            DecisionCase("not supported and no prior auth",
                         cohere(dx: ["M54.5"], priorAuth: nil, line("22513", dos)),
                         deny(["DX_NOT_SUPPORTED", "PRIOR_AUTH_MISSING"], carc: "11", .cohere)),
            DecisionCase("Cohere has no rule for 0200T", cohere(line("0200T", dos)), .noEdit),
            // Dates: effective and published 2023-09-29, no earlier history.
            DecisionCase("DOS 2023-09-28", cohere(line("22513", "2023-09-28")), .notInForce(.cohere),
                         messageContains: ["not yet effective"]),
            DecisionCase("DOS 2023-09-29", cohere(line("22513", "2023-09-29")), met),
            DecisionCase("as-of 2023-09-28", cohere(line("22513", "2023-09-28")), asOf: "2023-09-28", .noEdit),
            DecisionCase("as-of 2023-09-29", cohere(line("22513", "2023-09-29")), asOf: "2023-09-29", met),
        ]
        for lob in LineOfBusiness.allCases {
            rows.append(DecisionCase("\(lob.rawValue) met", cohere(lob: lob, line("22514", dos)), met))
        }
        return rows
    }()

    @Test(arguments: cohereRows)
    func cohere(_ row: DecisionCase) throws { try check(row) }

    // MARK: P5 Kaiser Permanente Washington

    static let kpwaRows: [DecisionCase] = {
        let met = ExpectedLine.criteriaMet(.kpwa)
        let lcdNotSupported = deny(["DX_NOT_SUPPORTED"], carc: "11", rarc: "N115", .kpwa)
        let review = pend(["MEDICAL_REVIEW"], .kpwa)
        let levels = pend(["LEVELS_OVER_LIMIT"], rarc: "N362", .kpwa)
        let notNecessary = deny(["NOT_MEDICALLY_NECESSARY"], carc: "50", .kpwa)
        let dos = "2025-12-01"
        let medicareLike: [LineOfBusiness] = [.medicare, .medicareAdvantage]
        let others: [LineOfBusiness] = [.commercial, .medicaid]
        var rows: [DecisionCase] = []
        for lob in LineOfBusiness.allCases {
            let name = lob.rawValue
            for code in ["22510", "22511", "22513", "22514"] {
                rows.append(DecisionCase("\(name) \(code) group 1", claim("KPWA", lob, line(code, dos)), met))
            }
            rows += [
                DecisionCase("\(name) 22512 group 1", claim("KPWA", lob, line("22510", dos), line("22512", dos)), met, met),
                DecisionCase("\(name) group 1 M80.88XS", claim("KPWA", lob, dx: ["M80.88XS"], line("22513", dos)), met),
                DecisionCase("\(name) group 2 pair",
                             claim("KPWA", lob, dx: ["C79.51", "M84.58XA"], line("22513", dos)), met),
                DecisionCase("\(name) group 2 pair, pointed",
                             claim("KPWA", lob, dx: ["M54.5", "C90.02", "M84.58XS"], line("22513", dos, pointers: [2, 3])),
                             met),
                DecisionCase("\(name) 0200T", claim("KPWA", lob, line("0200T", dos)), notNecessary),
                DecisionCase("\(name) 0201T", claim("KPWA", lob, line("0201T", dos)), notNecessary),
                DecisionCase("\(name) absolute contraindication",
                             claim("KPWA", lob, dx: ["M80.08XA", "A41.9"], line("22513", dos)),
                             deny(["CONTRAINDICATED"], carc: "50", rarc: "N115", .kpwa)),
                DecisionCase("\(name) relative contraindication",
                             claim("KPWA", lob, dx: ["M80.08XA", "G99.2"], line("22513", dos)), review),
                DecisionCase("\(name) 4 levels",
                             claim("KPWA", lob, line("22513", dos), line("22515", dos, units: "3")), levels, levels),
                DecisionCase("\(name) 4 levels with myeloma on the line",
                             claim("KPWA", lob, dx: ["C90.00", "M84.58XA"], line("22513", dos),
                                   line("22515", dos, units: "3")), met, met),
                DecisionCase("\(name) myeloma on the claim, not on the lines",
                             claim("KPWA", lob, dx: ["C90.00", "M84.58XA", "M80.08XA"], line("22513", dos, pointers: [3]),
                                   line("22515", dos, units: "3", pointers: [3])), levels, levels),
                DecisionCase("\(name) myeloma on one line only",
                             claim("KPWA", lob, dx: ["C90.00", "M84.58XA", "M80.08XA"], line("22513", dos, pointers: [3]),
                                   line("22515", dos, units: "3")), levels, met),
                DecisionCase("\(name) no prior auth needed", claim("KPWA", lob, priorAuth: nil, line("22513", dos)), met),
                DecisionCase("\(name) 01941 has no KPWA rule", claim("KPWA", lob, line("01941", dos)), .noEdit),
                DecisionCase("\(name) M80.08XD is in no list",
                             claim("KPWA", lob, dx: ["M80.08XD"], line("22513", dos)), lcdNotSupported),
            ]
        }
        for lob in medicareLike {
            let name = lob.rawValue
            rows += [
                DecisionCase("\(name) other pathologic fracture: not supported",
                             claim("KPWA", lob, dx: ["M84.48XA"], line("22513", dos)), lcdNotSupported),
                DecisionCase("\(name) group 2 neoplasm alone",
                             claim("KPWA", lob, dx: ["C79.51"], line("22513", dos)), lcdNotSupported),
                DecisionCase("\(name) group 2 fracture alone",
                             claim("KPWA", lob, dx: ["M84.58XA"], line("22513", dos)), lcdNotSupported),
                DecisionCase("\(name) group 2 pair split over lines",
                             claim("KPWA", lob, dx: ["C79.51", "M84.58XA"], line("22513", dos, pointers: [1]),
                                   line("22515", dos, pointers: [2])), lcdNotSupported, lcdNotSupported),
                DecisionCase("\(name) collapsed vertebra: not supported",
                             claim("KPWA", lob, dx: ["M48.56XA"], line("22513", dos)), lcdNotSupported),
                DecisionCase("\(name) device rule does not apply",
                             claim("KPWA", lob, placeOfService: "24", line("22513", dos), line("C1062", dos)),
                             met, .noEdit),
                DecisionCase("\(name) C1062 alone", claim("KPWA", lob, placeOfService: "24", line("C1062", dos)), .noEdit),
            ]
        }
        for lob in others {
            let name = lob.rawValue
            rows += [
                DecisionCase("\(name) other pathologic fracture: fallback review",
                             claim("KPWA", lob, dx: ["M84.48XA"], line("22513", dos)), review),
                DecisionCase("\(name) M84.68 fallback review",
                             claim("KPWA", lob, dx: ["M84.68XA"], line("22511", dos)), review),
                DecisionCase("\(name) group 2 neoplasm alone: fallback review",
                             claim("KPWA", lob, dx: ["C79.51"], line("22513", dos)), review),
                DecisionCase("\(name) group 2 fracture alone: not supported",
                             claim("KPWA", lob, dx: ["M84.58XA"], line("22513", dos)), lcdNotSupported),
                DecisionCase("\(name) collapsed vertebra: fallback review",
                             claim("KPWA", lob, dx: ["M48.56XA"], line("22513", dos)), review),
                DecisionCase("\(name) fallback only when nothing supports",
                             claim("KPWA", lob, dx: ["M80.08XA", "M84.48XA"], line("22513", dos)), met),
                DecisionCase("\(name) C1062 with 22513: both lines not covered",
                             claim("KPWA", lob, placeOfService: "24", line("22513", dos), line("C1062", dos)),
                             notNecessary, notNecessary),
                DecisionCase("\(name) C1062 with 22514 and 22515, institutional",
                             claim("KPWA", lob, type: .institutional, line("22514", dos), line("22515", dos),
                                   line("C1062", dos)),
                             notNecessary, notNecessary, notNecessary),
                DecisionCase("\(name) C1062 on another DOS",
                             claim("KPWA", lob, placeOfService: "24", line("22513", dos), line("C1062", "2025-12-02")),
                             met, met),
                DecisionCase("\(name) C1062 with 22510: no device rule",
                             claim("KPWA", lob, placeOfService: "24", line("22510", dos), line("C1062", dos)), met, met),
                DecisionCase("\(name) C1062 alone", claim("KPWA", lob, placeOfService: "24", line("C1062", dos)), met),
                DecisionCase("\(name) device and not supported",
                             claim("KPWA", lob, placeOfService: "24", dx: ["M54.5"], line("22513", dos), line("C1062", dos)),
                             deny(["DX_NOT_SUPPORTED", "NOT_MEDICALLY_NECESSARY"], carc: "11", rarc: "N115", .kpwa),
                             notNecessary),
            ]
        }
        rows += [
            DecisionCase("DOS 2025-11-24", claim("KPWA", line("22513", "2025-11-24")), .notInForce(.kpwa),
                         messageContains: ["No version of KPWA Vertebroplasty and Kyphoplasty is loaded for dates of service before 2025-11-25; earlier versions are not in these code sets."]),
            DecisionCase("DOS 2025-11-25", claim("KPWA", line("22513", "2025-11-25")), met),
            DecisionCase("0200T DOS 2025-11-24", claim("KPWA", line("0200T", "2025-11-24")), .notInForce(.kpwa)),
            DecisionCase("as-of 2025-11-24", claim("KPWA", line("22513", "2025-11-24")), asOf: "2025-11-24", .noEdit),
            DecisionCase("as-of 2025-11-25", claim("KPWA", line("22513", "2025-11-25")), asOf: "2025-11-25", met),
        ]
        return rows
    }()

    @Test(arguments: kpwaRows)
    func kpwa(_ row: DecisionCase) throws { try check(row) }

    // MARK: P6 Medicare LCD L34228, Noridian

    static let noridianRows: [DecisionCase] = {
        let met = ExpectedLine.criteriaMet(.lcd)
        let notSupported = deny(["DX_NOT_SUPPORTED"], carc: "11", rarc: "N115", .lcd)
        let levels = pend(["LEVELS_OVER_LIMIT"], rarc: "N362", .lcd)
        let dos = "2024-03-01"
        var rows: [DecisionCase] = []
        for code in ["22510", "22511", "22513", "22514"] {
            rows.append(DecisionCase("medicare \(code)", claim("NORIDIAN", .medicare, line(code, dos)), met))
            rows.append(DecisionCase("medicare \(code) not supported",
                                     claim("NORIDIAN", .medicare, dx: ["M84.48XA"], line(code, dos)), notSupported))
        }
        for lob in [LineOfBusiness.commercial, .medicareAdvantage, .medicaid] {
            rows.append(DecisionCase("\(lob.rawValue) 22513", claim("NORIDIAN", lob, line("22513", dos)), .noEdit))
            rows.append(DecisionCase("\(lob.rawValue) 22513 before 2021-01-10",
                                     claim("NORIDIAN", lob, line("22513", "2021-01-09")), .noEdit))
        }
        rows += [
            DecisionCase("medicare 22512", claim("NORIDIAN", .medicare, line("22510", dos), line("22512", dos)), met, met),
            DecisionCase("medicare group 2 pair",
                         claim("NORIDIAN", .medicare, dx: ["C41.2", "M84.58XS"], line("22513", dos)), met),
            DecisionCase("medicare group 2 neoplasm alone",
                         claim("NORIDIAN", .medicare, dx: ["C41.2"], line("22513", dos)), notSupported),
            DecisionCase("medicare M80.08XG is in no group",
                         claim("NORIDIAN", .medicare, dx: ["M80.08XG"], line("22513", dos)), notSupported),
            DecisionCase("medicare pregnancy",
                         claim("NORIDIAN", .medicare, dx: ["M80.08XA", "O99.89"], line("22513", dos)),
                         deny(["CONTRAINDICATED"], carc: "50", rarc: "N115", .lcd)),
            DecisionCase("medicare cauda equina",
                         claim("NORIDIAN", .medicare, dx: ["M80.08XA", "G83.4"], line("22513", dos)),
                         pend(["MEDICAL_REVIEW"], .lcd)),
            DecisionCase("medicare 4 levels",
                         claim("NORIDIAN", .medicare, line("22510", dos), line("22512", dos, units: "3")), levels, levels),
            DecisionCase("medicare 4 levels with myeloma",
                         claim("NORIDIAN", .medicare, dx: ["C90.02", "M84.58XA"], line("22510", dos),
                               line("22512", dos, units: "3")), met, met),
            DecisionCase("medicare 0200T: no LCD rule", claim("NORIDIAN", .medicare, line("0200T", dos)), .noEdit),
            DecisionCase("medicare C1062: no LCD rule",
                         claim("NORIDIAN", .medicare, type: .institutional, line("C1062", dos)), .noEdit),
            DecisionCase("medicare DOS 2021-01-09", claim("NORIDIAN", .medicare, line("22513", "2021-01-09")),
                         .notInForce(.lcd), messageContains: ["loaded"]),
            DecisionCase("medicare DOS 2021-01-10", claim("NORIDIAN", .medicare, line("22513", "2021-01-10")), met),
            DecisionCase("medicare as-of 2021-01-09",
                         claim("NORIDIAN", .medicare, line("22513", "2021-01-09")), asOf: "2021-01-09", .noEdit),
            DecisionCase("medicare DOS 2015-06-01 (ICD-9)",
                         claim("NORIDIAN", .medicare, dx: ["733.13"], line("22513", "2015-06-01")), .notInForce(.lcd)),
        ]
        return rows
    }()

    @Test(arguments: noridianRows)
    func noridian(_ row: DecisionCase) throws { try check(row) }
}
