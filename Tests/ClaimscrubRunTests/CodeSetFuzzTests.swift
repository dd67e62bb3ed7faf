import ClaimscrubCore
import ClaimscrubRun
import Foundation
import Testing

/// The code-set loader on broken input (quality.md "Reliability"): the committed corpus
/// `Fixtures/fuzz/codesets/` replayed as `scripts/fuzz codesets` feeds it, and a seeded
/// mutation pass over the shipped `codesets/`. Every input loads, or is refused with
/// errors that each name a file of the set and a line in it (what exit 78 prints); none
/// may crash or hang the loader.
@Suite struct CodeSetFuzzTests {
    /// The file a corpus input replaces, by its first byte: as in Fuzz/'s FuzzHarness.
    static let replaced = ["registry.yaml", "diagnosis-lists.yaml", "payers.yaml", "policies/fuzz.yaml"]

    static let corpus: [URL] = {
        let folder = packageRoot().appendingPathComponent("Fixtures/fuzz/codesets")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { folder.appendingPathComponent($0) }
    }()

    static let shipped: [CodeSetFile] = {
        (try? LoadedCodeSets.readFolder(packageRoot().appendingPathComponent("codesets").path)) ?? []
    }()

    /// `files` with `path` replaced by (or, if new, added as) `text`.
    static func files(_ files: [CodeSetFile], replacing path: String, with text: String) -> [CodeSetFile] {
        files.filter { $0.path != path } + [CodeSetFile(path: path, text: text)]
    }

    /// Loads `files`, or checks that the refusal names a file of the set and a line in it.
    /// Returns whether they loaded.
    @discardableResult
    static func loadOrRefuse(_ files: [CodeSetFile], label: String) -> Bool {
        do {
            _ = try CodeSetLoader.load(files)
            return true
        } catch {
            #expect(error.problems.contains { $0.severity == .error }, "\(label): refused without an error")
            let lineCounts = Dictionary(files.map { ($0.path, yamlLines($0.text)) }, uniquingKeysWith: max)
            for problem in error.problems {
                guard let lines = lineCounts[problem.file] else {
                    Issue.record("\(label): \(problem) names no file of the set")
                    continue
                }
                #expect((1...lines).contains(problem.line), "\(label): \(problem) is outside the file's \(lines) lines")
                #expect(!problem.message.isEmpty, "\(label): \(problem.file):\(problem.line) without a message")
                #expect(problem.description.hasPrefix("\(problem.file):\(problem.line): \(problem.severity.rawValue): "))
            }
            return false
        }
    }

    @Test func everyCorpusInputLoadsOrIsRefusedWithFileAndLine() throws {
        #expect(Self.corpus.count >= 4, "Fixtures/fuzz/codesets is missing its seeds")
        #expect(!Self.shipped.isEmpty)
        var loaded = 0
        for url in Self.corpus {
            let bytes = try [UInt8](Data(contentsOf: url))
            guard let selector = bytes.first else { continue }
            let path = Self.replaced[Int(selector) % Self.replaced.count]
            let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
            if Self.loadOrRefuse(Self.files(BuiltInCodeSets.allFiles, replacing: path, with: text), label: url.lastPathComponent) {
                loaded += 1
            }
        }
        // The seeds are the shipped files behind a selector byte: the first three load as they are.
        #expect(loaded >= 3)
    }

    @Test func entityExpansionStyleAliasesAreRefusedQuickly() throws {
        // "Billion laughs" in YAML: nine levels of ten aliases under a rule's codes.
        var text = "lol0: &l0 [\"22513\", \"22513\", \"22513\", \"22513\", \"22513\", \"22513\", \"22513\", \"22513\", \"22513\", \"22513\"]\n"
        for level in 1...9 {
            text += "lol\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let policy = try #require(Self.shipped.first { $0.path == "policies/cigna-0040.yaml" })
        text += policy.text.replacingOccurrences(of: "codes: [\"0200T\", \"0201T\"]", with: "codes: *l9")
        #expect(text.contains("codes: *l9"))
        #expect(!Self.loadOrRefuse(Self.files(Self.shipped, replacing: policy.path, with: text), label: "aliases"))
    }

    @Test func seededMutationsOfTheShippedCodeSetsLoadOrAreRefused() throws {
        var mutator = YAMLMutator(seed: 0xC0DE_5E75)
        var loaded = 0, refused = 0
        for iteration in 0..<250 {
            let original = Self.shipped[mutator.below(Self.shipped.count)]
            let text = mutator.mutate(original.text)
            if Self.loadOrRefuse(Self.files(Self.shipped, replacing: original.path, with: text), label: "mutation \(iteration) of \(original.path)") {
                loaded += 1
            } else {
                refused += 1
            }
        }
        // Both outcomes occur, or the mutations are too weak (or too strong) to test much.
        #expect(loaded > 0 && refused > 0, "\(loaded) loaded, \(refused) refused")
    }
}

/// Lines as YAML counts them: LF, CR LF and a lone CR each end one.
private func yamlLines(_ text: String) -> Int {
    var lines = 1
    var previous: UInt8 = 0
    for byte in text.utf8 {
        if byte == 0x0A && previous != 0x0D { lines += 1 }
        if byte == 0x0D { lines += 1 }
        previous = byte
    }
    return lines
}

/// Seeded mutations of YAML text: whole lines dropped, repeated, swapped or re-indented,
/// YAML syntax and odd values inserted, bytes flipped, the text cut short.
private struct YAMLMutator {
    private var random: SplitMix64
    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func below(_ bound: Int) -> Int { random.below(bound) }

    static let tokens = [
        ": ", "- ", "&x ", "*x", "<<: *x\n", "!!binary ", "!!str ", "{", "}", "[", "]", "'", "\"", "\t", "# ", "? ", "|\n",
        ">\n", "---\n", "...\n", "~", "null", "2024-02-30", "9999-99-99", "0000-00-00", "99999999999999999999", "-1", "0x1F",
        ".inf", "\u{0}", "\u{FEFF}", "\r", "effective_to: 2000-01-01\n", "codes: []\n", "- id: x\n", "action: deny\n",
        "\u{E9}", "\u{FFFD}", String(repeating: "[", count: 200), String(repeating: "  ", count: 100),
    ]

    mutating func mutate(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<(1 + below(4)) {
            guard !lines.isEmpty else { break }
            let at = below(lines.count)
            switch below(8) {
            case 0: lines.remove(at: at)
            case 1: lines.insert(lines[at], at: below(lines.count + 1))
            case 2: lines.swapAt(at, below(lines.count))
            case 3: lines[at] = below(2) == 0 ? "  " + lines[at] : String(lines[at].drop { $0 == " " })
            case 4, 5:
                var scalars = Array(lines[at].unicodeScalars)
                let token = Self.tokens[below(Self.tokens.count)]
                scalars.insert(contentsOf: token.unicodeScalars, at: below(scalars.count + 1))
                lines[at] = String(String.UnicodeScalarView(scalars))
            case 6:
                var bytes = Array(lines[at].utf8)
                if !bytes.isEmpty { bytes[below(bytes.count)] ^= UInt8(1 << below(8)) }
                lines[at] = String(decoding: bytes, as: UTF8.self)
            default:
                lines.removeSubrange(at...)
            }
        }
        return lines.joined(separator: "\n")
    }
}
