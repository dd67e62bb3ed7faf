/// One run's lines sorted by claim id, line number and input order, each with its
/// occurrence: equal pairs arrive in input order, so the occurrence is a count of the
/// equal pairs before it, found without remembering any pair but the last.
struct LineKeys {
    struct Line {
        /// Fields: claim id, line number, source, decision, primary reason, policy, version.
        var record: SortRecord
        var occurrence: Int

        /// Order by claim id, line number (bytes), then occurrence: the same in both runs.
        func compareKey(with other: Line) -> Int {
            let order = record.compareFields(0...1, with: other.record)
            return order != 0 ? order : occurrence - other.occurrence
        }
    }

    private var merge: SortRunMerge
    private var previous: Line?

    init(merge: SortRunMerge) {
        self.merge = merge
    }

    mutating func next() throws(AuditError) -> Line? {
        guard let record = try merge.next() else { return nil }
        var occurrence = 1
        if let previous, previous.record.sameFields(0...1, as: record) { occurrence = previous.occurrence + 1 }
        let line = Line(record: record, occurrence: occurrence)
        previous = line
        return line
    }

    func removeFiles() {
        merge.removeFiles()
    }
}
