import CoreMetrics

/// The IMAP service's metrics (Prometheus names), exported on `/metrics`.
struct IMAPMetrics: Sendable {
    let sessions = Counter(label: "mailgate_imap_sessions_total")
    let signInFailures = Counter(label: "mailgate_imap_signin_failures_total")
    /// Sessions in IDLE now (RFC 2177).
    let idling = Meter(label: "mailgate_imap_idle_sessions")

    /// One count per command, by name (`fetch`, `uid_fetch`, ...); names come from the parser's
    /// fixed set, so the label values are bounded.
    func command(_ kind: IMAPCommand.Kind) {
        Counter(label: "mailgate_imap_commands_total", dimensions: [("command", kind.metricName)]).increment()
    }
}

extension IMAPCommand.Kind {
    /// The command's name for metrics, lower case, `uid_` in front of UID commands.
    var metricName: String {
        switch self {
        case .capability: "capability"
        case .noop: "noop"
        case .logout: "logout"
        case .startTLS: "starttls"
        case .check: "check"
        case .close: "close"
        case .unselect: "unselect"
        case .idle: "idle"
        case .namespace: "namespace"
        case .login: "login"
        case .authenticate: "authenticate"
        case .id: "id"
        case .enable: "enable"
        case .select(_, let readOnly, _, _): readOnly ? "examine" : "select"
        case .create: "create"
        case .delete: "delete"
        case .rename: "rename"
        case .subscribe: "subscribe"
        case .unsubscribe: "unsubscribe"
        case .list: "list"
        case .lsub: "lsub"
        case .status: "status"
        case .append: "append"
        case .expunge: "expunge"
        case .uidExpunge: "uid_expunge"
        case .fetch(_, _, _, let uid, _): uid ? "uid_fetch" : "fetch"
        case .store(_, _, let uid): uid ? "uid_store" : "store"
        case .copy(_, _, let uid): uid ? "uid_copy" : "copy"
        case .move(_, _, let uid): uid ? "uid_move" : "move"
        case .search(_, let uid, _): uid ? "uid_search" : "search"
        case .sort(_, _, let uid): uid ? "uid_sort" : "sort"
        case .getQuotaRoot: "getquotaroot"
        case .getQuota: "getquota"
        }
    }
}
