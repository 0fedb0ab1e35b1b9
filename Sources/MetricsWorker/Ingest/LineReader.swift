import Foundation

/// Reads a file (or standard input) line by line in fixed-size blocks, so a multi-gigabyte file
/// is read in bounded memory. Lines end with `\n` (a trailing `\r` is dropped).
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
            let block = try handle.read(upToCount: blockSize) ?? Data()
            if block.isEmpty {
                atEnd = true
            } else {
                bytesRead += block.count
                buffer.append(contentsOf: block)
            }
        }
    }

    /// Reads everything that is left (for a whole JSON document).
    func readRemaining() throws -> [UInt8] {
        var all = Array(buffer[start...])
        buffer.removeAll()
        start = 0
        while let block = try handle.read(upToCount: blockSize), !block.isEmpty {
            bytesRead += block.count
            all.append(contentsOf: block)
        }
        atEnd = true
        return all
    }

    /// Looks at the first non-blank bytes without consuming them (reads one block if needed).
    func peekPrefix(_ count: Int) throws -> [UInt8] {
        if buffer.count - start < count, !atEnd {
            let block = try handle.read(upToCount: blockSize) ?? Data()
            if block.isEmpty { atEnd = true } else { bytesRead += block.count; buffer.append(contentsOf: block) }
        }
        return Array(buffer[start..<min(buffer.count, start + count)])
    }
}
