internal import ArgumentParser
import ClaimscrubCore
import ClaimscrubRun

struct CodeSetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codesets",
        abstract: "Check or list the code sets.",
        subcommands: [Lint.self, Show.self]
    )

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the code sets (built-in, or DIR); every problem with file and line; exit 78 on errors.",
            discussion: "Example:\n  claimscrub codesets lint my-codesets/"
        )
        @Argument(help: "Code-set folder (default: the built-in code sets).") var directory: String?

        func run() throws {
            let loaded = try loadCodeSets(directory)
            for warning in loaded.warnings { print(codeSetLine(warning, folder: directory)) }
            let sets = loaded.codeSets
            print("ok: \(sets.registry.count) codes, \(sets.diagnosisLists.count) diagnosis lists, \(sets.payers.count) payers, \(sets.policies.count) policies, \(loaded.warnings.count) warnings (\(loaded.source))")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List payers, policies and versions with their ranges and published dates, diagnosis lists, and codes."
        )
        @Argument(help: "Code-set folder (default: the built-in code sets).") var directory: String?

        func run() throws {
            let sets = try loadCodeSets(directory).codeSets
            print("Payers")
            for payer in sets.payers {
                print("  \(payer.id)  \(payer.name): \(payer.policyIDs.joined(separator: ", "))")
            }
            print("\nPolicies")
            for id in sets.policies.keys.sorted() {
                let policy = sets.policies[id]!
                print("  \(policy.id)  \(policy.title)  [source \(policy.source)]")
                for version in policy.versions {
                    let from = version.effective.from?.description ?? "(open)"
                    let to = version.effective.to?.description ?? "(open)"
                    let published = version.published?.description ?? "not stated"
                    print("    version \(version.id): effective \(from) to \(to) (exclusive), published \(published), \(version.rules.count) rules")
                }
            }
            print("\nDiagnosis lists")
            for name in sets.diagnosisLists.keys.sorted() {
                print("  \(name): \(sets.diagnosisLists[name]!.prefixes.joined(separator: ", "))")
            }
            print("\nCodes")
            for code in sets.registry.keys.sorted() {
                let entry = sets.registry[code]!
                let from = entry.effective.from?.description ?? "(open)"
                let to = entry.effective.to?.description ?? "(open)"
                print("  \(code)  \(from) to \(to)  \(entry.descriptor)")
            }
        }
    }
}
