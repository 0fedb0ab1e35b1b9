@testable import AnalyticsAPI
import CryptoExtras
import Foundation
import JWTKit
import Testing

/// Token verification beyond the role matrix: key rotation, RS256, and forged tokens (algorithm
/// confusion, `alg: none`, a payload edited under a valid signature). No database needed.
@Suite("Token verification")
struct TokenVerifierTests {
    static let current = "current-secret-current-secret-0123456789"
    static let previous = "previous-secret-previous-secret-012345678"

    /// A fresh RSA key pair for one test.
    static func rsaKey() throws -> JWTKit.Insecure.RSA.PrivateKey {
        try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }

    static func claims(role: String = "viewer", lifetime: TimeInterval = 3600) -> TokenClaims {
        TokenClaims(sub: SubjectClaim(value: "someone"), role: role,
                    exp: ExpirationClaim(value: Date().addingTimeInterval(lifetime)), iat: IssuedAtClaim(value: Date()),
                    nbf: nil, regions: nil, branches: ["Ikeja"])
    }

    static func rsaToken(_ key: JWTKit.Insecure.RSA.PrivateKey, role: String = "viewer") async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(rsa: key, digestAlgorithm: .sha256)
        return try await keys.sign(claims(role: role))
    }

    static func segments(_ token: String) -> [String] { token.split(separator: ".", omittingEmptySubsequences: false).map(String.init) }

    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func refused(_ verifier: TokenVerifier, _ token: String) async -> Bool {
        do {
            _ = try await verifier.verify(token)
            return false
        } catch {
            return true
        }
    }

    @Test("during a rotation a token signed with JWT_SECRET_PREVIOUS is accepted; after it, refused")
    func rotation() async throws {
        let oldToken = try await TokenMinter(secret: Self.previous).token(role: "auditor")
        let during = try await TokenVerifier(secret: Self.current, previousSecret: Self.previous, rsaPublicKeyPEM: nil)
        #expect(try await during.verify(oldToken).role == .auditor)
        let newToken = try await TokenMinter(secret: Self.current).token(role: "viewer")
        #expect(try await during.verify(newToken).role == .viewer)
        let after = try await TokenVerifier(secret: Self.current, previousSecret: nil, rsaPublicKeyPEM: nil)
        #expect(await Self.refused(after, oldToken))
        #expect(try await after.verify(newToken).role == .viewer)
    }

    @Test("RS256 with JWT_PUBLIC_KEY_FILE: the key's tokens pass with their scope; another key's are refused")
    func rs256() async throws {
        let key = try Self.rsaKey()
        let verifier = try await TokenVerifier(secret: Self.current, previousSecret: nil,
                                               rsaPublicKeyPEM: key.publicKey.pemRepresentation)
        let identity = try await verifier.verify(try await Self.rsaToken(key, role: "admin"))
        #expect(identity.role == .admin)
        #expect(identity.scope.branches == ["Ikeja"])
        #expect(await Self.refused(verifier, try await Self.rsaToken(try Self.rsaKey(), role: "admin")))
    }

    @Test("forged tokens are refused: HS256 keyed with the RSA public key, alg none, an edited payload, an expired one")
    func forgeries() async throws {
        let publicPEM = try Self.rsaKey().publicKey.pemRepresentation
        let verifier = try await TokenVerifier(secret: Self.current, previousSecret: nil, rsaPublicKeyPEM: publicPEM)
        // Algorithm confusion: the public key (which is public) used as an HMAC secret.
        let confused = try await TokenMinter(secret: publicPEM).token(role: "admin")
        #expect(await Self.refused(verifier, confused))
        // alg none, no signature.
        let payload = Self.base64URL(#"{"sub":"someone","role":"admin","exp":\#(Int(Date().timeIntervalSince1970) + 3600)}"#)
        #expect(await Self.refused(verifier, Self.base64URL(#"{"alg":"none","typ":"JWT"}"#) + "." + payload + "."))
        // A valid viewer token (verified first, so it is remembered), its payload then edited to admin.
        let valid = try await TokenMinter(secret: Self.current).token(role: "viewer")
        #expect(try await verifier.verify(valid).role == .viewer)
        var parts = Self.segments(valid)
        let admin = Self.base64URL(#"{"sub":"tester","role":"admin","exp":\#(Int(Date().timeIntervalSince1970) + 3600)}"#)
        parts[1] = admin
        #expect(await Self.refused(verifier, parts.joined(separator: ".")))
        // A signature from another token on this payload, and a truncated signature.
        let other = try await TokenMinter(secret: Self.current).token(role: "admin")
        #expect(await Self.refused(verifier, Self.segments(valid)[0] + "." + admin + "." + Self.segments(other)[2]))
        #expect(await Self.refused(verifier, String(valid.dropLast(4))))
        // Expired a second ago.
        let expired = try await TokenMinter(secret: Self.current).token(role: "viewer", issued: Date().addingTimeInterval(-61), lifetime: 60)
        #expect(await Self.refused(verifier, expired))
    }

    /// Claims of any shape, signed with the right key, to test what the verifier accepts.
    struct LooseClaims: JWTPayload {
        var sub: String?
        var role: String?
        var exp: Int?
        var iat: Int? = Int(Date().timeIntervalSince1970)
        var nbf: Int?
        var regions: JSONish?
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// A string or a number, so `regions` can be given the wrong type.
    enum JSONish: Codable {
        case text(String)
        case number(Int)
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let value): try container.encode(value)
            case .number(let value): try container.encode(value)
            }
        }
        init(from decoder: any Decoder) throws { self = .number(0) }
    }

    @Test("right key, wrong claims: no role, an unknown role, no subject, no exp, not yet valid, regions not a list")
    func wrongClaims() async throws {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Self.current), digestAlgorithm: .sha256)
        let verifier = try await TokenVerifier(secret: Self.current, previousSecret: nil, rsaPublicKeyPEM: nil)
        let later = Int(Date().timeIntervalSince1970) + 3600
        let cases: [(String, LooseClaims)] = [
            ("no role", LooseClaims(sub: "a", role: nil, exp: later)),
            ("unknown role", LooseClaims(sub: "a", role: "superuser", exp: later)),
            ("empty role", LooseClaims(sub: "a", role: "", exp: later)),
            ("no subject", LooseClaims(sub: nil, role: "admin", exp: later)),
            ("empty subject", LooseClaims(sub: "", role: "admin", exp: later)),
            ("no exp", LooseClaims(sub: "a", role: "admin", exp: nil)),
            ("not yet valid", LooseClaims(sub: "a", role: "admin", exp: later, nbf: later - 60)),
            ("no iat", LooseClaims(sub: "a", role: "admin", exp: later, iat: nil)),
            ("regions a string", LooseClaims(sub: "a", role: "admin", exp: later, regions: .text("Lagos"))),
            ("regions a number", LooseClaims(sub: "a", role: "admin", exp: later, regions: .number(7))),
        ]
        for (name, claims) in cases {
            let token = try await keys.sign(claims)
            #expect(await Self.refused(verifier, token), "\(name) was accepted")
        }
        // The control: the same key with well-formed claims passes.
        #expect(try await verifier.verify(try await keys.sign(LooseClaims(sub: "a", role: "admin", exp: later))).role == .admin)
    }
}
