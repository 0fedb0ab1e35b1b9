import AnalyticsCore

/// The body of a replayed `POST .../actions` response, fitted to the caller who replays it.
///
/// A key's stored body is the first response as its caller saw it: phone numbers unmasked when
/// that caller was an admin (the only case where the store holds full numbers, so an admin's
/// retry gets back exactly what was lost), masked otherwise. Keys are scoped by the token's `sub`,
/// but one `sub` can hold tokens of different roles (a role change, a service account), so a
/// replay to a caller who must see masked numbers masks every `customer_phone` and
/// `officer_phone` in the stored body. Masking is idempotent (`***-***-4567` stays as it is), so an
/// already masked body is unchanged.
enum IdempotentReplay {
    /// Phone fields, wherever they appear in the body.
    static let phoneKeys: Set<String> = ["customer_phone", "officer_phone"]

    /// The stored body for a caller; `maskPhones` is the caller's `Identity.masksPII`.
    static func body(_ stored: String, maskPhones: Bool) throws -> [UInt8] {
        guard maskPhones else { return Array(stored.utf8) }
        let value = try JSONReader().parse(stored)
        return Array(masked(value).jsonText.utf8)
    }

    private static func masked(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements):
            return .array(elements.map(masked))
        case .object(let object):
            return .object(JSONObject(members: object.members.map { member in
                if phoneKeys.contains(member.key), case .string(let phone) = member.value {
                    return JSONObject.Member(key: member.key, value: .string(PhoneMask.mask(phone)))
                }
                return JSONObject.Member(key: member.key, value: masked(member.value))
            }))
        default:
            return value
        }
    }
}
