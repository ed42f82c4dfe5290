/// Organisation-wide settings the administrator changes from the command line.
public struct OrganisationSettings: Sendable, Hashable, Codable {
    public var passwordExpiry: PasswordExpiryPolicy
    public var mobile: MobilePolicy
    /// Users may publish calendars (administrator's guide: on by default).
    public var calendarPublishing: Bool

    public init(passwordExpiry: PasswordExpiryPolicy, mobile: MobilePolicy, calendarPublishing: Bool) {
        self.passwordExpiry = passwordExpiry
        self.mobile = mobile
        self.calendarPublishing = calendarPublishing
    }

    public static let defaults = OrganisationSettings(
        passwordExpiry: .defaults, mobile: .defaults, calendarPublishing: true)
}

/// When passwords expire and how early users are warned.
public struct PasswordExpiryPolicy: Sendable, Hashable, Codable {
    /// Days from a password change to its expiry: 14 to 730 (administrator's guide).
    public private(set) var expireDays: Int
    /// Days before expiry when warnings start; less than ``expireDays``.
    public private(set) var notifyDays: Int

    public static let defaults = PasswordExpiryPolicy(uncheckedExpireDays: 90, notifyDays: 14)
    public static let expireDaysRange = 14...730

    private init(uncheckedExpireDays: Int, notifyDays: Int) {
        self.expireDays = uncheckedExpireDays
        self.notifyDays = notifyDays
    }

    /// Validates a change; unnamed values stay as they are.
    public func changed(expireDays: Int?, notifyDays: Int?) throws(StoreRefusal) -> PasswordExpiryPolicy {
        let expire = expireDays ?? self.expireDays
        let notify = notifyDays ?? self.notifyDays
        guard Self.expireDaysRange.contains(expire) else {
            throw .invalidSetting("--expire-days must be from 14 to 730 (got \(expire))")
        }
        guard notify >= 1, notify < expire else {
            throw .invalidSetting("--notify-days must be from 1 to \(expire - 1) (got \(notify))")
        }
        return PasswordExpiryPolicy(uncheckedExpireDays: expire, notifyDays: notify)
    }
}

/// Mobile (ActiveSync) access and the device password policy sent in Provision (MS-ASPROV).
public struct MobilePolicy: Sendable, Hashable, Codable {
    /// The organisation-wide "Email" switch: off refuses every phone, administrators' included.
    public private(set) var emailEnabled: Bool
    public private(set) var requirePassword: Bool
    /// MinDevicePasswordLength, 1-16; nil for no minimum.
    public private(set) var minLength: Int?
    /// AlphanumericDevicePasswordRequired.
    public private(set) var alphanumeric: Bool
    /// MaxDevicePasswordFailedAttempts, 4-16; nil for unlimited.
    public private(set) var maxFailedAttempts: Int?
    /// MaxInactivityTimeDeviceLock in minutes, 1-60; nil for none.
    public private(set) var inactivityLockMinutes: Int?
    /// DevicePasswordExpiration in days, 1-730; nil for never.
    public private(set) var passwordExpirationDays: Int?
    /// DevicePasswordHistory, 0-50.
    public private(set) var passwordHistory: Int

    public static let defaults = MobilePolicy(
        emailEnabled: true, requirePassword: false, minLength: nil, alphanumeric: false, maxFailedAttempts: nil,
        inactivityLockMinutes: nil, passwordExpirationDays: nil, passwordHistory: 0)

    private init(
        emailEnabled: Bool, requirePassword: Bool, minLength: Int?, alphanumeric: Bool, maxFailedAttempts: Int?,
        inactivityLockMinutes: Int?, passwordExpirationDays: Int?, passwordHistory: Int
    ) {
        self.emailEnabled = emailEnabled
        self.requirePassword = requirePassword
        self.minLength = minLength
        self.alphanumeric = alphanumeric
        self.maxFailedAttempts = maxFailedAttempts
        self.inactivityLockMinutes = inactivityLockMinutes
        self.passwordExpirationDays = passwordExpirationDays
        self.passwordHistory = passwordHistory
    }

    /// The options of `mobile set`; nil leaves a value as it is. For the numeric options,
    /// 0 clears the value (no minimum, unlimited, never).
    public struct Change: Sendable {
        public var emailEnabled: Bool?
        public var requirePassword: Bool?
        public var minLength: Int?
        public var alphanumeric: Bool?
        public var maxFailedAttempts: Int?
        public var inactivityLockMinutes: Int?
        public var passwordExpirationDays: Int?
        public var passwordHistory: Int?
        public init() {}

        var touchesPasswordOptions: Bool {
            minLength != nil || alphanumeric != nil || maxFailedAttempts != nil || inactivityLockMinutes != nil
                || passwordExpirationDays != nil || passwordHistory != nil
        }
    }

    /// Applies a change. The administrator's guide: longer passwords and the other options
    /// need "Require a password" first, so they are refused while passwords are not required;
    /// turning the requirement off clears them.
    public func applying(_ change: Change) throws(StoreRefusal) -> MobilePolicy {
        var policy = self
        if let enabled = change.emailEnabled { policy.emailEnabled = enabled }
        if let required = change.requirePassword { policy.requirePassword = required }
        guard policy.requirePassword else {
            if change.touchesPasswordOptions {
                throw .invalidSetting(
                    "device password options need passwords required first (--require-password yes)")
            }
            policy = MobilePolicy(
                emailEnabled: policy.emailEnabled, requirePassword: false, minLength: nil, alphanumeric: false,
                maxFailedAttempts: nil, inactivityLockMinutes: nil, passwordExpirationDays: nil, passwordHistory: 0)
            return policy
        }
        func optional(_ value: Int?, current: Int?, range: ClosedRange<Int>, option: String) throws(StoreRefusal)
            -> Int?
        {
            guard let value else { return current }
            if value == 0 { return nil }
            guard range.contains(value) else {
                throw .invalidSetting("\(option) must be 0 or from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        policy.minLength = try optional(change.minLength, current: minLength, range: 1...16, option: "--min-length")
        policy.maxFailedAttempts = try optional(
            change.maxFailedAttempts, current: maxFailedAttempts, range: 4...16, option: "--max-failed-attempts")
        policy.inactivityLockMinutes = try optional(
            change.inactivityLockMinutes, current: inactivityLockMinutes, range: 1...60, option: "--inactivity-lock")
        policy.passwordExpirationDays = try optional(
            change.passwordExpirationDays, current: passwordExpirationDays, range: 1...730,
            option: "--password-expiration")
        if let history = change.passwordHistory {
            guard (0...50).contains(history) else { throw .invalidSetting("--password-history must be from 0 to 50") }
            policy.passwordHistory = history
        }
        if let alphanumeric = change.alphanumeric { policy.alphanumeric = alphanumeric }
        return policy
    }
}
