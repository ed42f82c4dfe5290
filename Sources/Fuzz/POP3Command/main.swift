import FuzzDriver
import POP3Server

/// libFuzzer's entry point: every input goes through the POP3 command parser, and, as a stored
/// message, through RETR's encoding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    POP3CommandParser.fuzz(bytes)
    POP3Wire.fuzz(bytes)
    return 0
}

FuzzDriver.run(fuzz)
