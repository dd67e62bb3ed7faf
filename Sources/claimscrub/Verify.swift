internal import ArgumentParser
import ClaimscrubCore
import ClaimscrubReaders
import ClaimscrubRun
import Foundation

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reproduce a finished run from its manifest and check every report byte for byte.",
        discussion: """
        Refuses a folder without manifest.json (not a finished run), an input whose SHA-256 \
        changed, and code sets whose fingerprint differs from the run's. Otherwise re-runs the \
        run's arguments with its as-of date from its working directory into a temporary folder \
        (removed afterwards) and compares every report the manifest lists (all but timing.json). \
        A difference names the file and its first differing line, with both rows.

        Example:
          claimscrub verify runs/replay-2024-10-01

        Exit status: 0 every report identical; 1 not a finished run, an input or the code \
        sets changed, or a report differs; 70 the replay failed.
        """
    )

    @Argument(help: "A finished run folder.")
    var runFolder: String

    func run() throws {
        do {
            let count = try verify()
            print("verified: \(count) reports identical")
        } catch {
            printError(error.message)
            throw ExitCode(error.status)
        }
    }

    private func verify() throws(AuditError) -> Int {
        let manifest = try RunManifest.load(runFolder: runFolder)
        if let refusal = RunVerifier.checkInputs(manifest) { throw refusal }
        let loaded: LoadedCodeSets
        do {
            loaded = try LoadedCodeSets.load(folder: manifest.codeSetsSource == "built-in" ? nil : manifest.codeSetsSource)
        } catch {
            throw AuditError(status: 1, "verify: error: the run's code sets (\(manifest.codeSetsSource)) can no longer be loaded: \(error.problems.count) problems")
        }
        if let refusal = RunVerifier.checkCodeSets(manifest, loaded: loaded) { throw refusal }
        guard let asOf = CalendarDate(manifest.asOf) else {
            throw AuditError(status: 1, "verify: error: the manifest's as_of '\(manifest.asOf)' is not a date")
        }
        var arguments = manifest.arguments
        guard arguments.first == "run" else {
            throw AuditError(status: 1, "verify: error: the manifest's arguments are not those of a run")
        }
        arguments.removeFirst()
        let command: Run
        do {
            command = try Run.parse(arguments)
        } catch {
            throw AuditError(status: 1, "verify: error: the run's arguments cannot be parsed by this version: \(Run.message(for: error))")
        }

        // Sources carry the inputs' paths as given, so the replay runs where the run ran.
        let fm = FileManager.default
        let here = fm.currentDirectoryPath
        if fm.fileExists(atPath: manifest.workingDirectory) {
            guard fm.changeCurrentDirectoryPath(manifest.workingDirectory) else {
                throw AuditError(status: 1, "verify: error: cannot enter the run's working directory \(manifest.workingDirectory)")
            }
        } else if !(command.inputs.allSatisfy { $0.hasPrefix("/") }) {
            throw AuditError(status: 1, "verify: error: the run's working directory \(manifest.workingDirectory) no longer exists, and its inputs were given relative to it")
        }
        defer { _ = fm.changeCurrentDirectoryPath(here) }

        let scratch = fm.temporaryDirectory.appendingPathComponent("claimscrub-verify-\(getpid())-\(UUID().uuidString)").path
        defer { try? fm.removeItem(atPath: scratch) }
        let mapping: CSVColumnMapping
        do {
            mapping = try command.csvColumns.map(command.readMapping) ?? CSVColumnMapping()
        } catch {
            throw AuditError(status: 1, "verify: error: the run's --csv-columns file cannot be read: \(error)")
        }
        let options = RunOptions(
            inputs: command.inputs,
            format: InputFormat(rawValue: command.format),
            asOf: asOf,
            jobs: ProcessInfo.processInfo.activeProcessorCount,
            reportFormat: ReportFormat(rawValue: command.reportFormat) ?? .csv,
            csvMapping: mapping,
            overwrite: false,
            fsync: false,
            outDirectory: scratch + "/replay",
            arguments: manifest.arguments,
            writeHTML: !command.noHTML
        )
        SignalCleanup.shared.install()
        let outcome = RunJob.run(options, codeSets: loaded)
        guard [ExitStatus.success, ExitStatus.dataError, ExitStatus.noInput].contains(outcome.status) else {
            throw AuditError(status: ExitStatus.software, "verify: error: the replay failed: \(outcome.message)")
        }
        let replay = try RunManifest.load(runFolder: scratch + "/replay")
        let before = manifest.inputs.map { "\($0.path) \($0.sha256)" }
        let after = replay.inputs.map { "\($0.path) \($0.sha256)" }
        if before != after {
            let added = Set(after).subtracting(before).sorted().first.map { " (now also \($0.split(separator: " ")[0]))" } ?? ""
            throw AuditError(status: 1, "verify: error: the run's arguments now name other input files than the run read\(added)")
        }
        return try RunVerifier.compareReports(manifest, replayFolder: scratch + "/replay")
    }
}
