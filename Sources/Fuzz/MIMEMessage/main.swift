import FuzzDriver
import MIME

/// libFuzzer entry point for the MIME parser and its IMAP renderings (../shared/STYLE.md section 3).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    MIMEMessage.fuzz(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

FuzzDriver.run(fuzz)
