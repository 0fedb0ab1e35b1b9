extension CacheNamespace {
    /// The hash of tag versions: field `CacheTag.field`, value the number of invalidations of that
    /// tag (a missing field is version 0). Versions only grow (`invalidateAll` leaves them), so an
    /// entry labelled with the versions of before an invalidation is never taken again.
    public static let tagVersionsKey = "{analytics}:tag-versions"
    /// The counter of targeted invalidations (one per `invalidate(tags:redis:)`), re-read by every
    /// replica to find an announcement it missed.
    public static let tagInvalidationsKey = "{analytics}:tag-invalidations"
    /// The channel that announces a targeted invalidation; the payload lists the tags
    /// (`tagAnnouncement(_:)`), each subscriber re-reads their versions.
    public static let tagInvalidationChannel = "{analytics}:invalidate-tags"

    /// Invalidates the entries tagged with any of `tags` (after the writing transaction committed),
    /// announcing it to every API replica in the same pipeline as the version bumps.
    ///
    /// One round trip: `INCR tagInvalidationsKey`, `HINCRBY tagVersionsKey field 1` per tag, then
    /// `PUBLISH tagInvalidationChannel`. The counter goes first, so a pipeline cut short leaves a
    /// counter the replicas' periodic re-read notices. An empty set does nothing. Throws
    /// `RedisError` when Redis cannot be reached or refuses a command; entries then age out by TTL.
    public static func invalidate(tags: Set<CacheTag>, redis: RedisClient) async throws {
        guard !tags.isEmpty else { return }
        let sorted = tags.sorted()
        var commands: [[String]] = [["INCR", tagInvalidationsKey]]
        commands += sorted.map { ["HINCRBY", tagVersionsKey, $0.field, "1"] }
        commands.append(["PUBLISH", tagInvalidationChannel, tagAnnouncement(sorted)])
        let replies = try await redis.pipeline(commands)
        guard replies.count == commands.count else {
            throw RedisError(code: .protocolError, message: "a tag invalidation got \(replies.count) replies for \(commands.count) commands")
        }
        for (reply, command) in zip(replies, commands) {
            if case .error(let message) = reply {
                throw RedisError(code: .server, message: "\(command[0]) during a tag invalidation failed: \(message)")
            }
        }
    }

    /// The generation and the versions of `tags` (in their order), in one round trip: what a reader
    /// needs for an entry's key when it cannot use the versions it holds in memory.
    public static func versions(of tags: [CacheTag], redis: RedisClient) async throws -> (generation: Int64, tagVersions: [Int64]) {
        var commands = [["GET", generationKey]]
        if !tags.isEmpty { commands.append(["HMGET", tagVersionsKey] + tags.map(\.field)) }
        let replies = try await redis.pipeline(commands)
        let generation = try counter(replies[0], generationKey)
        guard !tags.isEmpty else { return (generation, []) }
        return (generation, try tagVersions(replies[1], count: tags.count))
    }

    /// The versions of `tags`, in their order (0 for a tag never invalidated).
    public static func tagVersions(of tags: [CacheTag], redis: RedisClient) async throws -> [Int64] {
        guard !tags.isEmpty else { return [] }
        return try tagVersions(try await redis.command(["HMGET", tagVersionsKey] + tags.map(\.field)), count: tags.count)
    }

    /// Every tag version (the `HGETALL` reply of `tagVersionsKey`); fields that name no tag are skipped.
    public static func allTagVersions(_ reply: RedisReply) throws -> [CacheTag: Int64] {
        if reply == .null { return [:] }
        guard case .array(let items) = reply, items.count % 2 == 0 else {
            throw RedisError(code: .protocolError, message: "HGETALL \(tagVersionsKey) did not return field/value pairs")
        }
        var versions: [CacheTag: Int64] = [:]
        versions.reserveCapacity(items.count / 2)
        var index = 0
        while index < items.count {
            if let field = items[index].string, let tag = CacheTag(field: field) {
                versions[tag] = try counter(items[index + 1], tagVersionsKey)
            }
            index += 2
        }
        return versions
    }

    /// A counter's reply as a number: 0 for a missing key, an error for anything but an integer.
    public static func counter(_ reply: RedisReply, _ key: String) throws -> Int64 {
        switch reply {
        case .null: return 0
        case .integer(let value): return value
        case .bulk, .status:
            if let text = reply.string, let value = Int64(text) { return value }
        case .error(let message):
            throw RedisError(code: .server, message: "reading \(key) failed: \(message)")
        case .array:
            break
        }
        throw RedisError(code: .protocolError, message: "\(key) in Redis is not an integer")
    }

    private static func tagVersions(_ reply: RedisReply, count: Int) throws -> [Int64] {
        guard case .array(let items) = reply, items.count == count else {
            throw RedisError(code: .protocolError, message: "HMGET \(tagVersionsKey) did not return \(count) values")
        }
        return try items.map { try counter($0, tagVersionsKey) }
    }
}
