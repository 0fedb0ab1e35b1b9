extension CacheNamespace {
    /// The payload announcing an invalidation of `tags`: each tag's field as `{UTF-8 length}:{field}`,
    /// one after the other, so an id or branch name holding any character (`:` and newlines
    /// included) cannot be split or joined differently.
    public static func tagAnnouncement(_ tags: [CacheTag]) -> String {
        var payload = ""
        for tag in tags {
            let field = tag.field
            payload += "\(field.utf8.count):" + field
        }
        return payload
    }

    /// The tags of an announcement payload, or nil when it is not one (`tagAnnouncement(_:)`).
    public static func tags(inAnnouncement payload: [UInt8]) -> [CacheTag]? {
        var tags: [CacheTag] = []
        var index = 0
        while index < payload.count {
            var length = 0
            var digits = 0
            while index < payload.count, payload[index] != UInt8(ascii: ":") {
                let byte = payload[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 9 else { return nil }
                length = length * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            // The colon, then exactly `length` bytes of field.
            guard digits > 0, index < payload.count, payload.count - (index + 1) >= length else { return nil }
            index += 1
            let field = String(decoding: payload[index..<(index + length)], as: UTF8.self)
            guard let tag = CacheTag(field: field) else { return nil }
            tags.append(tag)
            index += length
        }
        return tags
    }
}
