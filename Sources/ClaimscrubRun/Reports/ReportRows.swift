import ClaimscrubCore

/// The report files and their columns (outputs.md).
enum ReportColumns {
    static let line = ["claim_id", "line_number", "source", "payer_id", "line_of_business", "claim_type",
                       "service_date", "procedure_code", "modifiers", "units", "decision", "reasons", "carc", "rarc",
                       "policy_id", "policy_version", "policy_section", "message"]
    static let claim = ["claim_id", "source", "payer_id", "line_of_business", "claim_type", "lines", "accepted",
                        "denied", "pended", "decision"]
    static let reject = ["source", "kind", "message", "detail"]
}

/// Echoed claim values, normalised so that every input format gives the same row.
struct ClaimEcho {
    var payerID: String
    var lineOfBusiness: String
    var claimType: String

    /// The payer as the decision matched it: the engine has looked it up already. The claim
    /// borrowed: an initializer owns its arguments, and each claim was copied to be echoed.
    init(_ claim: borrowing Claim, decision: borrowing ClaimDecision) {
        payerID = decision.payerID ?? claim.payerID.trimmingSpaces()
        lineOfBusiness = claim.lineOfBusiness?.rawValue ?? claim.lineOfBusinessText
        claimType = claim.claimType?.rawValue ?? claim.claimTypeText
    }
}

/// Our own words as UTF-8, made once per run: appending a word's `utf8` view went the
/// generic way, about 170 instructions, four times per line row.
///
/// Held by pointers into one allocation that lives as long as the process (`shared` is
/// never freed): reading a word out of an array of arrays retained and released both,
/// four times per line row. Sendable by hand: the words are written only while `shared`
/// is made.
struct ReportWords: @unchecked Sendable {
    /// Each word's start and length in `text`: the decisions by `Decision.severity`, then the
    /// reasons' names by `ReasonCode.editOrder`, then their claim adjustment reason codes.
    private let spans: UnsafePointer<(start: Int, count: Int)>
    private let text: UnsafePointer<UInt8>
    /// Where the reasons' names and their adjustment reason codes start in `spans`.
    private let reasonsStart: Int
    private let adjustmentReasonsStart: Int

    static let shared = ReportWords()

    private init() {
        reasonsStart = Decision.allCases.count
        adjustmentReasonsStart = reasonsStart + ReasonCode.allCases.count
        var words = [[UInt8]](repeating: [], count: adjustmentReasonsStart + ReasonCode.allCases.count)
        for decision in Decision.allCases { words[decision.severity] = Array(decision.rawValue.utf8) }
        for reason in ReasonCode.allCases {
            words[reasonsStart + reason.editOrder] = Array(reason.rawValue.utf8)
            words[adjustmentReasonsStart + reason.editOrder] = Array(reason.claimAdjustmentReason.utf8)
        }
        let spans = UnsafeMutablePointer<(start: Int, count: Int)>.allocate(capacity: words.count)
        let text = UnsafeMutablePointer<UInt8>.allocate(capacity: words.reduce(0) { $0 + $1.count })
        var start = 0
        for (slot, word) in words.enumerated() {
            spans[slot] = (start, word.count)
            (text + start).initialize(from: word, count: word.count)
            start += word.count
        }
        self.spans = UnsafePointer(spans)
        self.text = UnsafePointer(text)
    }

    private func word(_ slot: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: text + spans[slot].start, count: spans[slot].count)
    }

    /// The decision's word, by `Decision.severity`.
    func decision(_ severity: Int) -> UnsafeBufferPointer<UInt8> { word(severity) }

    /// The reason's name, by `ReasonCode.editOrder`.
    func reason(_ editOrder: Int) -> UnsafeBufferPointer<UInt8> { word(reasonsStart + editOrder) }

    /// The reason's claim adjustment reason code, by `ReasonCode.editOrder`.
    func adjustmentReason(_ editOrder: Int) -> UnsafeBufferPointer<UInt8> { word(adjustmentReasonsStart + editOrder) }
}

/// The CSV cells every row of one claim repeats, its line rows and its claims.csv row
/// (claim_id; payer_id, line_of_business, claim_type), formatted once per claim into a
/// buffer reused from claim to claim.
struct ClaimCells {
    fileprivate var bytes: [UInt8] = []
    /// `bytes[..<split]` is the claim_id cell, `bytes[split..<echoEnd]` the three echo cells,
    /// each cell with its comma.
    fileprivate var split = 0
    fileprivate var echoEnd = 0
    /// The path of the claim's first line, when it is written as it stands (no quotes, no
    /// formula guard); `bytes[echoEnd..<sourceEnd]` is then the path and its `:`. The lines
    /// of a claim nearly always share it, and each line row looked over it again.
    fileprivate var sourcePath: String?
    fileprivate var sourceEnd = 0
    /// The date of service of the claim's first line; `bytes[sourceEnd...]` is its cell and
    /// comma. The lines of a claim are mostly of one date.
    fileprivate var dateOfService: CalendarDate?

    fileprivate func appendClaimID<Sink: ByteSink>(to out: inout Sink) {
        appendBytes(0..<split, to: &out)
    }

    fileprivate func appendEcho<Sink: ByteSink>(to out: inout Sink) {
        appendBytes(split..<echoEnd, to: &out)
    }

    /// The source cell `path:position` (without its comma), from the first line's `path:`
    /// written here when the line shares it.
    fileprivate func appendSource<Sink: ByteSink>(path: String, position: Int?, to out: inout Sink) {
        if let position, position >= 0, let sourcePath, sourcePath == path {
            appendBytes(echoEnd..<sourceEnd, to: &out)
            appendDecimal(position, into: &out)
        } else {
            appendCSVSourceCell(path: path, position: position, into: &out)
        }
    }

    fileprivate func appendBytes<Sink: ByteSink>(_ range: Range<Int>, to out: inout Sink) {
        bytes.withUnsafeBufferPointer { out.appendBytes(UnsafeBufferPointer(rebasing: $0[range])) }
    }
}

extension RowEncoder {
    /// Formats `claim`'s repeated cells into `cells` (CSV only; JSON Lines rows name every
    /// value and take them from the claim).
    func claimCells(claim: Claim, echo: ClaimEcho, into cells: inout ClaimCells) {
        guard format == .csv else { return }
        func cell(_ text: String) {
            appendCSVCell(text, into: &cells.bytes)
            cells.bytes.append(UInt8(ascii: ","))
        }
        cells.bytes.removeAll(keepingCapacity: true)
        cell(claim.id)
        cells.split = cells.bytes.count
        cell(echo.payerID)
        cell(echo.lineOfBusiness)
        cell(echo.claimType)
        cells.echoEnd = cells.bytes.count
        cells.sourcePath = nil
        cells.dateOfService = nil
        guard !claim.lines.isEmpty else {
            cells.sourceEnd = cells.bytes.count
            return
        }
        let path = claim.lines[0].sourcePath
        let plain = path.withUTF8Bytes { bytes in
            guard isPlainCSVCell(bytes) else { return false }
            cells.bytes.append(contentsOf: bytes)
            cells.bytes.append(UInt8(ascii: ":"))
            return true
        }
        if plain { cells.sourcePath = path }
        cells.sourceEnd = cells.bytes.count
        if let date = claim.lines[0].dateOfService {
            date.appendISO(to: &cells.bytes)
            cells.bytes.append(UInt8(ascii: ","))
            cells.dateOfService = date
        }
    }

    /// Line `index` of `claim` with its decision, `decisions[index]`: both read field by
    /// field, in place. Passing either whole copied it (a line decision read through a
    /// pointer was copied for the call and destroyed after: about 170 instructions and
    /// eight reference counts per line). `cells`: what `claimCells` made of this claim.
    func lineRow(
        claim: Claim, echo: ClaimEcho, cells: ClaimCells, line index: Int, decisions: UnsafeBufferPointer<LineDecision>,
        into out: inout [UInt8]
    ) {
        if format == .csv {
            // The hot path: the row is put together on the stack and added to `out` at once;
            // a row too long for the room is written straight into `out`. Room for the rows
            // nearly all lines make, and no more than 1 KiB: a larger temporary allocation is
            // made on the heap unless the runtime finds the stack deep enough, which on Linux
            // it does not (a `malloc` and `free` per row).
            let fitted = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024) { room -> Bool in
                var row = RowBytes(room)
                csvLineRow(claim: claim, cells: cells, line: index, decisions: decisions, into: &row)
                guard !row.overflowed else { return false }
                out.appendBytes(row.bytes)
                return true
            }
            if !fitted { csvLineRow(claim: claim, cells: cells, line: index, decisions: decisions, into: &out) }
            return
        }
        // JSON Lines and the others: not the hot path.
        let lines = claim.lines
        let decision = decisions[index]
        let citation = decision.citation
        let lineNumber: CellValue = format == .jsonl
            ? .number(lines[index].lineNumber.map(String.init)) : .text(lines[index].lineNumberText)
        let units: CellValue = format == .jsonl
            ? .number(lines[index].units?.description) : .text(lines[index].units?.description ?? lines[index].unitsText)
        row(ReportColumns.line, [
            .text(claim.id),
            lineNumber,
            .text(lines[index].source),
            .text(echo.payerID),
            .text(echo.lineOfBusiness),
            .text(echo.claimType),
            .text(lines[index].dateOfService?.description ?? lines[index].dateOfServiceText),
            .text(lines[index].procedureCode),
            .text(lines[index].modifiers.joined(separator: "|")),
            units,
            .text(decision.decision.rawValue),
            .text(decision.reasons.map(\.reason.rawValue).joined(separator: "|")),
            .text(decision.primary.reason.claimAdjustmentReason),
            .text(decision.primary.remark),
            .text(citation?.policyID ?? ""),
            .text(citation?.version ?? ""),
            .text(citation?.version.isEmpty == false ? citation?.section ?? "" : ""),
            .text(decision.primary.message),
        ], into: &out)
    }

    /// The CSV row of `lineRow`, cells straight into `out`, no per-row arrays.
    private func csvLineRow<Sink: ByteSink>(
        claim: Claim, cells: ClaimCells, line index: Int, decisions: UnsafeBufferPointer<LineDecision>,
        into out: inout Sink
    ) {
        let lines = claim.lines
        func cell(_ text: String, last: Bool = false) {
            appendCSVCell(text, into: &out)
            out.appendByte(last ? 0x0A : UInt8(ascii: ","))
        }
        cells.appendClaimID(to: &out)
        cell(lines[index].lineNumberText)
        cells.appendSource(path: lines[index].sourcePath, position: lines[index].sourcePosition, to: &out)
        out.appendByte(UInt8(ascii: ","))
        cells.appendEcho(to: &out)
        if let date = lines[index].dateOfService, date == cells.dateOfService {
            cells.appendBytes(cells.sourceEnd..<cells.bytes.count, to: &out)
        } else if let date = lines[index].dateOfService {
            // Digits and dashes: never quoted, so written straight in.
            date.appendISO(to: &out)
            out.appendByte(UInt8(ascii: ","))
        } else {
            cell(lines[index].dateOfServiceText)
        }
        cell(lines[index].procedureCode)
        switch lines[index].modifiers.count {
        case 0: out.appendByte(UInt8(ascii: ","))
        case 1: cell(lines[index].modifiers[0])
        default: cell(lines[index].modifiers.joined(separator: "|"))
        }
        if let units = lines[index].units, units.millionths % Units.scale == 0 {
            // Whole units (nearly every line): digits only, never quoted, no String made.
            appendDecimal(Int(units.millionths / Units.scale), into: &out)
            out.appendByte(UInt8(ascii: ","))
        } else {
            cell(lines[index].units?.description ?? lines[index].unitsText)
        }
        // The decision, reason names and adjustment reason codes are our own upper-case
        // words and digits, never quoted: written straight in, `|` between reasons.
        let words = ReportWords.shared
        out.appendBytes(words.decision(decisions[index].decision.severity))
        out.appendByte(UInt8(ascii: ","))
        let primaryOrder = decisions[index].primary.reason.editOrder
        out.appendBytes(words.reason(primaryOrder))
        for other in decisions[index].others {
            out.appendByte(UInt8(ascii: "|"))
            out.appendBytes(words.reason(other.reason.editOrder))
        }
        out.appendByte(UInt8(ascii: ","))
        out.appendBytes(words.adjustmentReason(primaryOrder))
        out.appendByte(UInt8(ascii: ","))
        cell(decisions[index].primary.remark)
        if let citation = decisions[index].primary.citation {
            cell(citation.policyID)
            cell(citation.version)
            cell(citation.version.isEmpty ? "" : citation.section)
        } else {
            out.appendByte(UInt8(ascii: ","))
            out.appendByte(UInt8(ascii: ","))
            out.appendByte(UInt8(ascii: ","))
        }
        cell(decisions[index].primary.message, last: true)
    }

    /// `cells`: what `claimCells` made of this claim.
    func claimRow(claim: Claim, echo: ClaimEcho, cells: ClaimCells, decision: ClaimDecision, into out: inout [UInt8]) {
        if format == .csv {
            // Every claim has a row: cells straight into the buffer, no array of cells and
            // no `path:position` or count Strings made.
            func count(_ value: Int) {
                // Digits only (counts are never negative): never quoted or guarded.
                appendDecimal(value, into: &out)
                out.append(UInt8(ascii: ","))
            }
            cells.appendClaimID(to: &out)
            // By index: `first` would copy the line.
            if !claim.lines.isEmpty {
                cells.appendSource(path: claim.lines[0].sourcePath, position: claim.lines[0].sourcePosition, to: &out)
            }
            out.append(UInt8(ascii: ","))
            cells.appendEcho(to: &out)
            var tally = DecisionTally()
            for index in decision.lines.indices { tally.add(decision.lines[index].decision) }
            count(claim.lines.count)
            count(tally.accept)
            count(tally.deny)
            count(tally.pend)
            // Our own upper-case word: never quoted.
            out.appendBytes(ReportWords.shared.decision(decision.decision.severity))
            out.append(0x0A)
            return
        }
        func count(_ value: Int) -> CellValue { format == .jsonl ? .number(String(value)) : .text(String(value)) }
        row(ReportColumns.claim, [
            .text(claim.id),
            .text(claim.lines.first?.source ?? ""),
            .text(echo.payerID),
            .text(echo.lineOfBusiness),
            .text(echo.claimType),
            count(claim.lines.count),
            count(decision.count(.accept)),
            count(decision.count(.deny)),
            count(decision.count(.pend)),
            .text(decision.decision.rawValue),
        ], into: &out)
    }

    func rejectRow(_ reject: Reject, into out: inout [UInt8]) {
        row(ReportColumns.reject, [.text(reject.source), .text(reject.kind.rawValue), .text(reject.message), .text(reject.detail)], into: &out)
    }
}
