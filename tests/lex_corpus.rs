//! Corpus Lex flows driven through offline bots laid out as the console exports
//! them (`tests/fixtures/lex-corpus/`): the real CustomerAirlineSupport export its
//! repository ships with the step-by-step guides' handler flow, and hand-made
//! exports for three more corpus flows. The `.call` scripts there say what the
//! caller says; this test runs them through the real binary and checks, from the
//! coverage report, that every intent condition of every Lex block was taken.

use serde_json::Value;

mod common;

const DIR: &str = "tests/fixtures/lex-corpus";

/// The flows and the intent conditions no bot can reach: the Connecta flow tests
/// "FallBackIntent", which never equals Lex's FallbackIntent (its
/// NoMatchingCondition goes to the same queue, and a script takes it).
const UNREACHABLE: &[(&str, &str)] = &[("Connecta Broadband ITHelpDesk", "= FallBackIntent")];

#[test]
fn corpus_lex_flows_reach_every_intent_branch_through_file_bots() {
    if common::shared().is_none() {
        return;
    }
    let cov = tempfile::NamedTempFile::new().unwrap();
    let o = common::bin()
        .args(["test", DIR, "--coverage-json"])
        .arg(cov.path())
        .output()
        .unwrap();
    let out = common::stdout(&o);
    assert!(o.status.success(), "{out}{}", common::stderr(&o));
    assert!(out.contains("13 passed, 0 failed"), "{out}");
    // Every script drives a `file:` bot: canned answers do not count here.
    for entry in std::fs::read_dir(common::root().join(DIR)).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "call") {
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(
                text.contains("= file:"),
                "{} uses no file: bot",
                p.display()
            );
            assert!(
                !text.contains("intent:"),
                "{} uses a canned intent",
                p.display()
            );
        }
    }
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(cov.path()).unwrap()).unwrap();
    let flows = report["flows"].as_array().unwrap();
    assert_eq!(flows.len(), 4, "four corpus flows");
    for flow in flows {
        let name = flow["flow"].as_str().unwrap();
        let missed: Vec<&str> = flow["branches_never_taken"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| {
                b["block"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("ConnectParticipantWithLexBot"))
            })
            .filter_map(|b| b["branch"].as_str())
            .filter(|b| b.starts_with("= "))
            .filter(|b| !UNREACHABLE.contains(&(name, *b)))
            .collect();
        assert!(
            missed.is_empty(),
            "{name}: Lex branches never taken: {missed:?}"
        );
    }
}

/// Each bot export reads, and a few recognitions come out as the scripts rely on.
#[test]
fn the_exports_read_as_the_console_lays_them_out() {
    let dir = common::root().join(DIR);
    let airline = flowsim::lexbots::load_export(&dir.join("CustomerAirlineSupport-LexJson.zip"))
        .expect("the real export reads");
    assert_eq!(airline.name, "CustomerAirlineSupport");
    assert_eq!(airline.threshold, 0.4);
    let cancel = airline
        .intents
        .iter()
        .find(|i| i.name == "FlightCancellation")
        .unwrap();
    let order: Vec<&str> = cancel.slots.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        order,
        [
            "FirstName",
            "LastName",
            "CityDeparture",
            "CityArrival",
            "ConfirmationNumber"
        ],
        "slotPriorities order"
    );
    assert!(cancel.slots.iter().all(|s| s.required));
    let r = airline.recognize("I'd like to cancel my flight for Ana Lopez");
    assert_eq!(r.slots["FirstName"], "Ana");
    assert_eq!(r.slots["LastName"], "Lopez");
    let banking = flowsim::lexbots::load_export(&dir.join("BankingMenu-LexJson")).unwrap();
    assert_eq!(
        banking.recognize("check my current account balance").slots["AccountType"],
        "checking"
    );
    let connecta = flowsim::lexbots::load_export(&dir.join("ConnectaBroadband-LexJson")).unwrap();
    assert_eq!(
        connecta.recognize("I need a new gigabit connection").slots["Plan"],
        "gigabit",
        "OriginalValue keeps what was said"
    );
    let jules = flowsim::lexbots::load_export(&dir.join("JulesAssistant-LexJson")).unwrap();
    assert_eq!(jules.recognize("sure").intent, "WelcomeIntent");
    assert_eq!(jules.recognize("bananas").intent, "FallbackIntent");
}
