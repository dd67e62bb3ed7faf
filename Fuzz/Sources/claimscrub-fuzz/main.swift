import CFuzzDriver
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

// Usage: CLAIMSCRUB_FUZZ_TARGET=csv|xml|x12|codesets claimscrub-fuzz [libFuzzer options] [CORPUS...]
// (scripts/fuzz). A SwiftPM executable has its own main, so libFuzzer is started here
// through LLVMFuzzerRunDriver; libFuzzer keeps argv for the process lifetime.
fputs("claimscrub-fuzz: started by the Swift main, calling LLVMFuzzerRunDriver\n", stderr)
let arguments = CommandLine.arguments
let table = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: arguments.count + 1)
for (index, argument) in arguments.enumerated() { table[index] = strdup(argument) }
table[arguments.count] = nil
var argc = Int32(arguments.count)
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = table
let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    fuzzTestOneInput(data, size)
}
unlink(FuzzHarness.scratchPath)
exit(status)
