internal import ArgumentParser
import ClaimscrubCore
import ClaimscrubReaders
import ClaimscrubRun
import Foundation
import Synchronization

@main
struct Claimscrub: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claimscrub",
        abstract: "Scrub medical claim batches for vertebral augmentation, vertebroplasty, sacroplasty and unlisted spine codes.",
        discussion: """
        Reads claim batches as CSV, as X12 837 rendered as XML by pyx12, or as raw X12 837, \
        decides every service line ACCEPT, DENY or PEND by the code registry and the payers' \
        medical policies in force on its date of service, and writes reports that cite the \
        policy version and section behind each decision.
        """,
        version: "0.1.0",
        subcommands: [Run.self, Explain.self, CodeSetsCommand.self, Generate.self, Diff.self, Verify.self]
    )
}

/// Writes one line to standard error (logs and diagnostics never go to stdout).
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Today on the machine's local calendar, the default as-of date.
func today() -> CalendarDate {
    let parts = Calendar.current.dateComponents([.year, .month, .day], from: Date())
    return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)!
}

func parseDate(_ text: String, option: String) throws -> CalendarDate {
    guard let date = CalendarDate(text) else {
        throw ValidationError("\(option) must be a date YYYY-MM-DD, not '\(text)'")
    }
    return date
}

/// Loads the code sets or stops with every problem and exit 78.
func loadCodeSets(_ folder: String?) throws -> LoadedCodeSets {
    try codeSetsOrExit(codeSetsResult(folder), folder: folder)
}

/// The code sets of `folder` (the built-in ones when nil), or why they could not be loaded.
func codeSetsResult(_ folder: String?) -> Result<LoadedCodeSets, CodeSetError> {
    Result { () throws(CodeSetError) in try LoadedCodeSets.load(folder: folder) }
}

/// The loaded code sets; when they could not be loaded, every problem printed and exit 78.
func codeSetsOrExit(_ result: Result<LoadedCodeSets, CodeSetError>, folder: String?) throws -> LoadedCodeSets {
    switch result {
    case .success(let loaded):
        return loaded
    case .failure(let error):
        for problem in error.problems { printError(codeSetLine(problem, folder: folder)) }
        printError("claimscrub: error: the code sets are invalid (\(error.problems.filter { $0.severity == .error }.count) errors)")
        throw ExitCode(ExitStatus.config)
    }
}

/// The code sets loaded on a thread of their own, so that `run` reads its first batches
/// meanwhile (see `RunJob.run(_:codeSetsWhenReady:)`).
final class CodeSetsLoading: Sendable {
    private let folder: String?
    private let result = Mutex<Result<LoadedCodeSets, CodeSetError>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    init(folder: String?) {
        self.folder = folder
        let thread = Thread { [self] in
            let loaded = codeSetsResult(folder)
            result.withLock { $0 = loaded }
            done.signal()
        }
        // As much stack as the main thread, where the code sets were loaded before: a
        // deeply nested YAML file is parsed recursively.
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits for the loading; as `loadCodeSets`, stops with every problem and exit 78.
    func wait() throws -> LoadedCodeSets {
        done.wait()
        // Signalled again for any later wait.
        done.signal()
        return try codeSetsOrExit(result.withLock { $0! }, folder: folder)
    }
}

func codeSetLine(_ problem: CodeSetProblem, folder: String?) -> String {
    let base = folder.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? "codesets/"
    return "\(base)\(problem.file):\(problem.line): \(problem.severity.rawValue): \(problem.message)"
}
