internal import ArgumentParser
import ClaimscrubRun


struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a deterministic synthetic batch that exercises every policy and edit.",
        discussion: """
        Dates of service fall between 2019-01-01 and 2026-10-31, never relative to today. \
        The same seed gives the same claims in CSV, raw X12 and pyx12-style XML.

        Example:
          claimscrub generate --lines 100000 --format csv --seed 7 --out /tmp/batch.csv
        """
    )

    @Option(help: "Number of service lines.")
    var lines: Int

    @Option(help: "csv, xml or x12.")
    var format: String = "csv"

    @Option(help: "Seed (an unsigned 64-bit number).")
    var seed: UInt64 = 1

    @Option(help: "File to write.")
    var out: String

    func validate() throws {
        if lines < 0 { throw ValidationError("--lines must be 0 or more") }
        if BatchFormat(rawValue: format) == nil { throw ValidationError("--format must be csv, xml or x12") }
    }

    func run() throws {
        do {
            try BatchGenerator.writeBatch(lines: lines, seed: seed, format: BatchFormat(rawValue: format) ?? .csv, to: out)
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.ioError)
        }
    }
}
