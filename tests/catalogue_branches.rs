//! Every branch of every action type, generated from the catalogue and its outcome
//! table (`flowsim_core::catalogue::outcomes`): for each row a small flow holding the
//! block (its parameters from the table, each branch leading to its own marker
//! prompt) and a `.call` script with the row's setting, run by the real script
//! runner. A row whose setting does not select its branch fails, and so does a type
//! that gains an error branch the table does not cover.

use std::path::Path;

use flowsim::catalogue::outcomes::{self, Branch, Outcome, Selects};
use flowsim::catalogue::{ActionType, FlowType};
use flowsim::script::{Outcome as Run, RunOptions, parse_script, run_script};
use serde_json::{Map, Value, json};

/// JSON merge patch: `null` removes a key; objects merge; anything else replaces.
fn merge(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    b.remove(k);
                } else {
                    merge(b.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (b, p) => *b = p.clone(),
    }
}

fn marker_text(label: &str) -> String {
    format!("reached {label}.")
}

fn say(id: &str, text: &str, next: &str) -> Value {
    json!({"Identifier": id, "Type": "MessageParticipant", "Parameters": {"Text": text},
           "Transitions": {"NextAction": next}})
}

fn disconnect() -> Value {
    json!({"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {},
           "Transitions": {}})
}

fn params_of(row: &Outcome) -> Map<String, Value> {
    let (base, _) = outcomes::base(row.action);
    let mut params: Value = serde_json::from_str(base).expect("base parameters are JSON");
    if !row.params.is_empty() {
        let patch: Value = serde_json::from_str(row.params).expect("row parameters are JSON");
        merge(&mut params, &patch);
    }
    match params {
        Value::Object(m) => m,
        _ => panic!("{}: parameters are not an object", row.action),
    }
}

/// The flow for one row: [Set working queue →] the block → one marker per branch.
fn flow_for(row: &Outcome) -> Value {
    let spec = row.action.spec();
    let (_, flow_type) = outcomes::base(row.action);
    let mut params = params_of(row);
    let queue = params.remove("_working_queue");
    let mut actions = Vec::new();
    let start = if let Some(Value::String(q)) = &queue {
        actions.push(json!({"Identifier": "setq", "Type": "UpdateContactTargetQueue",
            "Parameters": {"QueueId": format!("arn:aws:connect:us-east-1:000000000000:instance/i/queue/{q}")},
            "Transitions": {"NextAction": "block", "Errors": [{"ErrorType": "NoMatchingError", "NextAction": "end"}]}}));
        "setq"
    } else {
        "block"
    };
    let conditions: Vec<Value> = outcomes::of(row.action)
        .filter_map(|o| match o.branch {
            Branch::Cond(op, operand) => Some((op, operand)),
            _ => None,
        })
        .enumerate()
        .map(|(i, (op, operand))| {
            json!({"NextAction": format!("m_c{i}"),
                   "Condition": {"Operator": op, "Operands": [operand]}})
        })
        .collect();
    for (i, o) in outcomes::of(row.action)
        .filter(|o| matches!(o.branch, Branch::Cond(..)))
        .enumerate()
    {
        let Branch::Cond(_, operand) = o.branch else {
            unreachable!()
        };
        actions.push(say(&format!("m_c{i}"), &marker_text(operand), "end"));
    }
    let errors: Vec<Value> = spec
        .errors
        .iter()
        .map(|e| json!({"ErrorType": e.as_str(), "NextAction": format!("m_{e}")}))
        .collect();
    for e in spec.errors {
        actions.push(say(&format!("m_{e}"), &marker_text(e.as_str()), "end"));
    }
    actions.push(say("m_next", &marker_text("Next"), "end"));
    actions.push(disconnect());
    let mut transitions = json!({"NextAction": "m_next", "Errors": errors});
    if !conditions.is_empty() {
        transitions["Conditions"] = Value::Array(conditions);
    }
    actions.insert(
        0,
        json!({"Identifier": "block", "Type": spec.name, "Parameters": params,
               "Transitions": transitions}),
    );
    json!({"Version": "2019-10-30", "StartAction": start,
           "Metadata": {"name": "Main", "type": flow_type.as_str()},
           "Actions": actions})
}

fn script_for(row: &Outcome, flow: &Path) -> String {
    let Selects::Script(setting) = row.selects else {
        unreachable!("never rows are not run")
    };
    let mut s = format!("flow {}\n{setting}\n", flow.display());
    match row.branch {
        Branch::End(how) => s.push_str(&format!("expect end {how}\n")),
        Branch::Transfer => s.push_str("expect \"reached the target flow\"\n"),
        Branch::Next => s.push_str(&format!("expect \"{}\"\n", marker_text("Next"))),
        Branch::Cond(_, operand) => s.push_str(&format!("expect \"{}\"\n", marker_text(operand))),
        Branch::Error(e) => s.push_str(&format!("expect \"{}\"\n", marker_text(e.as_str()))),
    }
    for (k, v) in row.sets {
        s.push_str(&format!("expect {k} = \"{v}\"\n"));
    }
    s
}

/// The other flows a row may reach: a flow to transfer to, and a module whose Return
/// gives `$.Attributes.result` as its result.
fn write_others(dir: &Path) {
    let target = json!({"Version": "2019-10-30", "StartAction": "t",
        "Metadata": {"name": "target", "type": "contactFlow"},
        "Actions": [say("t", "reached the target flow", "end"), disconnect()]});
    let module = json!({"Version": "2019-10-30", "StartAction": "m",
        "Metadata": {"name": "module", "type": "contactFlowModule"},
        "Actions": [say("m", "in the module", "r"),
            {"Identifier": "r", "Type": "EndFlowModuleExecution",
             "Parameters": {"Result": "$.Attributes.result"}, "Transitions": {}}]});
    std::fs::write(dir.join("target.json"), target.to_string()).unwrap();
    std::fs::write(dir.join("module.json"), module.to_string()).unwrap();
}

/// The table covers every declared error of every type, names only declared errors,
/// and says "never" only where the catalogue says the type raises no error.
#[test]
fn the_outcome_table_covers_every_branch_the_catalogue_declares() {
    let mut problems = Vec::new();
    for t in ActionType::ALL {
        let spec = t.spec();
        let rows: Vec<&Outcome> = outcomes::of(*t).collect();
        if !rows.iter().any(|o| matches!(o.selects, Selects::Script(_))) {
            problems.push(format!("{t}: no row a setting selects"));
        }
        for e in spec.errors {
            if !rows.iter().any(|o| o.branch == Branch::Error(*e)) {
                problems.push(format!("{t}: error branch {e} has no setting"));
            }
        }
        for o in &rows {
            if let Branch::Error(e) = o.branch {
                if !spec.errors.contains(&e) {
                    problems.push(format!("{t}: {e} is not a declared error"));
                }
                if matches!(o.selects, Selects::Never(_)) && !spec.raises_no_error {
                    problems.push(format!(
                        "{t}: {e} is never taken, but the catalogue does not mark {t} \"no error\""
                    ));
                }
            }
        }
        let params = params_of(rows.first().expect("rows"));
        for r in spec.required {
            if !params.contains_key(*r) {
                problems.push(format!("{t}: the base parameters lack required {r}"));
            }
        }
        let (_, flow_type) = outcomes::base(*t);
        if !spec.flows.allows(flow_type) && flow_type != FlowType::Disconnect {
            problems.push(format!("{t}: {} flows may not hold it", flow_type.as_str()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Each row's setting selects its branch and sets its `$.…` values.
#[test]
fn each_setting_selects_its_branch() {
    let dir = tempfile::tempdir().unwrap();
    let others = dir.path().join("others");
    std::fs::create_dir(&others).unwrap();
    write_others(&others);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut failures = Vec::new();
    let mut ran = 0;
    for (i, row) in outcomes::OUTCOMES.iter().enumerate() {
        if matches!(row.selects, Selects::Never(_)) {
            continue;
        }
        let flow_path = dir.path().join(format!("row{i}.json"));
        std::fs::write(&flow_path, flow_for(row).to_string()).unwrap();
        let text = script_for(row, &flow_path);
        let what = format!("{} → {}", row.action, row.branch.label());
        let script = match parse_script(&text, &dir.path().join(format!("row{i}.call"))) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{what}: the script does not parse: {e}\n{text}"));
                continue;
            }
        };
        let flows = match flowsim::session::load_flows(Some(&flow_path), Some(&others)) {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{what}: the flow does not load: {e}"));
                continue;
            }
        };
        let result = rt.block_on(run_script(&script, &flows, &RunOptions::default()));
        ran += 1;
        match &result.outcome {
            Run::Passed => {}
            Run::Failed(f) => failures.push(format!(
                "{what}: line {}: expected {}; {}\n{text}",
                f.line, f.expected, f.actual
            )),
            Run::Error(e) => failures.push(format!("{what}: {e}\n{text}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} rows fail:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(ran > 150, "only {ran} rows ran");
}
