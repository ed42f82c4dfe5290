public import NIOCore

extension ByteBuffer {
    /// Writes `value` in decimal ASCII (a leading "-" when negative), without making a string:
    /// protocol replies write several numbers per message.
    @inlinable
    @discardableResult
    public mutating func writeDecimal(_ value: some BinaryInteger) -> Int {
        if value >= 0 && value < 10 { return writeInteger(UInt8(48 + Int(value))) }
        var magnitude = value.magnitude
        // 20 digits hold any 64-bit magnitude; wider integers go the slow way.
        guard magnitude.bitWidth <= 64 || magnitude <= UInt64.max else { return writeString(String(value)) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
        return withUnsafeMutableBytes(of: &digits) { scratch in
            var index = scratch.count
            repeat {
                index -= 1
                scratch[index] = UInt8(48 + Int(magnitude % 10))
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                index -= 1
                scratch[index] = UInt8(ascii: "-")
            }
            return writeBytes(UnsafeRawBufferPointer(rebasing: scratch[index...]))
        }
    }
}
