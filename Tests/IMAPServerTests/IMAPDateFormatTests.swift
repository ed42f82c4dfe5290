import Foundation
import NIOCore
import Testing

@testable import IMAPServer

@Suite("INTERNALDATE text")
struct IMAPDateFormatTests {
    @Test("Written into a buffer, the date reads as format(_:) makes it, across centuries and leap days")
    func writeMatchesFormat() {
        var generator = SystemRandomNumberGenerator()
        var seconds: [Double] = [0, -1, 86_399, 86_400, 951_782_400, 1_709_164_799, 4_102_444_800, -62_135_596_800]
        for _ in 0..<5000 {
            seconds.append(Double(Int64.random(in: -2_000_000_000...8_000_000_000, using: &generator)))
        }
        for second in seconds {
            let date = Date(timeIntervalSince1970: second)
            var buffer = ByteBuffer()
            IMAPDateFormat.write(date, into: &buffer)
            #expect(buffer.readString(length: buffer.readableBytes) == IMAPDateFormat.format(date), "\(second)")
        }
        var buffer = ByteBuffer()
        IMAPDateFormat.write(Date(timeIntervalSince1970: 837_571_465), into: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == "17-Jul-1996 02:44:25 +0000")
    }
}
