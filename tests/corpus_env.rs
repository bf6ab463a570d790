//! Every branch of the corpus's ShowView, customer-profile and Lex blocks is taken by a
//! `.call` script of `tests/fixtures/corpus_env/`, each driving a real corpus flow
//! (read from `../shared/corpus/flows` at test time, never copied here).
//!
//! The targets are computed from the flows (every branch a call can take of every
//! block of those types that the flow's start reaches), the scripts run through the
//! script runner, and coverage (`flowsim test --coverage`'s) says which were taken:
//! a target no script takes fails the test.
//!
//! `FLOWSIM_BLESS=1 cargo test --test corpus_env` (re)generates scripts for targets
//! no script takes (and for scripts that no longer replay) with a directed search:
//! breadth first over forks of the engine (`Engine: Clone`, through
//! `flowsim::explore`'s `Walker` and `Catalogue`) at each decision — a menu's keys,
//! silence, store input, Lambda answers synthesized from the values the flow
//! compares, the intents a Lex block's conditions name — in environments chosen for
//! the target (the view's action, profiles found, several or none, no profiles
//! domain, a failing bot: `lex BOT = error`; voice and chat, hours open and closed).
//! The views the calls meet are answered each way in turn (each action they wire,
//! another, no answer; with the data the flow compares `$.Views.ViewResultData`
//! with). Bots are not public: the first call taking the target is replayed with
//! canned intents (`lex * = intent:NAME`, in turn) and kept as its recording when
//! that replays green and takes the target. `FLOWSIM_BLESS_SECS` bounds the search
//! (900 s by default), `FLOWSIM_BLESS_ONLY=TEXT` to the flows whose file name holds
//! TEXT; what it does not reach stays in `unreached.txt`.
//!
//! Branches no call can take are not targets, nor the blocks only they lead to: the
//! engine's reach rules (`flowsim::engine::dead_branches_in`) set them apart, e.g. a
//! Lex block's `NextAction` once `NoMatchingCondition` is wired, or a view only voice
//! contacts reach (after Check Voice ID: it takes `NoMatchingError`).

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flowsim::catalogue::ActionType;
use flowsim::engine::{CallConfig, Effect, Engine, Input, SimTime, Status, TraceEvent, TraceKind};
use flowsim::env::{Environment, Profile, View};
use flowsim::explore::inputs::{Catalogue, default_choice, usual_decision};
use flowsim::explore::walk::{Point, Walker};
use flowsim::flow::{Block, Flow, FlowSet, Kind, load_file};
use flowsim::lambda::LambdaOutcome;
use flowsim::script::coverage::Coverage;
use flowsim::script::parse::Directive;
use flowsim::script::record::{RecordOptions, recording_from_trace};
use flowsim::script::{RunOptions, ScriptResult, parse_script, run_script};
use serde_json::Value;

mod common;

const TYPES: [ActionType; 8] = [
    ActionType::ShowView,
    ActionType::ConnectParticipantWithLexBot,
    ActionType::GetCustomerProfile,
    ActionType::CreateCustomerProfile,
    ActionType::UpdateCustomerProfile,
    ActionType::GetCalculatedAttributesForCustomerProfile,
    ActionType::AssociateContactToCustomerProfile,
    ActionType::GetCustomerProfileObject,
];

fn fixtures() -> PathBuf {
    common::root().join("tests/fixtures/corpus_env")
}

fn corpus() -> Option<PathBuf> {
    common::shared()
        .map(|d| d.join("corpus/flows"))
        .filter(|d| d.is_dir())
}

/// (flow file, flow name, block id, branch label) of every target.
type Target = (PathBuf, String, String, String);

fn targets(corpus: &Path) -> Vec<Target> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let Ok(flow) = load_file(&path) else { continue };
        let dead: Vec<_> = (0..flow.blocks.len())
            .map(|i| flowsim::engine::dead_branches_in(&flow, i))
            .collect();
        // The blocks the start reaches by branches a call can take.
        let mut reach = vec![false; flow.blocks.len()];
        reach[flow.start] = true;
        let mut todo = vec![flow.start];
        while let Some(at) = todo.pop() {
            for (branch, target) in flow.blocks[at].branches() {
                if let Some(t) = target
                    && !reach[t]
                    && !dead[at].iter().any(|d| d.branch == branch)
                {
                    reach[t] = true;
                    todo.push(t);
                }
            }
        }
        for (i, b) in flow.blocks.iter().enumerate() {
            if !reach[i] || !b.kind.action().is_some_and(|t| TYPES.contains(&t)) {
                continue;
            }
            let dead = &dead[i];
            for (branch, _) in b.branches() {
                if dead.iter().any(|d| d.branch == branch) {
                    continue;
                }
                out.push((
                    path.clone(),
                    flow.name.clone(),
                    b.id.clone(),
                    branch.label(),
                ));
            }
        }
    }
    out
}

fn run(path: &Path) -> (ScriptResult, Option<Arc<Flow>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let script = parse_script(&text, path).expect("the script parses");
    let flow_path = script
        .lines
        .iter()
        .find_map(|l| match &l.directive {
            Directive::Flow(p) => Some(p.clone()),
            _ => None,
        })
        .expect("a corpus script names its flow");
    let flows = flowsim::session::load_flows(Some(&flow_path), None).expect("the flow loads");
    let main = flows.main.clone();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    (
        rt.block_on(run_script(&script, &flows, &RunOptions::default())),
        Some(main),
    )
}

fn scripts() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|x| x == "call"));
    v.sort();
    v
}

/// The targets no script takes, after running them all (each must pass). Coverage
/// is computed per script (each drives one flow), keyed by the flow's file: corpus
/// flows may share a name and block identifiers.
fn untaken(corpus: &Path) -> (Vec<Target>, usize) {
    let all = targets(corpus);
    let mut taken: BTreeSet<(PathBuf, String, String)> = BTreeSet::new();
    let mut failed = Vec::new();
    for s in scripts() {
        let (r, flow) = run(&s);
        if !r.passed() {
            // Blessing regenerates a script the engine no longer replays.
            if std::env::var_os("FLOWSIM_BLESS").is_some() {
                eprintln!("{}: no longer replays; regenerated", s.display());
                let _ = std::fs::remove_file(&s);
                continue;
            }
            failed.push(format!("{}: {:?}", s.display(), r.outcome));
        }
        let Some(flow) = flow else { continue };
        let mut cov = Coverage::new();
        cov.add_flow(&flow);
        cov.add_trace(&r.events);
        let source = PathBuf::from(&flow.source);
        for fc in cov.report() {
            let never: BTreeSet<(String, String)> = fc
                .branches_never_taken
                .iter()
                .map(|u| (u.block_id.clone(), u.branch.clone()))
                .collect();
            for t in all.iter().filter(|t| same_file(&t.0, &source)) {
                if !never.contains(&(t.2.clone(), t.3.clone())) {
                    taken.insert((t.0.clone(), t.2.clone(), t.3.clone()));
                }
            }
        }
    }
    assert!(failed.is_empty(), "scripts fail:\n{}", failed.join("\n"));
    let n = all.len();
    (
        all.into_iter()
            .filter(|t| !taken.contains(&(t.0.clone(), t.2.clone(), t.3.clone())))
            .collect(),
        n,
    )
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// `unreached.txt`: targets no generated walk reaches yet, one `FILE BLOCK → BRANCH`
/// a line (`#` comments). The test fails when a listed target is taken by a script
/// or is no longer a target, so the list only shrinks.
fn unreached_list() -> BTreeSet<String> {
    std::fs::read_to_string(fixtures().join("unreached.txt"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

fn target_line((p, _, b, br): &Target) -> String {
    let file = p.file_name().unwrap_or_default().to_string_lossy();
    format!("{file} {b} → {br}")
}

#[test]
fn every_branch_of_the_corpus_view_profile_and_lex_blocks_is_taken_by_a_script() {
    let Some(corpus) = corpus() else {
        eprintln!("note: ../shared/corpus is absent; nothing to cover");
        return;
    };
    if std::env::var_os("FLOWSIM_BLESS").is_some() {
        generate(&corpus);
    }
    let (left, total) = untaken(&corpus);
    assert!(total > 300, "only {total} targets in the corpus");
    let listed = unreached_list();
    let left: BTreeSet<String> = left.iter().map(target_line).collect();
    if std::env::var_os("FLOWSIM_BLESS").is_some() {
        let mut text = String::from(
            "# Branches of corpus ShowView / customer-profile / Lex blocks that no generated call of\n\
             # tests/corpus_env.rs reaches yet (FLOWSIM_BLESS=1 rewrites this list; it may only\n\
             # shrink: a listed branch some script takes fails the test).\n",
        );
        for l in &left {
            text.push_str(l);
            text.push('\n');
        }
        std::fs::write(fixtures().join("unreached.txt"), text).unwrap();
        return;
    }
    let missing: Vec<&String> = left.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "{} of {total} branches of ShowView / customer-profile / Lex blocks are taken by no script \
         of tests/fixtures/corpus_env (FLOWSIM_BLESS=1 generates them):\n{}",
        missing.len(),
        missing
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let stale: Vec<&String> = listed.difference(&left).collect();
    assert!(
        stale.is_empty(),
        "unreached.txt lists branches that are now taken (or no longer exist); remove them:\n{}",
        stale
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!(
        "{} of {total} branches taken by scripts; {} listed as unreached",
        total - left.len(),
        left.len()
    );
}

// ---- generating scripts ---------------------------------------------------------

/// Environments likely to select `branch` of block `b`: the view's action, profiles
/// found or not, no profiles domain, a bot that fails.
fn environments(b: &Block, branch: &str) -> Vec<(Environment, Vec<(String, String)>)> {
    let caller = flowsim::engine::DEFAULT_CALLER;
    let mut out = Vec::new();
    let mut env = Environment::default();
    let mut attrs = Vec::new();
    match &b.kind {
        Kind::ShowView => {
            let action = match branch {
                "NoMatchingError" => "error".to_owned(),
                "TimeLimitExceeded" => "timeout".to_owned(),
                "NoMatchingCondition" | "Next" => OTHER.to_owned(),
                label => b
                    .conditions
                    .iter()
                    .find(|c| c.label() == label)
                    .map_or_else(|| label.to_owned(), |c| c.operand.clone()),
            };
            env.views.insert(
                b.id.clone(),
                View {
                    action,
                    data: Value::Object(Default::default()),
                },
            );
            out.push((env, attrs));
        }
        // Lex: the bot is not public. The search says what the caller means (an
        // utterance naming the intent), turned into canned intents (`lex * =
        // intent:NAME`) once a call takes the target; a failing bot (`lex BOT =
        // error`) for the error branch.
        Kind::ConnectParticipantWithLexBot { bot, .. } => {
            out.push((env.clone(), attrs.clone()));
            if branch == "NoMatchingError" {
                let pattern = if bot.starts_with('$') || bot.is_empty() {
                    "*"
                } else {
                    bot.as_str()
                };
                env.add_lex_answer(pattern, "error")
                    .expect("`error` is a Lex backend");
                out.push((env, attrs));
            }
        }
        _ => {
            if branch == "NoMatchingError" {
                env.customer_profiles = Some(false);
                out.push((env, attrs));
                return out;
            }
            // The profile the block searches for: by its identifier, or the caller.
            let req = b.params.get("ProfileRequestData");
            let key = req
                .and_then(|r| r.get("IdentifierName"))
                .and_then(Value::as_str)
                .unwrap_or("_phone")
                .to_owned();
            let value = req
                .and_then(|r| r.get("IdentifierValue"))
                .and_then(Value::as_str)
                .unwrap_or(caller)
                .to_owned();
            let value = match value.strip_prefix("$.Attributes.") {
                Some(attr) => {
                    attrs.push((attr.to_owned(), "flowsim-1".to_owned()));
                    "flowsim-1".to_owned()
                }
                None if value.starts_with("$.External.") => "flowsim-1".to_owned(),
                None if value.starts_with('$') => caller.to_owned(),
                None => value,
            };
            let by_phone = matches!(key.as_str(), "_phone" | "PhoneNumber");
            let profile = |n: usize| {
                let mut p = Profile {
                    phone: Some(if by_phone {
                        value.clone()
                    } else {
                        caller.to_owned()
                    }),
                    profile_id: Some(format!("profile-{n}")),
                    ..Profile::default()
                };
                if !by_phone {
                    p.fields.insert(key.clone(), value.clone());
                }
                p.fields.insert("FirstName".into(), "Ana".into());
                p
            };
            match branch {
                "NoneFoundError" => out.push((env.clone(), attrs.clone())),
                "MultipleFoundError" => {
                    env.customers = vec![profile(1), profile(2)];
                    out.push((env, attrs));
                }
                _ => {
                    let mut with_calc = profile(1);
                    with_calc
                        .calculated
                        .insert("_average_hold_time".into(), "40".into());
                    env.customers = vec![with_calc];
                    out.push((env.clone(), attrs.clone()));
                    env.customers = vec![profile(1)];
                    out.push((env, attrs));
                }
            }
        }
    }
    out
}

/// A view action no condition names.
const OTHER: &str = "FlowsimOther";

/// Calls the search explores per environment (views decided), at most.
const CALLS_PER_ENVIRONMENT: usize = 150;
/// Decisions per call the search branches at; later ones take the usual choice.
const DEPTH: usize = 16;
/// Environments (view answers) tried per target, at most.
const ENVIRONMENTS: usize = 24;

/// What the flow reads back from views: each `$.Views.ViewResultData` path, with
/// the values the flow compares it with (directly, or through an attribute it sets
/// from the path).
fn view_paths(flow: &Flow) -> Vec<(String, Vec<String>)> {
    let prefix = "$.Views.ViewResultData.";
    let path_of = |v: &str| v.trim().strip_prefix(prefix).map(str::to_owned);
    let mut from_attr: Vec<(String, String)> = Vec::new();
    let mut paths: Vec<(String, Vec<String>)> = Vec::new();
    let add = |paths: &mut Vec<(String, Vec<String>)>, path: String, v: Option<String>| {
        let i = match paths.iter().position(|(p, _)| *p == path) {
            Some(i) => i,
            None => {
                paths.push((path, Vec::new()));
                paths.len() - 1
            }
        };
        if let Some(v) = v
            && !paths[i].1.contains(&v)
        {
            paths[i].1.push(v);
        }
    };
    for b in &flow.blocks {
        if let Kind::UpdateContactAttributes { attributes }
        | Kind::UpdateFlowAttributes { attributes } = &b.kind
        {
            for (k, v) in attributes {
                if let Some(p) = path_of(v) {
                    from_attr.push((k.clone(), p.clone()));
                    add(&mut paths, p, None);
                }
            }
        }
    }
    for b in &flow.blocks {
        if let Kind::Compare { value } = &b.kind {
            let v = value.trim();
            let path = path_of(v).or_else(|| {
                let a = v
                    .strip_prefix("$.Attributes.")
                    .or_else(|| v.strip_prefix("$.FlowAttributes."))?;
                from_attr
                    .iter()
                    .find(|(k, _)| k == a)
                    .map(|(_, p)| p.clone())
            });
            if let Some(p) = path {
                for c in &b.conditions {
                    add(&mut paths, p.clone(), Some(c.operand.clone()));
                }
            }
        }
    }
    for (_, vs) in &mut paths {
        vs.push("flowsim-1".into());
    }
    paths
}

/// View data with `paths` set to the candidate `pick` chooses for each.
fn view_data(paths: &[(String, Vec<String>)], pick: &dyn Fn(usize) -> usize) -> Value {
    let mut data = Value::Object(Default::default());
    for (i, (path, values)) in paths.iter().enumerate() {
        let mut at = &mut data;
        let parts: Vec<&str> = path.split('.').collect();
        for (j, part) in parts.iter().enumerate() {
            let Value::Object(m) = at else { break };
            if j + 1 == parts.len() {
                m.insert((*part).into(), Value::String(values[pick(i)].clone()));
                break;
            }
            at = m
                .entry((*part).to_owned())
                .or_insert_with(|| Value::Object(Default::default()));
        }
    }
    data
}

/// The answers worth trying at view block `b`: each action it wires, one it does not,
/// no answer; each with the data the flow compares (one value changed at a time).
fn view_options(b: &Block, paths: &[(String, Vec<String>)]) -> Vec<View> {
    let mut datas = vec![view_data(paths, &|_| 0)];
    for (i, (_, values)) in paths.iter().enumerate() {
        for j in 1..values.len() {
            datas.push(view_data(paths, &|k| if k == i { j } else { 0 }));
        }
    }
    let mut actions: Vec<String> = b.conditions.iter().map(|c| c.operand.clone()).collect();
    actions.push(OTHER.into());
    actions.push("timeout".into());
    let mut out = Vec::new();
    for a in &actions {
        for d in &datas {
            out.push(View {
                action: a.clone(),
                data: d.clone(),
            });
        }
    }
    out
}

fn takes(events: &[TraceEvent], block: &str, branch: &str) -> bool {
    events.iter().any(|e| {
        matches!(&e.kind, TraceKind::BranchTaken { block: b, branch: br, .. }
            if b.id == block && br == branch)
    })
}

/// The call goes on to a rest and the caller hangs up there, as a script's `hangup`
/// does (a prompt playing or a Lambda running finishes first). A call that never
/// rests (views and Lambda functions in a loop) runs to the engine's step budget, as
/// its replay does: hanging up before would record a call no replay makes.
fn finish(w: &mut Walker, catalogue: &mut Catalogue, flows: &FlowSet) {
    loop {
        match w.advance() {
            None => return,
            Some(p @ Point::Lambda { .. }) => {
                let choices = catalogue.choices(&p, flows);
                match default_choice(&choices) {
                    Some(c) => w.apply(&p, c.decision),
                    None => break,
                }
            }
            Some(Point::Input { .. }) => break,
        }
    }
    w.hang_up();
}

/// A breadth-first search over the call's decisions (keys, silence, utterances,
/// Lambda answers: [`Catalogue`]'s) in one environment, forking the engine at each,
/// for a call taking `branch` of `block`. `Err`: the view blocks the calls met that
/// the environment does not answer (they took the first action they wire).
fn search_calls(
    flows: &FlowSet,
    catalogue: &mut Catalogue,
    config: &CallConfig,
    block: &str,
    branch: &str,
) -> Result<Walker, Vec<String>> {
    let mut seen: HashSet<u64> = HashSet::new();
    let mut queue: VecDeque<(Walker, usize)> = VecDeque::new();
    queue.push_back((Walker::new(Engine::new(flows.clone(), config.clone())), 0));
    let mut met: Vec<String> = Vec::new();
    let mut calls = 0;
    while let Some((mut w, mut checked)) = queue.pop_front() {
        calls += 1;
        let limit = calls + queue.len() >= CALLS_PER_ENVIRONMENT;
        loop {
            if takes(&w.events[checked..], block, branch) {
                finish(&mut w, catalogue, flows);
                return Ok(w);
            }
            checked = w.events.len();
            let Some(point) = w.advance() else { break };
            let choices = catalogue.choices(&point, flows);
            let fresh = seen.insert(w.state_key(&point));
            if fresh && !limit && w.decisions.len() < DEPTH && choices.len() > 1 {
                for c in &choices[1..] {
                    let mut f = w.clone();
                    f.apply(&point, c.decision.clone());
                    queue.push_back((f, checked));
                }
                w.apply(&point, choices[0].decision.clone());
            } else {
                let Some(d) = usual_decision(&w, &point, &choices) else {
                    break;
                };
                w.apply(&point, d);
            }
        }
        if takes(&w.events[checked..], block, branch) {
            return Ok(w);
        }
        for e in &w.events {
            if let TraceKind::EnvironmentDefault { block, setting, .. } = &e.kind
                && setting.starts_with("views.")
                && !met.contains(&block.id)
            {
                met.push(block.id.clone());
            }
        }
    }
    Err(met)
}

/// Search environments and calls for one taking `branch` of `block`: the
/// environments of [`environments`], as voice and chat calls, hours open and closed;
/// then the views the calls meet answered each way, breadth first.
fn search(
    flows: &FlowSet,
    catalogue: &mut Catalogue,
    b: &Block,
    branch: &str,
) -> Option<(CallConfig, Walker)> {
    let flow = flows.main.clone();
    let paths = view_paths(&flow);
    let checks_hours = flow
        .blocks
        .iter()
        .any(|b| matches!(b.kind, Kind::CheckHoursOfOperation { .. }));
    let mut bases = Vec::new();
    for (env, attrs) in environments(b, branch) {
        let channels: &[Option<&str>] = if matches!(b.kind, Kind::ShowView) {
            &[Some("CHAT")]
        } else {
            &[None, Some("CHAT")]
        };
        for ch in channels {
            for open in [true, false] {
                if !open && !checks_hours {
                    continue;
                }
                let mut env = env.clone();
                env.channel = ch.map(str::to_owned);
                bases.push(CallConfig {
                    env: Arc::new(env),
                    attributes: attrs.iter().cloned().collect(),
                    hours_open: open,
                    ..CallConfig::default()
                });
            }
        }
    }
    // First the same environments with every other view answered towards the target
    // (a chain of views is one call, which the breadth-first answers below reach only
    // a few views deep).
    let toward = toward_target(&flow, &b.id, &paths);
    let directed: Vec<CallConfig> = bases
        .iter()
        .filter(|_| !toward.is_empty())
        .map(|c| {
            let mut c = c.clone();
            let env = Arc::make_mut(&mut c.env);
            for (id, v) in &toward {
                env.views.entry(id.clone()).or_insert_with(|| v.clone());
            }
            c
        })
        .collect();
    for base in directed.into_iter().chain(bases) {
        // The target view's data: what the flow compares, the first values.
        let mut base = base;
        if let Some(v) = Arc::make_mut(&mut base.env).views.get_mut(&b.id) {
            v.data = view_data(&paths, &|_| 0);
        }
        let mut tried: HashSet<String> = HashSet::new();
        let mut queue: VecDeque<CallConfig> = VecDeque::from([base]);
        while let Some(config) = queue.pop_front() {
            if tried.len() >= ENVIRONMENTS {
                break;
            }
            if !tried.insert(format!("{:?}", config.env.views)) {
                continue;
            }
            match search_calls(flows, catalogue, &config, &b.id, branch) {
                Ok(w) => return Some((config, w)),
                Err(met) => {
                    for id in met {
                        let Some(v) = flow.blocks.iter().find(|x| x.id == id) else {
                            continue;
                        };
                        for opt in view_options(v, &paths) {
                            let mut c = config.clone();
                            Arc::make_mut(&mut c.env).views.insert(id.clone(), opt);
                            queue.push_back(c);
                        }
                    }
                }
            }
        }
    }
    None
}

/// For each view block but `target`, the answer whose branch leads closest to
/// `target` in the flow's graph (fewest blocks; the first such action), with the data
/// the flow compares (the first values): the views a chain of views passes on its way.
fn toward_target(
    flow: &Flow,
    target: &str,
    paths: &[(String, Vec<String>)],
) -> Vec<(String, View)> {
    let Some(&goal) = flow.by_id.get(target) else {
        return Vec::new();
    };
    // Blocks from each block to the target, breadth first over the reversed graph.
    let mut dist = vec![usize::MAX; flow.blocks.len()];
    dist[goal] = 0;
    let mut queue = VecDeque::from([goal]);
    while let Some(at) = queue.pop_front() {
        for (i, blk) in flow.blocks.iter().enumerate() {
            if dist[i] == usize::MAX && blk.branches().iter().any(|(_, t)| *t == Some(at)) {
                dist[i] = dist[at] + 1;
                queue.push_back(i);
            }
        }
    }
    let data = view_data(paths, &|_| 0);
    let mut out = Vec::new();
    for blk in &flow.blocks {
        if blk.id == target || !matches!(blk.kind, Kind::ShowView) {
            continue;
        }
        let best = blk
            .conditions
            .iter()
            .filter_map(|c| Some((dist[c.target?], c)))
            .filter(|(d, _)| *d != usize::MAX)
            .min_by_key(|(d, _)| *d);
        if let Some((_, c)) = best {
            out.push((
                blk.id.clone(),
                View {
                    action: c.operand.clone(),
                    data: data.clone(),
                },
            ));
        }
    }
    out
}

/// The call again with canned intents for what the caller said to bots the
/// environment does not map (the search names the intent in the utterance):
/// `lex * = intent:NAME`, in turn.
fn with_canned_intents(
    flows: &FlowSet,
    catalogue: &mut Catalogue,
    config: &CallConfig,
    w: &Walker,
) -> (CallConfig, Walker) {
    let defaulted: Vec<usize> = w
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            matches!(&e.kind, TraceKind::EnvironmentDefault { setting, .. }
                if setting.starts_with("a bot for"))
        })
        .map(|(i, _)| i)
        .collect();
    if defaulted.is_empty() {
        return (config.clone(), w.clone());
    }
    let mut config = config.clone();
    let env = Arc::make_mut(&mut config.env);
    for e in &w.events {
        if let TraceKind::LexRecognized { intent, .. } = &e.kind {
            let intent = if intent.contains(' ') { OTHER } else { intent };
            env.add_lex_answer("*", &format!("intent:{intent}"))
                .expect("a canned intent");
        }
    }
    let mut again = Walker::new(Engine::new(flows.clone(), config.clone()));
    for d in &w.decisions {
        match again.advance() {
            Some(p) => again.apply(&p, d.clone()),
            None => break,
        }
    }
    finish(&mut again, catalogue, flows);
    (config, again)
}

fn generate(corpus: &Path) {
    std::fs::create_dir_all(fixtures()).unwrap();
    let (left, _) = untaken(corpus);
    let mut done: BTreeSet<(PathBuf, String, String)> = BTreeSet::new();
    // Blessing is bounded in time (`FLOWSIM_BLESS_SECS`, 900 by default): targets
    // left when it runs out stay listed, for the next run.
    let secs = std::env::var("FLOWSIM_BLESS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(900);
    let stop = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    // `FLOWSIM_BLESS_ONLY=TEXT`: only the targets of flow files whose name holds TEXT.
    let only = std::env::var("FLOWSIM_BLESS_ONLY").unwrap_or_default();
    for (path, _, block_id, branch) in left {
        if !path.to_string_lossy().contains(&only) {
            continue;
        }
        if std::time::Instant::now() > stop {
            eprintln!("FLOWSIM_BLESS_SECS ran out; the rest stays listed");
            break;
        }
        if done.contains(&(path.clone(), block_id.clone(), branch.clone())) {
            continue;
        }
        let flow = load_file(&path).unwrap();
        let Some(b) = flow.blocks.iter().find(|b| b.id == block_id).cloned() else {
            continue;
        };
        let flows = FlowSet::single(flow);
        let mut catalogue = Catalogue::new(&flows, None);
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let short: String = block_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        let name: String = format!("{stem}__{short}__{branch}")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let out = fixtures().join(format!("{name}.call"));
        let Some((config, w)) = search(&flows, &mut catalogue, &b, &branch) else {
            eprintln!("no call found for {} {block_id} → {branch}", path.display());
            continue;
        };
        let (config, w) = with_canned_intents(&flows, &mut catalogue, &config, &w);
        if !takes(&w.events, &block_id, &branch) {
            eprintln!(
                "{}: the call with canned intents does not take the target",
                out.display()
            );
            continue;
        }
        let text = recording_from_trace(
            &RecordOptions {
                flow_path: Some(&path),
                recording_path: Some(&out),
                config: Some(&config),
            },
            &w.events,
        );
        std::fs::write(&out, &text).unwrap();
        if let Err(e) = parse_script(&text, &out) {
            eprintln!("{}: the recording does not parse: {e}", out.display());
            let _ = std::fs::remove_file(&out);
            continue;
        }
        let (r, _) = run(&out);
        if r.passed() && takes(&r.events, &block_id, &branch) {
            for e in &r.events {
                if let TraceKind::BranchTaken { block, branch, .. } = &e.kind {
                    done.insert((path.clone(), block.id.clone(), branch.clone()));
                }
            }
        } else {
            eprintln!(
                "{}: the recording does not replay: {:?}",
                out.display(),
                r.outcome
            );
            let _ = std::fs::remove_file(&out);
        }
    }
}

/// A seeded random walk: keys, digits and timeouts at inputs, Lambda functions
/// answered with JSON; the whole trace.
fn walk(flows: &FlowSet, config: CallConfig, seed: u64, payload: &str) -> Vec<TraceEvent> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut engine = Engine::new(flows.clone(), config);
    let mut now = SimTime::ZERO;
    let mut events = Vec::new();
    let push = |fx: Vec<Effect>, events: &mut Vec<TraceEvent>| {
        for e in fx {
            if let Effect::Trace(t) = e {
                events.push(t);
            }
        }
    };
    push(engine.handle(Input::Start, now), &mut events);
    for _ in 0..300 {
        let input = match engine.status() {
            Status::Ended(_) => break,
            Status::AwaitingLambda { call, .. } => Input::LambdaDone {
                call,
                outcome: if rng.u8(0..4) == 0 {
                    LambdaOutcome::FunctionError {
                        message: "boom".into(),
                    }
                } else {
                    LambdaOutcome::Response {
                        payload: payload.into(),
                    }
                },
            },
            Status::AwaitingInput { mode, .. } => match rng.u8(0..10) {
                0..=5 => Input::Key(b"0123456789"[rng.usize(0..10)] as char),
                6..=8 if mode == flowsim::engine::InputMode::Lex => Input::Utterance("yes".into()),
                _ => {
                    now = engine.next_deadline().unwrap_or(now);
                    Input::Tick
                }
            },
            Status::Waiting { .. } | Status::Playing { .. } | Status::AwaitingLex { .. } => {
                now = engine.next_deadline().unwrap_or(now);
                Input::Tick
            }
            // In queue: time passes to the agent; a queue nobody answers is hung up on.
            Status::InQueue { deadline, .. } => match deadline {
                Some(d) => {
                    now = d;
                    Input::Tick
                }
                None => Input::Hangup,
            },
            Status::Paused { .. } | Status::NotStarted | Status::AwaitingOutcome { .. } => break,
        };
        push(engine.handle(input, now), &mut events);
    }
    // The caller hangs up at a rest (an input, a wait, the queue), as a script's
    // `hangup` does: a prompt playing or a Lambda running finishes first.
    for _ in 0..50 {
        match engine.status() {
            Status::Playing { deadline, .. } | Status::AwaitingLex { deadline, .. } => {
                now = deadline;
                push(engine.handle(Input::Tick, now), &mut events);
            }
            Status::AwaitingLambda { call, .. } => {
                let outcome = LambdaOutcome::Response {
                    payload: payload.into(),
                };
                push(
                    engine.handle(Input::LambdaDone { call, outcome }, now),
                    &mut events,
                );
            }
            _ => break,
        }
    }
    if engine.ended().is_none() {
        push(engine.handle(Input::Hangup, now), &mut events);
    }
    events
}

// ---- every outcome a call used lands in its recording ----------------------------

/// A random contact center for `flow`: its queues and hours in random states, and a
/// random answer for every other outcome.
fn random_env(flow: &Flow, rng: &mut fastrand::Rng) -> Environment {
    let mut env = Environment {
        channel: [None, Some("CHAT"), Some("TASK")][rng.usize(0..3)].map(str::to_owned),
        call_progress: rng
            .bool()
            .then(|| ["VoicemailBeep", "NotDetected", "CallAnswered"][rng.usize(0..3)].into()),
        third_party: rng
            .bool()
            .then(|| ["failed", "no_answer", "answered"][rng.usize(0..3)].into()),
        customer_returns_after_secs: rng.bool().then(|| rng.u32(1..120)),
        authentication: rng
            .bool()
            .then(|| ["success", "opted_out", "error"][rng.usize(0..3)].into()),
        agent_available: rng.bool().then(|| rng.bool()),
        case_link_fails: rng.bool().then(|| rng.bool()),
        customer_profiles: rng.bool().then(|| rng.bool()),
        ..Environment::default()
    };
    env.voice_id.authentication = rng
        .bool()
        .then(|| ["Authenticated", "NotAuthenticated", "OptedOut"][rng.usize(0..3)].into());
    for b in &flow.blocks {
        let last = |key: &str| {
            b.params
                .get(key)
                .and_then(Value::as_str)
                .map(|q| q.rsplit('/').next().unwrap_or(q).to_owned())
        };
        if let Some(q) = last("QueueId") {
            let name = b.display_name("QueueId").unwrap_or(q);
            let n = rng.u32(0..3);
            let _ = env.set_queue(&format!(
                "{name}:agents_online={n},agents_available={},contacts_in_queue={},at_capacity={}",
                rng.u32(0..=n),
                rng.u32(0..5),
                rng.u8(0..6) == 0
            ));
        }
        if let Some(h) = last("HoursOfOperationId") {
            env.hours.insert(h, flowsim::env::Hours::Fixed(rng.bool()));
        }
    }
    if rng.bool() {
        let _ = env.add_customer(&format!(
            "{},FirstName=Ana",
            flowsim::engine::DEFAULT_CALLER
        ));
    }
    env
}

fn branches(events: &[TraceEvent]) -> Vec<(String, String)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::BranchTaken { block, branch, .. } => {
                Some((block.id.clone(), branch.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Calls in random environments over the corpus flows that ask the environment
/// something: each call's recording replays green and takes the same branches.
#[test]
fn recordings_of_calls_in_random_environments_replay_the_same_branches() {
    let Some(corpus) = corpus() else {
        eprintln!("note: ../shared/corpus is absent");
        return;
    };
    let asks: [&str; 9] = [
        "\"CheckMetricData\"",
        "\"GetMetricData\"",
        "\"CheckVoiceId\"",
        "\"CheckOutboundCallStatus\"",
        "\"Wait\"",
        "\"TransferParticipantToThirdParty\"",
        "\"GetCustomerProfile\"",
        "\"CheckHoursOfOperation\"",
        "\"ShowView\"",
    ];
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            std::fs::read_to_string(p).is_ok_and(|t| {
                asks.iter().any(|a| {
                    t.contains(&format!("\"Type\": {a}")) || t.contains(&format!("\"Type\":{a}"))
                })
            })
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 20,
        "only {} flows ask the environment",
        files.len()
    );
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut calls = 0;
    for (i, path) in files.iter().enumerate() {
        let Ok(flow) = load_file(path) else { continue };
        let flows = FlowSet::single(flow.clone());
        for seed in 0..3u64 {
            let mut rng = fastrand::Rng::with_seed(seed * 1000 + i as u64);
            let config = CallConfig {
                env: Arc::new(random_env(&flow, &mut rng)),
                hours_open: rng.bool(),
                ..CallConfig::default()
            };
            let events = walk(&flows, config.clone(), seed, r#"{"result":"true"}"#);
            let out = dir.path().join(format!("call{i}_{seed}.call"));
            let text = recording_from_trace(
                &RecordOptions {
                    flow_path: Some(path),
                    recording_path: Some(&out),
                    config: Some(&config),
                },
                &events,
            );
            std::fs::write(&out, &text).unwrap();
            let (r, _) = run(&out);
            calls += 1;
            if !r.passed() {
                failures.push(format!("{}: {:?}\n{text}", path.display(), r.outcome));
            } else if branches(&r.events) != branches(&events) {
                let (a, b) = (branches(&events), branches(&r.events));
                let at = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
                failures.push(format!(
                    "{}: the replay took other branches: at branch {at} the call took {:?}, \
                     the replay {:?} ({} against {} branches)\n{text}",
                    path.display(),
                    a.get(at),
                    b.get(at),
                    a.len(),
                    b.len()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} recordings do not replay:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
