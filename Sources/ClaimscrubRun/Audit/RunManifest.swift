import Foundation

/// A finished run folder's `manifest.json` (outputs.md): what `verify` and `diff` need of it.
public struct RunManifest: Sendable {
    /// One input file as the run read it.
    public struct Input: Sendable {
        /// The path as given (a file of a folder argument: the folder joined with its name);
        /// the reports' `source` column starts with it.
        public var path: String
        public var absolutePath: String
        public var bytes: Int64
        public var sha256: String
    }

    /// One report file of the folder with its SHA-256.
    public struct Report: Sendable {
        public var file: String
        public var sha256: String
    }

    public var folder: String
    public var toolVersion: String
    /// The command line after `claimscrub`, as given (`run` first).
    public var arguments: [String]
    public var workingDirectory: String
    public var asOf: String
    public var inputs: [Input]
    public var codeSetsFingerprint: String
    /// `built-in` or the absolute code-set folder.
    public var codeSetsSource: String
    public var reports: [Report]

    /// Reads `folder/manifest.json`; a folder without one is not a finished run (exit 1).
    public static func load(runFolder folder: String) throws(AuditError) -> RunManifest {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw AuditError(status: 1, "\(folder): error: not a finished run: no such folder")
        }
        let path = folder + "/manifest.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditError(status: 1, "\(folder): error: not a finished run: it has no manifest.json (the run was interrupted or is still writing)")
        }
        let invalid = AuditError(status: 1, "\(path): error: not a valid run manifest")
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let codeSets = object["codesets"] as? [String: Any],
              let inputs = object["inputs"] as? [[String: Any]],
              let reports = object["reports"] as? [[String: Any]]
        else { throw invalid }
        func text(_ dictionary: [String: Any], _ key: String) throws(AuditError) -> String {
            guard let value = dictionary[key] as? String else { throw invalid }
            return value
        }
        var manifest = RunManifest(
            folder: folder,
            toolVersion: try text(object, "tool_version"),
            arguments: object["arguments"] as? [String] ?? [],
            workingDirectory: try text(object, "working_directory"),
            asOf: try text(object, "as_of"),
            inputs: [],
            codeSetsFingerprint: try text(codeSets, "fingerprint"),
            codeSetsSource: try text(codeSets, "source"),
            reports: []
        )
        for input in inputs {
            manifest.inputs.append(Input(
                path: try text(input, "path"), absolutePath: try text(input, "absolute_path"),
                bytes: (input["bytes"] as? NSNumber)?.int64Value ?? 0, sha256: try text(input, "sha256")
            ))
        }
        for report in reports {
            manifest.reports.append(Report(file: try text(report, "file"), sha256: try text(report, "sha256")))
        }
        // Report names come from the file; refuse any that would leave the folder.
        guard manifest.reports.allSatisfy({ !$0.file.contains("/") && !$0.file.hasPrefix(".") }) else { throw invalid }
        return manifest
    }

    /// The report format of the row files: `jsonl` when the run wrote `accept.jsonl`.
    public var reportExtension: String {
        reports.contains { $0.file == "accept.jsonl" } ? "jsonl" : "csv"
    }
}
