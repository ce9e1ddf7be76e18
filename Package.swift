// swift-tools-version: 6.1
import PackageDescription

// The pipeline shows in the targets, and dependencies point one way:
// Core (source ranges, diagnostics, values) → Syntax → Storage → Engine
// (semantics, planning, execution) → CRMQL (the public API) → crmql (CLI).
let package = Package(
    name: "crmql",
    products: [
        .library(name: "CRMQL", targets: ["CRMQL"]),
        .executable(name: "crmql", targets: ["crmql"]),
        // The C interface: `crmql.h` and a shared library any language can load.
        .library(name: "crmql_c", type: .dynamic, targets: ["CRMQLC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Log-gamma and log1p for the lifetime value models' likelihoods.
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        .target(name: "CRMQLCore"),
        .target(name: "CRMQLSyntax", dependencies: ["CRMQLCore"]),
        .target(name: "CRMQLStorage", dependencies: ["CRMQLCore"]),
        .target(
            name: "CRMQLEngine",
            dependencies: ["CRMQLCore", "CRMQLSyntax", "CRMQLStorage", "CPCRE2",
                           .product(name: "RealModule", package: "swift-numerics")],
            exclude: ["README.md"],
            resources: [.copy("Resources/prelude.crmql")]
        ),
        // PCRE2, the regular expression engine of `matches`.
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        .target(name: "CRMQL", dependencies: ["CRMQLCore", "CRMQLSyntax", "CRMQLStorage", "CRMQLEngine"]),
        // libpq, the client library psql itself uses: connection strings,
        // PG* variables, ~/.pgpass and cancellation behave as in psql.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // `--engine postgresql://…`: a `QueryEngine` over libpq, built on
        // the public API only.
        .target(name: "CRMQLPostgres", dependencies: ["CRMQL", "CLibPQ"]),
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .target(name: "LineReader", dependencies: ["CEditLine"]),
        .executableTarget(
            name: "crmql",
            dependencies: [
                "CRMQL",
                "CRMQLPostgres",
                "LineReader",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Times the benchmark workload in process (Benchmarks/run.sh drives it).
        .executableTarget(name: "crmql-bench", dependencies: ["CRMQL"], path: "Benchmarks/crmql-bench"),
        .testTarget(name: "CRMQLSyntaxTests", dependencies: ["CRMQLSyntax", "CRMQLCore"]),
        .testTarget(name: "CRMQLStorageTests", dependencies: ["CRMQLStorage", "CRMQLCore"]),
        .testTarget(name: "CRMQLEngineTests", dependencies: ["CRMQLEngine", "CRMQLStorage", "CRMQLSyntax", "CRMQLCore"]),
        .testTarget(
            name: "CRMQLTests",
            dependencies: ["CRMQL", "CRMQLCore"],
            exclude: ["Golden"]
        ),
        .testTarget(name: "REPLTests", dependencies: ["crmql", "CRMQL"]),
        .testTarget(name: "CRMQLPostgresTests", dependencies: ["CRMQLPostgres", "CRMQL"]),
        .target(name: "CCRMQL"),
        .target(name: "CRMQLC", dependencies: ["CRMQL", "CCRMQL"]),
        .executableTarget(name: "crmql-host-example", dependencies: ["CRMQL"], path: "Examples/embedding/swift"),
        .testTarget(
            name: "EmbeddingTests",
            dependencies: ["CRMQL", "CRMQLC", "CCRMQL", "crmql-host-example"],
            exclude: ["PublicAPI.txt", "Expected", "Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
