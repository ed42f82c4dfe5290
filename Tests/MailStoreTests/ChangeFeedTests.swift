import MailStore
import Synchronization
import Testing

@Suite("Change feed")
struct ChangeFeedTests {
    @Test("A mailbox observer hears only its mailbox; an unscoped one hears everything, synchronously")
    func scopedObservers() {
        let feed = ChangeFeed()
        let mine = Mutex<[StoreChange]>([])
        let all = Mutex<[StoreChange]>([])
        let box = MailboxID(1)
        let scoped = feed.observe(mailbox: box) { change in mine.withLock { $0.append(change) } }
        let everything = feed.observe { change in all.withLock { $0.append(change) } }
        feed.publish([.folder(box, FolderID(10)), .folder(MailboxID(2), FolderID(20)), .directory, .folderList(box)])
        #expect(mine.withLock { $0 } == [.folder(box, FolderID(10)), .folderList(box)])
        #expect(all.withLock { $0.count } == 4)
        #expect(feed.subscriberCount == 2)
        scoped.cancel()
        feed.publish([.folder(box, FolderID(10))])
        #expect(mine.withLock { $0.count } == 2)
        #expect(all.withLock { $0.count } == 5)
        _ = everything
    }

    @Test("Duplicates in one publication reach an observer once; a released observation stops")
    func duplicatesAndRelease() {
        let feed = ChangeFeed()
        let count = Mutex(0)
        var observation: ChangeObservation? = feed.observe { _ in count.withLock { $0 += 1 } }
        feed.publish([.settings, .settings, .directory])
        #expect(count.withLock { $0 } == 2)
        _ = observation
        observation = nil
        feed.publish([.settings])
        #expect(count.withLock { $0 } == 2)
        #expect(feed.subscriberCount == 0)
    }

    @Test("A subscription stream ends its observation when the reader stops")
    func streamUnsubscribes() async {
        let feed = ChangeFeed()
        let task = Task {
            for await change in feed.subscribe() where change == .directory { return true }
            return false
        }
        while feed.subscriberCount == 0 { await Task.yield() }
        feed.publish([.directory])
        #expect(await task.value)
        while feed.subscriberCount != 0 { await Task.yield() }
    }
}
