public import ClaimscrubCore

/// Which header names feed which canonical column (`--csv-columns`); by default each
/// canonical column is read from the header of the same name.
public struct CSVColumnMapping: Sendable {
    /// Canonical column -> the user's header names (several only for `diagnosis_codes`,
    /// whose non-blank values are joined in order).
    public var headers: [ClaimField: [String]]

    public init(headers: [ClaimField: [String]] = [:]) {
        self.headers = headers
    }

    /// Columns a file must have (inputs.md, "CSV").
    public static let required: [ClaimField] = [
        .claimID, .lineNumber, .payerID, .diagnosisCodes, .procedureCode, .serviceDate,
    ]

    /// The header names read for `field`; an empty list falls back to the canonical name, so
    /// that a missing-column message always names something.
    func names(for field: ClaimField) -> [String] {
        guard let names = headers[field], !names.isEmpty else { return [field.rawValue] }
        return names
    }
}
