import Testing
import AnalyticsCore

@Suite("JSON reader")
struct JSONReaderTests {
    let reader = JSONReader()

    @Test func numbersKeepTheirText() throws {
        let value = try reader.parse(#"{"a": 0.1, "b": 1234.50, "c": -1e-3, "d": 0}"#)
        let object = try #require(value.objectValue)
        #expect(object["a"] == .number("0.1"))
        #expect(object["b"] == .number("1234.50"))
        #expect(object["c"] == .number("-1e-3"))
        #expect(object["d"] == .number("0"))
        #expect(Money(exactly: try #require(object["b"]?.numberText))?.minorUnits == 123_450)
    }

    @Test func stringEscapes() throws {
        let value = try reader.parse(#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u20AC", "\ud83d\ude00", "naïve"]"#)
        let strings = try #require(value.arrayValue).compactMap(\.stringValue)
        #expect(strings == ["a\"b\\c/d\u{08}\u{0C}\n\r\t", "é€", "😀", "naïve"])
    }

    @Test func rejectsUnpairedSurrogates() {
        #expect(throws: JSONError.self) { try reader.parse(#""\ud83d""#) }
        #expect(throws: JSONError.self) { try reader.parse(#""\ude00x""#) }
        #expect(throws: JSONError.self) { try reader.parse(#""\ud83d\u0041""#) }
    }

    @Test func rejectsInvalidUTF8() {
        do {
            _ = try reader.parse([0x22, 0xC3, 0x28, 0x22] as [UInt8])
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.isInvalidUTF8)
        }
        #expect(throws: JSONError.self) { try reader.parse([0x22, 0xED, 0xA0, 0x80, 0x22] as [UInt8]) }
        #expect(throws: JSONError.self) { try reader.parse([0x22, 0xC0, 0xAF, 0x22] as [UInt8]) }
    }

    @Test func nestingLimit() throws {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try reader.parse(ok)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        do {
            _ = try reader.parse(deep)
            Issue.record("accepted 65 levels")
        } catch {
            #expect(error.isNestingTooDeep)
            #expect(error.description.contains("nesting deeper than 64"))
        }
    }

    @Test func rejectsTrailingGarbage() {
        do {
            _ = try reader.parse(#"{"a": 1} x"#)
            Issue.record("accepted trailing data")
        } catch {
            #expect(error.isTrailingData)
        }
        #expect((try? reader.parse("  {\"a\": 1}  \n")) != nil)
    }

    @Test(arguments: ["01", "1.", ".5", "-", "+1", "1e", "NaN", "[1,]", "{\"a\":1,}", "{'a':1}", "\"a\nb\"", "tru", "", "{\"a\" 1}"])
    func rejectsInvalidDocuments(_ text: String) {
        #expect(throws: JSONError.self) { try reader.parse(text) }
    }

    @Test func duplicateKeysLastWins() throws {
        let object = try #require(try reader.parse(#"{"a": 1, "a": 2}"#).objectValue)
        #expect(object["a"] == .number("2"))
        #expect(object.keys == ["a"])
        #expect(object.members.count == 2)
    }

    @Test func literals() throws {
        #expect(try reader.parse("null") == .null)
        #expect(try reader.parse("true") == .bool(true))
        #expect(try reader.parse(" false ") == .bool(false))
        #expect(try reader.parse("{}") == .object(JSONObject()))
        #expect(try reader.parse("[]") == .array([]))
    }
}
