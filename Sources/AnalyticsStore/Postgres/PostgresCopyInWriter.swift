import AnalyticsCore
import CPostgres

extension ExecStatusType {
    static var copyIn: ExecStatusType { PGRES_COPY_IN }
    static var copyOut: ExecStatusType { PGRES_COPY_OUT }
}

/// Buffers rows in COPY text format and sends them in chunks.
///
/// Use inside `PostgresConnection.copyIn` only. `append` escapes each field (backslash, tab, newline,
/// carriage return) and writes `\N` for NULL.
public final class PostgresCopyInWriter {
    /// The buffer size at which `write(row:)` sends data.
    public static let flushThreshold = 256 * 1024

    private let handle: PostgresConnectionHandle
    private let executor: BlockingExecutor
    private var buffer: [UInt8] = []
    /// Rows appended so far.
    public private(set) var rowCount = 0

    init(handle: PostgresConnectionHandle, executor: BlockingExecutor) {
        self.handle = handle
        self.executor = executor
        buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// Appends one row and sends the buffer when it is full.
    public func write(row fields: PostgresBindings) async throws {
        append(row: fields)
        if buffer.count >= Self.flushThreshold { try await flush() }
    }

    /// Appends one row to the buffer without sending (call `flushIfNeeded()` now and then).
    public func append(row fields: PostgresBindings) {
        for (i, field) in fields.enumerated() {
            if i > 0 { buffer.append(9) }
            if let field {
                appendEscaped(field.postgresText)
            } else {
                buffer.append(92)
                buffer.append(78)
            }
        }
        buffer.append(10)
        rowCount += 1
    }

    /// Appends binary-format bytes (for `COPY ... FROM STDIN (FORMAT binary)`): the header first,
    /// then rows written by `body`, then `PostgresBinaryCopy.trailer`. Call `flushIfNeeded()` now and then.
    public func appendBinary(_ body: (inout PostgresBinaryRowEncoder) -> Void) {
        var encoder = PostgresBinaryRowEncoder(buffer: [])
        swap(&encoder.buffer, &buffer)
        body(&encoder)
        swap(&encoder.buffer, &buffer)
        rowCount += 1
    }

    /// Appends raw bytes (the binary header or trailer).
    public func appendRaw(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
    }

    /// Sends the buffer if it has passed the threshold.
    public func flushIfNeeded() async throws {
        if buffer.count >= Self.flushThreshold { try await flush() }
    }

    /// Sends whatever is buffered.
    public func flush() async throws {
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer.removeAll(keepingCapacity: true)
        let handle = self.handle
        try await executor.run { try handle.putCopyData(chunk) }
    }

    private func appendEscaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case 92: buffer.append(92); buffer.append(92)
            case 9: buffer.append(92); buffer.append(116)
            case 10: buffer.append(92); buffer.append(110)
            case 13: buffer.append(92); buffer.append(114)
            default: buffer.append(byte)
            }
        }
    }
}
