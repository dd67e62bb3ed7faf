import ClaimscrubCore
import ClaimscrubRun
import Foundation
import Testing

@Suite struct CodeSetLoaderTests {
    @Test func builtInCodeSetsLoadWithoutProblems() throws {
        let loaded = try LoadedCodeSets.load(folder: nil)
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.codeSets.payers.map(\.id) == ["CIGNA", "MOLINA", "BCBSMN", "COHERE", "KPWA", "NORIDIAN"])
        #expect(loaded.codeSets.policies.count == 6)
        #expect(loaded.codeSets.registry["22515"]?.maxUnitsPerClaimAndDay == Units(whole: 4))
    }

    @Test func embeddedCopyMatchesTheCodesetsFolder() throws {
        let folder = packageRoot().appendingPathComponent("codesets").path
        let onDisk = try LoadedCodeSets.readFolder(folder)
        #expect(onDisk.map(\.path) == BuiltInCodeSets.allFiles.map(\.path),
                "codesets/ changed: run scripts/embed-codesets")
        #expect(onDisk.map(\.text) == BuiltInCodeSets.allFiles.map(\.text),
                "codesets/ changed: run scripts/embed-codesets")
    }
}

func packageRoot() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
