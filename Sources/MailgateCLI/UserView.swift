import Foundation
import MailStore

/// A user as `user show` and `user list` print them (INTERFACE.md's `--json` fields and more).
struct UserView: Encodable {
    var email: String
    var displayName: String
    var firstName: String?
    var lastName: String?
    var jobTitle: String?
    var department: String?
    var officeNumber: String?
    var officePhone: String?
    var mobilePhone: String?
    var fax: String?
    var address: String?
    var city: String?
    var stateOrProvince: String?
    var postalCode: String?
    var countryOrRegion: String?
    var licenses: [String]
    var mailbox: Bool
    var mailboxState: String
    var deleted: Bool
    var deletedAt: Date?
    var mustChangePassword: Bool
    var passwordChangedAt: Date?
    var blocked: Bool
    var activesync: Bool
    var aliases: [String]
    var createdAt: Date

    init(_ account: UserAccount) {
        let profile = account.profile
        email = account.email.description
        displayName = profile.displayName
        firstName = profile.firstName
        lastName = profile.lastName
        jobTitle = profile.jobTitle
        department = profile.department
        officeNumber = profile.officeNumber
        officePhone = profile.officePhone
        mobilePhone = profile.mobilePhone
        fax = profile.fax
        address = profile.address
        city = profile.city
        stateOrProvince = profile.stateOrProvince
        postalCode = profile.postalCode
        countryOrRegion = profile.countryOrRegion
        licenses = account.isDeleted ? account.licensesAtDeletion : account.licenses
        mailbox = account.mailbox.isActive
        switch account.mailbox {
        case .none: mailboxState = "none"
        case .active: mailboxState = "active"
        case .disabled: mailboxState = "disabled"
        }
        deleted = account.isDeleted
        deletedAt = account.deletedAt
        mustChangePassword = account.mustChangePassword
        passwordChangedAt = account.passwordChangedAt
        blocked = account.isSignInBlocked
        activesync = account.isActiveSyncEnabled
        aliases = account.aliases.map(\.description)
        createdAt = account.createdAt
    }

    var humanFields: [(String, String)] {
        var pairs: [(String, String)] = [
            ("email", email), ("display name", displayName),
        ]
        let optional: [(String, String?)] = [
            ("first name", firstName), ("last name", lastName), ("job title", jobTitle), ("department", department),
            ("office number", officeNumber), ("office phone", officePhone), ("mobile phone", mobilePhone),
            ("fax", fax), ("address", address), ("city", city), ("state or province", stateOrProvince),
            ("zip or postal code", postalCode), ("country or region", countryOrRegion),
        ]
        pairs += optional.compactMap { key, value in value.map { (key, $0) } }
        pairs += [
            ("aliases", aliases.isEmpty ? "-" : aliases.joined(separator: ", ")),
            ("licenses", licenses.isEmpty ? "-" : licenses.joined(separator: ", ")),
            ("mailbox", mailboxState),
            ("sign-in", blocked ? "blocked" : "allowed"),
            ("activesync", activesync ? "on" : "off"),
            ("must change password", Output.yesNo(mustChangePassword)),
            ("password changed", Output.date(passwordChangedAt)),
            ("created", Output.date(createdAt)),
        ]
        if deleted { pairs.append(("deleted", Output.date(deletedAt))) }
        return pairs
    }
}
