//! Screens of the TUI, drawn into a TestBackend from an App driven on a virtual
//! clock, with the time on screen injected: every snapshot is exact.

use flowsim::driver::{Clock, Driver};
use flowsim::engine::{CallConfig, Engine, SimTime, Status};
use flowsim::lambda::registry::BackendContext;
use flowsim::lambda::{Mapping, Registry};
use flowsim::tui::action::Action;
use flowsim::tui::app::{App, Overlay};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

const VANITY: &str = r#"*vanity*=json:{"ssmlResponse":"<speak>The first number is 1-800-FLOWERS</speak>","ssmlError":"false"}"#;

fn app_with(registry: Registry, clock: Clock) -> App {
    let flows = flowsim::session::load_flows(None, None).expect("built-in flow");
    let engine = Engine::new(flows, CallConfig::default());
    let mut app = App::new(Driver::new(engine, registry, clock));
    app.start();
    app
}

fn app() -> App {
    let mapping = Mapping::parse(VANITY, std::path::Path::new(".")).unwrap();
    let registry = Registry::new(&[mapping], &BackendContext::default()).unwrap();
    app_with(registry, Clock::Virtual)
}

fn screen(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| flowsim::tui::ui::draw(f, app)).unwrap();
    terminal
}

/// Dial 1 (recording notice) and 1 (this number): the Lambda is invoked.
fn to_lambda(app: &mut App) {
    app.dispatch(Action::Dial('1'));
    app.dispatch(Action::Dial('1'));
    // "Please hold…" (a Play prompt) plays first; on a real clock it takes its time.
    play_out(app);
    assert!(matches!(
        app.engine().status(),
        Status::AwaitingLambda { .. }
    ));
}

/// Let Play prompts play (real time: they take the time they take to say).
fn play_out(app: &mut App) {
    while let Status::Playing { .. } = app.engine().status() {
        if let Some(at) = app.driver().deadline_instant() {
            std::thread::sleep(at.saturating_duration_since(std::time::Instant::now()));
        }
        app.on_deadline();
    }
}

async fn finish_lambda(app: &mut App) {
    let outcome = app.driver_mut().lambda_finished().await.expect("in flight");
    app.on_lambda_finished(outcome);
}

#[test]
fn awaiting_input_with_countdown() {
    let mut app = app();
    app.set_now(SimTime(1800));
    insta::assert_snapshot!("prompting_80x24", screen(&app, 80, 24).backend());
    insta::assert_snapshot!("prompting_160x48", screen(&app, 160, 48).backend());
}

#[tokio::test]
async fn lambda_in_flight() {
    let mut app = app();
    to_lambda(&mut app);
    app.set_now(SimTime(2400));
    insta::assert_snapshot!("lambda_80x24", screen(&app, 80, 24).backend());
    insta::assert_snapshot!("lambda_160x48", screen(&app, 160, 48).backend());
}

#[tokio::test]
async fn call_ended() {
    let mut app = app();
    to_lambda(&mut app);
    finish_lambda(&mut app).await;
    app.dispatch(Action::Dial('9'));
    app.set_now(SimTime(9000));
    assert!(matches!(app.engine().status(), Status::Ended(_)));
    insta::assert_snapshot!("ended_80x24", screen(&app, 80, 24).backend());
    insta::assert_snapshot!("ended_160x48", screen(&app, 160, 48).backend());
}

#[test]
fn help_overlay() {
    let mut app = app();
    app.dispatch(Action::ToggleHelp);
    insta::assert_snapshot!("help_80x24", screen(&app, 80, 24).backend());
    app.dispatch(Action::Dial('5'));
    assert_eq!(app.overlay, Overlay::None, "any key closes the help");
}

#[test]
fn map_view() {
    let mut app = app();
    app.dispatch(Action::ToggleMap);
    insta::assert_snapshot!("map_160x48", screen(&app, 160, 48).backend());
}

#[tokio::test]
async fn step_mode_shows_each_branch() {
    let mut app = app();
    app.dispatch(Action::TogglePause);
    app.dispatch(Action::Dial('1'));
    assert!(matches!(app.engine().status(), Status::Paused { .. }));
    app.dispatch(Action::Step);
    assert!(matches!(app.engine().status(), Status::Paused { .. }));
    insta::assert_snapshot!("stepping_80x24", screen(&app, 80, 24).backend());
    app.dispatch(Action::TogglePause);
    assert!(matches!(
        app.engine().status(),
        Status::AwaitingInput { .. }
    ));
}

#[tokio::test]
async fn unmapped_lambda_is_asked_and_remembered() {
    let mut app = app_with(Registry::empty(), Clock::Real);
    app.set_now(SimTime(1000));
    to_lambda(&mut app);
    let Overlay::Unmapped { function, .. } = &app.overlay else {
        panic!("expected the unmapped overlay, got {:?}", app.overlay);
    };
    assert_eq!(function, "vanity-numbers");
    insta::assert_snapshot!("unmapped_80x24", screen(&app, 80, 24).backend());
    // Answer with a JSON response typed in.
    app.dispatch(Action::Backspace);
    app.dispatch(Action::Backspace);
    for c in r#"{"ssmlResponse":"<speak>hi</speak>","ssmlError":"false"}"#.chars() {
        app.dispatch(Action::Type(c));
    }
    app.dispatch(Action::Submit);
    assert_eq!(app.overlay, Overlay::None);
    finish_lambda(&mut app).await;
    play_out(&mut app);
    assert!(matches!(
        app.engine().status(),
        Status::AwaitingInput { .. }
    ));
    assert_eq!(app.engine().contact().attributes["VanityError"], "false");
    // Remembered: the next call does not ask again.
    app.dispatch(Action::Restart);
    to_lambda(&mut app);
    assert_eq!(app.overlay, Overlay::None);
}

#[tokio::test]
async fn new_caller_restarts_the_call() {
    let mut app = app();
    app.dispatch(Action::NewCaller);
    for _ in 0..20 {
        app.dispatch(Action::Backspace);
    }
    for c in "3035551234".chars() {
        app.dispatch(Action::Type(c));
    }
    app.dispatch(Action::Submit);
    assert_eq!(app.engine().config().caller, "+13035551234");
    assert_eq!(app.engine().contact().caller, "+13035551234");
    assert!(matches!(
        app.engine().status(),
        Status::AwaitingInput { .. }
    ));
}

#[tokio::test]
async fn timeout_now_hangup_and_recording() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app();
    app.recordings_dir = dir.path().join("recordings");
    app.dispatch(Action::TimeoutNow);
    to_lambda(&mut app);
    finish_lambda(&mut app).await;
    app.dispatch(Action::Hangup);
    app.dispatch(Action::WriteRecording);
    let files: Vec<_> = std::fs::read_dir(&app.recordings_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    insta::assert_snapshot!("recording", text);
    app.dispatch(Action::Inspect);
    assert_eq!(app.overlay, Overlay::Inspect { scroll: 0 });
    let lines = app.inspect_lines().join("\n");
    assert!(lines.contains("\"Name\": \"ContactFlowEvent\""), "{lines}");
    assert!(lines.contains("\"ssmlError\": \"false\""), "{lines}");
}

#[test]
fn tiny_screens_do_not_panic() {
    let app = app();
    for (w, h) in [(0, 0), (1, 1), (10, 3), (39, 11), (40, 12), (80, 24)] {
        let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
        (&app).render(buf.area, &mut buf);
    }
}

#[test]
fn clicking_the_keypad_dials() {
    use crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut app = app();
    let screen = Rect::new(0, 0, 80, 24);
    let pad = flowsim::tui::ui::areas(screen, app.view).keypad;
    let click = Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: pad.x + 1,
        row: pad.y,
        modifiers: KeyModifiers::NONE,
    });
    flowsim::tui::event_loop::on_terminal_event(&mut app, click, screen);
    assert_eq!(app.lit_key(), Some('1'));
    assert_eq!(app.typed(), "");
    assert!(
        app.transcript()
            .iter()
            .any(|e| matches!(e, flowsim::tui::app::Entry::Keys(k) if k == "1"))
    );
}
