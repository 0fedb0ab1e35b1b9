import Synchronization

/// One value remembered for one cache generation (e.g. the loans' as-of date): a job that changes
/// it bumps the generation, so the value is read again.
final class GenerationMemo<Value: Sendable>: Sendable {
    private let state = Mutex<(generation: Int64, value: Value)?>(nil)

    init() {}

    /// The value stored for `generation`, if any (`.some(nil)` is a remembered nil).
    func value(for generation: Int64) -> Value? {
        state.withLock { entry in
            guard let entry, entry.generation == generation else { return nil }
            return entry.value
        }
    }

    /// Remembers `value` for `generation`.
    func store(_ value: Value, for generation: Int64) {
        state.withLock { $0 = (generation, value) }
    }
}
