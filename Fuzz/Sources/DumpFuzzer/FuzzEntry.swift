import CLibFuzzer
import Foundation

/// libFuzzer's entry point: every input is checked against `DumpInvariants`; a violated property stops the run
/// like a crash, so libFuzzer keeps the input (scripts/fuzz.sh copies it to Tests/Fixtures/fuzz-findings, which
/// FuzzFindingsTests replays).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let violations = DumpInvariants.violations(of: UnsafeRawBufferPointer(start: data, count: size))
    if !violations.isEmpty {
        fatalError("dump invariant violated:\n" + violations.joined(separator: "\n"))
    }
    return 0
}

/// SwiftPM links an executable target's `main` under the module's name; it starts libFuzzer's driver.
@_cdecl("DumpFuzzer_main")
public func dumpFuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}

/// `DUMP_FUZZER_WRITE=DIR DumpFuzzer FINDING` writes what each rewriter made of the input to DIR (mysql.out,
/// postgres.out), to see which lines a finding's rewrite changed.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> Int32 {
    guard let directory = getenv("DUMP_FUZZER_WRITE").map({ String(cString: $0) }), let argc, let argv, argc.pointee > 1,
          let last = argv.pointee?[Int(argc.pointee) - 1].map({ String(cString: $0) }),
          let input = FileManager.default.contents(atPath: last) else { return 0 }
    let bytes = Array(input)
    let mysql = DumpInvariants.rewrite(bytes, chunks: [bytes.count]) { MySQLDumpRules(knownCollations: DumpInvariants.mariaDBCollations) }
    let postgres = DumpInvariants.rewrite(bytes, chunks: [bytes.count], rules: DumpInvariants.makePostgresRules)
    FileManager.default.createFile(atPath: directory + "/mysql.out", contents: Data(mysql.output))
    FileManager.default.createFile(atPath: directory + "/postgres.out", contents: Data(postgres.output))
    return 0
}
