public import Foundation

/// A new folder for one test's files. Every such folder lies under one folder per test
/// process, removed when the process exits: a folder per test left behind had put
/// thousands of folders (13 GB of runs and batches) in the temporary directory.
public func scratchFolder(_ name: String = "case") -> URL {
    let url = ScratchRoot.url.appendingPathComponent("\(name)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A new file named `name` in its own scratch folder, holding `bytes`.
public func scratchFile(_ name: String, _ bytes: some Sequence<UInt8>) throws -> String {
    let url = scratchFolder("file").appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}

private enum ScratchRoot {
    static let url: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("claimscrub-tests-\(getpid())")
        // A folder of an earlier process with the same id is left over from a crash.
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { removeScratchRoot() }
        return url
    }()
}

private func removeScratchRoot() {
    try? FileManager.default.removeItem(at: ScratchRoot.url)
}
