import FuzzDriver
import SPF

/// libFuzzer entry point for the SPF record parser (../shared/STYLE.md section 3); no top-level statements.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    SPFRecord.fuzz(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

FuzzDriver.run(fuzz)
