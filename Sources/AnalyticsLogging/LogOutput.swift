import Glibc

/// Where a `JSONLogHandler` writes its lines: a file descriptor (standard output or standard
/// error), or a closure that tests use to capture them.
///
/// Each line reaches the descriptor with as few `write(2)` calls as the kernel allows (one for a
/// line shorter than a pipe's buffer), so lines of concurrent tasks never interleave.
public struct LogOutput: Sendable {
    private let sink: @Sendable ([UInt8]) -> Void

    /// An output that hands every line (terminated by `\n`) to `sink`; `sink` may be called from
    /// any thread, concurrently.
    public init(_ sink: @escaping @Sendable ([UInt8]) -> Void) {
        self.sink = sink
    }

    /// Standard output.
    public static let standardOutput = LogOutput.fileDescriptor(STDOUT_FILENO)

    /// Standard error.
    public static let standardError = LogOutput.fileDescriptor(STDERR_FILENO)

    /// Writes one line.
    func write(_ line: [UInt8]) {
        sink(line)
    }

    private static func fileDescriptor(_ descriptor: Int32) -> LogOutput {
        LogOutput { bytes in
            bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(descriptor, base + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0, errno == EINTR {
                        continue
                    } else {
                        // A closed or full descriptor: dropping the line beats blocking the caller.
                        return
                    }
                }
            }
        }
    }
}
