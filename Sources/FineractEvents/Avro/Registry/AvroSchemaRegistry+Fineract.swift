// Hand-written (see Avro/Schema/AvroSchema.swift).

extension AvroSchemaRegistry {
    /// The writer schemas of every Fineract release this consumer reads (`FineractSchemaSets`),
    /// each registered under its fingerprint and the releases that carry it.
    /// - Throws: ``AvroSchemaError`` when a built-in set does not parse (a defect of this build).
    public static func fineract(decoder: AvroDecoder = AvroDecoder()) throws(AvroSchemaError) -> AvroSchemaRegistry {
        var registry = AvroSchemaRegistry(decoder: decoder)
        try registry.register(FineractSchemaSets.releases)
        return registry
    }

    /// Registers the named types of each release's set.
    public mutating func register(_ releases: [FineractSchemaSets.Release]) throws(AvroSchemaError) {
        for release in releases {
            for schema in try AvroSchemaParser.parseSet(release.documents.map { Array($0.utf8) }) {
                register(schema, release: release.name)
            }
        }
    }
}
