//! Properties of the renderers for arbitrary field contents.

use proptest::prelude::*;
use scm_sim::events::{render_json, render_mermaid, render_text, Trace, TraceKind};
use std::time::Duration;

/// Any printable text, or short text full of characters renderers must escape.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-z;#:<>\"%\\\n\r\t\u{2028} -]{0,12}"]
}

fn kind() -> impl Strategy<Value = TraceKind> {
    prop_oneof![
        (text(), text()).prop_map(|(api, svc)| TraceKind::ApiCall {
            caller: "sc.exe".into(),
            api: api.into(),
            service: Some(svc.into()),
            args: String::new().into(),
        }),
        (text(), any::<u32>()).prop_map(|(service, control)| TraceKind::ControlSent {
            service: service.into(),
            control,
            name: "X".into(),
        }),
        (text(), any::<bool>()).prop_map(|(service, ok)| TraceKind::StatusReported {
            service: service.into(),
            pid: 4,
            state: 4,
            state_name: "RUNNING".into(),
            accepted: 1,
            exit_code: 0,
            specific_exit_code: 0,
            checkpoint: 0,
            wait_hint: 0,
            accepted_by_scm: ok,
        }),
        (any::<u32>(), text()).prop_map(|(pid, image)| TraceKind::ProcessStarted {
            pid,
            image: image.into()
        }),
        (
            text(),
            any::<u32>(),
            proptest::collection::vec(any::<String>(), 0..3)
        )
            .prop_map(|(service, pid, args)| TraceKind::ServiceMainCalled {
                service: service.into(),
                pid,
                args: args.into()
            }),
        (proptest::option::of(text()), text()).prop_map(|(service, what)| {
            TraceKind::Timeout {
                service: service.map(Into::into),
                what: what.into(),
                after_ms: 5,
            }
        }),
        (text(), text()).prop_map(|(service, detail)| TraceKind::Violation {
            service: service.into(),
            rule: "r".into(),
            detail,
        }),
        text().prop_map(|text| TraceKind::Note { text: text.into() }),
    ]
}

proptest! {
    #[test]
    fn renderers_keep_one_line_per_entry(
        kinds in proptest::collection::vec((0u64..10_000_000, kind()), 0..12)
    ) {
        let mut trace = Trace::new();
        for (ms, k) in kinds {
            trace.push(Duration::from_millis(ms), k);
        }
        prop_assert_eq!(render_text(&trace).lines().count(), trace.len());

        let mermaid = render_mermaid(&trace);
        prop_assert!(mermaid.starts_with("sequenceDiagram\n"));
        let body = mermaid
            .lines()
            .skip(1)
            .filter(|l| !l.starts_with("    participant "))
            .count();
        prop_assert_eq!(body, trace.len());
        prop_assert!(!mermaid.contains('\r'));

        let back: Trace = serde_json::from_str(&render_json(&trace)).unwrap();
        prop_assert_eq!(back.digest(), trace.digest());
        prop_assert_eq!(back, trace);
    }
}
