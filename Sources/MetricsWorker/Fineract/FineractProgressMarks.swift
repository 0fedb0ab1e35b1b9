import Synchronization

/// The chunks handed to the ingest pipeline, in order, and how far each one takes the sync; the
/// pipeline's in-transaction hook takes them in the same order (it runs once per chunk, in input
/// order). A class only to give the lock a `Sendable` home shared by the reader and the hook.
final class FineractProgressMarks: Sendable {
    /// One chunk's progress: every candidate loan up to `afterLoan` is in it or before it
    /// (nil: a chunk of officers or customers); `isLast` for the chunk with the last candidate;
    /// `loans`: the tenant's loans the chunk sends (recorded in `fineract_loans`).
    struct Mark: Sendable {
        var afterLoan: Int64?
        var isLast: Bool
        var loans: [String] = []
    }

    private let state = Mutex<(marks: [Mark], completed: Bool)>(([], false))

    func push(_ mark: Mark) { state.withLock { $0.marks.append(mark) } }

    func pop() -> Mark? {
        state.withLock { $0.marks.isEmpty ? nil : $0.marks.removeFirst() }
    }

    /// Set once the watermark was stored with the last chunk.
    var completed: Bool {
        get { state.withLock { $0.completed } }
    }

    func markCompleted() { state.withLock { $0.completed = true } }
}
