//! NotifyServiceStatusChange: registrations per handle that fire once when the service
//! reaches a state of their mask (or are cancelled when the handle closes). As on Windows
//! (scm-behavior.md #76, Wine's `test_servicenotify` run on Windows): a state already reported
//! to the handle is not reported again until the service leaves it, and a second registration
//! while one is pending is accepted (Windows 8 and later; Windows 7 gave 1242).

use std::collections::BTreeMap;
use tokio::sync::oneshot;

use crate::error::Win32Error;
use crate::scm::handles::access;
use crate::scm::{ScHandle, Scm, State};
use crate::service::{ServiceNotifyMask, ServiceState, ServiceStatusProcess};

/// What a NotifyServiceStatusChange registration delivers (SERVICE_NOTIFY_2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceNotify {
    /// dwNotificationTriggered: the SERVICE_NOTIFY_* bit of the state reached.
    pub triggered: ServiceNotifyMask,
    /// The status at that moment.
    pub status: ServiceStatusProcess,
}

/// A pending NotifyServiceStatusChange registration: fires once; cancelled (`Err`) when the
/// handle is closed first.
#[derive(Debug)]
pub struct StatusNotification {
    rx: oneshot::Receiver<ServiceNotify>,
}

impl StatusNotification {
    /// The notification if it fired; `Ok(None)` while pending; `Err` once cancelled.
    pub fn try_take(&mut self) -> Result<Option<ServiceNotify>, Win32Error> {
        match self.rx.try_recv() {
            Ok(n) => Ok(Some(n)),
            Err(oneshot::error::TryRecvError::Empty) => Ok(None),
            Err(oneshot::error::TryRecvError::Closed) => Err(Win32Error::INVALID_HANDLE),
        }
    }

    /// Waits for the notification (virtual time passes meanwhile).
    pub async fn wait(self) -> Result<ServiceNotify, Win32Error> {
        self.rx.await.map_err(|_| Win32Error::INVALID_HANDLE)
    }
}

#[derive(Debug)]
pub(crate) struct NotifyRegistration {
    pub(crate) key: String,
    pub(crate) mask: ServiceNotifyMask,
    pub(crate) tx: oneshot::Sender<ServiceNotify>,
    /// The state this handle was last notified of, while the service is still in it: a new
    /// registration waits for the next change rather than fire for it again.
    pub(crate) already_reported: Option<ServiceState>,
}

/// The registrations of every handle (several per handle: Windows 8 and later accept a second
/// registration while one is pending), and the state each handle was last notified of.
#[derive(Debug, Default)]
pub(crate) struct Notifications {
    pending: BTreeMap<(u64, u64), NotifyRegistration>,
    next: u64,
    reported: BTreeMap<u64, ServiceState>,
}

impl Notifications {
    pub(crate) fn new() -> Notifications {
        Notifications::default()
    }

    /// Forgets everything (a new boot).
    pub(crate) fn clear(&mut self) {
        *self = Notifications::default();
    }

    /// Cancels the handle's registrations (CloseServiceHandle).
    pub(crate) fn close_handle(&mut self, handle: u64) {
        self.pending.retain(|(h, _), _| *h != handle);
        self.reported.remove(&handle);
    }

    fn register(&mut self, handle: u64, reg: NotifyRegistration) {
        self.next += 1;
        self.pending.insert((handle, self.next), reg);
    }
}

/// Fires the NotifyServiceStatusChange registrations whose state was reached.
pub(crate) fn fire_notifications(st: &mut State) {
    if st.notifications.pending.is_empty() {
        return;
    }
    let mut ready = Vec::new();
    for (id, reg) in st.notifications.pending.iter_mut() {
        let Some(state) = st.records.get(&reg.key).map(|r| r.status().state) else {
            continue;
        };
        if reg.already_reported == Some(state) {
            continue;
        }
        reg.already_reported = None;
        if reg.mask.intersects(state.notify_bit()) {
            ready.push(*id);
        }
    }
    for id in ready {
        let Some(reg) = st.notifications.pending.remove(&id) else {
            continue;
        };
        if let Some(r) = st.record(&reg.key) {
            let state = r.status().state;
            let _ = reg.tx.send(ServiceNotify {
                triggered: state.notify_bit(),
                status: r.status_process(),
            });
            st.notifications.reported.insert(id.0, state);
        }
    }
}

impl Scm {
    /// NotifyServiceStatusChange with a SERVICE_NOTIFY_* mask. Fires once: at once when the
    /// service is in one of the states and this handle was not yet notified of it, else at the
    /// next matching change. A handle may hold several registrations (Windows 8 and later).
    pub fn notify_service_status_change(
        &self,
        h: ScHandle,
        mask: ServiceNotifyMask,
    ) -> Result<StatusNotification, Win32Error> {
        let (tx, rx) = oneshot::channel();
        {
            let mut st = self.core.lock();
            let key = st.service_handle(h, access::SERVICE_QUERY_STATUS)?;
            let now = st.record(&key).map(|r| r.status().state);
            let already_reported = st
                .notifications
                .reported
                .get(&h.0)
                .copied()
                .filter(|seen| Some(*seen) == now);
            let reg = NotifyRegistration {
                key,
                mask,
                tx,
                already_reported,
            };
            st.notifications.register(h.0, reg);
        }
        fire_notifications(&mut self.core.lock());
        Ok(StatusNotification { rx })
    }
}
