import Foundation
public import MailgateCore

/// RFC 4616 PLAIN: `base64(authzid NUL authcid NUL passwd)`.
public enum SASLPlain {
    /// The sign-in name and password from a client response, or nil if it is not valid PLAIN.
    ///
    /// An authorisation identity other than empty or the sign-in name itself is refused:
    /// acting as another user is not offered (RFC 4616 2 lets the server refuse it).
    public static func decode(_ response: String) -> (login: String, password: Secret)? {
        guard response.utf8.count <= 4096, let data = Data(base64Encoded: response) else { return nil }
        let parts = data.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3,
            let authzid = String(validating: parts[0], as: UTF8.self),
            let authcid = String(validating: parts[1], as: UTF8.self),
            let password = String(validating: parts[2], as: UTF8.self),
            !authcid.isEmpty, !password.isEmpty, !password.utf8.contains(0),
            authzid.isEmpty || authzid == authcid
        else { return nil }
        return (authcid, Secret(password))
    }

    /// The client side, for tests: `base64("" NUL login NUL password)`.
    public static func encode(login: String, password: String, as authzid: String = "") -> String {
        Data((authzid + "\0" + login + "\0" + password).utf8).base64EncodedString()
    }
}
