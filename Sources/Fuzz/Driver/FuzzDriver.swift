#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `main` of every fuzz target (`Sources/Fuzz/*`).
///
/// SwiftPM gives an executable target a `main` of its own, so libFuzzer's `main` never runs even
/// when the target is built with `-sanitize=fuzzer`. This driver starts libFuzzer itself, through
/// `LLVMFuzzerRunDriver`, when built for fuzzing (`-sanitize=fuzzer -DFUZZING`, see the README).
/// A normal build, without libFuzzer, runs the entry once on each file named on the command
/// line instead, which replays an input that a fuzzing run saved.
public enum FuzzDriver {
    public typealias Entry = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Never returns.
    public static func run(_ entry: Entry) -> Never {
        #if FUZZING
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, entry))
        #else
            replay(entry)
        #endif
    }

    /// Runs the entry once on each file named on the command line.
    private static func replay(_ entry: Entry) -> Never {
        let files = CommandLine.arguments.dropFirst()
        guard !files.isEmpty else {
            print("not built with libFuzzer: name files to run the entry once on each (README, Fuzzing)")
            exit(2)
        }
        for path in files {
            guard let bytes = read(path) else {
                print("cannot read \(path)")
                exit(1)
            }
            _ = bytes.withUnsafeBufferPointer { entry($0.baseAddress, $0.count) }
            print("\(path): ok (\(bytes.count) bytes)")
        }
        exit(0)
    }

    private static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }
}

#if FUZZING
    /// libFuzzer's driver (LLVM 12 and later), linked by `-sanitize=fuzzer`.
    @_silgen_name("LLVMFuzzerRunDriver")
    private func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ entry: FuzzDriver.Entry
    ) -> CInt
#endif
