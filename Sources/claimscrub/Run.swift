internal import ArgumentParser
import ClaimscrubCore
import ClaimscrubReaders
import ClaimscrubRun
import Foundation
import Yams


struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Scrub claim files or folders and write a run folder of reports.",
        discussion: """
        Examples:
          claimscrub run Fixtures/sample-batch.csv --out runs/today
          claimscrub run batches/ --as-of 2024-10-01 --out runs/replay-2024-10-01
          claimscrub run claims.edi.gz --format x12 --report-format jsonl --out runs/x12

        Exit status: 0 all decided with no INVALID_DATA and no reject; 65 some input rejected \
        or some line INVALID_DATA; 66 an input could not be opened; 64 bad command line; \
        70 internal error; 73 --out holds a finished run; 74 output cannot be written; \
        78 invalid code sets.
        """
    )

    @Argument(help: "Input files or folders (a folder: its regular files, sorted by name).")
    var inputs: [String]

    @Option(help: "Output run folder.")
    var out: String

    @Option(help: "Input format: auto, csv, xml or x12 (auto detects from content).")
    var format: String = "auto"

    @Option(help: "Code-set folder replacing the built-in code sets.")
    var codesets: String?

    @Option(name: .customLong("as-of"), help: "Knowledge date YYYY-MM-DD for replays (default: today).")
    var asOf: String?

    @Option(help: "Threads that decide claims (default: active processor count).")
    var jobs: Int?

    @Option(name: .customLong("report-format"), help: "csv or jsonl.")
    var reportFormat: String = "csv"

    @Option(name: .customLong("csv-columns"), help: "YAML or JSON mapping of canonical column -> your header.")
    var csvColumns: String?

    @Flag(help: "Replace a finished run at --out.")
    var overwrite = false

    @Flag(help: "fsync every report before the run folder is renamed into place.")
    var fsync = false

    @Flag(name: .customLong("no-html"), help: "Do not write summary.html.")
    var noHTML = false

    @Option(help: "Progress bar: auto, always or never.")
    var progress: String = "auto"

    @Flag(help: "Only errors on stderr.")
    var quiet = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if format != "auto" && InputFormat(rawValue: format) == nil {
            throw ValidationError("--format must be auto, csv, xml or x12")
        }
        if ReportFormat(rawValue: reportFormat) == nil { throw ValidationError("--report-format must be csv or jsonl") }
        if !["auto", "always", "never"].contains(progress) {
            throw ValidationError("--progress must be auto, always or never")
        }
    }

    func run() throws {
        // Loaded beside the reading of the first batches (`RunJob.run(_:codeSetsWhenReady:)`),
        // on a thread started once the process is set up for the run's threads.
        RunJob.prepareProcess()
        let codeSets = CodeSetsLoading(folder: codesets)
        let mapping: CSVColumnMapping
        let asOfDate: CalendarDate
        do {
            mapping = try csvColumns.map(readMapping) ?? CSVColumnMapping()
            asOfDate = try asOf.map { try parseDate($0, option: "--as-of") } ?? today()
        } catch {
            // The code sets' problems first, as when they were loaded before anything else.
            _ = try codeSets.wait()
            throw error
        }
        var options = RunOptions(
            inputs: inputs,
            format: InputFormat(rawValue: format),
            asOf: asOfDate,
            jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
            reportFormat: ReportFormat(rawValue: reportFormat) ?? .csv,
            csvMapping: mapping,
            overwrite: overwrite,
            fsync: fsync,
            outDirectory: out,
            arguments: Array(CommandLine.arguments.dropFirst()),
            writeHTML: !noHTML
        )
        // auto: only when stderr is a terminal; --quiet silences it too.
        options.showProgress = !quiet && (progress == "always" || (progress == "auto" && isatty(STDERR_FILENO) == 1))
        SignalCleanup.shared.install()
        // Nil: the code sets could not be loaded, their problems printed.
        guard let outcome = RunJob.run(options, codeSetsWhenReady: { try? codeSets.wait() }) else {
            throw ExitCode(ExitStatus.config)
        }
        if outcome.status == ExitStatus.success || outcome.status == ExitStatus.dataError || outcome.status == ExitStatus.noInput {
            if !quiet { printError(outcome.message) }
        } else {
            printError("claimscrub: " + outcome.message)
        }
        if outcome.status != 0 { throw ExitCode(outcome.status) }
    }

    /// `--csv-columns`: canonical column -> header name, or a list of names for diagnosis_codes.
    func readMapping(_ path: String) throws -> CSVColumnMapping {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--csv-columns: cannot read \(path)")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: String(decoding: data, as: UTF8.self))
        } catch {
            throw ValidationError("--csv-columns: \(path) is not YAML or JSON: \(error)")
        }
        guard let mapping = node?.mapping else {
            throw ValidationError("--csv-columns: \(path) must map canonical column names to header names")
        }
        var headers: [ClaimField: [String]] = [:]
        for (key, value) in mapping {
            guard let name = key.string, let field = ClaimField(rawValue: name), field != .record else {
                throw ValidationError("--csv-columns: unknown canonical column '\(key.string ?? "?")'")
            }
            if let single = value.string, value.scalar != nil {
                headers[field] = [single]
            } else if let list = value.sequence, field == .diagnosisCodes {
                headers[field] = list.compactMap(\.string)
            } else {
                throw ValidationError("--csv-columns: '\(name)' must name one header (a list only for diagnosis_codes)")
            }
        }
        return CSVColumnMapping(headers: headers)
    }
}
