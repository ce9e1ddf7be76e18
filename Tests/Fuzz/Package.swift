// swift-tools-version: 6.1
import PackageDescription

// Programs that build with a sanitizer, in a package of their own so that
// the main package (and `swift test`) never builds them:
// - `crmql-fuzz` only links with libFuzzer (`--sanitize=fuzzer`); `.ci/fuzz`
//   builds and runs it; `crmql-fuzz-log` is the same for a database
//   file's log (its record reader and replay).
// - `crmql-stress` hammers one database from many threads; `.ci/tsan` builds
//   it with ThreadSanitizer, which costs a fraction of building the whole
//   test suite that way.
let package = Package(
    name: "crmql-fuzz",
    dependencies: [
        .package(name: "crmql", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "crmql-fuzz",
            dependencies: [.product(name: "CRMQL", package: "crmql")]
        ),
        .executableTarget(
            name: "crmql-fuzz-log",
            dependencies: [.product(name: "CRMQL", package: "crmql")]
        ),
        .executableTarget(
            name: "crmql-stress",
            dependencies: [.product(name: "CRMQL", package: "crmql")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
