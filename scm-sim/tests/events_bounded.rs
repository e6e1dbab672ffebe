//! Bounded memory: the trace's ring and the event log's overwrite, the counters that show what
//! was dropped, the stream that keeps a whole run, and a long run that stays within bounds.

use scm_sim::bench::minimal_service;
use scm_sim::events::{EventLog, LoggedState, ScmEvent, Trace, TraceKind, TraceStream};
use scm_sim::machine::Image;
use scm_sim::scm::access::{SC_MANAGER_ALL_ACCESS, SERVICE_ALL_ACCESS};
use scm_sim::scm::CreateServiceParams;
use scm_sim::service::{ServiceControl, ServiceState};
use scm_sim::Machine;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A writer tests can read back.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Shared {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn note(i: u64) -> TraceKind {
    TraceKind::Note {
        text: format!("n{i}").into(),
    }
}

#[test]
fn the_ring_keeps_the_newest_entries_and_counts_the_dropped() {
    let mut trace = Trace::with_capacity(3);
    for i in 0..10 {
        assert_eq!(trace.push(Duration::from_millis(i), note(i)), i);
    }
    assert_eq!(trace.len(), 3);
    assert_eq!(trace.pushed(), 10);
    assert_eq!(trace.dropped(), 7);
    assert_eq!(trace.first_seq(), 7);
    let seqs: Vec<u64> = trace.entries().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [7, 8, 9]);
    assert_eq!(trace.entries()[0].kind, note(7));
    // seq goes on after the window.
    assert_eq!(trace.push(Duration::ZERO, note(10)), 10);
    assert_eq!(trace.first_seq(), 8);
}

#[test]
fn shrinking_the_capacity_drops_the_oldest_and_zero_keeps_none() {
    let mut trace = Trace::with_capacity(10);
    for i in 0..10 {
        trace.push(Duration::ZERO, note(i));
    }
    trace.set_capacity(4);
    assert_eq!(trace.first_seq(), 6);
    let mut none = Trace::with_capacity(0);
    for i in 0..5 {
        none.push(Duration::ZERO, note(i));
    }
    assert!(none.is_empty());
    assert_eq!((none.pushed(), none.dropped()), (5, 5));
}

#[test]
fn the_digest_covers_every_entry_ever_pushed() {
    let mut small = Trace::with_capacity(2);
    let mut large = Trace::with_capacity(100);
    for i in 0..50 {
        small.push(Duration::from_secs(i), note(i));
        large.push(Duration::from_secs(i), note(i));
    }
    assert_eq!(small.digest(), large.digest());
    let mut other = Trace::with_capacity(2);
    for i in 0..50 {
        let i = if i == 3 { 333 } else { i }; // differs in a dropped entry only
        other.push(Duration::from_secs(i), note(i));
    }
    assert_eq!(other.entries(), small.entries());
    assert_ne!(other.digest(), small.digest());
}

#[test]
fn a_window_read_back_from_json_keeps_its_numbering() {
    let mut trace = Trace::with_capacity(2);
    for i in 0..5 {
        trace.push(Duration::ZERO, note(i));
    }
    let back: Trace = serde_json::from_str(&scm_sim::events::render_json(&trace)).unwrap();
    assert_eq!(back.first_seq(), 3);
    assert_eq!(back.dropped(), 3);
    assert_eq!(back.pushed(), 5);
    assert_eq!(back, trace);
}

#[test]
fn the_stream_gets_every_entry_as_json_lines_and_text() {
    let json = Shared::default();
    let text = Shared::default();
    let mut trace = Trace::with_capacity(2);
    trace.set_stream(TraceStream::json_lines(json.clone()));
    let mut copy = Trace::with_capacity(100);
    for i in 0..20 {
        trace.push(Duration::from_millis(i), note(i));
        copy.push(Duration::from_millis(i), note(i));
    }
    let lines: Vec<scm_sim::events::TraceEntry> = json
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 20);
    assert!(lines.iter().zip(copy.entries()).all(|(a, b)| a == b));
    trace.set_stream(TraceStream::text(text.clone()));
    trace.push(Duration::from_secs(1), note(20));
    assert_eq!(text.text(), "   1.000s  note       n20\n");
    // A clone is a snapshot: it does not stream.
    let mut snapshot = trace.clone();
    snapshot.push(Duration::ZERO, note(21));
    assert_eq!(text.text().lines().count(), 1);
}

#[test]
fn a_failing_stream_stops_and_keeps_its_error() {
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut trace = Trace::new();
    trace.set_stream(TraceStream::text(Broken));
    trace.push(Duration::ZERO, note(0));
    trace.push(Duration::ZERO, note(1));
    assert_eq!(trace.stream_error(), Some("disk full"));
    assert_eq!(trace.len(), 2);
}

fn running(log: &mut EventLog, t: u64) {
    log.record(
        Duration::from_secs(t),
        Some("Spooler"),
        ScmEvent::EnteredState {
            display_name: "Print Spooler".into(),
            state: LoggedState::Running,
        },
    );
}

#[test]
fn the_event_log_overwrites_the_oldest_and_record_ids_continue() {
    let mut log = EventLog::with_capacity(4);
    for t in 0..10 {
        running(&mut log, t);
    }
    assert_eq!(log.len(), 4);
    assert_eq!(log.written(), 10);
    assert_eq!(log.overwritten(), 6);
    let ids: Vec<u64> = log.entries().iter().map(|r| r.record_id).collect();
    assert_eq!(ids, [7, 8, 9, 10]);
    assert_eq!(log.entries()[0].time, Duration::from_secs(6));
    running(&mut log, 10);
    assert_eq!(log.entries().back().unwrap().record_id, 11);
    // Read back from JSON, ids go on after the largest read.
    let mut back: EventLog = serde_json::from_str(&serde_json::to_string(&log).unwrap()).unwrap();
    assert_eq!(back, {
        let mut l = log.clone();
        l.set_capacity(EventLog::DEFAULT_CAPACITY);
        l
    });
    running(&mut back, 11);
    assert_eq!(back.entries().back().unwrap().record_id, 12);
}

/// A machine with the bench's minimal service, after `trips` start/stop round trips.
fn round_trips(m: &mut Machine, trips: u32) {
    let scm_h = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let h = match m.open_service(scm_h, "Bench", SERVICE_ALL_ACCESS) {
        Ok(h) => h,
        Err(_) => {
            m.install(r"C:\bench\bench.exe", minimal_service());
            let mut params = CreateServiceParams::own_process("Bench", r"C:\bench\bench.exe");
            params.desired_access = SERVICE_ALL_ACCESS;
            m.create_service(scm_h, &params).unwrap()
        }
    };
    let scm = m.scm();
    m.block_on(async {
        for _ in 0..trips {
            let up = scm.notify_service_status_change(h, ServiceState::Running.notify_bit());
            scm.start_service(h, &[]).await.unwrap();
            up.unwrap().wait().await.unwrap();
            let down = scm.notify_service_status_change(h, ServiceState::Stopped.notify_bit());
            scm.control_service(h, ServiceControl::Stop).await.unwrap();
            down.unwrap().wait().await.unwrap();
            tokio::task::yield_now().await;
        }
    });
}

#[test]
fn a_long_run_stays_within_its_bounds_and_streams_everything() {
    let stream = Shared::default();
    let mut m = Machine::builder()
        .image(Image::Empty)
        .trace_capacity(500)
        .event_log_capacity(50)
        .trace_stream(TraceStream::json_lines(stream.clone()))
        .build()
        .unwrap();
    round_trips(&mut m, 200);
    let (trace, log) = (m.trace(), m.event_log());
    assert_eq!(trace.len(), 500);
    assert!(trace.pushed() > 2_000, "{} pushed", trace.pushed());
    assert_eq!(log.len(), 50);
    assert!(log.written() >= 400);
    let (trace_bytes, log_bytes) = (trace.retained_bytes(), log.retained_bytes());
    // Ten times longer: the same retained sizes.
    round_trips(&mut m, 2_000);
    let (trace2, log2) = (m.trace(), m.event_log());
    assert_eq!(trace2.len(), 500);
    assert!(trace2.pushed() > 10 * trace.pushed());
    assert!(
        trace2.retained_bytes() <= trace_bytes,
        "{} > {trace_bytes}",
        trace2.retained_bytes()
    );
    assert!(trace2.retained_bytes() <= 500 * 256);
    assert!(
        log2.retained_bytes() <= log_bytes + 64 * 50,
        "{} > {log_bytes}",
        log2.retained_bytes()
    );
    assert_eq!(log2.entries().back().unwrap().record_id, log2.written());
    // The stream has every entry ever pushed, in order.
    m.flush_trace_stream().unwrap();
    let text = stream.text();
    assert_eq!(text.lines().count() as u64, trace2.pushed());
    let last: scm_sim::events::TraceEntry =
        serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(&last, trace2.entries().back().unwrap());
}
