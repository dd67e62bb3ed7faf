@testable import ClaimscrubRun
import Foundation
import Testing

/// The manifest holds each input's size and SHA-256 as sha256sum sees it, and an input is
/// read once: a pipe gives the same run as the file it carries.
@Suite struct InputDigestTests {
    @Test(arguments: ["csv", "x12", "xml"])
    func theManifestHashesEachInputAsSha256sumDoes(format: String) throws {
        let folder = temporaryFolder()
        let batch = folder.appendingPathComponent("batch.\(format)").path
        #expect(try runClaimscrub(["generate", "--lines", "2000", "--seed", "3", "--format", format, "--out", batch]).status == 0)
        let gzip = try runClaimscrub(["-k", batch], binary: "/bin/gzip", in: folder)
        #expect(gzip.status == 0, "\(gzip.stderr)")
        // A header without the required columns: the reader stops at the first row, and the
        // whole file is still hashed.
        let unread = folder.appendingPathComponent("unread.csv")
        try Data(("no,such,columns\n" + String(repeating: "a,b,c\n", count: 400_000)).utf8).write(to: unread)
        let inputs = [batch, batch + ".gz", unread.path]

        let out = folder.appendingPathComponent("run")
        let result = try runClaimscrub(["run"] + inputs + ["--as-of", "2026-11-23", "--out", out.path])
        #expect(result.status == 65, "\(result.stderr)")
        let recorded = try manifestInputs(out)
        let checked = try runClaimscrub(inputs, binary: "/usr/bin/sha256sum")
        #expect(checked.status == 0)
        let expected = checked.stdout.split(separator: "\n").map { String($0.prefix(64)) }
        #expect(expected.count == inputs.count)
        for (index, input) in inputs.enumerated() {
            let size = try #require(try FileManager.default.attributesOfItem(atPath: input)[.size] as? NSNumber)
            #expect(recorded[input]?.sha256 == expected[index], "\(input): the manifest's SHA-256 differs from sha256sum's")
            #expect(recorded[input]?.bytes == size.int64Value, "\(input): the manifest's size differs from the file's")
        }
    }

    /// A digest stopped part-way takes none of what it is shown after, and `finish` reads
    /// the file from where it stopped: the run stops an XML reader's digest once the reader
    /// is made (its reading thread has no time to spare) and hashes the file apart.
    @Test(.timeLimit(.minutes(1))) func aDigestStoppedPartWayFinishesFromWhereItStopped() throws {
        let content = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        let file = temporaryFolder().appendingPathComponent("input.bin")
        try Data(content).write(to: file)
        let digest = InputDigest()
        content[..<5_000].withUnsafeBytes { digest.observe($0) }
        digest.stopObserving()
        // Bytes the reader reads on (here other bytes): not the digest's any more.
        [UInt8](repeating: 0, count: 4_000).withUnsafeBytes { digest.observe($0) }
        let result = try #require(digest.finish(path: file.path))
        let checked = try runClaimscrub([file.path], binary: "/usr/bin/sha256sum")
        #expect(checked.status == 0)
        #expect(result.sha256 == String(checked.stdout.prefix(64)))
        #expect(result.bytes == Int64(content.count))
    }

    /// A named pipe is read once: the format is detected from the bytes the reader then
    /// reads, and the manifest hashes what came through the pipe. The run on the pipe
    /// names its input as the run on the file does, so their reports are the same bytes.
    @Test(arguments: ["csv", "x12", "xml"])
    func aPipeGivesTheSameReportsAsTheFileItCarries(format: String) throws {
        let fileFolder = temporaryFolder()
        let name = "batch.\(format)"
        let batch = fileFolder.appendingPathComponent(name).path
        #expect(try runClaimscrub(["generate", "--lines", "3000", "--seed", "9", "--format", format, "--out", batch]).status == 0)
        let fromFile = fileFolder.appendingPathComponent("run")
        let fileRun = try runClaimscrub(["run", name, "--as-of", "2026-11-23", "--out", fromFile.path], in: fileFolder)
        #expect(fileRun.status == 65, "\(fileRun.stderr)")
        #expect(fileRun.stderr.contains(" claims, 3000 service lines "), "\(fileRun.stderr)")

        let pipeFolder = temporaryFolder()
        let pipe = pipeFolder.appendingPathComponent(name).path
        let fromPipe = pipeFolder.appendingPathComponent("run")
        let pipeRun = try feedingPipe(pipe, from: batch) {
            try runClaimscrub(["run", name, "--as-of", "2026-11-23", "--out", fromPipe.path], in: pipeFolder)
        }
        #expect(pipeRun.status == 65, "\(pipeRun.stderr)")
        #expect(pipeRun.stderr.contains(" claims, 3000 service lines "), "\(pipeRun.stderr)")

        for report in ["accept.csv", "deny.csv", "pend.csv", "claims.csv", "rejects.csv", "summary.json"] {
            let expected = try Data(contentsOf: fromFile.appendingPathComponent(report))
            let actual = try Data(contentsOf: fromPipe.appendingPathComponent(report))
            #expect(actual == expected, "\(format): \(report) from the pipe differs from the file's")
        }
        #expect(try manifestInputs(fromPipe)[name]?.sha256 == manifestInputs(fromFile)[name]?.sha256)
        #expect(try manifestInputs(fromPipe)[name]?.bytes == manifestInputs(fromFile)[name]?.bytes)
    }
}

/// The manifest's inputs by the path they were given as: bytes and SHA-256.
private func manifestInputs(_ runFolder: URL) throws -> [String: (bytes: Int64, sha256: String)] {
    let data = try Data(contentsOf: runFolder.appendingPathComponent("manifest.json"))
    let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let inputs = try #require(manifest["inputs"] as? [[String: Any]])
    var byPath: [String: (bytes: Int64, sha256: String)] = [:]
    for input in inputs {
        let path = try #require(input["path"] as? String)
        byPath[path] = ((input["bytes"] as? NSNumber)?.int64Value ?? -1, input["sha256"] as? String ?? "")
    }
    return byPath
}
