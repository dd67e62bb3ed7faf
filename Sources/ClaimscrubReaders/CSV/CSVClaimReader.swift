public import ClaimscrubCore

/// Reads the canonical CSV layout (inputs.md, "CSV"): one row per service line, rows of
/// one claim consecutive, columns found by header name.
public struct CSVClaimReader: ClaimReader {
    private var scanner: CSVRecordScanner
    private let displayPath: String
    private let mapping: CSVColumnMapping
    /// Canonical column -> indexes of the header columns it is read from.
    private var columns: [ClaimField: [Int]] = [:]
    private var headerWidth = 0
    private var started = false
    private var finished = false
    private var current: PendingClaim?
    private var pending: [ReadItem] = []

    public init(source: ByteSource, displayPath: String, mapping: CSVColumnMapping = CSVColumnMapping()) {
        scanner = CSVRecordScanner(source: source)
        self.displayPath = displayPath
        self.mapping = mapping
    }

    public mutating func next() throws(InputError) -> ReadItem? {
        while pending.isEmpty {
            if finished { return nil }
            try step()
        }
        return pending.removeFirst()
    }

    private mutating func step() throws(InputError) {
        if !started {
            started = true
            try scanner.skipByteOrderMark()
            try readHeader()
            return
        }
        guard let record = try scanner.next() else {
            flushClaim()
            finished = true
            return
        }
        switch record {
        case .tooLong(let line):
            pending.append(.reject(Reject(
                source: "\(displayPath):\(line)", kind: .csvRow,
                message: "The row is longer than 1 MiB; it was skipped and reading resumed at the next line."
            )))
        case .openQuote(let line):
            pending.append(.reject(Reject(
                source: "\(displayPath):\(line)", kind: .csvRow,
                message: "A quoted field is still open at the end of the file; the row was skipped and reading resumed at the next line."
            )))
        case .fields(let fields, let line):
            row(fields, line: line)
        }
    }

    private mutating func readHeader() throws(InputError) {
        guard let record = try scanner.next() else {
            finished = true
            pending.append(.reject(Reject(
                source: "\(displayPath):1", kind: .csvFile, message: "The file is empty: there is no header row."
            )))
            return
        }
        let fields: [[UInt8]]
        let line: Int
        switch record {
        case .fields(let headerFields, let headerLine):
            fields = headerFields
            line = headerLine
        case .tooLong(let headerLine), .openQuote(let headerLine):
            finished = true
            pending.append(.reject(Reject(
                source: "\(displayPath):\(headerLine)", kind: .csvFile, message: "The header row cannot be read."
            )))
            return
        }
        var byName: [String: Int] = [:]
        for (index, field) in fields.enumerated() {
            let name = normalizedHeader(field)
            if byName[name] == nil { byName[name] = index }
        }
        headerWidth = fields.count
        var missing: [String] = []
        for field in ClaimField.allCases where field != .record {
            let indexes = mapping.names(for: field).compactMap { byName[normalizedHeader(Array($0.utf8))] }
            if !indexes.isEmpty {
                columns[field] = indexes
            } else if CSVColumnMapping.required.contains(field) {
                missing.append(mapping.names(for: field).joined(separator: " or "))
            }
        }
        if !missing.isEmpty {
            finished = true
            let names = missing.joined(separator: ", ")
            pending.append(.reject(Reject(
                source: "\(displayPath):\(line)", kind: .csvFile,
                message: "The header lacks the required column\(missing.count > 1 ? "s" : "") \(names); the file was not read."
            )))
        }
    }

    // MARK: - Rows

    private mutating func row(_ fields: [[UInt8]], line: Int) {
        let source = "\(displayPath):\(line)"
        let values = RowValues(fields: fields, columns: columns)
        let claimID = values[.claimID]
        if claimID.isEmpty {
            pending.append(.reject(Reject(
                source: source, kind: .csvRow, message: "The row has no claim_id, so it cannot be attributed to a claim."
            )))
            return
        }
        var problems: [DataProblem] = []
        if fields.count > headerWidth, fields[headerWidth...].contains(where: { !trimmedBytes($0).isEmpty }) {
            problems.append(DataProblem(.record, .extraFields))
        }

        if current?.claim.id != claimID {
            flushClaim()
            current = PendingClaim(claim: claimFromFirstRow(values, id: claimID), first: ClaimLevelValues(values))
        } else if let first = current?.first {
            problems += first.conflicts(with: ClaimLevelValues(values))
        }
        guard current!.claim.lines.count < 999 else {
            pending.append(.reject(Reject(
                source: source, kind: .claim,
                message: "The claim already has 999 service lines, the most a claim may have; this row was not scrubbed."
            )))
            return
        }
        current!.claim.lines.append(serviceLine(values, source: source, problems: problems))
    }

    private mutating func flushClaim() {
        if let claim = current?.claim { pending.append(.claim(claim)) }
        current = nil
    }

    private func claimFromFirstRow(_ values: RowValues, id: String) -> Claim {
        var problems: [DataProblem] = []
        let typeText = values[.claimType]
        var claimType: ClaimType? = .professional
        if !typeText.isEmpty {
            claimType = ClaimType(code: typeText)
            if claimType == nil { problems.append(DataProblem(.claimType, .invalid)) }
        }
        let lobText = values[.lineOfBusiness]
        let lob = LineOfBusiness(code: lobText)
        if lob == nil { problems.append(DataProblem(.lineOfBusiness, .invalid)) }
        let birthText = values[.patientBirthDate]
        var birthDate: CalendarDate?
        if !birthText.isEmpty {
            birthDate = CalendarDate(birthText)
            if birthDate == nil { problems.append(DataProblem(.patientBirthDate, .invalid)) }
        }
        let sex = values[.patientSex].uppercased()
        if !sex.isEmpty && !["F", "M", "U"].contains(sex) { problems.append(DataProblem(.patientSex, .invalid)) }
        return Claim(
            id: id,
            claimType: claimType,
            claimTypeText: claimType?.rawValue ?? typeText,
            payerID: values[.payerID],
            lineOfBusiness: lob,
            lineOfBusinessText: lob?.rawValue ?? lobText,
            memberID: nonEmpty(values[.memberID]),
            patientBirthDate: birthDate,
            patientSex: nonEmpty(sex),
            placeOfService: nonEmpty(values[.placeOfService]),
            typeOfBill: nonEmpty(normalizedTypeOfBill(values[.typeOfBill])),
            diagnoses: splitList(values[.diagnosisCodes]).map { Diagnosis(code: $0.uppercased()) },
            problems: problems
        )
    }

    private func serviceLine(_ values: RowValues, source: String, problems initial: [DataProblem]) -> ServiceLine {
        var problems = initial
        let numberText = values[.lineNumber]
        let number = positiveInteger(numberText)
        if numberText.isEmpty {
            problems.append(DataProblem(.lineNumber, .missing))
        } else if number == nil {
            problems.append(DataProblem(.lineNumber, .invalid))
        }
        let modifiers = splitList(values[.modifiers]).map { $0.uppercased() }
        if modifiers.count > 4 || modifiers.contains(where: { $0.utf8.count != 2 }) {
            problems.append(DataProblem(.modifiers, .invalid))
        }
        let unitsText = values[.units]
        var units: Units? = .one
        if !unitsText.isEmpty {
            units = Units(unitsText).flatMap { $0.millionths > 0 ? $0 : nil }
            if units == nil { problems.append(DataProblem(.units, .invalid)) }
        }
        let charge = values[.charge]
        if !charge.isEmpty && parseDecimalMillionths(charge) == nil { problems.append(DataProblem(.charge, .invalid)) }
        let dateText = values[.serviceDate]
        let date = CalendarDate(dateText)
        if !dateText.isEmpty && date == nil { problems.append(DataProblem(.serviceDate, .invalid)) }
        let throughText = values[.serviceDateTo]
        var through: CalendarDate?
        if !throughText.isEmpty {
            through = CalendarDate(throughText)
            if through == nil { problems.append(DataProblem(.serviceDateTo, .invalid)) }
        }
        var pointers: [Int]?
        let pointerText = values[.diagnosisPointers]
        if !pointerText.isEmpty {
            let parsed = splitList(pointerText).map(positiveInteger)
            if parsed.contains(where: { $0 == nil }) {
                problems.append(DataProblem(.diagnosisPointers, .invalid))
            } else {
                pointers = parsed.compactMap { $0 }
            }
        }
        return ServiceLine(
            source: source,
            lineNumberText: numberText,
            lineNumber: number,
            procedureCode: values[.procedureCode].uppercased(),
            modifiers: modifiers,
            units: units,
            unitsText: unitsText.isEmpty ? "1" : unitsText,
            dateOfService: date,
            dateOfServiceText: dateText,
            dateOfServiceThrough: through,
            diagnosisPointers: pointers,
            procedureDescription: nonEmpty(values[.procedureDescription]),
            revenueCode: nonEmpty(values[.revenueCode]),
            priorAuth: nonEmpty(values[.priorAuth]),
            problems: problems
        )
    }
}

/// A claim being gathered from consecutive rows, with its first row's claim-level values.
private struct PendingClaim {
    var claim: Claim
    var first: ClaimLevelValues
}

/// One row's cells by canonical column, trimmed; bytes that are not UTF-8 become U+FFFD.
private struct RowValues {
    private var values: [ClaimField: String] = [:]

    init(fields: [[UInt8]], columns: [ClaimField: [Int]]) {
        for (field, indexes) in columns {
            if indexes.count == 1 {
                let index = indexes[0]
                values[field] = index < fields.count ? decode(trimmedBytes(fields[index])) : ""
            } else {
                // Several headers for one column (`--csv-columns`): non-blank values joined in order.
                values[field] = indexes.compactMap { index -> String? in
                    guard index < fields.count else { return nil }
                    let text = decode(trimmedBytes(fields[index]))
                    return text.isEmpty ? nil : text
                }.joined(separator: "|")
            }
        }
    }

    subscript(field: ClaimField) -> String { values[field] ?? "" }
}

/// The claim-level cells of a row, normalised for comparison with the claim's first row.
private struct ClaimLevelValues {
    /// Normalised value, and whether the cell was blank (a blank later cell inherits).
    var cells: [(field: ClaimField, value: String, blank: Bool)]

    init(_ values: RowValues) {
        func normalized(_ field: ClaimField) -> String {
            let text = values[field]
            guard !text.isEmpty else {
                // A blank first-row cell stands for the default, which a later row may spell out.
                switch field {
                case .claimType: return ClaimType.professional.rawValue
                case .lineOfBusiness: return LineOfBusiness.commercial.rawValue
                default: return ""
                }
            }
            switch field {
            case .claimType: return ClaimType(code: text)?.rawValue ?? text.uppercased()
            case .lineOfBusiness: return LineOfBusiness(code: text)?.rawValue ?? text.uppercased()
            case .payerID, .patientSex: return text.uppercased()
            case .patientBirthDate: return CalendarDate(text)?.description ?? text
            case .typeOfBill: return normalizedTypeOfBill(text)
            case .diagnosisCodes:
                return splitList(text).map { Diagnosis(code: $0.uppercased()).key }.joined(separator: "|")
            default: return text
            }
        }
        cells = [ClaimField.claimType, .payerID, .lineOfBusiness, .memberID, .patientBirthDate, .patientSex,
                 .placeOfService, .typeOfBill, .diagnosisCodes].map { ($0, normalized($0), values[$0].isEmpty) }
    }

    /// A later row's non-blank claim-level cells that differ from the first row's.
    func conflicts(with later: ClaimLevelValues) -> [DataProblem] {
        zip(cells, later.cells).compactMap { first, other in
            other.blank || other.value == first.value ? nil : DataProblem(first.field, .conflictsWithClaim)
        }
    }
}

private func normalizedHeader(_ bytes: [UInt8]) -> String {
    var text = decode(trimmedBytes(bytes)).lowercased()
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    return text
}

private func decode(_ bytes: ArraySlice<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
}

func trimmedBytes(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
    var lower = 0
    var upper = bytes.count
    while lower < upper, bytes[lower] == 0x20 || bytes[lower] == 0x09 { lower += 1 }
    while upper > lower, bytes[upper - 1] == 0x20 || bytes[upper - 1] == 0x09 { upper -= 1 }
    return bytes[lower..<upper]
}

private func splitList(_ text: String) -> [String] {
    text.split(separator: "|", omittingEmptySubsequences: false)
        .map { String($0).trimmingSpaces() }
        .filter { !$0.isEmpty }
}

private func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

private func positiveInteger(_ text: String) -> Int? {
    guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
          let value = Int(text), value > 0 else { return nil }
    return value
}

/// `131` -> `0131`; other values as given (the engine checks the shape).
func normalizedTypeOfBill(_ text: String) -> String {
    text.utf8.count == 3 && text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) ? "0" + text : text
}

extension String {
    func trimmingSpaces() -> String {
        String(decoding: trimmedBytes(Array(utf8)), as: UTF8.self)
    }
}
