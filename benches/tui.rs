//! One TUI frame at 160×48 into a TestBackend, and the map of a 94-block flow at
//! 240×70 (target: under 5 ms each).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use flowsim::driver::{Clock, Driver};
use flowsim::engine::{CallConfig, Engine, SimTime};
use flowsim::lambda::registry::BackendContext;
use flowsim::lambda::{Mapping, Registry};
use flowsim::tui::action::Action;
use flowsim::tui::app::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const VANITY: &str = r#"*vanity*=json:{"ssmlResponse":"<speak>The first number is 1-800-FLOWERS</speak>","ssmlError":"false"}"#;

/// A call that has been through the Lambda and is back at the menu.
fn app(rt: &tokio::runtime::Runtime) -> App {
    let flows = flowsim::session::load_flows(None, None).expect("built-in flow");
    let mapping = Mapping::parse(VANITY, std::path::Path::new(".")).unwrap();
    let registry = Registry::new(&[mapping], &BackendContext::default()).unwrap();
    let engine = Engine::new(flows, CallConfig::default());
    let mut app = App::new(Driver::new(engine, registry, Clock::Virtual));
    rt.block_on(async {
        app.start();
        app.dispatch(Action::Dial('1'));
        app.dispatch(Action::Dial('1'));
        let outcome = app.driver_mut().lambda_finished().await.unwrap();
        app.on_lambda_finished(outcome);
    });
    app.set_now(SimTime(3200));
    app
}

fn frame(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let mut app = app(&rt);
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    c.bench_function("tui frame 160x48", |b| {
        b.iter(|| {
            terminal
                .draw(|f| flowsim::tui::ui::draw(f, black_box(&app)))
                .unwrap();
        });
    });
    app.dispatch(Action::ToggleMap);
    c.bench_function("tui frame 160x48 map", |b| {
        b.iter(|| {
            terminal
                .draw(|f| flowsim::tui::ui::draw(f, black_box(&app)))
                .unwrap();
        });
    });
}

/// The map of the 94-block rules-engine queue flow at 240×70 (the layout is
/// computed once, on the first frame; the bench measures the frames after it).
fn big_map(c: &mut Criterion) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "../shared/corpus/flows/aws-samples__amazon-connect-rules-engine__connect_contactflows_RulesEngineQueue.json",
    );
    if !path.exists() {
        eprintln!("note: {} is not here; skipping", path.display());
        return;
    }
    let flows = flowsim::session::load_flows(Some(&path), None).expect("flow");
    let engine = Engine::new(flows, CallConfig::default());
    let mut app = App::new(Driver::new(engine, Registry::empty(), Clock::Virtual));
    app.start();
    app.dispatch(Action::ToggleMap);
    let mut terminal = Terminal::new(TestBackend::new(240, 70)).unwrap();
    for (name, zoom_out) in [("boxes", false), ("names", true), ("dots", true)] {
        if zoom_out {
            app.dispatch(Action::MapZoom(false));
        }
        c.bench_function(&format!("tui map 94 blocks 240x70 {name}"), |b| {
            b.iter(|| {
                terminal
                    .draw(|f| flowsim::tui::ui::draw(f, black_box(&app)))
                    .unwrap();
            });
        });
    }
    c.bench_function("tui map layout 94 blocks (once per flow)", |b| {
        b.iter(|| {
            flowsim::tui::widgets::map_layout::MapLayout::new(black_box(app.engine().flow()))
        });
    });
}

criterion_group!(benches, frame, big_map);
criterion_main!(benches);
