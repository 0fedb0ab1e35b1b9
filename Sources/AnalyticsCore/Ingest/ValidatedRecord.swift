/// A record that ``RecordDecoder`` has already decoded and found valid, handed to the chunk decoder
/// with its entry so the same object is not decoded twice (the Fineract mapping validates each loan
/// whole before sending it, to send it whole or reject it whole). Only an outcome of the record
/// decoders makes one (the initializer is internal to this module), so the one validation path
/// stays the one path: ``IngestChunkDecoder`` takes the decoded record and applies what depends on
/// the chunk (a repayment's loan must exist, the sender's scope, duplicates) as for any entry.
///
/// A class: entries are copied as chunks are built and decoded, and a loan with its schedule is
/// large; a reference copies for the cost of a retain.
public final class ValidatedRecord: Sendable {
    /// The decoded record.
    let record: IngestRecord
    /// The unknown fields the decoder saw (counted in the summary like any entry's).
    let unknownFields: [String]

    /// The valid outcome of a decoder, or nil when it found a problem.
    init?<R>(_ decoded: DecodedRecord<R>, _ wrap: (R) -> IngestRecord) {
        guard decoded.problems.isEmpty, let record = decoded.record else { return nil }
        self.record = wrap(record)
        self.unknownFields = decoded.unknownFields
    }
}
