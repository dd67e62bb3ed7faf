public import ClaimscrubCore
import Crypto
import Foundation

/// The code sets compiled into the executable from `codesets/` (scripts/embed-codesets).
public enum BuiltInCodeSets {
    /// The embedded files, sorted by relative path.
    public static var allFiles: [CodeSetFile] { files }
}

/// Loaded code sets with what the manifest records of them.
public struct LoadedCodeSets: Sendable {
    public var codeSets: CodeSets
    public var warnings: [CodeSetProblem]
    /// SHA-256 over the files sorted by relative path: path, NUL, bytes, NUL each (outputs.md).
    public var fingerprint: String
    /// `built-in` or the folder given.
    public var source: String

    /// Loads the built-in code sets, or those of `folder`.
    public static func load(folder: String?) throws(CodeSetError) -> LoadedCodeSets {
        let files: [CodeSetFile]
        if let folder {
            files = try readFolder(folder)
        } else {
            files = BuiltInCodeSets.allFiles
        }
        let (codeSets, warnings) = try CodeSetLoader.load(files)
        return LoadedCodeSets(
            codeSets: codeSets, warnings: warnings, fingerprint: fingerprint(files), source: folder ?? "built-in"
        )
    }

    public static func fingerprint(_ files: [CodeSetFile]) -> String {
        var hasher = SHA256()
        for file in files.sorted(by: { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }) {
            hasher.update(data: Array(file.path.utf8))
            hasher.update(data: [0])
            hasher.update(data: Array(file.text.utf8))
            hasher.update(data: [0])
        }
        return hasher.finalize().map { byteHex($0) }.joined()
    }

    /// The `.yaml` files under `folder`, with paths relative to it.
    public static func readFolder(_ folder: String) throws(CodeSetError) -> [CodeSetFile] {
        let base = URL(fileURLWithPath: folder)
        guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else {
            throw CodeSetError(problems: [.init(file: folder, line: 1, severity: .error, message: "cannot read the code-set folder")])
        }
        var files: [CodeSetFile] = []
        var problems: [CodeSetProblem] = []
        let prefix = base.standardizedFileURL.path + "/"
        for case let url as URL in enumerator where url.pathExtension == "yaml" {
            let path = String(url.standardizedFileURL.path.dropFirst(prefix.count))
            guard let data = FileManager.default.contents(atPath: url.path) else {
                problems.append(.init(file: path, line: 1, severity: .error, message: "cannot read the file"))
                continue
            }
            files.append(CodeSetFile(path: path, text: String(decoding: data, as: UTF8.self)))
        }
        if !problems.isEmpty { throw CodeSetError(problems: problems) }
        if files.isEmpty {
            throw CodeSetError(problems: [.init(file: folder, line: 1, severity: .error, message: "no .yaml code-set files in the folder")])
        }
        return files.sorted { $0.path < $1.path }
    }
}

func byteHex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
}
