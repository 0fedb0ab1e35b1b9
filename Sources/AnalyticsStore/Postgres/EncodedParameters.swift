/// Statement parameters laid out as NUL-terminated strings in one buffer, for `PQexecParams`.
struct EncodedParameters {
    private var buffer: [UInt8] = []
    private var offsets: [Int?] = []

    init(_ bindings: PostgresBindings) throws(PostgresError) {
        offsets.reserveCapacity(bindings.count)
        for (index, binding) in bindings.enumerated() {
            guard let binding else {
                offsets.append(nil)
                continue
            }
            let text = binding.postgresText
            guard !text.utf8.contains(0) else {
                throw PostgresError(code: .invalidParameter,
                                    message: "parameter $\(index + 1) contains a NUL byte, which PostgreSQL text cannot hold")
            }
            offsets.append(buffer.count)
            buffer.append(contentsOf: text.utf8)
            buffer.append(0)
        }
    }

    /// Calls `body` with the array of value pointers (NULL for SQL NULL), valid only during the call.
    func withPointers<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { base in
                // When every parameter is NULL the buffer is empty and has no base address: all nil.
                let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                    guard let offset, let start = base.baseAddress else { return nil }
                    return start.advanced(by: offset)
                }
                return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
            }
        }
    }
}
