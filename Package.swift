// swift-tools-version:6.0
// closeup: the operations tool for the Close-Up backend's Redis layer.
// No Swift package dependencies: C libraries come from Debian's -dev packages.
import PackageDescription

let package = Package(
    name: "closeup",
    products: [
        .executable(name: "closeup", targets: ["closeup"]),
        .library(name: "CloseupKit", targets: ["CloseupKit"]),
    ],
    targets: [
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "CloseupKit", dependencies: ["CHiredis", "CSQLite", "COpenSSL"]),
        // The commit of the build, passed by the Makefile (see build_info.h).
        .systemLibrary(name: "CBuildInfo"),
        .target(name: "CloseupCLI", dependencies: ["CloseupKit", "CBuildInfo"]),
        .executableTarget(name: "closeup", dependencies: ["CloseupCLI"]),
        // Real servers for the tests: starts redis-server, runs the built binary.
        .target(name: "CloseupTestSupport", dependencies: ["CloseupKit"], path: "Tests/CloseupTestSupport"),
        .testTarget(name: "CloseupKitTests", dependencies: ["CloseupKit", "CloseupTestSupport"]),
        .testTarget(name: "closeupTests", dependencies: ["CloseupCLI", "closeup", "CloseupTestSupport"], exclude: ["Fixtures"]),
    ]
)
