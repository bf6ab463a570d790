//! The `aws` Lex backend against a local server speaking Lex V2 RecognizeText,
//! through the real binary: the request's shape (path, text, session state,
//! request attributes, one session per call), and the answer read back into `$.Lex`.

use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use serde_json::{Value, json};

mod common;
use common::http::{Seen, read_request, reply};

/// Answers the turns in order (the last repeating), recording each request.
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

fn serve(answers: Vec<(&'static str, Value)>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    thread::spawn(move || {
        for stream in listener.incoming().take(16).flatten() {
            handle(&stream, &answers, &log);
        }
    });
    Server { port, seen }
}

fn handle(stream: &TcpStream, answers: &[(&str, Value)], log: &Mutex<Vec<Seen>>) {
    let Some(seen) = read_request(stream) else {
        return;
    };
    let mut log = log.lock().unwrap();
    log.push(seen);
    let (status, body) = &answers[(log.len() - 1).min(answers.len() - 1)];
    // A failure names its error type as AWS's REST-JSON services do.
    let extra = if status.starts_with("404") {
        "x-amzn-ErrorType: ResourceNotFoundException\r\n"
    } else {
        ""
    };
    reply(stream, status, extra, &body.to_string());
}

/// First turn: the bot asks for the confirmation number.
fn elicit() -> Value {
    json!({
        "messages": [{"content": "What is your confirmation number?", "contentType": "PlainText"}],
        "sessionState": {
            "dialogAction": {"type": "ElicitSlot", "slotToElicit": "ConfirmationNumber"},
            "intent": {"name": "FlightCancellation", "state": "InProgress", "confirmationState": "None",
                       "slots": {"ConfirmationNumber": null}},
            "sessionAttributes": {"caller": "+15555550100", "turn": "1"}
        },
        "interpretations": [
            {"intent": {"name": "FlightCancellation", "state": "InProgress", "slots": {}},
             "nluConfidence": {"score": 0.92}, "interpretationSource": "Lex"},
            {"intent": {"name": "FallbackIntent", "slots": {}}}
        ],
        "sessionId": "ignored"
    })
}

/// Second turn: the intent is fulfilled, the slot filled.
fn close() -> Value {
    json!({
        "messages": [{"content": "Okay, cancelling it.", "contentType": "PlainText"}],
        "sessionState": {
            "dialogAction": {"type": "Close"},
            "intent": {"name": "FlightCancellation", "state": "Fulfilled", "confirmationState": "None",
                       "slots": {"ConfirmationNumber": {"shape": "Scalar", "value": {
                           "originalValue": "one two three", "interpretedValue": "123",
                           "resolvedValues": ["123"]}}}},
            "sessionAttributes": {"caller": "+15555550100", "turn": "2"}
        },
        "interpretations": [
            {"intent": {"name": "FlightCancellation", "state": "Fulfilled", "slots": {}},
             "nluConfidence": {"score": 0.97},
             "sentimentResponse": {"sentiment": "NEGATIVE", "sentimentScore":
                 {"positive": 0.01, "negative": 0.9, "neutral": 0.08, "mixed": 0.01}}},
            {"intent": {"name": "BookFlight", "slots": {}}, "nluConfidence": {"score": 0.41}}
        ]
    })
}

fn flowsim_test(script: &str, port: u16) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.call");
    std::fs::write(&path, script).unwrap();
    common::bin()
        .args(["test", path.to_str().unwrap(), "--aws-endpoint-url"])
        .arg(format!("http://127.0.0.1:{port}"))
        .env("HOME", dir.path())
        .env("FLOWSIM_DATA_DIR", dir.path())
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLEDUMMY")
        .env("AWS_SECRET_ACCESS_KEY", "dummy-secret-never-printed")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap()
}

fn script(backend: &str) -> String {
    let flow = common::root().join("tests/fixtures/lex/airline.json");
    format!(
        "flow {}\nlex * = {backend}\n\n\
         expect \"How can I help you?\"\n\
         say \"I want to cancel my flight\"\n\
         expect \"What is your confirmation number?\"\n\
         say \"one two three\"\n\
         expect $.Lex.IntentName = \"FlightCancellation\"\n\
         expect $.Lex.Slots.ConfirmationNumber = \"123\"\n\
         expect $.Lex.SessionAttributes.turn = \"2\"\n\
         expect $.Lex.IntentConfidence.Score = \"0.97\"\n\
         expect $.Lex.SentimentResponse.Label = \"NEGATIVE\"\n\
         expect $.Lex.AlternateIntents.BookFlight.IntentConfidence.Score = \"0.41\"\n\
         expect \"Cancelling booking 123\"\n\
         expect end disconnected\n",
        flow.display()
    )
}

#[test]
fn aws_lex_backend_sends_recognize_text_and_reads_the_answer() {
    let server = serve(vec![("200 OK", elicit()), ("200 OK", close())]);
    let o = flowsim_test(&script("aws"), server.port);
    let out = common::stdout(&o) + &common::stderr(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        !out.contains("dummy-secret-never-printed"),
        "the secret leaked"
    );
    let seen = server.seen.lock().unwrap();
    assert_eq!(seen.len(), 2, "one RecognizeText per turn");
    let mut sessions = Vec::new();
    for (i, (path, body, headers)) in seen.iter().enumerate() {
        // The bot and alias ids from the block's alias ARN; the region from it too.
        let rest = path
            .strip_prefix("/bots/AIRLINE001/botAliases/TSTALIASID/botLocales/en_US/sessions/")
            .unwrap_or_else(|| panic!("path {path}"));
        let session = rest.strip_suffix("/text").expect("…/text");
        assert!(session.len() >= 2, "{session}");
        sessions.push(session.to_owned());
        assert!(
            headers.iter().any(|h| {
                let h = h.to_ascii_lowercase();
                h.starts_with("authorization: aws4-hmac-sha256") && h.contains("/us-east-1/lex/")
            }),
            "signed for the ARN's region: {headers:?}"
        );
        let body: Value = serde_json::from_str(body).unwrap();
        let said = ["I want to cancel my flight", "one two three"][i];
        assert_eq!(body["text"], said);
        // The block's LexSessionAttributes, then what the bot returned.
        let attrs = &body["sessionState"]["sessionAttributes"];
        assert_eq!(attrs["caller"], "+15555550100", "{body}");
        if i == 1 {
            assert_eq!(attrs["turn"], "1", "returned attributes go back: {body}");
        }
        assert_eq!(
            body["requestAttributes"]["x-amz-lex:channels:platform"], "Connect",
            "{body}"
        );
    }
    assert_eq!(sessions[0], sessions[1], "one session per call");
}

#[test]
fn aws_lex_alias_arn_from_the_mapping_wins() {
    let server = serve(vec![("200 OK", elicit()), ("200 OK", close())]);
    let o = flowsim_test(
        &script("aws:arn:aws:lex:eu-central-1:111122223333:bot-alias/OTHERBOT01/PRODALIAS1"),
        server.port,
    );
    assert!(o.status.success(), "{}", common::stdout(&o));
    let seen = server.seen.lock().unwrap();
    assert!(
        seen[0]
            .0
            .starts_with("/bots/OTHERBOT01/botAliases/PRODALIAS1/botLocales/en_US/sessions/"),
        "{}",
        seen[0].0
    );
}

#[test]
fn aws_lex_service_error_takes_the_error_branch() {
    let server = serve(vec![(
        "404 Not Found",
        json!({"message": "Bot AIRLINE001 not found"}),
    )]);
    let flow = common::root().join("tests/fixtures/lex/airline.json");
    let o = common::bin()
        .args(["run", flow.to_str().unwrap(), "--lex", "*=aws", "--json"])
        .args(["--keys", "\"cancel my flight\""])
        .arg("--aws-endpoint-url")
        .arg(format!("http://127.0.0.1:{}", server.port))
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLEDUMMY")
        .env("AWS_SECRET_ACCESS_KEY", "dummy-secret-never-printed")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let out = common::stdout(&o);
    let branch = out
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|e| e["event"] == "branch_taken" && e["block"]["id"] == "Ask")
        .unwrap_or_else(|| panic!("no branch from Ask: {out}"));
    assert_eq!(branch["branch"], "NoMatchingError", "{branch}");
    assert!(
        branch["reason"]
            .as_str()
            .unwrap_or("")
            .contains("ResourceNotFoundException: Bot AIRLINE001 not found"),
        "{branch}"
    );
    assert!(out.contains("Sorry, I did not understand"), "{out}");
}
