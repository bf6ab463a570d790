//! Vanity generation speed: per number over 10,000 seeded random US numbers, and the
//! cold start (parsing and indexing the embedded word list).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use flowsim::vanity::generate;
use flowsim::vanity::words::{Lexicon, WORDS_TXT};

fn numbers() -> Vec<String> {
    let mut rng = fastrand::Rng::with_seed(2024);
    (0..10_000)
        .map(|_| {
            format!(
                "+1{}{:02}{}{:06}",
                rng.u8(2..=9),
                rng.u8(0..100),
                rng.u8(2..=9),
                rng.u32(0..1_000_000)
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    c.bench_function("cold start: index the word list", |b| {
        b.iter(|| black_box(Lexicon::parse(WORDS_TXT)).len())
    });
    let nums = numbers();
    // warm the shared index outside the measurement
    generate(&nums[0], 5).unwrap();
    let mut i = 0;
    c.bench_function("generate 5 per number (random US numbers)", |b| {
        b.iter(|| {
            i = (i + 1) % nums.len();
            black_box(generate(black_box(&nums[i]), 5).unwrap())
        })
    });
    c.bench_function("generate 5, 10,000 numbers", |b| {
        b.iter(|| {
            for n in &nums {
                black_box(generate(n, 5).unwrap());
            }
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
