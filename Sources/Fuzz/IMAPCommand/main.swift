import FuzzDriver
import IMAPServer

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    IMAPCommandParser.fuzz(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

FuzzDriver.run(fuzz)
