import Foundation

/// Events buffered for a slow reader before the SDK's listener thread waits for it.
public let eventBufferCapacity = 256

/// The events of one listener, kept until they are read, up to a capacity. When the buffer is
/// full the listener callback (on the SDK's listener thread) waits for the reader: the SDK then
/// slows delivery to this listener, and nothing is dropped. One reader at a time.
final class EventBuffer<E: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [E] = []
    private var head = 0
    private var reader: CheckedContinuation<E?, Never>?
    private var finished = false
    private let capacity: Int

    init(capacity: Int = eventBufferCapacity) {
        self.capacity = capacity
    }

    private var count: Int { items.count - head }

    /// Adds an event, waiting while the buffer is full.
    func push(_ event: E) {
        condition.lock()
        while count >= capacity && !finished && reader == nil {
            condition.wait()
        }
        if finished {
            condition.unlock()
            return
        }
        if let waiting = reader {
            reader = nil
            condition.unlock()
            waiting.resume(returning: event)
            return
        }
        items.append(event)
        condition.unlock()
    }

    /// The next event, or `nil` once finished (or when the reading task is cancelled).
    func next() async -> E? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<E?, Never>) in
                condition.lock()
                if count > 0 {
                    let event = items[head]
                    head += 1
                    if head > 64 && head * 2 > items.count {
                        items.removeFirst(head)
                        head = 0
                    }
                    condition.signal()
                    condition.unlock()
                    continuation.resume(returning: event)
                } else if finished || Task.isCancelled {
                    condition.unlock()
                    continuation.resume(returning: nil)
                } else {
                    reader = continuation
                    condition.unlock()
                }
            }
        } onCancel: {
            self.finish()
        }
    }

    /// Ends the stream: the reader gets `nil`, a waiting listener callback returns.
    func finish() {
        condition.lock()
        finished = true
        let waiting = reader
        reader = nil
        condition.broadcast()
        condition.unlock()
        waiting?.resume(returning: nil)
    }

    /// An `AsyncStream` over this buffer; `onEnd` runs when the reader stops.
    func stream(onEnd: @escaping @Sendable () -> Void = {}) -> AsyncStream<E> {
        AsyncStream(unfolding: { await self.next() }, onCancel: { [self] in
            finish()
            onEnd()
        })
    }
}
