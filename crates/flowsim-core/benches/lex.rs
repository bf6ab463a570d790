//! One recognition by the offline Lex matcher against a 50-intent bot generated
//! here (as a console export's files): target under 100 µs.

use criterion::{Criterion, criterion_group, criterion_main};
use flowsim_core::lex::Bot;
use std::hint::black_box;

const TOPICS: [&str; 10] = [
    "flight",
    "booking",
    "payment",
    "refund",
    "account",
    "password",
    "order",
    "delivery",
    "invoice",
    "appointment",
];
const VERBS: [&str; 5] = ["cancel", "change", "check", "report", "renew"];

/// 50 intents (5 verbs × 10 topics), 8 sample utterances each (two with a slot),
/// a required slot of a custom type with synonyms, and a FallbackIntent.
fn bot() -> Bot {
    let mut files = vec![
        ("Bench/Bot.json".to_owned(), r#"{"name":"Bench"}"#.to_owned()),
        (
            "Bench/BotLocales/en_US/BotLocale.json".to_owned(),
            r#"{"nluConfidenceThreshold":0.4}"#.to_owned(),
        ),
        (
            "Bench/BotLocales/en_US/SlotTypes/Ref/SlotType.json".to_owned(),
            serde_json::json!({"name": "Ref", "slotTypeValues": (0..40).map(|i| serde_json::json!({
                "sampleValue": {"value": format!("ref{i}")},
                "synonyms": [{"value": format!("reference {i}")}, {"value": format!("number {i}")}],
            })).collect::<Vec<_>>(), "valueSelectionSetting": {"resolutionStrategy": "TOP_RESOLUTION"}})
            .to_string(),
        ),
        (
            "Bench/BotLocales/en_US/Intents/FallbackIntent/Intent.json".to_owned(),
            r#"{"name":"FallbackIntent","parentIntentSignature":"AMAZON.FallbackIntent","sampleUtterances":null}"#
                .to_owned(),
        ),
    ];
    for verb in VERBS {
        for topic in TOPICS {
            let name = format!("{}{}", cap(verb), cap(topic));
            let utterances = [
                format!("{verb} my {topic}"),
                format!("I want to {verb} my {topic}"),
                format!("I need to {verb} a {topic}"),
                format!("can you {verb} my {topic} please"),
                format!("help me {verb} the {topic}"),
                format!("{verb} {topic}"),
                format!("{verb} my {topic} {{Ref}}"),
                format!("I would like to {verb} {topic} {{Ref}} today"),
            ];
            let intent = serde_json::json!({
                "name": name,
                "sampleUtterances": utterances.iter().map(|u| serde_json::json!({"utterance": u})).collect::<Vec<_>>(),
                "slotPriorities": [{"priority": 1, "slotName": "Ref"}],
            });
            files.push((
                format!("Bench/BotLocales/en_US/Intents/{name}/Intent.json"),
                intent.to_string(),
            ));
            files.push((
                format!("Bench/BotLocales/en_US/Intents/{name}/Slots/Ref/Slot.json"),
                r#"{"name":"Ref","slotTypeName":"Ref","valueElicitationSetting":{"slotConstraint":"Required"}}"#
                    .to_owned(),
            ));
        }
    }
    Bot::from_export(&files).expect("the generated export reads")
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn recognition(c: &mut Criterion) {
    let bot = bot();
    assert_eq!(bot.intents.len(), 51);
    let similar = "could you please help me to renew the appointment I have";
    let r = bot.recognize(similar);
    assert_eq!(r.intent, "RenewAppointment", "{r:?}");
    let slot = "I would like to change order number 7 today";
    assert_eq!(bot.recognize(slot).slots["Ref"], "ref7");
    let mut g = c.benchmark_group("lex");
    g.bench_function("recognize_50_intents_similar", |b| {
        b.iter(|| bot.recognize(black_box(similar)))
    });
    g.bench_function("recognize_50_intents_slot", |b| {
        b.iter(|| bot.recognize(black_box(slot)))
    });
    g.bench_function("recognize_50_intents_fallback", |b| {
        b.iter(|| bot.recognize(black_box("what is the weather like on mars")))
    });
    g.finish();
}

criterion_group!(benches, recognition);
criterion_main!(benches);
