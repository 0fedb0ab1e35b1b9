import Foundation
import JWTKit

/// The claims of an API token: `sub`, `role`, `exp`, `iat`, optional `nbf`, `regions`, `branches`
/// (the worker's `dev-token` mints exactly these).
struct TokenClaims: JWTPayload, Equatable {
    var sub: SubjectClaim
    var role: String
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var nbf: NotBeforeClaim?
    var regions: [String]?
    var branches: [String]?

    /// Checks the time claims; the signature is checked by the key collection.
    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        try nbf?.verifyNotBefore()
    }
}
