import NIOCore
import Synchronization

/// Runs a connection's session task on its channel's event loop.
///
/// The session then reads its frames and writes its replies on the thread that does the socket
/// I/O, instead of being woken on another thread for every frame and handing every reply
/// back: SMTP spent more CPU switching threads than on anything else. Work that may take long
/// (scrypt, big parses) must still leave the loop: sign-in runs on a thread pool, the store on
/// its own threads.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    private init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Executors live as long as the process: a task refers to its preferred executor unowned.
    private static let executors = Mutex<[ObjectIdentifier: EventLoopTaskExecutor]>([:])

    /// The one executor of `eventLoop`.
    static func of(_ eventLoop: any EventLoop) -> EventLoopTaskExecutor {
        executors.withLock { executors in
            let key = ObjectIdentifier(eventLoop)
            if let existing = executors[key] { return existing }
            let made = EventLoopTaskExecutor(eventLoop)
            executors[key] = made
            return made
        }
    }
}
