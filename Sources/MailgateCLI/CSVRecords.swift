/// An RFC 4180 CSV reader: comma-separated fields, double-quoted fields with `""` escapes and
/// embedded line breaks, CRLF or LF line ends. Bounded by a record count.
enum CSVRecords {
    struct ParseError: Error {
        let reason: String
    }

    static func parse(_ text: String, maximumRecords: Int) throws(ParseError) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var afterQuote = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = iterator.next()
        func endRecord() throws(ParseError) {
            record.append(field)
            field = ""
            records.append(record)
            record = []
            if records.count > maximumRecords { throw ParseError(reason: "more than \(maximumRecords) lines") }
        }
        while let scalar = pending {
            pending = iterator.next()
            if inQuotes {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = iterator.next()
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                record.append(field)
                field = ""
                afterQuote = false
            case "\r":
                if pending == "\n" { pending = iterator.next() }
                try endRecord()
                afterQuote = false
            case "\n":
                try endRecord()
                afterQuote = false
            case "\"" where field.isEmpty && !afterQuote:
                inQuotes = true
            default:
                if afterQuote { throw ParseError(reason: "text after a closing quote in line \(records.count + 1)") }
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw ParseError(reason: "a quoted field is not closed") }
        if !field.isEmpty || !record.isEmpty { try endRecord() }
        return records
    }
}
