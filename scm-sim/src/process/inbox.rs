//! A process's dispatcher inbox: the SCM's messages to one process's control dispatcher,
//! delivered in the order they were sent (the named pipe between services.exe and the
//! process).
//!
//! It behaves as an unbounded channel with one receiver: a send fails once the receiver is
//! gone (the dispatcher returned or never ran), and the receiver sees the end once every
//! sender is gone (the SCM forgot the process) and the queue is drained. It is a queue under
//! a lock plus a [`Notify`], rather than a general channel, because a process lives for one
//! start in the common case: a queue costs one small allocation, where a channel's first
//! block (room for 32 messages) is a large one, made and freed at every start.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::Notify;

use super::DispatchMsg;

/// What the sending and the receiving side share.
#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// Wakes the receiver: a message was queued, or the last sender went away.
    arrived: Notify,
}

#[derive(Default)]
struct State {
    queue: VecDeque<DispatchMsg>,
    senders: usize,
    receiver_gone: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}

/// A new inbox: its sending side (kept by the SCM's process record) and its receiving side
/// (taken by the dispatcher).
pub(crate) fn inbox() -> (InboxSender, InboxReceiver) {
    let shared = Arc::new(Shared::default());
    shared.lock().senders = 1;
    (InboxSender(shared.clone()), InboxReceiver(shared))
}

/// The SCM's side of an inbox.
pub(crate) struct InboxSender(Arc<Shared>);

impl InboxSender {
    /// Queues a message; gives it back when the receiver is gone.
    pub(crate) fn send(&self, msg: DispatchMsg) -> Result<(), DispatchMsg> {
        {
            let mut st = self.0.lock();
            if st.receiver_gone {
                return Err(msg);
            }
            st.queue.push_back(msg);
        }
        self.0.arrived.notify_one();
        Ok(())
    }
}

impl Clone for InboxSender {
    fn clone(&self) -> InboxSender {
        self.0.lock().senders += 1;
        InboxSender(self.0.clone())
    }
}

impl Drop for InboxSender {
    fn drop(&mut self) {
        let last = {
            let mut st = self.0.lock();
            st.senders -= 1;
            st.senders == 0
        };
        if last {
            self.0.arrived.notify_one();
        }
    }
}

impl std::fmt::Debug for InboxSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InboxSender")
    }
}

/// The dispatcher's side of an inbox.
pub(crate) struct InboxReceiver(Arc<Shared>);

impl InboxReceiver {
    /// The next message, waiting for one; `None` once every sender is gone and the queue is
    /// empty.
    pub(crate) async fn recv(&mut self) -> Option<DispatchMsg> {
        loop {
            let arrived = self.0.arrived.notified();
            {
                let mut st = self.0.lock();
                if let Some(msg) = st.queue.pop_front() {
                    return Some(msg);
                }
                if st.senders == 0 {
                    return None;
                }
            }
            arrived.await;
        }
    }
}

impl Drop for InboxReceiver {
    fn drop(&mut self) {
        // Messages still queued are dropped outside the lock (their reply senders wake
        // whoever waits for an answer).
        let queued = {
            let mut st = self.0.lock();
            st.receiver_gone = true;
            std::mem::take(&mut st.queue)
        };
        drop(queued);
    }
}

impl std::fmt::Debug for InboxReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InboxReceiver")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
    }

    #[test]
    fn messages_arrive_in_order_and_the_end_follows_the_last_sender() {
        rt().block_on(async {
            let (tx, mut rx) = inbox();
            let tx2 = tx.clone();
            assert!(tx.send(DispatchMsg::Exit).is_ok());
            drop(tx);
            assert!(matches!(rx.recv().await, Some(DispatchMsg::Exit)));
            assert!(tx2.send(DispatchMsg::Exit).is_ok());
            drop(tx2);
            assert!(matches!(rx.recv().await, Some(DispatchMsg::Exit)));
            assert!(rx.recv().await.is_none());
        });
    }

    #[test]
    fn a_send_fails_once_the_receiver_is_gone() {
        let (tx, rx) = inbox();
        drop(rx);
        assert!(tx.send(DispatchMsg::Exit).is_err());
    }

    #[test]
    fn a_waiting_receiver_is_woken_by_a_send() {
        rt().block_on(async {
            let (tx, mut rx) = inbox();
            let waiter = tokio::spawn(async move { rx.recv().await.is_some() });
            tokio::task::yield_now().await;
            assert!(tx.send(DispatchMsg::Exit).is_ok());
            assert!(waiter.await.expect("the waiter ends"));
        });
    }
}
