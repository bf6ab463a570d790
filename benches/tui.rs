//! One TUI frame at 160×48 into a TestBackend (target: under 5 ms).

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

criterion_group!(benches, frame);
criterion_main!(benches);
