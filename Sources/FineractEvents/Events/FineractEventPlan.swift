import AnalyticsCore
import Foundation

/// What one message does, decided without the database (FINERACT.md "The events"): the ingest
/// entries to write (mapped by the pull's ``FineractMapping``, so a loan arrives as the pull and
/// NDJSON bring it), the loan snapshots and replay chains to record with them, and the counts.
///
/// - A loan snapshot (`LoanAccountDataV1`) replaces the loan and its schedule, unless a newer one
///   (by message id) was applied; a loan without a client (a group loan) is left to the pull.
/// - A transaction (`LoanTransactionDataV1`) of a loan we hold becomes its repayment record; one of
///   a loan we do not hold is left to the pull.
/// - An adjustment whose new transaction has a REPLAYED relation to the old one is a system replay:
///   the new transaction takes the old one's record (the chain's first id and `is_backdated`);
///   otherwise the old transaction is a person's reversal (and a new one, if any, a new record).
/// - A chargeback is parked naming the loan; an item that could not be read is parked with its bytes.
public struct FineractEventPlan: Sendable {
    /// One replay-chain entry to store: a Fineract transaction and its chain's first transaction.
    public struct Chain: Sendable, Equatable {
        public var transaction: Int64
        public var loan: String
        public var root: FineractMapping.ChainRoot
    }

    public let message: FineractEventMessage
    public let mapping: FineractMapping
    /// What the database holds once this plan is written: the context it was given, with its own
    /// loans, snapshots and chains (the context of the next message of a batch).
    public private(set) var context: FineractEventContext
    /// The entries for the ingest path, in event order.
    public private(set) var entries: [IngestEntry] = []
    /// Loan id -> the message id of the snapshot applied.
    public private(set) var snapshots: [String: Int64] = [:]
    /// Replay chains of the transactions applied.
    public private(set) var chains: [Chain] = []
    /// Loans whose snapshot is applied (recorded as coming from the tenant).
    public private(set) var loans: [String] = []
    /// Events not for the metrics, by reason.
    public private(set) var ignored: [String: Int] = [:]
    /// Items parked in `etl_rejects` (unreadable, chargeback).
    public private(set) var parked = 0
    private var supportingKeys = Set<String>()

    /// A plan for `message` over what the database holds (`context`).
    public init(message: FineractEventMessage, context: FineractEventContext, mapping: FineractMapping) {
        self.message = message
        self.context = context
        self.mapping = mapping
        for (index, event) in message.events.enumerated() { add(event, index: index) }
    }

    private var multiple: Bool { message.events.count > 1 }

    private mutating func add(_ event: Result<FineractEvent, FineractEventFailure>, index: Int) {
        let location = multiple ? "message \(message.id) item \(index)" : "message \(message.id)"
        switch event {
        case .failure(let failure):
            parked += 1
            entries.append(Self.parked(failure, location: location))
        case .success(let event):
            switch event.content {
            case .ignored(let reason):
                ignored[reason, default: 0] += 1
            case .loan(let row, let schedule):
                loan(row, schedule: schedule, type: event.type)
            case .transaction(let loanID, let transaction, let replays):
                guard holds(loanID) else { ignored["loan not held (left to the pull)", default: 0] += 1; return }
                let root = chainRoot(of: transaction, replays: replays)
                apply(loanID: loanID, [(transaction, root)], type: event.type)
            case .adjustment(let loanID, let old, let oldReplays, let new, let newReplays):
                guard holds(loanID) else { ignored["loan not held (left to the pull)", default: 0] += 1; return }
                let oldRoot = chainRoot(of: old, replays: oldReplays)
                if let new, newReplays.contains(old.id) {
                    // A system replay: the new transaction takes the old one's record.
                    apply(loanID: loanID, [(new, oldRoot ?? FineractMapping.ChainRoot(id: old.id, submittedOnDate: old.submittedOnDate))],
                          type: event.type)
                } else {
                    // A person's reversal (or change: the new transaction is a record of its own).
                    var transactions = [(old, oldRoot)]
                    if let new { transactions.append((new, chainRoot(of: new, replays: newReplays))) }
                    apply(loanID: loanID, transactions, type: event.type)
                }
            }
        }
    }

    private func holds(_ loanID: Int64) -> Bool { context.held.contains(String(loanID)) }

    private mutating func loan(_ row: FineractLoanRow, schedule: [FineractInstallment], type: String) {
        let loanID = String(row.id)
        if let applied = context.snapshots[loanID], applied > message.id {
            ignored["stale loan snapshot", default: 0] += 1
            return
        }
        var row = row
        if let client = row.clientID { row.clientMobile = context.customerPhones[String(client)] }
        if let officer = row.loanOfficerID { row.officerMobile = context.officerPhones[String(officer)] }
        guard let mapped = mapping.loan(FineractLoanBundle(loan: row, schedule: schedule), held: context.held.contains(loanID)) else {
            ignored["loan not disbursed", default: 0] += 1
            return
        }
        for (key, entry) in mapped.supporting where supportingKeys.insert(key).inserted { entries.append(entry) }
        entries += mapped.entries
        context.snapshots[loanID] = message.id
        snapshots[loanID] = message.id
        if !mapped.isRejected {
            context.held.insert(loanID)
            loans.append(loanID)
        }
    }

    /// Where `transaction`'s chain starts, when not at itself: as recorded, or at the lowest
    /// transaction it replays (as recorded for that one, or that one itself).
    private func chainRoot(of transaction: FineractTransaction, replays: [Int64]) -> FineractMapping.ChainRoot? {
        if let known = context.chains[transaction.id] { return known.id == transaction.id ? nil : known }
        guard let target = replays.min() else { return nil }
        return context.chains[target] ?? FineractMapping.ChainRoot(id: target, submittedOnDate: transaction.submittedOnDate)
    }

    private mutating func apply(loanID: Int64, _ transactions: [(FineractTransaction, FineractMapping.ChainRoot?)], type: String) {
        var roots: [Int64: FineractMapping.ChainRoot] = [:]
        for (transaction, root) in transactions { if let root { roots[transaction.id] = root } }
        let mapped = mapping.transactions(loanID: loanID, transactions.map(\.0), roots: roots)
        if mapped.isRejected {
            // A chargeback (or a money value refused): parked naming the loan; the loan keeps its records.
            parked += 1
            entries += mapped.entries
            return
        }
        guard !mapped.entries.isEmpty else {
            ignored["\(type) (not a repayment)", default: 0] += 1
            return
        }
        entries += mapped.entries
        for (transaction, root) in transactions {
            let chain = root ?? FineractMapping.ChainRoot(id: transaction.id, submittedOnDate: transaction.submittedOnDate)
            context.chains[transaction.id] = chain
            chains.append(Chain(transaction: transaction.id, loan: String(loanID), root: chain))
        }
    }

    /// The entry that parks what could not be read: `etl_rejects` keeps the reason, the fingerprint
    /// when that is the problem, the event type and loan when known, and the bytes in base64.
    public static func parked(_ failure: FineractEventFailure, location: String) -> IngestEntry {
        var members: [JSONObject.Member] = [.init(key: "reason", value: .string(failure.reason))]
        if let fingerprint = failure.fingerprint { members.append(.init(key: "fingerprint", value: .string(fingerprint))) }
        if let type = failure.type { members.append(.init(key: "event_type", value: .string(type))) }
        if let loanID = failure.loanID { members.append(.init(key: "fineract_loan_id", value: .string(String(loanID)))) }
        members.append(.init(key: "bytes_base64", value: .string(Data(failure.bytes).base64EncodedString())))
        return IngestEntry(location: location, kind: failure.loanID == nil ? nil : .loan,
                           value: .failure(EntryParseError(message: failure.reason)),
                           raw: JSONValue.object(JSONObject(members: members)).jsonText, fallbackRecordId: failure.loanID.map(String.init))
    }
}
