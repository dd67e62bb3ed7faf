// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "claimscrub",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "claimscrub", targets: ["claimscrub"]),
        // For the fuzz harnesses in Fuzz/, a separate package.
        .library(name: "ClaimscrubCore", targets: ["ClaimscrubCore"]),
        .library(name: "ClaimscrubReaders", targets: ["ClaimscrubReaders"]),
        .library(name: "ClaimscrubRun", targets: ["ClaimscrubRun"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // Claim model, code sets and decision engine: values in, decisions out. No I/O, no Foundation.
        .target(name: "ClaimscrubCore"),
        // libxml2's flags only; its headers are included by CClaimscrubXML alone (STYLE.md).
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "CClaimscrubXML", dependencies: ["CLibXML2"]),
        // Byte sources and the CSV, pyx12 XML and raw X12 readers.
        .target(
            name: "ClaimscrubReaders",
            dependencies: ["ClaimscrubCore", "CClaimscrubXML", "CZlib"]
        ),
        // Code-set loading, report writers, the pipeline and the run folder.
        .target(
            name: "ClaimscrubRun",
            dependencies: [
                "ClaimscrubCore", "ClaimscrubReaders",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "claimscrub",
            dependencies: [
                "ClaimscrubCore", "ClaimscrubRun", "ClaimscrubReaders",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Scratch folders for the tests' files, removed when the test process exits.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ClaimscrubCoreTests", dependencies: ["ClaimscrubCore"]),
        .testTarget(name: "ClaimscrubReadersTests", dependencies: ["ClaimscrubReaders", "ClaimscrubCore", "TestSupport"]),
        .testTarget(
            name: "ClaimscrubRunTests",
            dependencies: ["ClaimscrubRun", "ClaimscrubCore", "ClaimscrubReaders", "claimscrub", "TestSupport"]
        ),
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    if target.type == .regular {
        // Release builds skip the run-time exclusivity checks: the readers' per-node state lives in
        // classes, where each access was checked, a seventh of the XML path's instructions. Debug
        // builds, which the tests run, keep the checks, so a violation still fails there.
        settings.append(.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)))
    }
    target.swiftSettings = settings
}
