//! The choices at each decision point, read from the flow: a menu's keys, one key no
//! condition takes, silence; store input valid, invalid, empty and over-long; Lambda
//! answers (the mapped backend's, ones synthesized from the values the flow compares
//! `$.External.*` with, an error, a timeout); a Lex block's intents.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde_json::Value;

use super::walk::{Answer, Decision, Point};
use crate::engine::{InputMode, LambdaRequest};
use crate::flow::{Block, CondBranch, FlowSet, Kind, Operator, Validation};
use crate::lambda::Registry;

/// A choice and the words it adds to the script's name (`None`: the usual one).
#[derive(Clone, Debug)]
pub struct Choice {
    pub decision: Decision,
    pub label: Option<String>,
}

fn choice(decision: Decision, label: impl Into<String>) -> Choice {
    Choice {
        decision,
        label: Some(label.into()),
    }
}

/// Keys a caller can press, in the order tried.
const KEYS: [char; 12] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'];

/// Text that is not SSML Connect can say (a `<speak>` never closed).
const BROKEN_SSML: &str = "<speak>unfinished";

/// An answer value that fits a Lambda response (under 32 KB) but fills most of the
/// contact's attributes (32 KB in all).
const HUGE: usize = 31 * 1024;

/// Synthesized answers per Lambda invocation, at most.
const MAX_SYNTHESIZED: usize = 24;

/// What the flows tell about their inputs, computed once per search.
pub struct Catalogue {
    /// `$.External` paths (dot-separated) and the values worth answering with.
    external: BTreeMap<String, Vec<Candidate>>,
    /// Values the flows compare `$.StoredCustomerInput` with that keys can type.
    stored: Vec<String>,
    /// `$.External` paths a Set contact attributes block with an error branch copies:
    /// an answer too big for the attributes takes that branch.
    copied: Vec<String>,
    registry: Option<Registry>,
    runtime: Option<tokio::runtime::Runtime>,
    /// Backend answers by request (function and event).
    answers: HashMap<String, Option<Answer>>,
    /// [`Catalogue::synthesize`]'s answers, made once.
    synthesized: Vec<(Arc<str>, String)>,
    /// Per Lex block (flow, id): answers naming an intent with the slot or session
    /// attribute values the blocks after that intent's branch compare.
    lex_answers: HashMap<(String, String), Vec<Choice>>,
}

#[derive(Clone, Debug, PartialEq)]
struct Candidate {
    value: String,
    /// The words for the script's name.
    label: String,
}

impl Catalogue {
    /// Read the flows; `registry` answers functions it maps (`None`: synthesized
    /// answers only).
    pub fn new(flows: &FlowSet, registry: Option<Registry>) -> Self {
        let reachable = super::reachable_flows(flows);
        let all: Vec<&Block> = reachable.iter().flat_map(|f| f.blocks.iter()).collect();
        // `$.External` paths a Set block with an error branch copies.
        let mut copied = Vec::new();
        for b in &all {
            if let Kind::UpdateContactAttributes { attributes }
            | Kind::UpdateFlowAttributes { attributes } = &b.kind
                && b.errors.iter().any(|e| e.error_type == "NoMatchingError")
            {
                for path in attributes.values().filter_map(|v| external_path(v)) {
                    if !copied.contains(&path) {
                        copied.push(path);
                    }
                }
            }
        }
        let external_of = source_reader(&all, external_path);
        let mut external: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
        let mut add = |path: String, c: Candidate| {
            let v = external.entry(path).or_default();
            if !v.iter().any(|x| x.value == c.value) {
                v.push(c);
            }
        };
        let mut stored = Vec::new();
        for b in &all {
            match &b.kind {
                Kind::Compare { value } => {
                    if let Some(path) = external_of(value) {
                        for c in &b.conditions {
                            let v = satisfying(c);
                            add(
                                path.clone(),
                                Candidate {
                                    label: slug(&v),
                                    value: v,
                                },
                            );
                        }
                        add(
                            path,
                            Candidate {
                                value: "unexpected".into(),
                                label: "odd_answer".into(),
                            },
                        );
                    }
                    if value.trim() == "$.StoredCustomerInput" {
                        for c in &b.conditions {
                            let v = satisfying(c);
                            if !v.is_empty() && v.chars().all(|k| KEYS.contains(&k)) {
                                stored.push(v);
                            }
                        }
                    }
                }
                _ => {
                    for text in prompt_texts(b) {
                        for path in references(&text)
                            .into_iter()
                            .filter_map(|r| external_of(&r))
                        {
                            add(
                                path.clone(),
                                Candidate {
                                    value: "<speak>Your answer.</speak>".into(),
                                    label: String::new(),
                                },
                            );
                            add(
                                path,
                                Candidate {
                                    value: BROKEN_SSML.into(),
                                    label: "bad_ssml".into(),
                                },
                            );
                        }
                    }
                }
            }
        }
        let lex_answers = lex_answers(&reachable);
        let mut c = Self {
            lex_answers,
            external,
            stored,
            copied,
            registry,
            runtime: None,
            answers: HashMap::new(),
            synthesized: Vec::new(),
        };
        c.synthesized = c
            .synthesize()
            .into_iter()
            .map(|(json, label)| (json.into(), label))
            .collect();
        c
    }

    /// The choices at `point`, in the order the search tries them.
    pub fn choices(&mut self, point: &Point, flows: &FlowSet) -> Vec<Choice> {
        match point {
            Point::Input { block, mode } => {
                let Some(b) = find_block(flows, &block.flow, &block.id) else {
                    return vec![choice(Decision::Silence, "silence")];
                };
                match mode {
                    InputMode::Menu => menu(b),
                    InputMode::Store => self.store(b),
                    InputMode::Lex => {
                        let key = (block.flow.clone(), block.id.clone());
                        let more = self.lex_answers.get(&key).cloned().unwrap_or_default();
                        dedup(lex(b).into_iter().chain(more).collect())
                    }
                }
            }
            Point::Lambda { call, .. } => self.lambda(&call.request),
        }
    }

    fn store(&self, b: &Block) -> Vec<Choice> {
        let Kind::GetParticipantInput {
            terminator,
            validation,
            ..
        } = &b.kind
        else {
            return vec![choice(Decision::Silence, "silence")];
        };
        let typed = |digits: &str| Decision::Keys(format!("{digits}{terminator}"));
        let mut out = Vec::new();
        match validation {
            Some(Validation::Phone { format, country }) => {
                let valid = ["2065550123", "12065550123", "442071838750", "5555550100"]
                    .into_iter()
                    .find(|n| {
                        crate::phone::stored_input(
                            n,
                            crate::phone::Plan::of(*format, country.as_deref()),
                        )
                        .is_ok()
                    });
                if let Some(n) = valid {
                    out.push(Choice {
                        decision: typed(n),
                        label: Some("keyed_number".into()),
                    });
                }
                out.push(choice(typed("12"), "invalid_number"));
                out.push(choice(typed("20655501234567"), "long_number"));
            }
            Some(Validation::Custom { max_length }) => {
                out.push(Choice {
                    decision: typed("1234"),
                    label: Some("keyed_digits".into()),
                });
                if let Some(m) = max_length {
                    // Typing the maximum ends the input without the terminator.
                    let long: String = "9".repeat((*m as usize).clamp(1, 40));
                    out.push(choice(Decision::Keys(long), "long_input"));
                }
            }
            None => out.push(Choice {
                decision: typed("1234"),
                label: Some("keyed_digits".into()),
            }),
        }
        for v in &self.stored {
            out.push(choice(typed(v), format!("entered_{}", slug(v))));
        }
        if !terminator.is_empty() {
            out.push(choice(Decision::Keys(terminator.clone()), "empty_input"));
        }
        out.push(choice(Decision::Silence, "silence"));
        dedup(out)
    }

    fn lambda(&mut self, request: &LambdaRequest) -> Vec<Choice> {
        let mut out = Vec::new();
        if let Some(a) = self.backend_answer(request) {
            out.push(Choice {
                decision: Decision::Lambda(a),
                label: None,
            });
        }
        for (json, label) in &self.synthesized {
            out.push(Choice {
                decision: Decision::Lambda(Answer::Json(json.clone())),
                label: Some(label.clone()),
            });
        }
        out.push(choice(Decision::Lambda(Answer::Error), "lambda_error"));
        out.push(choice(Decision::Lambda(Answer::Timeout), "lambda_timeout"));
        dedup(out)
    }

    /// The mapped backend's answer to this request, if a backend is mapped.
    fn backend_answer(&mut self, request: &LambdaRequest) -> Option<Answer> {
        let registry = self.registry.as_ref()?;
        let key = format!("{}\n{}", request.function_arn, request.event);
        if let Some(a) = self.answers.get(&key) {
            return a.clone();
        }
        let answer = registry
            .resolve(&request.function_arn, &request.function_name)
            .and_then(|backend| {
                if self.runtime.is_none() {
                    self.runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok();
                }
                let rt = self.runtime.as_ref()?;
                Some(match rt.block_on(backend.invoke(request)) {
                    crate::engine::LambdaOutcome::Response { payload } => {
                        Answer::Json(payload.into())
                    }
                    crate::engine::LambdaOutcome::NoAnswer => Answer::Timeout,
                    _ => Answer::Error,
                })
            });
        self.answers.insert(key, answer.clone());
        answer
    }

    /// Answers built from the values the flows compare `$.External.*` with: every
    /// combination when there are few, else each value once over a base answer.
    fn synthesize(&self) -> Vec<(String, String)> {
        if self.external.is_empty() {
            return vec![("{}".into(), "lambda_empty_answer".into())];
        }
        let keys: Vec<(&String, &Vec<Candidate>)> = self.external.iter().collect();
        let product = keys
            .iter()
            .try_fold(1usize, |n, (_, v)| n.checked_mul(v.len()))
            .unwrap_or(usize::MAX);
        let mut combos: Vec<Vec<usize>> = Vec::new();
        if product <= MAX_SYNTHESIZED {
            for mut n in 0..product {
                let mut c = Vec::new();
                for (_, v) in &keys {
                    c.push(n % v.len());
                    n /= v.len();
                }
                combos.push(c);
            }
        } else {
            // Too many to try them all: every value of every key within a few answers,
            // the keys varied together (in round r, answer j gives key i its value
            // (j + r·i) mod n), so the value one branch needs comes with the values
            // the blocks before it need, in one answer or another.
            // After the first round, each value once over the first answer (the other
            // keys at their first value), then further rounds.
            let longest = keys.iter().map(|(_, v)| v.len()).max().unwrap_or(1);
            let round = |r: usize| -> Vec<Vec<usize>> {
                (0..longest)
                    .map(|j| {
                        keys.iter()
                            .enumerate()
                            .map(|(i, (_, v))| (j + r * i) % v.len())
                            .collect()
                    })
                    .collect()
            };
            let n = keys.len();
            let one_each = keys.iter().enumerate().flat_map(|(i, (_, v))| {
                (1..v.len()).map(move |j| {
                    let mut c = vec![0; n];
                    c[i] = j;
                    c
                })
            });
            let all = round(0)
                .into_iter()
                .chain(one_each)
                .chain((1..MAX_SYNTHESIZED).flat_map(round));
            for c in all {
                if combos.len() >= MAX_SYNTHESIZED {
                    break;
                }
                if !combos.contains(&c) {
                    combos.push(c);
                }
            }
        }
        let mut out: Vec<(String, String)> = combos
            .into_iter()
            .map(|c| {
                let mut answer = Value::Object(Default::default());
                let mut words = vec!["lambda".to_owned()];
                for ((path, cands), &j) in keys.iter().zip(&c) {
                    insert_path(&mut answer, path, &cands[j].value);
                    if j > 0 || cands.len() > 1 {
                        words.push(cands[j].label.clone());
                    }
                }
                words.retain(|w| !w.is_empty());
                let label = if words.len() == 1 {
                    "lambda_answer".into()
                } else {
                    words.join("_")
                };
                (answer.to_string(), label)
            })
            .collect();
        if let Some(path) = self.copied.first() {
            let mut answer = Value::Object(Default::default());
            for (p, cands) in &self.external {
                insert_path(&mut answer, p, &cands[0].value);
            }
            insert_path(&mut answer, path, &"x".repeat(HUGE));
            out.push((answer.to_string(), "lambda_huge_answer".into()));
        }
        out
    }
}

/// The usual continuation at a point the search does not branch at: silence, or
/// the first answer.
pub fn default_choice(choices: &[Choice]) -> Option<Choice> {
    choices
        .iter()
        .find(|c| c.decision == Decision::Silence)
        .or_else(|| choices.first())
        .cloned()
}

/// Where a call does not branch: what it decided the last time it stood at `point`
/// (so a retry loop runs out), when that is still a choice, else the usual
/// continuation.
pub fn usual_decision(
    w: &super::walk::Walker,
    point: &Point,
    choices: &[Choice],
) -> Option<Decision> {
    w.again(point)
        .filter(|d| choices.iter().any(|c| &c.decision == *d))
        .cloned()
        .or_else(|| default_choice(choices).map(|c| c.decision))
}

fn menu(b: &Block) -> Vec<Choice> {
    let mut out = Vec::new();
    let first_match = |k: char| {
        let s = k.to_string();
        b.conditions
            .iter()
            .position(|c| c.operator.eval(&s, &c.operand))
    };
    for (i, _) in b.conditions.iter().enumerate() {
        if let Some(k) = KEYS.iter().copied().find(|&k| first_match(k) == Some(i)) {
            out.push(choice(
                Decision::Keys(k.to_string()),
                format!("menu_{}", key_word(k)),
            ));
        }
    }
    if let Some(k) = KEYS.iter().copied().find(|&k| first_match(k).is_none()) {
        out.push(choice(Decision::Keys(k.to_string()), "invalid_key"));
    }
    out.push(choice(Decision::Silence, "silence"));
    out
}

fn lex(b: &Block) -> Vec<Choice> {
    let mut out: Vec<Choice> = b
        .conditions
        .iter()
        .map(|c| choice(Decision::Say(c.operand.clone()), slug(&c.operand)))
        .collect();
    out.push(choice(
        Decision::Say("something else entirely".into()),
        "not_understood",
    ));
    out.push(choice(Decision::Silence, "silence"));
    dedup(out)
}

/// Lex answers worth giving beyond the intents: for each intent branch of each Lex
/// block, the values the blocks after it compare `$.Lex.Slots.K` or
/// `$.Lex.SessionAttributes.K` with (directly or through an attribute set from
/// them), as `intent:NAME,K=v` / `intent:NAME,session.K=v` (what a canned bot
/// answers; the engine reads such an utterance so when no bot is mapped).
fn lex_answers(flows: &[Arc<crate::flow::Flow>]) -> HashMap<(String, String), Vec<Choice>> {
    const MAX_PER_INTENT: usize = 8;
    let mut out: HashMap<(String, String), Vec<Choice>> = HashMap::new();
    for f in flows {
        let blocks: Vec<&Block> = f.blocks.iter().collect();
        let compared = source_reader(&blocks, lex_key);
        for b in &f.blocks {
            if !matches!(b.kind, Kind::ConnectParticipantWithLexBot { .. }) {
                continue;
            }
            let mut choices = Vec::new();
            // The intents' branches, and `Next` (the default: an intent no condition
            // names).
            let branches = b
                .conditions
                .iter()
                .map(|c| (c.operand.as_str(), c.target))
                .chain(std::iter::once(("Other", b.next)));
            for (intent, target) in branches {
                let Some(t) = target else { continue };
                let after = f.graph.reachable_from(t);
                let mut n = 0;
                for x in f
                    .blocks
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| after[*i])
                    .map(|(_, x)| x)
                {
                    let Kind::Compare { value } = &x.kind else {
                        continue;
                    };
                    let Some(key) = compared(value) else { continue };
                    for xc in &x.conditions {
                        if n >= MAX_PER_INTENT {
                            break;
                        }
                        let v = satisfying(xc);
                        if v.contains(',') || v.contains('=') {
                            continue;
                        }
                        n += 1;
                        choices.push(choice(
                            Decision::Say(format!("intent:{intent},{key}={v}")),
                            format!("{}_{}", slug(intent), slug(&v)),
                        ));
                    }
                }
            }
            if !choices.is_empty() {
                out.insert((f.name.clone(), b.id.clone()), choices);
            }
        }
    }
    out
}

/// What a Compare's value reads of a source `path_of` names (`$.External.a` → `a`):
/// the source itself, or a contact or flow attribute a Set block of `blocks` copies
/// from it.
pub(super) fn source_reader<'a>(
    blocks: &[&'a Block],
    path_of: impl Fn(&str) -> Option<String> + 'a,
) -> impl Fn(&str) -> Option<String> + 'a {
    let mut copies: HashMap<&'a str, String> = HashMap::new();
    for b in blocks {
        if let Kind::UpdateContactAttributes { attributes }
        | Kind::UpdateFlowAttributes { attributes } = &b.kind
        {
            for (k, v) in attributes {
                if let Some(path) = path_of(v) {
                    copies.insert(k, path);
                }
            }
        }
    }
    move |value: &str| {
        let v = value.trim();
        path_of(v).or_else(|| {
            let attr = v
                .strip_prefix("$.Attributes.")
                .or_else(|| v.strip_prefix("$.FlowAttributes."))?;
            copies.get(attr).cloned()
        })
    }
}

/// `$.Lex.Slots.K` → `K`, `$.Lex.SessionAttributes.K` → `session.K`.
fn lex_key(reference: &str) -> Option<String> {
    let r = reference.trim();
    let ok = |k: &str| !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || "_-".contains(c));
    if let Some(k) = r.strip_prefix("$.Lex.Slots.") {
        return ok(k).then(|| k.to_owned());
    }
    let k = r.strip_prefix("$.Lex.SessionAttributes.")?;
    ok(k).then(|| format!("session.{k}"))
}

fn key_word(k: char) -> String {
    match k {
        '*' => "star".into(),
        '#' => "pound".into(),
        k => k.to_string(),
    }
}

fn dedup(v: Vec<Choice>) -> Vec<Choice> {
    let mut out: Vec<Choice> = Vec::with_capacity(v.len());
    for c in v {
        if !out.iter().any(|x| x.decision == c.decision) {
            out.push(c);
        }
    }
    out
}

/// A value that takes the condition.
pub(super) fn satisfying(c: &CondBranch) -> String {
    let num = |d: f64| {
        c.operand
            .trim()
            .parse::<f64>()
            .map(|n| format_number(n + d))
            .unwrap_or_else(|_| c.operand.clone())
    };
    match c.operator {
        Operator::NumberGreaterThan => num(1.0),
        Operator::NumberLessThan => num(-1.0),
        _ => c.operand.clone(),
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// `$.External.a.b` → `a.b`.
fn external_path(reference: &str) -> Option<String> {
    let p = reference.trim().strip_prefix("$.External.")?;
    (!p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || "_.-".contains(c)))
        .then(|| p.to_owned())
}

/// `$.Name.path` references in a text.
fn references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("$.") {
        let tail = &rest[i..];
        let end = tail[2..]
            .find(|c: char| !(c.is_alphanumeric() || "_.-".contains(c)))
            .map_or(tail.len(), |e| e + 2);
        out.push(tail[..end].trim_end_matches('.').to_owned());
        rest = &tail[end.max(2)..];
    }
    out
}

fn prompt_texts(b: &Block) -> Vec<String> {
    use crate::flow::Prompt;
    let text = |p: &Option<Prompt>| match p {
        Some(Prompt::Text(t) | Prompt::Ssml(t)) => Some(t.clone()),
        _ => None,
    };
    match &b.kind {
        Kind::MessageParticipant { prompt }
        | Kind::GetParticipantInput { prompt, .. }
        | Kind::ConnectParticipantWithLexBot { prompt, .. } => text(prompt).into_iter().collect(),
        Kind::MessageParticipantIteratively { prompts } => prompts
            .iter()
            .filter_map(|p| text(&Some(p.clone())))
            .collect(),
        _ => Vec::new(),
    }
}

pub(super) fn insert_path(v: &mut Value, path: &str, value: &str) {
    let mut cur = v;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, p) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = Value::Object(Default::default());
        }
        let obj = cur.as_object_mut().expect("made an object above");
        if i + 1 == parts.len() {
            obj.insert((*p).to_owned(), Value::String(value.to_owned()));
            return;
        }
        cur = obj
            .entry((*p).to_owned())
            .or_insert_with(|| Value::Object(Default::default()));
    }
}

/// Lower-case words joined by `_`, for file names.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let t = out.trim_end_matches('_');
    t.chars()
        .take(24)
        .collect::<String>()
        .trim_end_matches('_')
        .to_owned()
}

/// The block `id` of the flow named `flow` in the set.
pub fn find_block<'a>(flows: &'a FlowSet, flow: &str, id: &str) -> Option<&'a Block> {
    std::iter::once(&flows.main)
        .chain(&flows.others)
        .find(|f| f.name == flow)
        .and_then(|f: &Arc<crate::flow::Flow>| f.block(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_slugs() {
        assert_eq!(
            references("<speak>$.External.a and $.Attributes.b.</speak>"),
            ["$.External.a", "$.Attributes.b"]
        );
        assert_eq!(slug("Press 2, then #"), "press_2_then");
        let mut v = Value::Null;
        insert_path(&mut v, "a.b", "x");
        assert_eq!(v.to_string(), r#"{"a":{"b":"x"}}"#);
    }
}
