/// Splits a byte stream that arrives in pieces (file blocks, HTTP body parts) into lines: a line
/// ends with `\n`, a trailing `\r` is dropped (CRLF), and a UTF-8 byte-order mark at the very start
/// is skipped, even when it arrives in pieces. The one line reader of every NDJSON and CSV input.
///
/// Holds only the bytes of lines not yet returned (plus one block), so memory stays bounded by the
/// longest line and the block size.
public struct LineSplitter: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the next `\n` resumes (everything before it holds none).
    private var searched = 0
    private var startChecked = false
    /// True once `finish()` was called: no more input will come.
    public private(set) var isFinished = false
    /// The number of the last line returned (1-based).
    public private(set) var lineNumber = 0
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// An empty splitter.
    public init() {}

    /// Adds the next piece of input.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            searched -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
        checkStart()
    }

    /// Marks the end of the input: the last line may now end without `\n`.
    public mutating func finish() {
        isFinished = true
        checkStart()
    }

    /// The next line without its terminator; nil when more input is needed (or, after `finish()`,
    /// when every line has been returned).
    public mutating func nextLine() -> ArraySlice<UInt8>? {
        guard startChecked else { return nil }
        if let newline = buffer[searched...].firstIndex(of: 10) {
            let line = buffer[start..<newline]
            start = newline + 1
            searched = start
            lineNumber += 1
            return line.last == 13 ? line.dropLast() : line
        }
        searched = buffer.count
        guard isFinished, start < buffer.count else { return nil }
        let line = buffer[start...]
        start = buffer.count
        searched = start
        lineNumber += 1
        return line.last == 13 ? line.dropLast() : line
    }

    /// Everything not returned as a line yet (after `finish()`: the rest of a whole document).
    public mutating func remaining() -> [UInt8] {
        let rest = Array(buffer[start...])
        buffer = []
        start = 0
        searched = 0
        return rest
    }

    /// Drops a leading byte-order mark once three bytes (or the end) are there to decide.
    private mutating func checkStart() {
        guard !startChecked else { return }
        // Nothing has been returned yet: the mark, if any, is at buffer[0...2].
        if buffer.count >= 3 {
            if buffer[0..<3].elementsEqual(Self.byteOrderMark) {
                buffer.removeFirst(3)
            }
            startChecked = true
        } else if isFinished || !Self.byteOrderMark.starts(with: buffer) {
            startChecked = true
        }
    }
}
