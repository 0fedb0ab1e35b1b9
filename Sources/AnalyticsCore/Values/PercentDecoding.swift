/// Decoding of `%XY` escapes, shared by the query strings of the API (form-urlencoded: `+` is a
/// space) and the credentials of connection URLs (`+` is itself). A `%` not followed by two hex
/// digits stands for itself.
public enum PercentDecoding {
    /// The decoded bytes of `raw`.
    public static func bytes<C: Collection<UInt8>>(_ raw: C, plusIsSpace: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            raw.formIndex(after: &index)
            if byte == UInt8(ascii: "+"), plusIsSpace {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index < raw.endIndex, let high = hexValue(raw[index]),
                      case let lowIndex = raw.index(after: index), lowIndex < raw.endIndex, let low = hexValue(raw[lowIndex]) {
                bytes.append(high << 4 | low)
                index = raw.index(after: lowIndex)
            } else {
                bytes.append(byte)
            }
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 65...70: byte - 55
        case 97...102: byte - 87
        default: nil
        }
    }
}
