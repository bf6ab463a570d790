//! The contact center around the flow, as data: queues and their metrics, hours,
//! customer profiles, cases, data tables, views, Voice ID, outbound call progress,
//! third-party dialing, callbacks, chat events and sign-in outcomes.
//!
//! The engine reads it and never does IO: a TOML file (`--env FILE`), flags and
//! `.call` directives all build one [`Environment`]. Every outcome nobody set has a
//! documented default, and the trace names the setting that changes it
//! ([`crate::engine::TraceKind::EnvironmentDefault`]).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::text::glob_match;

/// The name a view setting goes under ([`Environment::views`]) for a ShowView's
/// `ViewResource.Id`: the last segment of its ARN, its version aside.
pub fn view_name(id: &str) -> &str {
    id.rsplit('/')
        .next()
        .unwrap_or(id)
        .split(':')
        .next()
        .unwrap_or("")
}

/// What the customer does at a ShowView no view setting answers: the first action
/// the block wires (`Submit` when it wires none).
pub fn default_view_action(block: &crate::flow::Block) -> String {
    block
        .conditions
        .first()
        .map_or_else(|| "Submit".to_owned(), |c| c.operand.clone())
}

/// The name of the [`Environment::queues`] entry that stands for every queue not listed.
pub const ANY_QUEUE: &str = "*";

/// Everything the engine may ask of the contact center.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Environment {
    /// `VOICE` (default), `CHAT`, `TASK` or `EMAIL`: `$.Channel`.
    pub channel: Option<String>,
    /// `INBOUND` (default), `OUTBOUND`, `TRANSFER`, `CALLBACK`, `API`, …:
    /// `$.InitiationMethod`.
    pub initiation_method: Option<String>,
    /// Queues by name (or ARN / id): metrics and capacity.
    pub queues: IndexMap<String, Queue>,
    /// Hours of operation by name or id: open (`true`), closed (`false`), or a
    /// weekly schedule evaluated at the call's time ([`Environment::at`]).
    pub hours: IndexMap<String, Hours>,
    /// When the call starts, RFC 3339 with an offset (`2026-12-01T20:00-05:00`):
    /// schedules are evaluated at this time plus the call's elapsed time.
    pub at: Option<String>,
    /// Customer profiles (Customer Profiles domain).
    pub customers: Vec<Profile>,
    /// Cases (Cases domain).
    pub cases: Vec<Case>,
    /// Data tables by name or id: their rows.
    pub data_tables: IndexMap<String, Vec<IndexMap<String, String>>>,
    /// What the customer does in a view (ShowView), by view name, ARN or id.
    pub views: IndexMap<String, View>,
    /// Voice ID results.
    pub voice_id: VoiceId,
    /// Outbound call progress (CheckOutboundCallStatus): `CallAnswered` (default),
    /// `VoicemailBeep`, `VoicemailNoBeep`, `NotDetected`.
    pub call_progress: Option<String>,
    /// What happens when a third party is dialed: `answered` (default), `failed`,
    /// `no_answer`.
    pub third_party: Option<String>,
    /// Callback numbers that cannot be dialed (prefixes).
    pub undialable_prefixes: Vec<String>,
    /// Chat: the customer sends a message this many seconds into a Wait.
    pub customer_returns_after_secs: Option<u32>,
    /// AuthenticateParticipant: `success`, `opted_out`, `timeout` (default), `error`.
    pub authentication: Option<String>,
    /// An agent is free to take a TransferContactToAgent (default true).
    pub agent_available: Option<bool>,
    /// Cases: linking the contact to the case fails (`ContactNotLinked` after the case
    /// operation, a partial success) when a block asks `LinkContactToCase` (default
    /// false).
    pub case_link_fails: Option<bool>,
    /// The instance has a Customer Profiles domain (default true); without one every
    /// customer-profile block takes its error branch.
    pub customer_profiles: Option<bool>,
    /// Customer Profiles: writing to the store fails (CreateCustomerProfile and
    /// UpdateCustomerProfile take `NoMatchingError`; default false).
    pub profile_writes_fail: Option<bool>,
    /// Set recording and analytics behavior: the chat's in-flight redaction
    /// configuration fails (`InFlightRedactionConfigurationFailed`; default false).
    pub redaction_fails: Option<bool>,
    /// InvokeLambdaFunction: how many times a failed synchronous attempt is retried
    /// within the block's time limit (Connect: up to 3, the default); 0 for tests that
    /// want one attempt (`--lambda-retries 0`).
    pub lambda_retries: Option<u32>,
    /// Lex bots: PATTERN (bot name or alias ARN, `*` wildcard) → `intent:NAME[,slot=v…]`
    /// or `file:EXPORT` (several answers for one pattern: `lex` lines in a script).
    pub lex: IndexMap<String, String>,
    /// The bots those name, resolved (a `file:` export read) by whoever builds the
    /// environment.
    #[serde(skip)]
    pub bots: Vec<(String, LexBackend)>,
    /// A replayed contact (`flowsim replay`): the results production's flow logs
    /// show per block (flow name, block Identifier), in order, for the blocks whose
    /// outcome is the contact center's (hours, staffing, a roll, a wait). Blocks
    /// listed here take these results instead of the environment's. In a file (what
    /// `flowsim replay --record` writes on an `env` line): a list of
    /// `{"flow": NAME, "block": IDENTIFIER, "results": ["False", …]}`.
    #[serde(skip_serializing_if = "IndexMap::is_empty", with = "replayed_form")]
    pub replayed: IndexMap<(String, String), Vec<String>>,
    /// The same mappings as `lex PATTERN = BACKEND` lines would write them (`file:`
    /// paths absolute), in order: what a recording writes.
    #[serde(skip)]
    pub lex_lines: Vec<(String, String)>,
}

/// [`Environment::replayed`] as a file writes it: a list of blocks and their results.
mod replayed_form {
    use indexmap::IndexMap;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    type Replayed = IndexMap<(String, String), Vec<String>>;

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Entry {
        flow: String,
        block: String,
        results: Vec<String>,
    }

    pub fn serialize<S: Serializer>(map: &Replayed, s: S) -> Result<S::Ok, S::Error> {
        let list: Vec<Entry> = map
            .iter()
            .map(|((flow, block), results)| Entry {
                flow: flow.clone(),
                block: block.clone(),
                results: results.clone(),
            })
            .collect();
        list.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Replayed, D::Error> {
        let list = Vec::<Entry>::deserialize(d)?;
        Ok(list
            .into_iter()
            .map(|e| ((e.flow, e.block), e.results))
            .collect())
    }
}

/// What answers a Lex block.
#[derive(Clone, Debug, PartialEq)]
pub enum LexBackend {
    /// `intent:NAME[,slot=value…][,session.KEY=value…]`, one answer per turn (the
    /// last repeats).
    Canned(Vec<CannedAnswer>),
    /// A bot export, matched offline.
    Offline(std::sync::Arc<crate::lex::Bot>),
    /// `aws` / `aws:ALIAS_ARN`: the deployed bot, asked through the driver
    /// ([`Effect::RecognizeText`](crate::engine::Effect)); `None` asks the bot the
    /// block names.
    Live { alias_arn: Option<String> },
    /// `error`: the bot fails every turn (its alias missing or not associated with
    /// the instance, access denied, Lex throttling): the block takes
    /// `NoMatchingError`, as Connect does for "any other error" (reference lex.md §1.4).
    Failing,
}

impl LexBackend {
    /// `aws` or `aws:ALIAS_ARN`, if `spec` is one.
    pub fn live(spec: &str) -> Option<Self> {
        let spec = spec.trim();
        if spec == "aws" {
            return Some(Self::Live { alias_arn: None });
        }
        let arn = spec.strip_prefix("aws:")?.trim();
        Some(Self::Live {
            alias_arn: (!arn.is_empty()).then(|| arn.to_owned()),
        })
    }

    /// Parse `intent:NAME[,slot=value…][,session.KEY=value…]`; `file:` backends are
    /// read by the caller. A `session.` key is a session attribute the bot returns
    /// (`$.Lex.SessionAttributes.KEY`): Lex slot names cannot hold a dot.
    pub fn canned(spec: &str) -> Result<CannedAnswer, EnvError> {
        let body = spec.trim().strip_prefix("intent:").ok_or_else(|| {
            EnvError(format!(
                "Lex backend `{spec}`: expected intent:NAME[,slot=value…], file:EXPORT, aws[:ALIAS_ARN] or error"
            ))
        })?;
        let mut parts = body.split(',');
        let name = parts.next().unwrap_or("").trim();
        if name.is_empty() {
            return Err(EnvError(format!("Lex backend `{spec}`: no intent name")));
        }
        let mut answer = CannedAnswer {
            intent: name.to_owned(),
            ..CannedAnswer::default()
        };
        for kv in parts.filter(|p| !p.trim().is_empty()) {
            let (k, v) = kv.split_once('=').ok_or_else(|| {
                EnvError(format!("Lex backend `{spec}`: `{kv}` is not slot=value"))
            })?;
            let (k, v) = (k.trim(), v.trim().to_owned());
            match k.strip_prefix("session.") {
                Some(key) => answer.session.insert(key.to_owned(), v),
                None => answer.slots.insert(k.to_owned(), v),
            };
        }
        Ok(answer)
    }
}

/// One canned Lex turn: the intent understood, its slots, and the session attributes
/// the bot returns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CannedAnswer {
    pub intent: String,
    pub slots: IndexMap<String, String>,
    pub session: IndexMap<String, String>,
}

/// Hours of operation: a fixed answer, or a weekly schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Hours {
    Fixed(bool),
    Schedule(Schedule),
}

/// A weekly schedule in a time zone, as Connect's hours of operation are:
/// `time_zone = "America/New_York"`, `monday = ["09:00-17:00"]`, …
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Schedule {
    pub time_zone: String,
    pub monday: Vec<String>,
    pub tuesday: Vec<String>,
    pub wednesday: Vec<String>,
    pub thursday: Vec<String>,
    pub friday: Vec<String>,
    pub saturday: Vec<String>,
    pub sunday: Vec<String>,
}

impl Schedule {
    /// Whether the schedule is open at `at`; `Err` names a bad zone or range.
    pub fn open_at(&self, at: jiff::Timestamp) -> Result<bool, EnvError> {
        let tz = jiff::tz::TimeZone::get(&self.time_zone)
            .map_err(|e| EnvError(format!("time_zone \"{}\": {e}", self.time_zone)))?;
        let local = at.to_zoned_datetime(tz);
        let day = match local.weekday() {
            jiff::civil::Weekday::Monday => &self.monday,
            jiff::civil::Weekday::Tuesday => &self.tuesday,
            jiff::civil::Weekday::Wednesday => &self.wednesday,
            jiff::civil::Weekday::Thursday => &self.thursday,
            jiff::civil::Weekday::Friday => &self.friday,
            jiff::civil::Weekday::Saturday => &self.saturday,
            jiff::civil::Weekday::Sunday => &self.sunday,
        };
        let minute = i32::from(local.hour()) * 60 + i32::from(local.minute());
        for range in day {
            let (from, to) = parse_range(range)?;
            if from <= minute && minute < to {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Check the zone and every range once, when the environment is loaded.
    pub fn validate(&self) -> Result<(), EnvError> {
        jiff::tz::TimeZone::get(&self.time_zone)
            .map_err(|e| EnvError(format!("time_zone \"{}\": {e}", self.time_zone)))?;
        for range in [
            &self.monday,
            &self.tuesday,
            &self.wednesday,
            &self.thursday,
            &self.friday,
            &self.saturday,
            &self.sunday,
        ]
        .into_iter()
        .flatten()
        {
            parse_range(range)?;
        }
        Ok(())
    }
}

/// `"09:00-17:30"` → minutes of the day, end exclusive (`24:00` allowed).
fn parse_range(range: &str) -> Result<(i32, i32), EnvError> {
    let bad = || EnvError(format!("hours range \"{range}\": expected HH:MM-HH:MM"));
    let minutes = |t: &str| -> Option<i32> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m) = (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?);
        ((0..=24).contains(&h) && (0..60).contains(&m) && h * 60 + m <= 24 * 60)
            .then_some(h * 60 + m)
    };
    let (a, b) = range.split_once('-').ok_or_else(bad)?;
    let (from, to) = (minutes(a).ok_or_else(bad)?, minutes(b).ok_or_else(bad)?);
    if from >= to {
        return Err(bad());
    }
    Ok((from, to))
}

/// One queue's state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Queue {
    pub arn: Option<String>,
    pub agents_online: u32,
    pub agents_available: u32,
    pub agents_staffed: u32,
    pub agents_after_contact_work: u32,
    pub agents_busy: u32,
    pub agents_missed: u32,
    pub agents_non_productive: u32,
    pub contacts_in_queue: u32,
    pub oldest_contact_age_secs: u32,
    pub estimated_wait_secs: Option<u32>,
    pub at_capacity: bool,
    /// When an agent answers a contact that joins this queue: seconds, `never`, or
    /// `ask` (the TUI asks when the contact starts waiting; elsewhere the default,
    /// with its trace line). Unset: [`Queue::answer_after_secs`] gives the default.
    pub answer_after: Option<AnswerAfter>,
}

/// When an agent answers (`answer_after`): a number of seconds, or never.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AnswerAfter {
    Secs(u32),
    Word(AnswerWord),
}

/// The words `answer_after` takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerWord {
    Never,
    /// The TUI asks when the contact starts waiting; elsewhere the default applies
    /// (with its trace line).
    Ask,
}

/// Seconds an agent takes per contact by default (docs/environment.md, "queues").
pub const DEFAULT_ANSWER_SECS: u32 = 30;

/// `130`, `130s`, `2m`, `2m10s`, `1h`: seconds.
pub fn parse_secs(text: &str) -> Option<u32> {
    let t = text.trim();
    if let Ok(n) = t.parse::<u32>() {
        return Some(n);
    }
    let (mut total, mut num) = (0u32, String::new());
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u32 = num.parse().ok()?;
        num.clear();
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    num.is_empty().then_some(total)
}

impl Default for Queue {
    /// Connect's sample instance: one agent online, available and staffed, nobody
    /// waiting.
    fn default() -> Self {
        Self {
            arn: None,
            agents_online: 1,
            agents_available: 1,
            agents_staffed: 1,
            agents_after_contact_work: 0,
            agents_busy: 0,
            agents_missed: 0,
            agents_non_productive: 0,
            contacts_in_queue: 0,
            oldest_contact_age_secs: 0,
            estimated_wait_secs: None,
            at_capacity: false,
            answer_after: None,
        }
    }
}

impl Queue {
    /// Seconds until an agent answers a contact joining now; `None`: never. Unset,
    /// it is never when no agent is online, else 30 s for each contact ahead and
    /// 30 s more (docs/environment.md).
    pub fn answer_after_secs(&self) -> Option<u32> {
        match self.answer_after {
            Some(AnswerAfter::Secs(s)) => Some(s),
            Some(AnswerAfter::Word(AnswerWord::Never)) => None,
            None | Some(AnswerAfter::Word(AnswerWord::Ask)) if self.agents_online == 0 => None,
            None | Some(AnswerAfter::Word(AnswerWord::Ask)) => {
                Some(DEFAULT_ANSWER_SECS.saturating_mul(self.contacts_in_queue + 1))
            }
        }
    }

    /// Set one field by its name (`agents_available=0`); `Err` names the problem.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        let n = || {
            value
                .trim()
                .parse::<u32>()
                .map_err(|_| format!("{key}={value}: expected a whole number"))
        };
        match key {
            "arn" => self.arn = Some(value.to_owned()),
            "agents_online" => self.agents_online = n()?,
            "agents_available" => self.agents_available = n()?,
            "agents_staffed" => self.agents_staffed = n()?,
            "agents_after_contact_work" => self.agents_after_contact_work = n()?,
            "agents_busy" => self.agents_busy = n()?,
            "agents_missed" => self.agents_missed = n()?,
            "agents_non_productive" => self.agents_non_productive = n()?,
            "contacts_in_queue" => self.contacts_in_queue = n()?,
            "oldest_contact_age_secs" => self.oldest_contact_age_secs = n()?,
            "estimated_wait_secs" => self.estimated_wait_secs = Some(n()?),
            "answer_after" => {
                self.answer_after = Some(if value.trim() == "never" {
                    AnswerAfter::Word(AnswerWord::Never)
                } else if value.trim() == "ask" {
                    AnswerAfter::Word(AnswerWord::Ask)
                } else {
                    AnswerAfter::Secs(parse_secs(value).ok_or_else(|| {
                        format!("{key}={value}: expected seconds (130, 2m10s), never or ask")
                    })?)
                })
            }
            "at_capacity" => {
                self.at_capacity = match value.trim() {
                    "true" | "yes" | "1" => true,
                    "false" | "no" | "0" => false,
                    _ => return Err(format!("{key}={value}: expected true or false")),
                }
            }
            _ => {
                return Err(format!(
                    "unknown queue setting `{key}` (agents_online, agents_available, \
                     agents_staffed, contacts_in_queue, oldest_contact_age_secs, \
                     estimated_wait_secs, at_capacity, answer_after, arn, …)"
                ));
            }
        }
        Ok(())
    }
}

/// A customer profile: standard fields and attributes, all text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Profile {
    /// The phone number it is found by (E.164).
    pub phone: Option<String>,
    pub profile_id: Option<String>,
    /// `FirstName`, `LastName`, `EmailAddress`, `AccountNumber`, custom
    /// `Attributes.x`, …: read back as `$.Customer.<key>`.
    pub fields: IndexMap<String, String>,
    /// Calculated attributes: `$.Customer.CalculatedAttributes.<key>`.
    pub calculated: IndexMap<String, String>,
    /// Profile objects by object type (`_asset`, `_order`, `_case`, or a custom
    /// type): the fields of the newest one, read by GetCustomerProfileObject into
    /// `$.Customer.Asset.*`, `.Order.*`, `.Case.*` (a custom type under its name).
    pub objects: IndexMap<String, IndexMap<String, String>>,
}

/// A case.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Case {
    pub case_id: String,
    /// The customer profile it belongs to.
    pub customer_id: Option<String>,
    /// `status`, `title`, `summary`, … : `$.Case.<key>`.
    pub fields: IndexMap<String, String>,
}

/// What the customer does with a view.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct View {
    /// The action taken (`Submit`, `Next`, `Back`, …); `timeout` for no answer.
    pub action: String,
    /// The view's output: `$.Views.ViewResultData`.
    pub data: Value,
}

/// Voice ID statuses.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VoiceId {
    /// `Enrolled`, `NotEnrolled` (default), `OptedOut`.
    pub enrollment: Option<String>,
    /// `Authenticated`, `NotAuthenticated`, `Inconclusive`, `NotEnrolled` (default),
    /// `OptedOut`.
    pub authentication: Option<String>,
    /// `HighRisk`, `LowRisk`, `Inconclusive` (default).
    pub fraud: Option<String>,
}

/// A setting flowsim cannot use: one line for the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EnvError(pub String);

/// The channels a contact can be.
pub const CHANNELS: [&str; 4] = ["VOICE", "CHAT", "TASK", "EMAIL"];

impl Environment {
    /// `--channel chat`: VOICE, CHAT, TASK or EMAIL, any case.
    pub fn set_channel(&mut self, channel: &str) -> Result<(), EnvError> {
        let c = channel.trim().to_ascii_uppercase();
        if !CHANNELS.contains(&c.as_str()) {
            return Err(EnvError(format!(
                "channel `{channel}`: expected voice, chat, task or email"
            )));
        }
        self.channel = Some(c);
        Ok(())
    }

    /// `--queue 'Sales:agents_available=0,contacts_in_queue=3'`: a queue's state
    /// (settings not given keep their defaults, or the values set before).
    pub fn set_queue(&mut self, spec: &str) -> Result<(), EnvError> {
        let (name, settings) = spec.split_once(':').unwrap_or((spec, ""));
        let name = name.trim();
        if name.is_empty() {
            return Err(EnvError(format!(
                "--queue {spec}: expected NAME:key=value,… e.g. 'Sales:agents_available=0'"
            )));
        }
        let q = self.queues.entry(name.to_owned()).or_default();
        for kv in settings.split(',').filter(|s| !s.trim().is_empty()) {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| EnvError(format!("--queue {spec}: `{kv}` is not key=value")))?;
            q.set(k.trim(), v.trim())
                .map_err(|e| EnvError(format!("--queue {spec}: {e}")))?;
        }
        Ok(())
    }

    /// `--customer '+13035551234,FirstName=Ana,LastName=Diaz'`: a profile found by
    /// that phone number.
    pub fn add_customer(&mut self, spec: &str) -> Result<(), EnvError> {
        let mut parts = spec.split(',');
        let phone = parts.next().unwrap_or("").trim();
        if phone.is_empty() {
            return Err(EnvError(format!(
                "--customer {spec}: expected PHONE,Key=Value,… e.g. '+13035551234,FirstName=Ana'"
            )));
        }
        let mut p = Profile {
            phone: Some(phone.to_owned()),
            profile_id: Some(format!("profile-{}", self.customers.len() + 1)),
            ..Profile::default()
        };
        for kv in parts.filter(|s| !s.trim().is_empty()) {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| EnvError(format!("--customer {spec}: `{kv}` is not Key=Value")))?;
            match k.trim() {
                "ProfileId" => p.profile_id = Some(v.trim().to_owned()),
                k => {
                    p.fields.insert(k.to_owned(), v.trim().to_owned());
                }
            }
        }
        self.customers.push(p);
        Ok(())
    }

    /// Settings of `other` laid over these (other wins where it says something).
    pub fn merge(&mut self, other: Environment) {
        let Environment {
            channel,
            initiation_method,
            queues,
            hours,
            at,
            customers,
            cases,
            data_tables,
            views,
            voice_id,
            call_progress,
            third_party,
            undialable_prefixes,
            customer_returns_after_secs,
            authentication,
            agent_available,
            case_link_fails,
            customer_profiles,
            profile_writes_fail,
            redaction_fails,
            lambda_retries,
            lex,
            bots,
            replayed,
            lex_lines,
        } = other;
        self.channel = channel.or(self.channel.take());
        self.initiation_method = initiation_method.or(self.initiation_method.take());
        self.queues.extend(queues);
        self.hours.extend(hours);
        self.at = at.or(self.at.take());
        self.customers.extend(customers);
        self.cases.extend(cases);
        self.data_tables.extend(data_tables);
        self.views.extend(views);
        self.voice_id.enrollment = voice_id.enrollment.or(self.voice_id.enrollment.take());
        self.voice_id.authentication = voice_id
            .authentication
            .or(self.voice_id.authentication.take());
        self.voice_id.fraud = voice_id.fraud.or(self.voice_id.fraud.take());
        self.call_progress = call_progress.or(self.call_progress.take());
        self.third_party = third_party.or(self.third_party.take());
        self.undialable_prefixes.extend(undialable_prefixes);
        self.customer_returns_after_secs =
            customer_returns_after_secs.or(self.customer_returns_after_secs);
        self.authentication = authentication.or(self.authentication.take());
        self.agent_available = agent_available.or(self.agent_available);
        self.case_link_fails = case_link_fails.or(self.case_link_fails);
        self.redaction_fails = redaction_fails.or(self.redaction_fails);
        self.customer_profiles = customer_profiles.or(self.customer_profiles);
        self.profile_writes_fail = profile_writes_fail.or(self.profile_writes_fail);
        self.lambda_retries = lambda_retries.or(self.lambda_retries);
        self.lex.extend(lex);
        self.bots.extend(bots);
        self.replayed.extend(replayed);
        self.lex_lines.extend(lex_lines);
    }

    /// `--at 2026-12-01T20:00-05:00`: when the call starts.
    pub fn set_at(&mut self, at: &str) -> Result<(), EnvError> {
        parse_at(at)?;
        self.at = Some(at.trim().to_owned());
        Ok(())
    }

    /// Every setting that can be checked before a call: time zones, ranges, `at`.
    pub fn validate(&self) -> Result<(), EnvError> {
        if let Some(at) = &self.at {
            parse_at(at)?;
        }
        if let Some(n) = self.lambda_retries
            && n > crate::engine::LAMBDA_RETRIES
        {
            return Err(EnvError(format!(
                "lambda_retries = {n}: at most {} (Connect retries a failed invocation up to {} times)",
                crate::engine::LAMBDA_RETRIES,
                crate::engine::LAMBDA_RETRIES
            )));
        }
        for (name, h) in &self.hours {
            if let Hours::Schedule(s) = h {
                s.validate()
                    .map_err(|e| EnvError(format!("hours.\"{name}\": {e}")))?;
            }
        }
        Ok(())
    }

    /// The call's start as a timestamp.
    pub fn start_time(&self) -> Option<jiff::Timestamp> {
        self.at.as_deref().and_then(|a| parse_at(a).ok())
    }

    /// The queue a reference names (name, ARN, id, or the last ARN segment); a queue
    /// named `*` stands for every queue not listed (then the name is the reference's
    /// last ARN segment).
    pub fn queue<'a>(&'a self, reference: &'a str) -> Option<(&'a str, &'a Queue)> {
        let last = reference.rsplit('/').next().unwrap_or(reference);
        self.listed_queue(reference)
            .or_else(|| self.queues.get(ANY_QUEUE).map(|q| (last, q)))
    }

    /// The queue a reference names, `*` aside.
    pub fn listed_queue(&self, reference: &str) -> Option<(&str, &Queue)> {
        let last = reference.rsplit('/').next().unwrap_or(reference);
        self.queues
            .iter()
            .find(|(name, q)| {
                name.as_str() == reference
                    || name.as_str() == last
                    || q.arn.as_deref() == Some(reference)
            })
            .map(|(n, q)| (n.as_str(), q))
    }

    /// Map `pattern` to `aws[:ALIAS_ARN]` or a canned `intent:NAME[,slot=value…]`
    /// (several canned answers for one pattern answer in turn); `file:` bots are read
    /// by the caller and pushed to [`Environment::bots`].
    pub fn add_lex_answer(&mut self, pattern: &str, spec: &str) -> Result<(), EnvError> {
        self.lex_lines
            .push((pattern.to_owned(), spec.trim().to_owned()));
        if let Some(live) = LexBackend::live(spec) {
            self.bots.push((pattern.to_owned(), live));
            return Ok(());
        }
        if spec.trim() == "error" {
            self.bots.push((pattern.to_owned(), LexBackend::Failing));
            return Ok(());
        }
        let answer = LexBackend::canned(spec)?;
        match self.bots.iter_mut().find(|(p, _)| p == pattern) {
            Some((_, LexBackend::Canned(list))) => list.push(answer),
            _ => self
                .bots
                .push((pattern.to_owned(), LexBackend::Canned(vec![answer]))),
        }
        Ok(())
    }

    /// The bot that answers a Lex block naming `bot`: a pattern matches its name,
    /// its whole alias ARN, or a part of it (`bot-alias/BOT_ID/ALIAS_ID`).
    pub fn bot_for(&self, bot: &str) -> Option<(&str, &LexBackend)> {
        self.bots
            .iter()
            .find(|(p, _)| {
                glob_match(p, bot) || bot.split(['/', ':']).any(|part| glob_match(p, part))
            })
            .map(|(p, b)| (p.as_str(), b))
    }

    /// Profiles found by a phone number or a key=value search.
    pub fn find_profiles(&self, key: &str, value: &str) -> Vec<&Profile> {
        self.customers
            .iter()
            .filter(|p| match key {
                "_phone" | "PhoneNumber" => p.phone.as_deref() == Some(value),
                "_profileId" | "ProfileId" => p.profile_id.as_deref() == Some(value),
                "_email" | "EmailAddress" => {
                    p.fields.get("EmailAddress").is_some_and(|v| v == value)
                }
                k => p.fields.get(k).is_some_and(|v| v == value),
            })
            .collect()
    }
}

/// An RFC 3339 time with an offset (`2026-12-01T20:00-05:00`, `…Z`).
fn parse_at(at: &str) -> Result<jiff::Timestamp, EnvError> {
    at.trim().parse::<jiff::Timestamp>().map_err(|e| {
        EnvError(format!(
            "at \"{at}\": expected a time with its offset, e.g. 2026-12-01T20:00-05:00 ({e})"
        ))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn canned_lex_answers_carry_slots_and_session_attributes() {
        let a =
            super::LexBackend::canned("intent:Escalate,reason=late,session.Tool=Escalate").unwrap();
        assert_eq!(a.intent, "Escalate");
        assert_eq!(a.slots.get("reason").map(String::as_str), Some("late"));
        assert_eq!(a.session.get("Tool").map(String::as_str), Some("Escalate"));
        assert!(!a.slots.contains_key("session.Tool"));
    }

    #[test]
    fn answer_after_takes_seconds_durations_and_never() {
        use super::{AnswerAfter, AnswerWord, Queue, parse_secs};
        assert_eq!(parse_secs("130"), Some(130));
        assert_eq!(parse_secs("2m10s"), Some(130));
        assert_eq!(parse_secs("1h"), Some(3600));
        assert_eq!(parse_secs("2x"), None);
        assert_eq!(parse_secs("5m3"), None);
        let mut q = Queue::default();
        // Unset: 30 s (one agent, nobody ahead); 30 s per contact ahead and one more.
        assert_eq!(q.answer_after_secs(), Some(30));
        q.set("contacts_in_queue", "3").unwrap();
        assert_eq!(q.answer_after_secs(), Some(120));
        q.set("agents_online", "0").unwrap();
        assert_eq!(q.answer_after_secs(), None);
        q.set("answer_after", "2m10s").unwrap();
        assert_eq!(q.answer_after, Some(AnswerAfter::Secs(130)));
        q.set("answer_after", "never").unwrap();
        assert_eq!(q.answer_after, Some(AnswerAfter::Word(AnswerWord::Never)));
        assert!(q.set("answer_after", "soon").is_err());
    }

    use super::*;

    #[test]
    fn schedules_open_by_weekday_and_time_in_their_zone() {
        let s = Schedule {
            time_zone: "America/New_York".into(),
            monday: vec!["09:00-17:00".into()],
            ..Schedule::default()
        };
        s.validate().unwrap();
        // Monday 2026-11-30 16:59 in New York is 21:59 UTC: open; 17:00 closed.
        let t = |x: &str| x.parse::<jiff::Timestamp>().unwrap();
        assert!(s.open_at(t("2026-11-30T16:59-05:00")).unwrap());
        assert!(!s.open_at(t("2026-11-30T17:00-05:00")).unwrap());
        assert!(!s.open_at(t("2026-12-01T10:00-05:00")).unwrap(), "Tuesday");
        // The same instant seen from another offset is the same answer.
        assert!(s.open_at(t("2026-11-30T21:59Z")).unwrap());
        assert!(
            Schedule {
                time_zone: "Mars/Olympus".into(),
                ..Schedule::default()
            }
            .validate()
            .is_err()
        );
        assert!(parse_range("17:00-09:00").is_err());
        assert!(parse_range("9-17").is_err());
        let mut env = Environment::default();
        assert!(env.set_at("tomorrow").is_err());
        env.set_at("2026-12-01T20:00-05:00").unwrap();
    }

    #[test]
    fn queue_settings_parse_and_refuse_unknown_keys() {
        let mut q = Queue::default();
        q.set("agents_available", "0").unwrap();
        q.set("at_capacity", "true").unwrap();
        assert_eq!(q.agents_available, 0);
        assert!(q.at_capacity);
        assert!(
            q.set("agents", "1")
                .unwrap_err()
                .contains("unknown queue setting")
        );
        assert!(q.set("agents_online", "x").is_err());
    }

    #[test]
    fn flags_build_the_environment() {
        let mut env = Environment::default();
        env.set_channel("chat").unwrap();
        assert_eq!(env.channel.as_deref(), Some("CHAT"));
        assert!(env.set_channel("fax").is_err());
        env.set_queue("Sales:agents_online=0,agents_available=0")
            .unwrap();
        assert_eq!(env.queues["Sales"].agents_online, 0);
        assert_eq!(
            env.queues["Sales"].agents_staffed, 1,
            "unset keys keep defaults"
        );
        assert!(env.set_queue("Sales:agents").is_err());
        env.add_customer("+13035551234,FirstName=Ana").unwrap();
        let found = env.find_profiles("_phone", "+13035551234");
        assert_eq!(found[0].fields["FirstName"], "Ana");
    }

    #[test]
    fn queues_are_found_by_name_arn_or_last_segment() {
        let mut env = Environment::default();
        env.queues.insert(
            "Sales".into(),
            Queue {
                arn: Some("arn:aws:connect:us-east-1:1:instance/i/queue/q1".into()),
                ..Queue::default()
            },
        );
        assert!(env.queue("Sales").is_some());
        assert!(
            env.queue("arn:aws:connect:us-east-1:1:instance/i/queue/q1")
                .is_some()
        );
        assert!(env.queue("arn:x/queue/Sales").is_some());
        assert!(env.queue("Support").is_none());
        // `*` stands for every queue not listed, under the name asked for.
        env.queues.insert(
            ANY_QUEUE.into(),
            Queue {
                at_capacity: true,
                ..Queue::default()
            },
        );
        let (name, q) = env.queue("arn:x/queue/Support").expect("any queue");
        assert!(name == "Support" && q.at_capacity);
        assert!(!env.queue("Sales").expect("listed").1.at_capacity);
    }
}
