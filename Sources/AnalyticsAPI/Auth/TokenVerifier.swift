import Foundation
import JWTKit

/// Why a token was refused; every case is a 401 for the client.
struct TokenError: Error, Sendable, CustomStringConvertible {
    /// A safe, one-line reason (never the token itself).
    var reason: String
    var description: String { reason }
}

/// Verifies bearer tokens: HS256 with `JWT_SECRET` (and `JWT_SECRET_PREVIOUS` during a rotation),
/// and RS256 with the public key of `JWT_PUBLIC_KEY_FILE` when configured.
///
/// Thread-safe; verified tokens are kept in a small in-process map until they expire, so a
/// dashboard that sends the same token on every request pays for the signature check once.
final class TokenVerifier: Sendable {
    private let keys: JWTKeyCollection
    private let memo = TokenMemo()

    /// Builds the key collection. Throws when the RSA key file cannot be read or parsed.
    init(secret: String, previousSecret: String?, rsaPublicKeyPEM: String?) async throws {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: "current")
        if let previousSecret {
            await keys.add(hmac: HMACKey(from: previousSecret), digestAlgorithm: .sha256, kid: "previous")
        }
        if let rsaPublicKeyPEM {
            let key = try Insecure.RSA.PublicKey(pem: rsaPublicKeyPEM)
            await keys.add(rsa: key, digestAlgorithm: .sha256, kid: "rsa")
        }
        self.keys = keys
    }

    /// The identity of a valid token; throws `TokenError` otherwise.
    func verify(_ token: String, now: Date = Date()) async throws(TokenError) -> Identity {
        if let cached = memo.lookup(token, now: now) { return cached }
        let claims: TokenClaims
        do {
            claims = try await keys.verify(token, as: TokenClaims.self, iteratingKeys: true)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw TokenError(reason: "the token has expired or is not valid yet")
        } catch {
            throw TokenError(reason: "the token's signature or format is invalid")
        }
        guard let role = Role(rawValue: claims.role) else {
            throw TokenError(reason: "the token's role '\(claims.role.prefix(20))' is not viewer, auditor, admin or ingest")
        }
        guard !claims.sub.value.isEmpty else { throw TokenError(reason: "the token has no subject") }
        // The subject is stored (audit actor, ingest batches: 255 characters) and every claim is
        // bound into SQL, where a NUL character cannot go.
        guard claims.sub.value.utf8.count <= 255 else { throw TokenError(reason: "the token's subject is longer than 255 bytes") }
        let texts = [claims.sub.value] + (claims.regions ?? []) + (claims.branches ?? [])
        guard !texts.contains(where: { $0.utf8.contains(0) }) else { throw TokenError(reason: "the token's claims contain a NUL character") }
        let identity = Identity(subject: claims.sub.value, role: role,
                                scope: AccessScope(regions: claims.regions, branches: claims.branches))
        let notBefore = claims.nbf?.value ?? .distantPast
        memo.store(token, identity: identity, notBefore: notBefore, expires: claims.exp.value)
        return identity
    }
}
