import Glibc

/// Ignores SIGPIPE for the whole process, once: a write to a socket the peer closed (a dead Redis)
/// must be an error return, not the end of the process. Both executables also do this at start.
public enum IgnoreSIGPIPE {
    private static let done: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    /// Installs `SIG_IGN` for SIGPIPE (idempotent).
    public static func once() {
        _ = done
    }
}
