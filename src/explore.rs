//! `flowsim explore`: the flow writes its own regression suite.
//!
//! A bounded, deterministic search drives the pure engine ([`walk`]) through the
//! inputs a caller and the environment can give ([`inputs`]), forking the call at
//! each decision, breadth first. A call that reaches a state already explored (same
//! block, same contact data; loop counters aside) branches no more: it repeats what
//! it did at that block before (so a retry loop runs to its end), else goes on the
//! usual way (silence, the first answer); `depth` and `max_calls` bound
//! the search further. A greedy set cover over the explored calls picks a few that
//! take every branch the search reached; each is written as a `.call` recording
//! ([`crate::script::record`]). Which branches are takeable comes from the engine's
//! reach rules ([`crate::engine::dead_branches`]) and the flow graph, never from
//! what the search happened to find.

pub mod diff;
pub mod inputs;
pub mod walk;

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::catalogue::FlowType;
use crate::engine::{CallConfig, Engine, TraceEvent, TraceKind};
use crate::env::{AnswerAfter, AnswerWord, Environment, Queue};
use crate::flow::{Flow, FlowSet, Kind};
use crate::lambda::Registry;
use crate::script::coverage::Coverage;

use inputs::{Catalogue, Choice, usual_decision};
use walk::{Decision, Walker};

/// Bounds of the search.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// Complete calls explored, at most.
    pub max_calls: usize,
    /// Decisions per call the search branches at; later ones take the usual choice.
    pub depth: usize,
}

impl Default for Bounds {
    fn default() -> Self {
        Self {
            max_calls: 2000,
            depth: 24,
        }
    }
}

/// Connect's limit on a contact's attributes, in bytes (the engine's rule).
const ATTRIBUTE_LIMIT: usize = 32 * 1024;
/// The attribute that fills them.
const FILLER: &str = "Notes";

/// Engine inputs and blocks run per explored call the search may spend on average
/// (a call with long loops costs more than a short one; this bounds the time,
/// deterministically).
const TURNS_PER_CALL: usize = 200;

/// One environment the calls run in: the settings and the words for the name.
#[derive(Clone, Debug)]
pub struct Variant {
    pub config: CallConfig,
    pub label: Option<String>,
}

/// A complete explored call.
#[derive(Clone, Debug)]
pub struct Call {
    pub variant: usize,
    pub decisions: Vec<Decision>,
    /// The words for the name, each with the block it was decided at (as a name,
    /// when the block has a readable one).
    pub labels: Vec<(String, Option<String>)>,
    /// Branches taken, by id (see [`Explored::branch_names`]).
    pub branches: BTreeSet<usize>,
}

impl Call {
    /// A readable name from the call's path: `closed_hours`, `menu_2_invalid_number`.
    /// With `qualified`, each word names its block (`choose_number_silence`), to
    /// tell apart calls the short name does not.
    pub fn name(&self, variants: &[Variant], qualified: bool) -> String {
        let mut words: Vec<String> = variants[self.variant].label.clone().into_iter().collect();
        words.extend(self.labels.iter().map(|(w, block)| match block {
            Some(b) if qualified => format!("{b}_{w}"),
            _ => w.clone(),
        }));
        // Repeats in a row say little: `silence_silence_silence` → `silence_x3`.
        let mut out: Vec<String> = Vec::new();
        let mut run = 1;
        for w in words {
            if out.last() == Some(&w) || out.last().is_some_and(|l| l == &format!("{w}_x{run}")) {
                run += 1;
                let last = out.last_mut().expect("checked");
                *last = format!("{w}_x{run}");
                continue;
            }
            run = 1;
            out.push(w);
        }
        let mut name = String::new();
        for w in out {
            if name.len() + w.len() > 72 {
                name.push_str("_etc");
                break;
            }
            if !name.is_empty() {
                name.push('_');
            }
            name.push_str(&w);
        }
        if name.is_empty() {
            "main_path".into()
        } else {
            name
        }
    }
}

/// What the search found. A call keeps its decisions, not its trace (a trace holds
/// every Lambda request, the contact's attributes in each): [`Explored::events`] runs
/// it again when its trace is wanted.
pub struct Explored {
    /// The flows explored.
    pub flows: FlowSet,
    pub variants: Vec<Variant>,
    pub calls: Vec<Call>,
    /// The calls picked to cover every branch reached, in order of choice.
    pub chosen: Vec<usize>,
    /// `(flow, block id, branch label)` by branch id.
    pub branch_names: Vec<(String, String, String)>,
    /// The search stopped at `max_calls`.
    pub truncated: bool,
    pub elapsed: Duration,
    /// The chosen calls' traces, made once when first wanted (the report's coverage
    /// and the scripts both read them).
    chosen_events: std::cell::OnceCell<Vec<Arc<Vec<TraceEvent>>>>,
}

/// The environments to try: as given, hours closed (when a block checks hours), the
/// working queues at capacity (when a transfer has a `QueueAtCapacity` branch).
pub fn variants(flows: &FlowSet, base: &CallConfig) -> Vec<Variant> {
    let reachable = reachable_flows(flows);
    let blocks: Vec<&crate::flow::Block> = reachable.iter().flat_map(|f| f.blocks.iter()).collect();
    // Attributes the flows read and never set come from the flow before (or the
    // contact's start): the calls run with them given, and once without.
    let inherited = inherited_attributes(flows, &blocks, base);
    let mut given = base.clone();
    for a in &inherited {
        given.attributes.insert(a.name.clone(), a.values[0].clone());
    }
    let base = &given;
    let mut out = vec![Variant {
        config: base.clone(),
        label: None,
    }];
    if !inherited.is_empty() {
        let mut c = base.clone();
        for a in &inherited {
            c.attributes.shift_remove(&a.name);
        }
        out.push(Variant {
            config: c,
            label: Some("attributes_unset".into()),
        });
        for a in &inherited {
            for v in a.values.iter().skip(1) {
                let mut c = base.clone();
                c.attributes.insert(a.name.clone(), v.clone());
                out.push(Variant {
                    config: c,
                    label: Some(format!("{}_{}", slug_word(&a.name), slug_word(v))),
                });
            }
        }
    }
    if base.hours_open
        && blocks
            .iter()
            .any(|b| matches!(b.kind, Kind::CheckHoursOfOperation { .. }))
    {
        let mut c = base.clone();
        c.hours_open = false;
        out.push(Variant {
            config: c,
            label: Some("closed_hours".into()),
        });
    }
    // Attributes near Connect's 32 KB limit: the next Set contact attributes fails.
    let sets_fail = blocks.iter().any(|b| {
        matches!(b.kind, Kind::UpdateContactAttributes { .. })
            && b.errors.iter().any(|e| e.error_type == "NoMatchingError")
    });
    if sets_fail {
        // Full: the first attribute set fails. Nearly full: a phone number still
        // fits, a longer value (a Lambda answer copied) does not.
        for (room, label) in [(2, "attributes_full"), (40, "attributes_nearly_full")] {
            let mut c = base.clone();
            let used: usize = c.attributes.iter().map(|(k, v)| k.len() + v.len()).sum();
            let fill = ATTRIBUTE_LIMIT.saturating_sub(used + FILLER.len() + room);
            c.attributes.insert(FILLER.into(), "x".repeat(fill));
            out.push(Variant {
                config: c,
                label: Some(label.into()),
            });
        }
    }
    // Waiting in queue, the queue flow plays until an agent answers (30 s by default):
    // with nobody answering, its loops, callbacks and transfers run to their end.
    let waits = reachable
        .iter()
        .any(|f| f.role() == FlowType::CustomerQueue);
    if waits {
        let mut env: Environment = (*base.env).clone();
        for (name, arn) in waiting_queues(&blocks) {
            let q = env.queues.entry(name).or_insert_with(|| Queue {
                arn,
                ..Queue::default()
            });
            q.answer_after = Some(AnswerAfter::Word(AnswerWord::Never));
        }
        let mut c = base.clone();
        c.env = Arc::new(env);
        out.push(Variant {
            config: c,
            label: Some("no_agent_answers".into()),
        });
    }
    out.extend(environment_variants(&blocks, base, waits));
    let capacity = blocks.iter().any(|b| {
        matches!(b.kind, Kind::TransferContactToQueue)
            && b.errors.iter().any(|e| e.error_type == "QueueAtCapacity")
    });
    if capacity {
        let mut env: Environment = (*base.env).clone();
        // Every queue, those a block names by ARN or a Lambda answer gives too.
        env.queues.insert(
            crate::env::ANY_QUEUE.into(),
            Queue {
                at_capacity: true,
                ..Queue::default()
            },
        );
        for q in env.queues.values_mut() {
            q.at_capacity = true;
        }
        for b in &blocks {
            if let Kind::UpdateContactTargetQueue { queue, name } = &b.kind
                && !queue.trim().is_empty()
                && !queue.contains("$.")
            {
                let key = name
                    .clone()
                    .unwrap_or_else(|| queue.rsplit('/').next().unwrap_or(queue).to_owned());
                let q = env.queues.entry(key).or_insert_with(|| Queue {
                    arn: Some(queue.clone()),
                    ..Queue::default()
                });
                q.at_capacity = true;
            }
        }
        // On each channel tried too: a flow may transfer chats or tasks elsewhere.
        let channels: Vec<String> = out
            .iter()
            .filter_map(|v| v.config.env.channel.clone())
            .filter(|ch| ch != "voice")
            .fold(Vec::new(), |mut seen, ch| {
                if !seen.contains(&ch) {
                    seen.push(ch);
                }
                seen
            });
        for ch in std::iter::once(None).chain(channels.into_iter().map(Some)) {
            let mut e = env.clone();
            let label = match &ch {
                Some(ch) => format!("{ch}_queue_full"),
                None => "queue_full".into(),
            };
            if ch.is_some() {
                e.channel = ch;
            }
            let mut c = base.clone();
            c.env = Arc::new(e);
            out.push(Variant {
                config: c,
                label: Some(label),
            });
        }
    }
    out
}

/// A contact attribute the flows read but no block of theirs sets, and the values to
/// give it (the first is the usual one).
#[derive(Debug)]
struct Inherited {
    name: String,
    values: Vec<String>,
}

/// Inherited attributes worth giving: those a Compare tests (each condition's value),
/// and those naming a Lambda function, a queue, a flow or a module (a made-up ARN, or
/// the flow of the set whose name matches the attribute's best).
fn inherited_attributes(
    flows: &FlowSet,
    blocks: &[&crate::flow::Block],
    base: &CallConfig,
) -> Vec<Inherited> {
    const ARN: &str =
        "arn:aws:connect:us-east-1:000000000000:instance/00000000-0000-0000-0000-000000000000";
    let set: HashSet<&str> = blocks
        .iter()
        .filter_map(|b| match &b.kind {
            Kind::UpdateContactAttributes { attributes } => Some(attributes),
            _ => None,
        })
        .flat_map(|a| a.keys().map(String::as_str))
        .collect();
    let attribute = |v: &str| -> Option<String> {
        let name = v.trim().strip_prefix("$.Attributes.")?;
        (!name.is_empty()
            && !set.contains(name)
            && !base.attributes.contains_key(name)
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || "_-".contains(c)))
        .then(|| name.to_owned())
    };
    let mut out: Vec<Inherited> = Vec::new();
    let mut add = |name: String, value: String| match out.iter_mut().find(|a| a.name == name) {
        Some(a) if !a.values.contains(&value) => a.values.push(value),
        Some(_) => {}
        None => out.push(Inherited {
            name,
            values: vec![value],
        }),
    };
    for b in blocks {
        if let Kind::Compare { value } = &b.kind
            && let Some(name) = attribute(value)
        {
            for c in &b.conditions {
                let v = inputs::satisfying(c);
                // A condition comparing with another reference has no fixed value.
                if !v.contains("$.") {
                    add(name.clone(), v);
                }
            }
        }
        // A customer-profile search on an attribute: the caller's number (what the
        // known-customer setting's profile holds).
        if let Some(serde_json::Value::Object(request)) = b.params.get("ProfileRequestData") {
            for v in request.values() {
                if let Some(name) = v.as_str().and_then(&attribute) {
                    add(name, base.caller.clone());
                }
            }
        }
        for (param, v) in &b.params {
            let Some(name) = v.as_str().and_then(&attribute) else {
                continue;
            };
            let value = match param.as_str() {
                "LambdaFunctionARN" => Some(format!(
                    "arn:aws:lambda:us-east-1:000000000000:function:{name}"
                )),
                "QueueId" => Some(format!("{ARN}/queue/{name}")),
                "FlowModuleId" => matching_flow(flows, &name, true),
                "ContactFlowId" => matching_flow(flows, &name, false),
                _ => None,
            };
            if let Some(value) = value {
                add(name, value);
            }
        }
    }
    out
}

/// The name of the flow of the set (a module, or not) whose name's words the
/// attribute's words begin most of (`GET_CUST_NAME_MODULE_ID` → `GetCustomerNameModule`);
/// ties go to the shorter name.
fn matching_flow(flows: &FlowSet, attribute: &str, module: bool) -> Option<String> {
    let words = |s: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut prev_lower = false;
        for c in s.chars() {
            if (!c.is_alphanumeric() || (c.is_uppercase() && prev_lower)) && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            if c.is_alphanumeric() {
                cur.push(c.to_ascii_lowercase());
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
        }
        if !cur.is_empty() {
            out.push(cur);
        }
        out
    };
    let wanted: Vec<String> = words(attribute)
        .into_iter()
        .filter(|w| !["id", "arn", "module", "flow", "contact"].contains(&w.as_str()))
        .collect();
    if wanted.is_empty() {
        return None;
    }
    all_flows(flows)
        .filter(|f| (f.role() == FlowType::ContactFlowModule) == module)
        .filter_map(|f| {
            let have = words(&f.name);
            let score = wanted
                .iter()
                .filter(|w| have.iter().any(|h| h.starts_with(w.as_str())))
                .count();
            (score * 2 > wanted.len()).then_some((score, f.name.len(), f.name.clone()))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)))
        .map(|(_, _, name)| name)
}

/// Every queue the blocks name by ARN: (name, ARN).
fn named_queues(blocks: &[&crate::flow::Block]) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for b in blocks {
        for v in b.params.values() {
            let text = v.to_string();
            for part in text.split('"') {
                if part.contains("/queue/") && !out.iter().any(|(_, a)| a.as_deref() == Some(part))
                {
                    let name = part.rsplit('/').next().unwrap_or(part).to_owned();
                    out.push((name, Some(part.to_owned())));
                }
            }
        }
    }
    out
}

/// The queues a contact can wait in: those named, and `BasicQueue`, where a queue flow
/// run on its own waits.
fn waiting_queues(blocks: &[&crate::flow::Block]) -> Vec<(String, Option<String>)> {
    let mut out = named_queues(blocks);
    if !out.iter().any(|(n, _)| n == "BasicQueue") {
        out.push(("BasicQueue".into(), None));
    }
    out
}

/// The contact center's answers worth trying, one setting at a time over `base`
/// (docs/environment.md, "Settings and the branches they select"): the channels the
/// blocks need or compare with, the queues empty and busy, a known customer and
/// several, each view action, Voice ID and call progress statuses, third-party and
/// sign-in outcomes, an agent not free. A setting for a block restricted to a
/// channel is tried on that channel.
fn environment_variants(
    blocks: &[&crate::flow::Block],
    base: &CallConfig,
    waits: bool,
) -> Vec<Variant> {
    use crate::catalogue::{Channel, Channels};
    let mut out: Vec<Variant> = Vec::new();
    let mut add = |label: String, channel: Option<&str>, f: &dyn Fn(&mut Environment)| {
        let mut env: Environment = (*base.env).clone();
        if let Some(ch) = channel {
            env.channel = Some(ch.to_ascii_lowercase());
        }
        f(&mut env);
        if out.iter().any(|v| *v.config.env == env) || *base.env == env {
            return;
        }
        let mut c = base.clone();
        c.env = Arc::new(env);
        out.push(Variant {
            config: c,
            label: Some(label),
        });
    };
    // The channel a block of this type needs, when voice is not one.
    let needs = |b: &crate::flow::Block| -> Option<&'static str> {
        match b.kind.spec().map(|s| s.channels) {
            Some(Channels::Only(chs)) if !chs.contains(&Channel::Voice) => {
                chs.first().map(|c| c.as_str())
            }
            _ => None,
        }
    };
    let compared = |reference: &str| -> Vec<String> {
        blocks
            .iter()
            .filter(|b| matches!(&b.kind, Kind::Compare { value } if value.trim() == reference))
            .flat_map(|b| b.conditions.iter().map(|c| c.operand.clone()))
            .collect()
    };
    let mut channels: Vec<String> = blocks
        .iter()
        .filter_map(|b| needs(b))
        .map(str::to_owned)
        .collect();
    channels.extend(
        compared("$.Channel")
            .into_iter()
            .map(|c| c.to_ascii_uppercase()),
    );
    for ch in channels {
        if ["VOICE", "CHAT", "TASK", "EMAIL"].contains(&ch.as_str()) && ch != "VOICE" {
            add(ch.to_ascii_lowercase(), Some(&ch), &|_| {});
        }
    }
    // Loop prompts takes its error branch on chat (a queue flow serves chat too).
    if blocks.iter().any(|b| {
        matches!(b.kind, Kind::MessageParticipantIteratively { .. })
            && b.error_target(crate::catalogue::ErrorType::NoMatchingError)
                .is_some()
    }) {
        add("chat".into(), Some("CHAT"), &|_| {});
    }
    for m in compared("$.InitiationMethod") {
        add(slug_word(&m), None, &|e| {
            e.initiation_method = Some(m.clone())
        });
    }
    let has = |f: &dyn Fn(&Kind) -> bool| blocks.iter().find(|b| f(&b.kind)).copied();
    // Queues: every queue ARN the blocks name (and the one a queue flow waits in).
    let queues = if waits {
        waiting_queues(blocks)
    } else {
        named_queues(blocks)
    };
    if has(&|k| matches!(k, Kind::CheckMetricData | Kind::GetMetricData)).is_some() {
        let set = |e: &mut Environment, f: &dyn Fn(&mut Queue)| {
            for (name, arn) in &queues {
                let q = e.queues.entry(name.clone()).or_insert_with(|| Queue {
                    arn: arn.clone(),
                    ..Queue::default()
                });
                f(q);
            }
        };
        add("no_agents".into(), None, &|e| {
            set(e, &|q| {
                q.agents_online = 0;
                q.agents_available = 0;
                q.agents_staffed = 0;
            })
        });
        add("queue_busy".into(), None, &|e| {
            set(e, &|q| {
                q.agents_available = 0;
                q.agents_busy = q.agents_online.max(1);
                q.contacts_in_queue = 50;
                q.oldest_contact_age_secs = 3600;
                q.estimated_wait_secs = Some(3600);
            })
        });
    }
    if has(&|k| {
        matches!(
            k,
            Kind::GetCustomerProfile
                | Kind::GetCalculatedAttributesForCustomerProfile
                | Kind::UpdateCustomerProfile
                | Kind::AssociateContactToCustomerProfile
        )
    })
    .is_some()
    {
        let profile = |id: &str| crate::env::Profile {
            phone: Some(base.caller.clone()),
            profile_id: Some(id.into()),
            fields: [("FirstName", "Ana"), ("LastName", "Lopez")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            calculated: Default::default(),
            ..Default::default()
        };
        add("known_customer".into(), None, &|e| {
            e.customers.push(profile("p1"))
        });
        add("several_profiles".into(), None, &|e| {
            e.customers.push(profile("p1"));
            e.customers.push(profile("p2"));
        });
    }
    // What a view's customer enters that the flows compare (`$.Views.ViewResultData.P`,
    // or an attribute set from it): each view answers with the first values, and
    // once with each other value; other views than the one a setting is for take
    // their first action (the engine's default) with that data.
    let data_compared = view_data_compared(blocks);
    let view_blocks: Vec<&crate::flow::Block> = blocks
        .iter()
        .copied()
        .filter(|b| matches!(b.kind, Kind::ShowView))
        .collect();
    let default_views: Vec<(String, crate::env::View)> = if data_compared.is_empty() {
        Vec::new()
    } else {
        view_blocks
            .iter()
            .map(|b| {
                let view = crate::env::View {
                    action: crate::env::default_view_action(b),
                    data: view_data(&data_compared, None),
                };
                (view_key(b), view)
            })
            .collect()
    };
    // How many of the other view blocks' wired actions to try them at (at most 3).
    let others_actions = if view_blocks.len() > 1 {
        view_blocks
            .iter()
            .map(|b| b.conditions.len())
            .max()
            .unwrap_or(0)
            .min(3)
    } else {
        0
    };
    for b in blocks {
        let channel = needs(b);
        match &b.kind {
            Kind::ShowView => {
                let short = view_key(b);
                let shared = view_blocks.iter().filter(|x| view_key(x) == short).count() > 1;
                let wired: Vec<String> = b.conditions.iter().map(|c| c.operand.clone()).collect();
                let actions =
                    wired
                        .iter()
                        .cloned()
                        .chain(["Other".into(), "timeout".into(), "error".into()]);
                let view = |action: &str| crate::env::View {
                    action: action.to_owned(),
                    data: view_data(&data_compared, None),
                };
                for a in actions {
                    // Every block showing the view takes the action …
                    add(format!("view_{}", slug_word(&a)), channel, &|e| {
                        e.views.extend(default_views.iter().cloned());
                        e.views.insert(short.clone(), view(&a));
                    });
                    // … or this block alone, the others showing the view another
                    // wired one (a chain of forms, each going on by `Next`, then this
                    // one `Back`) …
                    if shared {
                        for o in wired.iter().filter(|o| **o != a) {
                            add(
                                format!("view_{}_others_{}", slug_word(&a), slug_word(o)),
                                channel,
                                &|e| {
                                    e.views.extend(default_views.iter().cloned());
                                    e.views.insert(short.clone(), view(o));
                                    e.views.insert(b.id.clone(), view(&a));
                                },
                            );
                        }
                    }
                    // … or every other view block taking its k-th
                    // wired action (a chain of views going on by `Next`, then this one
                    // `Back`).
                    for k in 0..others_actions {
                        add(
                            format!("view_{}_others_take_{}", slug_word(&a), k + 1),
                            channel,
                            &|e| {
                                e.views.extend(default_views.iter().cloned());
                                for x in &view_blocks {
                                    if x.id != b.id
                                        && let Some(c) = x
                                            .conditions
                                            .get(k.min(x.conditions.len().saturating_sub(1)))
                                    {
                                        e.views.insert(x.id.clone(), view(&c.operand));
                                    }
                                }
                                e.views.insert(b.id.clone(), view(&a));
                            },
                        );
                    }
                }
                // Each further value the flows compare the view's data with.
                for (path, values) in &data_compared {
                    for v in values.iter().skip(1) {
                        let data = view_data(&data_compared, Some((path, v)));
                        let label = path.rsplit('.').next().unwrap_or(path);
                        add(
                            format!("view_{}_{}", slug_word(label), slug_word(v)),
                            channel,
                            &|e| {
                                e.views.extend(default_views.iter().cloned());
                                for view in e.views.values_mut() {
                                    view.data = data.clone();
                                }
                            },
                        );
                    }
                }
            }
            Kind::CheckVoiceId => {
                for c in &b.conditions {
                    let v = c.operand.clone();
                    add(format!("voice_id_{}", slug_word(&v)), channel, &|e| {
                        e.voice_id.enrollment = Some(v.clone());
                        e.voice_id.authentication = Some(v.clone());
                        e.voice_id.fraud = Some(v.clone());
                    });
                }
            }
            Kind::CheckOutboundCallStatus => {
                for c in &b.conditions {
                    let v = c.operand.clone();
                    add(slug_word(&v), channel, &|e| {
                        e.call_progress = Some(v.clone())
                    });
                }
            }
            Kind::TransferParticipantToThirdParty { .. } => {
                for v in ["failed", "no_answer"] {
                    add(format!("third_party_{v}"), channel, &|e| {
                        e.third_party = Some(v.into())
                    });
                }
            }
            Kind::AuthenticateParticipant => {
                for v in ["success", "opted_out", "error"] {
                    add(format!("sign_in_{v}"), channel, &|e| {
                        e.authentication = Some(v.into())
                    });
                }
            }
            Kind::TransferContactToAgent => {
                add("agent_busy".into(), channel, &|e| {
                    e.agent_available = Some(false)
                });
            }
            Kind::Wait if b.conditions.iter().any(|c| c.operand == "CustomerReturned") => {
                add("customer_returns".into(), channel.or(Some("CHAT")), &|e| {
                    e.customer_returns_after_secs = Some(1)
                });
            }
            _ => {}
        }
    }
    out
}

/// The key a view setting of ShowView block `b` goes under: the view's name (the
/// last segment of its ARN, version aside), as the engine looks it up.
fn view_key(b: &crate::flow::Block) -> String {
    let id = b
        .params
        .get("ViewResource")
        .and_then(|v| v.get("Id"))
        .and_then(|v| v.as_str())
        .unwrap_or("");
    crate::env::view_name(id).to_owned()
}

/// Paths under `$.Views.ViewResultData` the flows compare (directly, or through an
/// attribute set from one), each with the values that take the conditions.
fn view_data_compared(blocks: &[&crate::flow::Block]) -> Vec<(String, Vec<String>)> {
    let path_of = |v: &str| -> Option<String> {
        let p = v.trim().strip_prefix("$.Views.ViewResultData.")?;
        (!p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || "_.-".contains(c)))
            .then(|| p.to_owned())
    };
    let compared = inputs::source_reader(blocks, path_of);
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for b in blocks {
        let Kind::Compare { value } = &b.kind else {
            continue;
        };
        let Some(path) = compared(value) else {
            continue;
        };
        let i = match out.iter().position(|(p, _)| *p == path) {
            Some(i) => i,
            None => {
                out.push((path, Vec::new()));
                out.len() - 1
            }
        };
        for c in &b.conditions {
            let value = inputs::satisfying(c);
            if !value.contains("$.") && !out[i].1.contains(&value) {
                out[i].1.push(value);
            }
        }
    }
    out.retain(|(_, v)| !v.is_empty());
    out
}

/// View result data with each compared path at its first value (`over`: one path at
/// another value).
fn view_data(compared: &[(String, Vec<String>)], over: Option<(&str, &str)>) -> serde_json::Value {
    let mut data = serde_json::Value::Object(Default::default());
    for (path, values) in compared {
        let v = match over {
            Some((p, v)) if p == path => v,
            _ => &values[0],
        };
        inputs::insert_path(&mut data, path, v);
    }
    data
}

fn slug_word(s: &str) -> String {
    let w = inputs::slug(s);
    if w.is_empty() { "other".into() } else { w }
}

fn all_flows(flows: &FlowSet) -> impl Iterator<Item = &Arc<Flow>> {
    std::iter::once(&flows.main).chain(&flows.others)
}

/// The main flow and the flows it can reach (transfers and modules, transitively):
/// a `--flows` folder may hold many more.
pub fn reachable_flows(flows: &FlowSet) -> Vec<Arc<Flow>> {
    let mut out = vec![flows.main.clone()];
    let mut i = 0;
    while i < out.len() {
        let f = out[i].clone();
        for b in &f.blocks {
            // A flow named by an attribute the flows never set is the one explore
            // gives it (see [`inherited_attributes`]).
            let find = |reference: &str, name: &Option<String>, module: bool| {
                flows.find(reference, name.as_deref()).or_else(|| {
                    let attr = reference.trim().strip_prefix("$.Attributes.")?;
                    flows.find(&matching_flow(flows, attr, module)?, None)
                })
            };
            let target = match &b.kind {
                Kind::TransferToFlow { flow, name } => find(flow, name, false),
                Kind::InvokeFlowModule { module, name } => find(module, name, true),
                _ => None,
            };
            if let Some(t) = target
                && !out.iter().any(|x| Arc::ptr_eq(x, &t))
            {
                out.push(t);
            }
        }
        i += 1;
    }
    out
}

/// Search the calls of `flows`. `registry` answers the functions it maps (the
/// `--lambda` mappings and the built-in vanity function); every Lambda block is
/// also answered with synthesized values, an error and a timeout.
pub fn explore(
    flows: &FlowSet,
    base: &CallConfig,
    registry: Option<Registry>,
    bounds: Bounds,
) -> Explored {
    let started = Instant::now();
    let mut catalogue = Catalogue::new(flows, registry);
    let mut variants = variants(flows, base);
    let mut ids: HashMap<(String, String, String), usize> = HashMap::new();
    let mut branch_names = Vec::new();
    let mut calls = Vec::new();
    // States met, by environment: the same contact data in another environment
    // can go another way (a queue with no agents), so it branches again there.
    let mut seen: HashSet<(usize, u64)> = HashSet::new();
    let mut truncated = false;
    // Each environment gets its share of the calls; within one, the search goes
    // breadth first, so short calls come first and a state is first met by the
    // shortest call that reaches it.
    let share = (bounds.max_calls / variants.len()).max(1);
    // Engine inputs and blocks run over the whole search.
    let mut work = 0usize;
    for (vi, v) in variants.iter().enumerate() {
        let budget = calls.len() + share;
        // A fork waiting its turn is its decisions so far, not an engine: it is run
        // again from the start when its turn comes (the engine is pure, so it meets
        // the same points), which keeps the frontier a few bytes a call.
        let mut queue: VecDeque<(Vec<Decision>, Labels)> = VecDeque::new();
        queue.push_back((Vec::new(), Vec::new()));
        while let Some((prefix, labels)) = queue.pop_front() {
            let mut w = Walker::new(Engine::new(flows.clone(), search_config(&v.config)));
            for d in prefix {
                let Some(point) = w.advance() else { break };
                w.apply(&point, d);
            }
            let limit =
                calls.len() + queue.len() >= budget || work >= TURNS_PER_CALL * bounds.max_calls;
            truncated |= limit;
            loop {
                let Some(point) = w.advance() else {
                    break;
                };
                let key = w.state_key(&point);
                // Round a loop again where the caller is asked: the caller hangs up
                // (a script gives a Lambda's answers up front, so it cannot stop
                // at one).
                if matches!(point, walk::Point::Input { .. }) && w.repeats(key) {
                    w.apply(&point, Decision::Hangup);
                    continue;
                }
                let choices = catalogue.choices(&point, flows);
                let fresh = seen.insert((vi, key));
                if fresh && !limit && w.decisions.len() < bounds.depth && choices.len() > 1 {
                    let mut rest = choices.into_iter();
                    let first = rest.next().expect("more than one");
                    queue.extend(rest.map(|c| fork(&w, &point, &labels, c)));
                    // The first choice is the usual way on: no words for the name.
                    w.apply(&point, first.decision);
                } else {
                    // Met again: do what this call did here last time (so a retry
                    // loop runs out), else the usual continuation; no words for the
                    // name either way.
                    let Some(d) = usual_decision(&w, &point, &choices) else {
                        break;
                    };
                    w.apply(&point, d);
                }
            }
            work += w.turns() + w.engine().steps() as usize;
            let branches = branch_ids(&w.events, &mut ids, &mut branch_names);
            calls.push(Call {
                variant: vi,
                decisions: std::mem::take(&mut w.decisions),
                labels,
                branches,
            });
        }
    }
    // A Set contact attributes block's error no call took: the first call through it
    // again, with the attributes filled so that this block's values are the ones
    // that no longer fit (those before it still do).
    for (vi, decisions, filler) in overflows(flows, &variants, &calls, &ids) {
        let mut config = variants[vi].config.clone();
        config.attributes.insert(FILLER.into(), "x".repeat(filler));
        let mut w = Walker::new(Engine::new(flows.clone(), config.clone()));
        for d in decisions {
            let Some(point) = w.advance() else { break };
            w.apply(&point, d);
        }
        while let Some(point) = w.advance() {
            let key = w.state_key(&point);
            if matches!(point, walk::Point::Input { .. }) && w.repeats(key) {
                w.apply(&point, Decision::Hangup);
                continue;
            }
            let choices = catalogue.choices(&point, flows);
            let Some(d) = usual_decision(&w, &point, &choices) else {
                break;
            };
            w.apply(&point, d);
        }
        let branches = branch_ids(&w.events, &mut ids, &mut branch_names);
        variants.push(Variant {
            config,
            label: Some("attributes_full".into()),
        });
        calls.push(Call {
            variant: variants.len() - 1,
            decisions: std::mem::take(&mut w.decisions),
            labels: Vec::new(),
            branches,
        });
    }
    let chosen = set_cover(&calls);
    Explored {
        flows: flows.clone(),
        variants,
        calls,
        chosen,
        branch_names,
        truncated,
        elapsed: started.elapsed(),
        chosen_events: std::cell::OnceCell::new(),
    }
}

type Labels = Vec<(String, Option<String>)>;

/// Blocks a call runs in the search, at most: a loop no input breaks (views going
/// round `Back`/`Next`, a retry) has taken its branches long before the engine's
/// budget, which the chosen calls' scripts still run to (they are run again with
/// the variant's own settings: their scripts say what the runner does).
const SEARCH_STEPS: u32 = 300;

/// The settings a call runs with in the search.
fn search_config(config: &CallConfig) -> CallConfig {
    let mut c = config.clone();
    c.max_steps = c.max_steps.min(SEARCH_STEPS);
    c
}

/// The ids of the branches a call's events took (new branches get the next id).
fn branch_ids(
    events: &[TraceEvent],
    ids: &mut HashMap<(String, String, String), usize>,
    names: &mut Vec<(String, String, String)>,
) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    for e in events {
        if let TraceKind::BranchTaken { block, branch, .. } = &e.kind {
            let key = (block.flow.clone(), block.id.clone(), branch.clone());
            let n = ids.len();
            let id = *ids.entry(key.clone()).or_insert_with(|| {
                names.push(key);
                n
            });
            out.insert(id);
        }
    }
    out
}

/// For each Set contact attributes block whose `NoMatchingError` no call took: the
/// first call through it (its variant, and its decisions up to the block) and the
/// filler that makes the block's write the first not to fit — the engine adds the
/// values a block sets to the attributes already there and fails over 32 KB. None
/// when the block adds no more than a block before it did.
fn overflows(
    flows: &FlowSet,
    variants: &[Variant],
    calls: &[Call],
    ids: &HashMap<(String, String, String), usize>,
) -> Vec<(usize, Vec<Decision>, usize)> {
    let mut out = Vec::new();
    for f in reachable_flows(flows) {
        for b in &f.blocks {
            if !matches!(b.kind, Kind::UpdateContactAttributes { .. })
                || b.error_target(crate::catalogue::ErrorType::NoMatchingError)
                    .is_none()
            {
                continue;
            }
            let id = |branch: &str| ids.get(&(f.name.clone(), b.id.clone(), branch.to_owned()));
            if id("NoMatchingError").is_some_and(|i| calls.iter().any(|c| c.branches.contains(i))) {
                continue;
            }
            let Some(next) = id("Next") else { continue };
            let Some(call) = calls.iter().find(|c| {
                c.branches.contains(next)
                    && !variants[c.variant].config.attributes.contains_key(FILLER)
            }) else {
                continue;
            };
            let config = variants[call.variant].config.clone();
            let mut attributes = config.attributes.clone();
            let mut w = Walker::new(Engine::new(flows.clone(), config));
            // Replay the call to the block: the attributes' bytes before it, the most
            // any block before it reached, and the decisions taken till then.
            let mut seen = 0;
            let mut most_before = 0usize;
            let mut at: Option<(usize, usize)> = None; // (bytes before, decisions)
            let mut adding = 0usize;
            let mut in_block = false;
            let size = |a: &indexmap::IndexMap<String, String>| -> usize {
                a.iter().map(|(k, v)| k.len() + v.len()).sum()
            };
            let mut decisions = call.decisions.iter();
            'run: loop {
                let point = w.advance();
                for e in &w.events[seen..] {
                    match &e.kind {
                        TraceKind::BlockStarted { block, .. } => {
                            if in_block {
                                break 'run;
                            }
                            if block.flow == f.name && block.id == b.id {
                                at = Some((size(&attributes), w.decisions.len()));
                                in_block = true;
                            } else {
                                most_before = most_before.max(size(&attributes));
                            }
                        }
                        TraceKind::AttributeSet {
                            scope: crate::engine::AttributeScope::Contact,
                            key,
                            value,
                        } => {
                            if in_block {
                                adding += key.len() + value.len();
                            } else {
                                attributes.insert(key.clone(), value.clone());
                            }
                        }
                        _ => {}
                    }
                }
                seen = w.events.len();
                let (Some(point), Some(d)) = (point, decisions.next()) else {
                    break;
                };
                w.apply(&point, d.clone());
            }
            let Some((before, n)) = at else { continue };
            let needed = before + adding;
            if adding == 0 || needed <= most_before || needed > ATTRIBUTE_LIMIT {
                continue;
            }
            let filler = ATTRIBUTE_LIMIT + 1 - FILLER.len() - needed;
            out.push((call.variant, call.decisions[..n].to_vec(), filler));
        }
    }
    out
}

/// A fork of the call `w` at `point`, taking `c`: its decisions and its words.
fn fork(w: &Walker, point: &walk::Point, labels: &Labels, c: Choice) -> (Vec<Decision>, Labels) {
    let mut labels = labels.clone();
    let block = match point {
        walk::Point::Input { block, .. }
        | walk::Point::Lambda {
            block: Some(block), ..
        } => inputs::find_block(&w.engine().flows().clone(), &block.flow, &block.id)
            .filter(|b| b.friendly)
            .map(|b| inputs::slug(&b.id)),
        walk::Point::Lambda { block: None, .. } => None,
    };
    labels.extend(c.label.map(|l| (l, block)));
    let mut decisions = w.decisions.clone();
    decisions.push(c.decision);
    (decisions, labels)
}

/// Greedy set cover: the call taking the most branches not yet taken, until no call
/// adds one; ties go to the call with fewer decisions, then the earlier one.
pub fn set_cover(calls: &[Call]) -> Vec<usize> {
    let mut covered: HashSet<usize> = HashSet::new();
    let mut chosen = Vec::new();
    loop {
        let best = calls
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    c.branches.iter().filter(|b| !covered.contains(b)).count(),
                    i,
                )
            })
            .filter(|(n, _)| *n > 0)
            .max_by(|(n1, i1), (n2, i2)| {
                n1.cmp(n2)
                    .then(calls[*i2].decisions.len().cmp(&calls[*i1].decisions.len()))
                    .then(i2.cmp(i1))
            });
        let Some((_, i)) = best else { break };
        covered.extend(calls[i].branches.iter().copied());
        chosen.push(i);
    }
    chosen
}

/// A branch no call can take, and why.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Unreachable {
    pub flow: String,
    pub block: String,
    pub branch: String,
    pub reason: String,
}

/// The report: branches reached, those no input can reach (and why), those the
/// search did not reach, and the time taken.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub flow: String,
    pub calls_explored: usize,
    pub scripts: Vec<String>,
    /// Branches a call can take: declared, less dead ones and those of blocks no
    /// branch leads to.
    pub branches_takeable: usize,
    pub branches_reached: usize,
    pub percent: f64,
    pub unreachable: Vec<Unreachable>,
    /// Takeable branches no explored call took.
    pub not_reached: Vec<Unreachable>,
    pub truncated: bool,
    pub millis: f64,
}

/// Blocks of `flow` no branch a call can take leads to from its start (or from a
/// module's start): branches the reach rules call dead lead nowhere.
pub fn unreachable_blocks(flow: &Flow) -> Vec<usize> {
    let mut seen = vec![false; flow.blocks.len()];
    let mut todo = vec![flow.start];
    while let Some(i) = todo.pop() {
        if i >= seen.len() || seen[i] {
            continue;
        }
        seen[i] = true;
        let dead = crate::engine::dead_branches_in(flow, i);
        for (branch, target) in flow.blocks[i].branches() {
            if let Some(t) = target
                && !dead.iter().any(|d| d.branch == branch)
            {
                todo.push(t);
            }
        }
    }
    (0..flow.blocks.len()).filter(|&i| !seen[i]).collect()
}

impl Explored {
    /// The figures, by the same universe `flowsim test --coverage` counts (every
    /// flow of the set a chosen call ran in, and the main flow).
    pub fn report(&self, flows: &FlowSet, scripts: Vec<String>) -> Report {
        let mut cov = Coverage::new();
        let ran: HashSet<&str> = self
            .branch_names
            .iter()
            .map(|(f, _, _)| f.as_str())
            .collect();
        for f in all_flows(flows) {
            if Arc::ptr_eq(f, &flows.main) || ran.contains(f.name.as_str()) {
                cov.add_flow(f);
            }
        }
        for &i in &self.chosen {
            cov.add_trace(&self.events(&self.calls[i]));
        }
        let mut unreachable = Vec::new();
        let mut not_reached = Vec::new();
        let mut takeable = 0;
        let mut reached = 0;
        for fc in cov.report() {
            let Some(flow) = all_flows(flows).find(|f| f.name == fc.flow) else {
                continue;
            };
            let cut: HashSet<String> = unreachable_blocks(flow)
                .into_iter()
                .map(|i| flow.blocks[i].id.clone())
                .collect();
            for d in &fc.branches_dead {
                unreachable.push(Unreachable {
                    flow: fc.flow.clone(),
                    block: d.block.clone(),
                    branch: d.branch.clone(),
                    reason: format!("dead condition: {}", d.reason),
                });
            }
            let mut cut_here = 0;
            for u in &fc.branches_never_taken {
                let item = Unreachable {
                    flow: fc.flow.clone(),
                    block: u.block.clone(),
                    branch: u.branch.clone(),
                    reason: String::new(),
                };
                if cut.contains(&u.block_id) {
                    cut_here += 1;
                    unreachable.push(Unreachable {
                        reason: "unreachable block: no branch a call can take leads to it".into(),
                        ..item
                    });
                } else {
                    not_reached.push(Unreachable {
                        reason: "no explored input took it".into(),
                        ..item
                    });
                }
            }
            takeable += fc.branches_total - cut_here;
            reached += fc.branches_covered;
        }
        let percent = if takeable == 0 {
            100.0
        } else {
            reached as f64 * 100.0 / takeable as f64
        };
        Report {
            flow: flows.main.name.clone(),
            calls_explored: self.calls.len(),
            scripts,
            branches_takeable: takeable,
            branches_reached: reached,
            percent,
            unreachable,
            not_reached,
            truncated: self.truncated,
            millis: (self.elapsed.as_secs_f64() * 1e6).round() / 1e3,
        }
    }

    /// The chosen calls with unique names, as `(name, call)`.
    pub fn named(&self) -> Vec<(String, &Call)> {
        let mut used: HashSet<String> = HashSet::new();
        let short: Vec<String> = self
            .chosen
            .iter()
            .map(|&i| self.calls[i].name(&self.variants, false))
            .collect();
        self.chosen
            .iter()
            .zip(&short)
            .map(|(&i, s)| {
                let c = &self.calls[i];
                // A short name two calls share: each word says where it was decided.
                let base = if short.iter().filter(|x| *x == s).count() > 1 {
                    c.name(&self.variants, true)
                } else {
                    s.clone()
                };
                let mut name = base.clone();
                let mut n = 2;
                while !used.insert(name.clone()) {
                    name = format!("{base}_{n}");
                    n += 1;
                }
                (name, c)
            })
            .collect()
    }

    /// The trace of a call; a chosen call's is made once.
    pub fn events(&self, call: &Call) -> Arc<Vec<TraceEvent>> {
        let chosen = self.chosen_events.get_or_init(|| {
            self.chosen
                .iter()
                .map(|&i| Arc::new(self.run_again(&self.calls[i])))
                .collect()
        });
        match self
            .chosen
            .iter()
            .position(|&i| std::ptr::eq(&self.calls[i], call))
        {
            Some(k) => chosen[k].clone(),
            None => Arc::new(self.run_again(call)),
        }
    }

    /// The trace of `call`: its decisions given again, in its environment (the
    /// engine is pure, so the call takes the same path).
    fn run_again(&self, call: &Call) -> Vec<TraceEvent> {
        let config = self.variants[call.variant].config.clone();
        let mut w = Walker::new(Engine::new(self.flows.clone(), config));
        for d in &call.decisions {
            let Some(point) = w.advance() else { break };
            w.apply(&point, d.clone());
        }
        // Where the call ended (or stopped with nothing left to choose).
        w.finish();
        std::mem::take(&mut w.events)
    }

    /// The `.call` text for a chosen call written to `path`.
    pub fn script_text(&self, call: &Call, flow_path: Option<&Path>, path: &Path) -> String {
        let opts = crate::script::RecordOptions {
            flow_path,
            recording_path: Some(path),
            config: Some(&self.variants[call.variant].config),
        };
        let text = crate::script::recording_from_trace(&opts, &self.events(call));
        text.replacen(
            &format!("# Recorded by flowsim {}.", env!("CARGO_PKG_VERSION")),
            &format!(
                "# Explored by flowsim {} (flowsim explore).",
                env!("CARGO_PKG_VERSION")
            ),
            1,
        )
    }
}

/// The human report.
pub fn render(r: &Report) -> String {
    let mut out = format!(
        "explored {}: {} calls, {} scripts, branches {}/{} ({:.1}%) in {:.0} ms{}\n",
        r.flow,
        r.calls_explored,
        r.scripts.len(),
        r.branches_reached,
        r.branches_takeable,
        r.percent,
        r.millis,
        if r.truncated {
            " (stopped at --max-calls)"
        } else {
            ""
        }
    );
    if !r.not_reached.is_empty() {
        out.push_str("  branches not reached:\n");
        for u in &r.not_reached {
            out.push_str(&format!("    {} → {} ({})\n", u.block, u.branch, u.reason));
        }
    }
    if !r.unreachable.is_empty() {
        out.push_str(&format!(
            "  not counted: {} branches no input can reach:\n",
            r.unreachable.len()
        ));
        for u in &r.unreachable {
            out.push_str(&format!("    {} → {} ({})\n", u.block, u.branch, u.reason));
        }
    }
    out
}

/// Where a script of the suite goes.
pub fn script_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{}.call", slug_name(name)))
}

fn slug_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "call".into() } else { s }
}
