/// A small, exact JSON reader (RFC 8259) for ingestion payloads and API request bodies.
///
/// - Numbers keep their literal text (see ``JSONValue/number(_:)``): no binary floating point.
/// - Strings decode every escape, including `\uXXXX` surrogate pairs; unpaired surrogates,
///   unescaped control characters and invalid UTF-8 are errors.
/// - Nesting deeper than ``maximumDepth`` is an error (a hostile body cannot exhaust the stack).
/// - Anything but whitespace after the value is an error.
///
/// Thread-safe: a reader has no state beyond its limit.
public struct JSONReader: Sendable {
    /// The deepest nesting of arrays and objects accepted (default 64).
    public var maximumDepth: Int

    /// Creates a reader with a nesting limit.
    public init(maximumDepth: Int = 64) {
        self.maximumDepth = maximumDepth
    }

    /// Reads one JSON value from UTF-8 bytes.
    public func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        let array = Array(bytes)
        let result: Result<JSONValue, JSONError> = array.withUnsafeBufferPointer { buffer in
            if let bad = UTF8Validation.firstInvalidOffset(in: buffer) {
                return .failure(.invalidUTF8(at: bad))
            }
            var parser = JSONParser(bytes: buffer, maximumDepth: maximumDepth)
            do throws(JSONError) {
                return .success(try parser.parseDocument())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Reads one JSON value from a string.
    public func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}
