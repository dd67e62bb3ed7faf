import Foundation

/// The checks of `claimscrub verify` around the replay itself: the inputs and code sets
/// must be those of the run, and every report the manifest lists must come out the same.
public enum RunVerifier {
    /// Refuses when an input's bytes are no longer those the run read.
    public static func checkInputs(_ manifest: RunManifest) -> AuditError? {
        for input in manifest.inputs {
            // A pipe the run read from cannot be read again, and opening a named one would
            // wait for a writer: verify would hang.
            if FileManager.default.fileExists(atPath: input.absolutePath), !isRegularFile(input.absolutePath) {
                return AuditError(status: 1, "verify: error: the input \(input.path) (\(input.absolutePath)) is not a regular file (a pipe, say): it cannot be read again to replay the run")
            }
            guard let now = fileSHA256(input.absolutePath) else {
                return AuditError(status: 1, "verify: error: the input \(input.path) (\(input.absolutePath)) can no longer be read")
            }
            if now != input.sha256 {
                return AuditError(status: 1, "verify: error: the input \(input.path) (\(input.absolutePath)) changed since the run: sha256 was \(input.sha256), now \(now)")
            }
        }
        return nil
    }

    /// Refuses when the code sets loaded now are not the run's.
    public static func checkCodeSets(_ manifest: RunManifest, loaded: LoadedCodeSets) -> AuditError? {
        guard loaded.fingerprint == manifest.codeSetsFingerprint else {
            return AuditError(status: 1, "verify: error: the code sets differ from the run's: fingerprint \(manifest.codeSetsFingerprint), now \(loaded.fingerprint)")
        }
        return nil
    }

    /// Compares every report the manifest lists with the replay's, byte for byte; returns
    /// how many are identical, or throws (status 1) naming the first file and row that differ.
    public static func compareReports(_ manifest: RunManifest, replayFolder: String) throws(AuditError) -> Int {
        for report in manifest.reports {
            let original = manifest.folder + "/" + report.file
            let replay = replayFolder + "/" + report.file
            guard FileManager.default.fileExists(atPath: original) else {
                throw AuditError(status: 1, "verify: \(report.file) is listed in the manifest but missing from the run folder")
            }
            guard FileManager.default.fileExists(atPath: replay) else {
                throw AuditError(status: 1, "verify: \(report.file) is listed in the manifest but the replay did not write it")
            }
            if let difference = try firstDifference(original, replay) {
                var message = "verify: \(report.file) differs from the replay at line \(difference.line):\n  run:    \(difference.original)\n  replay: \(difference.replay)"
                if fileSHA256(original) != report.sha256 {
                    message += "\n\(report.file) no longer matches its SHA-256 in the manifest: it was damaged or edited after the run"
                }
                throw AuditError(status: 1, message)
            }
        }
        return manifest.reports.count
    }

    /// The first line where two files differ, with both lines (`(end of file)` past one's end).
    static func firstDifference(_ first: String, _ second: String) throws(AuditError) -> (line: Int, original: String, replay: String)? {
        if sameBytes(first, second) { return nil }
        let a = try LineReader(path: first)
        let b = try LineReader(path: second)
        var line = 0
        while true {
            line += 1
            let left = try a.next()
            let right = try b.next()
            if left == nil && right == nil { break }
            if let left, let right, left.elementsEqual(right) { continue }
            return (line, render(left), render(right))
        }
        // Same lines, but one may end with LF and the other not.
        let sizeA = (try? FileManager.default.attributesOfItem(atPath: first)[.size] as? Int) ?? nil
        let sizeB = (try? FileManager.default.attributesOfItem(atPath: second)[.size] as? Int) ?? nil
        if sizeA != sizeB { return (line - 1, "(the last line ends differently)", "(the last line ends differently)") }
        return nil
    }

    /// The fast path: whole chunks compared with memcmp; lines are split only when they differ.
    private static func sameBytes(_ first: String, _ second: String) -> Bool {
        guard let a = FileHandle(forReadingAtPath: first), let b = FileHandle(forReadingAtPath: second) else { return false }
        defer {
            try? a.close()
            try? b.close()
        }
        while true {
            let left: Data, right: Data
            do {
                // nil is the end of the file.
                left = try a.read(upToCount: 1 << 20) ?? Data()
                right = try b.read(upToCount: 1 << 20) ?? Data()
            } catch {
                return false
            }
            if left != right { return false }
            if left.isEmpty { return true }
        }
    }

    private static func render(_ line: ArraySlice<UInt8>?) -> String {
        guard let line else { return "(end of file)" }
        return String(decoding: line, as: UTF8.self)
    }
}

/// A file's SHA-256 in hex, or nil when it cannot be read.
func fileSHA256(_ path: String) -> String? {
    InputDigest().finish(path: path)?.sha256
}
