import AnalyticsCore
import AnalyticsStore
import FineractEvents

extension FineractEventContext {
    /// Reads the context of the events of `messages` (one read per table for a whole batch).
    static func load(for messages: [FineractEventMessage], on pool: PostgresPool) async throws -> FineractEventContext {
        var loans = Set<String>(), officers = Set<String>(), customers = Set<String>(), transactions = Set<Int64>()
        for case .success(let event) in messages.lazy.flatMap(\.events) {
            switch event.content {
            case .loan(let row, _):
                loans.insert(String(row.id))
                if let officer = row.loanOfficerID { officers.insert(String(officer)) }
                if let client = row.clientID { customers.insert(String(client)) }
            case .transaction(let loanID, let transaction, let replays):
                loans.insert(String(loanID))
                transactions.formUnion([transaction.id] + replays)
            case .adjustment(let loanID, let old, let oldReplays, let new, let newReplays):
                loans.insert(String(loanID))
                transactions.formUnion([old.id] + oldReplays + newReplays + (new.map { [$0.id] } ?? []))
            case .ignored:
                break
            }
        }
        var context = FineractEventContext()
        guard !loans.isEmpty else { return context }
        let loanIDs = Array(loans)
        for row in try await pool.query("SELECT loan_id FROM loan_accounts WHERE loan_id = ANY($1::text[])", [loanIDs]) {
            context.held.insert(try row.decode(String.self, "loan_id"))
        }
        for row in try await pool.query("SELECT loan_id, message_id FROM fineract_loan_snapshots WHERE loan_id = ANY($1::text[])", [loanIDs]) {
            context.snapshots[try row.decode(String.self, "loan_id")] = try row.decode(Int64.self, "message_id")
        }
        if !officers.isEmpty {
            for row in try await pool.query("SELECT officer_id, officer_phone FROM officers WHERE officer_id = ANY($1::text[])", [Array(officers)]) {
                if let phone = try row.decode(String?.self, "officer_phone") { context.officerPhones[try row.decode(String.self, "officer_id")] = phone }
            }
        }
        if !customers.isEmpty {
            for row in try await pool.query("SELECT customer_id, customer_phone FROM customers WHERE customer_id = ANY($1::text[])",
                                            [Array(customers)]) {
                if let phone = try row.decode(String?.self, "customer_phone") {
                    context.customerPhones[try row.decode(String.self, "customer_id")] = phone
                }
            }
        }
        if !transactions.isEmpty {
            for row in try await pool.query("""
                SELECT transaction_id, root_transaction_id, root_submitted_on::text AS submitted
                FROM fineract_transactions WHERE transaction_id = ANY($1::bigint[])
                """, [Array(transactions)]) {
                context.chains[try row.decode(Int64.self, "transaction_id")] = FineractMapping.ChainRoot(
                    id: try row.decode(Int64.self, "root_transaction_id"), submittedOnDate: try row.decode(String.self, "submitted"))
            }
        }
        return context
    }
}
