import AnalyticsCore
import Foundation

/// Reads a file (or standard input) line by line in fixed-size blocks, so a multi-gigabyte file
/// is read in bounded memory. The lines are cut by AnalyticsCore's `LineSplitter` (the API's
/// request bodies use the same one): `\n` ends a line, a trailing `\r` is dropped, and a UTF-8
/// byte-order mark at the very start (Excel's "CSV UTF-8", some JSON exporters) is skipped.
final class LineReader {
    private let handle: FileHandle
    private var splitter = LineSplitter()
    /// Bytes consumed so far (for progress).
    private(set) var bytesRead = 0
    private let blockSize: Int

    init(handle: FileHandle, blockSize: Int = 1 << 20) {
        self.handle = handle
        self.blockSize = blockSize
    }

    /// The number of the last line returned (1-based).
    var lineNumber: Int { splitter.lineNumber }

    /// The next line's bytes without its terminator, or nil at the end.
    func nextLine() throws -> ArraySlice<UInt8>? {
        while true {
            if let line = splitter.nextLine() { return line }
            if splitter.isFinished { return nil }
            try readBlock()
        }
    }

    /// Feeds the next block to the splitter (or marks the end).
    private func readBlock() throws {
        let block = try handle.read(upToCount: blockSize) ?? Data()
        if block.isEmpty {
            splitter.finish()
        } else {
            bytesRead += block.count
            splitter.append(block)
        }
    }

    /// Reads everything that is left (for a whole JSON document).
    func readRemaining() throws -> [UInt8] {
        while !splitter.isFinished { try readBlock() }
        return splitter.remaining()
    }
}
