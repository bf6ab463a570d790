//! Native test cases: 1,000 Amazon Connect test cases run offline on one core, as
//! `flowsim test` runs them (parse, run, API-shaped records). AWS runs 5 at once,
//! each up to 5 minutes.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use flowsim::native::{self, records};
use flowsim::script::RunOptions;
use flowsim::testcase;

fn native_cases(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fix = root.join("tests/fixtures/native");
    let passing = fix.join("project_keyed_number.json");
    let failing = fix.join("project_fail_never.json");
    let text = std::fs::read_to_string(&passing).unwrap();
    let flow = root.join("contactflow/Vanity_Numbers.json");
    let flows_dir = root.join("contactflow");
    // 1,000 cases: nine passing for each failing one.
    let files: Vec<PathBuf> = (0..1000)
        .map(|i| {
            if i % 10 == 9 {
                failing.clone()
            } else {
                passing.clone()
            }
        })
        .collect();
    let opts = RunOptions::default();
    let load = || native::load(&files, Some(&flow), Some(&flows_dir), &mut |_| {}).unwrap();
    let cases = load();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert!(
        rt.block_on(native::run_case(&cases[0], &opts))
            .result
            .passed()
    );
    assert!(
        !rt.block_on(native::run_case(&cases[9], &opts))
            .result
            .passed()
    );

    c.bench_function("parse a test case", |b| {
        b.iter(|| testcase::parse(black_box(&text), "x").unwrap())
    });
    c.bench_function("one native test case", |b| {
        b.iter(|| rt.block_on(native::run_case(black_box(&cases[0]), &opts)))
    });
    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    g.bench_function("1000 native test cases, one core", |b| {
        b.iter(|| {
            // As `flowsim test` does: read and parse the files, run, build the records.
            let cases = load();
            let results = native::run_all(&cases, &opts, 1);
            let failed = results.iter().filter(|r| !r.result.passed()).count();
            assert_eq!(failed, 100);
            for r in &results {
                black_box(records::json(r, records::DEFAULT_START));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, native_cases);
criterion_main!(benches);
