/// The person's details: the fields of the administrator's bulk-import CSV beyond the address.
public struct UserProfile: Sendable, Hashable, Codable {
    public var firstName: String?
    public var lastName: String?
    public var displayName: String
    public var jobTitle: String?
    public var department: String?
    public var officeNumber: String?
    public var officePhone: String?
    public var mobilePhone: String?
    public var fax: String?
    public var address: String?
    public var city: String?
    public var stateOrProvince: String?
    public var postalCode: String?
    public var countryOrRegion: String?

    public init(displayName: String) { self.displayName = displayName }

    /// One editable field, with its CSV column label, its maximum length from the
    /// administrator's guide (bulk import section) and its `--json` / CLI name.
    public enum Field: String, CaseIterable, Sendable {
        case firstName = "first_name"
        case lastName = "last_name"
        case displayName = "display_name"
        case jobTitle = "job_title"
        case department
        case officeNumber = "office_number"
        case officePhone = "office_phone"
        case mobilePhone = "mobile_phone"
        case fax
        case address
        case city
        case stateOrProvince = "state_or_province"
        case postalCode = "postal_code"
        case countryOrRegion = "country_or_region"

        public var maximumLength: Int {
            switch self {
            case .firstName, .lastName, .jobTitle, .department, .officePhone, .mobilePhone, .fax: 64
            case .displayName: 256
            case .officeNumber, .city, .stateOrProvince, .countryOrRegion: 128
            case .address: 1024
            case .postalCode: 40
            }
        }

        /// The column label in the import template.
        public var csvLabel: String {
            switch self {
            case .firstName: "First Name"
            case .lastName: "Last Name"
            case .displayName: "Display Name"
            case .jobTitle: "Job Title"
            case .department: "Department"
            case .officeNumber: "Office Number"
            case .officePhone: "Office Phone"
            case .mobilePhone: "Mobile Phone"
            case .fax: "Fax"
            case .address: "Address"
            case .city: "City"
            case .stateOrProvince: "State or Province"
            case .postalCode: "ZIP or Postal Code"
            case .countryOrRegion: "Country or Region"
            }
        }
    }

    public subscript(field: Field) -> String? {
        get {
            switch field {
            case .firstName: firstName
            case .lastName: lastName
            case .displayName: displayName
            case .jobTitle: jobTitle
            case .department: department
            case .officeNumber: officeNumber
            case .officePhone: officePhone
            case .mobilePhone: mobilePhone
            case .fax: fax
            case .address: address
            case .city: city
            case .stateOrProvince: stateOrProvince
            case .postalCode: postalCode
            case .countryOrRegion: countryOrRegion
            }
        }
        set {
            switch field {
            case .firstName: firstName = newValue
            case .lastName: lastName = newValue
            case .displayName: displayName = newValue ?? ""
            case .jobTitle: jobTitle = newValue
            case .department: department = newValue
            case .officeNumber: officeNumber = newValue
            case .officePhone: officePhone = newValue
            case .mobilePhone: mobilePhone = newValue
            case .fax: fax = newValue
            case .address: address = newValue
            case .city: city = newValue
            case .stateOrProvince: stateOrProvince = newValue
            case .postalCode: postalCode = newValue
            case .countryOrRegion: countryOrRegion = newValue
            }
        }
    }

    /// Checks every field's length and that the display name is present.
    /// - Returns: the first problem, in words, or nil.
    public func problem() -> String? {
        if displayName.isEmpty { return "Display Name is required" }
        for field in Field.allCases {
            if let value = self[field], value.count > field.maximumLength {
                return "\(field.csvLabel) is longer than \(field.maximumLength) characters"
            }
            if let value = self[field], value.contains(where: { $0.isNewline }) {
                return "\(field.csvLabel) contains a line break"
            }
        }
        return nil
    }
}
