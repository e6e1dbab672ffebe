//! Speed and memory of `.reg` import and export on the Windows 10 services fixture.
//!
//! ```text
//! cargo run --release -p fake-registry --example bench_regfile [-- FILE.reg]
//! ```
//!
//! Prints one `NAME VALUE UNIT` line per figure. Speeds are the median of several runs,
//! in MB/s of file bytes (10^6 bytes). Memory is measured by a counting global allocator:
//! live heap bytes after an import minus before it (the parsed operation list is freed by
//! then, so this is what the tree keeps), compared with `Registry::heap_bytes`' estimate.

// The counting allocator needs `unsafe impl GlobalAlloc`; it only forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

use fake_registry::regfile::ExportOptions;
use fake_registry::{Caller, Registry};

struct Counting;

/// Counting is switched on only around the memory measurement, so that timed runs pay
/// nothing for it. The net change between two readings is exact either way: it is the
/// bytes allocated minus the bytes freed in between, whenever those were allocated.
static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Relaxed).wrapping_add(by);
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counters are
// plain atomics and never affect the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() && COUNTING.load(Relaxed) {
            ALLOCATIONS.fetch_add(1, Relaxed);
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        if COUNTING.load(Relaxed) {
            LIVE.fetch_sub(layout.size(), Relaxed);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() && COUNTING.load(Relaxed) {
            LIVE.fetch_sub(layout.size(), Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const SERVICES: &str = r"HKLM\SYSTEM\CurrentControlSet\Services";
const RUNS: usize = 21;

/// The median of `RUNS` timings; `f` times the part that counts and returns seconds.
fn median_secs(mut f: impl FnMut() -> f64) -> f64 {
    let mut times: Vec<f64> = (0..RUNS).map(|_| f()).collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

/// Seconds to import `bytes` into `reg` (building and dropping the registry not counted).
fn time_import(mut reg: Registry, caller: &Caller, bytes: &[u8]) -> f64 {
    let t = Instant::now();
    reg.import_reg(caller, bytes).expect("imports");
    let secs = t.elapsed().as_secs_f64();
    drop(reg);
    secs
}

/// Seconds to export `path` with `options`.
fn time_export(reg: &Registry, caller: &Caller, options: &ExportOptions) -> f64 {
    let t = Instant::now();
    let bytes = reg.export_reg(caller, SERVICES, options).expect("exports");
    let secs = t.elapsed().as_secs_f64();
    drop(bytes);
    secs
}

fn mb_per_s(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs
}

fn utf16le_bom_crlf(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for u in text.replace('\n', "\r\n").encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../scm-sim/images/windows10-services.reg"
        )
        .to_string()
    });
    let file = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let sys = Caller::local_system();
    let fresh = || {
        let mut reg = Registry::new();
        reg.set_access_logging(false);
        reg
    };

    // Import speed, as a tool would run it (access log on) and without the log.
    let secs = median_secs(|| time_import(Registry::new(), &sys, &file));
    println!("import_fixture {:.1} MB/s", mb_per_s(file.len(), secs));
    let secs = median_secs(|| time_import(fresh(), &sys, &file));
    println!(
        "import_fixture_no_access_log {:.1} MB/s",
        mb_per_s(file.len(), secs)
    );
    let wide = utf16le_bom_crlf(std::str::from_utf8(&file).expect("UTF-8 fixture"));
    let secs = median_secs(|| time_import(Registry::new(), &sys, &wide));
    println!(
        "import_fixture_utf16 {:.1} MB/s",
        mb_per_s(wide.len(), secs)
    );

    // Export speed.
    let mut reg = Registry::new();
    reg.import_reg(&sys, &file).expect("imports");
    let utf8 = ExportOptions::utf8_lf();
    let out_len = reg.export_reg(&sys, SERVICES, &utf8).unwrap().len();
    let secs = median_secs(|| time_export(&reg, &sys, &utf8));
    println!("export_fixture {:.1} MB/s", mb_per_s(out_len, secs));
    let regedit = ExportOptions::regedit();
    let out_len = reg.export_reg(&sys, SERVICES, &regedit).unwrap().len();
    let secs = median_secs(|| time_export(&reg, &sys, &regedit));
    println!("export_fixture_utf16 {:.1} MB/s", mb_per_s(out_len, secs));

    // Memory: what the loaded tree keeps, measured and estimated.
    let mut reg = fresh();
    let heap_before = reg.heap_bytes();
    // LIVE starts near the middle of the range so that frees of older blocks cannot wrap it.
    let base = usize::MAX / 2;
    LIVE.store(base, Relaxed);
    PEAK.store(base, Relaxed);
    COUNTING.store(true, Relaxed);
    reg.import_reg(&sys, &file).expect("imports");
    COUNTING.store(false, Relaxed);
    let tree = LIVE.load(Relaxed) - base;
    let peak = PEAK.load(Relaxed) - base;
    let allocs = ALLOCATIONS.load(Relaxed);
    let estimate = reg.heap_bytes() - heap_before;
    println!("file_size {} bytes", file.len());
    println!("tree_memory {tree} bytes");
    println!("tree_memory_ratio {:.2} x", tree as f64 / file.len() as f64);
    println!("tree_heap_bytes_estimate {estimate} bytes");
    println!("import_peak_extra_memory {peak} bytes");
    println!("import_allocations {allocs} count");

    // The access log an import leaves behind when logging is on (the default).
    let mut logged = Registry::new();
    LIVE.store(base, Relaxed);
    COUNTING.store(true, Relaxed);
    logged.import_reg(&sys, &file).expect("imports");
    COUNTING.store(false, Relaxed);
    let with_log = LIVE.load(Relaxed) - base;
    println!(
        "access_log_memory {} bytes ({} records)",
        with_log.saturating_sub(tree),
        logged.access_log().len()
    );
}
