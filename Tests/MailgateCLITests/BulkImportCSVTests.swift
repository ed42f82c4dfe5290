import Foundation
import MailStore
import Testing

@testable import MailgateCLI

@Suite("Bulk-import CSV (administrator's guide, bulk import)")
struct BulkImportCSVTests {
    static let header =
        "User Name,First Name,Last Name,Display Name,Job Title,Department,Office Number,Office Phone,"
        + "Mobile Phone,Fax,Address,City,State or Province,ZIP or Postal Code,Country or Region"

    static func file(_ rows: [String], encoding: String.Encoding = .utf8) -> Data {
        ([header] + rows).joined(separator: "\r\n").data(using: encoding) ?? Data()
    }

    @Test("RFC 4180: quoted fields with commas, doubled quotes and line breaks")
    func quoting() throws {
        let records = try CSVRecords.parse("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",x,\n", maximumRecords: 10)
        #expect(records == [["a", "b,c", "say \"hi\""], ["multi\nline", "x", ""]])
        #expect(throws: CSVRecords.ParseError.self) { try CSVRecords.parse("\"open", maximumRecords: 10) }
        #expect(throws: CSVRecords.ParseError.self) { try CSVRecords.parse("\"a\"b", maximumRecords: 10) }
    }

    @Test("Rows are checked one by one: address, display name, lengths")
    func rowChecks() throws {
        let rows = try BulkImportCSV.parse(
            Self.file([
                "ann@example.test,Ann,A,Ann A,,,,,,,,,,,",
                "nobody,,,No Body,,,,,,,,,,,",
                "bob@example.test,,,,,,,,,,,,,,",
                "cat@example.test,,,Cat,\(String(repeating: "j", count: 65)),,,,,,,,,,",
                "\(String(repeating: "d", count: 31))@example.test,,,Dan,,,,,,,,,,,",
                "too,few,columns",
            ]))
        #expect(rows.map(\.line) == [2, 3, 4, 5, 6, 7])
        let outcomes = rows.map { row -> String in
            switch row.result {
            case .success(let (address, profile)): "\(address) \(profile.displayName)"
            case .failure(let problem): problem.reason
            }
        }
        #expect(outcomes[0] == "ann@example.test Ann A")
        #expect(outcomes[1].contains("not a full email address"))
        #expect(outcomes[2] == "Display Name is required")
        #expect(outcomes[3] == "Job Title is longer than 64 characters")
        #expect(outcomes[4].contains("30 before @"))
        #expect(outcomes[5].contains("expected 15 columns"))
    }

    @Test("The file as a whole: 1 to 250 users, 15 label columns, UTF-16 with a BOM")
    func wholeFile() throws {
        #expect(throws: RefusedOperation.self) { try BulkImportCSV.parse(Self.file([])) }
        let many = (0...250).map { "u\($0)@example.test,,,U,,,,,,,,,,," }
        #expect(throws: RefusedOperation.self) { try BulkImportCSV.parse(Self.file(many)) }
        #expect(throws: RefusedOperation.self) { try BulkImportCSV.parse(Data("a,b\nx@y.test,z\n".utf8)) }
        let utf16 = Self.file(["zoe@example.test,Zoë,,Zoë Z,,,,,,,,,,,"], encoding: .utf16)
        let rows = try BulkImportCSV.parse(utf16)
        guard case .success(let (_, profile)) = rows.first?.result else {
            Issue.record("UTF-16 row refused")
            return
        }
        #expect(profile.firstName == "Zoë")
    }
}
