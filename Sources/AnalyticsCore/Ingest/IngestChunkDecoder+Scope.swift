extension IngestChunkDecoder {
    /// The checks of a scoped sender (an ingest token with `regions` / `branches` claims): a valid
    /// record is rejected when it would write outside the scope, naming the field. A record is
    /// outside when its own region/branch is, when it would overwrite an existing row that is
    /// (an officer, a loan, a customer with a loan there, a repayment of a loan there), when a
    /// loan names an existing officer who is, or when a repayment's loan is. Team members belong
    /// to no branch, so a scoped sender cannot write them.
    ///
    /// The messages say that a row exists outside, never where (a scoped sender learns nothing
    /// about other branches beyond the existence of an id it sent).
    struct ScopeCheck {
        let scope: IngestScope
        let known: IngestKnownRows

        static let outside = "outside the regions and branches this token may write"

        func officer(_ officer: Officer) -> [ValidationProblem] {
            var problems = own(IngestPlacement(region: officer.region, branch: officer.branch), .officer, officer.officerId)
            if let existing = known.officerPlacements[officer.officerId], !scope.allows(existing) {
                problems.append(problem(.officer, officer.officerId, "officer_id", "this officer exists \(Self.outside)"))
            }
            return problems
        }

        func customer(_ customer: Customer) -> [ValidationProblem] {
            guard let placements = known.customerPlacements[customer.customerId],
                  placements.contains(where: { !scope.allows($0) }) else { return [] }
            return [problem(.customer, customer.customerId, "customer_id", "this customer has loans \(Self.outside)")]
        }

        func teamMember(_ member: TeamMember) -> [ValidationProblem] {
            [problem(.teamMember, member.memberId, "member_id",
                     "team members belong to no branch; a token limited to regions or branches cannot write them")]
        }

        func loan(_ loan: Loan) -> [ValidationProblem] {
            var problems = own(IngestPlacement(region: loan.region, branch: loan.branch), .loan, loan.loanId)
            if let existing = known.loanPlacements[loan.loanId], !scope.allows(existing) {
                problems.append(problem(.loan, loan.loanId, "loan_id", "this loan exists \(Self.outside)"))
            }
            if let officer = known.officerPlacements[loan.officerId], !scope.allows(officer) {
                problems.append(problem(.loan, loan.loanId, "officer_id", "the officer '\(loan.officerId)' is \(Self.outside)"))
            }
            return problems
        }

        /// `chunkLoans`: the valid loans of the chunk (inside the scope, or they would not be valid).
        func repayment(_ repayment: Repayment, chunkLoans: [String: IngestPlacement]) -> [ValidationProblem] {
            var problems: [ValidationProblem] = []
            if let loan = chunkLoans[repayment.loanId] ?? known.loanPlacements[repayment.loanId], !scope.allows(loan) {
                problems.append(problem(.repayment, repayment.repaymentId, "loan_id", "the loan '\(repayment.loanId)' is \(Self.outside)"))
            }
            if let existing = known.repaymentPlacements[repayment.repaymentId], !scope.allows(existing) {
                problems.append(problem(.repayment, repayment.repaymentId, "repayment_id",
                                        "this repayment belongs to a loan \(Self.outside)"))
            }
            return problems
        }

        /// The record's own region and branch.
        private func own(_ placement: IngestPlacement, _ kind: RecordKind, _ id: String) -> [ValidationProblem] {
            var problems: [ValidationProblem] = []
            if let regions = scope.regions, !regions.contains(placement.region) {
                problems.append(problem(kind, id, "region", "'\(placement.region)' is \(Self.outside)"))
            }
            if let branches = scope.branches, !branches.contains(placement.branch) {
                problems.append(problem(kind, id, "branch", "'\(placement.branch)' is \(Self.outside)"))
            }
            return problems
        }

        private func problem(_ kind: RecordKind, _ id: String, _ field: String, _ text: String) -> ValidationProblem {
            ValidationProblem(kind: kind, recordId: id, field: field, message: "\(field): \(text)")
        }
    }
}
