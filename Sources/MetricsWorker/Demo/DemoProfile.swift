/// How the book of one demo officer behaves: the borrowers' habits and the officer's own records.
///
/// A profile depends only on the officer's position (its index and the number of officers), never on
/// a random draw, so every size of portfolio gets each kind in the same proportions and the same seed
/// gives the same portfolio. Within every block of ``blockSize`` officers, fixed offsets are
/// ``rogue``, ``slipping`` and ``firstMiss`` officers (from 13, 23 and 19 officers on); one branch in
/// twenty (at least one) is a ``troubledBranch``, whose officers' borrowers pay late and stop paying
/// far more often; no special officer works there, so the branch stands out by its borrowers alone.
struct DemoProfile: Sendable {
    /// Percent of borrowers who pay on time (the rest pay late or stop).
    var punctual: Int
    /// Percent of borrowers who pay late; `100 - punctual - late` stop paying at some installment.
    var late: Int
    /// Chance that the first installment is paid after its due date (a first-payment miss).
    var firstMiss: Double
    /// Chance that a repayment row is flagged backdated.
    var backdated: Double
    /// Chance that a repayment is reversed (it then pays nothing, so the loan falls behind).
    var reversed: Double
    /// Chance that a repayment carries a waiver.
    var waived: Double
    /// Whether the waiver is the whole installment (a heavy waiver) rather than 500.00.
    var heavyWaiver: Bool
    /// Chance that a loan is booked through a partner rather than directly.
    var partner: Double
    /// Whether the officer is forced to be an active, Direct-channel officer with a float gap
    /// (otherwise status, channel and flag are drawn at random, a float gap one time in twenty).
    var flagged: Bool
    /// Whether the repayments record no fees (the officer keeps them: fee realisation 0, and the
    /// installments fall slowly behind).
    var skimsFees = false

    /// Most officers: 70% of borrowers punctual, 20% late, 10% stop; records rarely irregular.
    static let steady = DemoProfile(punctual: 70, late: 20, firstMiss: 0, backdated: 0.02, reversed: 0.01, waived: 0.01,
                                    heavyWaiver: false, partner: 0.15, flagged: false)
    /// A steady officer of a troubled branch: half the borrowers stop paying, 35% pay late, half
    /// miss the first payment (the records stay those of a steady officer).
    static let troubledBranch = steady.with { $0.punctual = 15; $0.late = 35; $0.firstMiss = 0.5 }
    /// A rogue officer (Red): float gap, all loans through a partner, fees kept, most rows
    /// backdated, 40% reversed, half waived in full; 70% of the borrowers stop paying, most miss
    /// the first payment.
    static let rogue = DemoProfile(punctual: 5, late: 25, firstMiss: 0.8, backdated: 0.7, reversed: 0.4, waived: 0.5,
                                   heavyWaiver: true, partner: 1, flagged: true, skimsFees: true)
    /// A slipping officer (Amber): float gap, weaker borrowers, some backdating, reversals and waivers.
    static let slipping = DemoProfile(punctual: 35, late: 35, firstMiss: 0.4, backdated: 0.25, reversed: 0.06, waived: 0.15,
                                      heavyWaiver: true, partner: 0.4, flagged: true)
    /// First-payment misses clustered on one officer: a steady officer whose first installments
    /// are mostly paid late.
    static let firstMiss = steady.with { $0.firstMiss = 0.85 }

    /// This profile with `change` applied (variants stay tied to the profile they vary).
    func with(_ change: (inout DemoProfile) -> Void) -> DemoProfile {
        var profile = self
        change(&profile)
        return profile
    }

    /// Officers per block; each block holds the same special officers at the same offsets.
    static let blockSize = 50
    /// Officers per branch (officer `i` is in branch `i / officersPerBranch`).
    static let officersPerBranch = 10

    /// The profile of officer `officer` (0-based) among `officers`.
    static func of(officer: Int, officers: Int) -> DemoProfile {
        switch officer % blockSize {
        case 12, 44: return rogue
        case 22, 27, 47: return slipping
        case 18: return firstMiss
        default: return isTroubled(branch: officer / officersPerBranch, officers: officers) ? troubledBranch : steady
        }
    }

    /// Whether branch `branch` (0-based) is troubled: one branch of every twenty, near the middle
    /// (of all the branches when there are fewer than twenty). It is the last branch at or before
    /// the middle whose officers sit at offsets 0-9 or 30-39 of their block, where no special
    /// officer is.
    static func isTroubled(branch: Int, officers: Int) -> Bool {
        let branches = (officers + officersPerBranch - 1) / officersPerBranch
        let middle = min(branches, 20) / 2
        let offset = middle % 5
        return branch % 20 == middle - (offset >= 3 ? offset - 3 : offset)
    }
}
