//! NotifyServiceStatusChange: registrations per handle that fire once when the service
//! reaches a state of their mask (or are cancelled when the handle closes).

use std::collections::BTreeMap;
use tokio::sync::oneshot;

use crate::error::Win32Error;
use crate::scm::handles::access;
use crate::scm::{ScHandle, Scm, State};
use crate::service::{ServiceNotifyMask, ServiceStatusProcess};

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
}

/// Notification registrations by handle number.
pub(crate) type Notifications = BTreeMap<u64, NotifyRegistration>;

/// Fires the NotifyServiceStatusChange registrations whose state was reached.
pub(crate) fn fire_notifications(st: &mut State) {
    if st.notifications.is_empty() {
        return;
    }
    let ready: Vec<u64> = st
        .notifications
        .iter()
        .filter(|(_, reg)| {
            st.record(&reg.key)
                .is_some_and(|r| reg.mask.intersects(r.status().state.notify_bit()))
        })
        .map(|(h, _)| *h)
        .collect();
    for h in ready {
        let Some(reg) = st.notifications.remove(&h) else {
            continue;
        };
        if let Some(r) = st.record(&reg.key) {
            let _ = reg.tx.send(ServiceNotify {
                triggered: r.status().state.notify_bit(),
                status: r.status_process(),
            });
        }
    }
}

impl Scm {
    /// NotifyServiceStatusChange with a SERVICE_NOTIFY_* mask. Fires once: at once when the
    /// service is already in one of the states, else at the next matching change.
    pub fn notify_service_status_change(
        &self,
        h: ScHandle,
        mask: ServiceNotifyMask,
    ) -> Result<StatusNotification, Win32Error> {
        let (tx, rx) = oneshot::channel();
        {
            let mut st = self.core.lock();
            let key = st.service_handle(h, access::SERVICE_QUERY_STATUS)?;
            if st.notifications.contains_key(&h.0) {
                return Err(Win32Error(1242));
            }
            st.notifications
                .insert(h.0, NotifyRegistration { key, mask, tx });
        }
        fire_notifications(&mut self.core.lock());
        Ok(StatusNotification { rx })
    }
}
