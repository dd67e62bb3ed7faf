import ClaimscrubCore

/// Streams generated claims to a file in the canonical CSV layout (inputs.md), one row per line.
///
/// Claim-level values are repeated on every row of a claim, and a claim-level prior
/// authorization is written on every row, because a CSV `prior_auth` covers only its own row.
public struct CSVBatchWriter {
    /// The canonical header, 21 columns.
    public static let header = "claim_id,line_number,claim_type,payer_id,line_of_business,member_id,"
        + "patient_birth_date,patient_sex,place_of_service,type_of_bill,diagnosis_codes,"
        + "diagnosis_pointers,procedure_code,modifiers,units,charge,service_date,service_date_to,"
        + "prior_auth,procedure_description,revenue_code"

    private let output: BatchOutputFile

    /// Creates (or replaces) the file at `path` and writes the header row.
    public init(path: String) throws(BatchWriteError) {
        output = try BatchOutputFile(path: path)
        output.append(Self.header)
        output.append(byte: 0x0A)
    }

    public mutating func write(_ claim: GeneratedClaim) throws(BatchWriteError) {
        let out = output
        let diagnoses = claim.diagnoses.joined(separator: "|")
        for line in claim.lines {
            field(claim.claimID, first: true)
            field(String(line.lineNumber))
            field(claim.kind.csvValue)
            field(claim.payerID)
            field(claim.lineOfBusiness)
            field(claim.memberID)
            field(claim.birthDate.description)
            field(claim.sex)
            field(claim.placeOfService ?? "")
            field(claim.typeOfBill ?? "")
            field(diagnoses)
            field(line.diagnosisPointers.map(String.init).joined(separator: "|"))
            field(line.procedureCode)
            field(line.modifiers.joined(separator: "|"))
            field(String(line.units))
            field(BatchText.amount(line.chargeCents))
            field(line.serviceDate.description)
            field(line.serviceDateTo?.description ?? "")
            field(line.priorAuth ?? claim.priorAuth ?? "")
            field(line.procedureDescription ?? "")
            field(line.revenueCode ?? "")
            out.append(byte: 0x0A)
        }
        try out.flushIfFull()
    }

    /// Flushes and closes the file.
    public mutating func finish() throws(BatchWriteError) {
        try output.close()
    }

    /// RFC 4180: quote a field holding a comma, quote or line break, doubling quotes.
    private func field(_ value: String, first: Bool = false) {
        if !first { output.append(byte: UInt8(ascii: ",")) }
        let needsQuotes = value.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            output.append(value)
            return
        }
        output.append(byte: UInt8(ascii: "\""))
        for byte in value.utf8 {
            if byte == UInt8(ascii: "\"") { output.append(byte: byte) }
            output.append(byte: byte)
        }
        output.append(byte: UInt8(ascii: "\""))
    }
}
