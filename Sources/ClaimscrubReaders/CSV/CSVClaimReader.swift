public import ClaimscrubCore

/// Reads the canonical CSV layout (inputs.md, "CSV"): one row per service line, rows of
/// one claim consecutive, columns found by header name.
public struct CSVClaimReader: ClaimReader, BuildingClaimReader {
    private var scanner: CSVRecordScanner
    private let displayPath: String
    private let mapping: CSVColumnMapping
    /// Canonical column -> indexes of the header columns it is read from.
    private var columns: [(field: ClaimField, indexes: [Int])] = []
    /// Made once, when the header is read; every claim of the file shares it.
    private var layout = CSVLayout(displayPath: "", slots: [], headerWidth: 0)
    private var headerWidth = 0
    private var started = false
    private var finished = false
    /// Rows of the claim being gathered; they become a `Claim` only in `CSVClaimRows.build`,
    /// which the pipeline runs on its deciding threads.
    private var current: CSVClaimRows?
    private var currentID: ArraySlice<UInt8> = []
    private var pending: [DeferredRead] = []
    var built = BuiltItems()
    private var claimIDColumns: [Int] = []

    public init(source: ByteSource, displayPath: String, mapping: CSVColumnMapping = CSVColumnMapping()) {
        scanner = CSVRecordScanner(source: source)
        self.displayPath = displayPath
        self.mapping = mapping
    }

    public mutating func next() throws(InputError) -> ReadItem? {
        try nextBuilt()
    }

    /// A claim comes as its raw rows (`CSVClaimRows`).
    public mutating func nextDeferred() throws(InputError) -> DeferredRead? {
        while pending.isEmpty {
            if finished { return nil }
            try step()
        }
        // Nearly always the one item: `removeLast` moves it out, where `removeFirst` copies
        // it (retaining the claim's rows once more) before closing the gap.
        return pending.count == 1 ? pending.removeLast() : pending.removeFirst()
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
            pending.append(rejected(Reject(
                source: "\(displayPath):\(line)", kind: .csvRow,
                message: "The row is longer than 1 MiB; it was skipped and reading resumed at the next line."
            )))
        case .openQuote(let line):
            pending.append(rejected(Reject(
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
            pending.append(rejected(Reject(
                source: "\(displayPath):1", kind: .csvFile, message: "The file is empty: there is no header row."
            )))
            return
        }
        let fields: CSVRecord
        let line: Int
        switch record {
        case .fields(let headerFields, let headerLine):
            fields = headerFields
            line = headerLine
        case .tooLong(let headerLine), .openQuote(let headerLine):
            finished = true
            pending.append(rejected(Reject(
                source: "\(displayPath):\(headerLine)", kind: .csvFile, message: "The header row cannot be read."
            )))
            return
        }
        var byName: [String: Int] = [:]
        for (index, field) in fields.enumerated() {
            let name = normalizedHeader(Array(field))
            if byName[name] == nil { byName[name] = index }
        }
        headerWidth = fields.count
        var missing: [String] = []
        for field in ClaimField.allCases where field != .record {
            let indexes = mapping.names(for: field).compactMap { byName[normalizedHeader(Array($0.utf8))] }
            if !indexes.isEmpty {
                columns.append((field, indexes))
                if field == .claimID { claimIDColumns = indexes }
            } else if CSVColumnMapping.required.contains(field) {
                missing.append(mapping.names(for: field).joined(separator: " or "))
            }
        }
        layout = CSVLayout(displayPath: displayPath, slots: CSVLayout.slots(columns), headerWidth: headerWidth)
        if !missing.isEmpty {
            finished = true
            let names = missing.joined(separator: ", ")
            pending.append(rejected(Reject(
                source: "\(displayPath):\(line)", kind: .csvFile,
                message: "The header lacks the required column\(missing.count > 1 ? "s" : "") \(names); the file was not read."
            )))
        }
    }

    // MARK: - Rows

    private mutating func row(_ fields: CSVRecord, line: Int) {
        let claimID = claimIDBytes(fields)
        if claimID.isEmpty {
            pending.append(rejected(Reject(
                source: "\(displayPath):\(line)", kind: .csvRow,
                message: "The row has no claim_id, so it cannot be attributed to a claim."
            )))
            return
        }
        if current == nil || claimID != currentID {
            flushClaim()
            current = CSVClaimRows(layout: layout)
            // Most claims have a few lines: one allocation for them, not one per doubling.
            current!.rows.reserveCapacity(4)
            currentID = claimID
        }
        guard current!.rows.count < maximumServiceLines else {
            pending.append(rejected(Reject(
                source: "\(displayPath):\(line)", kind: .claim,
                message: "The claim already has \(maximumServiceLines) service lines, the most a claim may have; this row was not scrubbed."
            )))
            return
        }
        current!.rows.append(CSVClaimRows.Row(fields: fields, line: line))
    }

    private func rejected(_ reject: Reject) -> DeferredRead { .item(.reject(reject)) }

    /// The claim id cell, trimmed, as bytes: grouping compares bytes, not Strings.
    private func claimIDBytes(_ fields: CSVRecord) -> ArraySlice<UInt8> {
        if claimIDColumns.count == 1 {
            let index = claimIDColumns[0]
            return index < fields.count ? trimmedBytes(fields[index]) : []
        }
        return Array(fields.withFields { RowValues(fields: $0, layout: layout)[.claimID] }.utf8)[...]
    }



    private mutating func flushClaim() {
        if let rows = current { pending.append(.claimRows(rows)) }
        current = nil
    }

}

/// How a file's columns are laid out, shared by the claims read from it. A class: every
/// claim and every row read holds it, and one reference is one retain where the path and
/// the two arrays were three. Sendable by hand: `singleColumns` is written only while the
/// layout is made.
final class CSVLayout: @unchecked Sendable {
    let displayPath: String
    /// By `ClaimField.slot`: the header columns the field is read from (empty: not in the file).
    let slots: [[Int]]
    let headerWidth: Int
    /// By slot: the one header column the field is read from, or -1 (none, or several).
    /// Most fields have one; reading it needs no array of indexes. Memory of the layout's
    /// own, written once here: a row's values read it by pointer, not through an array
    /// that would be retained and released for each row.
    let singleColumns: UnsafePointer<Int>
    /// The columns from the first to the last of the claim-level fields, when each has one
    /// column (`ClaimLevelValues`): side by side in the canonical header, so that a later
    /// row repeating them all is told by one comparison.
    let claimLevelSpan: ClosedRange<Int>?

    init(displayPath: String, slots: [[Int]], headerWidth: Int) {
        self.displayPath = displayPath
        self.slots = slots
        self.headerWidth = headerWidth
        let columns = UnsafeMutablePointer<Int>.allocate(capacity: ClaimField.slotCount)
        columns.initialize(repeating: -1, count: ClaimField.slotCount)
        for (slot, indexes) in slots.prefix(ClaimField.slotCount).enumerated() where indexes.count == 1 {
            columns[slot] = indexes[0]
        }
        singleColumns = UnsafePointer(columns)
        let claimLevel = ClaimLevelValues.fields.map { columns[$0.slot] }
        claimLevelSpan = claimLevel.contains(-1) ? nil : claimLevel.min()!...claimLevel.max()!
    }

    deinit {
        singleColumns.deallocate()
    }

    static func slots(_ columns: [(field: ClaimField, indexes: [Int])]) -> [[Int]] {
        var slots = Array(repeating: [Int](), count: ClaimField.slotCount)
        for (field, indexes) in columns { slots[field.slot] = indexes }
        return slots
    }
}

/// The raw rows of one CSV claim, to be built into a `Claim` on any thread.
public struct CSVClaimRows: Sendable {
    struct Row: Sendable {
        var fields: CSVRecord
        var line: Int
    }

    let layout: CSVLayout
    var rows: [Row] = []

    init(layout: CSVLayout) {
        self.layout = layout
    }

    /// Service lines this claim will have (one per row).
    public var lineCount: Int { rows.count }

    /// The claim, with claim-level values from its first row and each row's data problems.
    public func build() -> Claim {
        guard !rows.isEmpty else { return Claim(id: "", payerID: "", diagnoses: []) }
        // Every row read in place, by index and through `CSVFields`: a copy of a row, or of
        // values holding one, retained and released its bytes.
        return rows.withUnsafeBufferPointer { rows in
            rows[0].fields.withFields { firstFields in
                let first = RowValues(fields: firstFields, layout: layout)
                var claim = claimFromFirstRow(first, id: first[.claimID])
                claim.lines.reserveCapacity(rows.count)
                claim.lines.append(serviceLine(first, line: rows[0].line, problems: first.extraFieldProblems()))
                let claimLevel = ClaimLevelValues(first)
                for index in rows.indices.dropFirst() {
                    rows[index].fields.withFields { fields in
                        let values = RowValues(fields: fields, layout: layout)
                        // Both nearly always empty: joined only when there are extra fields.
                        var problems = values.extraFieldProblems()
                        let conflicts = claimLevel.conflicts(with: values)
                        if problems.isEmpty { problems = conflicts } else { problems += conflicts }
                        claim.lines.append(serviceLine(values, line: rows[index].line, problems: problems))
                    }
                }
                return claim
            }
        }
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
        let sex = values[.patientSex].uppercasedIfNeeded()
        if !sex.isEmpty && !["F", "M", "U"].contains(sex) { problems.append(DataProblem(.patientSex, .invalid)) }
        var claim = Claim(
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
            diagnoses: [],
            problems: problems
        )
        // Split from the cell's bytes: a list of codes is usually longer than a String
        // holds in place, and the cell as text and an array of its items were two
        // allocations per claim. One allocation for the diagnoses, not one per doubling.
        values.withTrimmedBytes(.diagnosisCodes) { cell in
            guard !cell.isEmpty else { return }
            claim.diagnoses.reserveCapacity(min(cell.count(where: { $0 == UInt8(ascii: "|") }) + 1, maximumDiagnoses))
            forEachListItem(cell) { item in
                claim.addDiagnosis(Diagnosis(code: String(readBytes: item).uppercasedIfNeeded()))
                return true
            }
        }
        return claim
    }

    private func serviceLine(_ values: RowValues, line: Int, problems initial: [DataProblem]) -> ServiceLine {
        var problems = initial
        let numberText = values[.lineNumber]
        let number = positiveInteger(numberText)
        if numberText.isEmpty {
            problems.append(DataProblem(.lineNumber, .missing))
        } else if number == nil {
            problems.append(DataProblem(.lineNumber, .invalid))
        }
        var modifiers = splitList(values[.modifiers])
        // In place: `map` made a second array per line.
        for index in modifiers.indices { modifiers[index] = modifiers[index].uppercasedIfNeeded() }
        if modifiers.count > 4 || modifiers.contains(where: { $0.utf8.count != 2 }) {
            problems.append(DataProblem(.modifiers, .invalid))
        }
        let unitsText = values[.units]
        var units: Units? = .one
        if !unitsText.isEmpty {
            units = Units(unitsText).flatMap { $0.millionths > 0 ? $0 : nil }
            if units == nil { problems.append(DataProblem(.units, .invalid)) }
        }
        // The charge and the pointers are read from the cell's bytes: only their values
        // are kept, and a String of each was made and dropped on every line.
        let chargeValid = values.withTrimmedBytes(.charge) { $0.isEmpty || parseDecimalMillionths($0) != nil }
        if !chargeValid { problems.append(DataProblem(.charge, .invalid)) }
        let dateText = values[.serviceDate]
        let date = CalendarDate(dateText)
        if !dateText.isEmpty && date == nil { problems.append(DataProblem(.serviceDate, .invalid)) }
        let throughText = values[.serviceDateTo]
        var through: CalendarDate?
        if !throughText.isEmpty {
            through = CalendarDate(throughText)
            if through == nil { problems.append(DataProblem(.serviceDateTo, .invalid)) }
        }
        var pointers: DiagnosisPointers?
        let pointersValid = values.withTrimmedBytes(.diagnosisPointers) { cell -> Bool in
            guard !cell.isEmpty else { return true }
            pointers = diagnosisPointers(cell)
            return pointers != nil
        }
        if !pointersValid { problems.append(DataProblem(.diagnosisPointers, .invalid)) }
        return ServiceLine(
            source: layout.displayPath,
            sourcePosition: line,
            lineNumberText: numberText,
            lineNumber: number,
            procedureCode: values[.procedureCode].uppercasedIfNeeded(),
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


/// One row's cells by canonical column, trimmed; bytes that are not UTF-8 become U+FFFD.
///
/// Cells are decoded when asked for: a claim's later rows are only compared with its first
/// row for the claim-level columns, and equal bytes need no String at all.
private struct RowValues {
    let fields: CSVFields
    /// The layout's, copied out of it: the values of every row read them.
    private let singleColumns: UnsafePointer<Int>
    private let headerWidth: Int
    /// Not counted: a row's values live only while its claim is built from rows that hold
    /// the layout. Read only for fields with several columns (`--csv-columns`).
    private unowned(unsafe) let layout: CSVLayout

    init(fields: CSVFields, layout: CSVLayout) {
        self.fields = fields
        singleColumns = layout.singleColumns
        headerWidth = layout.headerWidth
        self.layout = layout
    }

    subscript(field: ClaimField) -> String {
        let single = singleColumns[field.slot]
        if single >= 0 {
            return fields.trimmedText(single)
        }
        let indexes = layout.slots[field.slot]
        if indexes.isEmpty { return "" }
        // Several headers for one column (`--csv-columns`): non-blank values joined in order.
        return indexes.compactMap { index -> String? in
            let text = fields.trimmedText(index)
            return text.isEmpty ? nil : text
        }.joined(separator: "|")
    }

    /// The cell's trimmed bytes, read in place when the field has one column; otherwise
    /// the bytes of `self[field]` (the columns' values joined).
    func withTrimmedBytes<Result>(_ field: ClaimField, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let single = singleColumns[field.slot]
        if single >= 0 {
            return body(fields.trimmedField(single))
        }
        return self[field].withUTF8Bytes(body)
    }

    /// The layout's `claimLevelSpan`.
    var claimLevelSpan: ClosedRange<Int>? { layout.claimLevelSpan }

    /// The cell is blank (missing, or only spaces and tabs) in every column it is read from.
    func isBlank(_ field: ClaimField) -> Bool {
        layout.slots[field.slot].allSatisfy { fields.trimmedField($0).isEmpty }
    }

    /// Same trimmed bytes as `other` in every column the field is read from.
    func sameBytes(_ field: ClaimField, as other: RowValues) -> Bool {
        let single = singleColumns[field.slot]
        if single >= 0 {
            // Every later row of a claim asks this of nine columns: compared in place.
            return fields.trimmedBytesEqual(single, as: other.fields)
        }
        return layout.slots[field.slot].allSatisfy { index in
            fields.trimmedBytesEqual(index, as: other.fields)
        }
    }

    /// `.extraFields` when the row has non-blank fields past the header's last column.
    func extraFieldProblems() -> [DataProblem] {
        guard fields.count > headerWidth,
              (headerWidth..<fields.count).contains(where: { !fields.trimmedField($0).isEmpty }) else { return [] }
        return [DataProblem(.record, .extraFields)]
    }
}

extension ClaimField {
    static let slotCount = ClaimField.allCases.count

    /// A dense index, computed by a switch rather than by hashing.
    var slot: Int {
        switch self {
        case .claimID: return 0
        case .lineNumber: return 1
        case .claimType: return 2
        case .payerID: return 3
        case .lineOfBusiness: return 4
        case .memberID: return 5
        case .patientBirthDate: return 6
        case .patientSex: return 7
        case .placeOfService: return 8
        case .typeOfBill: return 9
        case .diagnosisCodes: return 10
        case .diagnosisPointers: return 11
        case .procedureCode: return 12
        case .modifiers: return 13
        case .units: return 14
        case .charge: return 15
        case .serviceDate: return 16
        case .serviceDateTo: return 17
        case .priorAuth: return 18
        case .procedureDescription: return 19
        case .revenueCode: return 20
        case .record: return 21
        }
    }
}

/// The claim-level cells of a row, normalised for comparison with the claim's first row.
private struct ClaimLevelValues {
    static let fields: [ClaimField] = [.claimType, .payerID, .lineOfBusiness, .memberID, .patientBirthDate,
                                       .patientSex, .placeOfService, .typeOfBill, .diagnosisCodes]
    /// The first row; most later rows repeat its cells byte for byte, so normalising
    /// waits until a cell differs.
    var first: RowValues

    init(_ values: RowValues) {
        first = values
    }

    /// A later row's non-blank claim-level cells that differ from the first row's.
    func conflicts(with later: RowValues) -> [DataProblem] {
        // Nearly every later row repeats them byte for byte: one comparison of the columns
        // they span, where nine of a cell each cost about 1,300 instructions a row.
        if let span = later.claimLevelSpan, later.fields.sameFields(span, as: first.fields) { return [] }
        var problems: [DataProblem] = []
        for field in ClaimLevelValues.fields {
            if later.sameBytes(field, as: first) || later.isBlank(field) { continue }
            if ClaimLevelValues.normalized(field, first[field]) != ClaimLevelValues.normalized(field, later[field]) {
                problems.append(DataProblem(field, .conflictsWithClaim))
            }
        }
        return problems
    }

    static func normalized(_ field: ClaimField, _ text: String) -> String {
        guard !text.isEmpty else {
            // A blank first-row cell stands for the default, which a later row may spell out.
            switch field {
            case .claimType: return ClaimType.professional.rawValue
            case .lineOfBusiness: return LineOfBusiness.commercial.rawValue
            default: return ""
            }
        }
        switch field {
        case .claimType: return ClaimType(code: text)?.rawValue ?? text.uppercasedIfNeeded()
        case .lineOfBusiness: return LineOfBusiness(code: text)?.rawValue ?? text.uppercasedIfNeeded()
        case .payerID, .patientSex: return text.uppercasedIfNeeded()
        case .patientBirthDate: return CalendarDate(text)?.description ?? text
        case .typeOfBill: return normalizedTypeOfBill(text)
        case .diagnosisCodes:
            return splitList(text).map { Diagnosis(code: $0.uppercasedIfNeeded()).key }.joined(separator: "|")
        default: return text
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

/// The bytes without surrounding spaces and tabs, as a CSV cell is read: cells, list items
/// and a record's fields in place all trim here.
@inline(__always)
func trimmedBytes<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes) -> Bytes.SubSequence {
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
    var lower = bytes.startIndex
    var upper = bytes.endIndex
    while lower < upper, isSpace(bytes[lower]) { bytes.formIndex(after: &lower) }
    while upper > lower, isSpace(bytes[bytes.index(before: upper)]) { bytes.formIndex(before: &upper) }
    return bytes[lower..<upper]
}

private func splitList(_ text: String) -> [String] {
    guard !text.isEmpty else { return [] }
    // Most cells hold one trimmed item: no bytes to copy.
    let single = text.withUTF8Bytes { bytes in
        let first = bytes[0], last = bytes[bytes.count - 1]
        return first != 0x20 && first != 0x09 && last != 0x20 && last != 0x09 && !bytes.contains(UInt8(ascii: "|"))
    }
    if single { return [text] }
    var items: [String] = []
    items.reserveCapacity(8)
    text.withUTF8Bytes { bytes in
        forEachListItem(bytes) { item in
            items.append(String(readBytes: item))
            return true
        }
    }
    return items
}

/// Each item of a `|`-separated cell, trimmed of spaces and tabs, blank ones skipped, until
/// `body` returns false. The one splitter of list cells (diagnoses, modifiers, pointers):
/// a diagnosis list is split from the cell's bytes, without a String of the whole cell.
/// Items made into text get U+FFFD for bytes that are not UTF-8, as a cell read whole
/// does (`|` is one byte and never inside a character, so it ends a broken one either way).
private func forEachListItem(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Slice<UnsafeBufferPointer<UInt8>>) -> Bool) {
    var index = 0
    while index < bytes.count {
        var end = index
        while end < bytes.count, bytes[end] != UInt8(ascii: "|") { end += 1 }
        let item = trimmedBytes(bytes[index..<end])
        if !item.isEmpty, !body(item) { return }
        index = end + 1
    }
}

/// The pointers of a `|`-separated cell, read from its bytes (a list of Strings, then of
/// optionals, then of numbers took three allocations per line); nil when an item is not a
/// `positiveInteger`.
private func diagnosisPointers(_ bytes: UnsafeBufferPointer<UInt8>) -> DiagnosisPointers? {
    var pointers = DiagnosisPointers()
    var valid = true
    forEachListItem(bytes) { item in
        guard let value = positiveInteger(item) else {
            valid = false
            return false
        }
        pointers.append(value)
        return true
    }
    return valid ? pointers : nil
}

private func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

private func positiveInteger(_ text: String) -> Int? {
    text.withUTF8Bytes { positiveInteger($0[...]) }
}

/// One to nine ASCII digits making a number above zero; nil for anything else.
private func positiveInteger(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
    guard !bytes.isEmpty, bytes.count <= 9 else { return nil }
    var value = 0
    for byte in bytes {
        guard byte >= 48 && byte <= 57 else { return nil }
        value = value * 10 + Int(byte - 48)
    }
    return value > 0 ? value : nil
}

/// `131` -> `0131`; other values as given (the engine checks the shape).
func normalizedTypeOfBill(_ text: String) -> String {
    text.utf8.count == 3 && text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) ? "0" + text : text
}
