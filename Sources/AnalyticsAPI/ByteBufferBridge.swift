import Foundation
import NIOCore

/// Converts encoded bytes into a NIO buffer for a response body.
enum ByteBufferBridge {
    typealias Buffer = ByteBuffer

    static func buffer(_ data: Data) -> ByteBuffer {
        ByteBuffer(bytes: data)
    }
}
