internal import ArgumentParser
import ClaimscrubRun

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two finished runs line by line and write changes.csv, changes.json and changes.html.",
        discussion: """
        Lines match by claim id, line number and occurrence (repeats of the same pair counted \
        in input order), so runs of the same claims in different input formats or as of \
        different dates compare. changes.csv lists every line whose decision, primary reason, \
        policy or policy version changed, and lines present in only one run (the other side \
        empty); changes.json counts lines by transition, e.g. \
        "ACCEPT/NO_EDIT -> PEND/POLICY_NOT_IN_FORCE"; changes.html shows both for people.

        Memory stays bounded whatever the runs' size: lines are sorted on disk in a hidden \
        .claimscrub-diff-* folder next to the --out folder, removed when the diff ends.

        Example:
          claimscrub run batch.csv --as-of 2024-10-01 --out runs/then
          claimscrub run batch.csv --as-of 2026-11-23 --out runs/now
          claimscrub diff runs/then runs/now --out runs/then-vs-now

        Exit status: 0 compared (whether or not lines changed); 1 a folder is not a finished \
        run or a report cannot be read; 74 the output cannot be written.
        """
    )

    @Argument(help: "The earlier (or reference) run folder.")
    var runA: String

    @Argument(help: "The run folder to compare with it.")
    var runB: String

    @Option(help: "Folder for changes.csv, changes.json and changes.html.")
    var out: String

    func run() throws {
        // SIGINT or SIGTERM removes the sort's scratch folder before exiting.
        SignalCleanup.shared.install()
        do {
            let summary = try RunDiff.run(runA, runB, outFolder: out)
            print("compared \(summary.linesA) lines with \(summary.linesB): \(summary.changed) changed, \(summary.onlyInA) only in \(runA), \(summary.onlyInB) only in \(runB); changes are in \(out)")
        } catch {
            printError(error.message)
            throw ExitCode(error.status)
        }
    }
}
