//! Replay mode: a production contact's flow logs in the TUI (`flowsim replay LOGS
//! --tui`, `flowsim tui --replay LOGS`), paused before each block, with production's
//! record of each block in the flow panel.
//!
//! The call's inputs are [`flowlog::derive`]'s, the ones `flowsim replay` feeds: the
//! settings and outcomes go into the call's config, and [`pump`] answers the call
//! whenever it waits (keys and stored input at an input block, Lambda answers,
//! timeouts) from [`Derived`]. The clock is virtual: waits take no wall time. A key
//! pressed (or `t`, or a Lex utterance) takes the caller's part over: from then on
//! the user answers input blocks; Lambda calls and the contact center's outcomes
//! still come from the records. `r` starts the replay again from the records.

use std::cell::RefCell;

use ratatui::style::{Color, Modifier, Style};

use super::app::App;
use crate::driver::{Driver, DriverError};
use crate::engine::{Input, Status};
use crate::flow::FlowSet;
use crate::flowlog::{self, Answer, Derived, Divergence, Execution, Feed};
use crate::text::truncate;

/// The state of a replay in the TUI.
pub struct ReplayMode {
    derived: Derived,
    flows: FlowSet,
    feed: Feed,
    /// The records answer the caller's part (off once the user takes it over).
    auto: bool,
    /// The comparison of the call on screen with production, for its event count.
    cache: RefCell<Option<(usize, Position)>>,
}

/// Where the call on screen stands against production's records.
#[derive(Clone, Debug)]
struct Position {
    /// Blocks the call has logged so far.
    logged: usize,
    /// Production's record of the last of them, when it is the same block.
    record: Option<Execution>,
    /// The first divergence reached so far.
    divergence: Option<Divergence>,
}

impl ReplayMode {
    pub fn new(derived: Derived, flows: FlowSet) -> Self {
        Self {
            derived,
            flows,
            feed: Feed::default(),
            auto: true,
            cache: RefCell::new(None),
        }
    }

    pub fn contact_id(&self) -> &str {
        &self.derived.contact_id
    }

    /// Do the records still answer the caller's part?
    pub fn answering(&self) -> bool {
        self.auto
    }

    /// A new call: the records answer again from the start.
    pub fn reset(&mut self) {
        self.feed = Feed::default();
        self.auto = true;
        self.cache.replace(None);
    }

    fn position(&self, app: &App) -> Position {
        let events = app.events();
        if let Some((n, p)) = &*self.cache.borrow()
            && *n == events.len()
        {
            return p.clone();
        }
        let (steps, divergence) = self.derived.compare(&self.flows, events);
        let logged = steps.iter().filter(|s| s.flowsim.is_some()).count();
        let ended = matches!(app.engine().status(), Status::Ended(_));
        // A divergence where the call is not yet (production has more blocks, the
        // call has not ended) is not one yet.
        let divergence = divergence.filter(|d| d.step < logged || ended);
        let record = logged
            .checked_sub(1)
            .filter(|&i| divergence.as_ref().is_none_or(|d| i < d.step))
            .and_then(|i| steps[i].production.clone());
        let p = Position {
            logged,
            record,
            divergence,
        };
        self.cache.replace(Some((events.len(), p.clone())));
        p
    }
}

/// The user answers from now on (a key, `t`, an utterance).
pub fn take_over(app: &mut App) {
    if let Some(r) = app.replay.as_mut()
        && r.auto
    {
        r.auto = false;
        app.notice = Some("you answer the caller's part now; r replays production's again".into());
    }
}

/// Answer the call from the records until it pauses before a block (step mode),
/// waits for the user (taken over), or ends. Called after everything the driver does.
pub fn pump(app: &mut App) {
    let Some(mut mode) = app.replay.take() else {
        return;
    };
    for _ in 0..100_000 {
        let events = app.driver_mut().take_events();
        for e in &events {
            mode.feed.observe(e);
        }
        app.on_events(events);
        let status = app.engine().status();
        let result = if let Some(call) = app.driver().unanswered().map(|u| u.call.call) {
            let (outcome, warning) = mode.derived.lambda_answer(&mode.feed, call);
            if let Some(w) = warning {
                app.notice = Some(w);
            }
            app.driver_mut().answer_held(outcome)
        } else if let Some(answer) = mode
            .auto
            .then(|| mode.derived.answer(&mode.feed, &mode.flows, &status))
            .flatten()
        {
            feed(app.driver_mut(), answer, &status)
        } else {
            match status {
                Status::Paused { .. } if app.stepping() => break,
                Status::Paused { .. } => app.driver_mut().send(Input::Step),
                // Replays never ask (no ask mode): nothing to answer.
                Status::Ended(_) | Status::NotStarted | Status::AwaitingOutcome { .. } => break,
                Status::InQueue { deadline: None, .. } => break,
                // The user's turn (taken over).
                Status::AwaitingInput { .. } | Status::Waiting { .. } => break,
                Status::AwaitingLambda { .. }
                | Status::AwaitingLex { .. }
                | Status::Playing { .. }
                | Status::InQueue { .. } => app.driver_mut().advance_to_deadline(),
            }
        };
        if let Err(e) = result {
            app.notice = Some(e.to_string());
            break;
        }
    }
    let events = app.driver_mut().take_events();
    for e in &events {
        mode.feed.observe(e);
    }
    app.on_events(events);
    app.replay = Some(mode);
}

/// Give the waiting block production's answer, as `flowsim replay` does.
fn feed(driver: &mut Driver, answer: Answer, status: &Status) -> Result<(), DriverError> {
    let inputs = match answer {
        Answer::Hangup => return driver.send(Input::Hangup),
        Answer::Timeout => return driver.advance_to_deadline(),
        Answer::Inputs(v) => v,
    };
    let steps = driver.engine().steps();
    let at = flowlog::input_block(status);
    let waiting = |d: &Driver| {
        d.engine().steps() == steps && flowlog::input_block(&d.engine().status()) == at
    };
    for input in inputs {
        if input == Input::Tick {
            driver.advance_to_deadline()?;
        } else {
            driver.send(input)?;
        }
        if !waiting(driver) {
            return Ok(());
        }
    }
    // Digits typed, still waiting: the block's timeout ends the input.
    if at.is_some() && waiting(driver) {
        driver.advance_to_deadline()?;
    }
    Ok(())
}

/// The flow panel's production lines: the record of the block the call last ran,
/// or that production logged none, and the divergence once the paths part.
pub fn flow_lines(app: &App, width: usize) -> Vec<(String, Style)> {
    let Some(r) = &app.replay else {
        return Vec::new();
    };
    let p = r.position(app);
    let total = r.derived.runs().len();
    let dim = Style::new().add_modifier(Modifier::DIM);
    let cyan = Style::new().fg(Color::Cyan);
    let mut out = vec![(
        truncate(
            &format!(
                "── production · block {} of {total} logged{} ──",
                p.logged,
                if r.auto { "" } else { " · you answer" }
            ),
            width,
        ),
        dim,
    )];
    match (&p.record, p.logged) {
        (_, 0) => out.push(("(no block run yet)".into(), dim)),
        (Some(run), _) => {
            let first = run.first();
            out.push((
                format!("{}  {}", run.module_type(), first.timestamp()),
                cyan.add_modifier(Modifier::BOLD),
            ));
            if let Some(res) = run.results() {
                out.push((format!("Results {res:?}"), cyan));
            }
            if let Some(x) = run.external() {
                out.push((format!("ExternalResults {x}"), cyan));
            }
            for rec in &run.records {
                if let Some(params) = rec.parameters().filter(|m| !m.is_empty()) {
                    let text = serde_json::Value::Object(params.clone()).to_string();
                    out.push((format!("Parameters {text}"), dim));
                }
            }
            if run.records.len() > 1 {
                out.push((format!("({} records)", run.records.len()), dim));
            }
        }
        (None, _) => out.push((
            "no production record: production did not log this block".into(),
            Style::new().fg(Color::Yellow),
        )),
    }
    match &p.divergence {
        Some(d) => {
            let red = Style::new().fg(Color::Red);
            out.push((
                format!("✗ DIVERGED at block {} (step {})", d.block, d.step + 1),
                red.add_modifier(Modifier::BOLD),
            ));
            out.push((format!("production: {}", d.production), red));
            out.push((format!("flowsim:    {}", d.flowsim), red));
            out.push((format!("why:        {}", d.why), red));
        }
        None if matches!(app.engine().status(), Status::Ended(_)) => out.push((
            format!("✓ the simulated path is production's ({total} blocks logged)"),
            Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
        )),
        None => {}
    }
    out
}
