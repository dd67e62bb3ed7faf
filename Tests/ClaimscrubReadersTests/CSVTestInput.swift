import ClaimscrubCore
import ClaimscrubReaders
import Foundation
import TestSupport

/// What one CSV file read to: every item in order, and the claims and rejects apart.
struct CSVOutcome {
    var items: [ReadItem] = []

    var claims: [Claim] {
        items.compactMap { if case .claim(let claim) = $0 { claim } else { nil } }
    }

    var rejects: [Reject] {
        items.compactMap { if case .reject(let reject) = $0 { reject } else { nil } }
    }

    /// Every service line of every claim, in order.
    var lines: [ServiceLine] { claims.flatMap(\.lines) }
}

/// Builds and reads CSV inputs for the reader tests.
enum CSVInput {
    /// Every canonical column, in the order of inputs.md.
    static let columns: [ClaimField] = [
        .claimID, .lineNumber, .claimType, .payerID, .lineOfBusiness, .memberID, .patientBirthDate, .patientSex,
        .placeOfService, .typeOfBill, .diagnosisCodes, .diagnosisPointers, .procedureCode, .modifiers, .units,
        .charge, .serviceDate, .serviceDateTo, .priorAuth, .procedureDescription, .revenueCode,
    ]

    static let header = columns.map(\.rawValue).joined(separator: ",")

    /// A row of the canonical layout: a valid professional line unless `values` says otherwise
    /// (`""` blanks a cell); cells holding commas, quotes or line ends are quoted.
    static func row(_ values: [ClaimField: String] = [:]) -> String {
        let defaults: [ClaimField: String] = [
            .claimID: "C1", .lineNumber: "1", .payerID: "PAYER01", .diagnosisCodes: "R51",
            .procedureCode: "99213", .serviceDate: "2024-05-01",
        ]
        return columns.map { field in
            quoted(values[field] ?? defaults[field] ?? "")
        }.joined(separator: ",")
    }

    static func quoted(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The canonical header and `rows`, LF line ends.
    static func file(_ rows: [String]) -> String {
        ([header] + rows).map { $0 + "\n" }.joined()
    }

    static func read(_ text: String, mapping: CSVColumnMapping = CSVColumnMapping()) throws -> CSVOutcome {
        try read(bytes: Array(text.utf8), mapping: mapping)
    }

    static func read(bytes: [UInt8], mapping: CSVColumnMapping = CSVColumnMapping()) throws -> CSVOutcome {
        let path = try write(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try read(path: path, displayPath: "batch.csv", mapping: mapping)
    }

    static func read(
        path: String, displayPath: String, mapping: CSVColumnMapping = CSVColumnMapping()
    ) throws -> CSVOutcome {
        var reader = CSVClaimReader(source: try ByteSource(path: path), displayPath: displayPath, mapping: mapping)
        var outcome = CSVOutcome()
        while let item = try reader.next() {
            outcome.items.append(item)
        }
        return outcome
    }

    /// Reads `Fixtures/csv/NAME`, reported under its bare name.
    static func readFixture(_ name: String, mapping: CSVColumnMapping = CSVColumnMapping()) throws -> CSVOutcome {
        try read(path: fixturePath(name), displayPath: name, mapping: mapping)
    }

    static func fixturePath(_ name: String) -> String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/csv/\(name)").path
    }

    /// A new file in the temporary directory holding `bytes`.
    static func write(_ bytes: [UInt8]) throws -> String {
        try scratchFile("case.csv", bytes)
    }
}
