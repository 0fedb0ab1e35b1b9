import Foundation

/// Reads a file (or standard input) line by line in fixed-size blocks, so a multi-gigabyte file
/// is read in bounded memory. Lines end with `\n` (a trailing `\r` is dropped). A UTF-8 byte-order
/// mark at the very start (Excel's "CSV UTF-8", some JSON exporters) is skipped.
final class LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    /// Bytes consumed so far (for progress).
    private(set) var bytesRead = 0
    /// The number of the last line returned (1-based).
    private(set) var lineNumber = 0
    private let blockSize: Int
    /// False until the start of the input has been checked for a byte-order mark.
    private var startChecked = false
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    init(handle: FileHandle, blockSize: Int = 1 << 20) {
        self.handle = handle
        self.blockSize = blockSize
    }

    /// The next line's bytes without its terminator, or nil at the end.
    func nextLine() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 10) {
                var line = buffer[start..<newline]
                if line.last == 13 { line = line.dropLast() }
                start = newline + 1
                lineNumber += 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                lineNumber += 1
                return line.last == 13 ? line.dropLast() : line
            }
            // Compact, then read another block.
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            try readBlock()
        }
    }

    /// Appends the next block to the buffer (or marks the end), dropping a leading byte-order mark.
    private func readBlock() throws {
        let block = try handle.read(upToCount: blockSize) ?? Data()
        if block.isEmpty {
            atEnd = true
        } else {
            bytesRead += block.count
            buffer.append(contentsOf: block)
        }
        guard !startChecked else { return }
        // Nothing has been consumed yet: the mark, if any, is at buffer[0...2] (a pipe may deliver
        // it in pieces, so decide once three bytes, or the end, are there).
        if buffer.count >= 3 {
            if Array(buffer[0..<3]) == Self.byteOrderMark { buffer.removeFirst(3) }
            startChecked = true
        } else if atEnd || !Self.byteOrderMark.starts(with: buffer) {
            startChecked = true
        }
    }

    /// Reads everything that is left (for a whole JSON document).
    func readRemaining() throws -> [UInt8] {
        while !atEnd { try readBlock() }
        let all = start == 0 ? buffer : Array(buffer[start...])
        buffer = []
        start = 0
        return all
    }
}
