import AnalyticsCore
import Foundation

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

    /// `repayment` in binary COPY format (the bulk of every load: the server parses it for less).
    static func encodeRepayment(_ r: Repayment, into e: inout PostgresBinaryRowEncoder) {
        e.row(fields: 18)
        e.text(r.repaymentId)
        e.text(r.loanId)
        e.date(r.paymentDate)
        e.money(r.paymentAmount)
        e.money(r.principalPaid)
        e.money(r.interestPaid)
        e.money(r.feesPaid)
        e.money(r.penaltyPaid)
        e.text(r.paymentMethod)
        e.text(r.paymentReference)
        e.text(r.paymentChannel)
        e.bool(r.isBackdated)
        e.bool(r.isReversed)
        e.date(r.reversalDate)
        e.text(r.reversalReason)
        e.money(r.waiverAmount)
        e.text(r.waiverType)
        e.text(r.waiverApprovedBy)
    }

    /// `schedule` rows in binary COPY format.
    static func encodeSchedule(_ l: Loan, into e: inout PostgresBinaryRowEncoder) {
        for entry in l.schedule ?? [] {
            e.row(fields: 8)
            e.text(l.loanId)
            e.int32(value: Int32(clamping: entry.installmentNumber))
            e.date(entry.dueDate)
            e.money(entry.principalDue)
            e.money(entry.interestDue)
            e.money(entry.feeDue)
            e.money(entry.principalDue + entry.interestDue + entry.feeDue)
            e.text("given")
        }
    }

    /// A checksum of the given schedule, so a change to the schedule alone updates the loan row.
    ///
    /// The hash of `n|due|principal|interest|fee` per installment in number order, joined by `;`,
    /// hashed piece by piece (the same value as hashing the joined text, which is not built).
    static func scheduleChecksum(_ l: Loan) -> String? {
        guard var given = l.schedule, !given.isEmpty else { return nil }
        if zip(given, given.dropFirst()).contains(where: { $0.installmentNumber > $1.installmentNumber }) {
            given.sort { $0.installmentNumber < $1.installmentNumber }
        }
        var hash = FNV1a.offsetBasis
        for (index, entry) in given.enumerated() {
            if index > 0 { hash = FNV1a.hash64(continuing: hash, CollectionOfOne(UInt8(ascii: ";"))) }
            hash = FNV1a.hash64(continuing: hash, String(entry.installmentNumber).utf8)
            for part in [entry.dueDate.description, entry.principalDue.description, entry.interestDue.description,
                         entry.feeDue.description] {
                hash = FNV1a.hash64(continuing: hash, CollectionOfOne(UInt8(ascii: "|")))
                hash = FNV1a.hash64(continuing: hash, part.utf8)
            }
        }
        return String(hash, radix: 16)
    }

    /// Removes NUL bytes, which PostgreSQL text cannot hold, from a raw payload.
    static func storable(_ text: String) -> String {
        text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }
}
