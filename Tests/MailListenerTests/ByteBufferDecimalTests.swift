import MailListener
import NIOCore
import Testing

@Suite("Decimal numbers written into buffers")
struct ByteBufferDecimalTests {
    @Test("Every width and sign writes what String(describing:) writes")
    func matchesString() {
        var generator = SystemRandomNumberGenerator()
        var values: [Int64] = [0, 1, 9, 10, 99, 100, -1, -9, -10, Int64.max, Int64.min, 4_294_967_295]
        for _ in 0..<5000 {
            values.append(Int64.random(in: .min ... .max, using: &generator) >> Int.random(in: 0..<63))
        }
        for value in values {
            var buffer = ByteBuffer()
            buffer.writeDecimal(value)
            #expect(buffer.readString(length: buffer.readableBytes) == String(value))
        }
        for value in [UInt32.max, 0, 7, 123_456] {
            var buffer = ByteBuffer()
            buffer.writeDecimal(value)
            #expect(buffer.readString(length: buffer.readableBytes) == String(value))
        }
        var buffer = ByteBuffer()
        buffer.writeDecimal(UInt64.max)
        #expect(buffer.readString(length: buffer.readableBytes) == String(UInt64.max))
    }
}
