import FuzzDriver
import POP3Server

/// libFuzzer's entry point: every input goes through the POP3 command parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    POP3CommandParser.fuzz(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

FuzzDriver.run(fuzz)
