import MIME

/// Test messages are written with "\n"; stored mail uses CRLF, so the fixtures are converted.
func crlf(_ text: String) -> [UInt8] {
    Array(text.replacing("\r\n", with: "\n").replacing("\n", with: "\r\n").utf8)
}

/// Parses a fixture written with "\n" line ends as a CRLF message.
func message(_ text: String) -> MIMEMessage { MIMEMessage(crlf(text)) }

/// Bytes as text, for readable expectations.
func text(_ bytes: some Sequence<UInt8>) -> String { String(decoding: Array(bytes), as: UTF8.self) }

extension MIMEMessage {
    /// `BODY[spec]` as text.
    func section(_ spec: String, partial: MIMEPartial? = nil) throws -> String {
        text(section(try MIMESectionSpec(parsing: spec), partial: partial))
    }
}

/// RFC 3501 6.4.5's example message.
let rfc3501Example = """
    Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)
    From: Fred Foobar <foobar@Blurdybloop.COM>
    Subject: afternoon meeting
    To: mooch@owatagu.siam.edu
    Message-Id: <B27397-0100000@Blurdybloop.COM>
    MIME-Version: 1.0
    Content-Type: TEXT/PLAIN; CHARSET=US-ASCII

    Hello Joe, do you think we can meet at 3:30 tomorrow?

    """

/// A multipart/mixed with a nested multipart/alternative, a message/rfc822 and an RFC 2231 attachment.
let nestedExample = """
    From: a@example.test
    Subject: nested
    MIME-Version: 1.0
    Content-Type: multipart/mixed; boundary="outer"

    preamble
    --outer
    Content-Type: multipart/alternative; boundary=inner

    --inner
    Content-Type: text/plain; charset=utf-8

    plain body
    --inner
    Content-Type: text/html

    <p>html</p>
    --inner--
    --outer
    Content-Type: message/rfc822

    From: b@example.test
    Subject: inner
    Content-Type: text/plain

    inner body
    line 2
    --outer
    Content-Type: application/octet-stream; name="x.bin"
    Content-Transfer-Encoding: base64
    Content-Disposition: attachment; filename*0*=utf-8''%C3%A9t%C3%A9; filename*1=".bin"

    AAEC
    --outer--
    epilogue

    """
