import FuzzDriver
import SMTPServer

/// libFuzzer entry: the SMTP command parser, path parser and DATA reader on arbitrary bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    SMTPCommandParser.fuzz(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

FuzzDriver.run(fuzz)
