@testable import AnalyticsAPI
import Foundation
import JWTKit

/// Signs HS256 tokens with the API's claim set (`TokenClaims`, including `nbf`, and any role
/// string, so tests can send tokens the verifier must refuse). Test support only: the API binary
/// verifies tokens and never signs them. Production tokens come from the identity provider; for
/// local use and the benchmark scripts, `metrics-worker dev-token` signs the same claims.
struct TokenMinter: Sendable {
    private let keys: JWTKeyCollection

    /// A minter for `secret`.
    init(secret: String) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
    }

    /// A signed token for `subject` with `role`, valid from `issued` for `lifetime` seconds.
    func token(subject: String = "tester", role: String, regions: [String]? = nil, branches: [String]? = nil,
               issued: Date = Date(), lifetime: TimeInterval = 3600, notBefore: Date? = nil) async throws -> String {
        let claims = TokenClaims(sub: SubjectClaim(value: subject), role: role,
                                 exp: ExpirationClaim(value: issued.addingTimeInterval(lifetime)),
                                 iat: IssuedAtClaim(value: issued), nbf: notBefore.map { NotBeforeClaim(value: $0) },
                                 regions: regions, branches: branches)
        return try await keys.sign(claims)
    }
}
