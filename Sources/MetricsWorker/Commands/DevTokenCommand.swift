import ArgumentParser
import Foundation
import JWTKit

/// `metrics-worker dev-token`: prints a signed JWT for local use (HS256 with `JWT_SECRET`).
struct DevTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-token",
        abstract: "Print a signed API token for local use (HS256 with JWT_SECRET).",
        discussion: "The claims are the API's: sub, role, iat, exp, and optional regions / branches (row-level scope).")

    @Option(name: .long, help: "viewer, auditor, admin, or ingest (a service token for POST /api/v1/ingest).")
    var role = "viewer"

    @Option(name: .long, help: "The subject (user id) recorded as the actor of audit writes.")
    var sub = "dev-user"

    @Option(name: .long, help: "Comma-separated branches the token is limited to.")
    var branches: String?

    @Option(name: .long, help: "Comma-separated regions the token is limited to.")
    var regions: String?

    @Option(name: .long, help: "Lifetime in seconds.")
    var ttl = 3600

    func validate() throws {
        guard ["viewer", "auditor", "admin", "ingest"].contains(role) else {
            throw ValidationError("--role must be viewer, auditor, admin or ingest, not '\(role)'")
        }
        guard (1...31_536_000).contains(ttl) else { throw ValidationError("--ttl must be 1...31536000 seconds") }
    }

    func run() async throws {
        guard let secret = ProcessInfo.processInfo.environment["JWT_SECRET"], !secret.isEmpty else {
            FileHandle.standardError.write(Data("metrics-worker: dev-token needs JWT_SECRET (the API's signing secret)\n".utf8))
            throw ExitCode.usage
        }
        guard secret.utf8.count >= 32 else {
            FileHandle.standardError.write(Data("metrics-worker: JWT_SECRET must be at least 32 bytes for HS256 (got \(secret.utf8.count))\n".utf8))
            throw ExitCode.usage
        }
        print(try await Self.token(secret: secret, subject: sub, role: role, regions: Self.list(regions),
                                   branches: Self.list(branches), lifetime: TimeInterval(ttl)))
    }

    static func list(_ text: String?) -> [String]? {
        text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
    }

    /// Signs the claims with HS256.
    static func token(secret: String, subject: String, role: String, regions: [String]?, branches: [String]?,
                      lifetime: TimeInterval, now: Date = Date()) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        let claims = DevTokenClaims(sub: SubjectClaim(value: subject), role: role,
                                    exp: ExpirationClaim(value: now.addingTimeInterval(lifetime)),
                                    iat: IssuedAtClaim(value: now), regions: regions, branches: branches)
        return try await keys.sign(claims)
    }
}

/// The API token's claims (the API verifies the same names): `sub`, `role`, `exp`, `iat`,
/// optional `regions` and `branches`.
struct DevTokenClaims: JWTPayload {
    var sub: SubjectClaim
    var role: String
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var regions: [String]?
    var branches: [String]?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
