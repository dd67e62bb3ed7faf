import Foundation
import Testing

/// What `--progress always` draws for inputs whose bytes read are not their bytes on disk
/// (`.gz`) or whose size is unknown up front (a pipe).
@Suite struct ProgressLineTests {
    @Test func aCompressedInputIsMeasuredAgainstItsSizeOnDisk() throws {
        let folder = temporaryFolder()
        let plain = try progressBatch(in: folder)
        #expect(try runClaimscrub(["-k", plain], binary: "/bin/gzip", in: folder).status == 0)
        let compressed = plain + ".gz"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: compressed)[.size] as? NSNumber).int64Value
        let run = try runClaimscrub(["run", compressed, "--progress", "always", "--as-of", "2026-11-23", "--out", folder.appendingPathComponent("run").path])
        #expect(run.status == 65, "\(run.stderr)")
        let frames = run.stderr.matches(of: #/\] +([0-9]+)%  ([0-9.]+) MB of ([0-9.]+) MB/#)
        #expect(!frames.isEmpty, "no progress frame in \(run.stderr.debugDescription)")
        let total = String(format: "%.1f", Double(size) / 1_000_000)
        for frame in frames {
            // Counted in decompressed bytes, the line showed several times the file's size
            // read, and 100%, with most of the file still to come.
            #expect(frame.output.3 == total[...])
            #expect(try #require(Double(frame.output.2)) <= Double(size) / 1_000_000 + 0.05, "\(frame.output.0)")
        }
    }

    @Test func aPipeShowsWhatWasReadWithoutAShareOrATimeLeft() throws {
        let folder = temporaryFolder()
        let input = try progressBatch(in: folder)
        let pipe = folder.appendingPathComponent("pipe.csv").path
        let run = try feedingPipe(pipe, from: input) {
            try runClaimscrub(["run", pipe, "--progress", "always", "--as-of", "2026-11-23", "--out", folder.appendingPathComponent("run").path])
        }
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.contains(" claims, 50000 service lines "), "\(run.stderr)")
        // Its size was taken as 0: a full bar, 100% and "of 0.0 MB" from the first frame.
        let frame = try Regex(#"\r\[size unknown\] [0-9.]+ MB read  [0-9]+ claims/s\x{1B}\[K"#)
        #expect(run.stderr.contains(frame), "no progress frame in \(run.stderr.debugDescription)")
        #expect(!run.stderr.contains("ETA"))
        #expect(!run.stderr.contains("%"))
    }
}
