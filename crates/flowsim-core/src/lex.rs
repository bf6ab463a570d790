//! Lex V2 bots offline: a bot model read from a console export, a deterministic
//! matcher, and canned answers.
//!
//! The matcher, in order: an exact sample utterance (confidence 1.0); a sample
//! utterance whose `{slot}` placeholders take values the slot types accept (0.95);
//! otherwise token similarity over lower-cased words, slot placeholders left out:
//! 0.9 × (0.7 × the share of the sample's words said + 0.3 × the share of the words
//! said that are in the sample). The best intent below the locale's
//! `nluConfidenceThreshold` (0.4 when the export has none) gives FallbackIntent, as
//! Lex does (reference `lex.md` §5). Reading the export's files is the caller's job;
//! [`Bot::from_export`] takes their text.

use indexmap::IndexMap;
use serde_json::Value;

/// A bot: intents with sample utterances and slots, and custom slot types.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bot {
    pub name: String,
    /// `nluConfidenceThreshold`.
    pub threshold: f64,
    pub intents: Vec<Intent>,
    pub slot_types: IndexMap<String, SlotType>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Intent {
    pub name: String,
    pub utterances: Vec<String>,
    /// In priority order.
    pub slots: Vec<Slot>,
    /// `AMAZON.FallbackIntent`.
    pub fallback: bool,
    /// The utterances prepared for matching (read once, by [`Bot::from_export`];
    /// prepared on the fly when they are missing).
    pub samples: Vec<Sample>,
}

/// A sample utterance, prepared: its words, the words outside placeholders, and
/// the `{slot}` template compiled.
#[derive(Clone, Debug)]
pub struct Sample {
    words: Vec<String>,
    plain: Vec<String>,
    template: Option<(regex::Regex, Vec<String>)>,
}

impl PartialEq for Sample {
    fn eq(&self, other: &Self) -> bool {
        self.words == other.words
    }
}

impl Sample {
    pub fn new(text: &str) -> Self {
        let words = words(text);
        let plain = words
            .iter()
            .filter(|w| !w.starts_with('{'))
            .cloned()
            .collect();
        Self {
            template: template(text),
            words,
            plain,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Slot {
    pub name: String,
    pub slot_type: String,
    pub required: bool,
    /// The elicitation prompt.
    pub prompt: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SlotType {
    /// Values with their synonyms.
    pub values: Vec<(String, Vec<String>)>,
    /// `TopResolution`: a synonym resolves to its value; else the words said.
    pub top_resolution: bool,
}

/// What the bot understood.
#[derive(Clone, Debug, PartialEq)]
pub struct Recognition {
    pub intent: String,
    pub confidence: f64,
    /// Slot name → interpreted value.
    pub slots: IndexMap<String, String>,
    /// The other intents, best first, with their scores.
    pub alternatives: Vec<(String, f64)>,
}

/// The next thing a bot says, if it needs more.
#[derive(Clone, Debug, PartialEq)]
pub enum Turn {
    /// The intent is complete.
    Done(Recognition),
    /// A required slot is missing: ask for it.
    Elicit {
        recognition: Recognition,
        slot: String,
        prompt: String,
    },
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '{' || c == '}' || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

impl Bot {
    /// Read a Lex V2 console export from its files: `(path inside the export, text)`.
    /// Paths are matched without case (`Manifest.json` and `manifest.json` both occur).
    pub fn from_export(files: &[(String, String)]) -> Result<Self, String> {
        let json = |text: &str, path: &str| -> Result<Value, String> {
            serde_json::from_str(text).map_err(|e| format!("{path}: {e}"))
        };
        let mut bot = Bot {
            threshold: 0.4,
            ..Bot::default()
        };
        let mut intents: IndexMap<String, Intent> = IndexMap::new();
        let mut slots: Vec<(String, Slot)> = Vec::new();
        let lower = |p: &str| p.replace('\\', "/").to_lowercase();
        for (path, text) in files {
            let p = lower(path);
            let parts: Vec<&str> = p.split('/').collect();
            if p.ends_with("/bot.json") || p == "bot.json" {
                bot.name = json(text, path)?["name"].as_str().unwrap_or("").to_owned();
            } else if p.ends_with("/botlocale.json") {
                if let Some(t) = json(text, path)?["nluConfidenceThreshold"].as_f64() {
                    bot.threshold = t;
                }
            } else if p.ends_with("/intent.json") {
                let v = json(text, path)?;
                let name = v["name"].as_str().unwrap_or("").to_owned();
                let utterances = v["sampleUtterances"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|u| u["utterance"].as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                let fallback = v["parentIntentSignature"].as_str() == Some("AMAZON.FallbackIntent");
                let priorities: Vec<String> = v["slotPriorities"]
                    .as_array()
                    .map(|a| {
                        let mut p: Vec<(i64, String)> = a
                            .iter()
                            .filter_map(|s| {
                                Some((s["priority"].as_i64()?, s["slotName"].as_str()?.to_owned()))
                            })
                            .collect();
                        p.sort();
                        p.into_iter().map(|(_, n)| n).collect()
                    })
                    .unwrap_or_default();
                let entry = intents.entry(name.clone()).or_default();
                entry.name = name;
                entry.utterances = utterances;
                entry.fallback = fallback;
                // Slot order from the priorities; slots are attached below.
                entry.slots = priorities
                    .into_iter()
                    .map(|n| Slot {
                        name: n,
                        ..Slot::default()
                    })
                    .collect();
            } else if p.ends_with("/slot.json") {
                // …/Intents/<Intent>/Slots/<Slot>/Slot.json
                let Some(i) = parts.iter().position(|s| *s == "intents") else {
                    continue;
                };
                let original = path.replace('\\', "/");
                let intent = original.split('/').nth(i + 1).unwrap_or("").to_owned();
                let v = json(text, path)?;
                let setting = v
                    .get("valueElicitationSetting")
                    .or_else(|| v.get("slotValueElicitationSetting"))
                    .cloned()
                    .unwrap_or(Value::Null);
                let prompt = setting["promptSpecification"]
                    .get("messageGroupsList")
                    .or_else(|| setting["promptSpecification"].get("messageGroupList"))
                    .and_then(|g| g[0]["message"]["plainTextMessage"]["value"].as_str())
                    .map(str::to_owned);
                slots.push((
                    intent,
                    Slot {
                        name: v["name"].as_str().unwrap_or("").to_owned(),
                        slot_type: v["slotTypeName"]
                            .as_str()
                            .or_else(|| v["slotTypeId"].as_str())
                            .unwrap_or("AMAZON.AlphaNumeric")
                            .to_owned(),
                        required: setting["slotConstraint"].as_str() == Some("Required"),
                        prompt,
                    },
                ));
            } else if p.ends_with("/slottype.json") {
                let v = json(text, path)?;
                let values = v["slotTypeValues"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| {
                                let value = x["sampleValue"]["value"].as_str()?.to_owned();
                                let syn = x["synonyms"]
                                    .as_array()
                                    .map(|s| {
                                        s.iter()
                                            .filter_map(|y| y["value"].as_str().map(str::to_owned))
                                            .collect()
                                    })
                                    .unwrap_or_default();
                                Some((value, syn))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let strategy = v["valueSelectionSetting"]["resolutionStrategy"]
                    .as_str()
                    .or_else(|| v["valueSelectionStrategy"].as_str())
                    .unwrap_or("")
                    .replace('_', "")
                    .to_lowercase();
                bot.slot_types.insert(
                    v["name"].as_str().unwrap_or("").to_owned(),
                    SlotType {
                        values,
                        top_resolution: strategy == "topresolution",
                    },
                );
            }
        }
        for (intent, slot) in slots {
            let entry = intents.entry(intent.clone()).or_default();
            if entry.name.is_empty() {
                entry.name = intent;
            }
            match entry.slots.iter_mut().find(|s| s.name == slot.name) {
                Some(s) => *s = slot,
                None => entry.slots.push(slot),
            }
        }
        bot.intents = intents
            .into_values()
            .filter(|i| !i.name.is_empty())
            .collect();
        if bot.intents.is_empty() {
            return Err("no Intents/*/Intent.json in the export".into());
        }
        for i in &mut bot.intents {
            i.samples = i.utterances.iter().map(|u| Sample::new(u)).collect();
        }
        Ok(bot)
    }

    /// The value a slot of type `ty` takes from `said`, if it accepts it.
    pub fn resolve_slot(&self, ty: &str, said: &str) -> Option<String> {
        let said = said.trim();
        if said.is_empty() {
            return None;
        }
        if let Some(t) = self.slot_types.get(ty) {
            let l = said.to_lowercase();
            return t.values.iter().find_map(|(v, syn)| {
                let hit = v.to_lowercase() == l || syn.iter().any(|s| s.to_lowercase() == l);
                hit.then(|| {
                    if t.top_resolution {
                        v.clone()
                    } else {
                        said.to_owned()
                    }
                })
            });
        }
        builtin_value(ty, said)
    }

    /// Recognise one utterance from scratch.
    pub fn recognize(&self, utterance: &str) -> Recognition {
        let said = words(utterance);
        let mut scored: Vec<(f64, &Intent, IndexMap<String, String>)> = Vec::new();
        for intent in self.intents.iter().filter(|i| !i.fallback) {
            let mut best = (0.0_f64, IndexMap::new());
            let fresh: Vec<Sample>;
            let samples = if intent.samples.len() == intent.utterances.len() {
                &intent.samples
            } else {
                fresh = intent.utterances.iter().map(|u| Sample::new(u)).collect();
                &fresh
            };
            for sample in samples {
                let (score, slots) = self.score(intent, sample, utterance, &said);
                // On a tie, the sample that fills more slots ("for {FirstName}
                // {LastName}" over "for {FirstName}").
                if score > best.0 || (score == best.0 && slots.len() > best.1.len()) {
                    best = (score, slots);
                }
            }
            scored.push((best.0, intent, best.1));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
        let alternatives = |skip: usize| -> Vec<(String, f64)> {
            scored
                .iter()
                .skip(skip)
                .take(4)
                .map(|(s, i, _)| (i.name.clone(), round(*s)))
                .collect()
        };
        match scored.first() {
            Some((score, intent, slots)) if *score >= self.threshold => Recognition {
                intent: intent.name.clone(),
                confidence: round(*score),
                slots: slots.clone(),
                alternatives: alternatives(1),
            },
            _ => Recognition {
                intent: self
                    .intents
                    .iter()
                    .find(|i| i.fallback)
                    .map_or_else(|| "FallbackIntent".to_owned(), |i| i.name.clone()),
                confidence: 0.0,
                slots: IndexMap::new(),
                alternatives: alternatives(0),
            },
        }
    }

    fn score(
        &self,
        intent: &Intent,
        sample: &Sample,
        utterance: &str,
        said: &[String],
    ) -> (f64, IndexMap<String, String>) {
        if sample.words == said {
            return (1.0, IndexMap::new());
        }
        let common = sample.plain.iter().filter(|w| said.contains(w)).count();
        // A template can only match when every word around its placeholders is said.
        if common == sample.plain.len()
            && let Some(slots) = self.fill(intent, sample, utterance)
        {
            return (0.95, slots);
        }
        if sample.plain.is_empty() || said.is_empty() {
            return (0.0, IndexMap::new());
        }
        let recall = common as f64 / sample.plain.len() as f64;
        let precision = common as f64 / said.len() as f64;
        (0.9 * (0.7 * recall + 0.3 * precision), IndexMap::new())
    }

    /// Match a sample with `{slot}` placeholders against the utterance, each slot
    /// taking words its type accepts.
    fn fill(
        &self,
        intent: &Intent,
        sample: &Sample,
        utterance: &str,
    ) -> Option<IndexMap<String, String>> {
        let (re, names) = sample.template.as_ref()?;
        let caps = re.captures(utterance.trim())?;
        let mut out = IndexMap::new();
        for (i, name) in names.iter().enumerate() {
            let said = caps.get(i + 1)?.as_str();
            let slot = intent.slots.iter().find(|s| &s.name == name);
            let ty = slot.map_or("AMAZON.AlphaNumeric", |s| s.slot_type.as_str());
            out.insert(name.clone(), self.resolve_slot(ty, said)?);
        }
        Some(out)
    }
}

/// A sample with `{slot}` placeholders as a regex (words case-insensitive, white
/// space flexible, each slot a lazy group), with the slot names in order.
fn template(sample: &str) -> Option<(regex::Regex, Vec<String>)> {
    if !sample.contains('{') {
        return None;
    }
    let mut pattern = String::from("(?i)^\\s*");
    let mut names = Vec::new();
    let mut rest = sample;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}')? + open;
        pattern.push_str(&literal(&rest[..open]));
        pattern.push_str("(.+?)");
        names.push(rest[open + 1..close].to_owned());
        rest = &rest[close + 1..];
    }
    pattern.push_str(&literal(rest));
    pattern.push_str("\\s*[.!?]?\\s*$");
    Some((regex::Regex::new(&pattern).ok()?, names))
}

/// Words of a sample between placeholders, as a regex (white space flexible).
fn literal(s: &str) -> String {
    let parts: Vec<String> = s.split_whitespace().map(regex::escape).collect();
    if parts.is_empty() {
        return if s.is_empty() {
            String::new()
        } else {
            "\\s+".into()
        };
    }
    let lead = if s.starts_with(char::is_whitespace) {
        "\\s+"
    } else {
        ""
    };
    let tail = if s.ends_with(char::is_whitespace) {
        "\\s+"
    } else {
        ""
    };
    format!("{lead}{}{tail}", parts.join("\\s+"))
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Built-in slot types (reference `lex.md` §3.7), as far as text can tell.
fn builtin_value(ty: &str, said: &str) -> Option<String> {
    let t = said.trim();
    match ty {
        "AMAZON.Number" => {
            if t.parse::<f64>().is_ok() {
                return Some(t.to_owned());
            }
            number_words(t).map(|n| n.to_string())
        }
        "AMAZON.Confirmation" => match t.to_lowercase().as_str() {
            "yes" | "yeah" | "yep" | "sure" | "correct" => Some("Yes".into()),
            "no" | "nope" | "not really" => Some("No".into()),
            "maybe" => Some("Maybe".into()),
            _ => None,
        },
        "AMAZON.PhoneNumber" => {
            let d: String = t
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            (d.chars().filter(char::is_ascii_digit).count() >= 7).then_some(d)
        }
        "AMAZON.Date" => jiff::civil::Date::strptime("%Y-%m-%d", t)
            .ok()
            .map(|d| d.to_string()),
        "AMAZON.AlphaNumeric" => t
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ')
            .then(|| t.replace(' ', "")),
        // Names, cities, free text: what was said.
        _ => Some(t.to_owned()),
    }
}

/// `one hundred twenty three` → 123 (whole numbers below a million).
fn number_words(s: &str) -> Option<u64> {
    let unit = |w: &str| -> Option<u64> {
        Some(match w {
            "zero" => 0,
            "one" => 1,
            "two" => 2,
            "three" => 3,
            "four" => 4,
            "five" => 5,
            "six" => 6,
            "seven" => 7,
            "eight" => 8,
            "nine" => 9,
            "ten" => 10,
            "eleven" => 11,
            "twelve" => 12,
            "thirteen" => 13,
            "fourteen" => 14,
            "fifteen" => 15,
            "sixteen" => 16,
            "seventeen" => 17,
            "eighteen" => 18,
            "nineteen" => 19,
            "twenty" => 20,
            "thirty" => 30,
            "forty" => 40,
            "fifty" => 50,
            "sixty" => 60,
            "seventy" => 70,
            "eighty" => 80,
            "ninety" => 90,
            _ => return None,
        })
    };
    let lower = s.to_lowercase();
    let list: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty())
        .collect();
    // Digits said one by one ("one two three") are a number read out: 123.
    if list.len() > 1 && list.iter().all(|w| unit(w).is_some_and(|n| n < 10)) {
        return list
            .iter()
            .map(|w| unit(w).map(|n| char::from(b'0' + n as u8)))
            .collect::<Option<String>>()?
            .parse()
            .ok();
    }
    let mut total = 0;
    let mut current = 0;
    let mut any = false;
    for w in list {
        match w {
            "" | "and" => {}
            "hundred" => current *= 100,
            "thousand" => {
                total += current * 1000;
                current = 0;
            }
            w => {
                current += unit(w)?;
                any = true;
            }
        }
    }
    any.then_some(total + current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bot() -> Bot {
        let files = vec![
            ("B/Bot.json".into(), r#"{"name":"Airline"}"#.into()),
            (
                "B/BotLocales/en_US/BotLocale.json".into(),
                r#"{"nluConfidenceThreshold":0.4}"#.into(),
            ),
            (
                "B/BotLocales/en_US/Intents/CancelFlight/Intent.json".into(),
                r#"{"name":"CancelFlight","sampleUtterances":[{"utterance":"cancel my flight"},
                    {"utterance":"cancel flight {Confirmation}"}],
                    "slotPriorities":[{"priority":1,"slotName":"Confirmation"}]}"#
                    .into(),
            ),
            (
                "B/BotLocales/en_US/Intents/CancelFlight/Slots/Confirmation/Slot.json".into(),
                r#"{"name":"Confirmation","slotTypeName":"AMAZON.Number",
                    "valueElicitationSetting":{"slotConstraint":"Required","promptSpecification":
                    {"messageGroupsList":[{"message":{"plainTextMessage":{"value":"What is your confirmation number?"}}}]}}}"#
                    .into(),
            ),
            (
                "B/BotLocales/en_US/Intents/BookFlight/Intent.json".into(),
                r#"{"name":"BookFlight","sampleUtterances":[{"utterance":"book a flight to {City}"}]}"#
                    .into(),
            ),
            (
                "B/BotLocales/en_US/Intents/FallbackIntent/Intent.json".into(),
                r#"{"name":"FallbackIntent","parentIntentSignature":"AMAZON.FallbackIntent","sampleUtterances":null}"#
                    .into(),
            ),
        ];
        Bot::from_export(&files).unwrap()
    }

    #[test]
    fn exact_template_similar_and_fallback() {
        let b = bot();
        assert_eq!(b.name, "Airline");
        let r = b.recognize("Cancel my flight");
        assert_eq!((r.intent.as_str(), r.confidence), ("CancelFlight", 1.0));
        let r = b.recognize("cancel flight one two three");
        assert_eq!(r.intent, "CancelFlight");
        assert_eq!(r.slots["Confirmation"], "123", "digits read out one by one");
        let r = b.recognize("cancel flight 123");
        assert_eq!(r.slots["Confirmation"], "123");
        let r = b.recognize("I need to cancel the flight please");
        assert_eq!(r.intent, "CancelFlight");
        assert!(r.confidence < 0.95 && r.confidence >= 0.4, "{r:?}");
        let r = b.recognize("what's the weather");
        assert_eq!((r.intent.as_str(), r.confidence), ("FallbackIntent", 0.0));
        let slots = &b
            .intents
            .iter()
            .find(|i| i.name == "CancelFlight")
            .unwrap()
            .slots;
        assert!(slots[0].required);
        assert_eq!(
            slots[0].prompt.as_deref(),
            Some("What is your confirmation number?")
        );
    }

    #[test]
    fn number_words_read() {
        assert_eq!(number_words("one hundred twenty three"), Some(123));
        assert_eq!(number_words("forty-two"), Some(42));
        assert_eq!(number_words("banana"), None);
    }
}
