import Foundation

/// Every key the configuration file may hold, with the kind of its value.
///
/// The loader walks the YAML tree against this list, so a misspelt key (`smtp.lissten`) is an
/// error at start that names it, instead of a listener silently left off.
enum ConfigSchema {
    enum Kind {
        case section
        case scalar
    }

    /// Dotted key paths. A section's children are listed with the section's prefix.
    static let keys: [String: Kind] = [
        "hostname": .scalar,
        "public_url": .scalar,
        "data_dir": .scalar,
        "tls": .section,
        "tls.certificate": .scalar,
        "tls.private_key": .scalar,
        "tls.dev_certificates": .scalar,
        "dns": .section,
        "dns.resolver": .scalar,
        "dns.timeout_seconds": .scalar,
        "smtp": .section,
        "smtp.listen": .scalar,
        "smtp.max_message_bytes": .scalar,
        "smtp.max_recipients": .scalar,
        "smtp.spf_fail": .scalar,
        "smtp.spf_permerror": .scalar,
        "submission": .section,
        "submission.listen": .scalar,
        "imap": .section,
        "imap.listen": .scalar,
        "imap.tls_listen": .scalar,
        "pop3": .section,
        "pop3.listen": .scalar,
        "pop3.tls_listen": .scalar,
        "outbound": .section,
        "outbound.smarthost": .scalar,
        "outbound.first_retry_seconds": .scalar,
        "outbound.give_up_hours": .scalar,
        "http": .section,
        "http.listen": .scalar,
        "http.tls_listen": .scalar,
        "limits": .section,
        "limits.max_connections": .scalar,
        "limits.max_connections_per_address": .scalar,
        "limits.max_sessions_per_user": .scalar,
        "log": .section,
        "log.level": .scalar,
    ]

    /// The environment variable that overrides a key: `smtp.listen` -> `SMTP_LISTEN`.
    static func environmentName(of key: String) -> String {
        key.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}
