import FuzzDriver
import MailListener

/// libFuzzer entry: the line framer (lines, bulk DATA, literals, STARTTLS resets) on arbitrary bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    LineFramerFuzz.fuzz(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

FuzzDriver.run(fuzz)
