import Foundation
import Testing

/// util-linux `script` (Debian: bsdutils), which runs a command under a new pseudo-terminal.
let scriptTool = ["/usr/bin/script", "/bin/script"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// `--progress auto` as a user at a terminal sees it: the run's stderr is a real
/// pseudo-terminal, its stdout a file.
@Suite(.enabled(if: scriptTool != nil, "util-linux script is not installed (apt-get install bsdutils)"))
struct ProgressTerminalTests {
    /// Runs `claimscrub arguments` under `script`, stdout redirected to `stdout` inside the
    /// terminal; returns the exit status and what the terminal received.
    private func runUnderTerminal(_ arguments: [String], stdout: URL) throws -> (status: Int32, terminal: String) {
        func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }
        let command = ([claimscrubBinary()] + arguments).map(quoted).joined(separator: " ") + " > " + quoted(stdout.path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: scriptTool ?? "/usr/bin/script")
        // -q: no "Script started" lines; -f: flush as written; -e: the command's exit status;
        // the typescript itself is not needed.
        process.arguments = ["-qfec", command, "/dev/null"]
        process.currentDirectoryURL = packageRoot()
        process.standardInput = FileHandle.nullDevice
        let terminal = Pipe()
        process.standardOutput = terminal
        process.standardError = FileHandle.nullDevice
        try process.run()
        let bytes = terminal.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: bytes, as: UTF8.self))
    }

    @Test func autoDrawsABarRedrawnInPlaceOnATerminalAndNothingOnStdout() throws {
        let folder = temporaryFolder()
        let input = try progressBatch(in: folder)
        let stdout = folder.appendingPathComponent("stdout.txt")
        let run = try runUnderTerminal(["run", input, "--as-of", "2026-11-23", "--out", folder.appendingPathComponent("run").path], stdout: stdout)
        // 65: the generator writes some invalid lines on purpose.
        #expect(run.status == 65, "\(run.terminal)")
        // One frame: carriage return, a 30-cell bar, percent, bytes of the total, claims per
        // second, time left, and erase-to-end-of-line.
        let frame = try Regex(#"\r\[[#-]{30}\] +[0-9]+%  [0-9.]+ MB of [0-9.]+ MB  [0-9]+ claims/s  ETA [0-9]+:[0-9]{2}\x{1B}\[K"#)
        #expect(run.terminal.contains(frame), "no progress frame in \(run.terminal.debugDescription)")
        // The bar is cleared before the closing summary, so the summary starts clean.
        #expect(run.terminal.contains("\r\u{1B}[KScrubbed "))
        #expect(try String(contentsOf: stdout, encoding: .utf8).isEmpty)
    }

    @Test(arguments: [["--quiet"], ["--progress", "always", "--quiet"], ["--progress", "never"]])
    func quietOrNeverDrawsNothingOnATerminal(options: [String]) throws {
        let folder = temporaryFolder()
        let input = try progressBatch(in: folder)
        let stdout = folder.appendingPathComponent("stdout.txt")
        let run = try runUnderTerminal(["run", input, "--as-of", "2026-11-23", "--out", folder.appendingPathComponent("run").path] + options, stdout: stdout)
        #expect(run.status == 65, "\(run.terminal)")
        #expect(!run.terminal.contains("\r["))
        #expect(!run.terminal.contains("claims/s"))
        if options.contains("--quiet") {
            #expect(run.terminal.isEmpty, "\(run.terminal.debugDescription)")
        } else {
            #expect(run.terminal.contains("Scrubbed "))
        }
        #expect(try String(contentsOf: stdout, encoding: .utf8).isEmpty)
    }
}
