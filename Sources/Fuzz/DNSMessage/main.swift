import DNSClient
import FuzzDriver

/// libFuzzer entry point for the DNS message decoder (../shared/STYLE.md section 3); no top-level statements.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    DNSMessage.fuzz(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

FuzzDriver.run(fuzz)
