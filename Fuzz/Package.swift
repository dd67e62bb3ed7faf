// swift-tools-version: 6.1
import PackageDescription

// libFuzzer harnesses for the readers and the code-set loader: see scripts/fuzz.
// A separate package so that the sanitizer flags never reach the product's build.
let package = Package(
    name: "claimscrub-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "claimscrub", path: "../"),
    ],
    targets: [
        // Declares libFuzzer's LLVMFuzzerRunDriver: the Swift executable keeps its own
        // main, so libFuzzer's main is never linked and the driver must be called.
        .target(name: "CFuzzDriver"),
        .executableTarget(
            name: "claimscrub-fuzz",
            dependencies: [
                "CFuzzDriver",
                .product(name: "ClaimscrubReaders", package: "claimscrub"),
                .product(name: "ClaimscrubRun", package: "claimscrub"),
                .product(name: "ClaimscrubCore", package: "claimscrub"),
            ]
        ),
    ]
)

for target in package.targets {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
