import Foundation
import AnalyticsCore
import AnalyticsStore

/// The COPY rows of each record type, in `UpsertSpec` column order.
enum IngestRows {
    static func officer(_ o: Officer) -> PostgresBindings {
        [o.officerId, o.officerName, o.officerPhone, o.officerEmail, o.region, o.branch, o.employmentStatus,
         o.hireDate, o.terminationDate, o.primaryChannel, o.hasFloatGap]
    }

    static func customer(_ c: Customer) -> PostgresBindings {
        [c.customerId, c.customerName, c.customerPhone, c.customerEmail, c.dateOfBirth, c.gender, c.state, c.lga,
         c.address, c.kycStatus, c.kycVerifiedDate]
    }

    static func teamMember(_ m: TeamMember) -> PostgresBindings {
        [m.memberId, m.memberName, m.memberEmail, m.memberPhone, m.role, m.department, m.isActive]
    }

    static func loan(_ l: Loan) -> PostgresBindings {
        [l.loanId, l.customerId, l.customerName, l.customerPhone, l.officerId, l.officerName, l.officerPhone,
         l.region, l.branch, l.state, l.loanAmount, l.disbursementDate, l.maturityDate, l.loanTermDays,
         l.interestRate, l.feeAmount, l.repaymentEveryDays, l.channel, l.channelPartner, l.status.rawValue,
         l.closedDate, scheduleChecksum(l)]
    }

    static func repayment(_ r: Repayment) -> PostgresBindings {
        [r.repaymentId, r.loanId, r.paymentDate, r.paymentAmount, r.principalPaid, r.interestPaid, r.feesPaid,
         r.penaltyPaid, r.paymentMethod, r.paymentReference, r.paymentChannel, r.isBackdated, r.isReversed,
         r.reversalDate, r.reversalReason, r.waiverAmount, r.waiverType, r.waiverApprovedBy]
    }

    /// The given schedule's rows (none for a generated schedule, which the engine derives).
    static func schedule(_ l: Loan) -> [PostgresBindings] {
        guard let given = l.schedule, !given.isEmpty else { return [] }
        return given.map { entry -> PostgresBindings in
            [l.loanId, entry.installmentNumber, entry.dueDate, entry.principalDue, entry.interestDue, entry.feeDue,
             entry.principalDue + entry.interestDue + entry.feeDue, "given"]
        }
    }

    /// A checksum of the given schedule, so a change to the schedule alone updates the loan row.
    static func scheduleChecksum(_ l: Loan) -> String? {
        guard let given = l.schedule, !given.isEmpty else { return nil }
        let text = given.sorted { $0.installmentNumber < $1.installmentNumber }
            .map { "\($0.installmentNumber)|\($0.dueDate)|\($0.principalDue)|\($0.interestDue)|\($0.feeDue)" }
            .joined(separator: ";")
        return String(FNV1a.hash64(text), radix: 16)
    }

    /// Removes NUL bytes, which PostgreSQL text cannot hold, from a raw payload.
    static func storable(_ text: String) -> String {
        text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }
}
