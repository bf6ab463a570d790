//! The semantic rules, over a loaded [`Flow`] and its raw JSON.
//!
//! How the graph and data-flow rules decide is documented with the rule table
//! (`rules.rs`, `HEURISTICS`), which is also `docs/rules.md`.

use std::collections::{BTreeSet, HashMap, HashSet};

use petgraph::algo::tarjan_scc;
use petgraph::graph::NodeIndex;
use petgraph::visit::{Dfs, EdgeRef, Reversed};
use serde_json::Value;

mod shapes;

use super::rules::{self, Rule, Severity};
use super::{DUP_MARK, Options, Raw};
use crate::catalogue::{ActionType, ErrorType};
use crate::engine::refs;
use crate::flow::{Block, BlockIdx, Flow, Kind, Operator};

/// What the caller of [`lint`] knows about the file.
#[derive(Clone, Copy, Debug)]
pub struct Context<'o> {
    /// StartAction was missing or wrong and was replaced: skip the rules that
    /// depend on where the flow starts.
    pub start_repaired: bool,
    /// The flow type an API wrapper (`describe-contact-flow` output) declares.
    pub wrapper_type: Option<crate::catalogue::FlowType>,
    pub opts: &'o Options,
}

/// Run every semantic rule.
pub fn lint(flow: &Flow, raw: &Value, ctx: Context<'_>) -> Vec<Raw> {
    let mut l = Linter {
        flow,
        raw,
        ctx,
        out: Vec::new(),
    };
    l.action_types_and_parameters();
    l.empty_targets();
    if !ctx.start_repaired {
        l.unreachable();
        l.cycles();
        l.stale_external();
    }
    l.input_blocks();
    l.loops();
    l.compares();
    l.lambda_timeouts();
    l.boolean_case();
    l.undefined_attributes();
    l.ssml();
    l.flow_type();
    l.store_timeout();
    l.missing_parameters();
    l.error_branches();
    l.input_shapes();
    l.conditions_allowed();
    l.required_next_action();
    l.channels();
    l.limits();
    l.parameter_conflicts();
    l.parameter_ranges();
    l.star_terminator();
    l.partial_jsonpaths();
    l.out
        .retain(|r| !r.block.as_deref().is_some_and(|b| b.contains(DUP_MARK)));
    l.out
}

struct Linter<'a> {
    flow: &'a Flow,
    raw: &'a Value,
    ctx: Context<'a>,
    out: Vec<Raw>,
}

fn base(b: &Block) -> String {
    format!("Actions[{}]", b.json_index)
}

/// Blocks after which the flow ends whatever happens (on success).
fn ends_flow(b: &Block) -> bool {
    b.is_terminal()
}

/// Blocks whose result is compared and may match no condition.
fn can_miss_conditions(b: &Block) -> bool {
    matches!(
        b.kind,
        Kind::Compare { .. }
            | Kind::GetParticipantInput { store: false, .. }
            | Kind::ConnectParticipantWithLexBot { .. }
            | Kind::DistributeByPercentage
    )
}

/// Blocks that wait for the caller (so a cycle through them is not a busy loop).
fn waits_for_caller(b: &Block) -> bool {
    b.kind.spec().is_some_and(|s| s.waits)
}

/// The success outcome of `b` can end the flow (no target for it).
fn success_can_end(b: &Block) -> bool {
    if b.conditions.is_empty() {
        return b.next.is_none();
    }
    can_miss_conditions(b)
        && b.next.is_none()
        && b.error_target(ErrorType::NoMatchingCondition)
            .is_none_or(|e| e.target.is_none())
}

impl<'a> Linter<'a> {
    fn push(&mut self, rule: &'static Rule, b: &Block, path: String, msg: String, hint: &str) {
        self.out
            .push(Raw::new(rule, path, msg).block(&b.id, b.label()).hint(hint));
    }

    fn raw_action(&self, b: &Block) -> &'a Value {
        self.raw
            .get("Actions")
            .and_then(|a| a.get(b.json_index))
            .unwrap_or(&Value::Null)
    }

    // ---- FS133 ------------------------------------------------------------------

    fn star_terminator(&mut self) {
        let flow = self.flow;
        for b in &flow.blocks {
            let Kind::GetParticipantInput {
                store: true,
                terminator,
                cancel_disabled: false,
                ..
            } = &b.kind
            else {
                continue;
            };
            if terminator.contains('*') {
                self.push(
                    rules::STAR_TERMINATOR,
                    b,
                    format!(
                        "{}.Parameters.DTMFConfiguration.InputTerminationSequence",
                        base(b)
                    ),
                    format!(
                        "the terminator \"{terminator}\" contains *, which cancels the entry \
                         unless the cancel key is disabled"
                    ),
                    "add \"DisableCancelKey\": \"True\" to DTMFConfiguration",
                );
            }
        }
    }

    // ---- FS134 ------------------------------------------------------------------

    fn partial_jsonpaths(&mut self) {
        /// Parameters whose text interpolates references (prompts, messages).
        const TEXT: &[&str] = &["Text", "SSML", "Message", "Messages", "Content"];
        fn walk(v: &Value, path: String, out: &mut Vec<(String, String)>) {
            match v {
                Value::String(s) => {
                    let t = s.trim();
                    if t.contains("$.") && !is_whole_reference(t) {
                        out.push((path, s.clone()));
                    }
                }
                Value::Object(m) => {
                    for (k, v) in m {
                        if !TEXT.contains(&k.as_str()) {
                            walk(v, format!("{path}.{k}"), out);
                        }
                    }
                }
                Value::Array(a) => {
                    for (i, v) in a.iter().enumerate() {
                        walk(v, format!("{path}[{i}]"), out);
                    }
                }
                _ => {}
            }
        }
        let flow = self.flow;
        for b in &flow.blocks {
            // Compare has its own rule (FS110).
            if matches!(b.kind, Kind::Compare { .. }) {
                continue;
            }
            let params = self.raw_action(b).get("Parameters").unwrap_or(&Value::Null);
            let mut found = Vec::new();
            walk(params, format!("{}.Parameters", base(b)), &mut found);
            for (path, value) in found {
                self.push(
                    rules::PARTIAL_JSONPATH,
                    b,
                    path,
                    format!(
                        "\"{value}\" has a JSONPath inside other text; Connect resolves a \
                         reference only as the whole value"
                    ),
                    "set an attribute to the reference and use it whole, or build the value in a Lambda",
                );
            }
        }
    }

    // ---- FS101 ------------------------------------------------------------------

    fn empty_targets(&mut self) {
        let flow = self.flow;
        for b in &flow.blocks {
            let t = format!("{}.Transitions", base(b));
            for (i, c) in b.conditions.iter().enumerate() {
                if c.target_id.is_empty() {
                    self.push(
                        rules::EMPTY_TARGET,
                        b,
                        format!("{t}.Conditions[{i}].NextAction"),
                        format!(
                            "condition `{}` leads nowhere: the call hangs up there",
                            c.label()
                        ),
                        "connect the branch to the block that should run next",
                    );
                }
            }
            for (i, e) in b.errors.iter().enumerate() {
                if e.target_id.is_empty() {
                    self.push(
                        rules::EMPTY_TARGET,
                        b,
                        format!("{t}.Errors[{i}].NextAction"),
                        format!(
                            "error branch `{}` leads nowhere: the call hangs up there",
                            e.error_type
                        ),
                        "connect the error branch, e.g. to an error prompt",
                    );
                }
            }
            if ends_flow(b) {
                continue;
            }
            let next_empty = b.next_id.as_deref().is_some_and(str::is_empty);
            if b.conditions.is_empty() {
                match &b.next_id {
                    Some(s) if s.is_empty() => self.push(
                        rules::EMPTY_TARGET,
                        b,
                        format!("{t}.NextAction"),
                        "empty NextAction: the call hangs up after this block".into(),
                        "connect the block to the one that should run next, or end with DisconnectParticipant",
                    ),
                    None => self.push(
                        rules::EMPTY_TARGET,
                        b,
                        t.clone(),
                        "no NextAction: the call hangs up after this block".into(),
                        "add a NextAction, or end with DisconnectParticipant",
                    ),
                    Some(_) => {}
                }
            } else if success_can_end(b) && b.error_target(ErrorType::NoMatchingCondition).is_none()
            {
                let what = if next_empty { "empty" } else { "no" };
                self.push(
                    rules::EMPTY_TARGET,
                    b,
                    format!("{t}.NextAction"),
                    format!(
                        "{what} NextAction and no NoMatchingCondition branch: when no condition \
                         matches, the call hangs up"
                    ),
                    "add a NoMatchingCondition error branch (the console's Default)",
                );
            }
        }
    }

    // ---- FS103 ------------------------------------------------------------------

    fn unreachable(&mut self) {
        let flow = self.flow;
        let seen = flow.graph.reachable_from(flow.start);
        for (i, b) in flow.blocks.iter().enumerate() {
            if !seen[i] {
                self.push(
                    rules::UNREACHABLE_BLOCK,
                    b,
                    base(b),
                    "no path from StartAction leads to this block".into(),
                    "connect it from another block, or delete it",
                );
            }
        }
    }

    // ---- FS104 / FS105 ----------------------------------------------------------

    fn cycles(&mut self) {
        let flow = self.flow;
        let g = &flow.graph.graph;
        let reach = flow.graph.reachable_from(flow.start);
        for scc in tarjan_scc(g) {
            let members: HashSet<usize> = scc.iter().map(|n| n.index()).collect();
            let has_cycle = scc.len() > 1 || g.find_edge(scc[0], scc[0]).is_some();
            if !has_cycle || !scc.iter().any(|n| reach[n.index()]) {
                continue;
            }
            let closed = scc.iter().all(|&n| {
                let b = &flow.blocks[n.index()];
                !ends_flow(b)
                    && b.kind.simulated()
                    && !success_can_end(b)
                    && b.branches().iter().all(|(_, t)| t.is_some())
                    && g.edges(n).all(|e| members.contains(&e.target().index()))
            });
            if !closed {
                continue;
            }
            let mut blocks: Vec<&Block> = scc.iter().map(|n| &flow.blocks[n.index()]).collect();
            blocks.sort_by_key(|b| b.json_index);
            let names: Vec<String> = blocks
                .iter()
                .take(6)
                .map(|b| format!("\"{}\"", b.label()))
                .collect();
            let more = if blocks.len() > 6 { ", …" } else { "" };
            let list = format!("{}{more}", names.join(", "));
            let first = blocks[0];
            if blocks.iter().any(|b| waits_for_caller(b)) {
                self.push(
                    rules::NO_EXIT_CYCLE,
                    first,
                    base(first),
                    format!(
                        "no branch leaves the cycle {list}: once entered, only the caller hanging up ends the call"
                    ),
                    "give the cycle a way out, e.g. a Loop whose DoneLooping leads to a goodbye and DisconnectParticipant",
                );
            } else {
                self.push(
                    rules::INFINITE_LOOP,
                    first,
                    base(first),
                    format!(
                        "infinite loop: no branch leaves the cycle {list} and none of its blocks waits for the caller"
                    ),
                    "add a branch out of the cycle (a Loop's DoneLooping, a Disconnect)",
                );
            }
        }
    }

    // ---- FS106 / FS107 / FS108 --------------------------------------------------

    fn input_blocks(&mut self) {
        let flow = self.flow;
        for b in &flow.blocks {
            let Kind::GetParticipantInput { store, .. } = b.kind else {
                continue;
            };
            let t = format!("{}.Transitions", base(b));
            if b.error_target(ErrorType::NoMatchingError).is_none() {
                self.push(
                    rules::INPUT_NO_ERROR_BRANCH,
                    b,
                    format!("{t}.Errors"),
                    "GetParticipantInput has no NoMatchingError branch".into(),
                    "add {\"ErrorType\": \"NoMatchingError\", \"NextAction\": \"<error prompt>\"}",
                );
            }
            if store {
                if !b.conditions.is_empty() {
                    self.push(
                        rules::STORE_MODE_CONDITIONS,
                        b,
                        format!("{t}.Conditions"),
                        format!(
                            "store mode (StoreInput True) has no result to compare, but {} condition(s) are declared",
                            b.conditions.len()
                        ),
                        "remove the conditions and check $.StoredCustomerInput with a Compare block",
                    );
                }
                continue;
            }
            for (i, c) in b.conditions.iter().enumerate() {
                let single_key = c.operand.chars().count() == 1
                    && c.operand
                        .chars()
                        .all(|ch| ch.is_ascii_digit() || ch == '*' || ch == '#');
                if c.operator != Operator::Equals || !single_key {
                    self.push(
                        rules::MENU_CONDITION,
                        b,
                        format!("{t}.Conditions[{i}].Condition"),
                        format!(
                            "menu condition `{} \"{}\"`: menu mode collects one key and compares with Equals only",
                            c.operator.name(),
                            c.operand
                        ),
                        "use Equals with one of 0-9, * or #; to collect several digits use store mode",
                    );
                }
            }
        }
    }

    // ---- FS109 ------------------------------------------------------------------

    fn loops(&mut self) {
        let flow = self.flow;
        for b in &flow.blocks {
            if !matches!(b.kind, Kind::Loop { .. }) {
                continue;
            }
            let has = |name: &str| {
                b.conditions
                    .iter()
                    .any(|c| c.operator == Operator::Equals && c.operand == name)
            };
            let mut missing = Vec::new();
            for n in ["ContinueLooping", "DoneLooping"] {
                if !has(n) {
                    missing.push(n);
                }
            }
            let others: Vec<String> = b
                .conditions
                .iter()
                .filter(|c| {
                    !(c.operator == Operator::Equals
                        && (c.operand == "ContinueLooping" || c.operand == "DoneLooping"))
                })
                .map(|c| format!("`{}`", c.label()))
                .collect();
            if missing.is_empty() && others.is_empty() {
                continue;
            }
            let mut msg = String::from("Loop ");
            if !missing.is_empty() {
                msg.push_str(&format!("lacks the {} condition", missing.join(" and ")));
            }
            if !others.is_empty() {
                if !missing.is_empty() {
                    msg.push_str("; it ");
                }
                msg.push_str(&format!("has other conditions: {}", others.join(", ")));
            }
            self.push(
                rules::LOOP_BRANCHES,
                b,
                format!("{}.Transitions.Conditions", base(b)),
                msg,
                "a Loop needs exactly two conditions: Equals ContinueLooping and Equals DoneLooping",
            );
        }
    }

    // ---- FS110 ------------------------------------------------------------------

    fn compares(&mut self) {
        let flow = self.flow;
        for b in &flow.blocks {
            let Kind::Compare { value } = &b.kind else {
                continue;
            };
            let path = format!("{}.Parameters.ComparisonValue", base(b));
            match refs::whole(value) {
                None => self.push(
                    rules::COMPARE_NOT_PATH,
                    b,
                    path,
                    format!("ComparisonValue \"{value}\" is not a reference path"),
                    "write the whole value as one path, e.g. $.Attributes.LambdaError",
                ),
                Some(r) => {
                    let ns = r.segments[0].as_str();
                    if !NAMESPACES.contains(&ns) {
                        let hint = match closest(ns, NAMESPACES.iter().copied()) {
                            Some(s) => format!("did you mean $.{s}?"),
                            None => "see the attribute list: $.Attributes, $.External, …".into(),
                        };
                        self.push(
                            rules::COMPARE_NOT_PATH,
                            b,
                            path,
                            format!("ComparisonValue \"{value}\": `{ns}` is not a known namespace"),
                            &hint,
                        );
                    }
                }
            }
        }
    }

    // ---- FS111 / FS112 ----------------------------------------------------------

    fn action_types_and_parameters(&mut self) {
        let flow = self.flow;
        for b in &flow.blocks {
            let Some(spec) = b.kind.spec() else {
                let sugg = CONSOLE_NAMES
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(&b.type_name))
                    .map(|(_, t)| (*t).to_owned())
                    .or_else(|| closest(&b.type_name, ActionType::ALL.iter().map(|t| t.name())));
                let hint = match sugg {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => {
                        "use a flow-language action type (export the flow from Connect to see them)"
                            .into()
                    }
                };
                self.push(
                    rules::UNKNOWN_ACTION_TYPE,
                    b,
                    format!("{}.Type", base(b)),
                    format!(
                        "unknown action type `{}`: Connect refuses to import it and flowsim skips it",
                        b.type_name
                    ),
                    &hint,
                );
                continue;
            };
            let Some(params) = spec.params.known() else {
                continue;
            };
            let p = format!("{}.Parameters", base(b));
            for key in b.params.keys() {
                if params.contains(&key.as_str()) {
                    continue;
                }
                let sugg = ALIASES
                    .iter()
                    .find(|(a, _)| a == key)
                    .map(|(_, s)| (*s).to_owned())
                    .or_else(|| {
                        let nested = NESTED
                            .iter()
                            .filter(|(parent, _)| params.contains(parent))
                            .flat_map(|(parent, keys)| {
                                keys.iter().map(move |k| format!("{parent}.{k}"))
                            });
                        let all: Vec<String> = params
                            .iter()
                            .map(|s| (*s).to_owned())
                            .chain(nested)
                            .collect();
                        closest_by(key, all.iter().map(String::as_str), |c| {
                            c.rsplit('.').next().unwrap_or(c)
                        })
                    });
                let (msg, hint) = unknown_param_text(&b.type_name, key, sugg, params);
                self.push(
                    rules::UNKNOWN_PARAMETER,
                    b,
                    format!("{p}.{key}"),
                    msg,
                    &hint,
                );
            }
            for (parent, keys) in NESTED {
                if !params.contains(parent) {
                    continue;
                }
                let Some(obj) = b.params.get(*parent).and_then(Value::as_object) else {
                    continue;
                };
                for key in obj.keys() {
                    if keys.contains(&key.as_str()) {
                        continue;
                    }
                    let sugg = ALIASES
                        .iter()
                        .find(|(a, _)| a == key)
                        .map(|(_, s)| s.rsplit('.').next().unwrap_or(s).to_owned())
                        .or_else(|| closest(key, keys.iter().copied()));
                    let (msg, hint) = unknown_param_text(parent, key, sugg, keys);
                    self.push(
                        rules::UNKNOWN_PARAMETER,
                        b,
                        format!("{p}.{parent}.{key}"),
                        msg,
                        &hint,
                    );
                }
            }
        }
    }

    // ---- FS113 ------------------------------------------------------------------

    fn lambda_timeouts(&mut self) {
        let flow = self.flow;
        for b in &flow.blocks {
            if !matches!(b.kind, Kind::InvokeLambdaFunction { .. }) {
                continue;
            }
            let Some(v) = b.params.get("InvocationTimeLimitSeconds") else {
                continue;
            };
            let n = match v {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                _ => None,
            };
            let asynchronous = b
                .params
                .get("InvocationType")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("ASYNCHRONOUS"));
            let (max, how) = if asynchronous {
                (60.0, "asynchronous Lambda calls allow 1 to 60 seconds")
            } else {
                (8.0, "synchronous Lambda calls allow 1 to 8 seconds")
            };
            if let Some(n) = n
                && !(1.0..=max).contains(&n)
            {
                self.push(
                    rules::LAMBDA_TIMEOUT_RANGE,
                    b,
                    format!("{}.Parameters.InvocationTimeLimitSeconds", base(b)),
                    format!("InvocationTimeLimitSeconds is {v}; {how}"),
                    if asynchronous {
                        "use 1-60"
                    } else {
                        "use 1-8 (a longer function needs InvocationType ASYNCHRONOUS, up to 60)"
                    },
                );
            }
        }
    }

    // ---- FS114 ------------------------------------------------------------------

    /// Lambda blocks from which `target` can be reached.
    fn lambdas_before(&self, target: BlockIdx) -> Vec<BlockIdx> {
        let g = &self.flow.graph.graph;
        let rev = Reversed(g);
        let mut dfs = Dfs::new(rev, NodeIndex::new(target));
        let mut out = Vec::new();
        while let Some(n) = dfs.next(rev) {
            if matches!(
                self.flow.blocks[n.index()].kind,
                Kind::InvokeLambdaFunction { .. }
            ) {
                out.push(n.index());
            }
        }
        out
    }

    fn boolean_case(&mut self) {
        let flow = self.flow;
        // Attribute key -> (External key, setter block).
        let mut from_external: HashMap<&str, Vec<(String, BlockIdx)>> = HashMap::new();
        for (i, b) in flow.blocks.iter().enumerate() {
            if let Kind::UpdateContactAttributes { attributes } = &b.kind {
                for (k, v) in attributes {
                    if let Some(r) = refs::whole(v)
                        && r.segments[0] == "External"
                        && r.segments.len() > 1
                    {
                        from_external
                            .entry(k.as_str())
                            .or_default()
                            .push((r.segments[1..].join("."), i));
                    }
                }
            }
        }
        for (ci, b) in flow.blocks.iter().enumerate() {
            let Kind::Compare { value } = &b.kind else {
                continue;
            };
            let Some(r) = refs::whole(value) else {
                continue;
            };
            let sources: Vec<(String, BlockIdx, String)> =
                match (r.segments[0].as_str(), r.segments.get(1)) {
                    ("External", Some(_)) => {
                        vec![(r.segments[1..].join("."), ci, value.trim().to_owned())]
                    }
                    ("Attributes", Some(k)) => from_external
                        .get(k.as_str())
                        .map(|v| {
                            v.iter()
                                .map(|(ext, setter)| {
                                    (
                                        ext.clone(),
                                        *setter,
                                        format!("{} (copied from $.External.{ext})", value.trim()),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
            let Some((ext_key, reader, shown)) = sources.first().cloned() else {
                continue;
            };
            let lambdas = self.lambdas_before(reader);
            let vanity_only = !lambdas.is_empty()
                && lambdas.iter().all(|&l| match &flow.blocks[l].kind {
                    Kind::InvokeLambdaFunction { arn, .. } => crate::engine::function_name(arn)
                        .to_ascii_lowercase()
                        .contains("vanity"),
                    _ => false,
                });
            let known_lower = vanity_only && sources.iter().all(|(k, _, _)| k == "ssmlError");
            let operands: HashSet<&str> = b.conditions.iter().map(|c| c.operand.as_str()).collect();
            for (i, c) in b.conditions.iter().enumerate() {
                let op = c.operand.as_str();
                if !matches!(op, "True" | "False") || c.operator != Operator::Equals {
                    continue;
                }
                let lower = op.to_ascii_lowercase();
                let path = format!(
                    "{}.Transitions.Conditions[{i}].Condition.Operands[0]",
                    base(b)
                );
                if known_lower {
                    self.push(
                        rules::BOOLEAN_CASE,
                        b,
                        path,
                        format!(
                            "compares {shown} with \"{op}\", but the built-in vanity function returns \
                             \"{lower}\" for {ext_key}; Equals is case-sensitive, so this branch is never taken"
                        ),
                        &format!("compare with \"{lower}\""),
                    );
                } else if !operands.contains(lower.as_str()) {
                    self.push(
                        rules::BOOLEAN_CASE,
                        b,
                        path,
                        format!(
                            "compares the Lambda result {shown} with \"{op}\": a JavaScript function \
                             returns \"{lower}\" (String({lower})), Python returns \"{op}\", and Equals is case-sensitive"
                        ),
                        &format!(
                            "also test \"{lower}\", or make the function return exactly \"{op}\""
                        ),
                    );
                }
            }
        }
    }

    // ---- FS115 ------------------------------------------------------------------

    fn undefined_attributes(&mut self) {
        let flow = self.flow;
        let mut contact: HashSet<&str> = HashSet::new();
        let mut flow_scope: HashSet<&str> = HashSet::new();
        for b in &flow.blocks {
            match &b.kind {
                Kind::UpdateContactAttributes { attributes } => {
                    contact.extend(attributes.keys().map(String::as_str));
                }
                Kind::UpdateFlowAttributes { attributes } => {
                    flow_scope.extend(attributes.keys().map(String::as_str));
                }
                _ => {}
            }
        }
        for b in &flow.blocks {
            let mut seen = HashSet::new();
            let mut found = Vec::new();
            walk_strings(
                self.raw_action(b).get("Parameters").unwrap_or(&Value::Null),
                &format!("{}.Parameters", base(b)),
                &mut |path, s| {
                    for r in refs::find_all(s) {
                        let (ns, set) = match r.segments[0].as_str() {
                            "Attributes" => ("Attributes", &contact),
                            "FlowAttributes" => ("FlowAttributes", &flow_scope),
                            _ => continue,
                        };
                        if r.segments.len() > 1 {
                            let k = r.segments[1].clone();
                            if !set.contains(k.as_str()) && seen.insert((ns, k.clone())) {
                                found.push((path.to_owned(), ns, k));
                            }
                        }
                    }
                },
            );
            for (path, ns, k) in found {
                let contact_ns = ns == "Attributes";
                if contact_ns
                    && self
                        .ctx
                        .opts
                        .other_attributes
                        .as_ref()
                        .is_some_and(|o| o.contains(&k))
                {
                    continue;
                }
                let set = if contact_ns { &contact } else { &flow_scope };
                let typo = closest(&k, set.iter().copied());
                let (msg, hint, severity) = match typo {
                    Some(s) => (
                        format!("$.{ns}.{k} is read here but no block in this flow sets it"),
                        format!("did you mean $.{ns}.{s}? (keys are case-sensitive)"),
                        Severity::Warning,
                    ),
                    None if contact_ns => (
                        format!(
                            "$.{ns}.{k} is read here and no flow given to check sets it; it may be set by the agent application or an API"
                        ),
                        "set it with UpdateContactAttributes, or check this flow together with the flows and modules that set it (--flows DIR)".to_owned(),
                        Severity::Info,
                    ),
                    None => (
                        format!("$.{ns}.{k} is read here but no block in this flow sets it"),
                        "set it with UpdateFlowAttributes first; flow attributes do not carry over from other flows".to_owned(),
                        Severity::Warning,
                    ),
                };
                self.out.push(
                    Raw::new(rules::UNDEFINED_ATTRIBUTE, path, msg)
                        .block(&b.id, b.label())
                        .hint(hint)
                        .severity(severity),
                );
            }
        }
    }

    // ---- FS120 ------------------------------------------------------------------

    fn missing_parameters(&mut self) {
        let flow = self.flow;
        for b in &flow.blocks {
            let Some(spec) = b.kind.spec() else { continue };
            let empty = |key: &str| {
                b.params
                    .get(key)
                    .is_none_or(|v| v.as_str().is_some_and(|s| s.trim().is_empty()))
            };
            // The catalogue's required parameters; a working queue is a queue or an agent.
            let mut missing: Vec<&str> =
                spec.required.iter().copied().filter(|k| empty(k)).collect();
            if let Kind::UpdateContactTargetQueue { .. } = b.kind
                && empty("QueueId")
                && empty("AgentId")
            {
                missing.push("QueueId");
            }
            for param in missing {
                self.push(
                    rules::MISSING_PARAMETER,
                    b,
                    format!("{}.Parameters.{param}", base(b)),
                    format!(
                        "no {param}: {} needs it, so the block always takes its error branch",
                        spec.name
                    ),
                    "choose it in the console block (a saved draft can lack it; Connect will not publish the flow)",
                );
            }
        }
    }

    // ---- FS116 ------------------------------------------------------------------

    fn stale_external(&mut self) {
        const NONE: usize = usize::MAX;
        let flow = self.flow;
        let g = &flow.graph.graph;
        let n = flow.blocks.len();
        let mut input: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
        input[flow.start].insert(NONE);
        let mut work: Vec<usize> = vec![flow.start];
        while let Some(b) = work.pop() {
            let out: BTreeSet<usize> =
                if matches!(flow.blocks[b].kind, Kind::InvokeLambdaFunction { .. }) {
                    BTreeSet::from([b])
                } else {
                    input[b].clone()
                };
            for e in g.edges(NodeIndex::new(b)) {
                let t = e.target().index();
                let before = input[t].len();
                input[t].extend(out.iter().copied());
                if input[t].len() != before {
                    work.push(t);
                }
            }
        }
        for (i, b) in flow.blocks.iter().enumerate() {
            if input[i].is_empty() {
                continue;
            }
            let mut reads = Vec::new();
            walk_strings(
                self.raw_action(b).get("Parameters").unwrap_or(&Value::Null),
                &format!("{}.Parameters", base(b)),
                &mut |path, s| {
                    if let Some(r) = refs::find_all(s)
                        .into_iter()
                        .find(|r| r.segments[0] == "External")
                    {
                        reads.push((path.to_owned(), r.text(s).to_owned()));
                    }
                },
            );
            let Some((path, what)) = reads.into_iter().next() else {
                continue;
            };
            // A path with no Lambda before the read is not reported: a flow entered by
            // TransferToFlow (or a queue flow) sees the $.External its caller left.
            input[i].remove(&NONE);
            let lambdas: Vec<&Block> = input[i].iter().map(|&l| &flow.blocks[l]).collect();
            let arns: BTreeSet<&str> = lambdas
                .iter()
                .filter_map(|l| match &l.kind {
                    Kind::InvokeLambdaFunction { arn, .. } => Some(arn.as_str()),
                    _ => None,
                })
                .collect();
            if arns.len() > 1 {
                let names: Vec<String> = lambdas
                    .iter()
                    .map(|l| format!("\"{}\"", l.label()))
                    .collect();
                self.push(
                    rules::STALE_EXTERNAL,
                    b,
                    path,
                    format!(
                        "reads {what}, but the last Lambda before this block may be any of {} depending on the path; each invocation replaces $.External",
                        names.join(", ")
                    ),
                    "copy the value to a contact attribute right after the Lambda that returns it",
                );
            }
        }
    }

    // ---- FS117 ------------------------------------------------------------------

    fn ssml(&mut self) {
        let flow = self.flow;
        for b in &flow.blocks {
            let raw = self.raw_action(b).get("Parameters").unwrap_or(&Value::Null);
            let mut items: Vec<(String, &str)> = Vec::new();
            if let Some(s) = raw.get("SSML").and_then(Value::as_str) {
                items.push((format!("{}.Parameters.SSML", base(b)), s));
            }
            if let Some(list) = raw.get("Messages").and_then(Value::as_array) {
                for (i, m) in list.iter().enumerate() {
                    if let Some(s) = m.get("SSML").and_then(Value::as_str) {
                        items.push((format!("{}.Parameters.Messages[{i}].SSML", base(b)), s));
                    }
                }
            }
            for (path, s) in items {
                if refs::whole(s).is_some() {
                    continue;
                }
                let mut blanked = String::with_capacity(s.len());
                let mut last = 0;
                for r in refs::find_all(s) {
                    blanked.push_str(&s[last..r.start]);
                    last = r.end;
                }
                blanked.push_str(&s[last..]);
                if let Err(e) = crate::ssml::render(&blanked) {
                    self.push(
                        rules::MALFORMED_SSML,
                        b,
                        path,
                        format!("{e}; the block takes NoMatchingError instead of speaking"),
                        "close every tag, quote attribute values, and escape & as &amp; and < as &lt;",
                    );
                }
            }
        }
    }
}

impl Linter<'_> {
    // ---- FS119 ------------------------------------------------------------------

    fn store_timeout(&mut self) {
        let flow = self.flow;
        let reads_stored = |v: &Value| {
            let mut hit = false;
            walk_strings(v, "", &mut |_, s| {
                hit |= refs::find_all(s)
                    .iter()
                    .any(|r| r.segments[0] == "StoredCustomerInput");
            });
            hit
        };
        for b in &flow.blocks {
            if !matches!(b.kind, Kind::GetParticipantInput { store: true, .. }) {
                continue;
            }
            let Some(first) = b.next else { continue };
            let mut seen = vec![false; flow.blocks.len()];
            let mut stack = vec![first];
            let mut copies: HashSet<&str> = HashSet::new();
            let mut used = false;
            let mut compares: Vec<&str> = Vec::new();
            while let Some(i) = stack.pop() {
                if std::mem::replace(&mut seen[i], true) {
                    continue;
                }
                let nb = &flow.blocks[i];
                if matches!(nb.kind, Kind::GetParticipantInput { store: true, .. }) {
                    continue;
                }
                let params = self
                    .raw_action(nb)
                    .get("Parameters")
                    .unwrap_or(&Value::Null);
                match &nb.kind {
                    Kind::Compare { value } => compares.push(value.trim()),
                    Kind::UpdateContactAttributes { attributes } => {
                        for (k, v) in attributes {
                            if refs::whole(v).is_some_and(|r| r.segments == ["StoredCustomerInput"])
                            {
                                copies.insert(k.as_str());
                            }
                        }
                        used |= reads_stored(params);
                    }
                    _ => used |= reads_stored(params),
                }
                stack.extend(nb.branches().into_iter().filter_map(|(_, t)| t));
            }
            let checked = compares.iter().any(|c| {
                refs::whole(c).is_some_and(|r| {
                    r.segments == ["StoredCustomerInput"]
                        || (r.segments.len() == 2
                            && r.segments[0] == "Attributes"
                            && copies.contains(r.segments[1].as_str()))
                })
            });
            if used && !checked {
                self.push(
                    rules::STORE_TIMEOUT,
                    b,
                    format!("{}.Transitions.NextAction", base(b)),
                    "store mode succeeds with $.StoredCustomerInput = \"Timeout\" when the caller keys nothing, and no Compare after this block checks for it".into(),
                    "add a Compare on $.StoredCustomerInput with Equals Timeout before using the value",
                );
            }
        }
    }
}

fn unknown_param_text(
    owner: &str,
    key: &str,
    sugg: Option<String>,
    known: &[&str],
) -> (String, String) {
    let msg =
        format!("{owner} has no parameter `{key}`; Connect rejects it and flowsim ignores it");
    let hint = match sugg {
        Some(s) if key == "InputTimeoutSeconds" => {
            format!("`{key}` is the old documentation's name; the live key is `{s}`")
        }
        Some(s) => format!("did you mean `{s}`?"),
        None if known.is_empty() => "this action takes no parameters".into(),
        None => format!("known parameters: {}", known.join(", ")),
    };
    (msg, hint)
}

/// Call `f(path, text)` for every string inside `v`.
fn walk_strings(v: &Value, path: &str, f: &mut dyn FnMut(&str, &str)) {
    match v {
        Value::String(s) => f(path, s),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk_strings(x, &format!("{path}[{i}]"), f);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                walk_strings(x, &format!("{path}.{k}"), f);
            }
        }
        _ => {}
    }
}

/// Levenshtein distance, ignoring ASCII case.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `s`, if close enough to be a likely misspelling.
pub fn closest<'c>(s: &str, candidates: impl Iterator<Item = &'c str>) -> Option<String> {
    closest_by(s, candidates, |c| c)
}

fn closest_by<'c>(
    s: &str,
    candidates: impl Iterator<Item = &'c str>,
    key: impl Fn(&'c str) -> &'c str,
) -> Option<String> {
    let limit = (s.chars().count() / 3).max(2);
    candidates
        .map(|c| (edit_distance(s, key(c)), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c.to_owned())
}

/// First segments of valid reference paths (flow-language §4).
const NAMESPACES: &[&str] = &[
    "Attributes",
    "External",
    "StoredCustomerInput",
    "FlowAttributes",
    "CustomerEndpoint",
    "SystemEndpoint",
    "Channel",
    "ContactId",
    "InitialContactId",
    "PreviousContactId",
    "Task",
    "InitiationMethod",
    "InstanceARN",
    "AwsRegion",
    "Name",
    "Description",
    "LanguageCode",
    "TextToSpeechVoiceId",
    "CustomerId",
    "Queue",
    "References",
    "Agent",
    "Metrics",
    "Lex",
    "Media",
    "MediaStreams",
    "Customer",
    "Case",
    "Tags",
    "SegmentAttributes",
    "Modules",
    "LambdaInvocation",
    "Views",
    "DataTables",
    "DataTableList",
    "Wisdom",
    "Email",
    "AgenticCX",
    "Loop",
];

/// Console block names and legacy types people write as `Type`.
const CONSOLE_NAMES: &[(&str, &str)] = &[
    ("PlayPrompt", "MessageParticipant"),
    ("GetUserInput", "GetParticipantInput"),
    ("GetCustomerInput", "GetParticipantInput"),
    ("StoreUserInput", "GetParticipantInput"),
    ("StoreCustomerInput", "GetParticipantInput"),
    ("CheckAttribute", "Compare"),
    ("CheckContactAttributes", "Compare"),
    ("SetAttributes", "UpdateContactAttributes"),
    ("SetContactAttributes", "UpdateContactAttributes"),
    ("InvokeExternalResource", "InvokeLambdaFunction"),
    ("InvokeLambda", "InvokeLambdaFunction"),
    ("Disconnect", "DisconnectParticipant"),
    ("Transfer", "TransferContactToQueue"),
    ("TransferToQueue", "TransferContactToQueue"),
    ("SetQueue", "UpdateContactTargetQueue"),
    ("SetWorkingQueue", "UpdateContactTargetQueue"),
    ("TransferToAgent", "TransferContactToAgent"),
    ("CheckStaffing", "CheckMetricData"),
    ("CheckQueueStatus", "CheckMetricData"),
    ("SetVoice", "UpdateContactTextToSpeechVoice"),
    ("SetLoggingBehavior", "UpdateFlowLoggingBehavior"),
    ("SetRecordingBehavior", "UpdateContactRecordingBehavior"),
    ("LoopPrompts", "MessageParticipantIteratively"),
    ("CheckHours", "CheckHoursOfOperation"),
];

/// Known misspellings and old names, with the right key.
const ALIASES: &[(&str, &str)] = &[
    ("InputTimeoutSeconds", "InputTimeLimitSeconds"),
    (
        "InputTerminatorSequence",
        "DTMFConfiguration.InputTerminationSequence",
    ),
    (
        "InputTerminationSequence",
        "DTMFConfiguration.InputTerminationSequence",
    ),
    ("DisableCancelKey", "DTMFConfiguration.DisableCancelKey"),
    (
        "InterdigitTimeLimitSeconds",
        "DTMFConfiguration.InterdigitTimeLimitSeconds",
    ),
];

/// Keys of nested parameter objects that are checked too.
const NESTED: &[(&str, &[&str])] = &[
    (
        "DTMFConfiguration",
        &[
            "InputTerminationSequence",
            "DisableCancelKey",
            "InterdigitTimeLimitSeconds",
        ],
    ),
    (
        "InputValidation",
        &["PhoneNumberValidation", "CustomValidation"],
    ),
];

/// `$.A.b`, `$['a b'].c`: one reference and nothing else.
fn is_whole_reference(t: &str) -> bool {
    if !t.starts_with('$') {
        return false;
    }
    let mut in_quote = false;
    for c in t.chars() {
        match c {
            '\'' => in_quote = !in_quote,
            c if c.is_whitespace() && !in_quote => return false,
            '$' | '.' | '[' | ']' | '_' | '-' | ':' => {}
            c if c.is_alphanumeric() || in_quote => {}
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_and_suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("ABC", "abc"), 0);
        assert_eq!(
            closest(
                "InputTimeoutSecond",
                ["InputTimeLimitSeconds", "StoreInput"].into_iter()
            ),
            Some("InputTimeLimitSeconds".into())
        );
        assert_eq!(closest("Zzz", ["StoreInput"].into_iter()), None);
    }
}
