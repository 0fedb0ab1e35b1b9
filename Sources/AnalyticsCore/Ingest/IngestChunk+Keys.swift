extension IngestChunk {
    /// The rows a chunk's write can touch, by table: two chunks whose keys are disjoint write
    /// disjoint rows, so they may be written at once, in two transactions, in either order
    /// (`Ingestor`), with the result of writing them one after the other.
    ///
    /// A loan's rows are touched by the loan record, by its schedule, and by every repayment naming
    /// it (the repayment moves the loan's `source_changed_at` in `loan_sources`); an officer's and
    /// a customer's by their records and by the loans naming them (placeholders, INGEST.md). The
    /// one write a chunk makes outside its keys is the trigger that marks the loan a stored
    /// repayment leaves when it is re-sent under another loan; two such moves in opposite
    /// directions can make the two transactions wait for each other, which PostgreSQL breaks by
    /// failing one of them (the caller writes that chunk again once the other has committed).
    public struct Keys: Sendable, Equatable {
        /// Loans written, or marked by a repayment.
        public var loans: Set<String> = []
        /// Repayments written.
        public var repayments: Set<String> = []
        /// Officers written, or named by a loan.
        public var officers: Set<String> = []
        /// Customers written, or named by a loan.
        public var customers: Set<String> = []
        /// Team members written.
        public var teamMembers: Set<String> = []

        /// No keys.
        public init() {}

        /// Whether no row is in both.
        public func isDisjoint(with other: Keys) -> Bool {
            loans.isDisjoint(with: other.loans) && repayments.isDisjoint(with: other.repayments)
                && officers.isDisjoint(with: other.officers) && customers.isDisjoint(with: other.customers)
                && teamMembers.isDisjoint(with: other.teamMembers)
        }
    }

    /// The rows this chunk's write can touch (its rejects are not keyed: they are written where
    /// their record's position in the input says, which no other chunk shares).
    public var keys: Keys {
        var keys = Keys()
        keys.officers.reserveCapacity(officers.count)
        for officer in officers { keys.officers.insert(officer.officerId) }
        for customer in customers { keys.customers.insert(customer.customerId) }
        for member in teamMembers { keys.teamMembers.insert(member.memberId) }
        keys.loans.reserveCapacity(loans.count + repayments.count)
        for loan in loans {
            keys.loans.insert(loan.loanId)
            keys.officers.insert(loan.officerId)
            keys.customers.insert(loan.customerId)
        }
        keys.repayments.reserveCapacity(repayments.count)
        for repayment in repayments {
            keys.repayments.insert(repayment.repaymentId)
            keys.loans.insert(repayment.loanId)
        }
        return keys
    }
}
