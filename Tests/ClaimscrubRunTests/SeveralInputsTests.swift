import Foundation
import Testing

/// Several inputs are read two at a time, yet their rows come out in argument order,
/// each input's rows as a run on it alone gives them, whatever `--jobs` is.
@Suite struct SeveralInputsTests {
    @Test(arguments: ["1", "2", "8"])
    func rowsComeOutInArgumentOrderAsEachInputAloneGivesThem(jobs: String) throws {
        let folder = temporaryFolder()
        // Formats mixed, and each input more than one batch (4,096 lines) long, so that the
        // second reader has batches queued while the first input is still being decided.
        var inputs: [String] = []
        for (index, format) in ["csv", "x12", "xml", "csv", "x12"].enumerated() {
            let name = "input-\(index).\(format)"
            let generated = try runClaimscrub(
                ["generate", "--lines", "\(5000 + 700 * index)", "--seed", "\(20 + index)", "--format", format, "--out", name],
                in: folder
            )
            #expect(generated.status == 0, "\(generated.stderr)")
            inputs.append(name)
        }
        let gzip = try runClaimscrub(["input-3.csv"], binary: "/bin/gzip", in: folder)
        #expect(gzip.status == 0, "\(gzip.stderr)")
        inputs[3] = "input-3.csv.gz"

        let reports = ["accept.csv", "deny.csv", "pend.csv", "claims.csv", "rejects.csv"]
        var expected = Dictionary(uniqueKeysWithValues: reports.map { ($0, "") })
        for (index, input) in inputs.enumerated() {
            let out = "alone-\(index)"
            let alone = try runClaimscrub(["run", input, "--jobs", jobs, "--as-of", "2026-11-23", "--out", out], in: folder)
            #expect(alone.status == 65, "\(alone.stderr)")
            for report in reports {
                let text = try String(contentsOf: folder.appendingPathComponent(out).appendingPathComponent(report), encoding: .utf8)
                // Each report's header once, then every input's rows in turn.
                let header = String(text.prefix { $0 != "\n" }) + "\n"
                if index == 0 { expected[report] = header }
                expected[report]! += text.dropFirst(header.count)
            }
        }

        let together = try runClaimscrub(["run"] + inputs + ["--jobs", jobs, "--as-of", "2026-11-23", "--out", "together"], in: folder)
        #expect(together.status == 65, "\(together.stderr)")
        #expect(together.stderr.contains("from 5 input files"), "\(together.stderr)")
        for report in reports {
            let actual = try String(contentsOf: folder.appendingPathComponent("together").appendingPathComponent(report), encoding: .utf8)
            #expect(actual == expected[report], "--jobs \(jobs): \(report) is not the inputs' rows in argument order")
        }
    }

    /// A folder argument is its regular files (links to them too) in byte order of their
    /// names: not dot files, subfolders or a named pipe, which would hold the run waiting
    /// for a writer (`timeout` turns such a hang into a failure).
    @Test func aFolderIsItsRegularFilesInByteOrder() throws {
        let folder = temporaryFolder()
        let inputs = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let sample = packageRoot().appendingPathComponent("Fixtures/sample-batch.csv")
        for name in ["a.csv", "B.csv", ".hidden.csv", "sub/d.csv"] {
            try FileManager.default.copyItem(at: sample, to: inputs.appendingPathComponent(name))
        }
        try FileManager.default.createSymbolicLink(at: inputs.appendingPathComponent("c.csv"), withDestinationURL: sample)
        #expect(mkfifo(inputs.appendingPathComponent("b-pipe.csv").path, 0o600) == 0)

        let result = try runClaimscrub(
            ["-k", "5", "60", claimscrubBinary(), "run", "in", "--as-of", "2026-11-23", "--out", "run"],
            binary: "/usr/bin/timeout", in: folder
        )
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("from 3 input files"), "\(result.stderr)")
        let claims = try String(contentsOf: folder.appendingPathComponent("run/claims.csv"), encoding: .utf8)
        var files: [String] = []
        for row in claims.split(separator: "\n").dropFirst() {
            let file = String(csvFields(String(row))[1].prefix { $0 != ":" })
            if files.last != file { files.append(file) }
        }
        #expect(files == ["in/B.csv", "in/a.csv", "in/c.csv"])
    }
}
