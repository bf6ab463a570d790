//! Scripted calls: 1,000 replays of a recording of the project's flow on one core.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use flowsim::script::{RunOptions, Suite, parse_script, run_script};

fn scripted_calls(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let recording = root.join("recordings/keyed_number.call");
    let text = std::fs::read_to_string(&recording).unwrap();
    let suite = Suite::load(std::slice::from_ref(&recording), None, None).unwrap();
    let script = &parse_script(&text, &recording).unwrap();
    let flows = &suite.flows[0];
    let opts = RunOptions::default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert!(rt.block_on(run_script(script, flows, &opts)).passed());

    c.bench_function("parse a recording", |b| {
        b.iter(|| parse_script(black_box(&text), &recording).unwrap())
    });
    c.bench_function("one scripted call", |b| {
        b.iter(|| rt.block_on(run_script(black_box(script), flows, &opts)))
    });
    let mut g = c.benchmark_group("batch");
    g.sample_size(10);
    g.bench_function("1000 scripted calls, one core", |b| {
        b.iter(|| {
            for _ in 0..1000 {
                let r = rt.block_on(run_script(script, flows, &opts));
                assert!(r.passed());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, scripted_calls);
criterion_main!(benches);
