public import Foundation
import MailgateCore
import SPF

/// The header fields SMTP ingress prepends to a stored message.
///
/// From the top: `Authentication-Results:` (RFC 8601, naming this host as authserv-id),
/// `Received-SPF:` (RFC 7208 9.1) and `Received:` (RFC 5321 4.4, protocol per RFC 3848/6531:
/// `ESMTPS` says the hop was TLS). Client-supplied text is stripped of control characters, so it
/// cannot end a field early.
public enum SMTPTraceHeaders {
    public struct Context: Sendable {
        public var hostname: String
        public var clientIP: String
        public var sessionID: String
        public var date: Date

        public init(hostname: String, clientIP: String, sessionID: String, date: Date) {
            self.hostname = hostname
            self.clientIP = clientIP
            self.sessionID = sessionID
            self.date = date
        }
    }

    /// The fields, each ending CRLF, to put before the message's own header.
    public static func fields(for envelope: SMTPEnvelope, context: Context) -> String {
        (envelope.spf.map { spfFields($0, authservID: context.hostname) } ?? "")
            + receivedField(envelope, context: context)
    }

    /// `Authentication-Results:` and `Received-SPF:` for one SPF verdict. A session sending many
    /// messages for one sender keeps the same verdict, so the server builds these once per verdict.
    static func spfFields(_ spf: SPFResult, authservID: String) -> String {
        "Authentication-Results: \(authenticationResults(spf, authservID: authservID))\r\n"
            + fold("Received-SPF: \(spf.receivedSPFFieldValue)") + "\r\n"
    }

    /// `Received:`, which names the message's own time and recipient, so it is built per message.
    static func receivedField(_ envelope: SMTPEnvelope, context: Context) -> String {
        "Received: \(received(envelope, context: context))\r\n"
    }

    /// RFC 5322 2.2.3: folds a field before spaces so lines stay near 78 octets (and far below 998).
    /// Inserting CRLF before an existing space is folding wherever FWS may appear, quoted strings and
    /// comments included, so the unfolded value is unchanged.
    public static func fold(_ field: String, width: Int = 78) -> String {
        var out = ""
        var lineLength = 0
        for (index, word) in field.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if index == 0 {
                out = String(word)
                lineLength = word.utf8.count
            } else if lineLength + 1 + word.utf8.count > width && lineLength > 1 {
                out += "\r\n " + word
                lineLength = 1 + word.utf8.count
            } else {
                out += " " + word
                lineLength += 1 + word.utf8.count
            }
        }
        return out
    }

    /// RFC 8601 5: drops `Authentication-Results:` fields in the message's header that claim our
    /// authserv-id (a forged verdict a reader would trust); other fields and the body are untouched.
    public static func removingForgedResults(from message: [UInt8], authservID: String) -> [UInt8] {
        let name = Array("authentication-results:".utf8)
        let ours = authservID.lowercased()
        var output: [UInt8] = []
        output.reserveCapacity(message.count)
        var index = message.startIndex
        var dropping = false
        while index < message.endIndex {
            let lineEnd = message[index...].firstIndex(of: 0x0A).map { $0 + 1 } ?? message.endIndex
            let line = message[index..<lineEnd]
            if line.first == 0x0D || line.first == 0x0A {
                // The header ends here: the rest goes over as it is.
                output.append(contentsOf: message[index...])
                return output
            } else if line.first == 0x20 || line.first == 0x09 {
                // A continuation line belongs to the field before it.
            } else {
                dropping = false
                if line.count > name.count, zip(line, name).allSatisfy({ $0 | 0x20 == $1 | 0x20 || $0 == $1 }) {
                    let value = String(decoding: line.dropFirst(name.count), as: UTF8.self)
                    let id = value.drop { $0 == " " || $0 == "\t" }.prefix {
                        $0 != ";" && $0 != " " && $0 != "\r" && $0 != "\n"
                    }
                    dropping = id.lowercased() == ours
                }
            }
            if !dropping { output.append(contentsOf: line) }
            index = lineEnd
        }
        return output
    }

    /// RFC 5321 4.4 `Time-stamp-line`; "for" only with one recipient (naming the others would leak Bcc).
    static func received(_ envelope: SMTPEnvelope, context: Context) -> String {
        let utf8 = envelope.parameters.smtpUTF8
        let with: String =
            switch (envelope.usedEHLO, envelope.isTLS, utf8) {
            case (_, _, true): envelope.isTLS ? "UTF8SMTPS" : "UTF8SMTP"
            case (true, true, _): "ESMTPS"
            case (true, false, _): "ESMTP"
            case (false, true, _): "SMTPS"
            case (false, false, _): "SMTP"
            }
        var text = "from \(safe(envelope.helo)) ([\(safe(context.clientIP))])\r\n\tby \(context.hostname) (Mailgate)"
        text += " with \(with) id \(context.sessionID)"
        if envelope.recipients.count == 1, let recipient = envelope.recipients.first {
            text += "\r\n\tfor <\(safe(recipient.description))>"
        }
        text += "; \(rfc5322Date(context.date))"
        return text
    }

    /// RFC 8601 2.2: `authserv-id; spf=result smtp.mailfrom=...` (or `smtp.helo` for `<>`).
    static func authenticationResults(_ spf: SPFResult, authservID: String) -> String {
        let property = spf.mailFrom.isEmpty ? "smtp.helo=\(value(spf.helo))" : "smtp.mailfrom=\(value(spf.mailFrom))"
        return "\(authservID);\r\n\tspf=\(spf.code.rawValue) \(property)"
    }

    /// RFC 8601 2.2 `pvalue`: the value as is when it has no special characters, else a quoted string.
    static func value(_ text: String) -> String {
        let plain =
            !text.isEmpty
            && text.unicodeScalars.allSatisfy { scalar in
                scalar.value > 0x20 && scalar.value < 0x7F && !"()<>[]:;\\\",".unicodeScalars.contains(scalar)
                    || scalar == "@" || scalar.value >= 0x80
            }
        if plain { return text }
        return "\""
            + safe(text).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }

    /// No control characters, no parentheses (the text sits next to comments).
    static func safe(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "(") && $0 != UInt8(ascii: ")") }) {
            return text
        }
        return String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    scalar.value < 0x20 || scalar.value == 0x7F || scalar == "(" || scalar == ")" ? "?" : scalar
                }))
    }

    /// RFC 5322 3.3 `date-time` in UTC: `Sat, 28 Nov 2026 03:11:59 +0000`.
    public static func rfc5322Date(_ date: Date) -> String {
        let (days, second) = CivilDate.split(secondsSince1970: date.timeIntervalSince1970)
        let civil = CivilDate.date(ofDay: days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(CivilDate.weekdayNames[CivilDate.weekday(ofDay: days)]), \(civil.day) "
            + "\(CivilDate.monthNames[civil.month - 1]) \(civil.year) "
            + "\(two(second / 3600)):\(two(second % 3600 / 60)):\(two(second % 60)) +0000"
    }
}
