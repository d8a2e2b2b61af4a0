// swift-tools-version:6.2
import PackageDescription

// The verifier's byte-level SQL readers (statement lexer, client-command scanners, dump rewriters) under libFuzzer
// with AddressSanitizer. A package of its own so that only those files (symlinked from Sources/BackupVerifier) are
// built with the fuzzer's instrumentation, not the server's dependencies. scripts/fuzz.sh builds and runs it.
let fuzz: [String] = ["-sanitize=fuzzer,address", "-parse-as-library"]

let package = Package(
    name: "BackupFeedFuzz",
    targets: [
        .systemLibrary(name: "CLibFuzzer"),
        .executableTarget(
            name: "DumpFuzzer",
            dependencies: ["CLibFuzzer"],
            swiftSettings: [.unsafeFlags(fuzz)],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address", "-use-ld=lld"])]
        ),
    ]
)
