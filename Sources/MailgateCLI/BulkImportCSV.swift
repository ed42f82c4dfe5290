import Foundation
import MailStore

/// The administrator's bulk-import CSV (administrator's guide, "Add multiple users with bulk
/// import"): a label line and 1 to 250 user lines of 15 columns, UTF-8 or UTF-16.
///
/// Labels may be in any language: the column's position decides the field, so the label line is
/// only counted, not matched.
enum BulkImportCSV {
    static let columnCount = 15
    static let maximumRows = 250
    /// Fields in column order after User Name.
    static let fields: [UserProfile.Field] = [
        .firstName, .lastName, .displayName, .jobTitle, .department, .officeNumber, .officePhone, .mobilePhone, .fax,
        .address, .city, .stateOrProvince, .postalCode, .countryOrRegion,
    ]

    struct Row {
        /// 1-based line number in the file (the label line is 1).
        var line: Int
        var result: Result<(EmailAddress, UserProfile), RefusedOperation>
    }

    /// Decodes, splits and checks the file; a problem with the file as a whole is thrown,
    /// a problem with one row is that row's failure.
    static func parse(_ data: Data) throws(RefusedOperation) -> [Row] {
        guard let text = decode(data) else { throw RefusedOperation("the file is neither UTF-8 nor UTF-16 text") }
        let records: [[String]]
        do {
            records = try CSVRecords.parse(text, maximumRecords: maximumRows + 2)
        } catch {
            throw RefusedOperation("the file is not valid CSV: \(error.reason)")
        }
        let rows = records.dropFirst().enumerated().filter { !($0.element.count == 1 && $0.element[0].isEmpty) }
        guard let header = records.first, header.count == columnCount else {
            throw RefusedOperation("the label line must have the template's \(columnCount) columns")
        }
        guard (1...maximumRows).contains(rows.count) else {
            throw RefusedOperation(
                "the file must hold 1 to \(maximumRows) users (it has \(rows.count)); split it into several files")
        }
        return rows.map { index, cells in Row(line: index + 2, result: check(cells)) }
    }

    static func check(_ cells: [String]) -> Result<(EmailAddress, UserProfile), RefusedOperation> {
        guard cells.count == columnCount else {
            return .failure(RefusedOperation("expected \(columnCount) columns, found \(cells.count)"))
        }
        let userName = cells[0].trimmingCharacters(in: .whitespaces)
        guard !userName.isEmpty else { return .failure(RefusedOperation("User Name is required")) }
        guard let address = EmailAddress(userName) else {
            return .failure(RefusedOperation("User Name \"\(userName)\" is not a full email address"))
        }
        // The guide's limits: 79 characters in all, 30 before "@", 48 after.
        guard userName.count <= 79, address.localPart.count <= 30, address.domain.count <= 48 else {
            return .failure(
                RefusedOperation("User Name is too long (at most 79 characters, 30 before @ and 48 after)"))
        }
        var profile = UserProfile(displayName: "")
        for (field, cell) in zip(fields, cells.dropFirst()) {
            let value = cell.trimmingCharacters(in: .whitespaces)
            profile[field] = value.isEmpty ? nil : value
        }
        if let problem = profile.problem() { return .failure(RefusedOperation(problem)) }
        return .success((address, profile))
    }

    /// UTF-16 when the file starts with a byte-order mark, else UTF-8 (a UTF-8 BOM is skipped).
    static func decode(_ data: Data) -> String? {
        let bytes = [UInt8](data.prefix(3))
        if bytes.starts(with: [0xFF, 0xFE]) { return String(data: data, encoding: .utf16LittleEndian).map(dropBOM) }
        if bytes.starts(with: [0xFE, 0xFF]) { return String(data: data, encoding: .utf16BigEndian).map(dropBOM) }
        return String(data: data, encoding: .utf8).map(dropBOM)
    }

    private static func dropBOM(_ text: String) -> String {
        text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    }
}
