//! Abusive service code cannot break the machine (issue 11, "make it stay fixed"): random
//! programs of SetServiceStatus reports (valid or not), sleeps, panics at random points, tracked
//! tasks and threads that panic, and context calls from every callback — ServiceMain, the
//! control handler, a task, a thread, and inside `with_registry` — driven by random controls
//! (raw codes 0–300) and starts. After every step:
//!
//! - the simulator did not panic and every call returned (a hang fails the case after a real
//!   time guard, which is only a guard: nothing is timed);
//! - every error carries a Win32 code with Windows' message;
//! - the machine is consistent: records against processes, database against registry.
//!
//! Cases: 48 by default (seconds in CI); `SCM_SIM_FUZZ_CASES=2000 cargo test -p scm-sim-tests
//! --test fuzz_service_code` runs a longer search.

use std::sync::{mpsc as std_mpsc, Arc};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use scm_sim::machine::Image;
use scm_sim::registry::RegValue;
use scm_sim::scm::access::SC_MANAGER_ALL_ACCESS;
use scm_sim::scm::{CreateServiceParams, ScHandle};
use scm_sim::service::{
    service_fn, RawServiceStatus, ServiceContext, ServiceControlHandlerResult, ServiceTable,
    StatusHandle,
};
use scm_sim::{Machine, Win32Error};
use scm_sim_test_support::calls::control_raw;
use scm_sim_test_support::consistency::machine_consistent;

/// What service code does, one step at a time.
#[derive(Debug, Clone)]
enum Op {
    /// SetServiceStatus with these DWORDs (state, accepted, win32 exit, checkpoint, hint).
    Report(u32, u32, u32, u32, u32),
    /// Sleeps on virtual time (ms).
    Sleep(u64),
    /// Panics here.
    Panic,
    /// A tracked task that sleeps (ms), then panics or not.
    Task(u64, bool),
    /// A tracked thread that sleeps (ms), reports this state, then panics or not.
    Thread(u64, u32, bool),
    /// Runs these inside `with_registry` (after writing a value).
    InRegistry(Vec<Op>),
    /// Draws from the service's random stream.
    Random,
}

/// A service's whole behaviour: ServiceMain's steps, then what its handler does per control.
#[derive(Debug, Clone)]
struct Program {
    main: Vec<Op>,
    handler: Vec<Op>,
    answer: u32,
}

/// What a test step does.
#[derive(Debug, Clone)]
enum Act {
    Start(usize),
    Control(usize, u32),
    Advance(u64),
}

fn leaf_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u32..9, 0u32..0x400, prop_oneof![Just(0u32), Just(1066), any::<u32>()], 0u32..4, 0u32..5000)
            .prop_map(|(s, a, e, c, h)| Op::Report(s, a, e, c, h)),
        2 => (0u64..3000).prop_map(Op::Sleep),
        1 => Just(Op::Panic),
        1 => (0u64..2000, any::<bool>()).prop_map(|(d, p)| Op::Task(d, p)),
        1 => (0u64..2000, 0u32..8, any::<bool>()).prop_map(|(d, s, p)| Op::Thread(d, s, p)),
        1 => Just(Op::Random),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => leaf_op(),
        1 => prop::collection::vec(leaf_op(), 0..4).prop_map(Op::InRegistry),
    ]
}

fn program() -> impl Strategy<Value = Program> {
    (
        prop::collection::vec(op(), 0..8),
        prop::collection::vec(op(), 0..3),
        prop_oneof![Just(0u32), Just(120), Just(1115), any::<u32>()],
    )
        .prop_map(|(main, handler, answer)| Program {
            main,
            handler,
            answer,
        })
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        2 => (0usize..3).prop_map(Act::Start),
        3 => (0usize..3, prop_oneof![1u32..6, 128u32..256, 0u32..300]).prop_map(|(i, c)| Act::Control(i, c)),
        2 => (0u64..40_000).prop_map(Act::Advance),
    ]
}

/// Runs `op` synchronously where no await is possible (the handler, a thread, the closure).
fn run_sync(op: &Op, ctx: &ServiceContext, status: &StatusHandle) {
    match op {
        Op::Report(s, a, e, c, h) => {
            let _ = status.set_status_raw(raw(*s, *a, *e, *c, *h));
        }
        Op::Panic => panic!("service code panicked on purpose"),
        Op::Task(d, p) => spawn_task(ctx, *d, *p),
        Op::Thread(d, s, p) => spawn_thread(ctx, status, *d, *s, *p),
        Op::InRegistry(ops) => in_registry(ctx, status, ops),
        Op::Random => {
            let _ = ctx.random_u64();
        }
        Op::Sleep(_) => {}
    }
}

fn raw(state: u32, accepted: u32, exit: u32, checkpoint: u32, hint: u32) -> RawServiceStatus {
    RawServiceStatus {
        service_type: 0x10,
        current_state: state,
        controls_accepted: accepted,
        win32_exit_code: exit,
        service_specific_exit_code: 0,
        checkpoint,
        wait_hint_ms: hint,
    }
}

fn spawn_task(ctx: &ServiceContext, d: u64, panics: bool) {
    ctx.spawn_task("fuzz task", async move {
        tokio::time::sleep(Duration::from_millis(d)).await;
        assert!(!panics, "a task panicked on purpose");
    });
}

fn spawn_thread(ctx: &ServiceContext, status: &StatusHandle, d: u64, state: u32, panics: bool) {
    let status = status.clone();
    let _ = ctx.spawn_thread("fuzz thread", move |t| {
        if t.sleep(Duration::from_millis(d)).is_ok() {
            let _ = status.set_status_raw(raw(state, 1, 0, 0, 0));
        }
        assert!(!panics, "a thread panicked on purpose");
    });
}

fn in_registry(ctx: &ServiceContext, status: &StatusHandle, ops: &[Op]) {
    let inner = ctx.clone();
    ctx.with_registry(|reg, caller| {
        let key = format!(r"HKLM\SOFTWARE\Fuzz\{}", inner.name());
        let _ = reg.create_key(caller, key.as_str());
        let _ = reg.set_value(caller, key.as_str(), "Seen", RegValue::dword(1));
        for op in ops {
            // No sleeping or nesting inside the closure (documented; they panic by design).
            if !matches!(op, Op::Sleep(_) | Op::InRegistry(_)) {
                run_sync(op, &inner, status);
            }
        }
    });
}

/// ServiceMain: registers a handler that runs `program.handler` per control, then the steps.
async fn service_main(ctx: ServiceContext, program: Arc<Program>) {
    let in_handler = ctx.clone();
    let p = program.clone();
    let Ok(status) = ctx.register_handler(move |_req| {
        let status = in_handler.status_handle();
        for op in &p.handler {
            run_sync(op, &in_handler, &status);
        }
        match p.answer {
            0 => ServiceControlHandlerResult::NoError,
            120 => ServiceControlHandlerResult::NotImplemented,
            code => ServiceControlHandlerResult::Other(code),
        }
    }) else {
        return;
    };
    for op in &program.main {
        match op {
            Op::Sleep(d) => tokio::time::sleep(Duration::from_millis(*d)).await,
            other => run_sync(other, &ctx, &status),
        }
    }
    std::future::pending::<()>().await;
}

/// Three services: one own-process, two sharing one process.
fn machine(programs: &[Program; 3]) -> (Machine, ScHandle, Vec<ScHandle>) {
    let mut m = Machine::builder()
        .image(Image::Empty)
        .seed(11)
        .build()
        .unwrap();
    let scm = m.open_sc_manager(SC_MANAGER_ALL_ACCESS).unwrap();
    let table = |names: &[usize]| {
        let mut t = ServiceTable::new();
        for &i in names {
            let p = Arc::new(programs[i].clone());
            t = t.with(
                &format!("F{i}"),
                service_fn(move |ctx, _| service_main(ctx, p.clone())),
            );
        }
        t
    };
    m.install(r"C:\fuzz\own.exe", table(&[0]));
    m.install(r"C:\fuzz\shared.exe", table(&[1, 2]));
    let mut handles = vec![m
        .create_service(
            scm,
            &CreateServiceParams::own_process("F0", r"C:\fuzz\own.exe"),
        )
        .unwrap()];
    for i in 1..3 {
        let p = CreateServiceParams::share_process(&format!("F{i}"), r"C:\fuzz\shared.exe");
        handles.push(m.create_service(scm, &p).unwrap());
    }
    (m, scm, handles)
}

/// Every error has Windows' code and message.
fn check_error(e: &Win32Error) -> Result<(), TestCaseError> {
    prop_assert!(e.code() != 0, "an error with code 0");
    prop_assert!(!e.message().is_empty(), "no message for {}", e.code());
    Ok(())
}

fn run_case(programs: [Program; 3], acts: Vec<Act>) -> Result<(), TestCaseError> {
    let (mut m, scm, handles) = machine(&programs);
    for act in &acts {
        let outcome = match act {
            Act::Start(i) => m.start_service(handles[*i], &[]).map(|_| ()),
            Act::Control(i, code) => control_raw(&mut m, handles[*i], *code).map(|_| ()),
            Act::Advance(ms) => {
                m.advance(Duration::from_millis(*ms));
                Ok(())
            }
        };
        if let Err(e) = &outcome {
            check_error(e)?;
        }
        machine_consistent(&mut m, scm)
            .map_err(|e| TestCaseError::fail(format!("{act:?}: {e}")))?;
    }
    m.advance(Duration::from_secs(600));
    machine_consistent(&mut m, scm).map_err(TestCaseError::fail)?;
    for v in m.violations() {
        prop_assert!(
            !v.service.is_empty() || v.rule.id() == "untracked-task",
            "{v:?}"
        );
    }
    Ok(())
}

/// Runs one case on its own thread, so that a hang fails it instead of the whole suite.
fn guarded(programs: [Program; 3], acts: Vec<Act>) -> Result<(), TestCaseError> {
    let (tx, rx) = std_mpsc::channel();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(|| run_case(programs, acts));
        let _ = tx.send(r);
    });
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(Ok(r)) => r,
        Ok(Err(_)) => Err(TestCaseError::fail("the simulator panicked")),
        Err(_) => Err(TestCaseError::fail("a call did not return (hang)")),
    }
}

fn cases() -> u32 {
    std::env::var("SCM_SIM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

#[test]
fn abusive_service_code_leaves_the_machine_consistent() {
    let config = Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let strategy = (
        [program(), program(), program()],
        prop::collection::vec(act(), 1..12),
    );
    if let Err(e) = runner.run(&strategy, |(programs, acts)| guarded(programs, acts)) {
        panic!("{e}");
    }
}
