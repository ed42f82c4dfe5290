/// Why the store refused an operation. Each case reads as the one-line reason the command
/// line prints on stderr (INTERFACE.md: exit status 1).
public enum StoreRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidAddress(String)
    case invalidDomain(String)
    case domainExists(String)
    case domainUnknown(String)
    case domainInUse(String, addresses: Int)
    case invalidSKU(String)
    case licenseUnknown(String)
    case noLicensesLeft(sku: String, total: Int, assigned: Int)
    case licenseCountBelowAssigned(sku: String, requested: Int, assigned: Int)
    case invalidCount(Int)
    case licenseAlreadyAssigned(user: String, sku: String)
    case licenseNotAssigned(user: String, sku: String)
    case addressTaken(String)
    case domainNotAccepted(String)
    case userUnknown(String)
    case deletedUserUnknown(String)
    case restoreAddressTaken(String)
    case restoreWindowPassed(String)
    case aliasUnknown(user: String, alias: String)
    case aliasIsPrimary(String)
    case invalidProfile(String)
    case invalidSetting(String)
    case invalidFolderName(String)
    case folderExists(String)
    case folderUnknown(String)
    case folderHasRole(String)
    case mailboxUnavailable
    case messageTooLarge(limit: Int)
    case quotaExceeded

    public var description: String {
        switch self {
        case .invalidAddress(let text): "\"\(text)\" is not a valid email address"
        case .invalidDomain(let text): "\"\(text)\" is not a valid domain name"
        case .domainExists(let name): "domain \(name) is already added"
        case .domainUnknown(let name): "domain \(name) is not one of the organisation's domains"
        case .domainInUse(let name, let count):
            "domain \(name) is still used by \(count) address\(count == 1 ? "" : "es"); move or remove them first"
        case .invalidSKU(let sku): "\"\(sku)\" is not a valid license SKU (letters, digits, _ - .)"
        case .licenseUnknown(let sku): "no license SKU \(sku)"
        case .noLicensesLeft(let sku, let total, let assigned):
            "no licenses left for \(sku) (\(assigned) of \(total) assigned)"
        case .licenseCountBelowAssigned(let sku, let requested, let assigned):
            "\(assigned) \(sku) licenses are assigned; unassign \(assigned - requested) before setting the total to \(requested)"
        case .invalidCount(let count): "\(count) is not a valid license count"
        case .licenseAlreadyAssigned(let user, let sku): "\(user) already has a \(sku) license"
        case .licenseNotAssigned(let user, let sku): "\(user) has no \(sku) license"
        case .addressTaken(let address): "\(address) is already used by another user"
        case .domainNotAccepted(let address):
            "the domain of \(address) is not one of the organisation's domains (mailgate domain add)"
        case .userUnknown(let address): "no user \(address)"
        case .deletedUserUnknown(let address): "no deleted user \(address)"
        case .restoreAddressTaken(let address):
            "\(address) now belongs to another user; restore under another address with --as NEWEMAIL"
        case .restoreWindowPassed(let address): "\(address) was deleted more than 30 days ago and cannot be restored"
        case .aliasUnknown(let user, let alias): "\(alias) is not an alias of \(user)"
        case .aliasIsPrimary(let address): "\(address) is the primary address; rename the user instead"
        case .invalidProfile(let reason): reason
        case .invalidSetting(let reason): reason
        case .invalidFolderName(let name): "\"\(name)\" is not a valid folder name"
        case .folderExists(let name): "folder \(name) already exists"
        case .folderUnknown(let name): "no folder \(name)"
        case .folderHasRole(let name): "\(name) is a special folder and cannot be deleted or renamed"
        case .mailboxUnavailable: "the mailbox is not available"
        case .messageTooLarge(let limit): "the message is larger than \(limit) bytes"
        case .quotaExceeded: "the mailbox is full"
        }
    }
}
