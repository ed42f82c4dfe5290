import MailStore

/// RFC 5182 SEARCHRES: `$` in a command stands for the messages the last `SEARCH RETURN (SAVE)`
/// found. Before a command runs, each `$` is replaced by those messages, as UIDs in a UID
/// command or UID key and as sequence numbers otherwise (2.1: the saved result is a set of
/// messages, not of numbers; messages expunged since are no longer in it).
extension IMAPCommand.Kind {
    func resolvingSavedResult(in selected: SelectedMailbox?) -> IMAPCommand.Kind {
        func concrete(_ set: IMAPSequenceSet, uid: Bool) -> IMAPSequenceSet {
            guard set.isSavedResult else { return set }
            guard let selected else { return IMAPSequenceSet([]) }
            let saved = selected.savedResult
            let numbers = uid ? saved : saved.compactMap { selected.sequenceNumber(of: $0).map(UInt32.init) }
            return .compact(numbers.sorted())
        }
        switch self {
        case .fetch(let set, let items, let changedSince, let uid, let vanished):
            return .fetch(
                concrete(set, uid: uid), items: items, changedSince: changedSince, uid: uid, vanished: vanished)
        case .store(let set, let change, let uid): return .store(concrete(set, uid: uid), change, uid: uid)
        case .copy(let set, let mailbox, let uid): return .copy(concrete(set, uid: uid), mailbox: mailbox, uid: uid)
        case .move(let set, let mailbox, let uid): return .move(concrete(set, uid: uid), mailbox: mailbox, uid: uid)
        case .uidExpunge(let set): return .uidExpunge(concrete(set, uid: true))
        case .search(let key, let uid, let options):
            return .search(key.resolvingSavedResult(concrete), uid: uid, returnOptions: options)
        case .sort(let criteria, let key, let uid):
            return .sort(criteria, key.resolvingSavedResult(concrete), uid: uid)
        default: return self
        }
    }
}

extension IMAPSearchKey {
    fileprivate func resolvingSavedResult(_ concrete: (IMAPSequenceSet, Bool) -> IMAPSequenceSet) -> IMAPSearchKey {
        switch self {
        case .sequence(let set): .sequence(concrete(set, false))
        case .uid(let set): .uid(concrete(set, true))
        case .and(let keys): .and(keys.map { $0.resolvingSavedResult(concrete) })
        case .or(let a, let b): .or(a.resolvingSavedResult(concrete), b.resolvingSavedResult(concrete))
        case .not(let inner): .not(inner.resolvingSavedResult(concrete))
        default: self
        }
    }
}
