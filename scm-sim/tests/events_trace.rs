//! Trace renderers on a small hand-built timeline: golden text, Mermaid and JSON, the digest,
//! and serde round trips.

use scm_sim::events::{render_json, render_mermaid, render_text, Trace, TraceKind};
use std::time::Duration;

fn s(text: &str) -> String {
    text.to_string()
}

fn spooler() -> String {
    s("Spooler")
}

fn image() -> String {
    s(r"C:\Windows\System32\spoolsv.exe")
}

/// Start Spooler, stop it with a rejected final report, then a crash.
fn sample() -> Trace {
    let mut t = Trace::new();
    push_start(&mut t);
    push_rejected_stop(&mut t);
    push_crash(&mut t);
    t
}

/// StartService from sc.exe: the process, ServiceMain, RUNNING accepted, the state change and
/// event 7036.
fn push_start(t: &mut Trace) {
    let ms = Duration::from_millis;
    t.push(
        ms(0),
        TraceKind::ApiCall {
            caller: s("sc.exe").into(),
            api: s("StartService").into(),
            service: Some(spooler().into()),
            args: s("argv=[]").into(),
        },
    );
    t.push(
        ms(1),
        TraceKind::ProcessStarted {
            pid: 1204,
            image: image().into(),
        },
    );
    t.push(
        ms(2),
        TraceKind::ApiReturn {
            api: s("StartService").into(),
            service: Some(spooler().into()),
            result: 0,
        },
    );
    t.push(
        ms(3),
        TraceKind::ServiceMainCalled {
            service: spooler().into(),
            pid: 1204,
            args: vec![spooler()].into(),
        },
    );
    t.push(
        ms(4),
        TraceKind::StatusReported {
            service: spooler().into(),
            pid: 1204,
            state: 4,
            state_name: s("RUNNING").into(),
            accepted: 1,
            exit_code: 0,
            specific_exit_code: 0,
            checkpoint: 0,
            wait_hint: 0,
            accepted_by_scm: true,
        },
    );
    t.push(
        ms(4),
        TraceKind::StateChanged {
            service: spooler().into(),
            from: scm_sim::service::ServiceState::StartPending,
            to: scm_sim::service::ServiceState::Running,
        },
    );
    t.push(
        ms(4),
        TraceKind::Event {
            id: 7036,
            service: Some(spooler().into()),
        },
    );
}

/// STOP sent and handled, then a STOPPED report with a nonzero checkpoint, rejected as a
/// violation.
fn push_rejected_stop(t: &mut Trace) {
    let ms = Duration::from_millis;
    t.push(
        ms(42_250),
        TraceKind::ControlSent {
            service: spooler().into(),
            control: 1,
            name: s("STOP").into(),
        },
    );
    t.push(
        ms(42_251),
        TraceKind::HandlerReturned {
            service: spooler().into(),
            control: 1,
            result: 0,
        },
    );
    t.push(
        ms(42_260),
        TraceKind::StatusReported {
            service: spooler().into(),
            pid: 1204,
            state: 1,
            state_name: s("STOPPED").into(),
            accepted: 0,
            exit_code: 0,
            specific_exit_code: 0,
            checkpoint: 3,
            wait_hint: 0,
            accepted_by_scm: false,
        },
    );
    t.push(
        ms(42_260),
        TraceKind::Violation {
            service: spooler().into(),
            rule: s("checkpoint-zero").into(),
            detail: s("checkpoint 3 while STOPPED; #1"),
        },
    );
}

/// The stop times out, the process crashes, and a closing note.
fn push_crash(t: &mut Trace) {
    let ms = Duration::from_millis;
    t.push(
        ms(72_260),
        TraceKind::Timeout {
            service: Some(spooler().into()),
            what: s("stop").into(),
            after_ms: 30_000,
        },
    );
    t.push(
        ms(72_261),
        TraceKind::ProcessExited {
            pid: 1204,
            image: image().into(),
            exit_code: 1067,
            crashed: true,
        },
    );
    t.push(
        ms(72_262),
        TraceKind::Note {
            text: s("done; ok").into(),
        },
    );
}

const TEXT: &str = r"   0.000s  call       StartService(Spooler) from sc.exe argv=[]
   0.001s  process    pid 1204 started: C:\Windows\System32\spoolsv.exe
   0.002s  return     StartService(Spooler) = 0 ERROR_SUCCESS
   0.003s  main       ServiceMain of Spooler in pid 1204 args [&quot;Spooler&quot;]
   0.004s  status     Spooler (pid 1204) reports RUNNING accepts=0x1 exit=0 specific=0 checkpoint=0 wait_hint=0ms
   0.004s  state      Spooler: START_PENDING -> RUNNING
   0.004s  event      event 7036 (Spooler)
  42.250s  control    STOP (1) to Spooler
  42.251s  handler    Spooler: handler for control 1 returned 0 ERROR_SUCCESS
  42.260s  status     Spooler (pid 1204) reports STOPPED accepts=0x0 exit=0 specific=0 checkpoint=3 wait_hint=0ms REJECTED
  42.260s  violation  Spooler broke checkpoint-zero: checkpoint 3 while STOPPED; #1
  72.260s  timeout    Spooler: stop after 30000 ms
  72.261s  exit       pid 1204 exited: C:\Windows\System32\spoolsv.exe code 1067 (crashed)
  72.262s  note       done; ok
";

const MERMAID: &str = r"sequenceDiagram
    participant Client
    participant SCM
    participant P1204 as spoolsv.exe (pid 1204)
    participant S1 as Spooler
    Client->>SCM: 0.000s StartService(Spooler) from sc.exe argv=[]
    SCM->>P1204: 0.001s create process C:\Windows\System32\spoolsv.exe
    SCM-->>Client: 0.002s StartService(Spooler) = 0 ERROR_SUCCESS
    P1204->>S1: 0.003s ServiceMain args [#34;Spooler#34;]
    S1->>SCM: 0.004s SetServiceStatus RUNNING exit=0 checkpoint=0 wait_hint=0ms
    Note over S1: 0.004s START_PENDING to RUNNING
    Note over SCM: 0.004s event 7036 (Spooler)
    SCM->>S1: 42.250s STOP (1)
    S1-->>SCM: 42.251s handler for control 1 returned 0 ERROR_SUCCESS
    S1-xSCM: 42.260s SetServiceStatus STOPPED exit=0 checkpoint=3 wait_hint=0ms REJECTED
    Note over S1: 42.260s VIOLATION checkpoint-zero: checkpoint 3 while STOPPED#59; #35;1
    Note over SCM,S1: 72.260s timeout: stop after 30000 ms
    P1204--xSCM: 72.261s exited code 1067 (crashed)
    Note over SCM: 72.262s done#59; ok
";

#[test]
fn text_golden() {
    assert_eq!(render_text(&sample()), TEXT.replace("&quot;", "\""));
}

#[test]
fn text_has_one_line_per_entry_even_with_line_breaks_in_fields() {
    let mut t = Trace::new();
    t.push(
        Duration::from_secs(1),
        TraceKind::Note {
            text: s("two\nlines").into(),
        },
    );
    assert_eq!(render_text(&t), "   1.000s  note       two\\nlines\n");
}

#[test]
fn time_column_is_right_aligned_and_truncated_to_milliseconds() {
    let mut t = Trace::new();
    t.push(
        Duration::from_micros(1_999),
        TraceKind::Note {
            text: s("a").into(),
        },
    );
    t.push(
        Duration::from_secs(12_345),
        TraceKind::Note {
            text: s("b").into(),
        },
    );
    assert_eq!(
        render_text(&t),
        "   0.001s  note       a\n12345.000s  note       b\n"
    );
}

#[test]
fn mermaid_golden() {
    assert_eq!(render_mermaid(&sample()), MERMAID);
}

#[test]
fn mermaid_starts_with_sequence_diagram_and_has_one_line_per_entry() {
    let trace = sample();
    let out = render_mermaid(&trace);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("sequenceDiagram"));
    let body: Vec<&str> = lines
        .filter(|l| !l.trim_start().starts_with("participant "))
        .collect();
    assert_eq!(body.len(), trace.len());
    for (line, entry) in body.iter().zip(trace.entries()) {
        let secs = format!(
            "{}.{:03}s",
            entry.time.as_secs(),
            entry.time.subsec_millis()
        );
        assert!(line.contains(&secs), "{line} lacks its time {secs}");
        let bare = without_entity_codes(line);
        assert!(
            !bare.contains(';') && !bare.contains('#'),
            "raw ';' or '#' in {line}"
        );
    }
}

/// `line` with every `#<digits>;` entity code removed.
fn without_entity_codes(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find('#') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && tail[digits..].starts_with(';') {
            rest = &tail[digits + 1..];
        } else {
            out.push('#');
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn mermaid_escapes_hostile_names() {
    let mut t = Trace::new();
    t.push(
        Duration::ZERO,
        TraceKind::ControlSent {
            service: s("a;b#c:d\ne").into(),
            control: 128,
            name: s("<x>").into(),
        },
    );
    t.push(
        Duration::ZERO,
        TraceKind::ProcessStarted {
            pid: 7,
            image: s("").into(),
        },
    );
    assert_eq!(
        render_mermaid(&t),
        "sequenceDiagram\n    participant Client\n    participant SCM\n    \
         participant S1 as a#59;b#35;c#58;d e\n    participant P7 as pid 7\n    \
         SCM->>S1: 0.000s #60;x#62; (128)\n    SCM->>P7: 0.000s create process \n"
    );
}

#[test]
fn json_golden_field_order() {
    let mut t = Trace::new();
    t.push(
        Duration::from_millis(1500),
        TraceKind::Timeout {
            service: None,
            what: s("connect").into(),
            after_ms: 30_000,
        },
    );
    assert_eq!(
        render_json(&t),
        r#"[
  {
    "seq": 0,
    "time_ns": 1500000000,
    "kind": "Timeout",
    "service": null,
    "what": "connect",
    "after_ms": 30000
  }
]"#
    );
}

#[test]
fn serde_round_trip_keeps_entries_and_numbering() {
    let trace = sample();
    let json = render_json(&trace);
    let mut back: Trace = serde_json::from_str(&json).unwrap();
    assert_eq!(back, trace);
    assert_eq!(back.digest(), trace.digest());
    assert_eq!(
        back.push(
            Duration::from_secs(99),
            TraceKind::Note {
                text: s("next").into()
            }
        ),
        14
    );
}

#[test]
fn digest_is_stable_and_sensitive_to_changes() {
    assert_eq!(Trace::fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(Trace::fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    let a = sample();
    assert_eq!(a.digest(), sample().digest());
    let mut b = sample();
    b.push(
        Duration::from_secs(100),
        TraceKind::Note {
            text: "extra".into(),
        },
    );
    assert_ne!(a.digest(), b.digest());
    // A field's change changes it, even one the text rendering shows the same way.
    let mut c = Trace::new();
    c.push(Duration::ZERO, TraceKind::Note { text: "x".into() });
    let mut d = Trace::new();
    d.push(
        Duration::from_nanos(1),
        TraceKind::Note { text: "x".into() },
    );
    assert_eq!(render_text(&c), render_text(&d));
    assert_ne!(c.digest(), d.digest());
}

#[test]
fn seq_counts_from_zero_and_for_service_filters() {
    let trace = sample();
    let seqs: Vec<u64> = trace.entries().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (0..14).collect::<Vec<u64>>());
    assert_eq!(trace.for_service("SPOOLER").count(), 11);
    assert!(Trace::new().is_empty());
}
