import Foundation
import JWTKit

/// Signs HS256 tokens with the API's claim set; used by tests and the benchmark script's helper.
/// Production tokens come from the identity provider (or `metrics-worker dev-token`).
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
