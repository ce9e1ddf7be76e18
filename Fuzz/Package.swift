// swift-tools-version: 6.1
import PackageDescription

// The fuzz target lives in a package of its own, so that the main package
// never builds it: it only links with libFuzzer (`--sanitize=fuzzer`).
// `.ci/fuzz` builds and runs it.
let package = Package(
    name: "crmql-fuzz",
    dependencies: [
        .package(name: "crmql", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "crmql-fuzz",
            dependencies: [.product(name: "CRMQL", package: "crmql")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
